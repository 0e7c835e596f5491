// Seed-swept convergence: random topologies of up to 60 routers, run through
// loss, duplication, reordering, link failures and router restarts; once the
// faults stop and the network goes quiet, every adjacency is as RFC 2328
// 9.4 and 10.4 require, every LSDB is identical, nothing waits for
// retransmission and every router originates what it should.
//
// CI=true sweeps 200 seeds, and 20 with a large LSDB; locally 12 and 3
// (SIM_SEEDS=n for more). A failure prints its seed; SIM_SEED=n runs that
// seed alone.
import { describe, expect, it } from 'vitest';
import { checkConvergence, describeState, type Simulator } from '../../src/sim/index.js';
import { bulkTopologyFor, CHAOS_MS, chaoticRun } from './scenario.js';

const CI = process.env.CI === 'true';

function seeds(ciCount: number, localCount: number): number[] {
  if (process.env.SIM_SEED !== undefined) return [Number(process.env.SIM_SEED)];
  const count = Number(process.env.SIM_SEEDS ?? (CI ? ciCount : localCount));
  return Array.from({ length: count }, (_, i) => i + 1);
}

function expectConverged(sim: Simulator, rerun: string): void {
  const topology = sim.topology;
  const result = sim.runUntilQuiet({ maxMs: 300_000 });
  const problems = [
    ...(result.quiet ? [] : [`not quiet after ${result.now - CHAOS_MS} ms without faults`]),
    ...checkConvergence(sim),
    ...sim.violations.map((v) => `${v.router} at ${v.now} ms: ${v.what}`),
  ];
  if (problems.length > 0) {
    const header = `seed ${sim.seed} (${topology.routers.length} routers, ${topology.segments.length} links); rerun: SIM_SEED=${sim.seed} npx vitest run test/sim/convergence.test.ts -t '${rerun}'`;
    expect.fail([header, ...problems.slice(0, 30), describeState(sim)].join('\n'));
  }
  expect(problems).toEqual([]);
}

describe('convergence under faults (RFC 2328 10, 13)', () => {
  it.each(seeds(200, 12))('seed %i', (seed) => expectConverged(chaoticRun(seed), 'convergence'));
});

describe('large LSDB exchange and flooding under faults (RFC 2328 10.6–10.9, 13)', () => {
  it.each(seeds(20, 3))('seed %i', (seed) => expectConverged(chaoticRun(seed, bulkTopologyFor), 'large LSDB'));
});
