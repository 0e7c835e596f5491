// Hand-written cases for the Spf: the anycast /32 on several SIP nodes
// (ECMP, withdrawal, maximum-paths), route preferences of RFC 2328 16.4 (6),
// forwarding addresses, and malformed or unusable LSAs coming back as drops.

import { describe, expect, it } from 'vitest';
import { buildLsa } from '../../src/packet/index.js';
import { LsaType, RouterFlags, RouterLinkType, type Lsa, type RouterLink } from '../../src/packet/types.js';
import { formatIpv4, maskFromLength, parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { Spf, SpfConfigError, type Route, type SpfInterface } from '../../src/spf/index.js';

const ip = parseIpv4;
const R1 = ip('1.1.1.1'); // the router in front of the SIP nodes: the calculating router
const nodes = [ip('2.2.2.1'), ip('2.2.2.2'), ip('2.2.2.3')];
const lan = parsePrefix('192.0.2.0/24');
const anycast = parsePrefix('10.206.206.1/32');
let seq = -0x7fffffff;

function router(id: number, links: RouterLink[], flags = 0, age = 1): Lsa {
  return buildLsa({ age, options: 2, type: LsaType.Router, lsId: id, advRouter: id, seq: seq++ }, { kind: 'router', flags, links });
}

const transit = (dr: number, self: number, metric = 10): RouterLink => ({ linkId: dr, linkData: self, type: RouterLinkType.Transit, metric, tos: [] });
const stub = (p: { address: number; length: number }, metric: number): RouterLink => ({
  linkId: p.address,
  linkData: maskFromLength(p.length),
  type: RouterLinkType.Stub,
  metric,
  tos: [],
});

function external(adv: number, prefix: string, metric: number, e2: boolean, forwardingAddress = 0): Lsa {
  const p = parsePrefix(prefix);
  return buildLsa(
    { age: 1, options: 2, type: LsaType.AsExternal, lsId: p.address, advRouter: adv, seq: seq++ },
    { kind: 'external', networkMask: maskFromLength(p.length), routes: [{ eBit: e2, tos: 0, metric, forwardingAddress, routeTag: 0 }] },
  );
}

function summary(adv: number, prefix: string, metric: number): Lsa {
  const p = parsePrefix(prefix);
  return buildLsa(
    { age: 1, options: 2, type: LsaType.SummaryNetwork, lsId: p.address, advRouter: adv, seq: seq++ },
    { kind: 'summary', networkMask: maskFromLength(p.length), metric, tos: [] },
  );
}

const addr = (n: number): number => lan.address + n; // R1 is .1 (the DR), the nodes .11, .12, .13
const interfaces: SpfInterface[] = [{ name: 'eth0', address: addr(1), prefixLength: 24, networkType: 'broadcast', up: true }];

/** R1 and three SIP nodes on one LAN; node i announces the anycast /32 when announced[i]. */
function cluster(announced: boolean[], maximumPaths = 64): { spf: Spf; feed: (lsa: Lsa) => void } {
  const spf = new Spf({ routerId: R1, areaId: 0, maximumPaths });
  spf.setInterfaces(interfaces);
  const feed = (lsa: Lsa): void => {
    expect(spf.lsaChanged(lsa, lsa.raw)).toBeUndefined();
  };
  feed(router(R1, [transit(addr(1), addr(1)), stub(lan, 10)], RouterFlags.E));
  nodes.forEach((_id, i) => feed(nodeLsa(i, announced[i])));
  feed(
    buildLsa(
      { age: 1, options: 2, type: LsaType.Network, lsId: addr(1), advRouter: R1, seq: seq++ },
      { kind: 'network', networkMask: maskFromLength(24), attachedRouters: [R1, ...nodes] },
    ),
  );
  return { spf, feed };
}

function nodeLsa(i: number, announce: boolean, cost = 1): Lsa {
  return router(nodes[i], [transit(addr(1), addr(11 + i)), ...(announce ? [stub(anycast, cost)] : [])]);
}

const hops = (route: Route | undefined): string[] => (route?.nextHops ?? []).map((h) => `${formatIpv4(h.address)}@${h.ifName}`);

describe('the anycast /32 behind one LAN', () => {
  it('RFC 2328 16.1 second stage: one route, a next hop per node announcing it', () => {
    const { spf } = cluster([true, true, true]);
    const result = spf.calculate();
    expect(result.kind).toBe('full');
    const route = result.table.get(anycast);
    expect(route?.pathType).toBe('intra-area');
    expect(route?.cost).toBe(11);
    expect(hops(route)).toEqual(['192.0.2.11@eth0', '192.0.2.12@eth0', '192.0.2.13@eth0']);
    expect(result.table.get(lan)).toMatchObject({ cost: 10, nextHops: [{ address: 0, ifName: 'eth0' }] });
  });

  it('RFC 2328 16.5: a node withdrawing the /32 is a partial run replacing the route', () => {
    const { spf, feed } = cluster([true, true, true]);
    spf.calculate();
    feed(nodeLsa(1, false));
    const result = spf.calculate();
    expect(result.kind).toBe('partial');
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0].kind).toBe('replace');
    expect(hops(result.table.get(anycast))).toEqual(['192.0.2.11@eth0', '192.0.2.13@eth0']);
  });

  it('the last node withdrawing removes the route; the first announcing adds it', () => {
    const { spf, feed } = cluster([true, false, false]);
    spf.calculate();
    feed(nodeLsa(0, false));
    let result = spf.calculate();
    expect(result.changes.map((c) => c.kind)).toEqual(['remove']);
    expect(result.table.get(anycast)).toBeUndefined();
    feed(nodeLsa(2, true));
    result = spf.calculate();
    expect(result.kind).toBe('partial');
    expect(result.changes.map((c) => c.kind)).toEqual(['add']);
    expect(hops(result.table.get(anycast))).toEqual(['192.0.2.13@eth0']);
  });

  it('a node at max-cost (65535) drops out of the ECMP set but stays a last resort', () => {
    const { spf, feed } = cluster([true, true, false]);
    spf.calculate();
    feed(nodeLsa(0, true, 65535));
    expect(hops(spf.calculate().table.get(anycast))).toEqual(['192.0.2.12@eth0']);
    feed(nodeLsa(1, false));
    const route = spf.calculate().table.get(anycast);
    expect(route?.cost).toBe(10 + 65535);
    expect(hops(route)).toEqual(['192.0.2.11@eth0']);
  });

  it('keeps maximumPaths next hops, the lowest addresses first', () => {
    const { spf } = cluster([true, true, true], 2);
    expect(hops(spf.calculate().table.get(anycast))).toEqual(['192.0.2.11@eth0', '192.0.2.12@eth0']);
  });

  it('runs nothing when nothing changed, and a refreshed LSA (new sequence number) changes nothing', () => {
    const { spf, feed } = cluster([true, true, true]);
    spf.calculate();
    expect(spf.pending).toBe(false);
    expect(spf.calculate()).toMatchObject({ kind: 'none', changes: [] });
    feed(nodeLsa(0, true));
    feed(router(R1, [transit(addr(1), addr(1)), stub(lan, 10)], RouterFlags.E));
    expect(spf.calculate()).toMatchObject({ kind: 'none', changes: [] });
  });

  it('a router-LSA at MaxAge counts as removed (RFC 2328 16)', () => {
    const { spf, feed } = cluster([true, true, true]);
    spf.calculate();
    feed(router(nodes[2], [transit(addr(1), addr(13)), stub(anycast, 1)], 0, 3600));
    const result = spf.calculate();
    expect(result.kind).toBe('full');
    expect(hops(result.table.get(anycast))).toEqual(['192.0.2.11@eth0', '192.0.2.12@eth0']);
  });

  it('a network-LSA at MaxAge does not hide a live one with the same Link State ID (RFC 2328 16)', () => {
    // Two DRs' network-LSAs for one address while the old one is flushed. FRR's lookup by Link State ID
    // alone finds the flushed one and skips the network (test/interop/README.md, routing-table comparison).
    const { spf, feed } = cluster([true, true, true]);
    const oldDr = ip('0.0.0.9');
    const network = (age: number): Lsa =>
      buildLsa({ age, options: 2, type: LsaType.Network, lsId: addr(1), advRouter: oldDr, seq: seq++ }, { kind: 'network', networkMask: maskFromLength(24), attachedRouters: [oldDr, R1] });
    feed(network(1));
    expect(hops(spf.calculate().table.get(anycast))).toEqual([]);
    feed(network(3600));
    expect(hops(spf.calculate().table.get(anycast))).toEqual(['192.0.2.11@eth0', '192.0.2.12@eth0', '192.0.2.13@eth0']);
  });

  it('an interface going down takes its routes with it', () => {
    const { spf } = cluster([true, true, true]);
    spf.calculate();
    spf.setInterfaces([{ ...interfaces[0], up: false }]);
    const result = spf.calculate();
    expect(result.kind).toBe('full');
    expect(result.table.size).toBe(0);
    expect(result.changes.map((c) => c.kind)).toEqual(['remove', 'remove']);
  });

  it('reports the calculation time when given a clock', () => {
    let now = 0;
    const spf = new Spf({ routerId: R1, areaId: 0, clock: () => (now += 0.25) });
    expect(spf.calculate().durationUs).toBe(250);
  });
});

describe('inter-area and external routes (RFC 2328 16.2, 16.4)', () => {
  const asbr = nodes[0];
  const abr = nodes[1];
  function area(): { spf: Spf; feed: (lsa: Lsa) => void } {
    const { spf, feed } = cluster([false, false, false]);
    feed(router(asbr, [transit(addr(1), addr(11))], RouterFlags.E));
    feed(router(abr, [transit(addr(1), addr(12))], RouterFlags.B));
    return { spf, feed };
  }

  it('16.4 (6): a type 1 external beats a type 2 one whatever the metrics', () => {
    const { spf, feed } = area();
    feed(external(asbr, '198.51.100.0/24', 1000, false));
    feed(external(abr, '198.51.100.0/24', 1, true));
    const route = spf.calculate().table.get(parsePrefix('198.51.100.0/24'));
    expect(route).toMatchObject({ pathType: 'external-1', cost: 1010, type2Cost: 0 });
  });

  it('16.4 (6): equal type 2 paths merge their next hops', () => {
    const { spf, feed } = area();
    feed(router(abr, [transit(addr(1), addr(12))], RouterFlags.B | RouterFlags.E));
    feed(external(asbr, '198.51.100.0/24', 20, true));
    feed(external(abr, '198.51.100.0/24', 20, true));
    const route = spf.calculate().table.get(parsePrefix('198.51.100.0/24'));
    expect(route).toMatchObject({ pathType: 'external-2', cost: 10, type2Cost: 20 });
    expect(hops(route)).toEqual(['192.0.2.11@eth0', '192.0.2.12@eth0']);
  });

  it('16.4 (6): type 2 externals compare the type 2 metric, then the distance to the forwarding address', () => {
    const { spf, feed } = area();
    // Node 3 announces 10.77.0.0/24 at cost 5: the second ASBR's forwarding address is 15 away.
    feed(router(nodes[2], [transit(addr(1), addr(13)), stub(parsePrefix('10.77.0.0/24'), 5)]));
    feed(router(abr, [transit(addr(1), addr(12))], RouterFlags.B | RouterFlags.E));
    feed(external(asbr, '198.51.100.0/24', 20, true));
    feed(external(abr, '198.51.100.0/24', 20, true, ip('10.77.0.1')));
    let route = spf.calculate().table.get(parsePrefix('198.51.100.0/24'));
    expect(route).toMatchObject({ pathType: 'external-2', cost: 10, type2Cost: 20 });
    expect(hops(route)).toEqual(['192.0.2.11@eth0']);
    feed(external(abr, '198.51.100.0/24', 19, true, ip('10.77.0.1')));
    const result = spf.calculate();
    expect(result.kind).toBe('partial');
    route = result.table.get(parsePrefix('198.51.100.0/24'));
    expect(route).toMatchObject({ cost: 15, type2Cost: 19 });
    expect(hops(route)).toEqual(['192.0.2.13@eth0']);
  });

  it('16.4 (3): a forwarding address on a directly attached network is the next hop itself', () => {
    const { spf, feed } = area();
    feed(external(asbr, '203.0.113.0/24', 5, false, addr(99)));
    const route = spf.calculate().table.get(parsePrefix('203.0.113.0/24'));
    expect(route).toMatchObject({ pathType: 'external-1', cost: 15 });
    expect(hops(route)).toEqual(['192.0.2.99@eth0']);
  });

  it('16.4 (3): an external whose forwarding address has no route is not used', () => {
    const { spf, feed } = area();
    feed(external(asbr, '203.0.113.0/24', 5, false, ip('100.100.100.100')));
    expect(spf.calculate().table.get(parsePrefix('203.0.113.0/24'))).toBeUndefined();
  });

  it('16.4 (3): externals from a router without the E-bit are not used', () => {
    const { spf, feed } = area();
    feed(external(abr, '203.0.113.0/24', 5, false));
    expect(spf.calculate().table.get(parsePrefix('203.0.113.0/24'))).toBeUndefined();
  });

  it('16.2: summaries from an ABR give inter-area routes, unless an intra-area route exists or the metric is LSInfinity', () => {
    const { spf, feed } = area();
    feed(summary(abr, '10.9.0.0/16', 7));
    feed(summary(abr, '192.0.2.0/24', 1));
    feed(summary(abr, '10.8.0.0/16', 0xffffff));
    const table = spf.calculate().table;
    expect(table.get(parsePrefix('10.9.0.0/16'))).toMatchObject({ pathType: 'inter-area', cost: 17 });
    expect(table.get(lan)).toMatchObject({ pathType: 'intra-area', cost: 10 });
    expect(table.get(parsePrefix('10.8.0.0/16'))).toBeUndefined();
  });

  it('16.2 (1): a summary going to LSInfinity is a partial run removing the route', () => {
    const { spf, feed } = area();
    feed(summary(abr, '10.9.0.0/16', 7));
    spf.calculate();
    feed(summary(abr, '10.9.0.0/16', 0xffffff));
    const result = spf.calculate();
    expect(result.kind).toBe('partial');
    expect(result.changes.map((c) => c.kind)).toEqual(['remove']);
  });
});

describe('unusable input', () => {
  const key = { type: LsaType.Router, lsId: nodes[0], advRouter: nodes[0] };

  it('a truncated LSA is a drop, and the instance it replaces is no longer used', () => {
    const { spf } = cluster([true, true, true]);
    spf.calculate();
    const raw = nodeLsa(0, true).raw;
    expect(spf.lsaChanged(key, raw.subarray(0, 12))).toMatchObject({ reason: 'truncated' });
    expect(spf.lsaChanged(key, raw.subarray(0, raw.length - 4))).toMatchObject({ reason: 'truncated' });
    expect(hops(spf.calculate().table.get(anycast))).toEqual(['192.0.2.12@eth0', '192.0.2.13@eth0']);
  });

  it('a header that does not match its key is a drop', () => {
    const spf = new Spf({ routerId: R1, areaId: 0 });
    expect(spf.lsaChanged({ ...key, advRouter: nodes[1] }, nodeLsa(0, true).raw)).toMatchObject({ reason: 'key-mismatch' });
  });

  it('a router-LSA whose Link State ID is not its advertising router is a drop and removes nothing', () => {
    const { spf } = cluster([true, true, true]);
    spf.calculate();
    const odd = buildLsa({ age: 1, options: 2, type: LsaType.Router, lsId: ip('9.9.9.9'), advRouter: nodes[0], seq: 1 }, { kind: 'router', flags: 0, links: [] });
    expect(spf.lsaChanged(odd, odd.raw)).toMatchObject({ reason: 'router-lsa-id' });
    expect(spf.lsaChanged(odd, undefined)).toBeUndefined();
    expect(spf.calculate().kind).toBe('none');
  });

  it('a link count beyond the LSA is a drop', () => {
    const spf = new Spf({ routerId: R1, areaId: 0 });
    const raw = nodeLsa(0, true).raw.slice();
    raw[23] = 200; // # links
    expect(spf.lsaChanged(key, raw)).toMatchObject({ reason: 'bad-length' });
  });

  it('a non-contiguous mask: the network-LSA is a drop; a stub link is left out and reported', () => {
    const spf = new Spf({ routerId: R1, areaId: 0 });
    const net = buildLsa(
      { age: 1, options: 2, type: LsaType.Network, lsId: addr(1), advRouter: R1, seq: 1 },
      { kind: 'network', networkMask: 0xff00ff00, attachedRouters: [R1] },
    );
    expect(spf.lsaChanged(net, net.raw)).toMatchObject({ reason: 'bad-mask' });
    const odd = router(R1, [{ linkId: ip('10.0.0.0'), linkData: 0xff00ff00, type: RouterLinkType.Stub, metric: 1, tos: [] }, stub(anycast, 1)]);
    spf.setInterfaces([{ name: 'lo', address: anycast.address, prefixLength: 32, networkType: 'broadcast', up: true }]);
    expect(spf.lsaChanged(odd, odd.raw)).toMatchObject({ reason: 'bad-mask' });
    expect(spf.calculate().table.routes().map((r) => r.prefix)).toEqual([anycast]);
  });

  it('LSA types the calculation does not use are ignored', () => {
    const spf = new Spf({ routerId: R1, areaId: 0 });
    const opaque = buildLsa({ age: 1, options: 2, type: LsaType.OpaqueArea, lsId: 0x01000001, advRouter: R1, seq: 1 }, { kind: 'opaque', data: new Uint8Array(8) });
    expect(spf.lsaChanged(opaque, opaque.raw)).toBeUndefined();
    expect(spf.pending).toBe(true); // the first run is always due
    spf.calculate();
    expect(spf.lsaChanged(opaque, opaque.raw)).toBeUndefined();
    expect(spf.pending).toBe(false);
  });

  it('impossible settings throw SpfConfigError', () => {
    expect(() => new Spf({ routerId: R1, areaId: 0, maximumPaths: 0 })).toThrow(SpfConfigError);
    expect(() => new Spf({ routerId: R1, areaId: 0, maximumPaths: 65 })).toThrow(SpfConfigError);
    const spf = new Spf({ routerId: R1, areaId: 0 });
    expect(() => spf.setInterfaces([interfaces[0], interfaces[0]])).toThrow(SpfConfigError);
    expect(() => spf.setInterfaces([{ ...interfaces[0], up: false }, interfaces[0]])).toThrow(SpfConfigError);
    expect(() => spf.setInterfaces([{ ...interfaces[0], prefixLength: 33 }])).toThrow(SpfConfigError);
  });
});
