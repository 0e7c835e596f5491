// Builds the answers to `show …` (src/control/views.ts) from the running
// instance and announcer. Pure functions of their arguments.

import type { PrefixStatus } from '../anycast/index.js';
import type { ShowRequest } from '../control/requests.js';
import type { AnycastRowView, DatabaseRowView, InterfaceRowView, NeighborRowView, OspfSummaryView, RouteRowView, ShowAnswers } from '../control/views.js';
import type { InterfaceInfo, RouterConfig, SpfThrottle, StubRouterConfig } from '../core/api.js';
import type { OspfInstance } from '../instance/instance.js';
import { formatIpv4, formatPrefix, parseIpv4, parsePrefix, prefixContains, type Prefix } from '../lib/ipv4.js';
import { decodeLsaBody } from '../packet/index.js';
import { LsaType, type LsaHeader } from '../packet/types.js';
import { GraceReason } from '../packet/lsa/grace.js';
import { topologyDot } from './topology-dot.js';

const typeNames: Record<number, string> = {
  [LsaType.Router]: 'Router',
  [LsaType.Network]: 'Net',
  [LsaType.SummaryNetwork]: 'Summary',
  [LsaType.SummaryAsbr]: 'ASBR-Summary',
  [LsaType.AsExternal]: 'AS External',
  [LsaType.Nssa]: 'NSSA External',
  [LsaType.OpaqueLink]: 'Opaque-Link',
  [LsaType.OpaqueArea]: 'Opaque-Area',
  [LsaType.OpaqueAs]: 'Opaque-AS',
};

const typeByCliName: Record<string, number> = {
  router: LsaType.Router,
  network: LsaType.Network,
  summary: LsaType.SummaryNetwork,
  'asbr-summary': LsaType.SummaryAsbr,
  external: LsaType.AsExternal,
};

const hex = (value: number, digits: number): string => `0x${(value >>> 0).toString(16).padStart(digits, '0')}`;

/** What the answers are read from: the running daemon's parts. */
export interface ShowSource {
  instance: OspfInstance;
  routerConfig: RouterConfig;
  /** `graceful-restart grace-period N`: N, seconds; undefined when not configured. */
  gracePeriod: number | undefined;
  startedAt: number; // performance.now() at start
  /** How the kernel spreads a multipath route, when the route installer knows. */
  multipath: (prefix: Prefix) => RouteRowView['multipath'];
  anycast: readonly PrefixStatus[];
  /** The configured anycast prefixes, "a.b.c.d/len". */
  anycastPrefixes: readonly string[];
  interfaces: readonly InterfaceInfo[];
}

/** The answer to one `show` request, now. */
export function answerShow(request: ShowRequest, source: ShowSource): ShowAnswers[ShowRequest['what']] {
  const { instance, routerConfig } = source;
  const now = performance.now();
  switch (request.what) {
    case 'ospf':
      return ospfSummary({
        instance,
        areaId: routerConfig.areaId,
        throttle: routerConfig.spfThrottle,
        maximumPaths: routerConfig.maximumPaths,
        stubRouter: routerConfig.stubRouter,
        gracePeriod: source.gracePeriod,
        startedAt: source.startedAt,
        now,
        timeOrigin: performance.timeOrigin,
      });
    case 'interfaces':
      return interfaceRows(instance);
    case 'neighbors':
      return neighborRows(instance, now, performance.timeOrigin);
    case 'database':
      return { areaId: formatIpv4(routerConfig.areaId), lsas: databaseRows(instance, now, request.type, request.lsId) };
    case 'routes':
      return routeRows(instance, source.multipath);
    case 'anycast':
      return anycastRows(source.anycast, source.interfaces);
    case 'topology':
      return topologyDot({
        routerId: routerConfig.routerId,
        lsas: instance.lsdb(now).flatMap((h) => instance.lsa(h, now) ?? []),
        distance: (kind, id) => instance.distance(kind, id),
        anycast: source.anycastPrefixes,
      });
  }
}

export interface SummaryContext {
  instance: OspfInstance;
  areaId: number;
  throttle: SpfThrottle;
  maximumPaths: number;
  stubRouter: StubRouterConfig | undefined;
  /** `graceful-restart grace-period N`: N, seconds; undefined when not configured. */
  gracePeriod: number | undefined;
  startedAt: number; // performance.now() at start
  now: number;
  /** performance.timeOrigin, to turn monotonic times into wall-clock ISO text. */
  timeOrigin: number;
}

/** LSA counts by type, as `show ospf` and the metrics report them. */
export function lsaCountsByType(headers: readonly LsaHeader[]): OspfSummaryView['lsaCounts'] {
  const counts = { router: 0, network: 0, summary: 0, asbrSummary: 0, external: 0, other: 0, total: 0 };
  for (const h of headers) {
    counts.total++;
    if (h.type === LsaType.Router) counts.router++;
    else if (h.type === LsaType.Network) counts.network++;
    else if (h.type === LsaType.SummaryNetwork) counts.summary++;
    else if (h.type === LsaType.SummaryAsbr) counts.asbrSummary++;
    else if (h.type === LsaType.AsExternal) counts.external++;
    else counts.other++;
  }
  return counts;
}

export function ospfSummary(ctx: SummaryContext): OspfSummaryView {
  const { instance } = ctx;
  const stats = instance.spfStatistics();
  const counts = lsaCountsByType(instance.lsdb(ctx.now));
  const neighbors = instance.neighbors();
  return {
    routerId: formatIpv4(instance.routerId),
    areaId: formatIpv4(ctx.areaId),
    uptimeSec: Math.floor((ctx.now - ctx.startedAt) / 1000),
    spf: {
      runs: stats.runs,
      fullRuns: stats.fullRuns,
      partialRuns: stats.partialRuns,
      lastDurationUs: stats.lastDurationUs === null ? null : Math.round(stats.lastDurationUs),
      lastKind: stats.lastKind,
      lastAt: stats.lastAt === null ? null : new Date(ctx.timeOrigin + stats.lastAt).toISOString(),
      throttle: { ...ctx.throttle },
    },
    maximumPaths: ctx.maximumPaths,
    lsaCounts: counts,
    interfaces: instance.interfaces().length,
    neighbors: { total: neighbors.length, full: neighbors.filter((n) => n.state === 'Full').length },
    drops: { ...instance.stats().drops },
    stubRouter: stubRouterSummary(instance, ctx),
    gracefulRestart: gracefulRestartSummary(instance, ctx),
  };
}

/** Restarting gracefully (RFC 3623 2): the configured grace period, and whether this start is still restarting. */
function gracefulRestartSummary(instance: OspfInstance, ctx: SummaryContext): OspfSummaryView['gracefulRestart'] {
  const restarting = instance.restarting();
  return {
    gracePeriodSec: ctx.gracePeriod ?? null,
    restartingUntil: restarting === undefined ? null : new Date(ctx.timeOrigin + restarting.until).toISOString(),
  };
}

/** As FRR's `show ip ospf`: the stub router configuration, and whether and why the router-LSA is a stub router's now. */
function stubRouterSummary(instance: OspfInstance, ctx: SummaryContext): OspfSummaryView['stubRouter'] {
  const state = instance.stubRouter(ctx.now);
  return {
    administrative: state.administrative,
    onStartupSec: ctx.stubRouter?.onStartupMs === undefined ? null : ctx.stubRouter.onStartupMs / 1000,
    active: state.active,
    startupRemainingSec: state.startupRemainingMs === undefined ? null : Math.ceil(state.startupRemainingMs / 1000),
  };
}

export function interfaceRows(instance: OspfInstance): InterfaceRowView[] {
  const neighbors = instance.neighbors();
  return instance.interfaces().map((i) => {
    const mine = neighbors.filter((n) => n.ifName === i.name);
    return {
      name: i.name,
      state: i.state,
      address: i.address === 0 ? '' : `${formatIpv4(i.address)}/${i.prefixLength}`,
      networkType: i.networkType,
      cost: i.cost,
      passive: i.passive,
      dr: i.dr === 0 ? '' : formatIpv4(i.dr),
      bdr: i.bdr === 0 ? '' : formatIpv4(i.bdr),
      neighbors: mine.length,
      adjacent: mine.filter((n) => n.state === 'Full').length,
    };
  });
}

/** `show neighbors`; `timeOrigin` turns the core's times (performance.now()) into wall-clock ones. */
export function neighborRows(instance: OspfInstance, now: number, timeOrigin: number): NeighborRowView[] {
  return instance.neighbors().map((n) => ({
    routerId: formatIpv4(n.routerId),
    priority: n.priority,
    state: n.state,
    address: formatIpv4(n.address),
    ifName: n.ifName,
    retransmitCount: n.retransmitCount,
    requestCount: n.requestCount,
    ...(n.helper === undefined
      ? {}
      : {
          helper: {
            since: new Date(timeOrigin + n.helper.since).toISOString(),
            until: new Date(timeOrigin + n.helper.until).toISOString(),
            remainingSeconds: Math.max(0, Math.ceil((n.helper.until - now) / 1000)),
            gracePeriod: n.helper.gracePeriod,
            restartReason: restartReasonName(n.helper.restartReason),
          },
        }),
  }));
}

/** RFC 3623 Appendix A: the restart reasons of a grace-LSA, as FRR names them. */
export function restartReasonName(reason: number): string {
  switch (reason) {
    case GraceReason.SoftwareRestart:
      return 'software restart';
    case GraceReason.SoftwareUpgrade:
      return 'software reload/upgrade';
    case GraceReason.ControlProcessorSwitch:
      return 'switch to redundant control processor';
    default:
      return 'unknown';
  }
}

/** `show database [TYPE] [LSID]`; with an LSID, each matching LSA is shown decoded. */
export function databaseRows(instance: OspfInstance, now: number, type?: string, lsId?: string): DatabaseRowView[] {
  const wantType = type === undefined ? undefined : typeByCliName[type];
  const wantId = lsId === undefined ? undefined : parseIpv4(lsId);
  const rows: DatabaseRowView[] = [];
  for (const h of instance.lsdb(now)) {
    if (wantType !== undefined && h.type !== wantType) continue;
    if (wantId !== undefined && h.lsId >>> 0 !== wantId) continue;
    const row = headerRow(h);
    if (wantId !== undefined) {
      const lsa = instance.lsa(h, now);
      if (lsa !== undefined) row.body = jsonBody(decodeLsaBody(lsa));
    }
    rows.push(row);
  }
  return rows;
}

function headerRow(h: LsaHeader): DatabaseRowView {
  return {
    type: h.type,
    typeName: typeNames[h.type] ?? `Type-${h.type}`,
    lsId: formatIpv4(h.lsId),
    advRouter: formatIpv4(h.advRouter),
    age: h.age,
    seq: hex(h.seq, 8),
    checksum: hex(h.checksum, 4),
    length: h.length,
  };
}

/** A decoded body with addresses as text, for JSON. */
function jsonBody(body: ReturnType<typeof decodeLsaBody>): unknown {
  switch (body.kind) {
    case 'router':
      return {
        flags: body.flags,
        links: body.links.map((l) => ({ type: l.type, linkId: formatIpv4(l.linkId), linkData: formatIpv4(l.linkData), metric: l.metric })),
      };
    case 'network':
      return { networkMask: formatIpv4(body.networkMask), attachedRouters: body.attachedRouters.map(formatIpv4) };
    case 'summary':
      return { networkMask: formatIpv4(body.networkMask), metric: body.metric };
    case 'external':
      return {
        networkMask: formatIpv4(body.networkMask),
        routes: body.routes.map((r) => ({ metricType: r.eBit ? 2 : 1, metric: r.metric, forwardingAddress: formatIpv4(r.forwardingAddress), routeTag: r.routeTag })),
      };
    case 'opaque':
      return { bytes: body.data.length };
  }
}

export function routeRows(instance: OspfInstance, multipathOf?: (prefix: Prefix) => RouteRowView['multipath']): RouteRowView[] {
  return instance
    .routes()
    .routes()
    .map((r) => {
      const row: RouteRowView = {
        prefix: formatPrefix(r.prefix),
        pathType: r.pathType,
        cost: r.cost,
        nextHops: r.nextHops.map((h) => ({ address: formatIpv4(h.address), ifName: h.ifName })),
      };
      if (r.pathType === 'external-2') row.type2Cost = r.type2Cost;
      const multipath = multipathOf?.(r.prefix);
      if (multipath !== undefined) row.multipath = multipath;
      return row;
    });
}

/** `show anycast`: each prefix's state and checks, its interface and where the kernel has the address. */
export function anycastRows(status: readonly PrefixStatus[], interfaces: readonly InterfaceInfo[]): AnycastRowView[] {
  return status.map((p) => ({
    prefix: p.prefix,
    interface: p.interface,
    addressOn: addressOn(parsePrefix(p.prefix), interfaces),
    state: p.state,
    since: new Date(p.since).toISOString(),
    reason: p.reason,
    advertised: p.advertised,
    checks: p.checks.map((c) => ({
      name: c.name,
      healthy: c.healthy,
      lastOk: c.last?.ok ?? null,
      lastReason: c.last?.reason ?? c.reason,
      lastLatencyMs: c.last?.latencyMs ?? null,
      lastAt: c.last === undefined ? null : new Date(c.last.at).toISOString(),
    })),
  }));
}

/** The interfaces with an address inside the prefix, by name: where the anycast address really is. */
function addressOn(prefix: Prefix, interfaces: readonly InterfaceInfo[]): string[] {
  return interfaces
    .filter((info) => info.addresses.some((a) => prefixContains(prefix, a.address >>> 0)))
    .map((info) => info.name)
    .sort();
}
