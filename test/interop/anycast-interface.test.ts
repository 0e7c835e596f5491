// The anycast /32 on an interface other than lo: FRR in front of three
// ospf-anycastd nodes, n1 carrying the /32 on a dummy interface (`dummy0`,
// named by its anycast block's `interface` statement), n2 on lo, n3 on its
// segment interface beside its own address; the seed's `network` statement
// covers it everywhere. Each must advertise it as a host route of cost 0
// (RFC 2328 12.4.1.1), so FRR has three equal-cost next hops; n1 sends no
// Hellos on dummy0, n3 runs OSPF on its own address only. n1's drain,
// maintenance file, failing check (on-failure withdraw) and on-failure
// max-cost must each reach FRR's route.
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnycastRowView } from '../../src/control/views.js';
import { interopGate, type AnycastDaemon } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ANYCAST, FOLLOW_MS, ROUTER_ADDRESS, nodeAddress, nodeRouterId, seedSuite } from './labs.js';

const gate = interopGate('anycast on a non-loopback interface interop tests', ['frr']);
const NODES = 3;
const ALL = [nodeAddress(1), nodeAddress(2), nodeAddress(3)];
const OTHERS = [nodeAddress(2), nodeAddress(3)];
const ANYCAST_ADDRESS = ANYCAST.split('/')[0] as string;
/** Where each node carries the /32 (its anycast block's `interface`); n2 on lo. */
const ANYCAST_ON: Record<number, string> = { 1: 'dummy0', 3: 'lan0' };
/** FRR's cost to each node over the segment: its lan0 interface cost (10, the default). */
const SEGMENT_COST = 10;

/** FRR's `show ip ospf route json` entry of one prefix. */
interface FrrOspfRoute {
  routeType: string;
  cost: number;
  nexthops: { ip: string }[];
}

/** One link of a router-LSA in FRR's `show ip ospf database router ID json`. */
interface FrrRouterLink {
  linkType: string;
  networkAddress?: string;
  tos0Metric: number;
}

describe.skipIf(gate.skip)('the anycast /32 on dummy0, on lo and beside a segment address, with FRR as the router', () => {
  /** n1's check fails while `down` exists; `maintenance` is its maintenance file. Set before the lab starts. */
  const files = { down: '', maintenance: '' };
  const { current, detail } = seedSuite('ai', 'frr', NODES, {
    tuning: {
      anycastInterface: (i) => ANYCAST_ON[i] ?? 'lo',
      nodeConf: (conf, i) => {
        if (i === 1) n1BaseConf = conf;
        return `${conf}anycast ${ANYCAST}\n interface ${ANYCAST_ON[i] ?? 'lo'}\n min-interval 0\n!\n`;
      },
    },
    prepare: (seed) => {
      // n1's files live in the lab's work directory, removed at teardown.
      files.down = join(seed.lab.dir, 'n1-down');
      files.maintenance = join(seed.lab.dir, 'n1-maintenance');
      node(1).writeConfig(`${n1BaseConf}${n1Block('withdraw')}`);
    },
  });
  const node = (i: number): AnycastDaemon => {
    const daemon = current().nodes.find((n) => n.i === i)?.daemon;
    if (daemon === undefined) throw new Error(`no node ${i}`);
    return daemon;
  };
  const frr = (): { json<T>(command: string): T } => {
    const peer = current().router.peer;
    if (!('json' in peer)) throw new Error('the router is not FRR');
    return peer;
  };
  const frrRoute = (): FrrOspfRoute | undefined => frr().json<Record<string, FrrOspfRoute>>('show ip ospf route json')[ANYCAST];
  /** The metric of the /32 in node i's router-LSA as FRR holds it; undefined when the LSA has no such link. */
  const frrHostMetric = (i = 1): number | undefined => {
    const db = frr().json<{ routerLinkStates?: { areas?: Record<string, { routerLinks?: Record<string, FrrRouterLink> }[]> } }>(
      `show ip ospf database router ${nodeRouterId(i)} json`,
    );
    const lsa = Object.values(db.routerLinkStates?.areas ?? {})[0]?.[0];
    if (lsa === undefined) throw new Error(`FRR holds no router-LSA of ${nodeRouterId(i)}`);
    return Object.values(lsa.routerLinks ?? {}).find((l) => l.networkAddress === ANYCAST_ADDRESS)?.tos0Metric;
  };
  const kernelHops = (): string[] => current().lab.gateways(current().routerNs, ANYCAST, 'ospf');
  const follow = (what: string, hops: string[]): Promise<unknown> =>
    waitFor(`${what}: ${ANYCAST} via ${hops.join(', ') || 'nothing'} in FRR's kernel`, () => JSON.stringify(kernelHops()) === JSON.stringify(hops), {
      timeoutMs: FOLLOW_MS,
      intervalMs: 50,
      detail,
    });
  /**
   * n1's dummy0, with an interface cost as an operator coming from FRR might
   * write (it must not reach the anycast route), and its anycast block: on
   * dummy0, a check that fails while `files.down` exists, the given on-failure.
   */
  const n1Block = (onFailure: 'withdraw' | 'max-cost'): string => `interface dummy0
 ip ospf cost 5
!
anycast ${ANYCAST}
 interface dummy0
 min-interval 0
 maintenance-file ${files.maintenance}
 on-failure ${onFailure}
 check exec interval 100 timeout 80 rise 1 fall 1 -- /usr/bin/test ! -e ${files.down}
!
`;
  let n1BaseConf = '';
  const n1Ns = (): string => current().nodes[0]?.ns as string;
  /** Packets the kernel has sent out of n1's dummy0. */
  const dummy0Tx = (): number => current().lab.net.ipJson<{ stats64: { tx: { packets: number } } }[]>(n1Ns(), ['-s', 'link', 'show', 'dummy0'])[0]?.stats64.tx.packets ?? -1;
  const dummy0Groups = (): string[] =>
    current()
      .lab.net.ipJson<{ maddr?: { address?: string }[] }[]>(n1Ns(), ['maddr', 'show', 'dev', 'dummy0'])
      .flatMap((e) => e.maddr ?? [])
      .flatMap((g) => g.address ?? []);
  const n1Anycast = async (): Promise<AnycastRowView | undefined> => (await node(1).cli<AnycastRowView[]>('show', 'anycast'))[0];

  it('FRR has three equal-cost next hops: n1 (dummy0) and n3 (beside lan0) advertise a host route of cost 0 as n2 (lo) does', async () => {
    await follow('every node announcing', ALL);
    const route = frrRoute();
    console.info(`FRR's route to ${ANYCAST}: ${route?.routeType} cost ${route?.cost} via ${route?.nexthops.map((h) => h.ip).join(', ')}`);
    expect(route).toMatchObject({ routeType: 'N', cost: SEGMENT_COST });
    expect(route?.nexthops.map((h) => h.ip).sort()).toEqual(ALL);
    for (const i of [1, 2, 3]) expect(frrHostMetric(i), `n${i}'s /32 in its router-LSA at FRR`).toBe(0);
    // FRR sees the three nodes at their own addresses on the segment, and nothing else.
    const seen = current().router.neighbors().map((n) => [n.routerId, n.address]);
    expect(seen.sort()).toEqual([1, 2, 3].map((i) => [nodeRouterId(i), nodeAddress(i)]));
  });

  it('n3 runs OSPF on its own address of lan0, never on the anycast /32 beside it', async () => {
    const lan0 = (await node(3).interfaces()).find((i) => i.name === 'lan0');
    expect(lan0).toMatchObject({ state: 'DROther', address: `${nodeAddress(3)}/24`, dr: ROUTER_ADDRESS, bdr: nodeAddress(1) });
    expect((await node(3).cli<AnycastRowView[]>('show', 'anycast'))[0]).toMatchObject({ interface: 'lan0', addressOn: ['lan0'] });
  });

  it('n1 runs no OSPF on dummy0: state Loopback, no address of its own, no OSPF group joined, nothing sent there', async () => {
    const dummy0 = (await node(1).interfaces()).find((i) => i.name === 'dummy0');
    expect(dummy0).toMatchObject({ state: 'Loopback', address: '', neighbors: 0 });
    // Its `ip ospf cost 5` waits for an address of dummy0's own, and the daemon says so.
    expect(node(1).output()).toContain('interface dummy0 carries only anycast addresses: OSPF does not run on it');
    expect(dummy0Groups()).not.toContain('224.0.0.5');
    // Longer than the HelloInterval dummy0 would have (10 s, the default): a Hello would show.
    const before = dummy0Tx();
    await sleep(11_000);
    expect(dummy0Tx() - before).toBe(0);
  }, 30_000);

  it('show anycast names the interface that carries the address', async () => {
    expect(await n1Anycast()).toMatchObject({ prefix: ANYCAST, interface: 'dummy0', addressOn: ['dummy0'], state: 'announced', advertised: 'announce' });
    expect((await node(2).cli<AnycastRowView[]>('show', 'anycast'))[0]).toMatchObject({ interface: 'lo', addressOn: ['lo'] });
  });

  it('drain withdraws it from FRR before returning; undrain brings it back', async () => {
    // FRR takes one instance per MinLSArrival (1 s): let the last change settle.
    await sleep(1100);
    const out = await node(1).cli<{ message: string }>('drain', '--timeout', '10');
    expect(out.message).toMatch(/acknowledged by every neighbor$/);
    expect(frrHostMetric()).toBeUndefined();
    await follow('n1 drained', OTHERS);
    await sleep(1100);
    await node(1).cli('undrain');
    await follow('n1 undrained', ALL);
    expect(frrHostMetric()).toBe(0);
  });

  it('the maintenance file withdraws it; its removal brings it back', async () => {
    writeFileSync(files.maintenance, '');
    await follow('n1 in maintenance', OTHERS);
    expect(frrHostMetric()).toBeUndefined();
    unlinkSync(files.maintenance);
    await follow('n1 out of maintenance', ALL);
  });

  it('a failing check withdraws it (on-failure withdraw); passing again brings it back', async () => {
    writeFileSync(files.down, '');
    await follow('n1 unhealthy', OTHERS);
    await waitFor(`${ANYCAST} gone from n1's router-LSA at FRR`, () => frrHostMetric() === undefined, { timeoutMs: FOLLOW_MS, detail });
    unlinkSync(files.down);
    await follow('n1 healthy again', ALL);
  });

  it('on-failure max-cost: a failing check keeps it at cost 65535, used only when no other node is left', async () => {
    node(1).writeConfig(`${n1BaseConf}${n1Block('max-cost')}`);
    node(1).reload();
    await waitFor('n1 reloaded', () => node(1).output().includes('1 anycast block(s) changed'), { timeoutMs: FOLLOW_MS, detail });
    writeFileSync(files.down, '');
    await follow('n1 unhealthy, at max cost', OTHERS);
    await waitFor(`${ANYCAST} at cost 65535 in n1's router-LSA at FRR`, () => frrHostMetric() === 0xffff, { timeoutMs: FOLLOW_MS, detail });
    expect((await n1Anycast())?.advertised).toBe('max-cost');
    // With n2 and n3 drained, n1 is the last resort: FRR's only path, at the maximum cost.
    await sleep(1100);
    await Promise.all([node(2).cli('drain', '--timeout', '10'), node(3).cli('drain', '--timeout', '10')]);
    await follow('n2 and n3 drained', [nodeAddress(1)]);
    await waitFor(`FRR's route at cost ${SEGMENT_COST + 0xffff}`, () => frrRoute()?.cost === SEGMENT_COST + 0xffff, { timeoutMs: FOLLOW_MS, detail });
    console.info(`FRR's route to ${ANYCAST} with n1 at max-cost, n2 and n3 drained: cost ${frrRoute()?.cost} via ${kernelHops().join(', ')}`);
    await sleep(1100);
    await Promise.all([node(2).cli('undrain'), node(3).cli('undrain')]);
    await follow('n2 and n3 back, n1 still at max cost', OTHERS);
    unlinkSync(files.down);
    await follow('n1 healthy again', ALL);
    expect(frrRoute()?.cost).toBe(SEGMENT_COST);
  });

  it('a block added by reload for a second address on dummy0 governs it from the first moment: not a Hello, no group joined', async () => {
    const second = '10.206.207.1/32';
    // On dummy0 before any network covers it: nothing of OSPF's yet.
    current().lab.net.address(n1Ns(), 'dummy0', second);
    const before = dummy0Tx();
    node(1).writeConfig(`${n1BaseConf}${n1Block('max-cost')}anycast ${second}\n interface dummy0\n min-interval 0\n!\n`);
    node(1).reload();
    await waitFor(`${second} via n1 in FRR's kernel`, () => JSON.stringify(current().lab.gateways(current().routerNs, second, 'ospf')) === JSON.stringify([nodeAddress(1)]), {
      timeoutMs: FOLLOW_MS,
      detail,
    });
    expect(frr().json<Record<string, FrrOspfRoute>>('show ip ospf route json')[second]?.cost).toBe(SEGMENT_COST);
    expect((await node(1).interfaces()).find((i) => i.name === 'dummy0')).toMatchObject({ state: 'Loopback', address: '' });
    expect(dummy0Groups()).not.toContain('224.0.0.5');
    expect(dummy0Tx() - before).toBe(0);
  });
});
