// The seed's lab with a real SIP proxy: Kamailio on 10.206.206.1:5060 in
// each of three nodes, supervised by ospf-anycastd (process check and SIP
// OPTIONS checks), FRR ospfd as the router on one broadcast segment. FRR's
// kernel route to the anycast /32 follows the proxies: kill -9, SIGSTOP,
// drain, and SIP OPTIONS from a client behind FRR answered by the others.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { KamailioCluster, missingTools, nodeAddress, until } from '../../bench/failover/cluster.js';
import { peerGate } from '../helpers/gates.js';
import { namespaceGate } from '../helpers/netns.js';

const ns = namespaceGate('the Kamailio + FRR end-to-end test');
const skip = ns.skip || peerGate('the Kamailio + FRR end-to-end test', missingTools()).skip;

const ALL = [nodeAddress(1), nodeAddress(2), nodeAddress(3)];
const without = (i: number): string[] => ALL.filter((a) => a !== nodeAddress(i));

describe.skipIf(skip)('Kamailio behind ospf-anycastd, FRR in front', () => {
  let cluster: KamailioCluster | undefined;
  const live = (): KamailioCluster => cluster as KamailioCluster;
  const hops = (want: string[], what: string, timeoutMs: number): Promise<number> =>
    until(`${what} (FRR next hops ${JSON.stringify(want)})`, () => JSON.stringify(live().gateways()) === JSON.stringify(want), timeoutMs);
  const reportOnFailure = (): void => onTestFailed(() => console.error(cluster?.report()));

  beforeAll(async () => {
    cluster = new KamailioCluster('e2e', ['anycastd', 'anycastd', 'anycastd']);
    await cluster.startRouter();
    await cluster.startNodes();
    try {
      await hops(ALL, 'every node announcing', 60_000);
      // A node can be in FRR's route while still Loading, before it has the route back to the client.
      await until('every node routing back to the client', () => cluster?.nodesRoutingToClient() === ALL.length, 30_000);
    } catch (err) {
      console.error(cluster.report());
      throw err;
    }
  }, 90_000);

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('FRR installs one kernel route with a next hop per node, and the client reaches them all', () => {
    reportOnFailure();
    expect(live().gateways()).toEqual(ALL);
    // The router's first packets to each node wait on ARP; one round settles that.
    live().probe(6);
    const answers = live().probe(15);
    expect(answers).not.toContain(null);
    expect(new Set(answers).size).toBeGreaterThanOrEqual(2);
    for (const a of answers) expect(['n1', 'n2', 'n3']).toContain(a);
  });

  it('kill -9 of one Kamailio removes its next hop; the restarted, healthy proxy brings it back', async () => {
    reportOnFailure();
    const main = live().kamailioMain(2);
    const killedAt = performance.now();
    process.kill(main, 'SIGKILL');
    await hops(without(2), 'n2 withdrawn after kill -9', 5000);
    console.log(`kill -9 -> FRR route without n2: ${(performance.now() - killedAt).toFixed(0)} ms (20 ms polling)`);
    const answers = live().probe(9);
    expect(answers).not.toContain(null);
    expect(answers).not.toContain('n2');
    await hops(ALL, 'n2 back once its proxy restarted and passed rise 2', 20_000);
    expect(live().kamailioMain(2)).not.toBe(main);
  });

  it('SIGSTOP of every Kamailio process withdraws it through the SIP OPTIONS check; SIGCONT brings it back', async () => {
    reportOnFailure();
    const pids = live().kamailioPids(3);
    expect(pids.length).toBeGreaterThan(1);
    const stoppedAt = performance.now();
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      await hops(without(3), 'n3 withdrawn while hung', 5000);
      console.log(`SIGSTOP -> FRR route without n3: ${(performance.now() - stoppedAt).toFixed(0)} ms (interval 200, fall 2)`);
      // Hung, not dead: the supervisor keeps the same processes.
      expect(live().kamailioPids(3)).toEqual(pids);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    await hops(ALL, 'n3 back after SIGCONT', 10_000);
    expect(live().kamailioPids(3)).toEqual(pids);
  });

  it('drain returns once FRR has the new router-LSA; the route then has two next hops and n1 gets no calls', async () => {
    reportOnFailure();
    // The previous acts may have left n1's announcer within its min-interval; let it settle.
    await hops(ALL, 'three next hops', 5000);
    const stub = /\(Link ID\) Net: 10\.206\.206\.1\s/;
    expect(live().vtysh('show ip ospf database router 10.255.0.11')).toMatch(stub);
    const out = live().cli(1, ['drain', '--timeout', '10']);
    expect(out).toMatch(/drained/);
    const routeMs = await hops(without(1), 'n1 drained', 1000);
    console.log(`drain returned; FRR's kernel route without n1 ${routeMs.toFixed(0)} ms later (20 ms polling)`);
    // RFC 2328 12.4.1.1: n1's router-LSA in FRR's database no longer has the anycast stub link.
    const lsa = live().vtysh('show ip ospf database router 10.255.0.11');
    expect(lsa).toMatch(/Advertising Router: 10\.255\.0\.11/);
    expect(lsa).not.toMatch(stub);
    const answers = live().probe(12);
    expect(answers).not.toContain(null);
    expect(answers).not.toContain('n1');
    expect(new Set(answers)).toEqual(new Set(['n2', 'n3']));
    live().cli(1, ['undrain']);
    await hops(ALL, 'n1 undrained', 10_000);
  });
});
