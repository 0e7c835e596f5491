// Routing tables proven equal to FRR's: random link-state databases flooded
// into FRR ospfd and into ospf-anycastd by the same scripted neighbour, the
// complete routing tables and the kernel routes of both compared after
// every area and after every change. See test/interop/README.md (Routing
// table comparison) for the lab, the run sizes and the FRR deviations.
//
// Fresh seeds every run (SEED=N replays one); ROUTE_DIFF=long runs the
// long comparison (thousands of areas and one of 10,000 routers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng } from '../../src/lib/prng.js';
import { interopGate } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import {
  compareKernels,
  compareTables,
  frrSettled,
  labTimers,
  kernelRoutes,
  lsdbMatches,
  routesOf,
  send,
  startDut,
  MAXIMUM_PATHS,
  type DutKind,
  type DutLab,
  type Sync,
} from './route-diff.js';

const gate = interopGate('routing-table comparison with FRR and BIRD', ['frr', 'bird']);
const long = process.env.ROUTE_DIFF === 'long';
const runSeed = process.env.SEED !== undefined ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
/** ROUTE_DIFF_ONLY=SEED:ROUTERS,… compares just those areas (with their change sequences), each in a lab of its own. */
const only = process.env.ROUTE_DIFF_ONLY?.split(',').map((s) => s.split(':').map(Number) as [number, number]);
/** Random areas compared, of 5 to 200 routers; then change sequences on some of them. */
const AREAS = only?.length ?? Number(process.env.ROUTE_DIFF_AREAS ?? (long ? 2000 : 200));
const SEQUENCES = Number(process.env.ROUTE_DIFF_SEQUENCES ?? (long ? 100 : 20));
const CHANGES = 5;
/** Areas (the first of the run's, with their change sequences) also compared with BIRD, whose SPF tick of a second makes each slower. */
const BIRD_AREAS = Number(process.env.ROUTE_DIFF_BIRD_AREAS ?? (long ? 200 : 10));
/** Of those, how many keep their change sequence. */
const BIRD_SEQUENCES = long ? 20 : 3;
/** How long BIRD's table may take to follow: its SPF tick, MinLSArrival and a retransmission (2 s). */
const BIRD_SETTLE_MS = 8000;
/** The one large area of a long run; ROUTE_DIFF_BIG=0 leaves it out. */
const BIG = Number(process.env.ROUTE_DIFF_BIG ?? (long ? 10_000 : 0));
/** Lab pairs working side by side: most of an area's time is spent waiting for FRR's timers. */
const PAIRS = only?.length ?? Number(process.env.ROUTE_DIFF_PAIRS ?? 5);
/** Areas once found to differ, kept as regressions: [seed, routers]. */
const REGRESSIONS: [number, number][] = [
  // The areas of the first mismatches (test/interop/README.md): FRR's kernel past maximum-paths, network-LSAs at MaxAge.
  [2092606515, 155],
  [548622246, 115],
  [1001226954, 52],
  [1119795187, 84],
];

interface Job {
  label: string;
  seed: number;
  routers: number;
  changes: number;
}


function jobs(): Job[] {
  if (only !== undefined) return only.map(([seed, routers]) => ({ label: `area (seed ${seed}, routers ${routers})`, seed, routers, changes: CHANGES }));
  const prng = createPrng(runSeed);
  const list: Job[] = REGRESSIONS.map(([seed, routers]) => ({ label: `regression ${seed}/${routers}`, seed, routers, changes: CHANGES }));
  for (let k = 0; k < AREAS; k++) {
    const seed = Math.floor(prng.next() * 2 ** 31);
    list.push({ label: `area ${k} (seed ${seed}, routers N)`, seed, routers: prng.int(5, 200), changes: k < SEQUENCES ? CHANGES : 0 });
  }
  for (const job of list) job.label = job.label.replace('N', String(job.routers));
  // The large area first: its result should not wait for thousands of small ones.
  if (BIG > 0) list.unshift({ label: `big area (seed ${runSeed}, ${BIG} routers)`, seed: runSeed, routers: BIG, changes: CHANGES });
  return list;
}

interface Tally {
  areas: number;
  routers: number;
  maxRouters: number;
  changes: number;
  comparisons: number;
  routes: number;
  lsas: Record<string, number>;
  /** Routes compared by path type, with two or more next hops, with more than maximum-paths. */
  types: Record<string, number>;
  ecmp: number;
  beyondCap: number;
  mismatches: string[];
}

const newTally = (): Tally => ({ areas: 0, routers: 0, maxRouters: 0, changes: 0, comparisons: 0, routes: 0, lsas: {}, types: {}, ecmp: 0, beyondCap: 0, mismatches: [] });

/** A peer (FRR or BIRD) and ospf-anycastd fed the same areas; `cap` is both sides' maximum-paths. */
interface Pair {
  peer: DutLab;
  ours: DutLab;
  cap: number;
  tally: Tally;
}

describe.skipIf(gate.skip)('routing tables equal to FRR ospfd and BIRD', () => {
  const pairs: Pair[] = [];
  const frrTally = newTally();
  const birdTally = newTally();
  const all = jobs();
  const big = all.some((j) => j.routers > 1000);
  const timers = labTimers(big);
  const timeoutMs = big ? 900_000 : 30_000;
  // BIRD's share: the first BIRD_AREAS of 200 routers or fewer, the first BIRD_SEQUENCES with their changes.
  const birdJobs = all
    .filter((j) => j.routers <= 200)
    .slice(0, BIRD_AREAS)
    .map((j, k) => ({ ...j, changes: k < BIRD_SEQUENCES ? j.changes : 0 }));

  beforeAll(async () => {
    console.info(`route-diff: SEED=${runSeed}${long ? ' ROUTE_DIFF=long' : ''}: ${AREAS} areas, ${SEQUENCES} change sequences, ${PAIRS} lab pairs with FRR${birdJobs.length > 0 ? `, one with BIRD` : ``}`);
    // BIRD's pair runs with a cap above the six first hops the lab offers: which next hops a capped BIRD keeps can't be checked.
    const kinds: [DutKind, number, Tally][] = Array.from({ length: PAIRS }, (): [DutKind, number, Tally] => ['frr', MAXIMUM_PATHS, frrTally]);
    if (birdJobs.length > 0) kinds.push(['bird', 16, birdTally]);
    // The injector's lan0 waits a dead interval before it elects itself DR (RFC 2328 9.4): 120 s with the large area's timers.
    const setupMs = timers.dead * 1000 + 60_000;
    const started = await Promise.allSettled(
      kinds.map(async ([kind, cap, tally]) => {
        const both = await Promise.allSettled([startDut(kind, timers, setupMs, cap), startDut('ours', timers, setupMs, cap)]);
        const [peer, ours] = both.map((b) => (b.status === 'fulfilled' ? b.value : undefined));
        if (peer === undefined || ours === undefined) {
          // One of the two failed (and tore its lab down): the other goes too.
          await Promise.all([peer?.lab.teardown(), ours?.lab.teardown()]);
          throw (both.find((b) => b.status === 'rejected') as PromiseRejectedResult).reason;
        }
        return { peer, ours, cap, tally };
      }),
    );
    for (const s of started) if (s.status === 'fulfilled') pairs.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(pairs.flatMap((p) => [p.peer.lab.teardown(), p.ours.lab.teardown()]));
  });

  /**
   * Flood one area or change into both DUTs of a pair, wait until both hold
   * it and the peer has settled, and compare tables and kernels. FRR tells
   * when it has settled; BIRD runs its SPF on a one-second tick and does not,
   * so its table is read until it matches ours or BIRD_SETTLE_MS passes.
   */
  async function step(pair: Pair, label: string, cmd: 'area' | 'change', args: Record<string, unknown>): Promise<Sync> {
    const { peer, ours, cap, tally } = pair;
    const [ps, os] = await Promise.all([send(peer, cmd, args, timeoutMs), send(ours, cmd, args, timeoutMs)]);
    const what = `${peer.kind}: ${ps.what === undefined ? label : `${label}, change "${ps.what}"`}`;
    if (JSON.stringify(ps.expected) !== JSON.stringify(os.expected)) throw new Error(`${what}: the two injectors built different areas`);
    for (const [dut, sync] of [[peer, ps], [ours, os]] as const) {
      await waitFor(`${what}: ${dut.kind} holding the area`, () => lsdbMatches(dut, sync), { timeoutMs, intervalMs: 50, detail: () => dut.lab.report() });
    }
    if (peer.kind === 'frr') await waitFor(`${what}: FRR's route calculation to settle`, () => frrSettled(peer), { timeoutMs, intervalMs: 100 });
    let [peerTable, ourTable] = await Promise.all([routesOf(peer), routesOf(ours)]);
    let tableDiffs = compareTables(peerTable, ourTable, cap);
    // A difference is read again until the deadline: BIRD's tick, or an SPF of ours held back at 10,000 routers.
    for (const until = performance.now() + (peer.kind === 'bird' ? BIRD_SETTLE_MS : 3000); tableDiffs.length > 0 && performance.now() < until; ) {
      await sleep(250);
      [peerTable, ourTable] = await Promise.all([routesOf(peer), routesOf(ours)]);
      tableDiffs = compareTables(peerTable, ourTable, cap);
    }
    // Both FIBs follow their tables asynchronously (zebra or BIRD's kernel protocol, our netlink writes): give them a moment.
    let kernelDiffs: string[] = [];
    for (const until = performance.now() + 10_000; ; ) {
      kernelDiffs = compareKernels(peerTable, kernelRoutes(peer), kernelRoutes(ours), cap);
      if (kernelDiffs.length === 0 || performance.now() > until) break;
      await sleep(100);
    }
    tally.comparisons++;
    tally.routes += peerTable.length;
    for (const r of peerTable) {
      tally.types[r.type] = (tally.types[r.type] ?? 0) + 1;
      if (r.hops.length > 1) tally.ecmp++;
      if (r.hops.length > cap) tally.beyondCap++;
    }
    for (const d of [...tableDiffs, ...kernelDiffs]) tally.mismatches.push(`SEED=${runSeed} ${what}: ${d}`);
    return ps;
  }

  it(
    `compares ${AREAS} random areas of 5-200 routers${BIG > 0 ? ` and one of ${BIG}` : ''}, ${SEQUENCES} with ${CHANGES} changes each, the first ${BIRD_AREAS} with BIRD too (${BIRD_SEQUENCES} with their changes)`,
    async () => {
      const started = performance.now();
      const frrPairs = pairs.filter((p) => p.peer.kind === 'frr');
      // Job k goes to FRR pair k mod PAIRS, so that SEED=N with the same PAIRS replays each pair's sequence of areas.
      const work = pairs.map((pair) => (pair.peer.kind === 'bird' ? birdJobs : all.filter((_, k) => k % frrPairs.length === frrPairs.indexOf(pair))));
      await Promise.all(
        pairs.map(async (pair, p) => {
          const tally = pair.tally;
          for (const job of work[p] as Job[]) {
            try {
              const sync = await step(pair, job.label, 'area', { seed: job.seed, routers: job.routers });
              tally.areas++;
              tally.routers += job.routers;
              tally.maxRouters = Math.max(tally.maxRouters, job.routers);
              for (const [type, n] of Object.entries(sync.counts)) tally.lsas[type] = (tally.lsas[type] ?? 0) + n;
              for (let c = 0; c < job.changes; c++) {
                await step(pair, job.label, 'change', {});
                tally.changes++;
              }
            } catch (error) {
              // A pair that lost its way (a wait that timed out) has no state left to compare from: it stops, the others go on.
              tally.mismatches.push(`SEED=${runSeed} ${pair.peer.kind}: ${job.label}: ${error instanceof Error ? error.message.slice(0, 2000) : String(error)}`);
              return;
            }
            if (long && tally.areas % 100 === 0) console.info(`route-diff: ${pair.peer.kind}: ${tally.areas} areas so far, ${tally.mismatches.length} mismatches`);
          }
        }),
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      for (const [name, t] of [['FRR', frrTally], ['BIRD', birdTally]] as const) {
        console.info(
          `route-diff: SEED=${runSeed}, ${name}: ${t.areas} areas (${t.routers} routers, largest ${t.maxRouters}), ${t.changes} changes, ` +
            `${t.comparisons} comparisons of ${t.routes} routes (${JSON.stringify(t.types)}, ${t.ecmp} with several next hops, ${t.beyondCap} beyond maximum-paths); ` +
            `LSAs flooded ${JSON.stringify(t.lsas)}; ${t.mismatches.length} mismatches`,
        );
      }
      console.info(`route-diff: ${seconds} s`);
      expect([...frrTally.mismatches, ...birdTally.mismatches].slice(0, 40)).toEqual([]);
      expect(frrTally.areas).toBe(all.length);
      // A routing table of only directly attached networks would prove little: the areas must reach the DUTs.
      expect(frrTally.routes).toBeGreaterThan(frrTally.comparisons * 10);
      expect(birdTally.areas).toBe(birdJobs.length);
    },
    long ? 6 * 3600_000 : 600_000,
  );
});
