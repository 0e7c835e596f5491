// Inter-area routes (RFC 2328 16.2): destinations reached through an area
// border router's summary-LSA, and routes to AS boundary routers outside the
// area from ASBR-summary-LSAs, over the shortest-path tree of the last Dijkstra.

import { RouterFlags } from '../packet/types.js';
import { LSInfinity, type RouterRecord, type SummaryRecord } from './lsa-reader.js';
import type { CalculationParts } from './parts.js';
import { Inter } from './route-table.js';

/** A path's cost and next-hop set number. */
export interface PathCost {
  cost: number;
  set: number;
}

export class InterAreaRoutes {
  /** RFC 2328 16.2: routes to ASBRs outside the area, by ASBR router id. */
  readonly asbrRoutes = new Map<number, PathCost>();

  constructor(private readonly parts: CalculationParts) {}

  /** Sets the slot's inter-area route from its summary-LSAs; false when none is usable. */
  update(slot: number): boolean {
    const sums = this.parts.dest.sumRefs[slot];
    const path = sums === undefined ? undefined : this.viaBorderRouters(sums);
    if (path !== undefined) this.parts.table.set(slot, Inter, path.cost, 0, path.set);
    return path !== undefined;
  }

  /** Recomputes every ASBR route (a full run). */
  updateAllAsbrs(): void {
    this.asbrRoutes.clear();
    for (const asbr of this.parts.lsdb.asbrSummaries.keys()) this.updateAsbr(asbr);
  }

  /** Recomputes the route to one ASBR from its ASBR-summary-LSAs; true when its cost or next hops changed. */
  updateAsbr(asbr: number): boolean {
    const before = this.asbrRoutes.get(asbr);
    this.asbrRoutes.delete(asbr);
    const { routerId, lsdb, tree } = this.parts;
    const byAdv = lsdb.asbrSummaries.get(asbr);
    // 16.2: an ASBR with an intra-area route (16.1 (4)) is reached through the area.
    const after = byAdv === undefined || asbr === routerId || tree.hasBorderRoute(asbr) ? undefined : this.viaBorderRouters(byAdv.values());
    if (after !== undefined) this.asbrRoutes.set(asbr, after);
    return before?.cost !== after?.cost || before?.set !== after?.set;
  }

  /**
   * RFC 2328 16.2 (1)-(6): the cheapest of the summary-LSAs from reachable
   * area border routers, equal costs merging their next hops.
   */
  private viaBorderRouters(records: Iterable<SummaryRecord>): PathCost | undefined {
    const { routerId, graph, sets } = this.parts;
    const { dist, nh } = this.parts.tree;
    let found = false;
    let cost = 0;
    let set = 0;
    for (const record of records) {
      // 16.2 (1), (2): unreachable metric or our own LSA.
      if (record.metric >= LSInfinity || record.advRouter === routerId) continue;
      // 16.2 (3): the advertising router must be a reachable area border router.
      const v = graph.routerVertex.get(record.advRouter);
      if (v === undefined || dist[v] === Infinity || ((graph.router[v] as RouterRecord).flags & RouterFlags.B) === 0) continue;
      const c = dist[v] + record.metric;
      if (!found || c < cost) {
        found = true;
        cost = c;
        set = nh[v];
      } else if (c === cost) {
        set = sets.union(set, nh[v]);
      }
    }
    return found ? { cost, set } : undefined;
  }
}
