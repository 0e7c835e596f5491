// What the router originates, as pure functions of its interfaces and
// configuration: the router-LSA's links (RFC 2328 12.4.1) and the
// AS-external-LSAs with their Link State IDs (12.4.4, appendix E).

import type { ExternalRouteConfig, PrefixAdvertisement } from './api.js';
import { RouterLinkType, type ExternalLsaBody, type RouterLink } from '../packet/index.js';
import { maskFromLength, prefixContains, type Prefix } from '../lib/ipv4.js';
import { uint32Cmp, type Iface } from './model.js';
import { countsAsFull } from './graceful-restart.js';

/** How a host address is advertised: the 'advertise' input for the most specific covering prefix, else announced. */
export function advertisementFor(overrides: Iterable<{ prefix: Prefix; mode: PrefixAdvertisement }>, address: number): PrefixAdvertisement {
  let best: { prefix: Prefix; mode: PrefixAdvertisement } | undefined;
  for (const a of overrides) {
    if (prefixContains(a.prefix, address) && (best === undefined || a.prefix.length > best.prefix.length)) best = a;
  }
  return best?.mode ?? 'announce';
}

/** An anycast address: one inside a prefix the 'advertise' input governs, whatever its mode. */
export function isAnycastAddress(overrides: Iterable<{ prefix: Prefix }>, address: number): boolean {
  for (const a of overrides) if (prefixContains(a.prefix, address)) return true;
  return false;
}

/** RFC 2328 12.4.1: the router-LSA's links, interface by interface (ifaces in name order). */
export function routerLinks(ifaces: readonly Iface[], modeOf: (address: number) => PrefixAdvertisement): RouterLink[] {
  const links: RouterLink[] = [];
  const stub = (iface: Iface): RouterLink => ({
    type: RouterLinkType.Stub,
    linkId: (iface.address & iface.mask) >>> 0,
    linkData: iface.mask,
    metric: iface.settings.cost,
    tos: [],
  });
  const hostRoutes = (addresses: readonly { address: number }[]): void => {
    for (const a of addresses) {
      const mode = modeOf(a.address);
      if (mode === 'withdraw') continue;
      links.push({ type: RouterLinkType.Stub, linkId: a.address, linkData: 0xffffffff, metric: mode === 'max-cost' ? 0xffff : 0, tos: [] });
    }
  };
  for (const iface of ifaces) {
    const cost = iface.settings.cost;
    switch (iface.state) {
      case 'Down':
        break;
      case 'Loopback':
        // RFC 2328 12.4.1.1: loopback addresses are host routes of cost 0 (as FRR and BIRD
        // advertise them, so anycast nodes of every make are equal paths); the 'advertise'
        // input decides whether, or at maximum cost. An interface that carries only anycast
        // addresses is in this state too.
        hostRoutes([...iface.addresses, ...iface.anycast].sort((a, b) => uint32Cmp(a.address, b.address)));
        break;
      case 'PointToPoint':
        // RFC 2328 12.4.1.1: a point-to-point link to a Full neighbor, and the subnet as a stub.
        for (const n of iface.neighbors.values()) {
          if (countsAsFull(n)) links.push({ type: RouterLinkType.PointToPoint, linkId: n.routerId, linkData: iface.address, metric: cost, tos: [] });
        }
        links.push(stub(iface));
        break;
      case 'Waiting':
        links.push(stub(iface));
        break;
      case 'DR':
      case 'Backup':
      case 'DROther': {
        // RFC 2328 12.4.1.2: transit once adjacent to the DR (or DR with an adjacency); stub otherwise.
        let transit = false;
        for (const n of iface.neighbors.values()) {
          if (!countsAsFull(n)) continue;
          if (iface.state === 'DR' || n.address === iface.dr) transit = true;
        }
        if (transit && !iface.settings.passive) {
          links.push({ type: RouterLinkType.Transit, linkId: iface.dr, linkData: iface.address, metric: cost, tos: [] });
        } else {
          links.push(stub(iface));
        }
        break;
      }
    }
    // RFC 2328 12.4.1.1: anycast addresses beside the interface's own are host routes too,
    // exactly as on a loopback: the interface's cost and state do not reach them.
    if (iface.state !== 'Down' && iface.state !== 'Loopback') hostRoutes(iface.anycast);
  }
  return links;
}

/** RFC 6987 section 2: the cost a stub router gives its transit links, the largest a router-LSA can carry. */
export const MaxLinkMetric = 0xffff;

/**
 * RFC 6987 section 2: a stub router's links. Point-to-point and transit
 * links cost MaxLinkMetric, so that paths through this router are taken only
 * when no other exists; stub links (the interfaces' subnets, loopback and
 * anycast host routes) keep their cost, so what the router itself carries
 * stays reachable at its normal cost, and an anycast prefix keeps the cost
 * its 'advertise' input gives it.
 */
export function stubRouterLinks(links: readonly RouterLink[]): RouterLink[] {
  return links.map((link) => (link.type === RouterLinkType.Stub ? link : { ...link, metric: MaxLinkMetric }));
}

/**
 * RFC 2328 12.4.4 and appendix E: one AS-external-LSA per route. Of routes
 * sharing a network address, the shortest mask keeps the plain address as
 * Link State ID and the others set their host bits; a route that still finds
 * its ID taken (the same prefix twice) is left out.
 */
export function externalLsas(externals: readonly ExternalRouteConfig[]): { lsId: number; body: ExternalLsaBody }[] {
  const sorted = [...externals].sort((a, b) => uint32Cmp(a.prefix.address >>> 0, b.prefix.address >>> 0) || a.prefix.length - b.prefix.length);
  const used = new Set<number>();
  const lsas: { lsId: number; body: ExternalLsaBody }[] = [];
  for (const route of sorted) {
    const mask = maskFromLength(route.prefix.length);
    const network = (route.prefix.address & mask) >>> 0;
    let lsId = network;
    if (used.has(lsId)) lsId = (network | ~mask) >>> 0;
    if (used.has(lsId)) continue;
    used.add(lsId);
    lsas.push({
      lsId,
      body: {
        kind: 'external',
        networkMask: mask,
        routes: [{ eBit: route.metricType === 2, tos: 0, metric: route.metric, forwardingAddress: route.forwardingAddress >>> 0, routeTag: route.tag >>> 0 }],
      },
    });
  }
  return lsas;
}

/** Same LSA contents: length, Options and everything after the header (RFC 2328 12.4: no new instance needed). */
export function sameContents(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length || a[2] !== b[2]) return false;
  for (let i = 20; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
