// The labs the interop tests share: the seed's SIP cluster (a router in
// front of N nodes on one broadcast segment, every node carrying the anycast
// /32 on lo) with FRR or BIRD as the router, and the configuration text of
// each kind of router.
//
//   client0 10.204.204.1/24            lo 10.206.206.1/32 + 10.255.0.1N/32
//        │                                │
//      router ──── lan0 ── br0 (its own namespace) ── lan0 ── node N (ospf-anycastd)
//   10.205.205.254, priority 200 (DR)     10.205.205.1N, priority 100 (n1, BDR), 0 (the others)

import { afterAll, beforeAll, beforeEach, onTestFailed } from 'vitest';
import { InteropLab, type AnycastDaemon, type BirdRouter, type FrrRouter, type NeighborView } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';

export const ANYCAST = '10.206.206.1/32';
export const CLIENT_NET = '10.204.204.0/24';
export const LAN = '10.205.205.0/24';
export const ROUTER_ADDRESS = '10.205.205.254';
export const ROUTER_ID = '10.255.0.254';
/** Hello 1 s, Dead 3 s, retransmissions every 2 s everywhere. */
export const DEAD_INTERVAL_MS = 3000;
/** Long enough for a loaded two-core machine to bring up a lab; waits return as soon as they are met. */
export const CONVERGE_MS = 45_000;

/** Kernel route protocol of each kind of router (`ip route` names 188 `ospf`). */
export const ROUTE_PROTOCOL = { frr: 'ospf', bird: 'bird', anycastd: 'ospf' } as const;

export function nodeAddress(i: number): string {
  return `10.205.205.${10 + i}`;
}

export function nodeRouterId(i: number): string {
  return `10.255.0.${10 + i}`;
}

/** The interface lines of the labs' timers (FRR and ospf-anycastd syntax): Hello 1 s, Dead 3 s, retransmissions every 2 s. */
export const LAB_TIMERS = ` ip ospf hello-interval 1
 ip ospf dead-interval 3
 ip ospf retransmit-interval 2
`;

/** FRR ospfd on the seed segment: the labs' timers and `priority` on `ifName`, the labs' throttles, then `statements` (one a line). */
function frrSegmentConf(ifName: string, routerId: string, priority: number, statements: string[]): string {
  return `interface ${ifName}
${LAB_TIMERS} ip ospf priority ${priority}
!
router ospf
 ospf router-id ${routerId}
 timers throttle spf 0 50 500
 timers throttle lsa all 0
${statements.map((line) => ` ${line}\n`).join('')}!
`;
}

/** FRR ospfd in front of the nodes: DR on the segment, redistributing its client subnet. */
export function frrRouterConf(ifName: string, priority: number): string {
  return frrSegmentConf(ifName, ROUTER_ID, priority, ['redistribute connected', `network ${LAN} area 0`]);
}

/** The opening of every BIRD configuration in the labs: router id, interfaces rescanned each second, OSPF routes into the kernel. */
export function birdBaseConf(routerId: string): string {
  return `router id ${routerId};
protocol device { scan time 1; }
protocol kernel {
  ipv4 { export where source ~ [RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2]; };
}
`;
}

/** BIRD in front of the nodes: the same as frrRouterConf. */
export function birdRouterConf(ifName: string, priority: number): string {
  return `${birdBaseConf(ROUTER_ID)}protocol direct { ipv4; interface "client0"; }
protocol ospf v2 lab {
  ecmp yes limit 16;
  ipv4 { import all; export where source = RTS_DEVICE; };
  area 0 {
    interface "${ifName}" { type broadcast; priority ${priority}; hello 1; dead 3; retransmit 2; wait 3; };
  };
}
`;
}

/**
 * BIRD as a node of the labs: birdBaseConf, then OSPF in area 0 with the
 * `interfaces` statements given (one a line), importing every route and
 * exporting none.
 */
export function birdNodeOspf(routerId: string, interfaces: string[]): string {
  return `${birdBaseConf(routerId)}protocol ospf v2 lab {
  ipv4 { import all; export none; };
  area 0 {
${interfaces.map((line) => `    ${line}\n`).join('')}  };
}
`;
}

/** BIRD on a SIP node: the segment, and the anycast /32 on lo as a stub (nothing else of lo). */
export function birdNodeConf(ifName: string, routerId: string, priority: number): string {
  return birdNodeOspf(routerId, [`interface "${ifName}" { type broadcast; priority ${priority}; hello 1; dead 3; retransmit 2; wait 3; };`, `interface "lo" ${ANYCAST} { stub yes; };`]);
}

/** FRR ospfd on a SIP node: the same as birdNodeConf. */
export function frrNodeConf(ifName: string, routerId: string, priority: number): string {
  return frrSegmentConf(ifName, routerId, priority, [`network ${LAN} area 0`, `network ${ANYCAST} area 0`]);
}

/** ospf-anycastd on SIP node `i`: the segment and the anycast /32 on lo, in area 0. */
export function nodeConf(i: number, priority: number): string {
  return `interface lan0
${LAB_TIMERS} ip ospf priority ${priority}
!
router ospf
 ospf router-id ${nodeRouterId(i)}
 log-adjacency-changes detail
 timers throttle spf 0 50 500
 network ${LAN} area 0
 network ${ANYCAST} area 0
!
`;
}

/** The router in front, whichever implementation it is. */
export interface FrontRouter {
  kind: 'frr' | 'bird';
  peer: FrrRouter | BirdRouter;
  neighbors(): NeighborView[];
  /** The router's own state on its segment interface: "DR", "Backup", … */
  interfaceState(): string;
}

export interface SeedLab {
  lab: InteropLab;
  router: FrontRouter;
  routerNs: string;
  /** The bridge's namespace: port p0 is the router's, pN node N's. */
  switchNs: string;
  nodes: { i: number; ns: string; daemon: AnycastDaemon }[];
}

/** Node priorities: n1 100, the only node that may be BDR; the others 0, never DR or BDR. */
export function nodePriority(i: number): number {
  return i === 1 ? 100 : 0;
}

/** Rewrites of the configuration texts, for labs that need other timers or anycast blocks. */
export interface SeedTuning {
  routerConf?: (conf: string) => string;
  /** Node `i`'s ospf-anycastd configuration. */
  nodeConf?: (conf: string, i: number) => string;
  /**
   * The interface that carries node `i`'s anycast /32: lo (the default),
   * lan0 (beside the node's own address there), or a dummy interface of that name.
   */
  anycastInterface?: (i: number) => string;
}

/** Builds the seed lab (nothing started). */
export function seedLab(label: string, kind: 'frr' | 'bird', nodeCount: number, tuning: SeedTuning = {}): SeedLab {
  const tuneRouter = tuning.routerConf ?? ((conf: string): string => conf);
  const tuneNode = tuning.nodeConf ?? ((conf: string): string => conf);
  const lab = new InteropLab(label);
  const routerNs = lab.namespace('r');
  const nodeNs = Array.from({ length: nodeCount }, (_, k) => lab.namespace(`n${k + 1}`));
  const switchNs = lab.segment('sw', [
    { ns: routerNs, ifName: 'lan0', cidr: `${ROUTER_ADDRESS}/24` },
    ...nodeNs.map((ns, k) => ({ ns, ifName: 'lan0', cidr: `${nodeAddress(k + 1)}/24` })),
  ]);
  lab.stubNetwork(routerNs, 'client0', '10.204.204.1/24');
  lab.loopback(routerNs, `${ROUTER_ID}/32`);
  let router: FrontRouter;
  if (kind === 'frr') {
    const frr = lab.frr(routerNs, 'r', tuneRouter(frrRouterConf('lan0', 200)));
    router = { kind, peer: frr, neighbors: () => frr.neighbors(), interfaceState: () => frr.interfaces().lan0?.state ?? 'absent' };
  } else {
    const bird = lab.bird(routerNs, 'r', tuneRouter(birdRouterConf('lan0', 200)));
    router = { kind, peer: bird, neighbors: () => bird.neighbors(), interfaceState: () => bird.interfaceState('lan0') };
  }
  const nodes = nodeNs.map((ns, k) => {
    const i = k + 1;
    const anycastOn = tuning.anycastInterface?.(i) ?? 'lo';
    if (anycastOn === 'lo') lab.loopback(ns, ANYCAST);
    else if (anycastOn === 'lan0') lab.net.address(ns, 'lan0', ANYCAST);
    else lab.dummy(ns, anycastOn, ANYCAST);
    lab.loopback(ns, `${nodeRouterId(i)}/32`);
    return { i, ns, daemon: lab.anycastd(ns, `n${i}`, tuneNode(nodeConf(i, nodePriority(i)), i)) };
  });
  return { lab, router, routerNs, switchNs, nodes };
}

/**
 * Starts the seed lab: the router first, so that it is heard before any
 * node's wait timer ends and ends up DR however slowly the nodes start (only
 * it and n1 are eligible, so n1 is BDR either way), then every node; until
 * the router has every node Full.
 */
export async function startSeedLab(seed: SeedLab): Promise<void> {
  const { lab, router, nodes } = seed;
  const detail = (): Promise<string> => lab.report();
  await router.peer.start();
  await Promise.all(nodes.map((n) => n.daemon.start()));
  await waitFor('every node Full with the router', () => router.neighbors().filter((n) => n.state === 'Full').length === nodes.length, {
    timeoutMs: CONVERGE_MS,
    detail,
  });
}

/**
 * The point-to-point labs: ospf-anycastd (namespace n), FRR (f) and BIRD
 * (b), each pair on its own /30 (the node's interfaces named after the peer
 * they face, the peers' `ethn`), with fixed router ids.
 */
export const P2P = {
  nodeId: '10.255.0.1',
  frrId: '10.255.0.2',
  birdId: '10.255.0.3',
  nodeToFrr: '10.207.1.1',
  frrToNode: '10.207.1.2',
  nodeToBird: '10.207.2.1',
  birdToNode: '10.207.2.2',
  /** The FRR–BIRD link of triangleLab. */
  frrToBird: '10.207.3.1',
  birdToFrr: '10.207.3.2',
} as const;

/** The interface lines of a point-to-point link with the labs' timers (FRR and ospf-anycastd syntax). */
export const P2P_TIMERS = ` ip ospf network point-to-point
${LAB_TIMERS}`;

/** How long a route change may take to reach a kernel: detection, SPF hold, flooding, on a loaded machine. */
export const FOLLOW_MS = 15_000;

export interface TrioLab {
  lab: InteropLab;
  nodeNs: string;
  frrNs: string;
  birdNs: string;
}

/**
 * The namespaces of a point-to-point lab, the node's links to FRR (its
 * interface `nodeToFrr`) and to BIRD (`ethb`), the anycast /32 on the
 * node's lo and FRR's client subnet; the caller adds what else its lab needs.
 */
export function trioLab(label: string, nodeToFrr: string): TrioLab {
  const lab = new InteropLab(label);
  const nodeNs = lab.namespace('n');
  const frrNs = lab.namespace('f');
  const birdNs = lab.namespace('b');
  lab.link({ ns: nodeNs, ifName: nodeToFrr, cidr: `${P2P.nodeToFrr}/30` }, { ns: frrNs, ifName: 'ethn', cidr: `${P2P.frrToNode}/30` });
  lab.link({ ns: nodeNs, ifName: 'ethb', cidr: `${P2P.nodeToBird}/30` }, { ns: birdNs, ifName: 'ethn', cidr: `${P2P.birdToNode}/30` });
  lab.loopback(nodeNs, ANYCAST);
  lab.stubNetwork(frrNs, 'client0', '10.204.204.1/24');
  return { lab, nodeNs, frrNs, birdNs };
}

/**
 * The point-to-point lab closed into a triangle, every route with a second
 * way round: the node's interface to FRR is `ethf`, FRR's `ethb` and BIRD's
 * `ethf` share 10.207.3.0/30, and each router has its router id on lo.
 */
export function triangleLab(label: string): TrioLab {
  const trio = trioLab(label, 'ethf');
  const { lab, nodeNs, frrNs, birdNs } = trio;
  lab.link({ ns: frrNs, ifName: 'ethb', cidr: `${P2P.frrToBird}/30` }, { ns: birdNs, ifName: 'ethf', cidr: `${P2P.birdToFrr}/30` });
  lab.loopback(nodeNs, `${P2P.nodeId}/32`);
  lab.loopback(frrNs, `${P2P.frrId}/32`);
  lab.loopback(birdNs, `${P2P.birdId}/32`);
  return trio;
}

/**
 * FRR in triangleLab: point-to-point to the node (ethn, cost 10) and to
 * BIRD (ethb, cost `costToBird`), its loopback, and its client subnet
 * redistributed when `redistribute`.
 */
export function triangleFrrConf(costToBird: number, redistribute: boolean): string {
  return `interface ethn
${P2P_TIMERS} ip ospf cost 10
!
interface ethb
${P2P_TIMERS} ip ospf cost ${costToBird}
!
router ospf
 ospf router-id ${P2P.frrId}
 timers throttle spf 0 50 500
 timers throttle lsa all 0
${redistribute ? ' redistribute connected\n' : ''} network 10.207.1.0/30 area 0
 network 10.207.3.0/30 area 0
 network ${P2P.frrId}/32 area 0
!
`;
}

/** The three daemons of a trio lab. */
export interface TrioDaemons {
  node: AnycastDaemon;
  frr: FrrRouter;
  bird: BirdRouter;
}

/** Starts ospf-anycastd (label n), FRR (f) and BIRD (b) in a trio lab's namespaces, each with its configuration. */
export async function startTrio(trio: TrioLab, conf: { node: string; frr: string; bird: string }): Promise<TrioDaemons> {
  const daemons = {
    node: trio.lab.anycastd(trio.nodeNs, 'n', conf.node),
    frr: trio.lab.frr(trio.frrNs, 'f', conf.frr),
    bird: trio.lab.bird(trio.birdNs, 'b', conf.bird),
  };
  await Promise.all([daemons.node.start(), daemons.frr.start(), daemons.bird.start()]);
  return daemons;
}

/** Prints the lab's state (neighbors, routes, daemon output) when a test fails. */
export function reportOnFailure(lab: () => InteropLab | undefined): void {
  onTestFailed(async () => {
    const current = lab();
    if (current !== undefined) console.error(await current.report());
  });
}

/** A suite's lab once built: the value `build` returned, and its report for failure messages. */
export interface LabSuite<T> {
  /** What `build` returned; throws before it has run. */
  current(): T;
  /** The lab's state (neighbors, routes, daemon output), for waitFor's detail. */
  detail(): Promise<string>;
}

/**
 * The preamble of a suite that runs in a lab: before the suite, `build`
 * lays out the lab (namespaces, links, daemons not started) and `start`
 * starts it; after the suite the lab is torn down, even when `start` failed
 * (the exit hook of peers.ts covers a crash); the lab's report is printed
 * whenever a test fails. Call it inside the suite's describe, gated by
 * interopGate or namespaceGate.
 */
export function labSuite<T extends { lab: InteropLab }>(build: () => T, start: (built: T) => Promise<void>, timeoutMs = 120_000): LabSuite<T> {
  let built: T | undefined;
  const current = (): T => {
    if (built === undefined) throw new Error('the lab was not built');
    return built;
  };
  beforeAll(async () => {
    built = build();
    await start(built);
  }, timeoutMs);
  afterAll(async () => {
    await built?.lab.teardown();
  });
  beforeEach(() => reportOnFailure(() => built?.lab));
  return { current, detail: () => current().lab.report() };
}

/** A trio lab with its daemons started. */
export type Trio = TrioLab & TrioDaemons;

/**
 * labSuite for a point-to-point lab: `build` lays it out (trioLab,
 * triangleLab, and whatever the suite adds), then startTrio with `conf`.
 */
export function trioSuite(build: () => TrioLab, conf: { node: string; frr: string; bird: string }): LabSuite<Trio> {
  let trio: Trio | undefined;
  const suite = labSuite(build, async (lab) => {
    trio = { ...lab, ...(await startTrio(lab, conf)) };
  });
  return {
    current: () => {
      suite.current();
      if (trio === undefined) throw new Error('the lab was not started');
      return trio;
    },
    detail: suite.detail,
  };
}

/** What a seed suite does around seedLab and startSeedLab. */
export interface SeedSuiteOptions {
  tuning?: SeedTuning;
  /** Before the start: files the nodes' configurations name, say. */
  prepare?: (seed: SeedLab) => void;
  /** After startSeedLab, before the tests: waits for what every test of the suite assumes. */
  ready?: (seed: SeedLab) => Promise<unknown>;
}

/**
 * labSuite for the seed lab: seedLab(label, kind, nodeCount, tuning), then
 * `prepare`, startSeedLab (the router has every node Full) and `ready`.
 */
export function seedSuite(label: string, kind: 'frr' | 'bird', nodeCount: number, options: SeedSuiteOptions = {}): LabSuite<SeedLab> {
  return labSuite(
    () => seedLab(label, kind, nodeCount, options.tuning),
    async (seed) => {
      options.prepare?.(seed);
      await startSeedLab(seed);
      await options.ready?.(seed);
    },
  );
}
