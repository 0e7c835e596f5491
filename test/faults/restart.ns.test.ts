// Restarts and interface changes in the seed lab (FRR in front of three
// ospf-anycastd nodes), one after the other on the same lab, each ending
// with the routes right on every side and every LSDB identical:
// - FRR's ospfd killed and started again;
// - a node's daemon SIGKILLed in the middle of its database exchange with
//   FRR, then started again: it must take back its own router-LSA over the
//   instance it flooded before the crash (RFC 2328 13.4) and sweep what a
//   crashed run left in the kernel;
// - a node's interface renamed (down, new name, up) and its address changed
//   under the running daemon.
import { describe, expect, it } from 'vitest';
import { interopGate, type FrrRouter } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { CONVERGE_MS, ROUTER_ADDRESS, nodeAddress, nodeConf, nodePriority, nodeRouterId } from '../interop/labs.js';
import { anycastdDatabase, expectOnlyOwnKernelRoutes, frrDatabase, impair, nodeLinkEnds, repair, useFaultLab, waitForIdenticalDatabases, waitForSeedRoutes } from './faults.js';

const gate = interopGate('fault tests: restarts and interface changes', ['frr']);
/** A route no OSPF router announces, left with protocol 188 as by a crashed run. */
const STALE = '10.203.203.0/24';
/** n3's lan0 after the rename, and its address after the change. */
const RENAMED = 'lan9';
const MOVED_ADDRESS = '10.205.205.23';
/** Neighbor states of a database exchange under way: DD packets described, LSAs requested (RFC 2328 10.1). */
const EXCHANGING = new Set(['Exchange', 'Loading']);

/** n3's configuration: the same interface settings under the name lan0 will be given. */
function renamableConf(i: number): string {
  const conf = nodeConf(i, nodePriority(i));
  const block = /^interface lan0\n(?: .*\n)*!\n/.exec(conf)?.[0];
  if (block === undefined) throw new Error('nodeConf has no interface lan0 block');
  return conf.replace(block, block + block.replace('interface lan0', `interface ${RENAMED}`));
}

describe.skipIf(gate.skip)('restarts and interface changes', () => {
  const { current, node, detail } = useFaultLab('fr', { prepare: (seed) => seed.nodes.find((n) => n.i === 3)?.daemon.writeConfig(renamableConf(3)) });
  const frr = (): FrrRouter => current().router.peer as FrrRouter;

  it("FRR's ospfd killed and started again: routes come back on the router and on every node", async () => {
    const s = current();
    expect(await frr().stop('SIGKILL')).toBe('SIGKILL');
    // zebra withdraws a dead ospfd's routes.
    await waitFor('FRR\'s route to the anycast /32 gone with ospfd', () => s.lab.gateways(s.routerNs, '10.206.206.1/32', 'ospf').length === 0, { timeoutMs: 10_000, detail });
    await frr().start();
    await waitForSeedRoutes(s);
    await waitForIdenticalDatabases(s);
    for (const n of s.nodes) await expectOnlyOwnKernelRoutes(s, n.i);
  });

  it('a node killed during its database exchange and restarted supersedes its pre-crash LSA and sweeps stale routes', async () => {
    const s = current();
    const n2 = node(2);
    const ownOnFrr = (): string | undefined => frrDatabase(frr()).find((l) => l.type === 1 && l.advRouter === nodeRouterId(2))?.seq;
    const seqBefore = ownOnFrr();
    expect(seqBefore).toBeDefined();
    await n2.daemon.stop('SIGKILL');
    // Slow n2's link so that its next database exchange lasts long enough to be caught.
    const ends = nodeLinkEnds(s, 2);
    for (const end of ends) impair(s, end.ns, end.ifName, { lossPercent: 0, duplicatePercent: 0, slowPercent: 100, slowRate: '8kbit' });
    await n2.daemon.start();
    const caught = await waitFor(
      'n2 in a database exchange with FRR',
      async () => (await n2.daemon.rawNeighbors()).find((n) => n.address === ROUTER_ADDRESS && EXCHANGING.has(n.state))?.state,
      { timeoutMs: CONVERGE_MS, intervalMs: 20, detail },
    );
    expect(await n2.daemon.stop('SIGKILL')).toBe('SIGKILL');
    for (const end of ends) expect(repair(s, end.ns, end.ifName).slowed, `packets slowed on ${end.ifName}`).toBeGreaterThan(0);
    // What a crashed run leaves: a protocol-188 route nobody announces.
    s.lab.net.exec(n2.ns, 'ip', ['route', 'add', STALE, 'via', ROUTER_ADDRESS, 'proto', '188', 'metric', '20']);
    await n2.daemon.start();
    // start() returns once the control socket answers, after the start-up sweep.
    expect(s.lab.routes(n2.ns, STALE)).toEqual([]);

    await waitForSeedRoutes(s);
    const db = await waitForIdenticalDatabases(s);
    const own = db.filter((l) => l.advRouter === nodeRouterId(2));
    // One router-LSA of n2's, newer than anything it flooded before either crash.
    expect(own.map((l) => l.type)).toEqual([1]);
    expect(parseInt(own[0]?.seq ?? '0', 16) >>> 0).toBeGreaterThan(parseInt(seqBefore ?? 'ffffffff', 16) >>> 0);
    expect(await anycastdDatabase(n2.daemon)).toEqual(db);
    await expectOnlyOwnKernelRoutes(s, 2);
    console.info(`n2 killed in ${caught}; its router-LSA went from ${seqBefore} before the crashes to ${own[0]?.seq}`);
  });

  it("a node's interface renamed, then its address changed, under the running daemon", async () => {
    const s = current();
    const n3 = node(3);
    s.lab.net.down(n3.ns, 'lan0');
    s.lab.net.exec(n3.ns, 'ip', ['link', 'set', 'dev', 'lan0', 'name', RENAMED]);
    s.lab.net.up(n3.ns, RENAMED);
    await waitFor(`n3 speaking OSPF on ${RENAMED} only`, async () => {
      const names = (await n3.daemon.interfaces()).map((i) => `${i.name}:${i.state}`);
      return names.includes(`${RENAMED}:DROther`) && !names.some((n) => n.startsWith('lan0:'));
    }, { timeoutMs: CONVERGE_MS, detail });
    await waitForSeedRoutes(s);
    expect(s.lab.routes(n3.ns, '10.204.204.0/24').map((r) => r.dev)).toEqual([RENAMED]);
    await expectOnlyOwnKernelRoutes(s, 3);

    // The old address goes first: added first, the new one would be a secondary of the same subnet, which the kernel removes with the primary.
    s.lab.net.exec(n3.ns, 'ip', ['addr', 'del', `${nodeAddress(3)}/24`, 'dev', RENAMED]);
    s.lab.net.exec(n3.ns, 'ip', ['addr', 'add', `${MOVED_ADDRESS}/24`, 'dev', RENAMED]);
    const addressOf = (i: number): string => (i === 3 ? MOVED_ADDRESS : nodeAddress(i));
    await waitForSeedRoutes(s, CONVERGE_MS, addressOf);
    await waitFor('FRR to know n3 by its new address only', () => {
      const seen = s.router.neighbors().filter((n) => n.routerId === nodeRouterId(3));
      return seen.length === 1 && seen[0]?.address === MOVED_ADDRESS && seen[0].state === 'Full';
    }, { timeoutMs: CONVERGE_MS, detail });
    await waitForIdenticalDatabases(s);
    expect((await n3.daemon.interfaces()).find((i) => i.name === RENAMED)?.address).toBe(`${MOVED_ADDRESS}/24`);
    await expectOnlyOwnKernelRoutes(s, 3);
    // lan0's socket closed with the interface: nothing was sent to it afterwards.
    expect(n3.daemon.output()).not.toContain('cannot send on interface');
  });
});
