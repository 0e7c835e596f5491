// Random link-state databases for the routing-table comparison with FRR
// (test/interop/route-diff.test.ts, bench/route-diff.bench.ts): one area
// as a model of routers, transit networks, summaries and externals, the
// LSAs it encodes to, and random changes to it. The same seed gives the
// same area in every injector, so each router under test gets one copy.
//
//   DUT ──p1, p2 (point-to-point)──┐
//       ──lan0 (broadcast)─────────┤ A (the injector's core, DR on lan0) ── fake0 ── F = router 0
//                                  └ S1..S3 on lan0 (in the injector only)    │
//   routers 0..n-1: F, S1..S3 and the rest, on point-to-point links and       └── the random graph
//   transit networks; ABRs with summaries, ASBRs with externals.
//
// A, the DUT and their links are real; every LSA of the model is forged
// and flooded to the DUT through A (bench/route-diff/injector.ts).

import { maskFromLength } from '../../src/lib/ipv4.js';
import { createPrng, type Prng } from '../../src/lib/prng.js';
import { LSInfinity } from '../../src/spf/lsa-reader.js';
import { LsaType, Options, RouterFlags, RouterLinkType, type LsaBody, type RouterLink } from '../../src/packet/types.js';

/** The fixed addresses of the lab around each router under test (the DUT). */
export const Lab = {
  dutId: 0x0afeff01, // 10.254.255.1
  injectorId: 0x0afeff02, // 10.254.255.2: core A
  /** lan0: 10.254.0.0/24, DUT .1, A .2 (DR), S1..S3 .11-.13. */
  lan: 0x0afe0000,
  dutLan: 0x0afe0001,
  injectorLan: 0x0afe0002,
  /** p1, p2: 10.254.N.0/30, DUT .1, A .2. */
  p2p: [0x0afe0100, 0x0afe0200],
  /** fake0, A to F: 10.254.3.0/30, A .1, F .2. */
  fake: 0x0afe0300,
} as const;

/** Routers 1..LanRouters (S1..S3) sit on lan0 beside A and the DUT. */
export const LanRouters = 3;

export function lanAddress(s: number): number {
  return (Lab.lan + 10 + s) >>> 0;
}

/** Router ids 10.1.0.1 and up; router 0 is F. */
export function routerId(i: number): number {
  return (0x0a010001 + i) >>> 0;
}

export interface ModelRouter {
  id: number;
  flags: number;
  links: RouterLink[];
}

export interface ModelNetwork {
  /** The DR's interface address (RFC 2328 12.4.2). */
  lsId: number;
  advRouter: number;
  length: number;
  attached: number[];
}

export interface ModelSummary {
  type: 3 | 4;
  lsId: number;
  advRouter: number;
  length: number;
  metric: number;
}

export interface ModelExternal {
  lsId: number;
  advRouter: number;
  length: number;
  e2: boolean;
  metric: number;
  forwardingAddress: number;
  tag: number;
}

export interface AreaModel {
  routers: (ModelRouter | undefined)[];
  networks: ModelNetwork[];
  summaries: ModelSummary[];
  externals: ModelExternal[];
  /** Addresses worth using as forwarding addresses: inside stubs, transit networks, summaries, lan0, nowhere. */
  addresses: number[];
  /** ASBRs outside the area, announced in ASBR-summary-LSAs. */
  outsideAsbrs: number[];
  /** Prefixes [address, length] of the area, for summaries and externals that shadow them. */
  prefixes: [number, number][];
  /** Counters for fresh numbering in changes. */
  next: { p2p: number; external: number };
}

/** An LSA of the model, its sequence number left to the injector. */
export interface LsaSpec {
  type: number;
  lsId: number;
  advRouter: number;
  options: number;
  body: LsaBody;
}

export function keyOf(l: { type: number; lsId: number; advRouter: number }): string {
  return `${l.type}/${l.lsId >>> 0}/${l.advRouter >>> 0}`;
}

const stub = (address: number, length: number, metric: number): RouterLink => ({
  linkId: address >>> 0,
  linkData: maskFromLength(length),
  type: RouterLinkType.Stub,
  metric,
  tos: [],
});

/** Costs from a small range, so that equal-cost paths are common. */
function cost(prng: Prng): number {
  return prng.chance(0.05) ? prng.int(11, 200) : prng.int(1, 10);
}

/** The /30 of numbered point-to-point link k: 100.64.0.0/10. */
function p2pSubnet(k: number): number {
  return (0x64400000 + 4 * k) >>> 0;
}

/** A numbered point-to-point link between routers a and b, advertised as FRR does (RFC 2328 12.4.1.1); one-way when `oneWay`. */
function addP2p(m: AreaModel, prng: Prng, a: ModelRouter, b: ModelRouter, oneWay = false): void {
  const net = p2pSubnet(m.next.p2p++);
  const ends: [ModelRouter, ModelRouter, number][] = oneWay ? [[a, b, net + 1]] : [[a, b, net + 1], [b, a, net + 2]];
  for (const [from, to, address] of ends) {
    const c = cost(prng);
    from.links.push({ linkId: to.id, linkData: address >>> 0, type: RouterLinkType.PointToPoint, metric: c, tos: [] });
    if (prng.chance(0.9)) from.links.push(stub(net, 30, c));
  }
  m.addresses.push((net + 1) >>> 0);
}

/**
 * A random area of `n` routers (at least LanRouters + 2): a spanning tree
 * over most of them, point-to-point links and transit networks, extra
 * links up to an average degree of about 5, a few one-way links and an
 * unreachable island; stubs, some shared by several routers; ABRs with
 * summary-LSAs, ASBRs (inside and outside the area) with AS-external-LSAs.
 */
export function randomArea(seed: number, n: number): AreaModel {
  if (n < LanRouters + 2) throw new RangeError(`an area needs at least ${LanRouters + 2} routers, not ${n}`);
  const prng = createPrng(seed);
  const m: AreaModel = { routers: [], networks: [], summaries: [], externals: [], addresses: [], outsideAsbrs: [], prefixes: [], next: { p2p: 0, external: 0 } };
  const routers: ModelRouter[] = [];
  for (let i = 0; i < n; i++) routers.push({ id: routerId(i), flags: 0, links: [] });
  m.routers = routers;
  // F: its link back to A, as A's core lists F (RFC 2328 16.1 (2b) needs both).
  const fake = Lab.fake;
  routers[0].links.push({ linkId: Lab.injectorId, linkData: fake + 2, type: RouterLinkType.PointToPoint, metric: cost(prng), tos: [] }, stub(fake, 30, 1));
  // S1..S3 on lan0; one now and then without its link back to the network (one-way).
  for (let s = 1; s <= LanRouters; s++) {
    if (prng.chance(0.92)) routers[s].links.push({ linkId: Lab.injectorLan, linkData: lanAddress(s), type: RouterLinkType.Transit, metric: cost(prng), tos: [] });
  }
  m.addresses.push(Lab.injectorLan, lanAddress(1), lanAddress(2), (Lab.lan + 200) >>> 0);

  // An unreachable island: routers linked among themselves only.
  const island = new Set<number>();
  if (n >= 12 && prng.chance(0.6)) for (let k = prng.int(1, Math.max(1, Math.floor(n / 20))); k > 0; k--) island.add(prng.int(LanRouters + 1, n - 1));
  const main = routers.map((_, i) => i).filter((i) => !island.has(i));
  const islandList = [...island];

  // Transit networks: members get addresses .1, .2, … of a /28; the first member is DR. The /28
  // follows from the DR (its index, and which of its at most four networks), so that a network-LSA's
  // Link State ID never names two DRs, in one area or across the areas a run floods one after another.
  const drOf = new Map<ModelRouter, number>();
  const lanOf = (members: ModelRouter[]): boolean => {
    const dr = members.findIndex((r) => (drOf.get(r) ?? 0) < 4);
    if (dr < 0) return false;
    members.unshift(...members.splice(dr, 1));
    const j = drOf.get(members[0]) ?? 0;
    drOf.set(members[0], j + 1);
    const subnet = (0xac100000 + ((routers.indexOf(members[0]) * 4 + j) << 4)) >>> 0; // 172.16.0.0/12
    const drAddress = subnet + 1;
    const attached: number[] = [];
    members.forEach((r, k) => {
      // Now and then a member lists the network without being listed, or the other way round (one-way).
      const oneWay = k > 0 && prng.chance(0.04);
      if (!oneWay || prng.chance(0.5)) r.links.push({ linkId: drAddress >>> 0, linkData: (subnet + 1 + k) >>> 0, type: RouterLinkType.Transit, metric: cost(prng), tos: [] });
      if (!oneWay || r.links.at(-1)?.linkId !== drAddress >>> 0) attached.push(r.id);
    });
    m.networks.push({ lsId: drAddress >>> 0, advRouter: members[0].id, length: 28, attached });
    m.addresses.push((subnet + 2 + members.length) >>> 0);
    m.prefixes.push([subnet, 28]);
    return true;
  };

  const join = (pool: number[], i: number, parent: number): void => {
    const members = [routers[parent], routers[i]];
    if (prng.chance(0.15)) {
      for (let extra = prng.int(0, 3); extra > 0; extra--) {
        const other = routers[pool[prng.int(0, pool.length - 1)]];
        if (!members.includes(other)) members.push(other);
      }
      if (lanOf(members)) return;
    }
    addP2p(m, prng, routers[i], routers[parent], prng.chance(0.03));
  };
  for (let k = 1; k < main.length; k++) join(main, main[k], main[prng.int(0, k - 1)]);
  for (let k = 1; k < islandList.length; k++) join(islandList, islandList[k], islandList[prng.int(0, k - 1)]);
  for (let extra = Math.round(main.length * 1.5); extra > 0; extra--) {
    const a = main[prng.int(0, main.length - 1)];
    const b = main[prng.int(0, main.length - 1)];
    if (a !== b) addP2p(m, prng, routers[a], routers[b], prng.chance(0.03));
  }

  // Loopbacks, and prefixes announced by several routers (anycast: equal-cost next hops through each).
  for (let i = 0; i < n; i++) {
    if (prng.chance(0.85)) {
      const address = (0x0a020000 + i) >>> 0;
      routers[i].links.push(stub(address, 32, prng.chance(0.7) ? 0 : cost(prng)));
      m.prefixes.push([address, 32]);
      m.addresses.push(address);
    }
  }
  const shared = Math.max(2, Math.floor(n / 10));
  for (let k = 0; k < shared; k++) {
    const address = (0xc0a80000 + (k << 8)) >>> 0; // 192.168.k.0/24
    for (let owners = prng.int(1, 4); owners > 0; owners--) routers[prng.int(0, n - 1)].links.push(stub(address, 24, cost(prng)));
    m.prefixes.push([address, 24]);
    m.addresses.push((address + 7) >>> 0);
  }

  // ABRs (B-bit) and their summary-LSAs; some summaries from routers that are not ABRs (ignored, RFC 2328 16.2 (3)).
  const abrs = pickRouters(prng, routers, Math.max(2, Math.floor(n / 15)));
  for (const r of abrs) r.flags |= RouterFlags.B;
  const summaryPrefixes = Math.max(3, Math.floor(n / 4));
  for (let k = 0; k < summaryPrefixes; k++) {
    const [address, length] = prng.chance(0.15) && m.prefixes.length > 0 ? prng.pick(m.prefixes) : [(0x0a800000 + (k << 8)) >>> 0, 24];
    if (length === 24 && address >>> 24 === 0x0a) m.addresses.push((address + 9) >>> 0);
    for (let origins = prng.int(1, 3); origins > 0; origins--) {
      const adv = prng.chance(0.9) ? prng.pick(abrs) : prng.pick(routers);
      addSummary(m, { type: 3, lsId: address, advRouter: adv.id, length, metric: prng.chance(0.04) ? LSInfinity : cost(prng) });
    }
  }
  // ASBRs inside the area (E-bit) and outside it (announced by ABRs in ASBR-summary-LSAs).
  const asbrs = pickRouters(prng, routers, Math.max(2, Math.floor(n / 15)));
  for (const r of asbrs) r.flags |= RouterFlags.E;
  for (let k = 0, count = Math.max(1, Math.floor(n / 40)); k < count; k++) {
    const id = (0x0a030001 + k) >>> 0;
    m.outsideAsbrs.push(id);
    for (let origins = prng.int(1, 2); origins > 0; origins--) {
      addSummary(m, { type: 4, lsId: id, advRouter: prng.pick(abrs).id, length: 0, metric: prng.chance(0.05) ? LSInfinity : cost(prng) });
    }
  }
  // AS-external-LSAs: several ASBRs per prefix, types 1 and 2, forwarding addresses of every kind.
  const externalPrefixes = Math.max(4, Math.floor(n / 3));
  for (let k = 0; k < externalPrefixes; k++) {
    const [address, length] = prng.chance(0.1) && m.prefixes.length > 0 ? prng.pick(m.prefixes) : [(0xc6120000 + (k << 8)) >>> 0, 24];
    const e2 = prng.chance(0.6);
    for (let origins = prng.int(1, 3); origins > 0; origins--) addExternal(m, prng, address, length, e2);
  }
  return m;
}

function pickRouters(prng: Prng, routers: ModelRouter[], count: number): ModelRouter[] {
  const picked = new Set<ModelRouter>();
  for (let k = 0; k < count * 3 && picked.size < count; k++) picked.add(routers[prng.int(0, routers.length - 1)]);
  return [...picked];
}

/** One summary-LSA per (type, Link State ID, advertising router): a second one replaces the first. */
function addSummary(m: AreaModel, s: ModelSummary): void {
  const at = m.summaries.findIndex((x) => x.type === s.type && x.lsId === s.lsId && x.advRouter === s.advRouter);
  if (at >= 0) m.summaries[at] = s;
  else m.summaries.push(s);
}

/** An AS-external-LSA for the prefix from an ASBR inside or outside the area (or a router that is neither). */
function addExternal(m: AreaModel, prng: Prng, address: number, length: number, e2: boolean): void {
  const inside = m.routers.filter((r): r is ModelRouter => r !== undefined && (r.flags & RouterFlags.E) !== 0);
  const roll = prng.next();
  const adv = roll < 0.55 && inside.length > 0 ? prng.pick(inside).id : roll < 0.9 && m.outsideAsbrs.length > 0 ? prng.pick(m.outsideAsbrs) : prng.pick(m.routers.filter((r) => r !== undefined)).id;
  if (m.externals.some((x) => x.lsId === address && x.advRouter === adv)) return;
  m.externals.push({
    lsId: address >>> 0,
    advRouter: adv,
    length,
    // Most externals of a prefix share their type, with now and then the other.
    e2: prng.chance(0.85) ? e2 : !e2,
    metric: prng.chance(0.03) ? LSInfinity : prng.int(1, 12),
    forwardingAddress: prng.chance(0.55) ? 0 : forwardingAddress(m, prng),
    tag: m.next.external++ & 0xffff,
  });
}

/** A forwarding address inside a stub, a transit network, a summary, on lan0 (a DUT neighbour's or no one's), or nowhere. */
function forwardingAddress(m: AreaModel, prng: Prng): number {
  return prng.chance(0.1) ? (0xcb007100 + prng.int(1, 254)) >>> 0 : prng.pick(m.addresses);
}

/** The model's LSAs, keyed by keyOf. */
export function lsasOf(m: AreaModel): Map<string, LsaSpec> {
  const out = new Map<string, LsaSpec>();
  const add = (spec: LsaSpec): void => void out.set(keyOf(spec), spec);
  const options = Options.E;
  for (const r of m.routers) {
    if (r !== undefined) add({ type: LsaType.Router, lsId: r.id, advRouter: r.id, options, body: { kind: 'router', flags: r.flags, links: r.links } });
  }
  for (const net of m.networks) {
    add({ type: LsaType.Network, lsId: net.lsId, advRouter: net.advRouter, options, body: { kind: 'network', networkMask: maskFromLength(net.length), attachedRouters: net.attached } });
  }
  for (const s of m.summaries) {
    const type = s.type === 3 ? LsaType.SummaryNetwork : LsaType.SummaryAsbr;
    add({ type, lsId: s.lsId, advRouter: s.advRouter, options, body: { kind: 'summary', networkMask: maskFromLength(s.length), metric: s.metric, tos: [] } });
  }
  for (const x of m.externals) {
    const route = { eBit: x.e2, tos: 0, metric: x.metric, forwardingAddress: x.forwardingAddress, routeTag: x.tag };
    add({ type: LsaType.AsExternal, lsId: x.lsId, advRouter: x.advRouter, options, body: { kind: 'external', networkMask: maskFromLength(x.length), routes: [route] } });
  }
  return out;
}

/**
 * One random change to the area, as a network would see it: a link cost, a
 * link gone (on one side or both), a stub withdrawn, a router gone (its LSA
 * flushed at MaxAge), a network-LSA's members, ABR/ASBR flags, a summary's
 * metric or withdrawal, an external's metric, type, forwarding address, a
 * new one or a withdrawal. Returns what it did.
 */
export function applyChange(m: AreaModel, prng: Prng): string {
  const live = (): ModelRouter[] => m.routers.filter((r): r is ModelRouter => r !== undefined);
  const roll = prng.int(0, 11);
  const r = prng.pick(live());
  const name = (id: number): string => `${id >>> 24}.${(id >>> 16) & 255}.${(id >>> 8) & 255}.${id & 255}`;
  switch (roll) {
    case 0:
    case 1: {
      const links = r.links.filter((l) => l.type !== RouterLinkType.Stub);
      if (links.length === 0) return `router ${name(r.id)} has no link to change`;
      const link = prng.pick(links);
      link.metric = cost(prng);
      return `cost of ${name(r.id)}'s link to ${name(link.linkId)} set to ${link.metric}`;
    }
    case 2: {
      const links = r.links.filter((l) => l.type !== RouterLinkType.Stub);
      if (links.length === 0) return `router ${name(r.id)} has no link to remove`;
      const link = prng.pick(links);
      r.links.splice(r.links.indexOf(link), 1);
      const other = m.routers.find((x) => x?.id === link.linkId);
      if (other !== undefined && prng.chance(0.5)) {
        const back = other.links.findIndex((l) => l.type === RouterLinkType.PointToPoint && l.linkId === r.id);
        if (back >= 0) other.links.splice(back, 1);
        return `link ${name(r.id)} - ${name(link.linkId)} removed on both sides`;
      }
      return `link of ${name(r.id)} to ${name(link.linkId)} removed (one side)`;
    }
    case 3: {
      const stubs = r.links.filter((l) => l.type === RouterLinkType.Stub);
      if (stubs.length === 0) return `router ${name(r.id)} has no stub to withdraw`;
      const link = prng.pick(stubs);
      r.links.splice(r.links.indexOf(link), 1);
      return `stub ${name(link.linkId)} of ${name(r.id)} withdrawn`;
    }
    case 4: {
      const i = m.routers.indexOf(r);
      // F and S1..S3 stay: they are A's neighbours.
      if (i <= LanRouters) return `router ${name(r.id)} kept`;
      m.routers[i] = undefined;
      return `router-LSA of ${name(r.id)} flushed`;
    }
    case 5: {
      if (m.networks.length === 0) return 'no network-LSA';
      const net = prng.pick(m.networks);
      if (prng.chance(0.3)) {
        m.networks.splice(m.networks.indexOf(net), 1);
        return `network-LSA ${name(net.lsId)} flushed`;
      }
      if (net.attached.length > 2) {
        const gone = net.attached.splice(prng.int(1, net.attached.length - 1), 1)[0] as number;
        return `${name(gone)} left network ${name(net.lsId)}`;
      }
      net.attached.push(r.id);
      return `${name(r.id)} listed on network ${name(net.lsId)}`;
    }
    case 6: {
      const flag = prng.chance(0.5) ? RouterFlags.B : RouterFlags.E;
      r.flags ^= flag;
      return `${name(r.id)} ${flag === RouterFlags.B ? 'B' : 'E'}-bit ${(r.flags & flag) !== 0 ? 'set' : 'cleared'}`;
    }
    case 7: {
      if (m.summaries.length === 0) return 'no summary-LSA';
      const s = prng.pick(m.summaries);
      if (prng.chance(0.3)) {
        m.summaries.splice(m.summaries.indexOf(s), 1);
        return `type-${s.type} summary ${name(s.lsId)} from ${name(s.advRouter)} flushed`;
      }
      s.metric = prng.chance(0.1) ? LSInfinity : cost(prng);
      return `type-${s.type} summary ${name(s.lsId)} from ${name(s.advRouter)} metric ${s.metric}`;
    }
    default: {
      if (m.externals.length === 0 || roll === 8) {
        const base = m.externals.length > 0 && prng.chance(0.5) ? prng.pick(m.externals) : undefined;
        const address = base?.lsId ?? (0xc6130000 + ((m.next.external & 0xff) << 8)) >>> 0;
        addExternal(m, prng, address, base?.length ?? 24, base?.e2 ?? prng.chance(0.5));
        return `external ${name(address)} announced`;
      }
      const x = prng.pick(m.externals);
      const what = prng.int(0, 3);
      if (what === 0) {
        m.externals.splice(m.externals.indexOf(x), 1);
        return `external ${name(x.lsId)} from ${name(x.advRouter)} flushed`;
      }
      if (what === 1) x.metric = prng.int(1, 12);
      else if (what === 2) x.e2 = !x.e2;
      else x.forwardingAddress = prng.chance(0.3) ? 0 : forwardingAddress(m, prng);
      return `external ${name(x.lsId)} from ${name(x.advRouter)}: metric ${x.metric}, type ${x.e2 ? 2 : 1}, forwarding address ${name(x.forwardingAddress)}`;
    }
  }
}
