// Installs OSPF routes as kernel nexthop objects (Linux 5.3+): one nexthop
// object per (gateway, interface), one nexthop group per distinct set of
// next hops — resilient (Linux 5.13+) or hash-threshold — shared by every
// prefix that uses that set, and routes that name their group with
// RTA_NH_ID. Every object carries protocol 188, like the routes.
//
//   start:     sweep()          proto-188 routes of the table, then proto-188 groups, then nexthops
//   each SPF:  sync(desired)    1. nexthop objects for new (gateway, ifindex) pairs
//                               2. groups whose prefixes all moved to a new set: members replaced in place
//                               3. new groups; routes added or re-pointed (RTA_NH_ID)
//                               4. routes, groups and nexthop objects nobody uses any more deleted
//   shutdown:  removeAll()
//   reload:    setGroup(group)  the next sync replaces resilient timers in place, or gives
//                               every route a group of the new kind or bucket count
//
// Why groups are changed in place: a route keeps its RTA_NH_ID while its
// group's members change (RTM_NEWNEXTHOP with NLM_F_REPLACE on the group
// id), so the route is never rewritten and never without a path. For a
// resilient group the kernel moves only the buckets of a member that left,
// and hands buckets to a member that joined as they fall idle
// (net/ipv4/nexthop.c, nh_res_table_upkeep), so flows of members that stay
// keep their member. A group whose prefixes split over different new sets
// keeps the set most of them want; the others move to the group of their
// set. Two groups may then hold the same set for a while: each keeps its own
// flow-to-member mapping, which is what keeps its flows in place.
//
// The kernel removes nexthop objects of an interface that goes down, with
// the groups left empty and the routes using them (nexthop_flush_dev). A
// request that fails therefore makes the next sync read back what the kernel
// still holds before planning.
//
// Kernels without nexthop objects (before Linux 5.3) answer the first
// request, an RTM_GETNEXTHOP dump, with EOPNOTSUPP (or EINVAL); then every
// call goes to the RTA_MULTIPATH RouteInstaller, after a warning
// (nexthopSupport() reads the answer). `nexthopObjects: false` takes that
// path on any kernel.

import { endianness } from 'node:os';
import { getSystemErrorName } from 'node:util';
import { createRtNetlink, parseError, type rt } from 'netlink';
import type { NetlinkMessage, RtNetlinkSocket } from 'netlink';
import type { MultipathGroup } from '../config/types.js';
import { NetlinkRequestError, RouteInstallError, wrapNetlinkError as wrapError } from '../io/errors.js';
import { comparePrefix, MAIN_TABLE, normalise, protocolNumber, ROUTE_PROTOCOL_OSPF, RouteInstaller, whenNormal, type KernelNextHop, type KernelRoute, type SyncResult } from '../io/routes.js';
import { NetlinkBatcher, type BatchReply, type BatchRequest } from '../io/netlink-batch.js';
import { formatIpv4, formatPrefix, type Prefix } from '../lib/ipv4.js';

/** What the daemon needs from a route installer; RouteInstaller and NexthopInstaller both are one. */
export interface FibInstaller {
  sweep(): Promise<Prefix[]>;
  /** After a graceful restart: the previous run's routes taken as installed, for the first sync to replace or delete. */
  inherit(): Promise<Prefix[]>;
  sync(desired: readonly KernelRoute[]): Promise<SyncResult>;
  /** Add or replace some routes and delete others, the rest left as they are. */
  update(routes: readonly KernelRoute[], removed: readonly Prefix[]): Promise<SyncResult>;
  /** Re-read what the kernel holds and re-apply the last sync. */
  refresh(): Promise<SyncResult>;
  removeAll(): Promise<SyncResult>;
  installed(): KernelRoute[];
  /** The route installed for one prefix, if any (without copying the rest). */
  installedRoute(prefix: Prefix): KernelRoute | undefined;
  close(): void;
}

export type GroupKind = MultipathGroup['kind'];

/** One nexthop group as installed: its kernel id, kind and members. */
export interface GroupView {
  id: number;
  kind: GroupKind;
  nextHops: KernelNextHop[];
}

export interface NexthopInstallerOptions {
  /** The group kind every multipath set gets (resilient or hash-threshold). */
  group: MultipathGroup;
  /** Routing table id (default 254, main). */
  table?: number;
  /** Route metric, RTA_PRIORITY (default 20). */
  metric?: number;
  /** Limit for each kernel request, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** First nexthop id tried for new objects (default 188,000,000); taken ids are skipped. */
  idBase?: number;
  /** Told once when the kernel has no nexthop objects and the RTA_MULTIPATH installer takes over. */
  onFallback?: (reason: string) => void;
  /**
   * false: install RTA_MULTIPATH routes as on a kernel without nexthop
   * objects, with the same warning (how that path is tested on newer
   * kernels). Default: ask the kernel.
   */
  nexthopObjects?: boolean;
}

/**
 * What the first reply to an RTM_GETNEXTHOP dump says about the kernel: an
 * NLMSG_ERROR with EOPNOTSUPP (rtnetlink before Linux 5.3 refuses message
 * types it does not know) or EINVAL means no nexthop objects; nexthop
 * messages or NLMSG_DONE mean they exist. Any other error is a failure.
 */
export function nexthopSupport(first: Pick<NetlinkMessage, 'type' | 'flags' | 'data'> | undefined): { supported: true } | { supported: false; code: string } {
  if (first === undefined || first.type !== NLMSG_ERROR) return { supported: true };
  let errno: number;
  try {
    errno = -parseError(first.data, first.flags).errno;
  } catch (error) {
    throw wrapError('dump nexthops', error);
  }
  if (errno === 0) return { supported: true };
  // Node names 95 ENOTSUP (the same number on Linux); the kernel's source says EOPNOTSUPP.
  if (errno === EOPNOTSUPP) return { supported: false, code: 'EOPNOTSUPP' };
  if (errno === EINVAL) return { supported: false, code: 'EINVAL' };
  throw new NexthopInstallError('dump', errno, errnoName(errno), `dump nexthops: ${errnoName(errno)}`);
}

/** The kernel refused to create, change or delete a nexthop object or group. */
export class NexthopInstallError extends NetlinkRequestError {
  override name = 'NexthopInstallError';
}

const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const RTM_NEWNEXTHOP = 104;
const RTM_DELNEXTHOP = 105;
const RTM_GETNEXTHOP = 106;
const NLMSG_ERROR = 2;
const NLM_F_DUMP = 0x300;
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLA_F_NESTED = 0x8000;
const AF_UNSPEC = 0;
const AF_INET = 2;
const RTN_UNICAST = 1;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_NOWHERE = 255;
const RTA_DST = 1;
const RTA_PRIORITY = 6;
const RTA_TABLE = 15;
const RTA_NH_ID = 30;
const ESRCH = 3;
const ENOENT = 2;
const EEXIST = 17;
const EINVAL = 22;
const EOPNOTSUPP = 95;
// include/uapi/linux/nexthop.h
const NHA_ID = 1;
const NHA_GROUP = 2;
const NHA_GROUP_TYPE = 3;
const NHA_OIF = 5;
const NHA_GATEWAY = 6;
const NHA_RES_GROUP = 12;
const NHA_RES_GROUP_BUCKETS = 1;
const NHA_RES_GROUP_IDLE_TIMER = 2;
const NHA_RES_GROUP_UNBALANCED_TIMER = 3;
const NEXTHOP_GRP_TYPE_MPATH = 0;
const NEXTHOP_GRP_TYPE_RES = 1;
/** The resilient group timers are clock_t: USER_HZ (100) ticks a second. */
const USER_HZ = 100;

const littleEndian = endianness() === 'LE';
/** The group of a route the previous run left (inherit()): none of ours. */
const InheritedGroup = -1;

interface HopObject {
  id: number;
  hop: KernelNextHop;
}

interface GroupObject {
  id: number;
  /** Sorted members; key is their setKey(). */
  hops: KernelNextHop[];
  key: string;
  /** Prefixes ("a.b.c.d/len") whose route names this group. */
  users: Set<string>;
  /** The `multipath group` setting it was created with. */
  spec: MultipathGroup;
}

/** Installs routes as nexthop groups, falling back to RTA_MULTIPATH on old kernels. */
export class NexthopInstaller implements FibInstaller {
  readonly table: number;
  readonly metric: number;
  private spec: MultipathGroup;
  private readonly timeoutMs: number;
  private readonly socket: RtNetlinkSocket;
  private readonly batcher: NetlinkBatcher;
  private readonly onFallback: ((reason: string) => void) | undefined;
  private readonly nexthopObjects: boolean | undefined;
  /** Sweeps the table's proto-188 routes, and takes over entirely on kernels without nexthop objects. */
  private readonly legacy: RouteInstaller;
  private fallback = false;
  private probed = false;
  private nextId: number;
  private readonly hops = new Map<string, HopObject>();
  private readonly groups = new Map<number, GroupObject>();
  /** Installed routes by prefix, with the group each names. */
  private readonly routes = new Map<string, { route: KernelRoute; group: number }>();
  /** The routes of the last sync, for refresh(). */
  private desired = new Map<string, KernelRoute>();
  /**
   * The previous run's nexthop objects, groups first, kept through a
   * graceful restart while its routes name them (inherit()); deleted once
   * every route has been replaced or deleted.
   */
  private inheritedObjects: number[] = [];
  /** Set when a request failed: the next sync reads the kernel's state first. */
  private suspect = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: NexthopInstallerOptions) {
    this.table = options.table ?? MAIN_TABLE;
    this.metric = options.metric ?? 20;
    this.spec = checkGroup(options.group);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.nextId = options.idBase ?? 188_000_000;
    this.onFallback = options.onFallback;
    this.nexthopObjects = options.nexthopObjects;
    if (!Number.isInteger(this.nextId) || this.nextId < 1 || this.nextId > 0x7fff0000) throw new RangeError(`bad nexthop id base ${this.nextId}`);
    this.legacy = new RouteInstaller({ table: this.table, metric: this.metric, timeoutMs: this.timeoutMs });
    try {
      this.socket = createRtNetlink();
    } catch (error) {
      this.legacy.close();
      throw wrapError('open rtnetlink socket', error);
    }
    this.batcher = new NetlinkBatcher(this.socket.socket, this.timeoutMs);
  }

  /** The group kind and parameters new groups get. */
  get group(): MultipathGroup {
    return this.spec;
  }

  /**
   * A new `multipath group` setting (configuration reload), applied by the
   * next sync. New timers of a resilient group go in by replacing the group
   * in place (its flows stay). The kernel cannot change a group's kind or
   * bucket count in place, so such groups are no longer reused: the sync
   * creates groups with the new setting, re-points each route to its new
   * group by replace (never a hole), then deletes the old groups.
   * Throws RangeError on bad parameters.
   */
  setGroup(group: MultipathGroup): void {
    this.spec = checkGroup(group);
  }

  /** True when the kernel has no nexthop objects and routes go in as RTA_MULTIPATH. */
  get usingFallback(): boolean {
    return this.fallback;
  }

  installed(): KernelRoute[] {
    if (this.fallback) return this.legacy.installed();
    return [...this.routes.values()].map((r) => r.route).sort(comparePrefix);
  }

  installedRoute(prefix: Prefix): KernelRoute | undefined {
    if (this.fallback) return this.legacy.installedRoute(prefix);
    return this.routes.get(formatPrefix(prefix))?.route;
  }

  /** The group a prefix's route names, as installed; undefined when none (or on the fallback). */
  groupOf(prefix: Prefix): GroupView | undefined {
    const entry = this.routes.get(formatPrefix(prefix));
    const group = entry === undefined ? undefined : this.groups.get(entry.group);
    return group === undefined ? undefined : { id: group.id, kind: group.spec.kind, nextHops: group.hops.map((h) => ({ ...h })) };
  }

  /** Every group installed, by id. */
  installedGroups(): GroupView[] {
    return [...this.groups.values()].sort((x, y) => x.id - y.id).map((g) => ({ id: g.id, kind: g.spec.kind, nextHops: g.hops.map((h) => ({ ...h })) }));
  }

  /**
   * Delete what a previous run left: protocol-188 routes of the table, then
   * protocol-188 nexthop groups, then nexthop objects. The first request
   * tells whether the kernel has nexthop objects at all.
   */
  sweep(): Promise<Prefix[]> {
    return this.serial(async () => {
      const removed = await this.legacy.sweep();
      await this.probe();
      if (this.fallback) return removed;
      const objects = (await this.dumpNexthops()).filter((m) => m.data.protocol === ROUTE_PROTOCOL_OSPF);
      // Groups first: a nexthop object still in a group would only shrink it.
      const ordered = [...objects.filter((m) => m.attrs.group !== undefined), ...objects.filter((m) => m.attrs.group === undefined)];
      for (const message of ordered) {
        const id = message.attrs.id ?? 0;
        const reply = await this.request(RTM_DELNEXTHOP, 0, nexthopMessage(AF_UNSPEC, [u32Attr(NHA_ID, id)], 0), 'nexthop delete');
        // ENOENT: went with its last group or interface meanwhile.
        if (reply.errno !== 0 && reply.errno !== ENOENT) throw new NexthopInstallError('delete', reply.errno, reply.code, `delete stale nexthop ${id}: ${reply.code}`);
      }
      return removed;
    });
  }

  /**
   * After a graceful restart (RFC 3623 2.2): the table's protocol-188 routes
   * at our metric and the nexthop objects the previous run left are kept.
   * The routes count as installed in no group of ours, so the first sync
   * re-points each wanted one to a group of its own in place (replace) and
   * deletes the others; the old objects go once no route names them.
   */
  inherit(): Promise<Prefix[]> {
    return this.serial(async () => {
      await this.probe();
      if (this.fallback) return this.legacy.inherit();
      const objects = (await this.dumpNexthops()).filter((m) => m.data.protocol === ROUTE_PROTOCOL_OSPF);
      this.inheritedObjects = [...objects.filter((m) => m.attrs.group !== undefined), ...objects.filter((m) => m.attrs.group === undefined)].map((m) => m.attrs.id ?? 0);
      let kernelRoutes: rt.RouteMessage[];
      try {
        kernelRoutes = await this.socket.getRoutes({ family: AF_INET }, {}, { timeout: this.timeoutMs });
      } catch (error) {
        throw wrapError('dump routes', error);
      }
      const prefixes: Prefix[] = [];
      for (const r of kernelRoutes) {
        if (protocolNumber(r.data.protocol) !== ROUTE_PROTOCOL_OSPF || (r.attrs.table ?? r.data.table) !== this.table || (r.attrs.priority ?? 0) !== this.metric) continue;
        const prefix = { address: r.attrs.dst ? r.attrs.dst.readUInt32BE(0) : 0, length: r.data.dstLen ?? 0 };
        this.routes.set(formatPrefix(prefix), { route: { prefix, nextHops: [] }, group: InheritedGroup });
        prefixes.push(prefix);
      }
      return prefixes;
    });
  }

  /**
   * Bring the table to `desired`. Rejects with InvalidRouteError before
   * touching anything when a route is malformed; kernel refusals are in the
   * result and retried by the next sync.
   */
  sync(desired: readonly KernelRoute[]): Promise<SyncResult> {
    let wanted: Map<string, KernelRoute>;
    try {
      wanted = new Map(desired.map((r) => normalise(r)).map((r) => [formatPrefix(r.prefix), r]));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.serial(async () => {
      if (!this.probed) await this.probe();
      if (this.fallback) return this.legacy.sync([...wanted.values()]);
      if (this.suspect) await this.reread();
      this.desired = wanted;
      return this.apply(this.everything());
    });
  }

  /**
   * Add or replace `routes` and delete `removed`, leaving every other route
   * as the last sync or update left it: the work is that of the changes
   * alone. Rejects with InvalidRouteError before touching anything when a
   * route is malformed; kernel refusals are in the result and retried by the
   * next sync.
   */
  update(routes: readonly KernelRoute[], removed: readonly Prefix[]): Promise<SyncResult> {
    return whenNormal(routes, (normal) =>
      this.serial(async () => {
        if (!this.probed) await this.probe();
        if (this.fallback) return this.legacy.update(normal, removed);
        const changed = new Set<string>();
        for (const prefix of removed) {
          const key = formatPrefix(prefix);
          this.desired.delete(key);
          changed.add(key);
        }
        for (const route of normal) {
          const key = formatPrefix(route.prefix);
          this.desired.set(key, route);
          changed.add(key);
        }
        // After a failure the kernel's state is read back, and what it lost is planned too.
        if (this.suspect) {
          await this.reread();
          for (const p of this.differing()) changed.add(p);
        }
        return this.apply(changed);
      }),
    );
  }

  /**
   * Read back the protocol-188 nexthops, groups and routes the kernel still
   * holds (an interface that went down takes its nexthops with it, and an
   * operator may delete some) and re-apply the last sync.
   */
  refresh(): Promise<SyncResult> {
    return this.serial(async () => {
      if (!this.probed) await this.probe();
      if (this.fallback) return this.legacy.refresh();
      await this.reread();
      return this.apply(this.differing());
    });
  }

  removeAll(): Promise<SyncResult> {
    return this.sync([]);
  }

  close(): void {
    this.legacy.close();
    this.socket.socket.close();
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Does the kernel have nexthop objects? One RTM_GETNEXTHOP dump read with
   * the error check off, so that the kernel's errno reaches nexthopSupport()
   * (the netlink package's own check keeps only a message).
   */
  private async probe(): Promise<void> {
    this.probed = true;
    let why: string;
    if (this.nexthopObjects === false) why = 'nexthop objects turned off (nexthopObjects: false)';
    else {
      let replies: NetlinkMessage[];
      try {
        [replies] = await this.socket.socket.request(RTM_GETNEXTHOP, [nexthopMessage(AF_UNSPEC, [], 0)], { flags: NLM_F_DUMP, checkError: false, timeout: this.timeoutMs });
      } catch (error) {
        throw wrapError('dump nexthops', error);
      }
      const support = nexthopSupport(replies[0]);
      if (support.supported) return;
      why = `the kernel has no nexthop objects (${support.code})`;
    }
    this.fallback = true;
    this.onFallback?.(`${why}; routes use RTA_MULTIPATH and the kernel's hash-threshold spreading`);
  }

  private async dumpNexthops(): Promise<rt.NextHopMessage[]> {
    try {
      return await this.socket.getNextHops({ family: AF_UNSPEC }, {}, { timeout: this.timeoutMs });
    } catch (error) {
      throw wrapError('dump nexthops', error);
    }
  }

  /**
   * The prefixes whose installed route is not the wanted one: missing, in a
   * group of another set or group setting, or no longer wanted. After
   * reread(), what the kernel lost.
   */
  private differing(): Set<string> {
    const changed = new Set<string>();
    for (const [p, route] of this.desired) {
      const have = this.routes.get(p);
      const group = have === undefined ? undefined : this.groups.get(have.group);
      if (group === undefined || group.key !== setKey(route.nextHops) || !sameGroup(group.spec, this.spec)) changed.add(p);
    }
    for (const p of this.routes.keys()) if (!this.desired.has(p)) changed.add(p);
    return changed;
  }

  /** Every prefix wanted or installed: a full sync plans them all. */
  private everything(): Set<string> {
    return new Set([...this.desired.keys(), ...this.routes.keys()]);
  }

  /**
   * Bring the prefixes in `changed` to what this.desired says (a prefix it
   * lacks is deleted); every other prefix is taken to be installed as wanted
   * already. The plan is the full sync's, done on the changed prefixes
   * alone: a group keeps the next-hop set most of its users want, where the
   * users that did not change vote for the set the group has.
   */
  private async apply(changed: Set<string>): Promise<SyncResult> {
    const wanted = this.desired;
    const result: SyncResult = { added: [], replaced: [], removed: [], unchanged: 0, failed: [] };
    // Plan: which group each changed prefix names, and each affected group's new members.
    const target = new Map<number, { hops: KernelNextHop[]; key: string }>();
    const assigned = new Map<string, number>();
    /** Prefixes whose route is (re)planned: the changed ones and the users of a group that changes set. */
    const moving = new Set(changed);
    const shape = groupShape(this.spec);
    const changedUsers = new Map<number, string[]>();
    for (const p of changed) {
      const id = this.routes.get(p)?.group;
      if (id === undefined) continue;
      const users = changedUsers.get(id);
      if (users === undefined) changedUsers.set(id, [p]);
      else users.push(p);
    }
    /** Groups no change touches, by set: a changed prefix that wants their set joins them. */
    const untouched = new Map<string, number>();
    for (const group of [...this.groups.values()].sort((x, y) => x.id - y.id)) {
      const users = changedUsers.get(group.id);
      // A group of another kind or bucket count than `multipath group` says now is not reused.
      if (groupShape(group.spec) !== shape) {
        for (const p of group.users) moving.add(p);
        continue;
      }
      if (users === undefined) {
        if (group.users.size > 0 && !untouched.has(group.key)) untouched.set(group.key, group.id);
        continue;
      }
      const votes = new Map<string, number>();
      const staying = group.users.size - users.length;
      if (staying > 0) votes.set(group.key, staying);
      for (const p of users) {
        const route = wanted.get(p);
        if (route === undefined) continue;
        const key = setKey(route.nextHops);
        votes.set(key, (votes.get(key) ?? 0) + 1);
      }
      if (votes.size === 0) continue;
      // The set most users want; on a tie the current set, then the lowest key.
      const best = [...votes.entries()].sort((x, y) => y[1] - x[1] || Number(y[0] === group.key) - Number(x[0] === group.key) || x[0].localeCompare(y[0]))[0]?.[0] as string;
      const chosen = best === group.key ? undefined : users.find((p) => wanted.get(p) !== undefined && setKey((wanted.get(p) as KernelRoute).nextHops) === best);
      const hops = chosen === undefined ? group.hops : (wanted.get(chosen) as KernelRoute).nextHops;
      target.set(group.id, { hops, key: best });
      // The users that did not change keep the group's old set: when the group changes set, they move.
      if (best !== group.key) for (const p of group.users) moving.add(p);
      for (const p of users) {
        const route = wanted.get(p);
        if (route !== undefined && setKey(route.nextHops) === best) assigned.set(p, group.id);
      }
    }
    const newGroups = new Map<string, KernelNextHop[]>();
    for (const p of moving) {
      const route = wanted.get(p);
      if (route === undefined || assigned.has(p)) continue;
      const key = setKey(route.nextHops);
      const existing = [...target.entries()].find(([, t]) => t.key === key)?.[0] ?? untouched.get(key);
      if (existing !== undefined) assigned.set(p, existing);
      else newGroups.set(key, route.nextHops);
    }

    // 1. nexthop objects for every member of every set planned.
    const hopFailure = new Map<string, NetlinkRequestError>();
    for (const hops of [...[...target.values()].map((t) => t.hops), ...newGroups.values()]) {
      for (const hop of hops) {
        const key = hopKey(hop);
        if (this.hops.has(key) || hopFailure.has(key)) continue;
        const made = await this.create((id) => nexthopMessage(AF_INET, hopAttrs(id, hop)), `nexthop ${describeHop(hop)}`);
        if (made instanceof NetlinkRequestError) hopFailure.set(key, made);
        else this.hops.set(key, { id: made, hop });
      }
    }
    const missing = (hops: KernelNextHop[]): NetlinkRequestError | undefined => hops.map((h) => hopFailure.get(hopKey(h))).find((e) => e !== undefined);

    // 2. affected groups whose set (or resilient timers) changed: replaced in place; the routes naming them stay as they are.
    const groupFailure = new Map<number, NetlinkRequestError>();
    for (const [id, t] of target) {
      const group = this.groups.get(id) as GroupObject;
      if (group.key === t.key && sameGroup(group.spec, this.spec)) continue;
      const error = missing(t.hops) ?? (await this.replaceGroup(id, t.hops));
      if (error !== undefined) groupFailure.set(id, error);
      else {
        group.hops = t.hops;
        group.key = t.key;
        group.spec = this.spec;
      }
    }
    // 3. new groups, then the routes that name a group they did not name before, many to a datagram.
    const ordered: { p: string; route: KernelRoute }[] = [];
    for (const p of moving) {
      const route = wanted.get(p) ?? this.routes.get(p)?.route;
      if (route !== undefined) ordered.push({ p, route });
    }
    ordered.sort((x, y) => comparePrefix(x.route, y.route));
    for (const [key, hops] of newGroups) {
      const error = missing(hops);
      const made = error ?? (await this.create((id) => nexthopMessage(AF_UNSPEC, this.groupAttrs(id, hops)), `group [${hops.map(describeHop).join(', ')}]`));
      const users = ordered.filter(({ p, route }) => wanted.has(p) && !assigned.has(p) && setKey(route.nextHops) === key);
      if (made instanceof NetlinkRequestError) {
        for (const { p, route } of users) result.failed.push(routeError(this.routes.has(p) ? 'replace' : 'add', made, route, this.table, this.metric));
        continue;
      }
      this.groups.set(made, { id: made, hops, key, users: new Set(), spec: this.spec });
      for (const { p } of users) assigned.set(p, made);
    }
    const puts: { p: string; route: KernelRoute; id: number; have: { route: KernelRoute; group: number } | undefined }[] = [];
    for (const { p, route } of ordered) {
      const id = assigned.get(p);
      if (id === undefined || !wanted.has(p)) continue;
      const have = this.routes.get(p);
      const failure = groupFailure.get(id);
      if (failure !== undefined) {
        result.failed.push(routeError('replace', failure, route, this.table, this.metric));
        continue;
      }
      if (have !== undefined && have.group === id) {
        if (setKey(have.route.nextHops) === setKey(route.nextHops)) result.unchanged += 1;
        else result.replaced.push(route.prefix);
        this.routes.set(p, { route, group: id });
        continue;
      }
      puts.push({ p, route, id, have });
    }
    const putReplies = await this.batch(
      puts.length,
      (i) => {
        const { route, id, have } = puts[i] as (typeof puts)[number];
        return { type: RTM_NEWROUTE, flags: NLM_F_CREATE | (have !== undefined ? NLM_F_REPLACE : NLM_F_EXCL), body: routeBytes(route.prefix, id, this.table, this.metric) };
      },
      'route add/replace',
    );
    puts.forEach(({ p, route, id, have }, i) => {
      const { errno } = putReplies[i] as BatchReply;
      if (errno !== 0) {
        result.failed.push(new RouteInstallError(have ? 'replace' : 'add', errno, errnoName(errno), route, `${describeRoute(route, this.table, this.metric)} nhid ${id}`));
        return;
      }
      if (have !== undefined) this.groups.get(have.group)?.users.delete(p);
      (this.groups.get(id) as GroupObject).users.add(p);
      this.routes.set(p, { route, group: id });
      (have !== undefined ? result.replaced : result.added).push(route.prefix);
    });
    // 4. routes no longer wanted, then groups and nexthop objects nobody names.
    const deletes = ordered.filter(({ p }) => !wanted.has(p) && this.routes.has(p)).map(({ p }) => ({ p, entry: this.routes.get(p) as { route: KernelRoute; group: number } }));
    const deleteReplies = await this.batch(
      deletes.length,
      (i) => ({ type: RTM_DELROUTE, flags: 0, body: routeBytes((deletes[i] as (typeof deletes)[number]).entry.route.prefix, undefined, this.table, this.metric) }),
      'route delete',
    );
    deletes.forEach(({ p, entry }, i) => {
      const { errno } = deleteReplies[i] as BatchReply;
      // ESRCH: already gone (its group was flushed with an interface); not ours to track any more.
      if (errno !== 0 && errno !== ESRCH) {
        result.failed.push(new RouteInstallError('delete', errno, errnoName(errno), entry.route, describeRoute(entry.route, this.table, this.metric)));
        return;
      }
      this.routes.delete(p);
      this.groups.get(entry.group)?.users.delete(p);
      result.removed.push(entry.route.prefix);
    });
    for (const group of [...this.groups.values()]) {
      if (group.users.size > 0) continue;
      if (await this.deleteObject(group.id)) this.groups.delete(group.id);
    }
    const used = new Set([...this.groups.values()].flatMap((g) => g.hops.map(hopKey)));
    for (const [key, object] of [...this.hops]) {
      if (used.has(key)) continue;
      if (await this.deleteObject(object.id)) this.hops.delete(key);
    }
    if (this.inheritedObjects.length > 0 && ![...this.routes.values()].some((r) => r.group === InheritedGroup)) {
      for (const id of this.inheritedObjects) await this.deleteObject(id);
      this.inheritedObjects = [];
    }
    if (result.failed.length > 0) this.suspect = true;
    return result;
  }

  /** Route requests, many to a datagram (NetlinkBatcher); a refusal marks the state suspect, as request() does. */
  private async batch(count: number, build: (i: number) => BatchRequest, operation: string): Promise<BatchReply[]> {
    if (count === 0) return [];
    try {
      return await this.batcher.send(count, build, operation);
    } catch (error) {
      this.suspect = true;
      throw error;
    }
  }

  /** RTM_NEWNEXTHOP with NLM_F_CREATE|NLM_F_EXCL at the next free id; returns the id or the refusal. */
  private async create(build: (id: number) => Buffer, what: string): Promise<number | NetlinkRequestError> {
    for (let attempt = 0; attempt < 1024; attempt++) {
      const id = this.nextId++;
      const reply = await this.request(RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_EXCL, build(id), 'nexthop add');
      if (reply.errno === 0) return id;
      // EEXIST: the id belongs to someone else's object; take the next.
      if (reply.errno !== EEXIST) return new NexthopInstallError('add', reply.errno, reply.code, `add ${what} id ${id}: ${reply.code}`);
    }
    return new NexthopInstallError('add', EEXIST, 'EEXIST', `add ${what}: 1024 ids in a row are taken`);
  }

  private async replaceGroup(id: number, hops: KernelNextHop[]): Promise<NetlinkRequestError | undefined> {
    const reply = await this.request(RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE, nexthopMessage(AF_UNSPEC, this.groupAttrs(id, hops)), 'nexthop replace');
    if (reply.errno === 0) return undefined;
    return new NexthopInstallError('replace', reply.errno, reply.code, `replace group ${id} with [${hops.map(describeHop).join(', ')}]: ${reply.code}`);
  }

  /** Delete a nexthop object or group; ENOENT counts as done. False (and a re-read next time) on refusal. */
  private async deleteObject(id: number): Promise<boolean> {
    const reply = await this.request(RTM_DELNEXTHOP, 0, nexthopMessage(AF_UNSPEC, [u32Attr(NHA_ID, id)], 0), 'nexthop delete');
    if (reply.errno === 0 || reply.errno === ENOENT) return true;
    this.suspect = true;
    return false;
  }

  /** NHA_ID, NHA_GROUP (struct nexthop_grp: u32 id, u8 weight-1, u8, u16), NHA_GROUP_TYPE and, for resilient, NHA_RES_GROUP. */
  private groupAttrs(id: number, hops: KernelNextHop[]): Buffer[] {
    const spec = this.spec;
    const members = Buffer.alloc(8 * hops.length);
    hops.forEach((hop, i) => writeU32(members, i * 8, (this.hops.get(hopKey(hop)) as HopObject).id));
    const attrs = [u32Attr(NHA_ID, id), attr(NHA_GROUP, members)];
    if (spec.kind === 'resilient') {
      const type = Buffer.alloc(2);
      writeU16(type, 0, NEXTHOP_GRP_TYPE_RES);
      const buckets = Buffer.alloc(2);
      writeU16(buckets, 0, spec.buckets);
      const nested = Buffer.concat([
        attr(NHA_RES_GROUP_BUCKETS, buckets),
        u32Attr(NHA_RES_GROUP_IDLE_TIMER, Math.round(spec.idleTimer * USER_HZ)),
        u32Attr(NHA_RES_GROUP_UNBALANCED_TIMER, Math.round(spec.unbalancedTimer * USER_HZ)),
      ]);
      attrs.push(attr(NHA_GROUP_TYPE, type), attr(NHA_RES_GROUP | NLA_F_NESTED, nested));
    } else {
      const type = Buffer.alloc(2);
      writeU16(type, 0, NEXTHOP_GRP_TYPE_MPATH);
      attrs.push(attr(NHA_GROUP_TYPE, type));
    }
    return attrs;
  }

  /** After a failure, and for refresh(): forget what the kernel no longer holds (objects flushed with an interface, routes with their group). */
  private async reread(): Promise<void> {
    const objects = new Map((await this.dumpNexthops()).filter((m) => m.data.protocol === ROUTE_PROTOCOL_OSPF).map((m) => [m.attrs.id ?? 0, m]));
    for (const [key, object] of [...this.hops]) if (!objects.has(object.id)) this.hops.delete(key);
    const byId = new Map([...this.hops.values()].map((o) => [o.id, o.hop]));
    for (const group of [...this.groups.values()]) {
      const message = objects.get(group.id);
      if (message?.attrs.group === undefined) {
        this.groups.delete(group.id);
        for (const p of group.users) this.routes.delete(p);
        continue;
      }
      const members = groupMemberIds(message.attrs.group).map((id) => byId.get(id));
      group.hops = members.filter((h): h is KernelNextHop => h !== undefined).sort(compareHop);
      group.key = members.includes(undefined) ? `${setKey(group.hops)}?` : setKey(group.hops);
    }
    let kernelRoutes: rt.RouteMessage[];
    try {
      kernelRoutes = await this.socket.getRoutes({ family: AF_INET }, {}, { timeout: this.timeoutMs });
    } catch (error) {
      throw wrapError('dump routes', error);
    }
    const present = new Set(
      kernelRoutes
        .filter((r) => (r.attrs.table ?? r.data.table) === this.table && (r.attrs.priority ?? 0) === this.metric && r.attrs.nhId !== undefined)
        .map((r) => formatPrefix({ address: r.attrs.dst ? r.attrs.dst.readUInt32BE(0) : 0, length: r.data.dstLen ?? 0 })),
    );
    for (const [p, entry] of [...this.routes]) {
      if (present.has(p)) continue;
      this.routes.delete(p);
      this.groups.get(entry.group)?.users.delete(p);
    }
    this.suspect = false;
  }

  /** Send one request and read the kernel's NLMSG_ERROR answer (errno 0 = done). */
  private async request(type: number, flags: number, body: Buffer, operation: string): Promise<{ errno: number; code: string }> {
    let replies: NetlinkMessage[];
    try {
      [replies] = await this.socket.socket.request(type, [body], { flags, checkError: false, timeout: this.timeoutMs });
    } catch (error) {
      this.suspect = true;
      throw wrapError(operation, error);
    }
    const reply = replies[0];
    if (!reply || reply.type !== NLMSG_ERROR) throw new NetlinkRequestError(operation, 0, 'unexpected reply');
    let errno: number;
    try {
      errno = -parseError(reply.data, reply.flags).errno;
    } catch (error) {
      throw wrapError(operation, error);
    }
    if (errno !== 0) this.suspect = true;
    return { errno, code: errno === 0 ? 'OK' : errnoName(errno) };
  }
}

/** The group setting, checked against what the kernel's attributes can carry; RangeError otherwise. */
function checkGroup(group: MultipathGroup): MultipathGroup {
  if (group.kind === 'resilient') {
    const { buckets, idleTimer, unbalancedTimer } = group;
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 0xffff) throw new RangeError(`bad resilient bucket count ${buckets}`);
    for (const [what, value] of [['idle', idleTimer], ['unbalanced', unbalancedTimer]] as const) {
      if (!Number.isFinite(value) || value < 0 || value * USER_HZ > 0xffffffff) throw new RangeError(`bad resilient ${what} timer ${value}`);
    }
  }
  return { ...group };
}

/** What the kernel cannot change in a group in place: its kind and, for resilient, its bucket count. */
function groupShape(group: MultipathGroup): string {
  return group.kind === 'resilient' ? `resilient/${group.buckets}` : group.kind;
}

function sameGroup(x: MultipathGroup, y: MultipathGroup): boolean {
  return groupShape(x) === groupShape(y) && (x.kind !== 'resilient' || y.kind !== 'resilient' || (x.idleTimer === y.idleTimer && x.unbalancedTimer === y.unbalancedTimer));
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

function writeU16(buf: Buffer, offset: number, value: number): void {
  if (littleEndian) buf.writeUInt16LE(value, offset);
  else buf.writeUInt16BE(value, offset);
}

function writeU32(buf: Buffer, offset: number, value: number): void {
  if (littleEndian) buf.writeUInt32LE(value >>> 0, offset);
  else buf.writeUInt32BE(value >>> 0, offset);
}

/** One netlink attribute: u16 length, u16 type (host order), payload, padding to 4 bytes. */
function attr(type: number, payload: Buffer): Buffer {
  const buf = Buffer.alloc(4 + payload.length + ((4 - (payload.length % 4)) % 4));
  writeU16(buf, 0, 4 + payload.length);
  writeU16(buf, 2, type);
  payload.copy(buf, 4);
  return buf;
}

function u32Attr(type: number, value: number): Buffer {
  const payload = Buffer.alloc(4);
  writeU32(payload, 0, value);
  return attr(type, payload);
}

/**
 * struct nhmsg { u8 family, scope, protocol, resvd; u32 flags } followed by
 * attributes. Protocol 188 on what we create; a delete must say 0
 * (nh_valid_get_del_req refuses any other header value).
 */
function nexthopMessage(family: number, attrs: Buffer[], protocol = ROUTE_PROTOCOL_OSPF): Buffer {
  const header = Buffer.alloc(8);
  header[0] = family;
  header[2] = protocol;
  return Buffer.concat([header, ...attrs]);
}

function hopAttrs(id: number, hop: KernelNextHop): Buffer[] {
  const attrs = [u32Attr(NHA_ID, id), u32Attr(NHA_OIF, hop.ifIndex)];
  if (hop.gateway !== 0) {
    const gateway = Buffer.alloc(4);
    gateway.writeUInt32BE(hop.gateway >>> 0, 0);
    attrs.push(attr(NHA_GATEWAY, gateway));
  }
  return attrs;
}

function groupMemberIds(group: Buffer): number[] {
  const ids: number[] = [];
  for (let offset = 0; offset + 8 <= group.length; offset += 8) ids.push(littleEndian ? group.readUInt32LE(offset) : group.readUInt32BE(offset));
  return ids;
}

/**
 * struct rtmsg and its attributes in one buffer: RTA_DST, RTA_TABLE,
 * RTA_PRIORITY and, to add or re-point a route, RTA_NH_ID (the route names
 * its group and nothing else). A delete (no group) matches our protocol,
 * table and metric, scope RT_SCOPE_NOWHERE.
 */
function routeBytes(prefix: Prefix, groupId: number | undefined, table: number, metric: number): Buffer {
  const buf = Buffer.allocUnsafe(groupId === undefined ? 36 : 44);
  buf[0] = AF_INET;
  buf[1] = prefix.length;
  buf[2] = 0; // src_len
  buf[3] = 0; // tos
  buf[4] = table < 256 ? table : 0; // tables above 255 only fit in RTA_TABLE
  buf[5] = ROUTE_PROTOCOL_OSPF;
  buf[6] = groupId === undefined ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
  buf[7] = groupId === undefined ? 0 : RTN_UNICAST;
  writeU32(buf, 8, 0); // rtm_flags
  writeU16(buf, 12, 8);
  writeU16(buf, 14, RTA_DST);
  buf.writeUInt32BE(prefix.address >>> 0, 16);
  writeU16(buf, 20, 8);
  writeU16(buf, 22, RTA_TABLE);
  writeU32(buf, 24, table);
  writeU16(buf, 28, 8);
  writeU16(buf, 30, RTA_PRIORITY);
  writeU32(buf, 32, metric);
  if (groupId !== undefined) {
    writeU16(buf, 36, 8);
    writeU16(buf, 38, RTA_NH_ID);
    writeU32(buf, 40, groupId);
  }
  return buf;
}

function routeError(operation: 'add' | 'replace', error: NetlinkRequestError, route: KernelRoute, table: number, metric: number): RouteInstallError {
  return new RouteInstallError(operation, error.errno, error.code, route, `${describeRoute(route, table, metric)}: ${error.message}`);
}

function hopKey(hop: KernelNextHop): string {
  return `${hop.gateway}/${hop.ifIndex}`;
}

/** The identity of a next-hop set: its sorted members. */
function setKey(hops: readonly KernelNextHop[]): string {
  return hops.map(hopKey).join(',');
}

function compareHop(x: KernelNextHop, y: KernelNextHop): number {
  return x.gateway - y.gateway || x.ifIndex - y.ifIndex;
}

function describeHop(hop: KernelNextHop): string {
  return `${hop.gateway !== 0 ? `via ${formatIpv4(hop.gateway)} ` : ''}ifindex ${hop.ifIndex}`;
}

function describeRoute(route: KernelRoute, table: number, metric: number): string {
  return `${formatPrefix(route.prefix)} [${route.nextHops.map(describeHop).join(', ')}] metric ${metric} table ${table}`;
}
