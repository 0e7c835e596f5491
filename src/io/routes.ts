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
// Changes go to the kernel many to a sendmsg (Rtnetlink.batch), each with
// its own sequence number, so a refusal still names its route.

import type { Prefix } from '../lib/ipv4.js';
import { formatPrefix } from '../lib/ipv4.js';
import { RouteInstallError } from './errors.js';
import { comparePrefix, describeRoute, InvalidRouteError, MAIN_TABLE, prefixKey, sameNextHops, whenNormal, type KernelRoute } from './kernel-route.js';
import { builtRequests, errnoName, ESRCH, RTM_DELROUTE, Rtnetlink } from './netlink.js';
import { dumpOurRoutes, inTable, routeBytes, routeDeletes, routePuts } from './route-message.js';

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

/** Installs and tracks this router's OSPF routes in one kernel table. */
export class RouteInstaller {
  readonly table: number;
  readonly metric: number;
  private readonly netlink: Rtnetlink;
  /** What the kernel holds from us, by prefixKey(). */
  private readonly current = new Map<number, KernelRoute>();
  /** The routes of the last sync, for refresh(). */
  private desired = new Map<number, KernelRoute>();
  /** Operations run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: RouteInstallerOptions = {}) {
    this.table = options.table ?? MAIN_TABLE;
    this.metric = options.metric ?? 20;
    if (!Number.isInteger(this.table) || this.table < 1 || this.table > 0xffffffff) throw new InvalidRouteError(`bad table ${this.table}`);
    if (!Number.isInteger(this.metric) || this.metric < 0 || this.metric > 0xffffffff) throw new InvalidRouteError(`bad metric ${this.metric}`);
    this.netlink = new Rtnetlink(options.timeoutMs ?? 5000);
  }

  /** Routes installed by this installer, sorted by prefix. */
  installed(): KernelRoute[] {
    return [...this.current.values()].sort(comparePrefix);
  }

  /** The route installed for one prefix, if any. */
  installedRoute(prefix: Prefix): KernelRoute | undefined {
    return this.current.get(prefixKey(prefix));
  }

  /**
   * Delete every protocol-188 IPv4 route in the table, whoever left it (a
   * previous run that crashed). Returns the prefixes deleted.
   */
  sweep(): Promise<Prefix[]> {
    return this.serial(async () => {
      const stale = (await dumpOurRoutes(this.netlink)).filter((r) => inTable(r, this.table));
      const errnos = await this.netlink.batch(
        stale.length,
        builtRequests((i) => {
          const r = stale[i] as (typeof stale)[number];
          return { type: RTM_DELROUTE, flags: 0, body: routeBytes(r.prefix, this.table, r.priority, undefined, r.tos) };
        }),
        'route delete',
      );
      const removed: Prefix[] = [];
      stale.forEach((r, i) => {
        const prefix = r.prefix;
        const errno = errnos[i] as number;
        // ESRCH: gone meanwhile, which is what we wanted.
        if (errno !== 0 && errno !== ESRCH) {
          throw new RouteInstallError('delete', errno, errnoName(errno), { prefix, nextHops: [] }, `${formatPrefix(prefix)} metric ${r.priority} table ${this.table}`);
        }
        removed.push(prefix);
        this.current.delete(prefixKey(prefix));
      });
      return removed.sort((x, y) => x.address - y.address || x.length - y.length);
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
    return whenNormal(desired, (normal) =>
      this.serial(async () => {
        this.desired = new Map(normal.map((r) => [prefixKey(r.prefix), r]));
        return this.reconcile(this.desired);
      }),
    );
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
        for (const prefix of removed) wanted.delete(prefixKey(prefix));
        for (const route of normal) wanted.set(prefixKey(route.prefix), route);
        this.desired = wanted;
        return this.reconcile(wanted);
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
      return this.reconcile(this.desired);
    });
  }

  /** Delete every route this installer holds (clean shutdown). */
  removeAll(): Promise<SyncResult> {
    return this.sync([]);
  }

  close(): void {
    this.netlink.close();
  }

  /** Take this table's protocol-188 routes at our metric, as the kernel holds them now, as what is installed. */
  private async readInstalled(): Promise<void> {
    this.current.clear();
    for (const r of await dumpOurRoutes(this.netlink)) {
      if (!inTable(r, this.table, this.metric) || r.tos !== 0) continue;
      this.current.set(prefixKey(r.prefix), { prefix: r.prefix, nextHops: r.nextHops });
    }
  }

  /** Add, replace and delete until the kernel holds `wanted` (as far as it accepts), many changes to a datagram. */
  private async reconcile(wanted: Map<number, KernelRoute>): Promise<SyncResult> {
    const result: SyncResult = { added: [], replaced: [], removed: [], unchanged: 0, failed: [] };
    const puts: KernelRoute[] = [];
    const known: boolean[] = [];
    for (const route of [...wanted.values()].sort(comparePrefix)) {
      const have = this.current.get(prefixKey(route.prefix));
      if (have && sameNextHops(have, route)) result.unchanged += 1;
      else {
        puts.push(route);
        known.push(have !== undefined);
      }
    }
    // A route not installed yet is created with NLM_F_EXCL: REPLACE would overwrite another protocol's route at our metric.
    const putErrnos = await this.netlink.batch(puts.length, routePuts(puts, known, this.table, this.metric), 'route add/replace');
    puts.forEach((route, i) => {
      const errno = putErrnos[i] as number;
      if (errno !== 0) result.failed.push(new RouteInstallError(known[i] ? 'replace' : 'add', errno, errnoName(errno), route, describeRoute(route, this.table, this.metric)));
      else {
        this.current.set(prefixKey(route.prefix), route);
        (known[i] ? result.replaced : result.added).push(route.prefix);
      }
    });
    const deletes = this.installed().filter((route) => !wanted.has(prefixKey(route.prefix)));
    const deleteErrnos = await this.netlink.batch(
      deletes.length,
      routeDeletes(
        deletes.map((route) => route.prefix),
        this.table,
        this.metric,
      ),
      'route delete',
    );
    deletes.forEach((route, i) => {
      const errno = deleteErrnos[i] as number;
      // ESRCH: someone else removed it already; it is not ours to track any more.
      if (errno !== 0 && errno !== ESRCH) result.failed.push(new RouteInstallError('delete', errno, errnoName(errno), route, describeRoute(route, this.table, this.metric)));
      else {
        this.current.delete(prefixKey(route.prefix));
        result.removed.push(route.prefix);
      }
    });
    return result;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
