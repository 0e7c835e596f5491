// The SPF sees our router-LSA as we want it now, not the instance waiting
// out MinLSInterval to be flooded (RFC 2328 12.4 limits how often an LSA is
// originated, not what the router knows of its own links). A router that
// restarts routes through its neighbours as soon as they are Full.
import { describe, expect, it } from 'vitest';
import type { CoreOptions, OspfCore, RouterConfig } from '../../src/core/api.js';
import { OspfInstance } from '../../src/instance/instance.js';
import { Simulator, TopologyBuilder } from '../../src/sim/index.js';
import { firstSeeds, replay, seeds } from '../helpers/seeds.js';

const MIN_LS_INTERVAL_MS = 5000;

// Nodes of priority 1: a node is DR when the router returns, and our router-LSA is what waits.
// Nodes of priority 0 (as the README advises): the router is DR again, and its network-LSA waits too.
const CASES = seeds(firstSeeds(5), 3).flatMap((seed) => [1, 0].map((nodePriority) => ({ seed, nodePriority })));

describe('a restarted router routes once its neighbours are Full, not MinLSInterval later', () => {
  it.each(CASES)('seed $seed, nodes of priority $nodePriority', ({ seed, nodePriority }) => {
    const b = new TopologyBuilder();
    const routers = [b.addRouter(), b.addRouter(), b.addRouter(), b.addRouter()];
    b.addBroadcast(routers.map((router, i) => ({ router, priority: i === 0 ? 200 : nodePriority })));
    const topology = b.build();
    const instances = new Map<number, OspfInstance>();
    const createCore = (options: CoreOptions): OspfCore => {
      const instance = new OspfInstance(options);
      instances.set(topology.routers.findIndex((r) => r.routerId === options.config.routerId), instance);
      return instance.asCore();
    };
    const configure = (_spec: unknown, config: RouterConfig): RouterConfig => ({
      ...config,
      minLsIntervalMs: MIN_LS_INTERVAL_MS,
      spfThrottle: { delayMs: 0, initialHoldMs: 50, maxHoldMs: 500 },
      interfaces: Object.fromEntries(Object.entries(config.interfaces).map(([name, s]) => [name, { ...s, helloIntervalMs: 1000, deadIntervalMs: 4000 }])),
    });
    const sim = new Simulator({ topology, seed, createCore, configure });
    const loopbacks = [1, 2, 3].map((i) => topology.routers[i]?.loopback as number);
    const routed = (): boolean => {
      const r0 = instances.get(0);
      return sim.isRunning(0) && r0 !== undefined && loopbacks.every((address) => r0.routes().get({ address, length: 32 }) !== undefined);
    };
    expect(sim.runUntil(routed, 60_000), `${replay(seed)}: converged`).toBe(true);
    sim.runFor(10_000);
    sim.stopRouter(0, { graceful: true });
    sim.runFor(6000);
    sim.startRouter(0);
    const adjacent = (): boolean => {
      const neighbors = instances.get(0)?.neighbors() ?? [];
      return neighbors.length === 3 && neighbors.some((n) => n.state === 'Full') && neighbors.every((n) => n.state === 'Full' || n.state === '2-Way');
    };
    expect(sim.runUntil(adjacent, 30_000), `${replay(seed)}: adjacent again`).toBe(true);
    const fullAt = sim.now;
    expect(sim.runUntil(routed, 30_000), `${replay(seed)}: routes again`).toBe(true);
    // The SPF's hold (500 ms here) and the neighbours' own next LSAs (about a Hello interval), not MinLSInterval.
    expect(sim.now - fullAt, `${replay(seed)}: routes ${sim.now - fullAt} ms after Full`).toBeLessThan(MIN_LS_INTERVAL_MS / 2);
  });
});
