// AS-external routes (RFC 2328 16.4): for a destination without an intra- or
// inter-area route, the best of the AS-external-LSAs naming it, through the
// route to their ASBR or to their forwarding address; and, after a partial
// update, the externals whose forwarding address now resolves differently.

import { maskFromLength } from '../lib/ipv4.js';
import { RouterFlags } from '../packet/types.js';
import type { InterAreaRoutes, PathCost } from './inter-area.js';
import { LSInfinity, type RouterRecord } from './lsa-reader.js';
import type { CalculationParts } from './parts.js';
import { External1, External2, grow } from './route-table.js';
import type { Route } from './table.js';

export class ExternalRoutes {
  /** rangeStamp[slot] === stamp: the slot's intra/inter route changed in this update. */
  private rangeStamp: Int32Array = new Int32Array(64);
  private stamp = 0;
  /** Prefix lengths of this update's changed intra/inter routes (1 where some changed). */
  private readonly rangeLengths = new Uint8Array(33);
  private ranges = 0;

  constructor(
    private readonly parts: CalculationParts,
    private readonly inter: InterAreaRoutes,
  ) {}

  /** RFC 2328 16.4 for one destination without an intra- or inter-area route. */
  update(slot: number): void {
    const { routerId, table, sets } = this.parts;
    let found = false;
    let type = 0;
    let cost = 0;
    let type2 = 0;
    let set = 0;
    const exts = this.parts.dest.extRefs[slot];
    if (exts !== undefined) {
      for (const record of exts) {
        // 16.4 (1), (2): unreachable metric or our own LSA.
        if (record.metric >= LSInfinity || record.advRouter === routerId) continue;
        // 16.4 (3): the ASBR must be reachable.
        const asbr = this.asbrRoute(record.advRouter);
        if (asbr === undefined) continue;
        let x = asbr.cost;
        let hops = asbr.set;
        if (record.forwardingAddress !== 0) {
          // 16.4 (3): the forwarding address must have an intra- or inter-area route.
          const via = table.longestMatch(record.forwardingAddress);
          if (via < 0) continue;
          x = (table.route(via) as Route).cost;
          hops = sets.viaAddress(table.setOf(via), record.forwardingAddress);
        }
        const t = record.e2 ? External2 : External1;
        const c = record.e2 ? x : x + record.metric;
        const c2 = record.e2 ? record.metric : 0;
        // 16.4 (6): type 1 before type 2; then type-2 metric; then cost; ties merge.
        const order = !found ? -1 : t !== type ? t - type : c2 !== type2 ? c2 - type2 : c - cost;
        if (order < 0) {
          found = true;
          type = t;
          cost = c;
          type2 = c2;
          set = hops;
        } else if (order === 0) {
          set = sets.union(set, hops);
        }
      }
    }
    if (found) table.set(slot, type, cost, type2, set);
    else table.clear(slot);
  }

  /** Starts collecting the intra/inter routes a partial update changes. */
  beginRanges(): void {
    this.stamp++;
    this.rangeLengths.fill(0);
    this.ranges = 0;
  }

  /** The slot's intra/inter route changed: a forwarding address inside it may resolve differently (16.4 (3)). */
  rangeChanged(slot: number): void {
    if (slot >= this.rangeStamp.length) this.rangeStamp = grow(this.rangeStamp, Math.max(slot + 1, this.rangeStamp.length * 2));
    this.rangeStamp[slot] = this.stamp;
    this.rangeLengths[this.parts.dest.index.length[slot]] = 1;
    this.ranges++;
  }

  /** Marks in `into` the externals whose forwarding address lies in a range changed since beginRanges(). */
  markForwarded(into: Set<number>): void {
    if (this.ranges === 0) return;
    const { rangeLengths, rangeStamp, stamp } = this;
    const { dest, lsdb } = this.parts;
    for (const [record, slot] of lsdb.forwarded) {
      for (let length = 32; length >= 0; length--) {
        if (rangeLengths[length] === 0) continue;
        const range = dest.find((record.forwardingAddress & maskFromLength(length)) >>> 0, length);
        if (range >= 0 && rangeStamp[range] === stamp) {
          into.add(slot);
          break;
        }
      }
    }
  }

  /** RFC 2328 16.4 (3): the route to an ASBR: intra-area with the E-bit, else inter-area. */
  private asbrRoute(id: number): PathCost | undefined {
    const { graph, tree } = this.parts;
    if (tree.hasBorderRoute(id)) {
      const v = graph.routerVertex.get(id) as number;
      if (((graph.router[v] as RouterRecord).flags & RouterFlags.E) === 0) return undefined;
      return { cost: tree.dist[v], set: tree.nh[v] };
    }
    return this.inter.asbrRoutes.get(id);
  }
}
