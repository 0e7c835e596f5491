// Intra-area routes (RFC 2328 16.1 (4) and the second stage of 16.1): the
// route to one destination prefix from the transit networks and stub links
// that name it, over the shortest-path tree of the last Dijkstra.

import type { CalculationParts } from './parts.js';
import { Intra } from './route-table.js';

export class IntraAreaRoutes {
  constructor(private readonly parts: CalculationParts) {}

  /** Sets the slot's intra-area route; false when the area has none to it. */
  update(slot: number): boolean {
    const { graph, dest, sets } = this.parts;
    const { dist, nh, root } = this.parts.tree;
    let found = false;
    let cost = 0;
    let set = 0;
    let originId = 0;
    // RFC 2328 16.1 (4): transit networks; at equal cost the larger Link State ID wins.
    const nets = dest.netRefs[slot];
    if (nets !== undefined) {
      for (const v of nets) {
        const d = dist[v];
        if (d === Infinity) continue;
        const id = graph.id[v];
        if (!found || d < cost || (d === cost && id > originId)) {
          found = true;
          cost = d;
          set = nh[v];
          originId = id;
        }
      }
    }
    // RFC 2328 16.1 second stage: stub links; equal cost merges next hops.
    const stubs = dest.stubRefs[slot];
    if (stubs !== undefined) {
      for (let i = 0; i < stubs.length; i += 2) {
        const v = stubs[i];
        const d = dist[v];
        if (d === Infinity) continue;
        const hops = v === root ? this.rootStubSet(slot) : nh[v];
        if (hops === 0) continue;
        const c = d + stubs[i + 1];
        if (!found || c < cost) {
          found = true;
          cost = c;
          set = hops;
        } else if (c === cost) {
          set = sets.union(set, hops);
        }
      }
    }
    if (found) this.parts.table.set(slot, Intra, cost, 0, set);
    return found;
  }

  /** RFC 2328 16.1 second stage, our own stub networks: directly attached over the interface on the prefix. */
  private rootStubSet(slot: number): number {
    const { index } = this.parts.dest;
    const ifSlot = this.parts.interfaces.onPrefix(index.address[slot], index.length[slot]);
    return ifSlot < 0 ? 0 : this.parts.sets.single(0, ifSlot);
  }
}
