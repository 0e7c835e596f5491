// From the OSPF routing table to the kernel routes the daemon installs: one
// route per prefix reached through at least one gateway, with every ECMP
// next hop. Destinations on directly attached networks are left to the
// kernel's own connected routes, as FRR's zebra does.

import type { InterfaceInfo } from '../core/api.js';
import type { KernelNextHop, KernelRoute } from '../io/kernel-route.js';
import type { Prefix } from '../lib/ipv4.js';
import type { Route, RouteTableView } from '../spf/index.js';

export function kernelRoutes(routes: readonly Route[], interfaces: ReadonlyMap<string, InterfaceInfo>): KernelRoute[] {
  const out: KernelRoute[] = [];
  const hops = sharedHops(interfaces);
  for (const route of routes) {
    const nextHops = hops(route.nextHops);
    if (nextHops !== undefined) out.push({ prefix: route.prefix, nextHops });
  }
  return out;
}

/**
 * The kernel's next hops of a route's paths, one list per list of the SPF's:
 * the SPF shares one next-hop list among the routes that have the same paths,
 * and so do the kernel routes made from them (the installers keep them).
 */
function sharedHops(interfaces: ReadonlyMap<string, InterfaceInfo>): (hops: Route['nextHops']) => KernelNextHop[] | undefined {
  const shared = new Map<Route['nextHops'], KernelNextHop[] | undefined>();
  return (hops) => {
    let nextHops = shared.get(hops);
    if (nextHops === undefined && !shared.has(hops)) {
      nextHops = gatewayHops(hops, interfaces);
      shared.set(hops, nextHops);
    }
    return nextHops;
  };
}

/** The kernel's next hops for a route's paths: none when no path has a gateway or none is on an interface that is up. */
function gatewayHops(hops: Route['nextHops'], interfaces: ReadonlyMap<string, InterfaceInfo>): KernelNextHop[] | undefined {
  if (!hops.some((h) => h.address !== 0)) return undefined;
  const nextHops = hops
    .filter((hop) => interfaces.get(hop.ifName)?.up === true)
    .map((hop) => ({ gateway: hop.address >>> 0, ifIndex: (interfaces.get(hop.ifName) as InterfaceInfo).ifIndex }));
  return nextHops.length > 0 ? nextHops : undefined;
}

/**
 * The kernel's side of some changed prefixes: the route each now has in
 * `table`, or its removal when it has none the kernel takes (gone, or on a
 * directly attached network).
 */
export function kernelChanges(
  prefixes: readonly Prefix[],
  table: RouteTableView,
  interfaces: ReadonlyMap<string, InterfaceInfo>,
): { routes: KernelRoute[]; removed: Prefix[] } {
  const routes: KernelRoute[] = [];
  const removed: Prefix[] = [];
  const hops = sharedHops(interfaces);
  for (const prefix of prefixes) {
    const route = table.get(prefix);
    const nextHops = route === undefined ? undefined : hops(route.nextHops);
    if (nextHops === undefined) removed.push(prefix);
    else routes.push({ prefix: (route as Route).prefix, nextHops });
  }
  return { routes, removed };
}
