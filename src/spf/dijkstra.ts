// The shortest-path tree of RFC 2328 16.1 rooted at this router, with the
// next hops of every vertex (16.1.1) as numbered sets that merge on equal
// cost (ECMP, 16.1 (2d)). The previous run's results are kept so that the
// vertices whose distance or next hops changed can be listed.

import type { NetworkType } from '../core/api.js';
import { RouterFlags, RouterLinkType } from '../packet/types.js';
import { VertexNetwork, VertexRouter, type SpfGraph } from './graph.js';
import { IndexedHeap } from './heap.js';
import type { OwnInterfaces } from './interfaces.js';
import type { RouterRecord } from './lsa-reader.js';
import type { NextHopSets } from './next-hops.js';

export class ShortestPathTree {
  /** Cost from the root per vertex; Infinity when unreachable. */
  dist = new Float64Array(0);
  /** Next-hop set number per vertex (0: none). */
  nh = new Int32Array(0);
  private prevDist = new Float64Array(0);
  private prevNh = new Int32Array(0);
  private prevEnd = 0;
  /** Vertices [0, end) have results in dist and nh. */
  end = 0;
  /** The vertex of this router; -1 when its router-LSA is not in the graph. */
  root = -1;
  private done = new Uint8Array(0);
  private readonly heap = new IndexedHeap(64);

  constructor(
    private readonly graph: SpfGraph,
    private readonly interfaces: OwnInterfaces,
    private readonly sets: NextHopSets,
  ) {}

  /** Cost to vertex v in the last run; Infinity when unreachable. */
  distance(v: number): number {
    return v < this.end ? this.dist[v] : Infinity;
  }

  /** RFC 2328 16.1 (4): reachable ABRs and ASBRs of the area have intra-area router routes. */
  hasBorderRoute(id: number): boolean {
    const v = this.graph.routerVertex.get(id);
    if (v === undefined || v >= this.end || this.dist[v] === Infinity) return false;
    return ((this.graph.router[v] as RouterRecord).flags & (RouterFlags.B | RouterFlags.E)) !== 0;
  }

  /** RFC 2328 16.1: the shortest-path tree rooted at routerId, with next hops (16.1.1). */
  run(routerId: number): void {
    const graph = this.graph;
    const n = graph.end;
    // Keep the previous run's results to find what changed.
    [this.dist, this.prevDist] = [this.prevDist, this.dist];
    [this.nh, this.prevNh] = [this.prevNh, this.nh];
    this.prevEnd = this.end;
    if (this.dist.length < n) {
      const size = Math.max(n, this.prevDist.length * 2);
      this.dist = new Float64Array(size);
      this.nh = new Int32Array(size);
    }
    if (this.done.length < n) this.done = new Uint8Array(Math.max(n, this.done.length * 2));
    this.end = n;
    const { dist, nh, done, heap } = this;
    const { edgeStart, edgeTo, edgeCost, kind } = graph;
    dist.fill(Infinity, 0, n);
    nh.fill(0, 0, n);
    done.fill(0, 0, n);
    heap.reset(n);
    const root = graph.routerVertex.get(routerId);
    this.root = root ?? -1;
    if (root === undefined) return;
    dist[root] = 0;
    heap.push(root, 1);
    while (heap.size > 0) {
      // RFC 2328 16.1 (3): the closest candidate, networks before routers at equal cost
      // (the heap key is 2 × cost, plus 1 for a router).
      const v = heap.pop();
      done[v] = 1;
      const dv = dist[v];
      const viaRouter = v !== root && kind[v] === VertexRouter;
      const end = edgeStart[v + 1];
      for (let e = edgeStart[v]; e < end; e++) {
        const w = edgeTo[e];
        if (done[w] === 1) continue;
        const d = dv + edgeCost[e];
        const dw = dist[w];
        if (d > dw) continue;
        // RFC 2328 16.1.1: past the first router, next hops are inherited.
        const hops = viaRouter ? nh[v] : this.nextHops(v, w, e);
        if (hops === 0) continue;
        if (d < dw) {
          // RFC 2328 16.1 (2d): a shorter path replaces the next hops.
          dist[w] = d;
          nh[w] = hops;
          heap.push(w, 2 * d + (kind[w] === VertexRouter ? 1 : 0));
        } else {
          // RFC 2328 16.1 (2d): an equal-cost path adds its next hops.
          nh[w] = this.sets.union(nh[w], hops);
        }
      }
    }
  }

  /** RFC 2328 16.1 (4): the vertices whose distance or next hops differ from the previous run's. */
  changed(): number[] {
    const { dist, nh, prevDist, prevNh } = this;
    const n = Math.max(this.end, this.prevEnd);
    const out: number[] = [];
    for (let v = 0; v < n; v++) {
      const d = v < this.end ? dist[v] : Infinity;
      const p = v < this.prevEnd ? prevDist[v] : Infinity;
      const h = v < this.end ? nh[v] : 0;
      const q = v < this.prevEnd ? prevNh[v] : 0;
      if (d !== p || h !== q) out.push(v);
    }
    return out;
  }

  /** RFC 2328 16.1.1: the next hops to W over edge e from its parent V; 0 when there are none. */
  private nextHops(v: number, w: number, e: number): number {
    const graph = this.graph;
    if (v === this.root) {
      const type = graph.edgeType[e];
      // Virtual links are an ABR's business (16.3); this router is not one.
      if (type === RouterLinkType.Virtual) return 0;
      const networkType: NetworkType = type === RouterLinkType.Transit ? 'broadcast' : 'point-to-point';
      const ifSlot = this.interfaces.forLinkData(graph.edgeData[e], networkType);
      if (ifSlot < 0) return 0;
      // A directly attached network: no next-hop address.
      if (type === RouterLinkType.Transit) return this.sets.single(0, ifSlot);
      // A router over a point-to-point link: its address from its own link back to us.
      return this.sets.single(this.p2pNeighborAddress(w, ifSlot), ifSlot);
    }
    const inherited = this.nh[v];
    if (graph.kind[v] === VertexNetwork && this.sets.hasDirect(inherited)) {
      // A router on a directly attached network: its address on that network,
      // from the Link Data of its transit link to it.
      return this.sets.viaAddress(inherited, graph.linkDataTo(w, v));
    }
    return inherited;
  }

  /** Of W's links back to the root, the address in our interface's subnet, else the first one. */
  private p2pNeighborAddress(w: number, ifSlot: number): number {
    const { edgeStart, edgeTo, edgeData } = this.graph;
    const iface = this.interfaces.list[ifSlot];
    const end = edgeStart[w + 1];
    let first = -1;
    for (let e = edgeStart[w]; e < end; e++) {
      if (edgeTo[e] !== this.root) continue;
      const address = edgeData[e];
      if (((address ^ iface.address) & iface.mask) === 0) return address;
      if (first < 0) first = address;
    }
    return first < 0 ? 0 : first;
  }
}
