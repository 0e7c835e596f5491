// Seed-swept convergence: random topologies of up to 60 routers, run through
// loss, duplication, reordering, link failures and router restarts; once the
// faults stop and the network goes quiet, every adjacency is as RFC 2328
// 9.4 and 10.4 require, every LSDB is identical, nothing waits for
// retransmission and every router originates what it should.
//
// CI=true sweeps seeds 1–200, locally 1–12, and fresh seeds on every run
// (FRESH_SEEDS=n for more). A failure prints its seed; SEED=n runs it alone.
import { describe, it } from 'vitest';
import { chaoticRun, expectConverged, sweepSeeds } from './scenario.js';

describe('convergence under faults (RFC 2328 10, 13)', () => {
  it.each(sweepSeeds(200, 12, 4))('seed %i', (seed) => expectConverged(chaoticRun(seed), 'convergence'));
});
