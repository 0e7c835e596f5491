// Seed-swept exchange and flooding of a large LSDB: a few routers, one of
// them redistributing 1,000–3,000 routes, small MTUs on some links, through
// the same faults and failures as the convergence sweep; once calm, the
// same checks (RFC 2328 10.6–10.9, 13).
//
// CI=true sweeps 20 seeds, locally 3 (SIM_SEEDS=n for more); SIM_SEED=n
// runs one.
import { describe, it } from 'vitest';
import { bulkTopologyFor, chaoticRun, expectConverged, seeds } from './scenario.js';

describe('large LSDB exchange and flooding under faults (RFC 2328 10.6–10.9, 13)', () => {
  it.each(seeds(20, 3))('seed %i', (seed) => expectConverged(chaoticRun(seed, bulkTopologyFor), 'convergence-bulk'));
});
