// The router role's kernel side in one place: routes as nexthop groups
// (nexthops.ts), `multipath hash` (hash-policy.ts) and `ip load-sharing
// per-packet` (per-packet.ts), behind the same sweep/sync/removeAll the
// daemon uses for its routes.
//
//   sweep()      set the hash policy (layer4; layer3 leaves it as found); check nft and sweep its leftovers (if per-packet is configured);
//                sweep proto-188 routes and nexthop objects
//   sync(routes) per-packet marks first (a next hop that leaves is no longer marked for),
//                then the routes and their groups
//   removeAll()  routes, groups, nft table, rules and per-next-hop tables; the old hash policy back
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

import type { OspfConfig } from '../config/model.js';
import type { KernelRoute, SyncResult } from '../io/routes.js';
import { formatIpv4, type Prefix } from '../lib/ipv4.js';
import { HashPolicy, HASH_POLICY_PATH } from './hash-policy.js';
import { NexthopInstaller, type FibInstaller, type GroupKind } from './nexthops.js';
import { PerPacketSpreader } from './per-packet.js';

export interface MultipathFibOptions {
  table: number;
  metric: number;
  multipath: OspfConfig['multipath'];
  /** Interfaces with `ip load-sharing per-packet`, by name. */
  perPacketInterfaces: readonly string[];
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
  private readonly spreader: PerPacketSpreader | undefined;
  private hashPolicy: HashPolicy | undefined;
  private spreadPrefixes = new Set<string>();

  constructor(private readonly options: MultipathFibOptions) {
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
    const path = this.options.hashPolicyPath ?? HASH_POLICY_PATH;
    // layer3 is also what an empty file gives, so it leaves the sysctl as the
    // system has it (0 unless an operator set it); layer4 is enforced.
    if (this.options.multipath.hash === 'layer4') {
      this.hashPolicy = await HashPolicy.apply('layer4', path);
      this.options.log('notice', 'multipath hash policy', { hash: 'layer4', fib_multipath_hash_policy: 1, previous: this.hashPolicy.previous });
    } else {
      this.options.log('notice', 'multipath hash policy left as found', { hash: 'layer3', fib_multipath_hash_policy: await HashPolicy.read(path) });
    }
    if (this.spreader !== undefined) {
      await this.spreader.check();
      await this.spreader.sweep();
    }
    return this.installer.sweep();
  }

  async sync(desired: readonly KernelRoute[]): Promise<SyncResult> {
    if (this.spreader !== undefined) {
      const perPacket = new Set(this.options.perPacketInterfaces.map((name) => this.options.ifIndexOf(name)).filter((i): i is number => i !== undefined));
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
    if (this.spreader !== undefined) {
      try {
        await this.spreader.removeAll();
      } catch (error) {
        this.options.log('warning', 'cannot remove per-packet load sharing', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    const result = await this.installer.removeAll();
    await this.hashPolicy?.restore();
    return result;
  }

  installed(): KernelRoute[] {
    return this.installer.installed();
  }

  close(): void {
    this.installer.close();
  }

  /** How a route with two or more next hops is spread; undefined for others and for prefixes not installed. */
  multipath(prefix: Prefix): MultipathView | undefined {
    const route = this.installer.installed().find((r) => prefixKey(r.prefix) === prefixKey(prefix));
    if (route === undefined || route.nextHops.length < 2) return undefined;
    const perPacket = this.spreadPrefixes.has(prefixKey(prefix));
    const group = this.installer.groupOf(prefix);
    const nextHops = route.nextHops.map((h) => (h.gateway !== 0 ? formatIpv4(h.gateway) : `ifindex ${h.ifIndex}`));
    if (group === undefined) return { group: 'rta-multipath', perPacket, nextHops };
    return { group: group.kind, groupId: group.id, perPacket, nextHops };
  }
}

function prefixKey(prefix: Prefix): string {
  return `${prefix.address}/${prefix.length}`;
}
