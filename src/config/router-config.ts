// Maps a DaemonConfig onto the core's RouterConfig, given the kernel's
// interfaces: which addresses OSPF runs on, per-interface settings, and the
// AS-external routes that `redistribute connected|static` and external
// anycast blocks originate (RFC 2328 12.4.4). Call it again whenever the
// interfaces or an anycast prefix's state change, and hand the result to
// the core as a {kind:'config'} input.

import type {
  ExternalRouteConfig,
  InterfaceAuth,
  InterfaceInfo,
  InterfaceSettings,
  PrefixAdvertisement,
  RouterConfig,
} from '../core/api.js';
import { formatPrefix, maskFromLength, prefixContains, type Prefix } from '../lib/ipv4.js';
import { RouterIdError } from './errors.js';
import {
  DEFAULT_EXTERNAL_METRIC,
  UNKNOWN_INTERFACE_BANDWIDTH,
  type AnycastConfig,
  type DaemonConfig,
  type InterfaceAuthentication,
  type InterfaceConfig,
  type OspfConfig,
  type StaticRoute,
} from './types.js';

/** The largest metric that still means "reachable" in an AS-external-LSA (LSInfinity is 0xffffff, RFC 2328 A.4.5). */
export const MAX_EXTERNAL_METRIC = 0xfffffe;

export interface ToRouterConfigOptions {
  /**
   * How each `announce-as external` anycast prefix is advertised right now,
   * keyed by formatPrefix(prefix). A prefix not listed is withdrawn: it is
   * announced only once its health checks have passed.
   */
  anycastModes?: ReadonlyMap<string, PrefixAdvertisement>;
}

/**
 * FRR's automatic router id: the highest address on an up loopback
 * interface, else the highest address on any up interface. 127.0.0.0/8,
 * 169.254.0.0/16 and the `exclude` prefixes (pass the anycast prefixes:
 * every node carries them, so they would give every node the same id) are
 * never taken. Undefined when no address qualifies.
 */
export function pickRouterId(interfaces: readonly InterfaceInfo[], exclude: readonly Prefix[] = []): number | undefined {
  let loopback: number | undefined;
  let other: number | undefined;
  for (const info of interfaces) {
    if (!info.up) continue;
    for (const { address } of info.addresses) {
      if (address === 0 || address >>> 24 === 127 || address >>> 16 === 0xa9fe) continue;
      if (exclude.some((p) => prefixContains(p, address))) continue;
      if (info.loopback) loopback = Math.max(loopback ?? 0, address);
      else other = Math.max(other ?? 0, address);
    }
  }
  return loopback ?? other;
}

/** The router id the file sets: router ospf's `ospf router-id`, else zebra's top-level `router-id`. */
export function configuredRouterId(cfg: DaemonConfig): number | undefined {
  return cfg.ospf.routerId ?? cfg.routerId;
}

/** The core's configuration for this DaemonConfig on a machine with these interfaces. */
export function toRouterConfig(
  cfg: DaemonConfig,
  interfaces: readonly InterfaceInfo[],
  options: ToRouterConfigOptions = {},
): RouterConfig {
  const ospf = cfg.ospf;
  const anycastPrefixes = cfg.anycast.map((a) => a.prefix);
  const routerId = configuredRouterId(cfg) ?? pickRouterId(interfaces, anycastPrefixes);
  if (routerId === undefined) {
    throw new RouterIdError(
      'no "ospf router-id" configured and no usable interface address to take one from ' +
        '(127.0.0.0/8, 169.254.0.0/16 and anycast prefixes are never used)',
    );
  }
  const networks = ospfNetworks(cfg, interfaces);
  return {
    routerId,
    areaId: ospf.area,
    networks,
    interfaces: interfaceSettings(cfg, interfaces),
    externals: externals(cfg, interfaces, networks, options.anycastModes ?? new Map()),
    maximumPaths: ospf.maximumPaths,
    spfThrottle: { ...ospf.spfThrottle },
    ...(ospf.lsaIntervalMs === undefined ? {} : { minLsIntervalMs: ospf.lsaIntervalMs }),
    ...(ospf.lsaArrivalMs === undefined ? {} : { minLsArrivalMs: ospf.lsaArrivalMs }),
    ...(ospf.maxLsa === undefined ? {} : { maxLsa: ospf.maxLsa }),
    ...stubRouter(ospf),
    gracefulRestartHelper: { ...ospf.gracefulRestartHelper, neighbors: [...ospf.gracefulRestartHelper.neighbors] },
  };
}

/** `max-metric router-lsa` as the core's stub router setting (RFC 6987); nothing when neither form is set. */
function stubRouter(ospf: OspfConfig): Pick<RouterConfig, 'stubRouter'> {
  const { administrative, onStartup } = ospf.maxMetric;
  if (!administrative && onStartup === undefined) return {};
  return { stubRouter: { administrative, ...(onStartup === undefined ? {} : { onStartupMs: onStartup * 1000 }) } };
}

/**
 * The prefixes OSPF runs on: `network` statements, the subnets of interfaces
 * with `ip ospf area`, and `announce-as stub` anycast prefixes (the anycast
 * block governs their advertisement through the core's advertise input).
 */
function ospfNetworks(cfg: DaemonConfig, interfaces: readonly InterfaceInfo[]): Prefix[] {
  const networks: Prefix[] = cfg.ospf.networks.map((n) => ({ ...n.prefix }));
  for (const info of interfaces) {
    if (cfg.interfaces[info.name]?.area === undefined) continue;
    for (const a of info.addresses) networks.push(subnetOf(a.address, a.prefixLength));
  }
  for (const block of cfg.anycast) {
    if (block.announceAs.kind !== 'stub') continue;
    if (!networks.some((n) => covers(n, block.prefix))) networks.push({ ...block.prefix });
  }
  return uniqueSorted(networks);
}

/**
 * An interface's cost from its speed, as FRR's ospfd computes it where no
 * `ip ospf cost` is set (ospf_if_get_output_cost): the reference bandwidth
 * over the interface's, rounded to the nearest integer, within 1–65535; an
 * interface of unknown speed counts as UNKNOWN_INTERFACE_BANDWIDTH.
 */
export function interfaceCost(referenceMbps: number, speedMbps: number | undefined): number {
  const bandwidth = speedMbps !== undefined && speedMbps > 0 ? speedMbps : UNKNOWN_INTERFACE_BANDWIDTH;
  return Math.min(65535, Math.max(1, Math.floor(referenceMbps / bandwidth + 0.5)));
}

/**
 * Settings by interface name for every interface the file says something
 * about, and for every interface of the machine but loopbacks (whose stub
 * links cost 0 whatever their cost): its cost from `auto-cost
 * reference-bandwidth` and its speed where the file sets no `ip ospf cost`.
 */
function interfaceSettings(
  cfg: DaemonConfig,
  interfaces: readonly InterfaceInfo[],
): Record<string, Partial<InterfaceSettings>> {
  const ospf = cfg.ospf;
  const names = new Set([...Object.keys(cfg.interfaces), ...Object.keys(ospf.passiveInterfaces)]);
  const byName = new Map(interfaces.map((info) => [info.name, info]));
  for (const info of interfaces) {
    // Both defaults reach interfaces the file does not name, and so does the cost.
    if (ospf.passiveDefault || ospf.areaAuthentication !== undefined || !info.loopback) names.add(info.name);
  }
  const result: Record<string, Partial<InterfaceSettings>> = {};
  for (const name of [...names].sort()) {
    const settings = fromInterfaceConfig(cfg.interfaces[name]);
    const info = byName.get(name);
    if (settings.cost === undefined && info !== undefined && !info.loopback) settings.cost = interfaceCost(ospf.referenceBandwidth, info.speedMbps);
    // `ip ospf passive` beats `passive-interface NAME`, which beats `passive-interface default`.
    const passive = cfg.interfaces[name]?.passive ?? ospf.passiveInterfaces[name] ?? (ospf.passiveDefault ? true : undefined);
    if (passive !== undefined) settings.passive = passive;
    const auth = interfaceAuth(cfg.interfaces[name]?.authentication, ospf.areaAuthentication);
    if (auth.type !== 'null') settings.auth = auth;
    if (Object.keys(settings).length > 0) result[name] = settings;
  }
  return result;
}

/**
 * RFC 2328 D.3: the interface's `ip ospf authentication`, else the area's.
 * As in FRR, a bare type takes its key from the interface: a missing
 * password is empty (eight zero bytes), and message-digest without a key
 * sends with Key ID 0 and an empty MD5 key, accepting nothing.
 */
function interfaceAuth(own: InterfaceAuthentication | undefined, area: OspfConfig['areaAuthentication']): InterfaceAuth {
  switch (own?.type ?? area ?? 'null') {
    case 'null':
      return { type: 'null' };
    case 'simple':
      return { type: 'simple', password: own?.simpleKey ?? '' };
    case 'message-digest':
      return { type: 'cryptographic', keys: (own?.keys ?? []).map((k) => ({ ...k })) };
  }
}

function fromInterfaceConfig(ifc: InterfaceConfig | undefined): Partial<InterfaceSettings> {
  const s: Partial<InterfaceSettings> = {};
  if (ifc === undefined) return s;
  if (ifc.networkType !== undefined) s.networkType = ifc.networkType;
  if (ifc.cost !== undefined) s.cost = ifc.cost;
  if (ifc.helloMultiplier !== undefined) {
    // FRR fast hellos: M hellos a second, RouterDeadInterval 1 s.
    s.helloIntervalMs = Math.floor(1000 / ifc.helloMultiplier);
    s.deadIntervalMs = 1000;
  } else {
    if (ifc.helloInterval !== undefined) s.helloIntervalMs = ifc.helloInterval * 1000;
    if (ifc.deadInterval !== undefined) s.deadIntervalMs = ifc.deadInterval * 1000;
  }
  if (ifc.retransmitInterval !== undefined) s.retransmitIntervalMs = ifc.retransmitInterval * 1000;
  if (ifc.transmitDelay !== undefined) s.transmitDelay = ifc.transmitDelay;
  if (ifc.priority !== undefined) s.priority = ifc.priority;
  if (ifc.mtuIgnore !== undefined) s.mtuIgnore = ifc.mtuIgnore;
  return s;
}

/**
 * AS-external routes, one per prefix, sorted. Connected routes win over
 * static ones for the same prefix (lower administrative distance, as FRR).
 */
function externals(
  cfg: DaemonConfig,
  interfaces: readonly InterfaceInfo[],
  networks: readonly Prefix[],
  anycastModes: ReadonlyMap<string, PrefixAdvertisement>,
): ExternalRouteConfig[] {
  const ospf = cfg.ospf;
  const anycastPrefixes = cfg.anycast.map((a) => a.prefix);
  const byPrefix = new Map<string, ExternalRouteConfig>();
  const add = (prefix: Prefix, metric: number, metricType: 1 | 2): void => {
    const key = formatPrefix(prefix);
    if (!byPrefix.has(key)) byPrefix.set(key, { prefix, metric, metricType, forwardingAddress: 0, tag: 0 });
  };
  // Never redistributed, as FRR: 127/8, 169.254/16 link-local, multicast prefixes, and the default route
  // (which needs default-information originate, not implemented). Nor the anycast prefixes, which their blocks govern.
  const excluded = (p: Prefix): boolean =>
    p.length === 0 ||
    p.address >>> 24 === 127 ||
    (p.length >= 16 && p.address >>> 16 === 0xa9fe) ||
    p.address >>> 28 === 0xe ||
    anycastPrefixes.some((a) => covers(a, p));

  for (const block of cfg.anycast) {
    const route = anycastExternal(block, anycastModes.get(formatPrefix(block.prefix)) ?? 'withdraw');
    if (route !== undefined) add(route.prefix, route.metric, route.metricType);
  }

  const connected = ospf.redistributeConnected;
  if (connected !== undefined) {
    const metric = connected.metric ?? ospf.defaultMetric ?? DEFAULT_EXTERNAL_METRIC;
    for (const info of [...interfaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!info.up || cfg.interfaces[info.name]?.area !== undefined) continue;
      for (const a of info.addresses) {
        // RFC 2328 12.4.4; like FRR, a subnet OSPF already runs on is not also an external route.
        if (networks.some((n) => prefixContains(n, a.address))) continue;
        const subnet = subnetOf(a.address, a.prefixLength);
        if (!excluded(subnet)) add(subnet, metric, connected.metricType);
      }
    }
  }

  const statics = ospf.redistributeStatic;
  if (statics !== undefined) {
    const metric = statics.metric ?? ospf.defaultMetric ?? DEFAULT_EXTERNAL_METRIC;
    for (const route of cfg.staticRoutes) {
      if (!excluded(route.prefix) && installable(route, interfaces)) add(route.prefix, metric, statics.metricType);
    }
  }
  return [...byPrefix.values()].sort(comparePrefix);
}

/**
 * The AS-external route of an `announce-as external` anycast block in the
 * given state: 'announce' with its metric, 'max-cost' as a last resort
 * (MAX_EXTERNAL_METRIC), 'withdraw' and stub blocks none.
 */
export function anycastExternal(block: AnycastConfig, mode: PrefixAdvertisement): ExternalRouteConfig | undefined {
  if (block.announceAs.kind !== 'external' || mode === 'withdraw') return undefined;
  return {
    prefix: { ...block.prefix },
    metric: mode === 'max-cost' ? MAX_EXTERNAL_METRIC : block.announceAs.metric,
    metricType: block.announceAs.metricType,
    forwardingAddress: 0,
    tag: 0,
  };
}

/**
 * Whether a static route would be in the routing table, so FRR would
 * redistribute it: blackhole and reject routes always; an interface route
 * while that interface is up; a gateway while it lies in the subnet of an
 * up interface (the named one, when one is named).
 */
function installable(route: StaticRoute, interfaces: readonly InterfaceInfo[]): boolean {
  const nh = route.nexthop;
  switch (nh.kind) {
    case 'blackhole':
    case 'reject':
      return true;
    case 'interface':
      return interfaces.some((i) => i.name === nh.ifName && i.up);
    case 'gateway':
      return interfaces.some(
        (i) =>
          i.up &&
          (nh.ifName === undefined
            ? i.addresses.some((a) => prefixContains(subnetOf(a.address, a.prefixLength), nh.address))
            : i.name === nh.ifName),
      );
  }
}

function subnetOf(address: number, length: number): Prefix {
  return { address: (address & maskFromLength(length)) >>> 0, length };
}

/** Whether `outer` contains all of `inner`. */
function covers(outer: Prefix, inner: Prefix): boolean {
  return outer.length <= inner.length && prefixContains(outer, inner.address);
}

function comparePrefix(a: { prefix: Prefix }, b: { prefix: Prefix }): number {
  return a.prefix.address - b.prefix.address || a.prefix.length - b.prefix.length;
}

function uniqueSorted(prefixes: Prefix[]): Prefix[] {
  const seen = new Map<string, Prefix>();
  for (const p of prefixes) seen.set(formatPrefix(p), p);
  return [...seen.values()].sort((a, b) => a.address - b.address || a.length - b.length);
}
