// What the route installers take and report: a kernel route as a prefix
// with its paths, checked and put in one order before anything reaches the
// kernel, and a number per prefix for the installers' tables.

import type { Prefix } from '../lib/ipv4.js';
import { formatIpv4, formatPrefix, maskFromLength } from '../lib/ipv4.js';

/** RTPROT_OSPF: the protocol of every route and nexthop object we install. */
export const ROUTE_PROTOCOL_OSPF = 188;
/** RT_TABLE_MAIN. */
export const MAIN_TABLE = 254;

/** One path: a gateway on the interface, or (gateway 0) the interface alone. */
export interface KernelNextHop {
  gateway: number;
  ifIndex: number;
}

export interface KernelRoute {
  prefix: Prefix;
  /** One or more paths; order does not matter (they are sorted). */
  nextHops: KernelNextHop[];
}

/** A route given to the installer is malformed (no next hop, host bits set…). */
export class InvalidRouteError extends Error {
  override name = 'InvalidRouteError';
}

/** A prefix as one number, address × 64 + length (exact below 2^53): the installers' map key. */
export function prefixKey(prefix: Prefix): number {
  return prefix.address * 64 + prefix.length;
}

/** `then` with every route normalised; an InvalidRouteError rejects before it runs. */
export function whenNormal<T>(routes: readonly KernelRoute[], then: (normal: KernelRoute[]) => Promise<T>): Promise<T> {
  let normal: KernelRoute[];
  try {
    normal = routes.map((r) => normalise(r));
  } catch (error) {
    return Promise.reject(error);
  }
  return then(normal);
}

/** Validate a route and sort and de-duplicate its next hops. Throws InvalidRouteError. */
export function normalise(route: KernelRoute): KernelRoute {
  const { address, length } = route.prefix;
  if (!Number.isInteger(length) || length < 0 || length > 32) throw new InvalidRouteError(`bad prefix length ${length}`);
  if (!Number.isInteger(address) || address < 0 || address > 0xffffffff || ((address & maskFromLength(length)) >>> 0) !== address) {
    throw new InvalidRouteError(`bad prefix ${formatIpv4(address)}/${length}`);
  }
  const hops = route.nextHops;
  for (const hop of hops) {
    if (!Number.isInteger(hop.ifIndex) || hop.ifIndex <= 0 || hop.ifIndex > 0x7fffffff) throw new InvalidRouteError(`bad ifIndex ${hop.ifIndex} for ${formatPrefix(route.prefix)}`);
    if (!Number.isInteger(hop.gateway) || hop.gateway < 0 || hop.gateway > 0xffffffff) throw new InvalidRouteError(`bad gateway for ${formatPrefix(route.prefix)}`);
  }
  if (hops.length === 0) throw new InvalidRouteError(`no next hop for ${formatPrefix(route.prefix)}`);
  // A route already in order is kept as it is: the installers hold it, and at
  // scale a copy per route would double what the FIB costs in memory.
  let ordered = true;
  for (let i = 1; i < hops.length && ordered; i++) ordered = compareHop(hops[i - 1] as KernelNextHop, hops[i] as KernelNextHop) < 0;
  if (ordered) return route;
  const seen = new Map<string, KernelNextHop>();
  for (const hop of hops) seen.set(`${hop.gateway}/${hop.ifIndex}`, { gateway: hop.gateway, ifIndex: hop.ifIndex });
  const nextHops = [...seen.values()].sort(compareHop);
  return { prefix: { address, length }, nextHops };
}

export function compareHop(x: KernelNextHop, y: KernelNextHop): number {
  return x.gateway - y.gateway || x.ifIndex - y.ifIndex;
}

/** Same paths, both sorted as normalise() sorts them. */
export function sameNextHops(x: KernelRoute, y: KernelRoute): boolean {
  return (
    x.nextHops.length === y.nextHops.length &&
    x.nextHops.every((hop, i) => hop.gateway === y.nextHops[i]?.gateway && hop.ifIndex === y.nextHops[i]?.ifIndex)
  );
}

export function comparePrefix(x: KernelRoute, y: KernelRoute): number {
  return x.prefix.address - y.prefix.address || x.prefix.length - y.prefix.length;
}

export function describeHop(hop: KernelNextHop): string {
  return `${hop.gateway !== 0 ? `via ${formatIpv4(hop.gateway)} ` : ''}ifindex ${hop.ifIndex}`;
}

export function describeRoute(route: KernelRoute, table: number, metric: number): string {
  return `${formatPrefix(route.prefix)} [${route.nextHops.map(describeHop).join(', ')}] metric ${metric} table ${table}`;
}
