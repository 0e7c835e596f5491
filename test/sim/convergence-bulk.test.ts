// Seed-swept exchange and flooding of a large LSDB: a few routers, one of
// them redistributing 1,000–3,000 routes, small MTUs on some links, through
// the same faults and failures as the convergence sweep; once calm, the
// same checks (RFC 2328 10.6–10.9, 13).
//
// CI=true sweeps seeds 1–20, locally 1–3, and a fresh seed on every run
// (FRESH_SEEDS=n for more); SEED=n runs one.
import { describe, it } from 'vitest';
import { bulkTopologyFor, chaoticRun, expectConverged, sweepSeeds } from './scenario.js';

describe('large LSDB exchange and flooding under faults (RFC 2328 10.6–10.9, 13)', () => {
  it.each(sweepSeeds(20, 3, 1))('seed %i', (seed) => expectConverged(chaoticRun(seed, bulkTopologyFor), 'convergence-bulk'));
});
