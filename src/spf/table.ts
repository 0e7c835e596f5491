// The OSPF routing table (RFC 2328 11) as the SPF produces it: one route per
// destination prefix with its path type, costs and ECMP next hops, the
// routes to area border and AS boundary routers, and the diff of two tables.

import type { Prefix } from '../lib/ipv4.js';

/** Path types in order of preference, RFC 2328 11 and 16.4 (6). */
export type PathType = 'intra-area' | 'inter-area' | 'external-1' | 'external-2';

export interface NextHop {
  /** The next router's interface address; 0 for a directly attached destination. */
  readonly address: number;
  /** The outgoing interface. */
  readonly ifName: string;
}

export interface Route {
  readonly prefix: Prefix;
  readonly pathType: PathType;
  /** Intra/inter-area cost; for externals the cost to the ASBR or forwarding address plus, for type 1, the external metric. */
  readonly cost: number;
  /** The type-2 external metric (RFC 2328 16.4 (6)); 0 for every other path type. */
  readonly type2Cost: number;
  /** Sorted by (address, ifName), at most maximumPaths of them. */
  readonly nextHops: readonly NextHop[];
}

/** A route to an area border or AS boundary router (RFC 2328 11: "Destination Type" router). */
export interface RouterRoute {
  readonly routerId: number;
  readonly pathType: 'intra-area' | 'inter-area';
  readonly cost: number;
  /** B-bit of its router-LSA (intra-area routes only). */
  readonly abr: boolean;
  /** E-bit of its router-LSA, or learned from an ASBR-summary-LSA. */
  readonly asbr: boolean;
  readonly nextHops: readonly NextHop[];
}

export type RouteChange =
  | { readonly kind: 'add'; readonly prefix: Prefix; readonly route: Route }
  | { readonly kind: 'replace'; readonly prefix: Prefix; readonly route: Route; readonly previous: Route }
  | { readonly kind: 'remove'; readonly prefix: Prefix; readonly previous: Route };

/** What the SPF exposes of its table; it is updated in place by every calculation. */
export interface RouteTableView {
  readonly size: number;
  get(prefix: Prefix): Route | undefined;
  /** Every route, sorted by (address, length). */
  routes(): Route[];
  /** Routes to ABRs and ASBRs, sorted by router id. */
  routerRoutes(): RouterRoute[];
}

/** Orders next hops by address, then interface name (STYLE 10: sorted before trimming). */
export function compareNextHops(a: NextHop, b: NextHop): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.ifName < b.ifName ? -1 : a.ifName > b.ifName ? 1 : 0;
}

export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.length - b.length;
}

export function sameNextHops(a: readonly NextHop[], b: readonly NextHop[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].address !== b[i].address || a[i].ifName !== b[i].ifName) return false;
  }
  return true;
}

export function sameRoute(a: Route, b: Route): boolean {
  return (
    a === b ||
    (a.pathType === b.pathType && a.cost === b.cost && a.type2Cost === b.type2Cost && sameNextHops(a.nextHops, b.nextHops))
  );
}

/** What changed from `before` to `after`, sorted by prefix: what a FIB needs to apply. */
export function diffTables(before: Iterable<Route>, after: Iterable<Route>): RouteChange[] {
  const key = (p: Prefix): string => `${p.address}/${p.length}`;
  const old = new Map<string, Route>();
  for (const route of before) old.set(key(route.prefix), route);
  const changes: RouteChange[] = [];
  for (const route of after) {
    const k = key(route.prefix);
    const previous = old.get(k);
    if (previous === undefined) changes.push({ kind: 'add', prefix: route.prefix, route });
    else {
      old.delete(k);
      if (!sameRoute(previous, route)) changes.push({ kind: 'replace', prefix: route.prefix, route, previous });
    }
  }
  for (const previous of old.values()) changes.push({ kind: 'remove', prefix: previous.prefix, previous });
  return changes.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
}
