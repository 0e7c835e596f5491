// The routing table calculation of RFC 2328 16 for a router inside one area,
// put together from its stages: the LSDB view (lsdb.ts) marks what each
// change touches, the graph (graph.ts) and Dijkstra (dijkstra.ts) give the
// shortest-path tree (16.1), then intra-area (intra-area.ts), inter-area
// (inter-area.ts, 16.2) and AS-external (external.ts, 16.4) routes fill the
// route table (route-table.ts), which lists its changes for the FIB.
//
//   lsaChanged(key, raw) ─┐ topology (router links, flags, network-LSAs),
//   setInterfaces(list) ──┤ interfaces ─────────────▶ full: Dijkstra + all prefixes
//                         │ stub links, summaries,
//                         └ externals ──────────────▶ partial: only those prefixes
//   calculate() ──▶ { table (updated in place), changes, kind }

import { RouterFlags, type LsaKey } from '../packet/types.js';
import { Destinations } from './destinations.js';
import { ShortestPathTree } from './dijkstra.js';
import { SpfConfigError } from './errors.js';
import { ExternalRoutes } from './external.js';
import { SpfGraph } from './graph.js';
import { InterAreaRoutes } from './inter-area.js';
import { OwnInterfaces, type SpfInterface } from './interfaces.js';
import { IntraAreaRoutes } from './intra-area.js';
import type { RouterRecord, SpfDrop } from './lsa-reader.js';
import { SpfLsdb } from './lsdb.js';
import { NextHopSets } from './next-hops.js';
import type { CalculationParts } from './parts.js';
import { PendingWork } from './pending.js';
import { PrefixIndex } from './prefix-index.js';
import { RouteTable } from './route-table.js';
import type { RouteChange, RouterRoute, RouteTableView } from './table.js';

export interface SpfOptions {
  routerId: number;
  areaId: number;
  /** Next hops kept per route after sorting, 1..64 (FRR `maximum-paths`); default 64. */
  maximumPaths?: number;
  /** A monotonic clock in milliseconds (performance.now); when given, results carry durationUs. */
  clock?: () => number;
}

export type SpfRunKind = 'full' | 'partial' | 'none';

export interface SpfResult {
  /** The routing table, owned by the Spf and updated in place by each calculation. */
  table: RouteTableView;
  /** What changed since the previous calculation, sorted by prefix. */
  changes: RouteChange[];
  kind: SpfRunKind;
  durationUs?: number;
}

/** Next-hop sets kept before they are renumbered (which costs one recomputation of every route). */
const MaxSets = 1 << 20;

export class Spf {
  readonly routerId: number;
  readonly areaId: number;
  readonly maximumPaths: number;
  /** The routing table as of the last calculate(). */
  readonly table: RouteTableView;
  private readonly clock: (() => number) | undefined;
  private readonly interfaces = new OwnInterfaces();
  private readonly sets: NextHopSets;
  private readonly work = new PendingWork();
  private readonly graph = new SpfGraph();
  private readonly tree: ShortestPathTree;
  private readonly routes: RouteTable;
  private readonly dest: Destinations;
  private readonly lsdb: SpfLsdb;
  private readonly intra: IntraAreaRoutes;
  private readonly inter: InterAreaRoutes;
  private readonly external: ExternalRoutes;

  constructor(options: SpfOptions) {
    const maximumPaths = options.maximumPaths ?? 64;
    if (!Number.isInteger(maximumPaths) || maximumPaths < 1 || maximumPaths > 64) {
      throw new SpfConfigError(`maximumPaths must be an integer in 1..64, not ${maximumPaths}`);
    }
    this.routerId = options.routerId >>> 0;
    this.areaId = options.areaId >>> 0;
    this.maximumPaths = maximumPaths;
    this.clock = options.clock;
    const sets = (this.sets = new NextHopSets(maximumPaths));
    const graph = this.graph;
    const tree = (this.tree = new ShortestPathTree(graph, this.interfaces, sets));
    const index = new PrefixIndex();
    const routes = (this.routes = new RouteTable(index, sets));
    const dest = (this.dest = new Destinations(index, routes));
    this.lsdb = new SpfLsdb(graph, dest, this.work);
    const parts: CalculationParts = { routerId: this.routerId, graph, tree, dest, table: routes, sets, interfaces: this.interfaces, lsdb: this.lsdb };
    this.intra = new IntraAreaRoutes(parts);
    this.inter = new InterAreaRoutes(parts);
    this.external = new ExternalRoutes(parts, this.inter);
    this.table = routes.view(() => this.routerRoutes());
  }

  // ======================= Inputs =======================

  /** The router's own interfaces; any change makes the next calculation a full one. */
  setInterfaces(list: readonly SpfInterface[]): void {
    this.interfaces.set(list);
    this.work.dijkstra = true;
    this.work.everyDestination = true;
  }

  /**
   * An LSA of the area (or an AS-external-LSA) was installed, replaced or,
   * with raw undefined, removed. LSAs at MaxAge count as removed (RFC 2328
   * 16). Returns why the LSA, or a part of it, is not used, if it is not.
   */
  lsaChanged(key: LsaKey, raw: Uint8Array | undefined): SpfDrop | undefined {
    return this.lsdb.lsaChanged(key, raw);
  }

  /**
   * The cost from this router to a router (by router id) or a transit
   * network (by its network-LSA's Link State ID) in the last calculation's
   * shortest-path tree (RFC 2328 16.1); undefined when unreachable.
   */
  distance(kind: 'router' | 'network', id: number): number | undefined {
    const v = (kind === 'router' ? this.graph.routerVertex : this.graph.networkVertex).get(id >>> 0);
    if (v === undefined) return undefined;
    const d = this.tree.distance(v);
    return d === Infinity ? undefined : d;
  }

  /** True when calculate() has something to do. */
  get pending(): boolean {
    return this.work.any;
  }

  // ======================= Calculation =======================

  /** Brings the table up to date with every change since the last call. */
  calculate(): SpfResult {
    const started = this.clock?.();
    let kind: SpfRunKind;
    this.routes.begin();
    if (this.work.dijkstra) {
      kind = 'full';
      this.fullRun();
    } else if (this.work.any) {
      kind = 'partial';
      this.updateRoutes();
    } else {
      kind = 'none';
    }
    this.work.done();
    const result: SpfResult = { table: this.table, changes: this.routes.takeChanges(), kind };
    if (started !== undefined && this.clock !== undefined) result.durationUs = Math.round((this.clock() - started) * 1000);
    return result;
  }

  private fullRun(): void {
    const work = this.work;
    if (work.everyDestination || this.sets.count > MaxSets) {
      // Set numbers are compared across runs; renumbering them means recomputing everything.
      this.sets.reset(this.interfaces.list.map((i) => i.name));
      work.everyDestination = true;
    }
    this.graph.prepare();
    this.tree.run(this.routerId);
    if (!work.everyDestination) {
      // RFC 2328 16.1 (4): what hangs on a vertex whose distance or next hops changed.
      for (const v of this.tree.changed()) this.lsdb.vertexChanged(v);
      for (const v of work.forcedVertices) this.lsdb.vertexChanged(v);
    }
    work.forcedVertices.clear();
    // RFC 2328 16.2 for ASBR-summary-LSAs hangs on the routes to ABRs: recheck them all.
    for (const asbr of this.lsdb.asbrSummaries.keys()) work.asbrs.add(asbr);
    this.updateRoutes();
  }

  /** Brings every marked destination up to date (all of them when everyDestination). */
  private updateRoutes(): void {
    const { work, dest, routes, external } = this;
    if (work.everyDestination) {
      work.everyDestination = false;
      const end = dest.index.end;
      const used = dest.index.used;
      // RFC 2328 16.1 (both stages) and 16.2: intra- and inter-area routes for every prefix.
      for (let slot = 0; slot < end; slot++) if (used[slot] === 1) this.updateIntraInter(slot);
      this.inter.updateAllAsbrs();
      // RFC 2328 16.4: external routes, now that every intra/inter route is known.
      for (let slot = 0; slot < end; slot++) {
        if (used[slot] === 1 && !routes.isIntraInter(slot)) external.update(slot);
      }
      for (let slot = 0; slot < end; slot++) if (used[slot] === 1) dest.releaseIfEmpty(slot);
      return;
    }
    // RFC 2328 16.5 and 16.6: only the destinations something changed for.
    external.beginRanges();
    for (const slot of work.prefixes) {
      const before = routes.isIntraInter(slot) ? routes.route(slot) : undefined;
      this.updateIntraInter(slot);
      const after = routes.isIntraInter(slot) ? routes.route(slot) : undefined;
      if (before !== after) {
        // A forwarding address inside this prefix may now resolve differently (16.4 (3)).
        external.rangeChanged(slot);
        work.externals.add(slot);
      }
    }
    for (const asbr of work.asbrs) {
      if (!this.inter.updateAsbr(asbr)) continue;
      for (const record of this.lsdb.externalsFrom(asbr)) work.externals.add(dest.find(record.address, record.length));
    }
    external.markForwarded(work.externals);
    for (const slot of work.externals) if (!routes.isIntraInter(slot)) external.update(slot);
    for (const slot of work.prefixes) dest.releaseIfEmpty(slot);
    for (const slot of work.externals) dest.releaseIfEmpty(slot);
  }

  /** RFC 2328 16.1 (4) then 16.2 for one destination; a route left to 16.4 is not touched. */
  private updateIntraInter(slot: number): void {
    if (this.intra.update(slot) || this.inter.update(slot)) return;
    if (this.routes.isIntraInter(slot)) this.routes.clear(slot);
  }

  /** The routes to ABRs and ASBRs (RFC 2328 11: destination type "router"), sorted by router id. */
  private routerRoutes(): RouterRoute[] {
    const { graph, tree, sets } = this;
    const out: RouterRoute[] = [];
    for (const [id, v] of graph.routerVertex) {
      if (v === tree.root || !tree.hasBorderRoute(id)) continue;
      const flags = (graph.router[v] as RouterRecord).flags;
      out.push({
        routerId: id,
        pathType: 'intra-area',
        cost: tree.dist[v],
        abr: (flags & RouterFlags.B) !== 0,
        asbr: (flags & RouterFlags.E) !== 0,
        nextHops: sets.output(tree.nh[v]),
      });
    }
    for (const [id, route] of this.inter.asbrRoutes) {
      out.push({ routerId: id, pathType: 'inter-area', cost: route.cost, abr: false, asbr: true, nextHops: sets.output(route.set) });
    }
    return out.sort((a, b) => a.routerId - b.routerId);
  }
}
