// Installs the routes OSPF computed into a Linux routing table over
// rtnetlink, as protocol 188 ("ospf" in /etc/iproute2/rt_protos), with a
// next hop per equal-cost path (RTA_MULTIPATH) or a single RTA_GATEWAY/RTA_OIF.
//
//   start:     sweep()          delete every proto-188 route of the table (a crashed run's)
//              inherit()        or, after a graceful restart, take them as installed:
//                               the first sync replaces or deletes them
//   each SPF:  sync(desired)    add / replace / delete only what differs from the last sync
//   now and then, and after an interface went down: refresh()
//              re-read what the kernel holds (it flushes routes through a
//              downed interface, an operator may delete some) and re-apply
//   shutdown:  removeAll()
//
// A changed route is replaced in place (NLM_F_CREATE|NLM_F_REPLACE): no
// delete-then-add window without a route. A route this installer has not
// installed yet is created with NLM_F_CREATE|NLM_F_EXCL, because the kernel
// matches REPLACE on (prefix, TOS, metric) only and would otherwise
// overwrite another protocol's route that happens to share the metric;
// such a clash comes back as a RouteInstallError with EEXIST. Deletions name
// protocol 188, which the kernel checks, so no other protocol's route is
// ever touched.
//
// The `netlink` package encodes rtmsg and the plain attributes; it leaves
// RTA_MULTIPATH as bytes, so the rtnexthop array is built here. Its request
// helper turns kernel errors into bare messages, so requests are sent with
// checkError off and the errno is read from the NLMSG_ERROR reply.

import { endianness } from 'node:os';
import { getSystemErrorName } from 'node:util';
import { AttrStream, parseError, rt } from 'netlink';
import type { NetlinkMessage, RtNetlinkSocket } from 'netlink';
import { createRtNetlink } from 'netlink';
import type { Prefix } from '../lib/ipv4.js';
import { formatIpv4, formatPrefix, maskFromLength } from '../lib/ipv4.js';
import { NetlinkRequestError, RouteInstallError, wrapNetlinkError as wrapError } from './errors.js';

/** RTPROT_OSPF. */
export const ROUTE_PROTOCOL_OSPF = 188;
/** RT_TABLE_MAIN. */
export const MAIN_TABLE = 254;

const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const NLMSG_ERROR = 2;
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const AF_INET = 2;
const RTN_UNICAST = 1;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_NOWHERE = 255;
const RTA_GATEWAY = 5;

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

export interface RouteInstallerOptions {
  /** Routing table id (default 254, main). */
  table?: number;
  /** Route metric, RTA_PRIORITY (default 20, as FRR's ospfd). */
  metric?: number;
  /** Limit for each kernel request, in milliseconds (default 5000). */
  timeoutMs?: number;
}

export interface SyncResult {
  added: Prefix[];
  replaced: Prefix[];
  removed: Prefix[];
  unchanged: number;
  /** Changes the kernel refused; they are retried by the next sync. */
  failed: RouteInstallError[];
}

/** A route given to the installer is malformed (no next hop, host bits set…). */
export class InvalidRouteError extends Error {
  override name = 'InvalidRouteError';
}

const littleEndian = endianness() === 'LE';

/** Installs and tracks this router's OSPF routes in one kernel table. */
export class RouteInstaller {
  readonly table: number;
  readonly metric: number;
  private readonly timeoutMs: number;
  private readonly socket: RtNetlinkSocket;
  /** What the kernel holds from us, keyed by "a.b.c.d/len". */
  private readonly current = new Map<string, KernelRoute>();
  /** The routes of the last sync, for refresh(). */
  private desired = new Map<string, KernelRoute>();
  /** Operations run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: RouteInstallerOptions = {}) {
    this.table = options.table ?? MAIN_TABLE;
    this.metric = options.metric ?? 20;
    this.timeoutMs = options.timeoutMs ?? 5000;
    if (!Number.isInteger(this.table) || this.table < 1 || this.table > 0xffffffff) throw new InvalidRouteError(`bad table ${this.table}`);
    if (!Number.isInteger(this.metric) || this.metric < 0 || this.metric > 0xffffffff) throw new InvalidRouteError(`bad metric ${this.metric}`);
    try {
      this.socket = createRtNetlink();
    } catch (error) {
      throw wrapError('open rtnetlink socket', error);
    }
  }

  /** Routes installed by this installer, sorted by prefix. */
  installed(): KernelRoute[] {
    return [...this.current.values()].sort(comparePrefix);
  }

  /** The route installed for one prefix, if any. */
  installedRoute(prefix: Prefix): KernelRoute | undefined {
    return this.current.get(formatPrefix(prefix));
  }

  /**
   * Delete every protocol-188 IPv4 route in the table, whoever left it (a
   * previous run that crashed). Returns the prefixes deleted.
   */
  sweep(): Promise<Prefix[]> {
    return this.serial(async () => {
      const stale = await this.dumpOurs();
      const removed: Prefix[] = [];
      for (const r of stale) {
        const prefix: Prefix = { address: r.attrs.dst ? r.attrs.dst.readUInt32BE(0) : 0, length: r.data.dstLen ?? 0 };
        const metric = r.attrs.priority ?? 0;
        const reply = await this.request(RTM_DELROUTE, 0, deleteMessage(prefix, this.table, metric, r.data.tos ?? 0));
        // ESRCH: gone meanwhile, which is what we wanted.
        if (reply.errno !== 0 && reply.errno !== 3) {
          throw new RouteInstallError('delete', reply.errno, reply.code, { prefix, nextHops: [] }, `${formatPrefix(prefix)} metric ${metric} table ${this.table}`);
        }
        removed.push(prefix);
        this.current.delete(formatPrefix(prefix));
      }
      return removed.sort((x, y) => comparePrefix({ prefix: x, nextHops: [] }, { prefix: y, nextHops: [] }));
    });
  }

  /**
   * After a graceful restart (RFC 3623 2.2): the table's protocol-188 routes
   * at our metric, left by the previous run, are taken as installed, so the
   * first sync replaces them in place and deletes only those no longer
   * wanted. Returns their prefixes.
   */
  inherit(): Promise<Prefix[]> {
    return this.serial(async () => {
      await this.readInstalled();
      return [...this.current.values()].map((r) => r.prefix);
    });
  }

  /**
   * Bring the table to `desired`: add, replace and delete only what changed.
   * Rejects with InvalidRouteError, before touching anything, when a route
   * is malformed; kernel refusals are reported in the result instead.
   */
  sync(desired: readonly KernelRoute[]): Promise<SyncResult> {
    const wanted = new Map<string, KernelRoute>();
    try {
      for (const route of desired) {
        const normal = normalise(route);
        wanted.set(formatPrefix(normal.prefix), normal);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.serial(async () => {
      this.desired = wanted;
      return this.apply(wanted);
    });
  }

  /**
   * Add or replace `routes` and delete `removed`; the other routes of the
   * last sync stay wanted. Rejects with InvalidRouteError, before touching
   * anything, when a route is malformed.
   */
  update(routes: readonly KernelRoute[], removed: readonly Prefix[]): Promise<SyncResult> {
    return whenNormal(routes, (normal) =>
      this.serial(async () => {
        const wanted = new Map(this.desired);
        for (const prefix of removed) wanted.delete(formatPrefix(prefix));
        for (const route of normal) wanted.set(formatPrefix(route.prefix), route);
        this.desired = wanted;
        return this.apply(wanted);
      }),
    );
  }

  /**
   * Re-read this table's protocol-188 routes at our metric, take them as
   * what is installed, and re-apply the routes of the last sync: routes the
   * kernel flushed (an interface went down, an address was removed) or an
   * operator deleted come back, changed ones are replaced.
   */
  refresh(): Promise<SyncResult> {
    return this.serial(async () => {
      await this.readInstalled();
      return this.apply(this.desired);
    });
  }

  /** Take this table's protocol-188 routes at our metric, as the kernel holds them now, as what is installed. */
  private async readInstalled(): Promise<void> {
    this.current.clear();
    for (const r of await this.dumpOurs()) {
      if ((r.attrs.priority ?? 0) !== this.metric || (r.data.tos ?? 0) !== 0) continue;
      const route = parseKernelRoute(r);
      this.current.set(formatPrefix(route.prefix), route);
    }
  }

  /** Add, replace and delete until the kernel holds `wanted` (as far as it accepts). */
  private async apply(wanted: Map<string, KernelRoute>): Promise<SyncResult> {
    const result: SyncResult = { added: [], replaced: [], removed: [], unchanged: 0, failed: [] };
    for (const route of [...wanted.values()].sort(comparePrefix)) {
      const have = this.current.get(formatPrefix(route.prefix));
      if (have && sameNextHops(have, route)) {
        result.unchanged += 1;
        continue;
      }
      const failure = await this.put(route, have !== undefined);
      if (failure) result.failed.push(failure);
      else (have ? result.replaced : result.added).push(route.prefix);
    }
    for (const route of this.installed()) {
      if (wanted.has(formatPrefix(route.prefix))) continue;
      const failure = await this.delete(route);
      if (failure) result.failed.push(failure);
      else result.removed.push(route.prefix);
    }
    return result;
  }

  /** The table's IPv4 routes of protocol 188, any metric. */
  private async dumpOurs(): Promise<rt.RouteMessage[]> {
    let routes: rt.RouteMessage[];
    try {
      routes = await this.socket.getRoutes({ family: AF_INET }, {}, { timeout: this.timeoutMs });
    } catch (error) {
      throw wrapError('dump routes', error);
    }
    return routes.filter(
      (r) => r.data.family === AF_INET && protocolNumber(r.data.protocol) === ROUTE_PROTOCOL_OSPF && (r.attrs.table ?? r.data.table) === this.table,
    );
  }

  /** Delete every route this installer holds (clean shutdown). */
  removeAll(): Promise<SyncResult> {
    return this.sync([]);
  }

  close(): void {
    this.socket.socket.close();
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async put(route: KernelRoute, known: boolean): Promise<RouteInstallError | undefined> {
    const flags = NLM_F_CREATE | (known ? NLM_F_REPLACE : NLM_F_EXCL);
    const reply = await this.request(RTM_NEWROUTE, flags, routeMessage(route, this.table, this.metric));
    if (reply.errno !== 0) return new RouteInstallError(known ? 'replace' : 'add', reply.errno, reply.code, route, describeRoute(route, this.table, this.metric));
    this.current.set(formatPrefix(route.prefix), route);
    return undefined;
  }

  private async delete(route: KernelRoute): Promise<RouteInstallError | undefined> {
    const reply = await this.request(RTM_DELROUTE, 0, deleteMessage(route.prefix, this.table, this.metric, 0));
    // ESRCH: someone else removed it already; it is not ours to track any more.
    if (reply.errno !== 0 && reply.errno !== 3) return new RouteInstallError('delete', reply.errno, reply.code, route, describeRoute(route, this.table, this.metric));
    this.current.delete(formatPrefix(route.prefix));
    return undefined;
  }

  /** Send one request and read the kernel's NLMSG_ERROR answer (errno 0 = done). */
  private async request(type: number, flags: number, message: rt.RouteMessage): Promise<{ errno: number; code: string }> {
    const stream = new AttrStream();
    rt.formatRouteMessage(message, stream);
    let replies: NetlinkMessage[];
    try {
      [replies] = await this.socket.socket.request(type, stream.bufs, { flags, checkError: false, timeout: this.timeoutMs });
    } catch (error) {
      throw wrapError(type === RTM_NEWROUTE ? 'route add/replace' : 'route delete', error);
    }
    const reply = replies[0];
    if (!reply || reply.type !== NLMSG_ERROR) throw new NetlinkRequestError('route request', 0, 'unexpected reply');
    let errno: number;
    try {
      errno = -parseError(reply.data, reply.flags).errno;
    } catch (error) {
      throw wrapError('route request', error);
    }
    return { errno, code: errno === 0 ? 'OK' : errnoName(errno) };
  }
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

/** rtmsg plus attributes for RTM_NEWROUTE. */
function routeMessage(route: KernelRoute, table: number, metric: number): rt.RouteMessage {
  // Scope link only for a route with no gateway at all: the kernel refuses
  // gateways under link scope, and takes interface-only paths in universe scope.
  const anyGateway = route.nextHops.some((hop) => hop.gateway !== 0);
  const attrs: rt.RouteAttrs = { dst: addressBytes(route.prefix.address), table, priority: metric };
  if (route.nextHops.length === 1) {
    const hop = route.nextHops[0] as KernelNextHop;
    if (hop.gateway !== 0) attrs.gateway = addressBytes(hop.gateway);
    attrs.oif = hop.ifIndex;
  } else {
    attrs.multipath = multipathBytes(route.nextHops);
  }
  return {
    kind: 'route',
    data: {
      family: AF_INET,
      dstLen: route.prefix.length,
      srcLen: 0,
      tos: 0,
      // Tables above 255 only fit in RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC.
      table: table < 256 ? table : 0,
      protocol: ROUTE_PROTOCOL_OSPF,
      scope: anyGateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
      type: RTN_UNICAST,
    },
    attrs,
  };
}

/** rtmsg plus attributes for RTM_DELROUTE: matches our protocol and metric only. */
function deleteMessage(prefix: Prefix, table: number, metric: number, tos: number): rt.RouteMessage {
  return {
    kind: 'route',
    data: {
      family: AF_INET,
      dstLen: prefix.length,
      tos,
      table: table < 256 ? table : 0,
      protocol: ROUTE_PROTOCOL_OSPF,
      scope: RT_SCOPE_NOWHERE,
    },
    attrs: { dst: addressBytes(prefix.address), table, priority: metric },
  };
}

/**
 * RTA_MULTIPATH payload: one struct rtnexthop { u16 len; u8 flags; u8 hops;
 * s32 ifindex } per path (host byte order), each followed by its nested
 * RTA_GATEWAY attribute (4 bytes of address, network order).
 */
export function multipathBytes(nextHops: readonly KernelNextHop[]): Buffer {
  const parts = nextHops.map((hop) => {
    const length = hop.gateway !== 0 ? 16 : 8;
    const buf = Buffer.alloc(length);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    view.setUint16(0, length, littleEndian);
    view.setInt32(4, hop.ifIndex, littleEndian);
    if (hop.gateway !== 0) {
      view.setUint16(8, 8, littleEndian);
      view.setUint16(10, RTA_GATEWAY, littleEndian);
      buf.writeUInt32BE(hop.gateway >>> 0, 12);
    }
    return buf;
  });
  return Buffer.concat(parts);
}

/** A dumped route as a KernelRoute (next hops sorted as normalise() sorts them). */
function parseKernelRoute(r: rt.RouteMessage): KernelRoute {
  const prefix: Prefix = { address: r.attrs.dst && r.attrs.dst.length === 4 ? r.attrs.dst.readUInt32BE(0) : 0, length: r.data.dstLen ?? 0 };
  const nextHops = r.attrs.multipath
    ? parseMultipath(r.attrs.multipath)
    : [{ gateway: r.attrs.gateway && r.attrs.gateway.length === 4 ? r.attrs.gateway.readUInt32BE(0) : 0, ifIndex: r.attrs.oif ?? 0 }];
  nextHops.sort((x, y) => x.gateway - y.gateway || x.ifIndex - y.ifIndex);
  return { prefix, nextHops };
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

function addressBytes(address: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(address >>> 0, 0);
  return buf;
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
  const seen = new Map<string, KernelNextHop>();
  for (const hop of route.nextHops) {
    if (!Number.isInteger(hop.ifIndex) || hop.ifIndex <= 0 || hop.ifIndex > 0x7fffffff) throw new InvalidRouteError(`bad ifIndex ${hop.ifIndex} for ${formatPrefix(route.prefix)}`);
    if (!Number.isInteger(hop.gateway) || hop.gateway < 0 || hop.gateway > 0xffffffff) throw new InvalidRouteError(`bad gateway for ${formatPrefix(route.prefix)}`);
    seen.set(`${hop.gateway}/${hop.ifIndex}`, { gateway: hop.gateway, ifIndex: hop.ifIndex });
  }
  if (seen.size === 0) throw new InvalidRouteError(`no next hop for ${formatPrefix(route.prefix)}`);
  const nextHops = [...seen.values()].sort((x, y) => x.gateway - y.gateway || x.ifIndex - y.ifIndex);
  return { prefix: { address, length }, nextHops };
}

function sameNextHops(x: KernelRoute, y: KernelRoute): boolean {
  return (
    x.nextHops.length === y.nextHops.length &&
    x.nextHops.every((hop, i) => hop.gateway === y.nextHops[i]?.gateway && hop.ifIndex === y.nextHops[i]?.ifIndex)
  );
}

export function comparePrefix(x: KernelRoute, y: KernelRoute): number {
  return x.prefix.address - y.prefix.address || x.prefix.length - y.prefix.length;
}

/** The package reports known protocols by name ('OSPF') and others by number. */
/** A route message's protocol as a number (the package names the ones it knows). */
export function protocolNumber(protocol: rt.Route['protocol']): number | undefined {
  if (typeof protocol === 'number') return protocol;
  if (protocol === undefined) return undefined;
  return rt.RouteProtocol[protocol];
}

function describeRoute(route: KernelRoute, table: number, metric: number): string {
  const hops = route.nextHops.map((hop) => `${hop.gateway !== 0 ? `via ${formatIpv4(hop.gateway)} ` : ''}ifindex ${hop.ifIndex}`).join(', ');
  return `${formatPrefix(route.prefix)} [${hops}] metric ${metric} table ${table}`;
}
