// RFC 2328 2.1.2–2.3: the sample AS of figure 2, taken as one area; its
// link-state database is figure 3 (an edge's cost is the FROM column's output
// cost), and the expected routing table of router RT6 is table 2 (section
// 2.2: local destinations and the AS boundary routers) and table 3 (section
// 2.3: external destinations, type 1 metrics). Addresses are ours: the RFC
// names networks and routers only. The RFC numbers only the serial line
// RT6–RT10 (interfaces Ia on RT6 and Ib on RT10, each advertised by the other
// end as a stub, 2.1); the other point-to-point lines are unnumbered there.
// Here they carry addresses, so that next hops have one to show, but no stub
// links, so that they add no destinations: the RFC's tables have none.

import { describe, expect, it } from 'vitest';
import { buildLsa } from '../../src/packet/index.js';
import { LsaType, RouterFlags, RouterLinkType, type RouterLink } from '../../src/packet/types.js';
import { formatIpv4, formatPrefix, maskFromLength, parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { Spf, type SpfInterface } from '../../src/spf/index.js';

const rt = (n: number): number => parseIpv4(`10.0.0.${n}`);
const net = (text: string): { address: number; length: number } => parsePrefix(text);

// Networks of figure 2.
const N1 = net('192.168.1.0/24');
const N2 = net('192.168.2.0/24');
const N3 = net('192.168.3.0/24');
const N4 = net('192.168.4.0/24');
const N6 = net('192.168.6.0/24');
const N7 = net('192.168.7.0/24');
const N8 = net('192.168.8.0/24');
const N9 = net('192.168.9.0/24');
const N10 = net('192.168.10.0/24');
const N11 = net('192.168.11.0/24');
const H1 = net('192.168.12.1/32');
// The serial line RT6–RT10 (figure 2): Ia is RT6's interface, Ib RT10's; each end advertises the other's address (Ib by RT6 at cost 7, Ia by RT10 at cost 5).
const Ia = net('10.6.10.1/32');
const Ib = net('10.6.10.2/32');
const N12 = net('172.16.12.0/24');
const N13 = net('172.16.13.0/24');
const N14 = net('172.16.14.0/24');
const N15 = net('172.16.15.0/24');

/** Router n's address on a transit network: .n */
const on = (p: { address: number }, n: number): number => p.address + n;

const p2p = (to: number, local: string, metric: number): RouterLink => ({
  linkId: rt(to),
  linkData: parseIpv4(local),
  type: RouterLinkType.PointToPoint,
  metric,
  tos: [],
});
const transit = (p: { address: number }, dr: number, self: number, metric: number): RouterLink => ({
  linkId: on(p, dr),
  linkData: on(p, self),
  type: RouterLinkType.Transit,
  metric,
  tos: [],
});
const stub = (p: { address: number; length: number }, metric: number): RouterLink => ({
  linkId: p.address,
  linkData: maskFromLength(p.length),
  type: RouterLinkType.Stub,
  metric,
  tos: [],
});

// DRs (the RFC names none; the tables do not depend on the choice): RT4 on N3, RT8 on N6, RT11 on N8, RT12 on N9.
const routerLinks: [number, number, RouterLink[]][] = [
  [1, 0, [transit(N3, 4, 1, 1), stub(N1, 3)]],
  [2, 0, [transit(N3, 4, 2, 1), stub(N2, 3)]],
  [3, 0, [transit(N3, 4, 3, 1), stub(N4, 2), p2p(6, '10.3.6.1', 8)]],
  [4, 0, [transit(N3, 4, 4, 1), p2p(5, '10.4.5.1', 8)]],
  [5, RouterFlags.E, [p2p(4, '10.4.5.2', 8), p2p(6, '10.5.6.1', 7), p2p(7, '10.5.7.1', 6)]],
  [6, 0, [p2p(3, '10.3.6.2', 6), p2p(5, '10.5.6.2', 6), p2p(10, '10.6.10.1', 7), stub(Ib, 7)]],
  [7, RouterFlags.E, [p2p(5, '10.5.7.2', 6), transit(N6, 8, 7, 1)]],
  [8, 0, [transit(N6, 8, 8, 1), stub(N7, 4)]],
  [9, 0, [transit(N9, 12, 9, 1), stub(N11, 3)]],
  [10, 0, [p2p(6, '10.6.10.2', 5), transit(N6, 8, 10, 1), transit(N8, 11, 10, 3), stub(Ia, 5)]],
  [11, 0, [transit(N8, 11, 11, 2), transit(N9, 12, 11, 1)]],
  [12, 0, [transit(N9, 12, 12, 1), stub(N10, 2), stub(H1, 10)]],
];
const networkLsas: [{ address: number }, number, number[]][] = [
  [N3, 4, [1, 2, 3, 4]],
  [N6, 8, [7, 8, 10]],
  [N8, 11, [10, 11]],
  [N9, 12, [9, 11, 12]],
];
// Figure 3's external routes: type 1 metrics, as section 2.3's example takes them (added to the path cost).
const externals: [number, { address: number; length: number }, number][] = [
  [5, N12, 8],
  [5, N13, 8],
  [5, N14, 8],
  [7, N12, 2],
  [7, N15, 9],
];

const rt6Interfaces: SpfInterface[] = [
  { name: 'ser-rt3', address: parseIpv4('10.3.6.2'), prefixLength: 30, networkType: 'point-to-point', up: true },
  { name: 'ser-rt5', address: parseIpv4('10.5.6.2'), prefixLength: 30, networkType: 'point-to-point', up: true },
  { name: 'ser-rt10', address: parseIpv4('10.6.10.1'), prefixLength: 30, networkType: 'point-to-point', up: true },
];

function rt6(): Spf {
  const spf = new Spf({ routerId: rt(6), areaId: 0 });
  spf.setInterfaces(rt6Interfaces);
  const seq = -0x7fffffff;
  for (const [n, flags, links] of routerLinks) {
    const lsa = buildLsa({ age: 0, options: 2, type: LsaType.Router, lsId: rt(n), advRouter: rt(n), seq }, { kind: 'router', flags, links });
    expect(spf.lsaChanged(lsa, lsa.raw)).toBeUndefined();
  }
  for (const [p, dr, attached] of networkLsas) {
    const lsa = buildLsa(
      { age: 0, options: 2, type: LsaType.Network, lsId: on(p, dr), advRouter: rt(dr), seq },
      { kind: 'network', networkMask: maskFromLength(24), attachedRouters: attached.map(rt) },
    );
    expect(spf.lsaChanged(lsa, lsa.raw)).toBeUndefined();
  }
  for (const [asbr, p, metric] of externals) {
    const lsa = buildLsa(
      { age: 0, options: 2, type: LsaType.AsExternal, lsId: p.address, advRouter: rt(asbr), seq },
      { kind: 'external', networkMask: maskFromLength(p.length), routes: [{ eBit: false, tos: 0, metric, forwardingAddress: 0, routeTag: 0 }] },
    );
    expect(spf.lsaChanged(lsa, lsa.raw)).toBeUndefined();
  }
  return spf;
}

// Next hops of RT6 towards RT3, RT5 and RT10: their ends of the serial lines.
const viaRT3 = '10.3.6.1@ser-rt3';
const viaRT5 = '10.5.6.1@ser-rt5';
const viaRT10 = '10.6.10.2@ser-rt10';

describe('RFC 2328 2.2 and 2.3: the routing table of RT6', () => {
  const result = rt6().calculate();
  const row = (p: { address: number; length: number }): string => {
    const route = result.table.get(p);
    if (route === undefined) return 'missing';
    return `${route.pathType} ${route.cost} ${route.nextHops.map((h) => (h.address === 0 ? `*@${h.ifName}` : `${formatIpv4(h.address)}@${h.ifName}`)).join(',')}`;
  };

  // Table 2, "The portion of Router RT6's routing table listing local
  // destinations": destination, next hop, distance ("*": directly attached).
  it.each([
    ['N1 RT3 10', N1, 'intra-area 10 ' + viaRT3],
    ['N2 RT3 10', N2, 'intra-area 10 ' + viaRT3],
    ['N3 RT3 7', N3, 'intra-area 7 ' + viaRT3],
    ['N4 RT3 8', N4, 'intra-area 8 ' + viaRT3],
    ['Ib * 7', Ib, 'intra-area 7 *@ser-rt10'],
    ['Ia RT10 12', Ia, 'intra-area 12 ' + viaRT10],
    ['N6 RT10 8', N6, 'intra-area 8 ' + viaRT10],
    ['N7 RT10 12', N7, 'intra-area 12 ' + viaRT10],
    ['N8 RT10 10', N8, 'intra-area 10 ' + viaRT10],
    ['N9 RT10 11', N9, 'intra-area 11 ' + viaRT10],
    ['N10 RT10 13', N10, 'intra-area 13 ' + viaRT10],
    ['N11 RT10 14', N11, 'intra-area 14 ' + viaRT10],
    ['H1 RT10 21', H1, 'intra-area 21 ' + viaRT10],
  ])('table 2: %s', (_row, prefix, expected) => {
    expect(row(prefix)).toBe(expected);
  });

  // Table 2's last rows: the routers that advertise external routes, RT5 and RT7.
  it('table 2: RT5 RT5 6, RT7 RT10 8', () => {
    expect(
      result.table.routerRoutes().map((r) => `${formatIpv4(r.routerId)} ${r.pathType} ${r.cost} asbr=${r.asbr} ${r.nextHops.map((h) => `${formatIpv4(h.address)}@${h.ifName}`)}`),
    ).toEqual([`10.0.0.5 intra-area 6 asbr=true ${viaRT5}`, `10.0.0.7 intra-area 8 asbr=true ${viaRT10}`]);
  });

  // Figure 5, RT6's shortest-path tree: the cost to each router and transit
  // network (a network by its network-LSA's Link State ID, the DR's address).
  it('figure 5: distance() gives the cost to every vertex of the tree, and none to an unknown one', () => {
    const spf = rt6();
    spf.calculate();
    expect(Array.from({ length: 12 }, (_, i) => spf.distance('router', rt(i + 1)))).toEqual([7, 7, 6, 7, 6, 0, 8, 8, 11, 7, 10, 11]);
    expect(networkLsas.map(([p, dr]) => spf.distance('network', on(p, dr)))).toEqual([7, 8, 10, 11]);
    expect(spf.distance('router', rt(13))).toBeUndefined();
    expect(spf.distance('network', on(N6, 7))).toBeUndefined();
  });

  // Table 3, "The portion of Router RT6's routing table listing external
  // destinations": N12 goes through RT7 (8 + 2 = 10) rather than RT5 (6 + 8).
  it.each([
    ['N12 RT10 10', N12, 'external-1 10 ' + viaRT10],
    ['N13 RT5 14', N13, 'external-1 14 ' + viaRT5],
    ['N14 RT5 14', N14, 'external-1 14 ' + viaRT5],
    ['N15 RT10 17', N15, 'external-1 17 ' + viaRT10],
  ])('table 3: %s', (_row, prefix, expected) => {
    expect(row(prefix)).toBe(expected);
  });

  it("has tables 2 and 3's 17 networks and no others, all added by the first run", () => {
    expect(result.kind).toBe('full');
    expect(result.table.size).toBe(17);
    expect(result.changes.map((c) => `${c.kind} ${formatPrefix(c.prefix)}`)).toEqual(
      result.table.routes().map((r) => `add ${formatPrefix(r.prefix)}`),
    );
  });
});
