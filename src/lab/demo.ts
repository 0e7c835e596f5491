// `npm run demo`: the lab's story without root, in the simulator. A router
// and three SIP nodes on one segment, each node announcing 10.206.206.1/32
// from its loopback; the router's routing table is printed as nodes fail,
// come back and are drained. Virtual time, so it runs in a second and the
// same way every time.

import type { CoreOptions, InterfaceInfo, OspfCore } from '../core/api.js';
import { OspfInstance } from '../instance/instance.js';
import { formatIpv4, formatPrefix, parseIpv4 } from '../lib/ipv4.js';
import { loopbackInfo, Simulator, TopologyBuilder } from '../sim/index.js';

const ANYCAST = { address: parseIpv4('10.206.206.1'), length: 32 };

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

export interface DemoResult {
  /** Next hops of the router's route to the anycast /32 after each act. */
  acts: { act: string; nextHops: string[]; atMs: number }[];
  /** Virtual ms from node 2's withdrawal to the router's new table. */
  withdrawMs: number;
}

export function runDemo(print = true): DemoResult {
  const builder = new TopologyBuilder();
  const router = builder.addRouter();
  const nodes = [builder.addRouter(), builder.addRouter(), builder.addRouter()];
  builder.addBroadcast([{ router, priority: 10 }, ...nodes.map((n) => ({ router: n, priority: 1 }))]);
  const topology = builder.build();

  const instances = new Map<number, OspfInstance>();
  const createCore = (options: CoreOptions): OspfCore => {
    const instance = new OspfInstance(options);
    const index = topology.routers.findIndex((r) => r.routerId === options.config.routerId);
    instances.set(index, instance);
    return instance.asCore();
  };
  // As the daemon does for anycast nodes: LSAs may change once a second (the announcer's min-interval).
  const sim = new Simulator({ topology, seed: 1, createCore, startJitterMs: 0, configure: (_spec, config) => ({ ...config, minLsIntervalMs: 1000 }) });
  const result: DemoResult = { acts: [], withdrawMs: NaN };
  const routerNextHops = (): string[] => {
    const route = instances.get(router)?.routes().get(ANYCAST);
    return (route?.nextHops ?? []).map((h) => formatIpv4(h.address));
  };
  const record = (act: string): void => {
    const nextHops = routerNextHops();
    result.acts.push({ act, nextHops, atMs: sim.now });
    if (print) say(`   ${(sim.now / 1000).toFixed(3).padStart(8)} s  router → ${formatPrefix(ANYCAST)}: ${nextHops.length === 0 ? 'no route' : nextHops.join(', ')}`);
  };
  const loopbackWith = (n: number, anycast: boolean): InterfaceInfo => {
    const spec = topology.routers[n];
    if (spec === undefined) throw new Error(`no router ${n}`);
    const info = loopbackInfo(spec);
    return anycast ? { ...info, addresses: [...info.addresses, { address: ANYCAST.address, prefixLength: 32 }] } : info;
  };
  const waitFor = (count: number, limitMs: number): number => {
    const start = sim.now;
    sim.runUntil(() => routerNextHops().length === count, limitMs);
    return sim.now - start;
  };

  if (print) say('a router and three SIP nodes on one segment, in the simulator (virtual time)');
  sim.runFor(1);
  for (const n of nodes) sim.input(n, { kind: 'interface', info: loopbackWith(n, true) });
  waitFor(3, 120_000);
  if (print) say('\n1. every node announces the anycast /32: ECMP over three next hops');
  record('up');

  // Let the first originations age past the announcer's one-second spacing, as in a real network.
  sim.runFor(2_000);
  if (print) say("\n2. node 2's SIP proxy dies: its announcer withdraws the prefix");
  sim.input(nodes[1] as number, { kind: 'advertise', prefix: ANYCAST, mode: 'withdraw' });
  const withdrawMs = waitFor(2, 10_000);
  result.withdrawMs = withdrawMs;
  if (print) say(`   (${withdrawMs.toFixed(0)} ms of virtual time to the router's new table)`);
  record('withdraw');

  if (print) say('\n3. the proxy is back and healthy: announced again');
  sim.runFor(2_000);
  sim.input(nodes[1] as number, { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
  waitFor(3, 10_000);
  record('announce');

  if (print) say('\n4. node 3 goes to maximum cost (on-failure max-cost): a last resort, not an equal path');
  sim.runFor(2_000);
  sim.input(nodes[2] as number, { kind: 'advertise', prefix: ANYCAST, mode: 'max-cost' });
  waitFor(2, 10_000);
  record('max-cost');

  if (print) say('\n5. node 3 stops (its daemon is killed, no goodbye): the router waits for the dead interval');
  sim.runFor(2_000);
  sim.input(nodes[2] as number, { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
  waitFor(3, 10_000);
  record('announce again');
  sim.stopRouter(nodes[2] as number);
  const deadMs = waitFor(2, 60_000);
  if (print) say(`   (${deadMs.toFixed(0)} ms of virtual time: the dead interval, ${topology.routers.length} routers)`);
  record('node 3 dead');
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  runDemo(true);
}
