// The graph the shortest-path tree is built over (RFC 2328 16.1): router and
// transit-network vertices numbered densely, their LSAs' links resolved to
// vertex numbers, and the links that pass the two-way check laid out as
// compressed sparse rows. Vertices and edges are numbers, never objects held
// across calls; the rows are rebuilt only when links appear or go.

import { RouterLinkType } from '../packet/types.js';
import type { NetworkRecord, RouterRecord } from './lsa-reader.js';

export const VertexFree = 0;
export const VertexRouter = 1;
export const VertexNetwork = 2;

export class SpfGraph {
  /** Router vertices by router id, network vertices by the network-LSA's Link State ID. */
  readonly routerVertex = new Map<number, number>();
  readonly networkVertex = new Map<number, number>();
  kind = new Uint8Array(64);
  /** Router id or network Link State ID of each vertex. */
  readonly id: number[] = [];
  readonly router: (RouterRecord | undefined)[] = [];
  readonly network: (NetworkRecord | undefined)[] = [];
  /** Link targets as vertex numbers (-1: no such vertex), valid while targetEpoch matches epoch. */
  private readonly targets: (number[] | undefined)[] = [];
  private readonly targetEpoch: number[] = [];
  /** Bumped whenever a vertex appears or goes: every link target must be looked up again. */
  private epoch = 0;
  /** Vertices are numbered in [0, end). */
  end = 0;
  private readonly freeVertices: number[] = [];

  // RFC 2328 16.1 (2b): only links whose far end links back are edges. A
  // change of costs alone patches the rows in place; anything else rebuilds them.
  private stale = true;
  private readonly patchRows = new Set<number>();
  edgeStart = new Int32Array(1);
  /** Index of the edge's link within its router-LSA's topological links (-1 for network edges). */
  private edgeLink = new Int32Array(64);
  edgeTo = new Int32Array(64);
  edgeCost = new Uint32Array(64);
  edgeData = new Uint32Array(64);
  edgeType = new Uint8Array(64);

  addRouter(id: number, record: RouterRecord): number {
    const v = this.alloc(VertexRouter, id);
    this.routerVertex.set(id, v);
    this.router[v] = record;
    return v;
  }

  /** A router-LSA whose links are unchanged apart from stub links: nothing in the rows changes. */
  keepRouter(v: number, record: RouterRecord): void {
    this.router[v] = record;
  }

  /** A router-LSA whose topological links changed: patched when only costs and Link Data did, else relinked. */
  changeRouter(v: number, record: RouterRecord): void {
    if (sameLinkTargets(this.router[v] as RouterRecord, record)) this.patchRows.add(v);
    else {
      this.targets[v] = undefined;
      this.stale = true;
    }
    this.router[v] = record;
  }

  removeRouter(id: number): void {
    const v = this.routerVertex.get(id) as number;
    this.routerVertex.delete(id);
    this.free(v);
  }

  /** A network-LSA that changed nothing the graph or the routes depend on. */
  keepNetwork(v: number, record: NetworkRecord): void {
    this.network[v] = record;
  }

  /** The vertex of a transit network, made when new, relinked to its attached routers. */
  placeNetwork(lsId: number, record: NetworkRecord): number {
    let v = this.networkVertex.get(lsId);
    if (v === undefined) {
      v = this.alloc(VertexNetwork, lsId);
      this.networkVertex.set(lsId, v);
    }
    this.network[v] = record;
    this.targets[v] = undefined;
    this.stale = true;
    return v;
  }

  removeNetwork(lsId: number): void {
    const v = this.networkVertex.get(lsId) as number;
    this.networkVertex.delete(lsId);
    this.free(v);
  }

  /** Brings the rows up to date before Dijkstra: rebuilt when stale, else patched. */
  prepare(): void {
    if (this.stale) this.build();
    else for (const v of this.patchRows) this.patchRow(v);
    this.stale = false;
    this.patchRows.clear();
  }

  /** Link Data of W's first link to V (W's interface address on V's network, or on the link to V). */
  linkDataTo(w: number, v: number): number {
    const { edgeStart, edgeTo, edgeData } = this;
    const end = edgeStart[w + 1];
    for (let e = edgeStart[w]; e < end; e++) if (edgeTo[e] === v) return edgeData[e];
    return 0;
  }

  private alloc(kind: number, id: number): number {
    const v = this.freeVertices.length > 0 ? (this.freeVertices.pop() as number) : this.end++;
    if (v === this.id.length) {
      this.id.push(0);
      this.router.push(undefined);
      this.network.push(undefined);
      this.targets.push(undefined);
      this.targetEpoch.push(0);
    }
    if (v >= this.kind.length) {
      const grown = new Uint8Array(this.kind.length * 2);
      grown.set(this.kind);
      this.kind = grown;
    }
    this.kind[v] = kind;
    this.id[v] = id;
    this.targets[v] = undefined;
    this.epoch++;
    this.stale = true;
    return v;
  }

  private free(v: number): void {
    this.kind[v] = VertexFree;
    this.router[v] = undefined;
    this.network[v] = undefined;
    this.targets[v] = undefined;
    this.freeVertices.push(v);
    this.epoch++;
    this.stale = true;
  }

  /**
   * Resolves link targets to vertex numbers and lays the graph out as
   * compressed sparse rows, keeping only links that pass the two-way check
   * of RFC 2328 16.1 (2b).
   */
  private build(): void {
    const n = this.end;
    for (let v = 0; v < n; v++) {
      if (this.kind[v] === VertexFree) continue;
      if (this.targets[v] === undefined || this.targetEpoch[v] !== this.epoch) {
        this.targets[v] = this.resolve(v);
        this.targetEpoch[v] = this.epoch;
      }
    }
    let edges = 0;
    for (let v = 0; v < n; v++) {
      const targets = this.targets[v];
      if (targets === undefined || this.kind[v] === VertexFree) continue;
      for (let i = 0; i < targets.length; i++) if (targets[i] >= 0 && this.linksBack(targets[i], v)) edges++;
    }
    if (this.edgeStart.length < n + 1) this.edgeStart = new Int32Array(Math.max(n + 1, this.edgeStart.length * 2));
    if (this.edgeTo.length < edges) {
      const size = Math.max(edges, this.edgeTo.length * 2);
      this.edgeTo = new Int32Array(size);
      this.edgeLink = new Int32Array(size);
      this.edgeCost = new Uint32Array(size);
      this.edgeData = new Uint32Array(size);
      this.edgeType = new Uint8Array(size);
    }
    const { edgeStart, edgeTo, edgeLink, edgeCost, edgeData, edgeType } = this;
    let e = 0;
    for (let v = 0; v < n; v++) {
      edgeStart[v] = e;
      const kind = this.kind[v];
      if (kind === VertexFree) continue;
      const targets = this.targets[v] as number[];
      const topo = kind === VertexRouter ? (this.router[v] as RouterRecord).topo : undefined;
      for (let i = 0; i < targets.length; i++) {
        const w = targets[i];
        if (w < 0 || !this.linksBack(w, v)) continue;
        edgeTo[e] = w;
        if (topo !== undefined) {
          edgeLink[e] = i;
          edgeType[e] = topo[4 * i];
          edgeData[e] = topo[4 * i + 2];
          edgeCost[e] = topo[4 * i + 3];
        } else {
          // RFC 2328 16.1 (2): from a network to each attached router, cost 0.
          edgeLink[e] = -1;
          edgeType[e] = 0;
          edgeData[e] = 0;
          edgeCost[e] = 0;
        }
        e++;
      }
    }
    edgeStart[n] = e;
  }

  /** True when W's LSA has a link to V (RFC 2328 16.1 (2b)). */
  private linksBack(w: number, v: number): boolean {
    const targets = this.targets[w];
    if (targets === undefined || this.kind[w] === VertexFree) return false;
    for (let i = 0; i < targets.length; i++) if (targets[i] === v) return true;
    return false;
  }

  /** A router-LSA changed its costs or Link Data only: rewrite its row in place. */
  private patchRow(v: number): void {
    const topo = (this.router[v] as RouterRecord).topo;
    const end = this.edgeStart[v + 1];
    for (let e = this.edgeStart[v]; e < end; e++) {
      const i = this.edgeLink[e];
      this.edgeData[e] = topo[4 * i + 2];
      this.edgeCost[e] = topo[4 * i + 3];
    }
  }

  private resolve(v: number): number[] {
    if (this.kind[v] === VertexRouter) {
      const topo = (this.router[v] as RouterRecord).topo;
      // Of exact length (one per router vertex): a pushed array would keep spare slots.
      const targets = new Array<number>(topo.length >> 2);
      for (let i = 0; i < topo.length; i += 4) {
        // RFC 2328 A.4.2: a transit link names the DR's interface address, the others a router id.
        const map = topo[i] === RouterLinkType.Transit ? this.networkVertex : this.routerVertex;
        targets[i >> 2] = map.get(topo[i + 1]) ?? -1;
      }
      return targets;
    }
    const attached = (this.network[v] as NetworkRecord).attached;
    return attached.map((id) => this.routerVertex.get(id) ?? -1);
  }
}

/** The same links to the same neighbours, costs and Link Data aside. */
function sameLinkTargets(a: RouterRecord, b: RouterRecord): boolean {
  if (a.topo.length !== b.topo.length) return false;
  for (let i = 0; i < a.topo.length; i += 4) if (a.topo[i] !== b.topo[i] || a.topo[i + 1] !== b.topo[i + 1]) return false;
  return true;
}
