// What a network must look like once hostile input has stopped and the
// network has had time to heal, checked without asking the engine what it
// thinks should be: adjacencies as RFC 2328 10.4 requires them between the
// real routers (point-to-point neighbors and every pair with the DR or BDR
// Full, DROthers 2-Way with each other; checkAdjacencies in src/sim/checks.ts),
// identical LSDBs holding only what the real routers originate, and every
// router's routing table the same as in a network that never saw the input.
import { formatIpv4, formatPrefix } from '../../src/lib/ipv4.js';
import { checkConvergence, type Simulator } from '../../src/sim/index.js';
import type { Route } from '../../src/spf/index.js';

/** A network to judge: the simulator and each router's routing table. */
export interface NetworkState {
  sim: Simulator;
  routes(router: number): readonly Route[];
}

const MaxReportedRouteDifferences = 8;

/** One line per route: prefix, path type, costs and the sorted next hops. */
export function showRoutes(routes: readonly Route[]): string[] {
  return routes
    .map((r) => `${formatPrefix(r.prefix)} ${r.pathType} ${r.cost}/${r.type2Cost} via ${r.nextHops.map((h) => `${formatIpv4(h.address)}@${h.ifName}`).join(',')}`)
    .sort();
}

/**
 * Everything in `after` that differs from a healed network, as sentences;
 * empty when healed. `clean` is the same topology run without the hostile
 * input: each router's routing table must equal its table there.
 */
export function recoveryProblems(after: NetworkState, clean: NetworkState): string[] {
  const { sim } = after;
  const problems = checkConvergence(sim);
  const real = new Set(sim.topology.routers.map((r) => r.routerId));
  for (let r = 0; r < sim.routerCount; r++) {
    const core = sim.core(r);
    const name = sim.topology.routers[r].name;
    if (core === undefined) {
      problems.push(`${name}: not running`);
      continue;
    }
    // RFC 2328 14: an LSA nobody originates any more ages out and is flushed.
    const foreign = core.lsdb(sim.now).filter((h) => !real.has(h.advRouter));
    for (const h of foreign.slice(0, 4)) problems.push(`${name}: holds type ${h.type} id ${formatIpv4(h.lsId)} from ${formatIpv4(h.advRouter)}, which is no router of the network`);
    if (foreign.length > 4) problems.push(`${name}: … and ${foreign.length - 4} more LSAs from routers outside the network`);

    const got = showRoutes(after.routes(r));
    const want = showRoutes(clean.routes(r));
    const missing = want.filter((line) => !got.includes(line));
    const extra = got.filter((line) => !want.includes(line));
    for (const line of missing.slice(0, MaxReportedRouteDifferences)) problems.push(`${name}: route missing: ${line}`);
    for (const line of extra.slice(0, MaxReportedRouteDifferences)) problems.push(`${name}: route not in the clean network: ${line}`);
  }
  return problems;
}
