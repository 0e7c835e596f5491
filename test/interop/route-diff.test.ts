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
import { interopGate, waitFor } from '../helpers/peers.js';
import {
  compareKernels,
  compareTables,
  deadIntervalSec,
  frrSettled,
  kernelRoutes,
  lsdbMatches,
  routesOf,
  send,
  startDut,
  type DutLab,
  type Sync,
} from './route-diff.js';

const gate = interopGate('routing-table comparison with FRR', ['frr']);
const long = process.env.ROUTE_DIFF === 'long';
const runSeed = process.env.SEED !== undefined ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
/** Random areas compared, of 5 to 200 routers; then change sequences on some of them. */
const AREAS = Number(process.env.ROUTE_DIFF_AREAS ?? (long ? 2000 : 200));
const SEQUENCES = Number(process.env.ROUTE_DIFF_SEQUENCES ?? (long ? 100 : 20));
const CHANGES = 5;
const BIG = long ? 10_000 : 0;
/** ROUTE_DIFF_ONLY=SEED:ROUTERS,… compares just those areas (with their change sequences), each in a lab of its own. */
const only = process.env.ROUTE_DIFF_ONLY?.split(',').map((s) => s.split(':').map(Number) as [number, number]);
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
  if (BIG > 0) list.push({ label: `big area (seed ${runSeed}, ${BIG} routers)`, seed: runSeed, routers: BIG, changes: CHANGES });
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
  mismatches: string[];
}

describe.skipIf(gate.skip)('routing tables equal to FRR ospfd', () => {
  const pairs: { frr: DutLab; ours: DutLab }[] = [];
  const tally: Tally = { areas: 0, routers: 0, maxRouters: 0, changes: 0, comparisons: 0, routes: 0, lsas: {}, mismatches: [] };
  const dead = deadIntervalSec(BIG > 0);
  const timeoutMs = BIG > 0 ? 900_000 : 30_000;

  beforeAll(async () => {
    console.info(`route-diff: SEED=${runSeed}${long ? ' ROUTE_DIFF=long' : ''}: ${AREAS} areas, ${SEQUENCES} change sequences, ${PAIRS} lab pairs`);
    const started = await Promise.allSettled(Array.from({ length: PAIRS }, () => Promise.all([startDut('frr', dead, 120_000), startDut('ours', dead, 120_000)])));
    for (const s of started) if (s.status === 'fulfilled') pairs.push({ frr: s.value[0], ours: s.value[1] });
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(pairs.flatMap((p) => [p.frr.lab.teardown(), p.ours.lab.teardown()]));
  });

  /** Flood one area or change into both DUTs of a pair, wait until both hold it and FRR has settled, and compare. */
  async function step(pair: { frr: DutLab; ours: DutLab }, label: string, cmd: 'area' | 'change', args: Record<string, unknown>): Promise<Sync> {
    const [fs, os] = await Promise.all([send(pair.frr, cmd, args, timeoutMs), send(pair.ours, cmd, args, timeoutMs)]);
    const what = fs.what === undefined ? label : `${label}, change "${fs.what}"`;
    if (JSON.stringify(fs.expected) !== JSON.stringify(os.expected)) throw new Error(`${what}: the two injectors built different areas`);
    for (const [dut, sync] of [[pair.frr, fs], [pair.ours, os]] as const) {
      await waitFor(`${what}: ${dut.kind} holding the area`, () => lsdbMatches(dut, sync), { timeoutMs, intervalMs: 50, detail: () => dut.lab.report() });
    }
    await waitFor(`${what}: FRR's route calculation to settle`, () => frrSettled(pair.frr), { timeoutMs, intervalMs: 100 });
    const [frrTable, ourTable] = await Promise.all([routesOf(pair.frr), routesOf(pair.ours)]);
    const tableDiffs = compareTables(frrTable, ourTable);
    // Both FIBs follow their tables asynchronously (zebra, our netlink writes): give them a moment.
    let kernelDiffs: string[] = [];
    try {
      await waitFor(
        `${what}: kernel routes`,
        () => {
          kernelDiffs = compareKernels(frrTable, kernelRoutes(pair.frr), kernelRoutes(pair.ours));
          return kernelDiffs.length === 0;
        },
        { timeoutMs: 5000, intervalMs: 100 },
      );
    } catch {
      // kernelDiffs holds what still differs.
    }
    tally.comparisons++;
    tally.routes += frrTable.length;
    for (const d of [...tableDiffs, ...kernelDiffs]) tally.mismatches.push(`SEED=${runSeed} ${what}: ${d}`);
    return fs;
  }

  it(
    `compares ${AREAS} random areas of 5-200 routers${BIG > 0 ? ` and one of ${BIG}` : ''}, ${SEQUENCES} with ${CHANGES} changes each`,
    async () => {
      const started = performance.now();
      const all = jobs();
      // Job k goes to pair k mod PAIRS, so that SEED=N with the same PAIRS replays each pair's sequence of areas.
      await Promise.all(
        pairs.map(async (pair, p) => {
          for (const job of all.filter((_, k) => k % pairs.length === p)) {
            const sync = await step(pair, job.label, 'area', { seed: job.seed, routers: job.routers });
            tally.areas++;
            tally.routers += job.routers;
            tally.maxRouters = Math.max(tally.maxRouters, job.routers);
            for (const [type, n] of Object.entries(sync.counts)) tally.lsas[type] = (tally.lsas[type] ?? 0) + n;
            for (let c = 0; c < job.changes; c++) {
              await step(pair, job.label, 'change', {});
              tally.changes++;
            }
          }
        }),
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.info(
        `route-diff: SEED=${runSeed}: ${tally.areas} areas (${tally.routers} routers, largest ${tally.maxRouters}), ${tally.changes} changes, ` +
          `${tally.comparisons} comparisons of ${tally.routes} routes in ${seconds} s; LSAs flooded ${JSON.stringify(tally.lsas)}; ${tally.mismatches.length} mismatches`,
      );
      expect(tally.mismatches.slice(0, 40)).toEqual([]);
      expect(tally.areas).toBe(all.length);
    },
    long ? 6 * 3600_000 : 600_000,
  );
});
