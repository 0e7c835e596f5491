// The router role's kernel side in one place: routes as nexthop groups
// (nexthops.ts), `multipath hash` (hash-policy.ts) and `ip load-sharing
// per-packet` (per-packet.ts), behind the same sweep/sync/removeAll the
// daemon uses for its routes.
//
//   sweep()      set the hash policy (layer4; layer3 leaves it as found); check nft and sweep its leftovers (if per-packet is configured);
//                sweep proto-188 routes and nexthop objects
//   inherit()    the same after a graceful restart, but proto-188 routes and objects stay for the first sync to replace
//   sync(routes) per-packet marks first (a next hop that leaves is no longer marked for),
//                then the routes and their groups
//   removeAll()  routes, groups, nft table, rules and per-next-hop tables; the old hash policy back
//   reconfigure(settings)  (reload) the new hash policy, per-packet spreading started or
//                stopped, groups of the new kind; then the last routes synced again
//
// Per-packet spreading takes, of each route, the next hops that leave
// through an interface with `ip load-sharing per-packet`; a route with two
// or more of them is spread over those, packet by packet. Packets of other
// routes, and packets the nft rules do not mark, follow the route's group.
//
// The group kind follows `multipath group` (src/config/reference.md). For
// anycast the kind that keeps calls in place is `resilient`: a node that
// fails moves only its own flows, a node that returns takes back only its
// share (bench/README.md, "Flow disruption"); hash-threshold moves a quarter
// to a half of the surviving nodes' flows on every change.

import type { OspfConfig } from '../config/types.js';
import { prefixKey, type KernelRoute } from '../io/kernel-route.js';
import type { SyncResult } from '../io/routes.js';
import { formatIpv4, type Prefix } from '../lib/ipv4.js';
import { HashPolicy, HASH_POLICY_PATH } from './hash-policy.js';
import { NexthopInstaller, type FibInstaller, type GroupKind } from './nexthop-installer.js';
import { PerPacketSpreader } from './per-packet.js';

/** The settings a configuration reload may change. */
export interface MultipathSettings {
  multipath: OspfConfig['multipath'];
  /** Interfaces with `ip load-sharing per-packet`, by name. */
  perPacketInterfaces: readonly string[];
}

export interface MultipathFibOptions extends MultipathSettings {
  table: number;
  metric: number;
  /** The ifIndex an interface has now. */
  ifIndexOf: (name: string) => number | undefined;
  log: (level: 'notice' | 'warning', message: string, fields?: Record<string, string | number | boolean | undefined>) => void;
  /** Where net.ipv4.fib_multipath_hash_policy is (tests point it elsewhere). */
  hashPolicyPath?: string;
  /** false: RTA_MULTIPATH routes as on kernels without nexthop objects (NexthopInstallerOptions.nexthopObjects). */
  nexthopObjects?: boolean;
}

/** How the kernel spreads one multipath route, for `show routes`. */
export interface MultipathView {
  /** The group kind; 'rta-multipath' on kernels without nexthop objects. */
  group: GroupKind | 'rta-multipath';
  /** Nexthop group id; absent with RTA_MULTIPATH. */
  groupId?: number;
  /** True when `ip load-sharing per-packet` spreads it packet by packet. */
  perPacket: boolean;
  nextHops: string[];
}

export class MultipathFib implements FibInstaller {
  private readonly installer: NexthopInstaller;
  private spreader: PerPacketSpreader | undefined;
  private hashPolicy: HashPolicy | undefined;
  private spreadPrefixes = new Set<number>();
  private settings: MultipathSettings;
  /** The routes of the last sync and updates, by prefix, synced again after a reconfigure. */
  private desired = new Map<number, KernelRoute>();

  constructor(private readonly options: MultipathFibOptions) {
    this.settings = { multipath: options.multipath, perPacketInterfaces: options.perPacketInterfaces };
    this.installer = new NexthopInstaller({
      table: options.table,
      metric: options.metric,
      group: options.multipath.group,
      onFallback: (reason) => options.log('warning', reason),
      nexthopObjects: options.nexthopObjects,
    });
    this.spreader = options.perPacketInterfaces.length > 0 ? new PerPacketSpreader({ metric: options.metric }) : undefined;
  }

  async sweep(): Promise<Prefix[]> {
    await this.applyHashPolicy();
    if (this.spreader !== undefined) {
      await this.spreader.check();
      await this.spreader.sweep();
    }
    return this.installer.sweep();
  }

  /**
   * sweep() after a graceful restart (RFC 3623 2.2): the hash policy and
   * per-packet spreading as at any start, but the previous run's routes stay
   * in the kernel until the first sync replaces or deletes them.
   */
  async inherit(): Promise<Prefix[]> {
    await this.applyHashPolicy();
    if (this.spreader !== undefined) {
      await this.spreader.check();
      await this.spreader.sweep();
    }
    return this.installer.inherit();
  }

  /**
   * layer3 is also what an empty file gives, so it leaves the sysctl as the
   * system had it when the daemon started (0 unless an operator set it);
   * layer4 is enforced.
   */
  private async applyHashPolicy(): Promise<void> {
    const path = this.options.hashPolicyPath ?? HASH_POLICY_PATH;
    if (this.settings.multipath.hash === 'layer4') {
      if (this.hashPolicy !== undefined) return;
      this.hashPolicy = await HashPolicy.set('layer4', path);
      this.options.log('notice', 'multipath hash policy', { hash: 'layer4', fib_multipath_hash_policy: 1, previous: this.hashPolicy.previous });
      return;
    }
    await this.hashPolicy?.restore();
    this.hashPolicy = undefined;
    this.options.log('notice', 'multipath hash policy left as found', { hash: 'layer3', fib_multipath_hash_policy: await HashPolicy.read(path) });
  }

  /**
   * Applies new multipath settings (configuration reload) to what is
   * installed, without touching OSPF: the hash policy, per-packet spreading
   * started (nft checked first) or stopped with everything it owns, and
   * routes moved to groups of the new kind; then the last routes are synced
   * again. Rejects with PerPacketError before changing anything when per-packet
   * spreading is wanted and `nft` cannot run, and with RangeError on bad
   * group parameters.
   */
  async reconfigure(settings: MultipathSettings): Promise<SyncResult> {
    const spreader = settings.perPacketInterfaces.length > 0 ? (this.spreader ?? new PerPacketSpreader({ metric: this.options.metric })) : undefined;
    if (spreader !== undefined && this.spreader === undefined) await spreader.check();
    this.installer.setGroup(settings.multipath.group);
    this.settings = { multipath: settings.multipath, perPacketInterfaces: [...settings.perPacketInterfaces] };
    await this.applyHashPolicy();
    if (this.spreader !== undefined && spreader === undefined) {
      await this.removeSpreading(this.spreader);
      this.spreadPrefixes = new Set();
    }
    this.spreader = spreader;
    return this.sync([...this.desired.values()]);
  }

  async sync(desired: readonly KernelRoute[]): Promise<SyncResult> {
    this.desired = new Map(desired.map((r) => [prefixKey(r.prefix), r]));
    if (this.spreader !== undefined) {
      const perPacket = new Set(this.settings.perPacketInterfaces.map((name) => this.options.ifIndexOf(name)).filter((i): i is number => i !== undefined));
      const spread = desired
        .map((r) => ({ prefix: r.prefix, nextHops: r.nextHops.filter((h) => perPacket.has(h.ifIndex)) }))
        .filter((r) => r.nextHops.length >= 2);
      try {
        await this.spreader.sync(spread);
        this.spreadPrefixes = new Set(spread.map((r) => prefixKey(r.prefix)));
      } catch (error) {
        this.options.log('warning', 'cannot update per-packet load sharing', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return this.installer.sync(desired);
  }

  /**
   * Some routes added or changed, some removed. Per-packet spreading plans
   * over every route, so with it this is a sync of them all.
   */
  async update(routes: readonly KernelRoute[], removed: readonly Prefix[]): Promise<SyncResult> {
    for (const prefix of removed) this.desired.delete(prefixKey(prefix));
    for (const route of routes) this.desired.set(prefixKey(route.prefix), route);
    if (this.spreader !== undefined) return this.sync([...this.desired.values()]);
    return this.installer.update(routes, removed);
  }

  /** Re-read the kernel's nexthops, groups and routes (and per-next-hop tables) and re-apply the last sync. */
  async refresh(): Promise<SyncResult> {
    try {
      await this.spreader?.refresh();
    } catch (error) {
      this.options.log('warning', 'cannot restore per-packet load sharing', { error: error instanceof Error ? error.message : String(error) });
    }
    return this.installer.refresh();
  }

  async removeAll(): Promise<SyncResult> {
    if (this.spreader !== undefined) await this.removeSpreading(this.spreader);
    const result = await this.installer.removeAll();
    await this.hashPolicy?.restore();
    return result;
  }

  private async removeSpreading(spreader: PerPacketSpreader): Promise<void> {
    try {
      await spreader.removeAll();
    } catch (error) {
      this.options.log('warning', 'cannot remove per-packet load sharing', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  installed(): KernelRoute[] {
    return this.installer.installed();
  }

  installedRoute(prefix: Prefix): KernelRoute | undefined {
    return this.installer.installedRoute(prefix);
  }

  close(): void {
    this.installer.close();
  }

  /** How a route with two or more next hops is spread; undefined for others and for prefixes not installed. */
  multipath(prefix: Prefix): MultipathView | undefined {
    const route = this.installer.installedRoute(prefix);
    if (route === undefined || route.nextHops.length < 2) return undefined;
    const perPacket = this.spreadPrefixes.has(prefixKey(prefix));
    const group = this.installer.groupOf(prefix);
    const nextHops = route.nextHops.map((h) => (h.gateway !== 0 ? formatIpv4(h.gateway) : `ifindex ${h.ifIndex}`));
    if (group === undefined) return { group: 'rta-multipath', perPacket, nextHops };
    return { group: group.kind, groupId: group.id, perPacket, nextHops };
  }
}

