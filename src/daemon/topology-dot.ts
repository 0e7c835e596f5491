// `ospf-anycast show topology --dot`: the area as a Graphviz graph. Routers
// are boxes, transit networks ellipses, links carry their cost; links on
// this router's shortest-path tree (RFC 2328 16.1) are bold; an anycast
// prefix announced by several routers is drawn once, with an edge from
// every router announcing it.

import { formatIpv4, lengthFromMask } from '../lib/ipv4.js';
import { decodeLsaBody } from '../packet/index.js';
import { LsaType, RouterLinkType, type Lsa } from '../packet/types.js';
import { MaxAge } from '../packet/constants.js';

export interface TopologySource {
  routerId: number;
  lsas: readonly Lsa[];
  /** SPF tree cost to a vertex (Spf.distance). */
  distance(kind: 'router' | 'network', id: number): number | undefined;
  /** Prefixes configured as anycast here, "a.b.c.d/len". */
  anycast: readonly string[];
}

/** A Graphviz quoted string; a newline becomes Graphviz's \n line break. */
const quote = (text: string): string => `"${text.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\n')}"`;

export function topologyDot(source: TopologySource): string {
  const lines = ['graph ospf {', '  graph [overlap=false, splines=true];', '  node [fontname="monospace"];'];
  const live = source.lsas.filter((l) => l.age < MaxAge);
  const stubs = new Map<string, { router: number; metric: number }[]>();
  const onTree = (fromKind: 'router' | 'network', from: number, toKind: 'router' | 'network', to: number, cost: number): boolean => {
    const a = source.distance(fromKind, from);
    const b = source.distance(toKind, to);
    return a !== undefined && b !== undefined && b === a + cost;
  };
  for (const lsa of live) {
    if (lsa.type === LsaType.Router && lsa.lsId === lsa.advRouter) {
      const id = formatIpv4(lsa.advRouter);
      const self = lsa.advRouter === source.routerId;
      lines.push(`  ${quote(`R ${id}`)} [shape=box${self ? ', style=filled, fillcolor=lightblue' : ''}, label=${quote(id)}];`);
      const body = decodeLsaBody(lsa);
      if (body.kind !== 'router') continue;
      for (const link of body.links) {
        if (link.type === RouterLinkType.PointToPoint) {
          // Each p2p link appears in both routers' LSAs; draw it from the lower id only.
          if (lsa.advRouter > link.linkId) continue;
          const bold = onTree('router', lsa.advRouter, 'router', link.linkId, link.metric) || onTree('router', link.linkId, 'router', lsa.advRouter, link.metric);
          lines.push(`  ${quote(`R ${id}`)} -- ${quote(`R ${formatIpv4(link.linkId)}`)} [label=${link.metric}${bold ? ', style=bold' : ''}];`);
        } else if (link.type === RouterLinkType.Transit) {
          const bold = onTree('router', lsa.advRouter, 'network', link.linkId, link.metric) || onTree('network', link.linkId, 'router', lsa.advRouter, 0);
          lines.push(`  ${quote(`R ${id}`)} -- ${quote(`N ${formatIpv4(link.linkId)}`)} [label=${link.metric}${bold ? ', style=bold' : ''}];`);
        } else if (link.type === RouterLinkType.Stub) {
          const prefix = `${formatIpv4(link.linkId)}/${lengthFromMask(link.linkData)}`;
          stubs.set(prefix, [...(stubs.get(prefix) ?? []), { router: lsa.advRouter, metric: link.metric }]);
        }
      }
    } else if (lsa.type === LsaType.Network) {
      const body = decodeLsaBody(lsa);
      if (body.kind !== 'network') continue;
      const net = `${formatIpv4((lsa.lsId & body.networkMask) >>> 0)}/${lengthFromMask(body.networkMask)}`;
      lines.push(`  ${quote(`N ${formatIpv4(lsa.lsId)}`)} [shape=ellipse, label=${quote(`${net}\nDR ${formatIpv4(lsa.lsId)}`)}];`);
    }
  }
  // Anycast prefixes: the configured ones, and any host route announced by more than one router.
  for (const [prefix, announcers] of [...stubs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const anycast = source.anycast.includes(prefix) || (prefix.endsWith('/32') && announcers.length > 1);
    if (!anycast) continue;
    lines.push(`  ${quote(`A ${prefix}`)} [shape=doubleoctagon, style=filled, fillcolor=gold, label=${quote(`anycast ${prefix}`)}];`);
    for (const a of announcers) {
      lines.push(`  ${quote(`R ${formatIpv4(a.router)}`)} -- ${quote(`A ${prefix}`)} [style=dashed, label=${a.metric}];`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}
