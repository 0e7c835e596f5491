// A node that comes back while the router still holds its old router-LSA
// (it crashed, or stopped without flushing it, RFC 2328 14.1) must join the
// router's route once: not at once on the old instance's transit link, then
// out again when its new instance shows the segment as a stub while it loads
// (12.4.1.2), then in for good, which in a resilient group moves flows of
// the other nodes.
import { describe, expect, it } from 'vitest';
import type { CoreOptions, OspfCore, RouterConfig } from '../../src/core/api.js';
import { OspfInstance } from '../../src/instance/instance.js';
import { Simulator, TopologyBuilder } from '../../src/sim/index.js';
import { firstSeeds, seeds } from '../helpers/seeds.js';

function lab(seed: number): { sim: Simulator; instances: Map<number, OspfInstance> } {
  const b = new TopologyBuilder();
  const routers = [b.addRouter(), b.addRouter(), b.addRouter(), b.addRouter()];
  b.addBroadcast(routers.map((router, i) => ({ router, priority: i === 0 ? 200 : 0 })));
  const instances = new Map<number, OspfInstance>();
  const topology = b.build();
  const createCore = (options: CoreOptions): OspfCore => {
    const instance = new OspfInstance(options);
    instances.set(topology.routers.findIndex((r) => r.routerId === options.config.routerId), instance);
    return instance.asCore();
  };
  const configure = (_spec: unknown, config: RouterConfig): RouterConfig => ({
    ...config,
    spfThrottle: { delayMs: 0, initialHoldMs: 50, maxHoldMs: 500 },
    interfaces: Object.fromEntries(Object.entries(config.interfaces).map(([name, s]) => [name, { ...s, helloIntervalMs: 1000, deadIntervalMs: 3000, retransmitIntervalMs: 2000 }])),
  });
  return { sim: new Simulator({ topology, seed, createCore, configure }), instances };
}

describe('a node returning with its old router-LSA still held joins the router\'s route once', () => {
  it.each(seeds(firstSeeds(5), 3))('seed %i', (seed) => {
    const { sim, instances } = lab(seed);
    const loopback = (i: number): number => sim.topology.routers[i]?.loopback as number;
    const present = (i: number): boolean => instances.get(0)?.routes().get({ address: loopback(i), length: 32 }) !== undefined;
    expect(sim.runUntil(() => [1, 2, 3].every(present), 60_000), `seed ${seed}: converged`).toBe(true);
    sim.runFor(8000);
    // Node 1 crashes: nothing flushed; the router takes it out after the dead interval.
    sim.stopRouter(1, { graceful: false });
    expect(sim.runUntil(() => !present(1), 10_000), `seed ${seed}: node out`).toBe(true);
    sim.runFor(1000);
    sim.startRouter(1);
    const changes: string[] = [];
    let was = present(1);
    for (let t = 0; t < 20_000; t += 10) {
      sim.runFor(10);
      const is = present(1);
      if (is !== was) changes.push(`${is ? 'in' : 'out'} at +${t} ms`);
      was = is;
    }
    expect(changes.length, `seed ${seed}: ${changes.join(', ')}`).toBe(1);
    expect(present(1)).toBe(true);
  });
});
