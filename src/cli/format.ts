// Human-readable tables for `ospf-anycast show …`, in the spirit of vtysh's
// `show ip ospf …`: aligned columns, one row per object.

import type {
  AnycastRowView,
  DatabaseRowView,
  InterfaceRowView,
  NeighborRowView,
  OspfSummaryView,
  RouteRowView,
} from '../control/views.js';

/** Left-aligned columns separated by two spaces; the header underlined by nothing, as vtysh does. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function formatOspf(v: OspfSummaryView): string {
  const spf = v.spf;
  const last =
    spf.lastDurationUs === null ? 'never run' : `${spf.lastDurationUs} usecs (${spf.lastKind ?? 'full'}) at ${spf.lastAt ?? '?'}`;
  const c = v.lsaCounts;
  return [
    ` OSPF Routing Process, Router ID: ${v.routerId}`,
    ` Area ${v.areaId}`,
    ` Uptime ${v.uptimeSec} s`,
    ` SPF algorithm executed ${spf.runs} times (${spf.fullRuns} full, ${spf.partialRuns} partial)`,
    ` Last SPF duration ${last}`,
    ` SPF throttle: delay ${spf.throttle.delayMs} ms, initial hold ${spf.throttle.initialHoldMs} ms, max hold ${spf.throttle.maxHoldMs} ms`,
    ` Maximum paths ${v.maximumPaths}`,
    ` Number of LSAs ${c.total}: router ${c.router}, network ${c.network}, summary ${c.summary}, ASBR-summary ${c.asbrSummary}, external ${c.external}, other ${c.other}`,
    ...stubRouterLines(v.stubRouter),
    ...gracefulRestartLines(v.gracefulRestart),
    ` Interfaces ${v.interfaces}, neighbors ${v.neighbors.total} (${v.neighbors.full} Full)`,
    ` Dropped packets: ${droppedText(v.drops)}`,
  ].join('\n');
}

/** The stub router lines of vtysh's `show ip ospf` (RFC 6987): what is configured, then what the router-LSA says now. */
function stubRouterLines(s: OspfSummaryView['stubRouter']): string[] {
  const lines: string[] = [];
  if (s.onStartupSec !== null) lines.push(' Stub router advertisement is configured', `   Enabled for ${s.onStartupSec}s after start-up`);
  if (s.active) {
    lines.push(' Originating stub / maximum-distance Router-LSA');
    if (s.administrative) lines.push('   Administratively activated (indefinitely)');
    if (s.startupRemainingSec !== null) lines.push(`   Active from startup, ${s.startupRemainingSec}s remaining`);
  }
  return lines;
}

/** Restarting gracefully (RFC 3623 2): configured or not, and the restart under way. */
function gracefulRestartLines(g: OspfSummaryView['gracefulRestart']): string[] {
  const lines: string[] = [];
  if (g.gracePeriodSec !== null) lines.push(` Graceful restart on SIGTERM, grace period ${g.gracePeriodSec} s`);
  if (g.restartingUntil !== null) lines.push(` Restarting gracefully until ${g.restartingUntil}: no LSA of ours originated, kernel routes kept`);
  return lines;
}

/** The drop reasons seen, as "total (reason count, …)"; --json lists every reason. */
function droppedText(drops: Record<string, number>): string {
  const seen = Object.entries(drops).filter(([, count]) => count > 0);
  if (seen.length === 0) return 'none';
  const total = seen.reduce((sum, [, count]) => sum + count, 0);
  return `${total} (${seen.map(([reason, count]) => `${reason} ${count}`).join(', ')})`;
}

export function formatInterfaces(rows: InterfaceRowView[]): string {
  return table(
    ['Interface', 'State', 'Address', 'Type', 'Cost', 'Passive', 'DR', 'BDR', 'Nbrs', 'Adj'],
    rows.map((r) => [
      r.name,
      r.state,
      r.address || '-',
      r.networkType,
      String(r.cost),
      r.passive ? 'yes' : 'no',
      r.dr || '-',
      r.bdr || '-',
      String(r.neighbors),
      String(r.adjacent),
    ]),
  );
}

export function formatNeighbors(rows: NeighborRowView[]): string {
  // RFC 3623 3: a column for the neighbors we help through a graceful restart, while there are any.
  const helping = rows.some((r) => r.helper !== undefined);
  return table(
    ['Neighbor ID', 'Pri', 'State', 'Address', 'Interface', 'RXmtL', 'RqstL', ...(helping ? ['Helper until'] : [])],
    rows.map((r) => [
      r.routerId,
      String(r.priority),
      r.state,
      r.address,
      r.ifName,
      String(r.retransmitCount),
      String(r.requestCount),
      ...(helping ? [r.helper === undefined ? '-' : `${r.helper.until} (${r.helper.remainingSeconds}s left, ${r.helper.restartReason})`] : []),
    ]),
  );
}

export function formatDatabase(rows: DatabaseRowView[], areaId: string): string {
  const detailed = rows.some((r) => r.body !== undefined);
  if (detailed) {
    return rows
      .map((r) =>
        [
          `  LS age: ${r.age}`,
          `  LS Type: ${r.typeName}`,
          `  Link State ID: ${r.lsId}`,
          `  Advertising Router: ${r.advRouter}`,
          `  LS Seq Number: ${r.seq}`,
          `  Checksum: ${r.checksum}`,
          `  Length: ${r.length}`,
          ...JSON.stringify(r.body, null, 2)
            .split('\n')
            .map((l) => `  ${l}`),
        ].join('\n'),
      )
      .join('\n\n');
  }
  const sections: string[] = [];
  const byType = new Map<number, DatabaseRowView[]>();
  for (const r of rows) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  for (const [type, list] of [...byType].sort((a, b) => a[0] - b[0])) {
    const title = list[0]?.typeName ?? `Type ${type}`;
    const scope = type === 5 ? '' : ` (Area ${areaId})`;
    sections.push(
      `                ${title} Link States${scope}\n\n` +
        table(
          ['Link ID', 'ADV Router', 'Age', 'Seq#', 'CkSum'],
          list.map((r) => [r.lsId, r.advRouter, String(r.age), r.seq, r.checksum]),
        ),
    );
  }
  return sections.join('\n\n');
}

/** How the kernel spreads a multipath route: its nexthop group kind and id, and per-packet spreading. */
function spreading(r: RouteRowView): string {
  const m = r.multipath;
  if (m === undefined) return '';
  const group = m.groupId === undefined ? m.group : `${m.group} #${m.groupId}`;
  return m.perPacket ? `${group}, per-packet` : group;
}

export function formatRoutes(rows: RouteRowView[]): string {
  const out: string[][] = [];
  for (const r of rows) {
    const cost = r.type2Cost === undefined ? String(r.cost) : `${r.cost}/${r.type2Cost}`;
    const hops = r.nextHops.length === 0 ? [{ address: '-', ifName: '' }] : r.nextHops;
    hops.forEach((h, i) => {
      const via = h.address === '0.0.0.0' || h.address === '' ? `directly attached to ${h.ifName}` : `via ${h.address}, ${h.ifName}`;
      out.push(i === 0 ? [r.prefix, r.pathType, cost, spreading(r), via] : ['', '', '', '', via]);
    });
  }
  return table(['Prefix', 'Type', 'Cost', 'Kernel group', 'Next hop'], out);
}

/** The block's interface, and where the kernel has the address when that is elsewhere or nowhere. */
function anycastInterface(r: AnycastRowView): string {
  if (r.addressOn.length === 0) return `${r.interface} (no address)`;
  if (r.addressOn.length === 1 && r.addressOn[0] === r.interface) return r.interface;
  return `${r.interface} (address on ${r.addressOn.join(', ')})`;
}

export function formatAnycast(rows: AnycastRowView[]): string {
  const parts = [
    table(
      ['Prefix', 'Interface', 'State', 'Advertised', 'Since', 'Reason'],
      rows.map((r) => [r.prefix, anycastInterface(r), r.state, r.advertised, r.since, r.reason]),
    ),
  ];
  for (const r of rows) {
    if (r.checks.length === 0) continue;
    parts.push(
      `\nChecks of ${r.prefix}\n` +
        table(
          ['Check', 'Healthy', 'Last', 'Latency', 'At', 'Reason'],
          r.checks.map((c) => [
            c.name,
            c.healthy ? 'yes' : 'no',
            c.lastOk === null ? '-' : c.lastOk ? 'ok' : 'fail',
            c.lastLatencyMs === null ? '-' : `${c.lastLatencyMs.toFixed(1)} ms`,
            c.lastAt ?? '-',
            c.lastReason,
          ]),
        ),
    );
  }
  return parts.join('\n');
}
