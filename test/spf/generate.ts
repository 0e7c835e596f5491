// Random area databases for the SPF property tests: routers, point-to-point
// links (some parallel, some one-way, some unnumbered), transit networks
// with their DR's network-LSA, stubs shared between routers (anycast),
// summary-LSAs, ASBR-summary-LSAs and AS-external-LSAs, plus the root's
// interfaces. Kept as a model so tests can mutate it and re-encode LSAs.

import { buildLsa } from '../../src/packet/index.js';
import { LsaType, RouterFlags, RouterLinkType, type Lsa, type LsaKey, type RouterLink } from '../../src/packet/types.js';
import { maskFromLength } from '../../src/lib/ipv4.js';
import type { Prng } from '../../src/lib/prng.js';
import type { SpfInterface } from '../../src/spf/index.js';
import { LSInfinity } from '../../src/spf/lsa-reader.js';

export { LSInfinity };


export interface ModelRouter {
  id: number;
  flags: number;
  links: RouterLink[];
}

export interface ModelNetwork {
  lsId: number;
  advRouter: number;
  mask: number;
  attached: number[];
}

export interface ModelSummary {
  type: 3 | 4;
  lsId: number;
  advRouter: number;
  mask: number;
  metric: number;
}

export interface ModelExternal {
  lsId: number;
  advRouter: number;
  mask: number;
  e2: boolean;
  metric: number;
  forwardingAddress: number;
}

export interface Model {
  rootId: number;
  routers: ModelRouter[];
  networks: ModelNetwork[];
  summaries: ModelSummary[];
  externals: ModelExternal[];
  interfaces: SpfInterface[];
  /** Prefixes seen in the area, for summaries and externals to reuse: [address, length]. */
  prefixes: [number, number][];
  /** ASBR ids outside the area, reached through ASBR-summary-LSAs. */
  outsideAsbrs: number[];
  /** Keys of LSAs kept at MaxAge in the database (must be ignored). */
  maxAged: Set<string>;
}

const stub = (address: number, length: number, metric: number): RouterLink => ({
  linkId: address,
  linkData: maskFromLength(length),
  type: RouterLinkType.Stub,
  metric,
  tos: [],
});

/** A random area as seen from its first router. */
export function generateModel(prng: Prng, size = prng.int(2, 14)): Model {
  const ids = new Set<number>();
  while (ids.size < size) ids.add(prng.int(1, 0xfffffffe));
  const routers: ModelRouter[] = [...ids].map((id) => ({
    id,
    flags: (prng.chance(0.3) ? RouterFlags.B : 0) | (prng.chance(0.3) ? RouterFlags.E : 0),
    links: [],
  }));
  const root = routers[0];
  const networks: ModelNetwork[] = [];
  const interfaces: SpfInterface[] = [];
  const prefixes: [number, number][] = [];
  let ifCount = 0;
  const addIface = (address: number, prefixLength: number, networkType: 'broadcast' | 'point-to-point', ifIndex?: number): void => {
    const iface: SpfInterface = { name: `if${ifCount++}`, address, prefixLength, networkType, up: prng.chance(0.9) };
    if (ifIndex !== undefined) iface.ifIndex = ifIndex;
    interfaces.push(iface);
  };
  const cost = (): number => prng.int(1, 6);

  // Point-to-point links: a connected backbone of links plus random extra (possibly parallel) ones.
  let subnet = 0;
  const p2pCount = size - 1 + prng.int(0, size);
  for (let i = 0; i < p2pCount; i++) {
    const a = i < size - 1 ? routers[i + 1] : prng.pick(routers);
    const b = i < size - 1 ? routers[prng.int(0, i)] : prng.pick(routers);
    if (a === b) continue;
    const net = (0xac100000 + 4 * subnet++) >>> 0; // 172.16.0.0/30 and up
    const unnumbered = prng.chance(0.05);
    const addrA = unnumbered ? 1000 + i : net + 1;
    const addrB = unnumbered ? 2000 + i : net + 2;
    const oneWay = prng.chance(0.08);
    a.links.push({ linkId: b.id, linkData: addrA, type: RouterLinkType.PointToPoint, metric: cost(), tos: [] });
    if (!oneWay) b.links.push({ linkId: a.id, linkData: addrB, type: RouterLinkType.PointToPoint, metric: cost(), tos: [] });
    if (!unnumbered && prng.chance(0.5)) {
      a.links.push(stub(net, 30, cost()));
      b.links.push(stub(net, 30, cost()));
      prefixes.push([net, 30]);
    }
    if (a === root) addIface(addrA, 30, 'point-to-point', unnumbered ? addrA : undefined);
    if (b === root && !oneWay) addIface(addrB, 30, 'point-to-point', unnumbered ? addrB : undefined);
  }

  // Transit networks: a DR and its network-LSA listing the attached routers.
  const lanCount = prng.int(0, 3);
  for (let l = 0; l < lanCount; l++) {
    const members = routers.filter(() => prng.chance(0.4));
    if (members.length < 2) continue;
    const net = (0xc0a80000 + 256 * l) >>> 0; // 192.168.l.0/24
    const address = (r: ModelRouter): number => net + 1 + routers.indexOf(r);
    const dr = prng.pick(members);
    const lsId = address(dr);
    for (const r of members) {
      r.links.push({ linkId: lsId, linkData: address(r), type: RouterLinkType.Transit, metric: cost(), tos: [] });
      if (r === root) addIface(address(r), 24, 'broadcast');
    }
    let attached = members.map((r) => r.id);
    if (prng.chance(0.1)) attached = attached.filter((id) => id !== dr.id && prng.chance(0.8)).concat(dr.id);
    if (prng.chance(0.1)) attached.push(prng.pick(routers).id);
    networks.push({ lsId, advRouter: dr.id, mask: maskFromLength(24), attached: [...new Set(attached)] });
    prefixes.push([net, 24]);
    if (prng.chance(0.1)) {
      // A stale network-LSA from a previous DR, with the same Link State ID.
      const other = prng.pick(members);
      if (other !== dr) networks.push({ lsId, advRouter: other.id, mask: maskFromLength(24), attached: members.slice(0, 2).map((r) => r.id) });
    }
  }

  // Stub networks, many shared: the anycast /32 and loopbacks.
  const pool: [number, number][] = [[0x0acecec1, 32]]; // 10.206.206.193/32, the anycast address
  for (let i = 0; i < 6; i++) {
    const length = prng.pick([16, 24, 28, 32]);
    pool.push([(0x0a000000 + prng.int(0, 0xffff) * 256) & maskFromLength(length), length]);
  }
  for (const r of routers) {
    const count = prng.int(0, 3);
    for (let i = 0; i < count; i++) {
      const [address, length] = prng.pick(pool);
      r.links.push(stub(address, length, cost()));
      if (r === root && prng.chance(0.8)) addIface(address + (length === 32 ? 0 : 1), length, 'broadcast');
    }
  }
  prefixes.push(...pool);
  // Links in random order, as routers list them in no particular order.
  for (const r of routers) shuffle(prng, r.links);

  const outsideAsbrs = [prng.int(1, 0xfffffffe), prng.int(1, 0xfffffffe)].filter((id) => !ids.has(id));
  const model: Model = { rootId: root.id, routers, networks, summaries: [], externals: [], interfaces, prefixes, outsideAsbrs, maxAged: new Set() };
  const summaryCount = prng.int(0, 8);
  for (let i = 0; i < summaryCount; i++) model.summaries.push(randomSummary(prng, model));
  const asbrCount = prng.int(0, 4);
  for (let i = 0; i < asbrCount; i++) model.summaries.push(randomAsbrSummary(prng, model));
  const externalCount = prng.int(0, 10);
  for (let i = 0; i < externalCount; i++) model.externals.push(randomExternal(prng, model));
  return model;
}

function shuffle<T>(prng: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

function someRouter(prng: Prng, model: Model): number {
  // Mostly area routers; now and then an unknown one.
  return prng.chance(0.9) ? prng.pick(model.routers).id : prng.int(1, 0xfffffffe);
}

export function randomSummary(prng: Prng, model: Model): ModelSummary {
  const [address, length] = prng.chance(0.7) ? prng.pick(model.prefixes) : [(0x0b000000 + prng.int(0, 0xffff) * 256) >>> 0, 24];
  // RFC 2328 appendix E: the Link State ID may carry host bits.
  const lsId = prng.chance(0.1) && length < 32 ? address + 1 : address;
  const metric = prng.chance(0.05) ? LSInfinity : prng.int(1, 20);
  return { type: 3, lsId, advRouter: someRouter(prng, model), mask: maskFromLength(length), metric };
}

export function randomAsbrSummary(prng: Prng, model: Model): ModelSummary {
  const asbr = prng.chance(0.7) && model.outsideAsbrs.length > 0 ? prng.pick(model.outsideAsbrs) : prng.pick(model.routers).id;
  return { type: 4, lsId: asbr, advRouter: someRouter(prng, model), mask: 0, metric: prng.chance(0.05) ? LSInfinity : prng.int(1, 20) };
}

export function randomExternal(prng: Prng, model: Model): ModelExternal {
  const [address, length] = prng.chance(0.5) ? prng.pick(model.prefixes) : [(0xc6330000 + prng.int(0, 0xff) * 256) >>> 0, 24];
  const asbrs = [...model.routers.filter((r) => (r.flags & RouterFlags.E) !== 0).map((r) => r.id), ...model.outsideAsbrs];
  const advRouter = asbrs.length > 0 && prng.chance(0.85) ? prng.pick(asbrs) : someRouter(prng, model);
  let forwardingAddress = 0;
  if (prng.chance(0.4)) {
    const [fa, fl] = prng.pick(model.prefixes);
    forwardingAddress = prng.chance(0.85) ? (fa + (fl >= 31 ? 0 : prng.int(1, 2))) >>> 0 : prng.int(1, 0xfffffffe);
  }
  return {
    lsId: address,
    advRouter,
    mask: maskFromLength(length),
    e2: prng.chance(0.5),
    metric: prng.chance(0.05) ? LSInfinity : prng.int(1, 20),
    forwardingAddress,
  };
}

const keyString = (k: LsaKey): string => `${k.type}:${k.lsId}:${k.advRouter}`;

/** Every LSA of the model, by key (later duplicates of a key replace earlier ones). */
export function encodeModel(model: Model, seq = -0x7fffffff): Map<string, { key: LsaKey; lsa: Lsa }> {
  const out = new Map<string, { key: LsaKey; lsa: Lsa }>();
  const put = (type: number, lsId: number, advRouter: number, lsa: (age: number) => Lsa): void => {
    const key = { type, lsId, advRouter };
    const age = model.maxAged.has(keyString(key)) ? 3600 : 1;
    out.set(keyString(key), { key, lsa: lsa(age) });
  };
  for (const r of model.routers) {
    put(LsaType.Router, r.id, r.id, (age) =>
      buildLsa({ age, options: 2, type: LsaType.Router, lsId: r.id, advRouter: r.id, seq }, { kind: 'router', flags: r.flags, links: r.links }),
    );
  }
  for (const n of model.networks) {
    put(LsaType.Network, n.lsId, n.advRouter, (age) =>
      buildLsa(
        { age, options: 2, type: LsaType.Network, lsId: n.lsId, advRouter: n.advRouter, seq },
        { kind: 'network', networkMask: n.mask, attachedRouters: n.attached },
      ),
    );
  }
  for (const s of model.summaries) {
    const type = s.type === 3 ? LsaType.SummaryNetwork : LsaType.SummaryAsbr;
    put(type, s.lsId, s.advRouter, (age) =>
      buildLsa({ age, options: 2, type, lsId: s.lsId, advRouter: s.advRouter, seq }, { kind: 'summary', networkMask: s.mask, metric: s.metric, tos: [] }),
    );
  }
  for (const x of model.externals) {
    put(LsaType.AsExternal, x.lsId, x.advRouter, (age) =>
      buildLsa(
        { age, options: 2, type: LsaType.AsExternal, lsId: x.lsId, advRouter: x.advRouter, seq },
        {
          kind: 'external',
          networkMask: x.mask,
          routes: [{ eBit: x.e2, tos: 0, metric: x.metric, forwardingAddress: x.forwardingAddress, routeTag: 0 }],
        },
      ),
    );
  }
  return out;
}

export { keyString };
