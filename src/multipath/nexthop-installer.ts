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
//
// Which group each route names is planned by group-plan.ts, without the
// kernel; the messages and requests are src/io/nexthops.ts's, many to a
// sendmsg.

import type { MultipathGroup } from '../config/types.js';
import { NetlinkRequestError, RouteInstallError } from '../io/errors.js';
import { compareHop, comparePrefix, describeHop, describeRoute, MAIN_TABLE, normalise, prefixKey, whenNormal, type KernelNextHop, type KernelRoute } from '../io/kernel-route.js';
import { errnoName, ESRCH, Rtnetlink } from '../io/netlink.js';
import { checkGroup, groupBody, groupMemberIds, hopBody, NexthopTable, type NexthopInstallError } from '../io/nexthops.js';
import { dumpOurRoutes, inTable } from '../io/route-message.js';
import { RouteInstaller, type SyncResult } from '../io/routes.js';
import type { Prefix } from '../lib/ipv4.js';
import { differing, hopKey, InheritedGroup, planGroups, sameGroup, setKey, type InstalledGroup, type InstalledRoute } from './group-plan.js';

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

interface HopObject {
  id: number;
  hop: KernelNextHop;
}

/** Installs routes as nexthop groups, falling back to RTA_MULTIPATH on old kernels. */
export class NexthopInstaller implements FibInstaller {
  readonly table: number;
  readonly metric: number;
  private spec: MultipathGroup;
  private readonly netlink: Rtnetlink;
  private readonly nexthops: NexthopTable;
  private readonly onFallback: ((reason: string) => void) | undefined;
  private readonly nexthopObjects: boolean | undefined;
  /** Sweeps the table's proto-188 routes, and takes over entirely on kernels without nexthop objects. */
  private readonly rtaMultipath: RouteInstaller;
  private fallback = false;
  private probed = false;
  private nextId: number;
  private readonly hops = new Map<string, HopObject>();
  private readonly groups = new Map<number, InstalledGroup>();
  /** Installed routes by prefixKey(), with the group each names. */
  private readonly routes = new Map<number, InstalledRoute>();
  /** The routes of the last sync, for refresh(). */
  private desired = new Map<number, KernelRoute>();
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
    this.spec = checkGroup(options.group) as MultipathGroup;
    const timeoutMs = options.timeoutMs ?? 5000;
    this.nextId = options.idBase ?? 188_000_000;
    this.onFallback = options.onFallback;
    this.nexthopObjects = options.nexthopObjects;
    if (!Number.isInteger(this.nextId) || this.nextId < 1 || this.nextId > 0x7fff0000) throw new RangeError(`bad nexthop id base ${this.nextId}`);
    this.rtaMultipath = new RouteInstaller({ table: this.table, metric: this.metric, timeoutMs });
    try {
      this.netlink = new Rtnetlink(timeoutMs);
    } catch (error) {
      this.rtaMultipath.close();
      throw error;
    }
    this.nexthops = new NexthopTable(this.netlink, this.table, this.metric);
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
    this.spec = checkGroup(group) as MultipathGroup;
  }

  /** True when the kernel has no nexthop objects and routes go in as RTA_MULTIPATH. */
  get usingFallback(): boolean {
    return this.fallback;
  }

  installed(): KernelRoute[] {
    if (this.fallback) return this.rtaMultipath.installed();
    return [...this.routes.values()].map((r) => r.route).sort(comparePrefix);
  }

  installedRoute(prefix: Prefix): KernelRoute | undefined {
    if (this.fallback) return this.rtaMultipath.installedRoute(prefix);
    return this.routes.get(prefixKey(prefix))?.route;
  }

  /** The group a prefix's route names, as installed; undefined when none (or on the fallback). */
  groupOf(prefix: Prefix): GroupView | undefined {
    const entry = this.routes.get(prefixKey(prefix));
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
      const removed = await this.rtaMultipath.sweep();
      await this.probe();
      if (this.fallback) return removed;
      // Groups first: a nexthop object still in a group would only shrink it.
      await this.guard(this.nexthops.sweep(groupsFirst(await this.nexthops.dumpOurs())));
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
      if (this.fallback) return this.rtaMultipath.inherit();
      this.inheritedObjects = groupsFirst(await this.nexthops.dumpOurs());
      const prefixes: Prefix[] = [];
      for (const r of await dumpOurRoutes(this.netlink)) {
        if (!inTable(r, this.table, this.metric)) continue;
        const prefix = r.prefix;
        this.routes.set(prefixKey(prefix), { route: { prefix, nextHops: [] }, group: InheritedGroup });
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
    let wanted: Map<number, KernelRoute>;
    try {
      wanted = new Map(desired.map((r) => normalise(r)).map((r) => [prefixKey(r.prefix), r]));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.serial(async () => {
      if (!this.probed) await this.probe();
      if (this.fallback) return this.rtaMultipath.sync([...wanted.values()]);
      if (this.suspect) await this.reread();
      this.desired = wanted;
      // Every prefix wanted or installed: a full sync plans them all.
      return this.reconcile(new Set([...this.desired.keys(), ...this.routes.keys()]));
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
        if (this.fallback) return this.rtaMultipath.update(normal, removed);
        const changed = new Set<number>();
        for (const prefix of removed) {
          const key = prefixKey(prefix);
          this.desired.delete(key);
          changed.add(key);
        }
        for (const route of normal) {
          const key = prefixKey(route.prefix);
          this.desired.set(key, route);
          changed.add(key);
        }
        // After a failure the kernel's state is read back, and what it lost is planned too.
        if (this.suspect) {
          await this.reread();
          for (const p of differing(this.desired, this.routes, this.groups, this.spec)) changed.add(p);
        }
        return this.reconcile(changed);
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
      if (this.fallback) return this.rtaMultipath.refresh();
      await this.reread();
      return this.reconcile(differing(this.desired, this.routes, this.groups, this.spec));
    });
  }

  removeAll(): Promise<SyncResult> {
    return this.sync([]);
  }

  close(): void {
    this.rtaMultipath.close();
    this.netlink.close();
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A request that fails outright (socket error, no answer) leaves the kernel's state unknown: the next sync reads it back. */
  private async guard<T>(request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (error) {
      this.suspect = true;
      throw error;
    }
  }

  /** Does the kernel have nexthop objects? Otherwise every call goes to the RTA_MULTIPATH installer. */
  private async probe(): Promise<void> {
    this.probed = true;
    let why: string;
    if (this.nexthopObjects === false) why = 'nexthop objects turned off (nexthopObjects: false)';
    else {
      const support = await this.nexthops.support();
      if (support.supported) return;
      why = `the kernel has no nexthop objects (${support.code})`;
    }
    this.fallback = true;
    this.onFallback?.(`${why}; routes use RTA_MULTIPATH and the kernel's hash-threshold spreading`);
  }

  /** The nexthop object ids of a set's members, in its order. */
  private memberIds(hops: readonly KernelNextHop[]): number[] {
    return hops.map((hop) => (this.hops.get(hopKey(hop)) as HopObject).id);
  }

  /**
   * Carry out the plan (group-plan.ts) for the prefixes in `changed`:
   * 1. nexthop objects for new (gateway, ifindex) pairs; 2. groups whose set
   * or resilient timers changed replaced in place; 3. new groups, and routes
   * added or re-pointed (RTA_NH_ID); 4. routes, groups and nexthop objects
   * nobody uses any more deleted. Each step many requests to a datagram.
   */
  private async reconcile(changed: Set<number>): Promise<SyncResult> {
    const wanted = this.desired;
    const result: SyncResult = { added: [], replaced: [], removed: [], unchanged: 0, failed: [] };
    const { target, assigned, newGroups, moving } = planGroups(this.groups, this.routes, wanted, changed, this.spec);

    // 1. nexthop objects for every member of every set planned.
    const needed = new Map<string, KernelNextHop>();
    for (const hops of [...[...target.values()].map((t) => t.hops), ...newGroups.values()]) {
      for (const hop of hops) if (!this.hops.has(hopKey(hop))) needed.set(hopKey(hop), hop);
    }
    const hopFailure = new Map<string, NetlinkRequestError>();
    const made = await this.guard(this.nexthops.create([...needed.values()].map((hop) => ({ body: (id) => hopBody(id, hop), what: `nexthop ${describeHop(hop)}` })), () => this.nextId++));
    [...needed].forEach(([key, hop], i) => {
      const id = made[i] as number | NexthopInstallError;
      if (typeof id === 'number') this.hops.set(key, { id, hop });
      else hopFailure.set(key, id);
    });
    const missing = (hops: KernelNextHop[]): NetlinkRequestError | undefined => hops.map((h) => hopFailure.get(hopKey(h))).find((e) => e !== undefined);

    // 2. affected groups whose set (or resilient timers) changed: replaced in place; the routes naming them stay as they are.
    const groupFailure = new Map<number, NetlinkRequestError>();
    const replacing: { group: InstalledGroup; hops: KernelNextHop[]; key: string }[] = [];
    for (const [id, t] of target) {
      const group = this.groups.get(id) as InstalledGroup;
      if (group.key === t.key && sameGroup(group.spec, this.spec)) continue;
      const error = missing(t.hops);
      if (error !== undefined) groupFailure.set(id, error);
      else replacing.push({ group, ...t });
    }
    const replaced = await this.guard(
      this.nexthops.replace(replacing.map(({ group, hops }) => ({ id: group.id, body: groupBody(group.id, this.memberIds(hops), this.spec), what: `[${hops.map(describeHop).join(', ')}]` }))),
    );
    replacing.forEach(({ group, hops, key }, i) => {
      const error = replaced[i];
      if (error !== undefined) groupFailure.set(group.id, error);
      else Object.assign(group, { hops, key, spec: this.spec });
    });

    // 3. new groups, then the routes that name a group they did not name before.
    // The prefixes planned, in prefix order: prefixKey() sorts as comparePrefix() does.
    const ordered = Float64Array.from(moving).sort();
    const usersOf = new Map<string, number[]>();
    for (const p of ordered) {
      const route = wanted.get(p);
      if (route === undefined || assigned.has(p)) continue;
      const key = setKey(route.nextHops);
      const users = usersOf.get(key);
      if (users === undefined) usersOf.set(key, [p]);
      else users.push(p);
    }
    const creatable = [...newGroups].filter(([, hops]) => missing(hops) === undefined);
    const created = await this.guard(
      this.nexthops.create(
        creatable.map(([, hops]) => ({ body: (id) => groupBody(id, this.memberIds(hops), this.spec), what: `group [${hops.map(describeHop).join(', ')}]` })),
        () => this.nextId++,
      ),
    );
    const createdByKey = new Map(creatable.map(([key], i) => [key, created[i] as number | NexthopInstallError]));
    for (const [key, hops] of newGroups) {
      const made = missing(hops) ?? (createdByKey.get(key) as number | NexthopInstallError);
      const users = usersOf.get(key) ?? [];
      if (made instanceof NetlinkRequestError) {
        for (const p of users) result.failed.push(routeError(this.routes.has(p) ? 'replace' : 'add', made, wanted.get(p) as KernelRoute, this.table, this.metric));
        continue;
      }
      this.groups.set(made, { id: made, hops, key, users: new Set(), spec: this.spec });
      for (const p of users) assigned.set(p, made);
    }
    // What goes to the kernel, side by side: no object per route.
    const puts: KernelRoute[] = [];
    const putKeys: number[] = [];
    const putIds: number[] = [];
    const putReplace: boolean[] = [];
    for (const p of ordered) {
      const id = assigned.get(p);
      const route = wanted.get(p);
      if (id === undefined || route === undefined) continue;
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
      puts.push(route);
      putKeys.push(p);
      putIds.push(id);
      putReplace.push(have !== undefined);
    }
    const putErrnos = await this.guard(this.nexthops.putRoutes(puts, putIds, putReplace));
    puts.forEach((route, i) => {
      const errno = putErrnos[i] as number;
      const p = putKeys[i] as number;
      const id = putIds[i] as number;
      if (errno !== 0) {
        result.failed.push(new RouteInstallError(putReplace[i] ? 'replace' : 'add', errno, errnoName(errno), route, `${describeRoute(route, this.table, this.metric)} nhid ${id}`));
        return;
      }
      const have = this.routes.get(p);
      if (have !== undefined) this.groups.get(have.group)?.users.delete(p);
      (this.groups.get(id) as InstalledGroup).users.add(p);
      this.routes.set(p, { route, group: id });
      (have !== undefined ? result.replaced : result.added).push(route.prefix);
    });

    // 4. routes no longer wanted, then groups and nexthop objects nobody names.
    const deletes: InstalledRoute[] = [];
    const deleteKeys: number[] = [];
    for (const p of ordered) {
      const entry = wanted.has(p) ? undefined : this.routes.get(p);
      if (entry === undefined) continue;
      deletes.push(entry);
      deleteKeys.push(p);
    }
    const deleteErrnos = await this.guard(this.nexthops.deleteRoutes(deletes.map((entry) => entry.route.prefix)));
    deletes.forEach((entry, i) => {
      const errno = deleteErrnos[i] as number;
      const p = deleteKeys[i] as number;
      // ESRCH: already gone (its group was flushed with an interface); not ours to track any more.
      if (errno !== 0 && errno !== ESRCH) {
        result.failed.push(new RouteInstallError('delete', errno, errnoName(errno), entry.route, describeRoute(entry.route, this.table, this.metric)));
        return;
      }
      this.routes.delete(p);
      this.groups.get(entry.group)?.users.delete(p);
      result.removed.push(entry.route.prefix);
    });
    const unusedGroups = [...this.groups.values()].filter((g) => g.users.size === 0).map((g) => g.id);
    (await this.deleteObjects(unusedGroups)).forEach((gone, i) => gone && this.groups.delete(unusedGroups[i] as number));
    const used = new Set([...this.groups.values()].flatMap((g) => g.hops.map(hopKey)));
    const unusedHops = [...this.hops].filter(([key]) => !used.has(key));
    (await this.deleteObjects(unusedHops.map(([, object]) => object.id))).forEach((gone, i) => gone && this.hops.delete((unusedHops[i] as [string, HopObject])[0]));
    if (this.inheritedObjects.length > 0 && ![...this.routes.values()].some((r) => r.group === InheritedGroup)) {
      await this.deleteObjects(this.inheritedObjects);
      this.inheritedObjects = [];
    }
    if (result.failed.length > 0) this.suspect = true;
    return result;
  }

  /** Delete nexthop objects or groups; ENOENT counts as done. A refusal marks the state suspect (re-read next time). */
  private async deleteObjects(ids: readonly number[]): Promise<boolean[]> {
    const gone = await this.guard(this.nexthops.delete(ids));
    if (gone.includes(false)) this.suspect = true;
    return gone;
  }

  /** After a failure, and for refresh(): forget what the kernel no longer holds (objects flushed with an interface, routes with their group). */
  private async reread(): Promise<void> {
    const objects = new Map((await this.nexthops.dumpOurs()).map((m) => [m.attrs.id ?? 0, m]));
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
    const present = new Set(
      (await dumpOurRoutes(this.netlink)).filter((r) => inTable(r, this.table, this.metric) && r.nhId !== undefined).map((r) => prefixKey(r.prefix)),
    );
    for (const [p, entry] of [...this.routes]) {
      if (present.has(p)) continue;
      this.routes.delete(p);
      this.groups.get(entry.group)?.users.delete(p);
    }
    this.suspect = false;
  }
}

/** Ids of dumped nexthop messages, groups first: a nexthop object still in a group would only shrink it. */
function groupsFirst(objects: readonly { attrs: { id?: number; group?: Buffer } }[]): number[] {
  return [...objects.filter((m) => m.attrs.group !== undefined), ...objects.filter((m) => m.attrs.group === undefined)].map((m) => m.attrs.id ?? 0);
}

function routeError(operation: 'add' | 'replace', error: NetlinkRequestError, route: KernelRoute, table: number, metric: number): RouteInstallError {
  return new RouteInstallError(operation, error.errno, error.code, route, `${describeRoute(route, table, metric)}: ${error.message}`);
}
