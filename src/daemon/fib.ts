// From the OSPF routing table to the kernel routes the daemon installs: one
// route per prefix reached through at least one gateway, with every ECMP
// next hop. Destinations on directly attached networks are left to the
// kernel's own connected routes, as FRR's zebra does.

import type { InterfaceInfo } from '../core/api.js';
import type { KernelNextHop, KernelRoute } from '../io/routes.js';
import type { Route } from '../spf/index.js';

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
