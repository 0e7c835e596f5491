// struct rtmsg and its attributes for IPv4 routes of protocol 188, as both
// route installers send them (RTM_NEWROUTE, RTM_DELROUTE), and the routes
// the kernel dumps back read as KernelRoutes (include/uapi/linux/rtnetlink.h).
//
// Routes are encoded here into one buffer each, not with the `netlink`
// package's rt.formatRouteMessage: the installers send 100,000 of them in
// a burst, and the package builds a buffer per field and per attribute.
// Dumped routes are read straight from their messages too (dumpOurRoutes).

import { endianness } from 'node:os';
import type { Prefix } from '../lib/ipv4.js';
import { compareHop, ROUTE_PROTOCOL_OSPF, type KernelNextHop, type KernelRoute } from './kernel-route.js';
import { AF_INET, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE, type BatchEncoder, type Rtnetlink } from './netlink.js';

const RTN_UNICAST = 1;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_NOWHERE = 255;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_MULTIPATH = 9;
const RTA_TABLE = 15;
const RTA_NH_ID = 30;
/** struct rtmsg. */
const RTMSG_LENGTH = 12;
/** struct rtmsg with RTA_DST, RTA_TABLE and RTA_PRIORITY: an RTM_DELROUTE's payload. */
const RouteHeadLength = RTMSG_LENGTH + 24;
/** The payload of a route naming a nexthop group (RTA_NH_ID). */
export const GroupRouteLength = RouteHeadLength + 8;

const littleEndian = endianness() === 'LE';

/** What a route leads to: its paths (RTA_GATEWAY/RTA_OIF or RTA_MULTIPATH) or a nexthop group (RTA_NH_ID). */
export type RouteTarget = { nextHops: readonly KernelNextHop[] } | { nexthopId: number };

function writeU16(buf: Buffer, offset: number, value: number): void {
  if (littleEndian) buf.writeUInt16LE(value, offset);
  else buf.writeUInt16BE(value, offset);
}

function writeU32(buf: Buffer, offset: number, value: number): void {
  if (littleEndian) buf.writeUInt32LE(value >>> 0, offset);
  else buf.writeUInt32BE(value >>> 0, offset);
}

/** A 4-byte attribute (rta_len 8) at `offset`; network order for addresses. */
function u32Attr(buf: Buffer, offset: number, type: number, value: number, network = false): number {
  writeU16(buf, offset, 8);
  writeU16(buf, offset + 2, type);
  if (network) buf.writeUInt32BE(value >>> 0, offset + 4);
  else writeU32(buf, offset + 4, value);
  return offset + 8;
}

/** Bytes of the payload routeBytes() and writeRoute() make for `target`. */
export function routeLength(target?: RouteTarget): number {
  if (target === undefined) return RouteHeadLength;
  if ('nexthopId' in target) return GroupRouteLength;
  const hops = target.nextHops;
  if (hops.length === 1) return RouteHeadLength + ((hops[0] as KernelNextHop).gateway !== 0 ? 16 : 8);
  return RouteHeadLength + 4 + multipathLength(hops);
}

/**
 * RTM_NEWROUTE's payload with `target`, or, without one, RTM_DELROUTE's:
 * the delete matches our protocol, table, metric and `tos` only, scope
 * RT_SCOPE_NOWHERE. Scope link only for a route whose paths have no
 * gateway at all: the kernel refuses gateways under link scope, and takes
 * interface-only paths in universe scope.
 */
export function routeBytes(prefix: Prefix, table: number, metric: number, target?: RouteTarget, tos = 0): Buffer {
  const buf = Buffer.alloc(routeLength(target));
  writeRoute(buf, 0, prefix, table, metric, target, tos);
  return buf;
}

/** routeBytes() written at `at` in `buf`, where routeLength(target) bytes are zero. */
export function writeRoute(buf: Buffer, at: number, prefix: Prefix, table: number, metric: number, target?: RouteTarget, tos = 0): void {
  if (target === undefined) {
    writeHead(buf, at, prefix, table, metric, RT_SCOPE_NOWHERE, 0, tos);
    return;
  }
  if ('nexthopId' in target) {
    writeGroupRoute(buf, at, prefix, table, metric, target.nexthopId);
    return;
  }
  const hops = target.nextHops;
  const scope = hops.some((hop) => hop.gateway !== 0) ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  let next = writeHead(buf, at, prefix, table, metric, scope, RTN_UNICAST, tos);
  if (hops.length === 1) {
    const hop = hops[0] as KernelNextHop;
    if (hop.gateway !== 0) next = u32Attr(buf, next, RTA_GATEWAY, hop.gateway, true);
    u32Attr(buf, next, RTA_OIF, hop.ifIndex);
    return;
  }
  writeU16(buf, next, 4 + multipathLength(hops));
  writeU16(buf, next + 2, RTA_MULTIPATH);
  writeMultipath(buf, next + 4, hops);
}

/** RTM_NEWROUTE's payload for a route naming nexthop `nexthopId` (RTA_NH_ID), GroupRouteLength bytes at `at`, zero before. */
export function writeGroupRoute(buf: Buffer, at: number, prefix: Prefix, table: number, metric: number, nexthopId: number): void {
  u32Attr(buf, writeHead(buf, at, prefix, table, metric, RT_SCOPE_UNIVERSE, RTN_UNICAST, 0), RTA_NH_ID, nexthopId);
}

/** struct rtmsg with RTA_DST, RTA_TABLE and RTA_PRIORITY; where the next attribute goes. */
function writeHead(buf: Buffer, at: number, prefix: Prefix, table: number, metric: number, scope: number, type: number, tos: number): number {
  buf[at] = AF_INET;
  buf[at + 1] = prefix.length;
  buf[at + 3] = tos;
  // Tables above 255 only fit in RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC.
  buf[at + 4] = table < 256 ? table : 0;
  buf[at + 5] = ROUTE_PROTOCOL_OSPF;
  buf[at + 6] = scope;
  buf[at + 7] = type;
  const next = u32Attr(buf, at + RTMSG_LENGTH, RTA_DST, prefix.address, true);
  return u32Attr(buf, u32Attr(buf, next, RTA_TABLE, table), RTA_PRIORITY, metric);
}

function multipathLength(nextHops: readonly KernelNextHop[]): number {
  let length = 0;
  for (const hop of nextHops) length += hop.gateway !== 0 ? 16 : 8;
  return length;
}

/**
 * RTA_MULTIPATH payload: one struct rtnexthop { u16 len; u8 flags; u8 hops;
 * s32 ifindex } per path (host byte order), each followed by its nested
 * RTA_GATEWAY attribute (4 bytes of address, network order).
 */
export function multipathBytes(nextHops: readonly KernelNextHop[]): Buffer {
  const buf = Buffer.alloc(multipathLength(nextHops));
  writeMultipath(buf, 0, nextHops);
  return buf;
}

function writeMultipath(buf: Buffer, at: number, nextHops: readonly KernelNextHop[]): void {
  for (const hop of nextHops) {
    const length = hop.gateway !== 0 ? 16 : 8;
    writeU16(buf, at, length);
    if (littleEndian) buf.writeInt32LE(hop.ifIndex, at + 4);
    else buf.writeInt32BE(hop.ifIndex, at + 4);
    if (hop.gateway !== 0) {
      writeU16(buf, at + 8, 8);
      writeU16(buf, at + 10, RTA_GATEWAY);
      buf.writeUInt32BE(hop.gateway >>> 0, at + 12);
    }
    at += length;
  }
}

/**
 * RTM_NEWROUTE for each route, written in place: a route the kernel holds
 * from us (`replace[i]`) replaced (NLM_F_REPLACE), another created with
 * NLM_F_EXCL, which never overwrites another protocol's route at our metric.
 * With `nexthopIds` each route names its nexthop group by RTA_NH_ID;
 * without, it carries its paths.
 */
export function routePuts(routes: readonly KernelRoute[], replace: ArrayLike<boolean>, table: number, metric: number, nexthopIds?: ArrayLike<number>): BatchEncoder {
  return {
    type: () => RTM_NEWROUTE,
    flags: (i) => NLM_F_CREATE | (replace[i] === true ? NLM_F_REPLACE : NLM_F_EXCL),
    length: (i) => (nexthopIds === undefined ? routeLength(routes[i] as KernelRoute) : GroupRouteLength),
    write: (i, buf, at) => {
      const route = routes[i] as KernelRoute;
      if (nexthopIds === undefined) writeRoute(buf, at, route.prefix, table, metric, route);
      else writeGroupRoute(buf, at, route.prefix, table, metric, nexthopIds[i] as number);
    },
  };
}

/** RTM_DELROUTE for each prefix, of our protocol, `table` and `metric`, written in place. */
export function routeDeletes(prefixes: readonly Prefix[], table: number, metric: number): BatchEncoder {
  return {
    type: () => RTM_DELROUTE,
    flags: () => 0,
    length: () => RouteHeadLength,
    write: (i, buf, at) => writeRoute(buf, at, prefixes[i] as Prefix, table, metric),
  };
}

/** The paths of an RTA_MULTIPATH payload (see multipathBytes); stops at the first malformed entry. */
export function parseMultipath(bytes: Uint8Array): KernelNextHop[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hops: KernelNextHop[] = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    const length = view.getUint16(at, littleEndian);
    if (length < 8 || at + length > bytes.length) break;
    const hop: KernelNextHop = { gateway: 0, ifIndex: view.getInt32(at + 4, littleEndian) };
    // Nested attributes of this path: look for RTA_GATEWAY.
    let attr = at + 8;
    while (attr + 4 <= at + length) {
      const attrLength = view.getUint16(attr, littleEndian);
      if (attrLength < 4 || attr + attrLength > at + length) break;
      if (view.getUint16(attr + 2, littleEndian) === RTA_GATEWAY && attrLength >= 8) hop.gateway = view.getUint32(attr + 4);
      attr += (attrLength + 3) & ~3;
    }
    hops.push(hop);
    at += (length + 3) & ~3;
  }
  return hops;
}

/** One of our routes as a dump reports it: what the installers compare and delete by. */
export interface DumpedRoute extends KernelRoute {
  table: number;
  /** RTA_PRIORITY: the metric. */
  priority: number;
  tos: number;
  /** RTA_NH_ID: the route leads to a nexthop object or group (and has no paths of its own). */
  nhId: number | undefined;
}

/**
 * Every IPv4 route of protocol 188, in every table, read from the dump's
 * messages. Other routes are passed over at their rtmsg header. The
 * `netlink` package's parser builds an object per field and attribute of
 * every route, which at 400,000 routes held the daemon's only thread for
 * seconds and took hundreds of megabytes at each periodic kernel check.
 */
export async function dumpOurRoutes(netlink: Rtnetlink): Promise<DumpedRoute[]> {
  const request = new Uint8Array(RTMSG_LENGTH);
  request[0] = AF_INET;
  const routes: DumpedRoute[] = [];
  for (const message of await netlink.dump(RTM_GETROUTE, request, 'dump routes')) {
    if (message.type !== RTM_NEWROUTE) continue;
    const route = readOurRoute(message.data);
    if (route !== undefined) routes.push(route);
  }
  return routes;
}

/** An RTM_NEWROUTE payload (struct rtmsg, then its attributes) if it is an IPv4 route of protocol 188. */
export function readOurRoute(data: Uint8Array): DumpedRoute | undefined {
  if (data.length < RTMSG_LENGTH || data[0] !== AF_INET || data[5] !== ROUTE_PROTOCOL_OSPF) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const route: DumpedRoute = { prefix: { address: 0, length: data[1] as number }, nextHops: [], table: data[4] as number, priority: 0, tos: data[3] as number, nhId: undefined };
  let gateway = 0;
  let ifIndex = 0;
  let multipath: Uint8Array | undefined;
  for (let at = RTMSG_LENGTH; at + 4 <= data.length; ) {
    const length = view.getUint16(at, littleEndian);
    if (length < 4 || at + length > data.length) break;
    const value = at + 4;
    const size = length - 4;
    switch (view.getUint16(at + 2, littleEndian)) {
      case RTA_DST:
        if (size >= 4) route.prefix.address = view.getUint32(value);
        break;
      case RTA_TABLE:
        if (size >= 4) route.table = view.getUint32(value, littleEndian);
        break;
      case RTA_PRIORITY:
        if (size >= 4) route.priority = view.getUint32(value, littleEndian);
        break;
      case RTA_NH_ID:
        if (size >= 4) route.nhId = view.getUint32(value, littleEndian);
        break;
      case RTA_GATEWAY:
        if (size >= 4) gateway = view.getUint32(value);
        break;
      case RTA_OIF:
        if (size >= 4) ifIndex = view.getInt32(value, littleEndian);
        break;
      case RTA_MULTIPATH:
        multipath = data.subarray(value, at + length);
        break;
    }
    at += (length + 3) & ~3;
  }
  if (route.nhId === undefined) route.nextHops = (multipath !== undefined ? parseMultipath(multipath) : [{ gateway, ifIndex }]).sort(compareHop);
  return route;
}

/** Whether a dumped route of ours is in `table`, and at `metric` when one is given. */
export function inTable(r: DumpedRoute, table: number, metric?: number): boolean {
  return r.table === table && (metric === undefined || r.priority === metric);
}
