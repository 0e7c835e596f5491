// Every router's routing table, once the simulated network has converged,
// equals the simple reference calculation run on that router's own LSDB
// (RFC 2328 16): the engine feeds the SPF every change it should.
import { describe, expect, it } from 'vitest';
import type { CoreOptions, OspfCore } from '../../src/core/api.js';
import { OspfInstance } from '../../src/instance/instance.js';
import { createPrng } from '../../src/lib/prng.js';
import { formatPrefix } from '../../src/lib/ipv4.js';
import { checkConvergence, randomTopology, Simulator } from '../../src/sim/index.js';
import type { Route } from '../../src/spf/index.js';
import { seeds } from '../helpers/seeds.js';
import { referenceFor } from '../spf/reference.js';

function show(routes: readonly Route[]): string[] {
  return routes.map(
    (r) =>
      `${formatPrefix(r.prefix)} ${r.pathType} ${r.cost}/${r.type2Cost} via ${r.nextHops.map((h) => `${h.address >>> 0}@${h.ifName}`).join(',')}`,
  );
}

/** Seeds 1000… (40 under CI=true, 8 otherwise) as regressions, and fresh ones. */
function sweep(): number[] {
  const count = process.env.CI === 'true' ? 40 : 8;
  return seeds(Array.from({ length: count }, (_, i) => 1000 + i), 2);
}

describe('routing table after convergence equals the reference on each LSDB (RFC 2328 16)', () => {
  it.each(sweep())('seed %i', (seed) => {
    const prng = createPrng(seed);
    const topology = randomTopology(prng.fork(), {
      routers: prng.int(2, 25),
      randomPriorities: true,
      stubSegments: prng.int(0, 2),
      externalsShare: 0.3,
    });
    const instances: OspfInstance[] = [];
    const createCore = (options: CoreOptions): OspfCore => {
      const instance = new OspfInstance(options);
      instances.push(instance);
      return instance.asCore();
    };
    const sim = new Simulator({ topology, seed, createCore, faults: { loss: 0.02, duplicate: 0.02, reorder: 0.05 } });
    sim.runFor(20_000);
    sim.setFaults({ loss: 0, duplicate: 0, reorder: 0 });
    const quiet = sim.runUntilQuiet({ maxMs: 300_000 });
    const context = `seed ${seed}, ${topology.routers.length} routers`;
    expect(quiet.quiet, context).toBe(true);
    expect(checkConvergence(sim), context).toEqual([]);
    // Let the SPF throttle's last hold time run out so every table is current.
    sim.runFor(10_000);

    // No router restarts in this run: one instance per router.
    expect(instances.length, context).toBe(topology.routers.length);
    for (const instance of instances) {
      const expected = referenceFor(instance, sim.now);
      expect(show(instance.routes().routes()), `${context}, router ${instance.routerId >>> 0}`).toEqual(show(expected));
    }
  });
});
