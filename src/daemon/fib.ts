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
  for (const route of routes) {
    if (!route.nextHops.some((h) => h.address !== 0)) continue;
    const nextHops: KernelNextHop[] = [];
    for (const hop of route.nextHops) {
      const info = interfaces.get(hop.ifName);
      if (info === undefined || !info.up) continue;
      nextHops.push({ gateway: hop.address >>> 0, ifIndex: info.ifIndex });
    }
    if (nextHops.length > 0) out.push({ prefix: route.prefix, nextHops });
  }
  return out;
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
  for (const prefix of prefixes) {
    const route = table.get(prefix);
    const kernel = route === undefined ? [] : kernelRoutes([route], interfaces);
    if (kernel.length === 0) removed.push(prefix);
    else routes.push(...kernel);
  }
  return { routes, removed };
}
