// show topology --dot: routers, transit networks, costs, the SPF tree in
// bold, and an anycast /32 drawn once with an edge per announcing router.
import { describe, expect, it } from 'vitest';
import { topologyDot } from '../../src/daemon/topology-dot.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { buildLsa, LsaType, RouterLinkType, type Lsa } from '../../src/packet/index.js';

const ip = parseIpv4;

function router(id: string, links: { type: number; linkId: string; linkData: string; metric: number }[]): Lsa {
  return buildLsa(
    { age: 1, options: 2, type: LsaType.Router, lsId: ip(id), advRouter: ip(id), seq: -0x7fffffff },
    { kind: 'router', flags: 0, links: links.map((l) => ({ type: l.type, linkId: ip(l.linkId), linkData: ip(l.linkData), metric: l.metric, tos: [] })) },
  );
}

describe('show topology --dot', () => {
  const lsas = [
    router('10.0.0.1', [
      { type: RouterLinkType.Transit, linkId: '10.1.0.1', linkData: '10.1.0.1', metric: 10 },
    ]),
    router('10.0.0.2', [
      { type: RouterLinkType.Transit, linkId: '10.1.0.1', linkData: '10.1.0.2', metric: 10 },
      { type: RouterLinkType.Stub, linkId: '10.206.206.1', linkData: '255.255.255.255', metric: 0 },
    ]),
    router('10.0.0.3', [
      { type: RouterLinkType.Transit, linkId: '10.1.0.1', linkData: '10.1.0.3', metric: 10 },
      { type: RouterLinkType.Stub, linkId: '10.206.206.1', linkData: '255.255.255.255', metric: 0 },
    ]),
    buildLsa(
      { age: 1, options: 2, type: LsaType.Network, lsId: ip('10.1.0.1'), advRouter: ip('10.0.0.1'), seq: -0x7fffffff },
      { kind: 'network', networkMask: ip('255.255.255.0'), attachedRouters: [ip('10.0.0.1'), ip('10.0.0.2'), ip('10.0.0.3')] },
    ),
  ];
  const distances: Record<string, number> = { 'router 10.0.0.1': 0, 'network 10.1.0.1': 10, 'router 10.0.0.2': 10, 'router 10.0.0.3': 10 };
  const dot = topologyDot({
    routerId: ip('10.0.0.1'),
    lsas,
    distance: (kind, id) => distances[`${kind} ${[id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255].join('.')}`],
    anycast: [],
  });

  it('is a Graphviz graph with every router and the transit network', () => {
    expect(dot.startsWith('graph ospf {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    for (const id of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect(dot).toContain(`"R ${id}" [shape=box`);
    expect(dot).toContain('"N 10.1.0.1" [shape=ellipse, label="10.1.0.0/24\\nDR 10.1.0.1"]');
  });

  it('marks this router and draws its shortest-path tree in bold', () => {
    expect(dot).toContain('"R 10.0.0.1" [shape=box, style=filled, fillcolor=lightblue');
    expect(dot).toContain('"R 10.0.0.1" -- "N 10.1.0.1" [label=10, style=bold]');
    expect(dot).toContain('"R 10.0.0.2" -- "N 10.1.0.1" [label=10, style=bold]');
  });

  it('draws an anycast /32 once, linked to each router announcing it', () => {
    expect(dot.match(/"A 10\.206\.206\.1\/32" \[shape=doubleoctagon/g)).toHaveLength(1);
    expect(dot).toContain('"R 10.0.0.2" -- "A 10.206.206.1/32" [style=dashed, label=0]');
    expect(dot).toContain('"R 10.0.0.3" -- "A 10.206.206.1/32" [style=dashed, label=0]');
  });
});
