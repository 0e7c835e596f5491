// struct rtmsg and its attributes for IPv4 routes of protocol 188, as both
// route installers send them (RTM_NEWROUTE, RTM_DELROUTE), and the routes
// the kernel dumps back read as KernelRoutes (include/uapi/linux/rtnetlink.h).
//
// Routes are encoded here into one buffer each, not with the `netlink`
// package's rt.formatRouteMessage: the installers send 100,000 of them in
// a burst, and the package builds a buffer per field and per attribute.
// The package still parses dumps (rt.RouteMessage).

import { endianness } from 'node:os';
import { rt } from './netlink-package.js';
import type { Prefix } from '../lib/ipv4.js';
import { compareHop, ROUTE_PROTOCOL_OSPF, type KernelNextHop, type KernelRoute } from './kernel-route.js';
import { AF_INET, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELROUTE, RTM_NEWROUTE, type BatchEncoder } from './netlink.js';

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

/** The destination of a dumped route. */
export function dumpedPrefix(r: rt.RouteMessage): Prefix {
  return { address: r.attrs.dst && r.attrs.dst.length === 4 ? r.attrs.dst.readUInt32BE(0) : 0, length: r.data.dstLen ?? 0 };
}

/** A dumped route as a KernelRoute (next hops sorted as normalise() sorts them). */
export function parseKernelRoute(r: rt.RouteMessage): KernelRoute {
  const nextHops = r.attrs.multipath
    ? parseMultipath(r.attrs.multipath)
    : [{ gateway: r.attrs.gateway && r.attrs.gateway.length === 4 ? r.attrs.gateway.readUInt32BE(0) : 0, ifIndex: r.attrs.oif ?? 0 }];
  nextHops.sort(compareHop);
  return { prefix: dumpedPrefix(r), nextHops };
}

/** A route message's protocol as a number (the package names the ones it knows). */
export function protocolNumber(protocol: rt.Route['protocol']): number | undefined {
  if (typeof protocol === 'number') return protocol;
  if (protocol === undefined) return undefined;
  return rt.RouteProtocol[protocol];
}

/** Whether a dumped route is one of ours: protocol 188 in `table`, and at `metric` when one is given. */
export function isOurs(r: rt.RouteMessage, table: number, metric?: number): boolean {
  return (
    r.data.family === AF_INET &&
    protocolNumber(r.data.protocol) === ROUTE_PROTOCOL_OSPF &&
    (r.attrs.table ?? r.data.table) === table &&
    (metric === undefined || (r.attrs.priority ?? 0) === metric)
  );
}
