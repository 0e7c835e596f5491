// The routing-table comparison's lab and readers: one router under test
// (FRR ospfd, or ospf-anycastd) in a namespace of its own, facing the
// scripted neighbour (bench/route-diff/injector.ts) in another over two
// point-to-point links and one broadcast link; its routing table and its
// kernel routes read into one shape for comparing.
//
//   dut: p1 10.254.1.1/30 ──── p1 10.254.1.2/30 :inj   (A, router 10.254.255.2)
//        p2 10.254.2.1/30 ──── p2 10.254.2.2/30
//        lan0 10.254.0.1/24 ── lan0 10.254.0.2/24      (A is DR; S1..S3 at .11-.13)
//   router id 10.254.255.1, priority 0 on lan0, cost 10 everywhere, maximum-paths 4.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonLineChild, type DriverMessage } from '../helpers/netns.js';
import { InteropLab, type AnycastDaemon, type BirdRouter, type FrrRouter, type KernelRoute } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const INJECTOR = join(repoRoot, 'dist/bench/route-diff/injector.js');

export const DUT_ID = '10.254.255.1';
export const MAXIMUM_PATHS = 4;
/** ospfd answers vtysh between tasks only: after an SPF run of up to seconds at 10,000 routers. */
const VTYSH_TIMEOUT_MS = 120_000;
export type DutKind = 'frr' | 'ours' | 'bird';

/**
 * Hello 1 s everywhere. Timers for areas of up to a few hundred routers, and for one of 10,000
 * (`big`): there an SPF takes most of a second in ospfd, and running one
 * after every LS Update of a 20,000-LSA flood starves the adjacencies; and
 * retransmissions every 2 s of thousands of unacknowledged LSAs do the same.
 */
export interface LabTimers {
  /** Dead interval, s: room for SPF runs on a loaded machine. */
  dead: number;
  /** ospfd and ospf-anycastd: `timers throttle spf …`. */
  spfThrottle: string;
  /** The injector's RxmtInterval, ms. */
  retransmitMs: number;
}

export function labTimers(big: boolean): LabTimers {
  return big ? { dead: 120, spfThrottle: '0 50 1000', retransmitMs: 10_000 } : { dead: 8, spfThrottle: '0 0 0', retransmitMs: 2000 };
}

function interfaceConf(dead: number): string {
  const timers = ` ip ospf hello-interval 1\n ip ospf dead-interval ${dead}\n ip ospf cost 10\n`;
  return (
    `interface p1\n ip ospf network point-to-point\n${timers}!\n` +
    `interface p2\n ip ospf network point-to-point\n${timers}!\n` +
    `interface lan0\n ip ospf priority 0\n${timers}!\n`
  );
}

/**
 * BIRD's equivalent of dutConf, with its routes in the kernel. BIRD has no
 * MinLSArrival setting: new instances of an LSA within a second of the
 * last are dropped and come again with A's retransmission. `merge external`
 * is off by default: BIRD then keeps the paths of one AS-external-LSA where
 * RFC 2328 16.4 (6) adds those of equal preference to the route.
 */
export function birdConf(dead: number, maximumPaths: number): string {
  const timers = `cost 10; hello 1; dead ${dead}; retransmit 2;`;
  return `router id ${DUT_ID};
protocol device { scan time 1; }
protocol kernel {
  ipv4 { export where source ~ [RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2]; };
  merge paths yes limit ${maximumPaths};
}
protocol ospf v2 dut {
  ecmp yes limit ${maximumPaths};
  # RFC 2328 16.4 (6): equal-cost external paths from different ASBRs share the route; BIRD keeps one unless told.
  merge external yes;
  ipv4 { import all; export none; };
  area 0 {
    interface "p1", "p2" { type ptp; ${timers} };
    interface "lan0" { type broadcast; priority 0; ${timers} };
  };
}
`;
}

/**
 * The same configuration for FRR and ospf-anycastd: SPF at once on every
 * change, no MinLSArrival (RFC 2328 13 (5a)) or MinLSInterval in the way.
 */
export function dutConf(timers: LabTimers, maximumPaths = MAXIMUM_PATHS): string {
  return `${interfaceConf(timers.dead)}router ospf
 ospf router-id ${DUT_ID}
 timers throttle spf ${timers.spfThrottle}
 timers lsa min-arrival 0
 timers throttle lsa all 0
 maximum-paths ${maximumPaths}
 network 10.254.0.0/16 area 0
!
`;
}

/** One route in the shape compared: path type, costs, next hops as sorted "address%ifName" ("" for directly attached). */
export interface Row {
  prefix: string;
  type: 'intra' | 'inter' | 'E1' | 'E2';
  cost: number;
  type2?: number;
  hops: string[];
  /** FRR only: its paths, counted before duplicates are merged. */
  paths?: number;
}

/** A kernel route: its next hops as sorted "gateway%dev". */
export interface KernelRow {
  prefix: string;
  hops: string[];
}

export interface DutLab {
  kind: DutKind;
  lab: InteropLab;
  dutNs: string;
  injector: JsonLineChild;
  frr?: FrrRouter;
  ours?: AnycastDaemon;
  bird?: BirdRouter;
}

/** Builds and starts one DUT with its injector; resolves once A is Full with the DUT on all three links and with F and S1..S3. */
export async function startDut(kind: DutKind, timers: LabTimers, timeoutMs: number, maximumPaths = MAXIMUM_PATHS): Promise<DutLab> {
  const lab = new InteropLab(`rd${kind[0]}`);
  try {
    const dutNs = lab.namespace('d');
    const injNs = lab.namespace('i');
    lab.link({ ns: dutNs, ifName: 'p1', cidr: '10.254.1.1/30' }, { ns: injNs, ifName: 'p1', cidr: '10.254.1.2/30' });
    lab.link({ ns: dutNs, ifName: 'p2', cidr: '10.254.2.1/30' }, { ns: injNs, ifName: 'p2', cidr: '10.254.2.2/30' });
    lab.link({ ns: dutNs, ifName: 'lan0', cidr: '10.254.0.1/24' }, { ns: injNs, ifName: 'lan0', cidr: '10.254.0.2/24' });
    const out: DutLab = { kind, lab, dutNs, injector: new JsonLineChild(lab.net.spawn(injNs, process.execPath, [INJECTOR, '1000', String(timers.dead * 1000), String(timers.retransmitMs)])) };
    if (kind === 'frr') {
      out.frr = lab.frr(dutNs, 'dut', dutConf(timers, maximumPaths));
      await out.frr.start();
    } else if (kind === 'bird') {
      out.bird = lab.bird(dutNs, 'dut', birdConf(timers.dead, maximumPaths));
      await out.bird.start();
    } else {
      out.ours = lab.anycastd(dutNs, 'dut', dutConf(timers, maximumPaths));
      await out.ours.start();
    }
    await waitFor(
      `${kind}: the injector Full on p1, p2, lan0 and with F, S1..S3`,
      async () => {
        const status = await out.injector.request('status', {}, 10_000);
        const neighbors = status.neighbors as { ifName: string; state: string }[];
        return neighbors.length === 7 && neighbors.every((n) => n.state === 'Full');
      },
      { timeoutMs, intervalMs: 500, detail: async () => `${JSON.stringify(await out.injector.request('status', {}, 10_000))}\n${await lab.report()}` },
    );
    await out.injector.request('seal', {}, 10_000);
    // A's router-LSA and network-LSA for lan0, with every adjacency in them, on the DUT.
    await waitFor(
      `${kind}: A's own LSAs on the DUT`,
      async () => {
        const own = (await out.injector.request('status', {}, 10_000)).own as string[] | undefined;
        return own !== undefined && (await lsdbMatches(out, { counts: {}, expected: own, gone: [] }));
      },
      { timeoutMs, intervalMs: 200, detail: () => lab.report() },
    );
    return out;
  } catch (error) {
    await lab.teardown();
    throw error;
  }
}

/** What the injector answers to 'area' and 'change'. */
export interface Sync {
  what?: string;
  counts: Record<string, number>;
  /** "type/lsId/advRouter/seq" (numbers as unsigned integers, seq in hex) the DUT must hold. */
  expected: string[];
  /** Keys flushed at MaxAge: the DUT must not hold them below MaxAge. */
  gone: string[];
}

export async function send(dut: DutLab, cmd: 'area' | 'change', args: Record<string, unknown>, timeoutMs: number): Promise<Sync> {
  const reply: DriverMessage = await dut.injector.request(cmd, args, timeoutMs);
  return reply as unknown as Sync;
}

const u32 = (dotted: string): number => dotted.split('.').reduce((v, o) => v * 256 + Number(o), 0);

/** The DUT's LSDB as "type/lsId/advRouter/seq" for LSAs below MaxAge. */
async function liveLsas(dut: DutLab): Promise<Set<string>> {
  const rows: { type: number; lsId: string; advRouter: string; seq: string; age: number }[] =
    dut.frr !== undefined ? dut.frr.lsdb(VTYSH_TIMEOUT_MS) : dut.bird !== undefined ? dut.bird.lsdb() : (await (dut.ours as AnycastDaemon).database()).lsas;
  const out = new Set<string>();
  for (const r of rows) {
    if (r.age >= 3600) continue;
    const seq = r.seq.replace(/^0x/i, '').toLowerCase().padStart(8, '0');
    out.add(`${r.type}/${u32(r.lsId)}/${u32(r.advRouter)}/${seq}`);
  }
  return out;
}

/** True once the DUT holds every expected LSA instance and none of the flushed ones below MaxAge. */
export async function lsdbMatches(dut: DutLab, sync: Sync): Promise<boolean> {
  const live = await liveLsas(dut);
  if (!sync.expected.every((k) => live.has(k))) return false;
  const keys = new Set([...live].map((k) => k.slice(0, k.lastIndexOf('/'))));
  return sync.gone.every((k) => !keys.has(k.slice(0, k.lastIndexOf('/'))));
}

const sortRows = <T extends { prefix: string }>(rows: T[]): T[] => rows.sort((x, y) => (x.prefix < y.prefix ? -1 : x.prefix > y.prefix ? 1 : 0));

/** FRR's `show ip ospf route json`: network routes only (router routes are keyed by router id without a length). */
export function frrRoutes(frr: FrrRouter): Row[] {
  type Hop = { ip: string; directlyAttachedTo?: string; via?: string };
  type FrrRoute = { routeType: string; cost: number; type2cost?: number; nexthops?: Hop[] };
  const table = frr.json<Record<string, FrrRoute>>('show ip ospf route json', VTYSH_TIMEOUT_MS);
  const rows: Row[] = [];
  for (const [prefix, r] of Object.entries(table)) {
    if (!prefix.includes('/')) continue;
    const type = r.routeType.trim();
    const kind = type === 'N' ? 'intra' : type === 'N IA' ? 'inter' : type === 'N E1' ? 'E1' : type === 'N E2' ? 'E2' : undefined;
    if (kind === undefined) throw new Error(`FRR route ${prefix}: unknown type ${r.routeType}`);
    // ospfd lists a next hop once per path to it (two ABRs behind one neighbour): a set is what is compared.
    const hops = [...new Set((r.nexthops ?? []).map((h) => (h.directlyAttachedTo !== undefined ? `%${h.directlyAttachedTo}` : `${h.ip.trim()}%${h.via}`)))].sort();
    const row: Row = { prefix, type: kind, cost: r.cost, hops, paths: r.nexthops?.length ?? 0 };
    if (kind === 'E2') row.type2 = r.type2cost;
    rows.push(row);
  }
  return sortRows(rows);
}

export async function ourRoutes(daemon: AnycastDaemon): Promise<Row[]> {
  const types: Record<string, Row['type']> = { 'intra-area': 'intra', 'inter-area': 'inter', 'external-1': 'E1', 'external-2': 'E2' };
  return sortRows(
    (await daemon.routes()).map((r) => {
      const row: Row = { prefix: r.prefix, type: types[r.pathType] as Row['type'], cost: r.cost, hops: r.nextHops.map((h) => `${h.address === '0.0.0.0' ? '' : h.address}%${h.ifName}`).sort() };
      if (r.type2Cost !== undefined) row.type2 = r.type2Cost;
      return row;
    }),
  );
}

/** Every route of the DUT's routing protocol in its main table: 188 (`ospf`), or BIRD's 12. */
export function kernelRoutes(dut: DutLab): KernelRow[] {
  const routes: KernelRoute[] = dut.lab.routesBy(dut.dutNs, dut.kind === 'bird' ? 'bird' : 'ospf');
  return sortRows(
    routes.map((r) => ({
      prefix: r.dst.includes('/') ? r.dst : `${r.dst}/32`,
      hops: (r.nexthops ?? [{ gateway: r.gateway ?? '', dev: r.dev ?? '' }]).map((h) => `${h.gateway}%${h.dev}`).sort(),
    })),
  );
}

export async function routesOf(dut: DutLab): Promise<Row[]> {
  if (dut.frr !== undefined) return frrRoutes(dut.frr);
  if (dut.bird !== undefined) return birdRoutes(dut.bird);
  return ourRoutes(dut.ours as AnycastDaemon);
}

/**
 * BIRD's OSPF routes from `show route all protocol dut`: a head line
 * "PREFIX unicast [dut …] * TYPE (PREF/COST[/TYPE2]) [ROUTER]", then next
 * hops ("via ADDRESS on IF [weight 1]", or "dev IF" for a directly attached network).
 */
export function birdRoutes(bird: BirdRouter): Row[] {
  const types: Record<string, Row['type']> = { I: 'intra', IA: 'inter', E1: 'E1', E2: 'E2' };
  const rows: Row[] = [];
  let row: Row | undefined;
  for (const line of bird.birdc('show route all protocol dut').split('\n')) {
    const head = /^(\d+\.\d+\.\d+\.\d+\/\d+)\s+unicast\s+\[[^\]]*\]\s+\*?\s*(I|IA|E1|E2)\s+\(\d+\/(\d+)(?:\/(\d+))?\)/.exec(line);
    if (head !== null) {
      row = { prefix: head[1] as string, type: types[head[2] as string] as Row['type'], cost: Number(head[3]), hops: [] };
      if (head[4] !== undefined) row.type2 = Number(head[4]);
      rows.push(row);
      continue;
    }
    if (/^\S/.test(line)) row = undefined;
    const via = /^\s+via\s+(\S+)\s+on\s+(\S+)/.exec(line);
    const dev = /^\s+dev\s+(\S+)/.exec(line);
    if (row !== undefined && via !== null) row.hops.push(`${via[1]}%${via[2]}`);
    else if (row !== undefined && dev !== null) row.hops.push(`%${dev[1]}`);
  }
  for (const r of rows) r.hops.sort();
  return sortRows(rows);
}

/**
 * FRR has finished with the last change: no SPF pending, and the last one
 * long enough ago for the AS-external calculation, which ospfd runs on a
 * timer one second after an SPF (ospf_ase_calculate_timer), to have run.
 */
export function frrSettled(dut: DutLab): boolean {
  const state = (dut.frr as FrrRouter).json<{ spfTimerDueInMsecs?: number; spfLastExecutedMsecs?: number; spfLastDurationMsecs?: number }>('show ip ospf json', VTYSH_TIMEOUT_MS);
  if (state.spfTimerDueInMsecs !== undefined) return false;
  return (state.spfLastExecutedMsecs ?? Infinity) >= 1150 + (state.spfLastDurationMsecs ?? 0);
}

/**
 * FRR's `maximum-paths` caps the paths it hands to zebra, not those of its
 * OSPF routing table (ospf_zebra_add), and counts a next hop once per path
 * to it; ours caps the distinct next hops of the table. So: a route with at
 * most MAXIMUM_PATHS distinct next hops has exactly those in our table and
 * both kernels (FRR's kernel too, unless duplicates pushed its path count
 * over the cap); a route with more has MAXIMUM_PATHS of them in our table
 * and kernel, and some of them in FRR's kernel. Which ones is each
 * implementation's choice: RFC 2328 16.1.1 keeps every equal-cost next hop
 * and knows no limit.
 */
function sameHops(frrHops: readonly string[], other: readonly string[], cap: number): boolean {
  if (frrHops.length <= cap) return JSON.stringify(frrHops) === JSON.stringify(other);
  return other.length === cap && other.every((h) => frrHops.includes(h));
}

/** FRR's kernel route against its table entry: all next hops, or when its paths exceed the cap, some. */
function frrKernelHops(entry: Row, kernel: readonly string[], cap: number): boolean {
  if ((entry.paths ?? entry.hops.length) <= cap) return JSON.stringify(entry.hops) === JSON.stringify(kernel);
  return kernel.length > 0 && kernel.length <= cap && kernel.every((h) => entry.hops.includes(h));
}

/** Differences between the peer's routing table (FRR's, BIRD's) and ours, one line each; `cap` is maximum-paths. */
export function compareTables(frr: Row[], ours: Row[], cap = MAXIMUM_PATHS): string[] {
  const diffs: string[] = [];
  const mine = new Map(ours.map((r) => [r.prefix, r]));
  for (const f of frr) {
    const o = mine.get(f.prefix);
    mine.delete(f.prefix);
    if (o === undefined || f.type !== o.type || f.cost !== o.cost || f.type2 !== o.type2 || !sameHops(f.hops, o.hops, cap)) {
      diffs.push(`route ${f.prefix}: peer ${JSON.stringify(f)}, ours ${JSON.stringify(o ?? null)}`);
    }
  }
  for (const o of mine.values()) diffs.push(`route ${o.prefix}: peer none, ours ${JSON.stringify(o)}`);
  return diffs;
}

/** Differences between the kernel routes on each side and the peer's routing table, one line each. */
export function compareKernels(frrTable: Row[], frrKernel: KernelRow[], ourKernel: KernelRow[], cap = MAXIMUM_PATHS): string[] {
  const diffs: string[] = [];
  // Directly attached networks are the kernel's own routes, not OSPF's.
  const table = new Map(frrTable.filter((r) => !r.hops.some((h) => h.startsWith('%'))).map((r) => [r.prefix, r]));
  for (const [side, kernel] of [['peer', frrKernel], ['ours', ourKernel]] as const) {
    const seen = new Set<string>();
    for (const k of kernel) {
      // BIRD exports its routes to directly attached networks too, beside the kernel's own.
      if (k.hops.every((h) => h.startsWith('%'))) continue;
      seen.add(k.prefix);
      const entry = table.get(k.prefix);
      const ok = entry !== undefined && (side === 'peer' ? frrKernelHops(entry, k.hops, cap) : sameHops(entry.hops, k.hops, cap));
      if (!ok) diffs.push(`kernel (${side}) ${k.prefix}: ${JSON.stringify(k.hops)}, peer's table ${JSON.stringify(entry?.hops ?? null)}`);
    }
    for (const prefix of table.keys()) if (!seen.has(prefix)) diffs.push(`kernel (${side}) ${prefix}: none, peer's table ${JSON.stringify(table.get(prefix)?.hops)}`);
  }
  return diffs;
}
