// Stub router advertisement (RFC 6987) seen from FRR and BIRD: ospf-anycastd
// is the short way between them, their own link the long one.
//
//            ethf 10.207.1.0/30 ethn (point-to-point, cost 10)
//      node ─────────────────────────── FRR ── lo 10.255.0.2/32
//  (ospf-anycastd)                       │ethb
//  lo 10.206.206.1/32 (anycast block)    │ 10.207.3.0/30, point-to-point, cost 100 both ways
//     10.255.0.1/32                      │
//        │ethb ── 10.207.2.0/30 ──────── BIRD ── lo 10.255.0.3/32
//         broadcast, cost 10       ethn   ethf
//
// FRR reaches BIRD's loopback through the node at 10 + 10 = 20, directly at
// 100 (both advertise their loopback at 0), and BIRD FRR's likewise. With `max-metric router-lsa administrative` the node's
// point-to-point link and its transit link to the segment cost 65535, so
// FRR and BIRD go round it by their own link, while the anycast /32 and the
// node's loopback, its stub links, stay at their cost through it (10 from
// each). A reload without the statement brings the transit back; a restart
// with `on-startup N` keeps the node out of transit for N seconds.
import { describe, expect, it } from 'vitest';
import type { OspfSummaryView } from '../../src/control/views.js';
import { interopGate, type InteropLab } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { ANYCAST, CONVERGE_MS, FOLLOW_MS, P2P, P2P_TIMERS, triangleLab, trioSuite, LAB_TIMERS, birdNodeOspf, triangleFrrConf } from './labs.js';

const gate = interopGate('stub router interop tests', ['frr', 'bird']);

const { nodeId: NODE_ID, frrId: FRR_ID, birdId: BIRD_ID, nodeToFrr: NODE_TO_FRR, frrToNode: FRR_TO_NODE, nodeToBird: NODE_TO_BIRD, birdToNode: BIRD_TO_NODE, frrToBird: FRR_TO_BIRD, birdToFrr: BIRD_TO_FRR } = P2P;
const SEGMENT = '10.207.2.0/30';
/** The on-startup period of the restart test, s: long enough to be seen, short enough to wait out. */
const STARTUP_SEC = 12;
/** RFC 2328 MinLSInterval: an LSA changes at most once per 5 s, so a change may wait that long. */
const MIN_LS_INTERVAL_MS = 5000;

/** Costs of the lab (see the drawing): each way round, for the routes the tests read. */
const COST = {
  /** FRR to BIRD's loopback: through the node (10 + 10), or by the FRR–BIRD link (100). */
  frrToBird: { transit: 20, around: 100 },
  /** BIRD to FRR's loopback: the same both ways round. */
  birdToFrr: { transit: 20, around: 100 },
  /** Each neighbour to the anycast /32 and the node's loopback: its link to the node, then the host route at 0. */
  nodeStub: 10,
} as const;

function nodeConf(maxMetric: string): string {
  return `interface ethf
${P2P_TIMERS} ip ospf cost 10
!
interface ethb
${LAB_TIMERS} ip ospf cost 10
!
router ospf
 ospf router-id ${NODE_ID}
 log-adjacency-changes detail
 timers throttle spf 0 50 500
${maxMetric} network 10.207.1.0/30 area 0
 network ${SEGMENT} area 0
 network ${NODE_ID}/32 area 0
!
anycast ${ANYCAST}
 min-interval 0
 check exec interval 200 timeout 150 rise 1 fall 1 -- /bin/true
!
`;
}

const frrConf = triangleFrrConf(100, false);

const birdConf = birdNodeOspf(BIRD_ID, [
  'interface "ethn" { type broadcast; cost 10; hello 1; dead 3; retransmit 2; wait 3; };',
  'interface "ethf" { type ptp; cost 100; hello 1; dead 3; retransmit 2; };',
  `interface "lo" ${BIRD_ID}/32 { stub yes; };`,
]);

/** FRR's `show ip ospf route json` entry of one prefix. */
interface FrrOspfRoute {
  cost: number;
  nexthops: { ip: string }[];
}

/** One link of a router-LSA in FRR's `show ip ospf database router ID json`. */
interface FrrRouterLink {
  linkType: string;
  tos0Metric: number;
}

describe.skipIf(gate.skip)('stub router (RFC 6987): FRR and BIRD route round ospf-anycastd, its own prefixes stay', () => {
  const { current, detail } = trioSuite(() => triangleLab('sr'), { node: nodeConf(''), frr: frrConf, bird: birdConf });
  const live = (): InteropLab => current().lab;

  /** FRR's and BIRD's view of one prefix: kernel next hops and OSPF cost. */
  const frrRoute = (prefix: string): { gateways: string[]; cost: number | undefined } => ({
    gateways: live().gateways(current().frrNs, prefix, 'ospf'),
    cost: current().frr.json<Record<string, FrrOspfRoute>>('show ip ospf route json')[prefix]?.cost,
  });
  /** BIRD's table has a head line "PREFIX unicast [lab …] * I (PREF/COST) [ROUTER]" per route (`show route for` fails on a missing one). */
  const birdRoute = (prefix: string): { gateways: string[]; cost: number | undefined } => {
    const head = current().bird
      .birdc('show route')
      .split('\n')
      .map((line) => /^(\S+)\s+unicast\s.*\(\d+\/(\d+)\)/.exec(line))
      .find((m) => m?.[1] === prefix);
    return { gateways: live().gateways(current().birdNs, prefix, 'bird'), cost: head?.[2] === undefined ? undefined : Number(head[2]) };
  };
  /** Waits until `read` gives `want` (kernel gateways and cost); returns the ms it took. */
  const follow = async (what: string, read: () => { gateways: string[]; cost: number | undefined }, want: { gateways: string[]; cost: number }, timeoutMs = FOLLOW_MS): Promise<number> => {
    const started = performance.now();
    await waitFor(`${what}: via ${want.gateways.join(', ')} at cost ${want.cost}`, () => JSON.stringify(read()) === JSON.stringify(want), { timeoutMs, intervalMs: 100, detail });
    const ms = Math.round(performance.now() - started);
    console.info(`${what}: via ${want.gateways.join(', ')} at cost ${want.cost} after ${ms} ms`);
    return ms;
  };
  /** The metrics of the node's point-to-point and transit links in its router-LSA as FRR holds it. */
  const transitMetrics = (): number[] => {
    const db = current().frr.json<{ routerLinkStates?: { areas?: Record<string, { routerLinks?: Record<string, FrrRouterLink> }[]> } }>(`show ip ospf database router ${NODE_ID} json`);
    const links = Object.values(Object.values(db.routerLinkStates?.areas ?? {})[0]?.[0]?.routerLinks ?? {});
    return links.filter((l) => !/stub/i.test(l.linkType)).map((l) => l.tos0Metric);
  };

  const transitRoutes = async (what: string): Promise<void> => {
    await follow(`${what}, FRR to BIRD`, () => frrRoute(`${BIRD_ID}/32`), { gateways: [NODE_TO_FRR], cost: COST.frrToBird.transit });
    await follow(`${what}, BIRD to FRR`, () => birdRoute(`${FRR_ID}/32`), { gateways: [NODE_TO_BIRD], cost: COST.birdToFrr.transit });
  };
  const aroundRoutes = async (what: string, timeoutMs = FOLLOW_MS): Promise<number> => {
    const ms = await follow(`${what}, FRR to BIRD`, () => frrRoute(`${BIRD_ID}/32`), { gateways: [BIRD_TO_FRR], cost: COST.frrToBird.around }, timeoutMs);
    await follow(`${what}, BIRD to FRR`, () => birdRoute(`${FRR_ID}/32`), { gateways: [FRR_TO_BIRD], cost: COST.birdToFrr.around });
    return ms;
  };
  /** RFC 6987 section 2: the node's stub links, anycast /32 and loopback, at their cost through it from both sides. */
  const expectNodeStubsReachable = (): void => {
    for (const prefix of [ANYCAST, `${NODE_ID}/32`]) {
      expect(frrRoute(prefix), `FRR to ${prefix}`).toEqual({ gateways: [NODE_TO_FRR], cost: COST.nodeStub });
      expect(birdRoute(prefix), `BIRD to ${prefix}`).toEqual({ gateways: [NODE_TO_BIRD], cost: COST.nodeStub });
    }
  };
  const fullWithBoth = async (): Promise<void> => {
    await waitFor('the node Full with FRR and BIRD', async () => (await current().node.neighbors()).filter((n) => n.state === 'Full').length === 2, { timeoutMs: CONVERGE_MS, detail });
  };

  it('without max-metric: FRR and BIRD reach each other through the node', async () => {
    await fullWithBoth();
    await transitRoutes('no stub router');
    await follow('no stub router, FRR to the anycast /32', () => frrRoute(ANYCAST), { gateways: [NODE_TO_FRR], cost: COST.nodeStub });
    await follow('no stub router, BIRD to the anycast /32', () => birdRoute(ANYCAST), { gateways: [NODE_TO_BIRD], cost: COST.nodeStub });
    expectNodeStubsReachable();
    expect(transitMetrics()).toEqual([10, 10]);
  });

  it('max-metric router-lsa administrative by reload: both route round the node, its anycast /32 and loopback stay at their cost', async () => {
    current().node.writeConfig(nodeConf(' max-metric router-lsa administrative\n'));
    current().node.reload();
    const ms = await aroundRoutes('administrative stub router');
    expect(ms).toBeLessThan(MIN_LS_INTERVAL_MS + 3000);
    expect(transitMetrics()).toEqual([0xffff, 0xffff]);
    expectNodeStubsReachable();
    // The segment between the node and BIRD is a transit network: FRR reaches it round the node too.
    expect(frrRoute(SEGMENT)).toEqual({ gateways: [BIRD_TO_FRR], cost: 110 });
    // The node itself still routes through its neighbours, and keeps its adjacencies.
    expect(live().gateways(current().nodeNs, `${FRR_ID}/32`, 'ospf')).toEqual([FRR_TO_NODE]);
    expect(live().gateways(current().nodeNs, `${BIRD_ID}/32`, 'ospf')).toEqual([BIRD_TO_NODE]);
    expect((await current().node.neighbors()).filter((n) => n.state === 'Full')).toHaveLength(2);
    expect(current().node.output()).not.toMatch(/neighbor \S+ on eth[fb]: Full -> /);
    expect((await current().node.ospf()).stubRouter).toEqual({ administrative: true, onStartupSec: null, active: true, startupRemainingSec: null });
    expect(await current().node.cli<OspfSummaryView>('show', 'ospf')).toMatchObject({ stubRouter: { active: true } });
  });

  it('a reload without it brings the transit back', async () => {
    current().node.writeConfig(nodeConf(''));
    current().node.reload();
    const started = performance.now();
    await transitRoutes('stub router removed');
    expect(performance.now() - started).toBeLessThan(MIN_LS_INTERVAL_MS + 3000);
    expect(transitMetrics()).toEqual([10, 10]);
    expectNodeStubsReachable();
    expect((await current().node.ospf()).stubRouter).toEqual({ administrative: false, onStartupSec: null, active: false, startupRemainingSec: null });
  });

  it(`max-metric router-lsa on-startup ${STARTUP_SEC}: after a restart, no transit until the period ends`, async () => {
    await current().node.stop('SIGTERM');
    await aroundRoutes('node stopped');
    current().node.writeConfig(nodeConf(` max-metric router-lsa on-startup ${STARTUP_SEC}\n`));
    const started = performance.now();
    await current().node.start();
    await fullWithBoth();
    await follow('on-startup, FRR to the anycast /32', () => frrRoute(ANYCAST), { gateways: [NODE_TO_FRR], cost: COST.nodeStub });
    await follow('on-startup, BIRD to the anycast /32', () => birdRoute(ANYCAST), { gateways: [NODE_TO_BIRD], cost: COST.nodeStub });
    await follow('on-startup, FRR to the node', () => frrRoute(`${NODE_ID}/32`), { gateways: [NODE_TO_FRR], cost: COST.nodeStub });
    await follow('on-startup, BIRD to the node', () => birdRoute(`${NODE_ID}/32`), { gateways: [NODE_TO_BIRD], cost: COST.nodeStub });
    const state = (await current().node.ospf()).stubRouter;
    expect(state).toMatchObject({ administrative: false, onStartupSec: STARTUP_SEC, active: true });
    expect(state.startupRemainingSec).toBeGreaterThan(0);
    // Full both ways and the anycast /32 through the node, but no transit yet.
    expect(frrRoute(`${BIRD_ID}/32`)).toEqual({ gateways: [BIRD_TO_FRR], cost: COST.frrToBird.around });
    expect(birdRoute(`${FRR_ID}/32`)).toEqual({ gateways: [FRR_TO_BIRD], cost: COST.birdToFrr.around });
    expect(transitMetrics()).toEqual([0xffff, 0xffff]);
    expectNodeStubsReachable();
    await transitRoutes('on-startup period over');
    const sec = (performance.now() - started) / 1000;
    console.info(`on-startup ${STARTUP_SEC}: transit through the node again ${sec.toFixed(1)} s after its start`);
    expect(sec).toBeGreaterThanOrEqual(STARTUP_SEC);
    expect(sec).toBeLessThan(STARTUP_SEC + (MIN_LS_INTERVAL_MS + FOLLOW_MS) / 1000);
    expect((await current().node.ospf()).stubRouter).toEqual({ administrative: false, onStartupSec: STARTUP_SEC, active: false, startupRemainingSec: null });
  });
});
