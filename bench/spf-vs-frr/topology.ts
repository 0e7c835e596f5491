// The synthetic area that the injector floods to FRR: N routers on a random
// graph of average degree 6 (a random spanning tree keeps it connected, random
// extra links bring the degree up), each with a /32 loopback stub and its
// numbered point-to-point links advertised as FRR does (RFC 2328 12.4.1.1:
// a type-1 link to the neighbour plus a type-3 stub for the /30). Router 0
// also links to the injector, so the whole area hangs behind it.

import { createPrng } from '../../src/lib/prng.js';
import { maskFromLength } from '../../src/lib/ipv4.js';
import { buildLsa } from '../../src/packet/index.js';
import { LsaType, RouterLinkType, type Lsa, type RouterLink } from '../../src/packet/types.js';

/** Sequence number of the synthetic LSAs: above anything router 0's own core has originated by then. */
export const SyntheticSeq = -0x7fffffff + 0x1000;

/** Router ids 1.0.0.1 and up; router 0 is the injector's in-process neighbour. */
export const FirstRouterId = 0x01000001;

export interface Uplink {
  /** The injector's router id. */
  injectorId: number;
  /** Router 0's address on its link to the injector (Link Data of its type-1 link). */
  address: number;
  /** That link's network, a /30. */
  network: number;
}

export interface SyntheticArea {
  routers: { id: number; links: RouterLink[]; seq: number }[];
}

export function randomArea(n: number, degree: number, seed: number, uplink: Uplink): SyntheticArea {
  const prng = createPrng(seed);
  const routers = Array.from({ length: n }, (_, i) => ({
    id: FirstRouterId + i,
    seq: SyntheticSeq,
    links: [{ linkId: (0x0a800001 + i) >>> 0, linkData: 0xffffffff, type: RouterLinkType.Stub, metric: 0, tos: [] }] as RouterLink[],
  }));
  routers[0].links.push(
    { linkId: uplink.injectorId, linkData: uplink.address, type: RouterLinkType.PointToPoint, metric: 1, tos: [] },
    { linkId: uplink.network, linkData: maskFromLength(30), type: RouterLinkType.Stub, metric: 1, tos: [] },
  );
  let subnets = 0;
  const p2p = (a: number, b: number): void => {
    const net = (0x64400000 + 4 * subnets++) >>> 0; // 100.64.0.0/10
    const costA = prng.int(1, 64);
    const costB = prng.int(1, 64);
    routers[a].links.push({ linkId: routers[b].id, linkData: net + 1, type: RouterLinkType.PointToPoint, metric: costA, tos: [] });
    routers[a].links.push({ linkId: net, linkData: maskFromLength(30), type: RouterLinkType.Stub, metric: costA, tos: [] });
    routers[b].links.push({ linkId: routers[a].id, linkData: net + 2, type: RouterLinkType.PointToPoint, metric: costB, tos: [] });
    routers[b].links.push({ linkId: net, linkData: maskFromLength(30), type: RouterLinkType.Stub, metric: costB, tos: [] });
  };
  for (let i = 1; i < n; i++) p2p(i, prng.int(0, i - 1));
  for (let extra = Math.round((n * degree) / 2) - (n - 1); extra > 0; extra--) {
    const a = prng.int(0, n - 1);
    const c = prng.int(0, n - 1);
    if (a !== c) p2p(a, c);
  }
  return { routers };
}

export function routerLsa(r: SyntheticArea['routers'][number]): Lsa {
  return buildLsa({ age: 1, options: 2, type: LsaType.Router, lsId: r.id, advRouter: r.id, seq: r.seq }, { kind: 'router', flags: 0, links: r.links });
}

/**
 * A new instance of router `index`'s LSA with its first point-to-point link's
 * cost raised or lowered by one (alternately), and the sequence number bumped
 * (RFC 2328 12.1.6): a change that needs a full SPF everywhere.
 */
export function changeCost(area: SyntheticArea, index: number): Lsa {
  const r = area.routers[index];
  const link = r.links.find((l) => l.type === RouterLinkType.PointToPoint);
  if (link === undefined) throw new Error(`router ${index} has no point-to-point link`);
  link.metric += (r.seq - SyntheticSeq) % 2 === 0 ? 1 : -1;
  r.seq++;
  return routerLsa(r);
}

/** The /32 loopback stub of router `index` (the first link of its LSA). */
export function stubOf(index: number): number {
  return (0x0a800001 + index) >>> 0;
}

/**
 * A new instance of router `index`'s LSA without its /32 loopback stub, the
 * sequence number bumped: a stub withdrawn at that router, no other change.
 */
export function withdrawStub(area: SyntheticArea, index: number): Lsa {
  const r = area.routers[index];
  const stub = stubOf(index);
  r.links = r.links.filter((l) => !(l.type === RouterLinkType.Stub && l.linkId === stub && l.linkData === 0xffffffff));
  r.seq++;
  return routerLsa(r);
}

/** The distinct prefixes the area's stub links advertise: the routes a router behind the injector computes. */
export function stubPrefixCount(area: SyntheticArea): number {
  const seen = new Set<string>();
  for (const r of area.routers) for (const l of r.links) if (l.type === RouterLinkType.Stub) seen.add(`${l.linkId}/${l.linkData}`);
  return seen.size;
}
