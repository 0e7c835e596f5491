// The seeds of the randomised tests (simulator, fuzzers, hostile input,
// random SPF areas): the fixed ones, kept as regressions, and fresh ones
// drawn anew on every run so that each run also tries cases no run tried
// before. A failure names its seed (in the test title, or through
// replay(seed) in its message); SEED replays it.
//
//   SEED=123 npx vitest run test/sim/convergence.test.ts     that seed alone
//   SEED=1,5,9 …                                            those seeds
//   FRESH_SEEDS=500 …                                       500 fresh seeds instead of each test's own count
import { randomInt } from 'node:crypto';

/** The largest seed drawn: every PRNG and the simulator take any 32-bit unsigned value, this keeps them short to type. */
const MaxFreshSeed = 2 ** 31 - 1;

/** SEED's seeds, or undefined when SEED is not set. */
function replayed(): number[] | undefined {
  const text = process.env.SEED;
  if (text === undefined || text.trim() === '') return undefined;
  const seeds = text.split(',').map((part) => Number(part.trim()));
  if (seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 0xffffffff)) throw new Error(`SEED=${text}: expected seeds (unsigned 32-bit integers) separated by commas`);
  return seeds;
}

/**
 * The seeds a randomised test runs: with SEED set, just those; otherwise
 * `fixed` and then `fresh` seeds new to this run (FRESH_SEEDS overrides the
 * count, for a longer run).
 */
export function seeds(fixed: readonly number[], fresh: number): number[] {
  const replay = replayed();
  if (replay !== undefined) return replay;
  const count = process.env.FRESH_SEEDS !== undefined && process.env.FRESH_SEEDS !== '' ? Number(process.env.FRESH_SEEDS) : fresh;
  if (!Number.isInteger(count) || count < 0) throw new Error(`FRESH_SEEDS=${process.env.FRESH_SEEDS}: expected a count`);
  const drawn = new Set<number>();
  while (drawn.size < count) {
    const seed = randomInt(1, MaxFreshSeed);
    if (!fixed.includes(seed)) drawn.add(seed);
  }
  return [...fixed, ...drawn];
}

/** The seeds 1 … `count`: the fixed seeds of the sweeps that take the first N. */
export function firstSeeds(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** How to run one seed again, for failure messages: `SEED=…`. */
export function replay(seed: number): string {
  return `SEED=${seed}`;
}
