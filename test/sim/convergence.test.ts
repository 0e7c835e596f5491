// Seed-swept convergence: random topologies of up to 60 routers, run through
// loss, duplication, reordering, link failures and router restarts; once the
// faults stop and the network goes quiet, every adjacency is as RFC 2328
// 9.4 and 10.4 require, every LSDB is identical, nothing waits for
// retransmission and every router originates what it should.
//
// CI=true sweeps 200 seeds; locally 12 (SIM_SEEDS=n for more). A failure
// prints its seed; SIM_SEED=n runs that seed alone.
import { describe, expect, it } from 'vitest';
import { checkConvergence, describeState } from '../../src/sim/index.js';
import { CHAOS_MS, chaoticRun } from './scenario.js';

function seeds(): number[] {
  if (process.env.SIM_SEED !== undefined) return [Number(process.env.SIM_SEED)];
  const count = Number(process.env.SIM_SEEDS ?? (process.env.CI === 'true' ? 200 : 12));
  return Array.from({ length: count }, (_, i) => i + 1);
}

describe('convergence under faults (RFC 2328 10, 13)', () => {
  it.each(seeds())('seed %i', (seed) => {
    const sim = chaoticRun(seed);
    const topology = sim.topology;
    const result = sim.runUntilQuiet({ maxMs: 300_000 });
    const problems = [
      ...(result.quiet ? [] : [`not quiet after ${result.now - CHAOS_MS} ms without faults`]),
      ...checkConvergence(sim),
      ...sim.violations.map((v) => `${v.router} at ${v.now} ms: ${v.what}`),
    ];
    if (problems.length > 0) {
      const header = `seed ${seed} (${topology.routers.length} routers, ${topology.segments.length} links); rerun: SIM_SEED=${seed} npx vitest run test/sim/convergence.test.ts`;
      expect.fail([header, ...problems.slice(0, 30), describeState(sim)].join('\n'));
    }
    expect(problems).toEqual([]);
  });
});
