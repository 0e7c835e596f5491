// The router in front of SIP nodes keeps its paths to the nodes that stay
// while the segment's DR leaves (transit-hold.ts, and neighbors taken down on
// their flush): the sequence of the router-role namespace test, replayed in
// the simulator with every ordering of the nodes' departure, over seeds.
import { describe, expect, it } from 'vitest';
import type { CoreOptions, OspfCore, RouterConfig } from '../../src/core/api.js';
import { OspfInstance } from '../../src/instance/instance.js';
import { formatIpv4 } from '../../src/lib/ipv4.js';
import { Simulator, TopologyBuilder } from '../../src/sim/index.js';
import { firstSeeds, seeds } from '../helpers/seeds.js';

const HELLO_MS = 1000;
const DEAD_MS = 4000;

interface Lab {
  sim: Simulator;
  /** The running instance of each router, by index. */
  instances: Map<number, OspfInstance>;
}

/** r1 the router (priority 200) and r2–r4 the nodes (priority 1) on one LAN; Hello 1 s, Dead 4 s. */
function lab(seed: number): Lab {
  const b = new TopologyBuilder();
  const routers = [b.addRouter(), b.addRouter(), b.addRouter(), b.addRouter()];
  b.addBroadcast(routers.map((router, i) => ({ router, priority: i === 0 ? 200 : 1 })));
  const instances = new Map<number, OspfInstance>();
  const topology = b.build();
  const createCore = (options: CoreOptions): OspfCore => {
    const instance = new OspfInstance(options);
    const index = topology.routers.findIndex((r) => r.routerId === options.config.routerId);
    instances.set(index, instance);
    return instance.asCore();
  };
  const configure = (_spec: unknown, config: RouterConfig): RouterConfig => ({
    ...config,
    spfThrottle: { delayMs: 0, initialHoldMs: 50, maxHoldMs: 500 },
    interfaces: Object.fromEntries(Object.entries(config.interfaces).map(([name, s]) => [name, { ...s, helloIntervalMs: HELLO_MS, deadIntervalMs: DEAD_MS, retransmitIntervalMs: 2000 }])),
  });
  const sim = new Simulator({ topology, seed, createCore, configure });
  return { sim, instances };
}

/** The loopbacks of `nodes` that r1's routing table has no route to. */
function missing(l: Lab, nodes: number[]): string[] {
  const r1 = l.instances.get(0);
  if (r1 === undefined || !l.sim.isRunning(0)) return nodes.map((i) => formatIpv4(l.sim.topology.routers[i]?.loopback as number));
  return nodes
    .map((i) => l.sim.topology.routers[i]?.loopback as number)
    .filter((address) => r1.routes().get({ address, length: 32 }) === undefined)
    .map((address) => formatIpv4(address));
}

/** Runs for `ms` in 10 ms steps and returns the longest time any of `nodes` was missing from r1's table. */
function longestGap(l: Lab, nodes: number[], ms: number): number {
  let since: number | undefined;
  let longest = 0;
  for (let t = 0; t < ms; t += 10) {
    l.sim.runFor(10);
    if (missing(l, nodes).length > 0) since ??= l.sim.now;
    else if (since !== undefined) {
      longest = Math.max(longest, l.sim.now - since);
      since = undefined;
    }
  }
  return since === undefined ? longest : Math.max(longest, l.sim.now - since);
}

function drIndex(l: Lab): number {
  const r1 = l.instances.get(0) as OspfInstance;
  const dr = r1.interfaces().find((i) => i.networkType === 'broadcast')?.dr;
  return l.sim.topology.segments[0]?.attachments.find((a) => a.address === dr)?.router ?? -1;
}

describe('the router keeps its paths through a DR node that leaves (RFC 2328 9.4, 12.4.2, 14.1)', () => {
  it.each(seeds(firstSeeds(5), 3))('seed %i', (seed) => {
    const l = lab(seed);
    const nodes = [1, 2, 3];
    expect(l.sim.runUntil(() => missing(l, nodes).length === 0, 60_000), `seed ${seed}: converged`).toBe(true);
    l.sim.runFor(5000);
    // One node stops and returns; the router stops and returns, so that a node is DR.
    l.sim.stopRouter(1, { graceful: true });
    l.sim.runFor(6000);
    l.sim.startRouter(1);
    l.sim.runFor(10_000);
    l.sim.stopRouter(0, { graceful: true });
    l.sim.runFor(6000);
    l.sim.startRouter(0);
    expect(l.sim.runUntil(() => missing(l, nodes).length === 0, 60_000), `seed ${seed}: converged again`).toBe(true);
    l.sim.runFor(10_000);
    const dr = drIndex(l);
    expect(nodes, `seed ${seed}: a node is DR`).toContain(dr);
    const survivors = nodes.filter((n) => n !== dr);
    l.sim.stopRouter(dr, { graceful: true });
    const gap = longestGap(l, survivors, 3 * DEAD_MS);
    expect(gap, `seed ${seed}: the survivors were missing from r1's routes for ${gap} ms`).toBe(0);
    expect(missing(l, [dr]), `seed ${seed}: the DR node's route is gone`).toEqual([formatIpv4(l.sim.topology.routers[dr]?.loopback as number)]);
  });
});
