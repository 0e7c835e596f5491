// A deliberately plain routing table calculation (RFC 2328 16.1, 16.1.1,
// 16.2, 16.4) over decoded LSAs, with arrays, objects and string keys and no
// incremental tricks: the yardstick the optimised Spf is checked against.

import type { OspfInstance } from '../../src/instance/instance.js';
import { decodeLsaBody } from '../../src/packet/index.js';
import {
  LsaType,
  RouterFlags,
  RouterLinkType,
  type ExternalLsaBody,
  type Lsa,
  type NetworkLsaBody,
  type RouterLsaBody,
  type SummaryLsaBody,
} from '../../src/packet/types.js';
import { lengthFromMask, maskFromLength } from '../../src/lib/ipv4.js';
import { compareNextHops, comparePrefixes, type NextHop, type PathType, type Route } from '../../src/spf/index.js';
import type { SpfInterface } from '../../src/spf/index.js';

const LSInfinity = 0xffffff;

interface Edge {
  to: string;
  cost: number;
  data: number;
  type: number;
}

interface Vertex {
  key: string;
  kind: 'router' | 'network';
  id: number;
  edges: Edge[];
  flags: number;
  dist: number;
  hops: NextHop[];
}

interface Entry {
  address: number;
  length: number;
  pathType: PathType;
  cost: number;
  type2Cost: number;
  hops: NextHop[];
  /** Link State ID of the network-LSA that produced an intra-area entry (RFC 2328 16.1 (4)). */
  originId: number;
}

const hopKey = (h: NextHop): string => `${h.address}@${h.ifName}`;

function union(a: NextHop[], b: NextHop[]): NextHop[] {
  const seen = new Set(a.map(hopKey));
  return [...a, ...b.filter((h) => !seen.has(hopKey(h)))];
}

const inPrefix = (address: number, prefixAddress: number, length: number): boolean =>
  ((address & maskFromLength(length)) >>> 0) === prefixAddress;

export function referenceRoutes(lsas: readonly Lsa[], routerId: number, interfaces: readonly SpfInterface[], maximumPaths = 64): Route[] {
  const live = lsas.filter((l) => (l.age & 0x7fff) < 3600);
  const routers = new Map<number, RouterLsaBody>();
  const networkCandidates = new Map<number, { adv: number; body: NetworkLsaBody }>();
  const summaries: { lsId: number; adv: number; body: SummaryLsaBody }[] = [];
  const asbrSummaries: { lsId: number; adv: number; body: SummaryLsaBody }[] = [];
  const externals: { lsId: number; adv: number; body: ExternalLsaBody }[] = [];
  for (const lsa of live) {
    const body = decodeLsaBody(lsa);
    if (lsa.type === LsaType.Router && body.kind === 'router' && lsa.lsId === lsa.advRouter) routers.set(lsa.lsId, body);
    if (lsa.type === LsaType.Network && body.kind === 'network' && lengthFromMask(body.networkMask) >= 0) {
      // Several network-LSAs with one Link State ID: the lowest advertising router's.
      const seen = networkCandidates.get(lsa.lsId);
      if (seen === undefined || lsa.advRouter < seen.adv) networkCandidates.set(lsa.lsId, { adv: lsa.advRouter, body });
    }
    if (lsa.type === LsaType.SummaryNetwork && body.kind === 'summary') summaries.push({ lsId: lsa.lsId, adv: lsa.advRouter, body });
    if (lsa.type === LsaType.SummaryAsbr && body.kind === 'summary') asbrSummaries.push({ lsId: lsa.lsId, adv: lsa.advRouter, body });
    if (lsa.type === LsaType.AsExternal && body.kind === 'external') externals.push({ lsId: lsa.lsId, adv: lsa.advRouter, body });
  }

  const ifaces = [...interfaces].filter((i) => i.up).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ifaceFor = (data: number, type: string): SpfInterface | undefined => {
    const found = ifaces.find((i) => i.address === data) ?? ifaces.find((i) => i.ifIndex === data);
    return found !== undefined && found.networkType === type ? found : undefined;
  };

  // The graph: every router-LSA and network-LSA is a vertex.
  const vertices = new Map<string, Vertex>();
  for (const [id, body] of routers) {
    vertices.set(`R${id}`, { key: `R${id}`, kind: 'router', id, edges: [], flags: body.flags, dist: Infinity, hops: [] });
  }
  for (const [lsId] of networkCandidates) {
    vertices.set(`N${lsId}`, { key: `N${lsId}`, kind: 'network', id: lsId, edges: [], flags: 0, dist: Infinity, hops: [] });
  }
  for (const [id, body] of routers) {
    const v = vertices.get(`R${id}`) as Vertex;
    for (const link of body.links) {
      let to: string;
      if (link.type === RouterLinkType.PointToPoint || link.type === RouterLinkType.Virtual) to = `R${link.linkId}`;
      else if (link.type === RouterLinkType.Transit) to = `N${link.linkId}`;
      else continue;
      if (vertices.has(to)) v.edges.push({ to, cost: link.metric, data: link.linkData, type: link.type });
    }
  }
  for (const [lsId, { body }] of networkCandidates) {
    const v = vertices.get(`N${lsId}`) as Vertex;
    for (const r of body.attachedRouters) if (vertices.has(`R${r}`)) v.edges.push({ to: `R${r}`, cost: 0, data: 0, type: 0 });
  }

  // RFC 2328 16.1: Dijkstra with a plain candidate list.
  const rootKey = `R${routerId}`;
  const root = vertices.get(rootKey);
  const inTree = new Set<string>();
  if (root !== undefined) {
    root.dist = 0;
    const candidates = new Set<string>([rootKey]);
    while (candidates.size > 0) {
      let best: Vertex | undefined;
      for (const key of candidates) {
        const c = vertices.get(key) as Vertex;
        // Closest first; at equal cost networks before routers (RFC 2328 16.1 (3)).
        if (best === undefined || c.dist < best.dist || (c.dist === best.dist && c.kind === 'network' && best.kind === 'router')) best = c;
      }
      const v = best as Vertex;
      candidates.delete(v.key);
      inTree.add(v.key);
      for (const edge of v.edges) {
        const w = vertices.get(edge.to) as Vertex;
        if (inTree.has(w.key)) continue;
        if (!w.edges.some((back) => back.to === v.key)) continue;
        const d = v.dist + edge.cost;
        if (d > w.dist) continue;
        let hops: NextHop[];
        if (v === root) {
          if (edge.type === RouterLinkType.Virtual) continue;
          const iface = ifaceFor(edge.data, edge.type === RouterLinkType.Transit ? 'broadcast' : 'point-to-point');
          if (iface === undefined) continue;
          if (w.kind === 'network') hops = [{ address: 0, ifName: iface.name }];
          else {
            const backs = w.edges.filter((b) => b.to === rootKey).map((b) => b.data);
            const mask = maskFromLength(iface.prefixLength);
            const address = backs.find((a) => ((a ^ iface.address) & mask) === 0) ?? backs[0] ?? 0;
            hops = [{ address, ifName: iface.name }];
          }
        } else if (v.kind === 'network' && v.hops.some((h) => h.address === 0)) {
          const address = (w.edges.find((b) => b.to === v.key) as Edge).data;
          hops = [];
          for (const h of v.hops) hops = union(hops, [h.address === 0 ? { address, ifName: h.ifName } : h]);
        } else {
          hops = v.hops;
        }
        if (d < w.dist) {
          w.dist = d;
          w.hops = hops;
          candidates.add(w.key);
        } else {
          w.hops = union(w.hops, hops);
        }
      }
    }
  }

  const table = new Map<string, Entry>();
  const key = (address: number, length: number): string => `${address}/${length}`;
  const treeVertex = (k: string): Vertex | undefined => (inTree.has(k) ? vertices.get(k) : undefined);

  // RFC 2328 16.1 (4): transit networks.
  for (const k of inTree) {
    const v = vertices.get(k) as Vertex;
    if (v.kind !== 'network') continue;
    const body = (networkCandidates.get(v.id) as { body: NetworkLsaBody }).body;
    const length = lengthFromMask(body.networkMask);
    const address = (v.id & body.networkMask) >>> 0;
    const old = table.get(key(address, length));
    if (old === undefined || v.dist < old.cost || (v.dist === old.cost && v.id > old.originId)) {
      table.set(key(address, length), { address, length, pathType: 'intra-area', cost: v.dist, type2Cost: 0, hops: v.hops, originId: v.id });
    }
  }
  // RFC 2328 16.1 second stage: stub networks.
  for (const k of inTree) {
    const v = vertices.get(k) as Vertex;
    if (v.kind !== 'router') continue;
    for (const link of (routers.get(v.id) as RouterLsaBody).links) {
      if (link.type !== RouterLinkType.Stub) continue;
      const length = lengthFromMask(link.linkData);
      if (length < 0) continue;
      const address = (link.linkId & link.linkData) >>> 0;
      let hops = v.hops;
      if (v === root) {
        const iface = ifaces.find(
          (i) => inPrefix(i.address, address, length) || ((address ^ i.address) & maskFromLength(i.prefixLength)) === 0,
        );
        if (iface === undefined) continue;
        hops = [{ address: 0, ifName: iface.name }];
      }
      const cost = v.dist + link.metric;
      const old = table.get(key(address, length));
      if (old === undefined || cost < old.cost) {
        table.set(key(address, length), { address, length, pathType: 'intra-area', cost, type2Cost: 0, hops, originId: 0 });
      } else if (cost === old.cost) {
        old.hops = union(old.hops, hops);
      }
    }
  }

  // Routes to area border and AS boundary routers (RFC 2328 16.1 (4)).
  const intraRouter = (id: number): Vertex | undefined => {
    const v = treeVertex(`R${id}`);
    return v !== undefined && (v.flags & (RouterFlags.B | RouterFlags.E)) !== 0 ? v : undefined;
  };
  const abr = (id: number): Vertex | undefined => {
    const v = intraRouter(id);
    return v !== undefined && (v.flags & RouterFlags.B) !== 0 ? v : undefined;
  };

  // RFC 2328 16.2: inter-area routes.
  const inter = new Map<string, Entry>();
  for (const s of summaries) {
    if (s.body.metric >= LSInfinity || s.adv === routerId) continue;
    const length = lengthFromMask(s.body.networkMask);
    if (length < 0) continue;
    const address = (s.lsId & s.body.networkMask) >>> 0;
    if (table.has(key(address, length))) continue;
    const br = abr(s.adv);
    if (br === undefined) continue;
    const cost = br.dist + s.body.metric;
    const old = inter.get(key(address, length));
    if (old === undefined || cost < old.cost) {
      inter.set(key(address, length), { address, length, pathType: 'inter-area', cost, type2Cost: 0, hops: br.hops, originId: 0 });
    } else if (cost === old.cost) {
      old.hops = union(old.hops, br.hops);
    }
  }
  for (const [k, e] of inter) table.set(k, e);

  const asbrInter = new Map<number, { cost: number; hops: NextHop[] }>();
  for (const s of asbrSummaries) {
    if (s.lsId === routerId || s.body.metric >= LSInfinity || s.adv === routerId) continue;
    if (intraRouter(s.lsId) !== undefined) continue;
    const br = abr(s.adv);
    if (br === undefined) continue;
    const cost = br.dist + s.body.metric;
    const old = asbrInter.get(s.lsId);
    if (old === undefined || cost < old.cost) asbrInter.set(s.lsId, { cost, hops: br.hops });
    else if (cost === old.cost) old.hops = union(old.hops, br.hops);
  }

  // RFC 2328 16.4: AS-external routes.
  const longestMatch = (address: number): Entry | undefined => {
    let best: Entry | undefined;
    for (const e of table.values()) {
      if (inPrefix(address, e.address, e.length) && (best === undefined || e.length > best.length)) best = e;
    }
    return best;
  };
  const rank: Record<PathType, number> = { 'intra-area': 1, 'inter-area': 2, 'external-1': 3, 'external-2': 4 };
  const ext = new Map<string, Entry>();
  for (const x of externals) {
    const route = x.body.routes[0];
    if (route.metric >= LSInfinity || x.adv === routerId) continue;
    const length = lengthFromMask(x.body.networkMask);
    if (length < 0) continue;
    const address = (x.lsId & x.body.networkMask) >>> 0;
    if (table.has(key(address, length))) continue;
    let asbrCost: number;
    let asbrHops: NextHop[];
    const intra = intraRouter(x.adv);
    if (intra !== undefined) {
      if ((intra.flags & RouterFlags.E) === 0) continue;
      asbrCost = intra.dist;
      asbrHops = intra.hops;
    } else {
      const viaSummary = asbrInter.get(x.adv);
      if (viaSummary === undefined) continue;
      asbrCost = viaSummary.cost;
      asbrHops = viaSummary.hops;
    }
    let cost = asbrCost;
    let hops = asbrHops;
    if (route.forwardingAddress !== 0) {
      const via = longestMatch(route.forwardingAddress);
      if (via === undefined) continue;
      cost = via.cost;
      hops = [];
      for (const h of via.hops) hops = union(hops, [h.address === 0 ? { address: route.forwardingAddress, ifName: h.ifName } : h]);
    }
    const candidate: Entry = {
      address,
      length,
      pathType: route.eBit ? 'external-2' : 'external-1',
      cost: route.eBit ? cost : cost + route.metric,
      type2Cost: route.eBit ? route.metric : 0,
      hops,
      originId: 0,
    };
    const old = ext.get(key(address, length));
    if (old === undefined) {
      ext.set(key(address, length), candidate);
      continue;
    }
    const order =
      rank[candidate.pathType] !== rank[old.pathType]
        ? rank[candidate.pathType] - rank[old.pathType]
        : candidate.type2Cost !== old.type2Cost
          ? candidate.type2Cost - old.type2Cost
          : candidate.cost - old.cost;
    if (order < 0) ext.set(key(address, length), candidate);
    else if (order === 0) old.hops = union(old.hops, candidate.hops);
  }
  for (const [k, e] of ext) table.set(k, e);

  return [...table.values()]
    .map(
      (e): Route => ({
        prefix: { address: e.address, length: e.length },
        pathType: e.pathType,
        cost: e.cost,
        type2Cost: e.type2Cost,
        nextHops: [...e.hops].sort(compareNextHops).slice(0, maximumPaths),
      }),
    )
    .sort((a, b) => comparePrefixes(a.prefix, b.prefix));
}

/** The reference calculation on an instance's own LSDB, with its own interfaces, at `now`. */
export function referenceFor(instance: OspfInstance, now: number): Route[] {
  const lsas = instance.lsdb(now).map((h) => instance.lsa(h, now) as Lsa);
  const interfaces = instance
    .interfaces()
    .filter((i) => i.address !== 0)
    .map((i) => ({ name: i.name, address: i.address, prefixLength: i.prefixLength, networkType: i.networkType, up: i.state !== 'Down' }));
  return referenceRoutes(lsas, instance.routerId, interfaces);
}
