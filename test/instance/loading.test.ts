// A router that starts in an existing area learns the database from its
// neighbours (RFC 2328 10.1 Exchange, Loading): until its first neighbour is
// Full its SPF waits for the load, then runs at once, and computes every
// route. Once one neighbour is Full, the table routes, and another
// neighbour's exchange does not hold a change back.
import { describe, expect, it } from 'vitest';
import type { CoreOptions, OspfCore } from '../../src/core/api.js';
import { OspfInstance } from '../../src/instance/instance.js';
import { createPrng } from '../../src/lib/prng.js';
import { randomTopology, Simulator } from '../../src/sim/index.js';
import { referenceFor } from '../spf/reference.js';

const loadingStates = new Set(['Exchange', 'Loading']);

describe('SPF during the initial database load (RFC 2328 10.1)', () => {
  it.each([11, 12, 13, 14])('seed %i: no run while the first neighbour is in Exchange or Loading, every route once Full', (seed) => {
    const prng = createPrng(seed);
    const topology = randomTopology(prng.fork(), { routers: 30, extraLinks: 10, externalsShare: 0.3 });
    const latest = new Map<number, OspfInstance>();
    /** SPF runs of the router that restarts, made while a neighbour was still sending it the database. */
    const runsWhileLoading: string[] = [];
    let restarted: number | undefined = undefined;
    const createCore = (options: CoreOptions): OspfCore => {
      const instance = new OspfInstance(options);
      latest.set(options.config.routerId, instance);
      const core = instance.asCore();
      return {
        ...core,
        handle: (input, now) => {
          const outputs = instance.handle(input, now);
          const loading = instance.neighbors().filter((n) => loadingStates.has(n.state));
          const full = instance.neighbors().some((n) => n.state === 'Full');
          if (instance.routerId === restarted && outputs.some((o) => o.kind === 'routes' && o.run !== 'none') && loading.length > 0 && !full) {
            runsWhileLoading.push(`at ${now}: ${loading.map((n) => `${n.routerId >>> 0} ${n.state}`).join(', ')}`);
          }
          return outputs.filter((o) => o.kind !== 'routes') as ReturnType<OspfCore['handle']>;
        },
      };
    };
    const sim = new Simulator({ topology, seed, createCore });
    expect(sim.runUntilQuiet({ maxMs: 300_000 }).quiet).toBe(true);
    sim.runFor(10_000);
    // The router with the most neighbours starts again with an empty database.
    const busiest = topology.routers.map((_, i) => i).sort((x, y) => (latest.get(sim.config(y).routerId)?.neighbors().length ?? 0) - (latest.get(sim.config(x).routerId)?.neighbors().length ?? 0))[0] as number;
    restarted = sim.config(busiest).routerId;
    sim.restartRouter(busiest);
    expect(sim.runUntilQuiet({ maxMs: 300_000 }).quiet).toBe(true);
    sim.runFor(10_000);

    expect(runsWhileLoading).toEqual([]);
    const instance = latest.get(sim.config(busiest).routerId) as OspfInstance;
    expect(instance.spfStatistics().runs).toBeGreaterThan(0);
    const expected = referenceFor(instance, sim.now).map((r) => r.prefix);
    expect(instance.routes().routes().map((r) => r.prefix)).toEqual(expected);
  });
});
