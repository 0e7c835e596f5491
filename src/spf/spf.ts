// The routing table calculation of RFC 2328 16 for a router inside one area:
// Dijkstra over router- and network-LSAs (16.1), stub networks (16.1 second
// stage), inter-area routes (16.2) and AS-external routes (16.4), with every
// equal-cost next hop. Incremental where RFC 2328 16.5 and 16.6 allow it.
//
//   lsaChanged(key, raw) ─┐ topology (router links, flags, network-LSAs),
//   setInterfaces(list) ──┤ interfaces ─────────────▶ full: Dijkstra + all prefixes
//                         │ stub links, summaries,
//                         └ externals ──────────────▶ partial: only those prefixes
//   calculate() ──▶ { table (updated in place), changes, kind }
//
// The graph lives in flat typed arrays (compressed sparse rows rebuilt for a
// full run), destinations in a prefix-indexed slot table; vertices and slots
// are numbers, never objects held across calls.

import type { NetworkType } from '../core/api.js';
import { maskFromLength, type Prefix } from '../lib/ipv4.js';
import { LsaType, RouterFlags, RouterLinkType, type LsaKey } from '../packet/types.js';
import { SpfConfigError } from './errors.js';
import { IndexedHeap } from './heap.js';
import {
  checkHeader,
  isMaxAge,
  LSInfinity,
  readExternalLsa,
  readNetworkLsa,
  readRouterLsa,
  readSummaryLsa,
  sameRouterTopology,
  type ExternalRecord,
  type NetworkRecord,
  type RouterRecord,
  type SpfDrop,
  type SummaryRecord,
} from './lsa-reader.js';
import { NextHopSets } from './next-hops.js';
import { PrefixIndex } from './prefix-index.js';
import {
  comparePrefixes,
  sameNextHops,
  type PathType,
  type Route,
  type RouteChange,
  type RouterRoute,
  type RouteTableView,
} from './table.js';

/** One of the router's own OSPF interfaces, for the next-hop calculation (RFC 2328 16.1.1). */
export interface SpfInterface {
  name: string;
  /** The interface's OSPF address: what its router-LSA links carry as Link Data. */
  address: number;
  prefixLength: number;
  networkType: NetworkType;
  up: boolean;
  /** For unnumbered point-to-point links, whose Link Data is the MIB-II ifIndex (RFC 2328 12.4.1.1). */
  ifIndex?: number;
}

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

const VertexFree = 0;
const VertexRouter = 1;
const VertexNetwork = 2;

/** Path type codes, in order of preference (RFC 2328 16.4 (6)). */
const Intra = 1;
const Inter = 2;
const External1 = 3;
const External2 = 4;
const pathTypeNames: readonly PathType[] = ['intra-area', 'intra-area', 'inter-area', 'external-1', 'external-2'];

interface Iface {
  name: string;
  address: number;
  mask: number;
  networkType: NetworkType;
}

interface InterAsbrRoute {
  cost: number;
  set: number;
}

export class Spf {
  readonly routerId: number;
  readonly areaId: number;
  readonly maximumPaths: number;
  /** The routing table as of the last calculate(). */
  readonly table: RouteTableView;
  private readonly clock: (() => number) | undefined;

  // ---- The LSDB as the SPF reads it ----
  private readonly routerLsas = new Map<number, RouterRecord>();
  /** Network-LSAs by Link State ID, then advertising router. */
  private readonly networkLsas = new Map<number, Map<number, NetworkRecord>>();
  /** Summary-LSAs (type 3) by advertising router, then Link State ID. */
  private readonly summaryLsas = new Map<number, Map<number, SummaryRecord>>();
  /** ASBR-summary-LSAs (type 4) by ASBR (Link State ID), then advertising router. */
  private readonly asbrSummaryLsas = new Map<number, Map<number, SummaryRecord>>();
  /** AS-external-LSAs by advertising router, then Link State ID. */
  private readonly externalLsas = new Map<number, Map<number, ExternalRecord>>();
  /** AS-external-LSAs with a forwarding address, and the slot of their destination. */
  private readonly forwarded = new Map<ExternalRecord, number>();

  // ---- Vertices: numbers, with per-vertex data in arrays ----
  private readonly routerVertex = new Map<number, number>();
  private readonly networkVertex = new Map<number, number>();
  private vKind = new Uint8Array(64);
  /** Router id or network Link State ID of each vertex. */
  private vId: number[] = [];
  private vRouter: (RouterRecord | undefined)[] = [];
  private vNetwork: (NetworkRecord | undefined)[] = [];
  /** Link targets as vertex numbers (-1: no such vertex), valid while vEpoch matches epoch. */
  private vTargets: (number[] | undefined)[] = [];
  private vEpoch: number[] = [];
  /** Bumped whenever a vertex appears or goes: every link target must be looked up again. */
  private epoch = 0;
  private vEnd = 0;
  private readonly freeVertices: number[] = [];

  // ---- The graph of the last full run, as compressed sparse rows ----
  // Only links that pass the two-way check of RFC 2328 16.1 (2b) are kept:
  // V→W is an edge when W's LSA also links to V. A change of costs alone
  // patches the rows in place; anything else rebuilds them.
  private graphStale = true;
  private readonly patchRows = new Set<number>();
  private edgeStart = new Int32Array(1);
  /** Index of the edge's link within its router-LSA's topological links (-1 for network edges). */
  private edgeLink = new Int32Array(64);
  private edgeTo = new Int32Array(64);
  private edgeCost = new Uint32Array(64);
  private edgeData = new Uint32Array(64);
  private edgeType = new Uint8Array(64);

  // ---- Dijkstra's results (RFC 2328 16.1), this run's and the previous run's ----
  private dist = new Float64Array(0);
  private nh = new Int32Array(0);
  private prevDist = new Float64Array(0);
  private prevNh = new Int32Array(0);
  private prevEnd = 0;
  /** Vertices [0, distEnd) have results in dist and nh. */
  private distEnd = 0;
  private done = new Uint8Array(0);
  private readonly heap = new IndexedHeap(64);
  private root = -1;
  private readonly sets: NextHopSets;
  private readonly asbrInter = new Map<number, InterAsbrRoute>();

  // ---- Destinations: one slot per prefix ----
  private readonly index = new PrefixIndex();
  private routes: (Route | undefined)[] = [];
  /** Stub links naming the prefix: [router vertex, metric] pairs. */
  private stubRefs: (number[] | undefined)[] = [];
  /** Network vertices whose network is the prefix. */
  private netRefs: (number[] | undefined)[] = [];
  private sumRefs: (SummaryRecord[] | undefined)[] = [];
  private extRefs: (ExternalRecord[] | undefined)[] = [];
  /** Intra- and inter-area routes per prefix length: the lengths worth probing in a longest match. */
  private readonly lengthCount = new Int32Array(33);

  // ---- Interfaces ----
  private ifaces: Iface[] = [];
  private readonly ifByAddress = new Map<number, number>();
  private readonly ifByIndex = new Map<number, number>();

  // ---- What changed since the last calculation ----
  private fullNeeded = true;
  /** Every destination must be recomputed (interfaces changed, or next-hop sets were renumbered). */
  private allDirty = true;
  /** Vertices whose LSA changed in a way that matters to routes through them even at the same distance. */
  private readonly forcedVertices = new Set<number>();
  private readonly dirtyPrefixes = new Set<number>();
  private readonly dirtyExternals = new Set<number>();
  private readonly dirtyAsbrs = new Set<number>();
  private run = 0;
  /** rangeStamp[slot] === run: the slot's intra/inter route changed in this run. */
  private rangeStamp: Int32Array = new Int32Array(64);
  /** Prefix lengths of this run's changed intra/inter routes. */
  private readonly rangeLengths = new Uint8Array(33);
  private touchStamp: Int32Array = new Int32Array(64);
  private touchedSlots: number[] = [];
  private touchedOld: (Route | undefined)[] = [];

  /** Routes in the table. */
  private routeCount = 0;
  /** Next-hop set numbers of current routes, for forwarding-address lookups. */
  private routeSets: Int32Array = new Int32Array(64);

  // Scratch result of asbrRoute().
  private cCost = 0;
  private cSet = 0;

  constructor(options: SpfOptions) {
    const maximumPaths = options.maximumPaths ?? 64;
    if (!Number.isInteger(maximumPaths) || maximumPaths < 1 || maximumPaths > 64) {
      throw new SpfConfigError(`maximumPaths must be an integer in 1..64, not ${maximumPaths}`);
    }
    this.routerId = options.routerId >>> 0;
    this.areaId = options.areaId >>> 0;
    this.maximumPaths = maximumPaths;
    this.clock = options.clock;
    this.sets = new NextHopSets(maximumPaths);
    this.table = this.makeView();
  }

  // ======================= Inputs =======================

  /** The router's own interfaces; any change makes the next calculation a full one. */
  setInterfaces(list: readonly SpfInterface[]): void {
    const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Check the whole list before taking any of it.
    const names = new Set<string>();
    for (const i of sorted) {
      if (!Number.isInteger(i.prefixLength) || i.prefixLength < 0 || i.prefixLength > 32) {
        throw new SpfConfigError(`interface ${i.name}: prefix length ${i.prefixLength}`);
      }
      if (names.has(i.name)) throw new SpfConfigError(`interface ${i.name} listed twice`);
      names.add(i.name);
    }
    this.ifaces = [];
    this.ifByAddress.clear();
    this.ifByIndex.clear();
    for (const i of sorted) {
      if (!i.up) continue;
      const slot = this.ifaces.length;
      this.ifaces.push({ name: i.name, address: i.address >>> 0, mask: maskFromLength(i.prefixLength), networkType: i.networkType });
      if (!this.ifByAddress.has(i.address >>> 0)) this.ifByAddress.set(i.address >>> 0, slot);
      if (i.ifIndex !== undefined && !this.ifByIndex.has(i.ifIndex)) this.ifByIndex.set(i.ifIndex, slot);
    }
    this.fullNeeded = true;
    this.allDirty = true;
  }

  /**
   * An LSA of the area (or an AS-external-LSA) was installed, replaced or,
   * with raw undefined, removed. LSAs at MaxAge count as removed (RFC 2328
   * 16). Returns why the LSA, or a part of it, is not used, if it is not.
   */
  lsaChanged(key: LsaKey, raw: Uint8Array | undefined): SpfDrop | undefined {
    let length = 0;
    if (raw !== undefined) {
      const checked = checkHeader(key, raw);
      if (typeof checked !== 'number') {
        this.forget(key);
        return checked;
      }
      if (isMaxAge(raw)) raw = undefined;
      else length = checked;
    }
    switch (key.type) {
      case LsaType.Router: {
        // RFC 2328 12.1.4: a router-LSA's Link State ID is its originator's router id; others are not ours to use.
        if (key.lsId >>> 0 !== key.advRouter >>> 0) {
          return raw === undefined ? undefined : { reason: 'router-lsa-id', key, detail: 'Link State ID differs from Advertising Router' };
        }
        if (raw === undefined) return this.setRouter(key.advRouter >>> 0, undefined);
        const read = readRouterLsa(key, raw, length);
        if ('reason' in read) {
          this.setRouter(key.advRouter >>> 0, undefined);
          return read;
        }
        this.setRouter(key.advRouter >>> 0, read.record);
        return read.dropped;
      }
      case LsaType.Network: {
        const read = raw === undefined ? undefined : readNetworkLsa(key, raw, length);
        this.setNetwork(key.lsId >>> 0, key.advRouter >>> 0, read !== undefined && 'reason' in read ? undefined : read);
        return read !== undefined && 'reason' in read ? read : undefined;
      }
      case LsaType.SummaryNetwork:
      case LsaType.SummaryAsbr: {
        const read = raw === undefined ? undefined : readSummaryLsa(key, raw, length);
        const record = read !== undefined && 'reason' in read ? undefined : read;
        if (key.type === LsaType.SummaryNetwork) this.setSummary(key.lsId >>> 0, key.advRouter >>> 0, record);
        else this.setAsbrSummary(key.lsId >>> 0, key.advRouter >>> 0, record);
        return read !== undefined && 'reason' in read ? read : undefined;
      }
      case LsaType.AsExternal: {
        const read = raw === undefined ? undefined : readExternalLsa(key, raw, length);
        this.setExternal(key.lsId >>> 0, key.advRouter >>> 0, read !== undefined && 'reason' in read ? undefined : read);
        return read !== undefined && 'reason' in read ? read : undefined;
      }
      default:
        // Opaque and NSSA LSAs play no part in this calculation.
        return undefined;
    }
  }

  /**
   * The cost from this router to a router (by router id) or a transit
   * network (by its network-LSA's Link State ID) in the last calculation's
   * shortest-path tree (RFC 2328 16.1); undefined when unreachable.
   */
  distance(kind: 'router' | 'network', id: number): number | undefined {
    const v = (kind === 'router' ? this.routerVertex : this.networkVertex).get(id >>> 0);
    if (v === undefined || v >= this.distEnd) return undefined;
    const d = this.dist[v] as number;
    return d === Infinity ? undefined : d;
  }

  /** True when calculate() has something to do. */
  get pending(): boolean {
    return this.fullNeeded || this.dirtyPrefixes.size > 0 || this.dirtyExternals.size > 0 || this.dirtyAsbrs.size > 0;
  }

  /** Removes whatever is known under key (a malformed replacement makes the old instance unusable too). */
  private forget(key: LsaKey): void {
    this.lsaChanged(key, undefined);
  }

  private setRouter(id: number, record: RouterRecord | undefined): undefined {
    const old = this.routerLsas.get(id);
    if (old === undefined && record === undefined) return undefined;
    if (old !== undefined && record !== undefined && sameRouterTopology(old, record)) {
      // Only stub links may differ: RFC 2328 16.5 lets those be handled without Dijkstra.
      if (sameStubs(old.stubs, record.stubs)) {
        this.routerLsas.set(id, record);
        this.vRouter[this.routerVertex.get(id) as number] = record;
        return undefined;
      }
      // Only the stub links that differ are withdrawn and added: their prefixes alone are recomputed.
      const v = this.routerVertex.get(id) as number;
      this.removeStubs(v, stubsMissingFrom(old.stubs, record.stubs));
      this.routerLsas.set(id, record);
      this.vRouter[v] = record;
      this.addStubs(v, stubsMissingFrom(record.stubs, old.stubs));
      return undefined;
    }
    this.fullNeeded = true;
    // Summaries and externals from this router depend on its flags and on whether it exists.
    this.markRoutesFrom(id);
    if (old !== undefined) {
      const v = this.routerVertex.get(id) as number;
      this.removeStubs(v, old.stubs);
      if (record === undefined) {
        this.routerLsas.delete(id);
        this.routerVertex.delete(id);
        this.freeVertex(v);
        return undefined;
      }
      this.routerLsas.set(id, record);
      this.vRouter[v] = record;
      if (sameLinkTargets(old, record)) this.patchRows.add(v);
      else {
        this.vTargets[v] = undefined;
        this.graphStale = true;
      }
      this.forcedVertices.add(v);
      this.addStubs(v, record.stubs);
      return undefined;
    }
    const v = this.allocVertex(VertexRouter, id);
    this.routerVertex.set(id, v);
    this.routerLsas.set(id, record as RouterRecord);
    this.vRouter[v] = record;
    this.addStubs(v, (record as RouterRecord).stubs);
    return undefined;
  }

  /** Marks the summary and external destinations whose LSAs the router originated. */
  private markRoutesFrom(id: number): void {
    const summaries = this.summaryLsas.get(id);
    if (summaries !== undefined) for (const r of summaries.values()) this.dirtyPrefixes.add(this.index.find(r.address, r.length));
    const externals = this.externalLsas.get(id);
    if (externals !== undefined) for (const r of externals.values()) this.dirtyExternals.add(this.index.find(r.address, r.length));
  }

  /**
   * The slot of a prefix, made when new. Per-slot arrays grow with the index
   * and stay dense (holes or far writes would turn V8 arrays into dictionaries).
   */
  private intern(address: number, length: number): number {
    const slot = this.index.intern(address, length);
    while (this.routes.length <= slot) {
      this.routes.push(undefined);
      this.stubRefs.push(undefined);
      this.netRefs.push(undefined);
      this.sumRefs.push(undefined);
      this.extRefs.push(undefined);
    }
    if (slot >= this.touchStamp.length) {
      const size = this.touchStamp.length * 2;
      this.touchStamp = grow(this.touchStamp, size);
      this.rangeStamp = grow(this.rangeStamp, size);
      this.routeSets = grow(this.routeSets, size);
    }
    return slot;
  }

  /** Indexes stub links ([address, length, metric] triples) of router vertex v under their prefixes. */
  private addStubs(v: number, stubs: readonly number[]): void {
    for (let i = 0; i < stubs.length; i += 3) {
      const slot = this.intern(stubs[i], stubs[i + 1]);
      const refs = this.stubRefs[slot];
      if (refs === undefined) this.stubRefs[slot] = [v, stubs[i + 2]];
      else refs.push(v, stubs[i + 2]);
      this.dirtyPrefixes.add(slot);
    }
  }

  private removeStubs(v: number, stubs: readonly number[]): void {
    for (let i = 0; i < stubs.length; i += 3) {
      const slot = this.index.find(stubs[i], stubs[i + 1]);
      const refs = this.stubRefs[slot] as number[];
      for (let j = 0; j < refs.length; j += 2) {
        if (refs[j] === v && refs[j + 1] === stubs[i + 2]) {
          refs.splice(j, 2);
          break;
        }
      }
      this.dirtyPrefixes.add(slot);
    }
  }

  private setNetwork(lsId: number, advRouter: number, record: NetworkRecord | undefined): void {
    let byAdv = this.networkLsas.get(lsId);
    const before = byAdv === undefined ? undefined : activeNetwork(byAdv);
    if (record === undefined) {
      if (byAdv === undefined || !byAdv.delete(advRouter)) return;
      if (byAdv.size === 0) this.networkLsas.delete(lsId);
    } else {
      if (byAdv === undefined) {
        byAdv = new Map();
        this.networkLsas.set(lsId, byAdv);
      }
      byAdv.set(advRouter, record);
    }
    const after = byAdv.size === 0 ? undefined : activeNetwork(byAdv);
    if (before === after) return;
    if (before !== undefined && after !== undefined && sameNetwork(before, after)) {
      this.vNetwork[this.networkVertex.get(lsId) as number] = after;
      return;
    }
    this.fullNeeded = true;
    this.graphStale = true;
    let v = this.networkVertex.get(lsId);
    if (v !== undefined && before !== undefined) this.removeRef(this.netRefs, this.index.find(before.address, before.length), v);
    if (after === undefined) {
      this.networkVertex.delete(lsId);
      this.freeVertex(v as number);
      return;
    }
    if (v === undefined) {
      v = this.allocVertex(VertexNetwork, lsId);
      this.networkVertex.set(lsId, v);
    }
    this.vNetwork[v] = after;
    this.vTargets[v] = undefined;
    this.forcedVertices.add(v);
    const slot = this.intern(after.address, after.length);
    const refs = this.netRefs[slot];
    if (refs === undefined) this.netRefs[slot] = [v];
    else refs.push(v);
    this.dirtyPrefixes.add(slot);
  }

  private removeRef(lists: (number[] | undefined)[], slot: number, v: number): void {
    const refs = lists[slot] as number[];
    refs.splice(refs.indexOf(v), 1);
    this.dirtyPrefixes.add(slot);
  }

  private setSummary(lsId: number, advRouter: number, record: SummaryRecord | undefined): void {
    let byId = this.summaryLsas.get(advRouter);
    const old = byId?.get(lsId);
    if (old !== undefined && record !== undefined && sameSummary(old, record)) return;
    if (old !== undefined) {
      const slot = this.index.find(old.address, old.length);
      const refs = this.sumRefs[slot] as SummaryRecord[];
      refs.splice(refs.indexOf(old), 1);
      this.dirtyPrefixes.add(slot);
      byId?.delete(lsId);
    }
    if (record === undefined) {
      if (byId !== undefined && byId.size === 0) this.summaryLsas.delete(advRouter);
      return;
    }
    if (byId === undefined) {
      byId = new Map();
      this.summaryLsas.set(advRouter, byId);
    }
    byId.set(lsId, record);
    const slot = this.intern(record.address, record.length);
    const refs = this.sumRefs[slot];
    if (refs === undefined) this.sumRefs[slot] = [record];
    else refs.push(record);
    this.dirtyPrefixes.add(slot);
  }

  private setAsbrSummary(asbr: number, advRouter: number, record: SummaryRecord | undefined): void {
    let byAdv = this.asbrSummaryLsas.get(asbr);
    const old = byAdv?.get(advRouter);
    if (old !== undefined && record !== undefined && sameSummary(old, record)) return;
    if (old === undefined && record === undefined) return;
    if (record === undefined) {
      byAdv?.delete(advRouter);
      if (byAdv !== undefined && byAdv.size === 0) this.asbrSummaryLsas.delete(asbr);
    } else {
      if (byAdv === undefined) {
        byAdv = new Map();
        this.asbrSummaryLsas.set(asbr, byAdv);
      }
      byAdv.set(advRouter, record);
    }
    this.dirtyAsbrs.add(asbr);
  }

  private setExternal(lsId: number, advRouter: number, record: ExternalRecord | undefined): void {
    let byId = this.externalLsas.get(advRouter);
    const old = byId?.get(lsId);
    if (old !== undefined && record !== undefined && sameExternal(old, record)) return;
    if (old !== undefined) {
      const slot = this.index.find(old.address, old.length);
      const refs = this.extRefs[slot] as ExternalRecord[];
      refs.splice(refs.indexOf(old), 1);
      this.forwarded.delete(old);
      this.dirtyExternals.add(slot);
      byId?.delete(lsId);
    }
    if (record === undefined) {
      if (byId !== undefined && byId.size === 0) this.externalLsas.delete(advRouter);
      return;
    }
    if (byId === undefined) {
      byId = new Map();
      this.externalLsas.set(advRouter, byId);
    }
    byId.set(lsId, record);
    const slot = this.intern(record.address, record.length);
    const refs = this.extRefs[slot];
    if (refs === undefined) this.extRefs[slot] = [record];
    else refs.push(record);
    if (record.forwardingAddress !== 0) this.forwarded.set(record, slot);
    this.dirtyExternals.add(slot);
  }

  private allocVertex(kind: number, id: number): number {
    const v = this.freeVertices.length > 0 ? (this.freeVertices.pop() as number) : this.vEnd++;
    if (v === this.vId.length) {
      this.vId.push(0);
      this.vRouter.push(undefined);
      this.vNetwork.push(undefined);
      this.vTargets.push(undefined);
      this.vEpoch.push(0);
    }
    if (v >= this.vKind.length) {
      const grown = new Uint8Array(this.vKind.length * 2);
      grown.set(this.vKind);
      this.vKind = grown;
    }
    this.vKind[v] = kind;
    this.vId[v] = id;
    this.vTargets[v] = undefined;
    this.epoch++;
    this.graphStale = true;
    return v;
  }

  private freeVertex(v: number): void {
    this.vKind[v] = VertexFree;
    this.vRouter[v] = undefined;
    this.vNetwork[v] = undefined;
    this.vTargets[v] = undefined;
    this.freeVertices.push(v);
    this.epoch++;
    this.graphStale = true;
  }

  // ======================= Calculation =======================

  /** Brings the table up to date with every change since the last call. */
  calculate(): SpfResult {
    const started = this.clock?.();
    let kind: SpfRunKind;
    this.run++;
    if (this.fullNeeded) {
      kind = 'full';
      this.fullRun();
    } else if (this.pending) {
      kind = 'partial';
      this.updateRoutes();
    } else {
      kind = 'none';
    }
    this.fullNeeded = false;
    this.dirtyPrefixes.clear();
    this.dirtyExternals.clear();
    this.dirtyAsbrs.clear();
    const changes = this.collectChanges();
    const result: SpfResult = { table: this.table, changes, kind };
    if (started !== undefined && this.clock !== undefined) result.durationUs = Math.round((this.clock() - started) * 1000);
    return result;
  }

  private fullRun(): void {
    if (this.allDirty || this.sets.count > MaxSets) {
      // Set numbers are compared across runs; renumbering them means recomputing everything.
      this.sets.reset(this.ifaces.map((i) => i.name));
      this.allDirty = true;
    }
    if (this.graphStale) this.buildGraph();
    else for (const v of this.patchRows) this.patchRow(v);
    this.graphStale = false;
    this.patchRows.clear();
    this.dijkstra();
    if (!this.allDirty) this.markChangedVertices();
    this.forcedVertices.clear();
    // RFC 2328 16.2 for ASBR-summary-LSAs hangs on the routes to ABRs: recheck them all.
    for (const asbr of this.asbrSummaryLsas.keys()) this.dirtyAsbrs.add(asbr);
    this.updateRoutes();
  }

  /**
   * RFC 2328 16.1 (4): a vertex whose distance or next hops changed changes
   * the routes of its stub links and network, the inter-area routes through
   * it (16.2) and the external routes it originates (16.4).
   */
  private markChangedVertices(): void {
    const { dist, nh, prevDist, prevNh } = this;
    const n = Math.max(this.distEnd, this.prevEnd);
    for (let v = 0; v < n; v++) {
      const d = v < this.distEnd ? dist[v] : Infinity;
      const p = v < this.prevEnd ? prevDist[v] : Infinity;
      const h = v < this.distEnd ? nh[v] : 0;
      const q = v < this.prevEnd ? prevNh[v] : 0;
      if (d !== p || h !== q) this.markVertex(v);
    }
    for (const v of this.forcedVertices) this.markVertex(v);
  }

  private markVertex(v: number): void {
    const kind = this.vKind[v];
    if (kind === VertexRouter) {
      const stubs = (this.vRouter[v] as RouterRecord).stubs;
      for (let i = 0; i < stubs.length; i += 3) this.dirtyPrefixes.add(this.index.find(stubs[i], stubs[i + 1]));
      this.markRoutesFrom(this.vId[v]);
    } else if (kind === VertexNetwork) {
      const record = this.vNetwork[v] as NetworkRecord;
      this.dirtyPrefixes.add(this.index.find(record.address, record.length));
    }
  }

  /** Brings every marked destination up to date (all of them when allDirty). */
  private updateRoutes(): void {
    if (this.allDirty) {
      this.allDirty = false;
      const end = this.index.end;
      const used = this.index.used;
      // RFC 2328 16.1 (both stages) and 16.2: intra- and inter-area routes for every prefix.
      for (let slot = 0; slot < end; slot++) if (used[slot] === 1) this.updateIntraInter(slot);
      this.asbrInter.clear();
      for (const asbr of this.asbrSummaryLsas.keys()) this.updateAsbrInter(asbr);
      // RFC 2328 16.4: external routes, now that every intra/inter route is known.
      for (let slot = 0; slot < end; slot++) {
        if (used[slot] === 1 && !this.isIntraInter(slot)) this.updateExternal(slot);
      }
      for (let slot = 0; slot < end; slot++) if (used[slot] === 1) this.releaseIfEmpty(slot);
      return;
    }
    // RFC 2328 16.5 and 16.6: only the destinations something changed for.
    const rangeLengths = this.rangeLengths.fill(0);
    let ranges = 0;
    for (const slot of this.dirtyPrefixes) {
      const before = this.isIntraInter(slot) ? this.routes[slot] : undefined;
      this.updateIntraInter(slot);
      const after = this.isIntraInter(slot) ? this.routes[slot] : undefined;
      if (before !== after) {
        // A forwarding address inside this prefix may now resolve differently (16.4 (3)).
        this.rangeStamp[slot] = this.run;
        rangeLengths[this.index.length[slot]] = 1;
        ranges++;
        this.dirtyExternals.add(slot);
      }
    }
    for (const asbr of this.dirtyAsbrs) {
      const before = this.asbrInter.get(asbr);
      this.updateAsbrInter(asbr);
      const after = this.asbrInter.get(asbr);
      if (before?.cost === after?.cost && before?.set === after?.set) continue;
      const byId = this.externalLsas.get(asbr);
      if (byId === undefined) continue;
      for (const record of byId.values()) this.dirtyExternals.add(this.index.find(record.address, record.length));
    }
    if (ranges > 0) {
      for (const [record, slot] of this.forwarded) {
        for (let length = 32; length >= 0; length--) {
          if (rangeLengths[length] === 0) continue;
          const range = this.index.find((record.forwardingAddress & maskFromLength(length)) >>> 0, length);
          if (range >= 0 && this.rangeStamp[range] === this.run) {
            this.dirtyExternals.add(slot);
            break;
          }
        }
      }
    }
    for (const slot of this.dirtyExternals) if (!this.isIntraInter(slot)) this.updateExternal(slot);
    for (const slot of this.dirtyPrefixes) this.releaseIfEmpty(slot);
    for (const slot of this.dirtyExternals) this.releaseIfEmpty(slot);
  }

  /**
   * Resolves link targets to vertex numbers and lays the graph out as
   * compressed sparse rows, keeping only links that pass the two-way check
   * of RFC 2328 16.1 (2b).
   */
  private buildGraph(): void {
    const n = this.vEnd;
    for (let v = 0; v < n; v++) {
      if (this.vKind[v] === VertexFree) continue;
      if (this.vTargets[v] === undefined || this.vEpoch[v] !== this.epoch) {
        this.vTargets[v] = this.resolve(v);
        this.vEpoch[v] = this.epoch;
      }
    }
    let edges = 0;
    for (let v = 0; v < n; v++) {
      const targets = this.vTargets[v];
      if (targets === undefined || this.vKind[v] === VertexFree) continue;
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
      const kind = this.vKind[v];
      if (kind === VertexFree) continue;
      const targets = this.vTargets[v] as number[];
      const topo = kind === VertexRouter ? (this.vRouter[v] as RouterRecord).topo : undefined;
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
    const targets = this.vTargets[w];
    if (targets === undefined || this.vKind[w] === VertexFree) return false;
    for (let i = 0; i < targets.length; i++) if (targets[i] === v) return true;
    return false;
  }

  /** A router-LSA changed its costs or Link Data only: rewrite its row in place. */
  private patchRow(v: number): void {
    const topo = (this.vRouter[v] as RouterRecord).topo;
    const end = this.edgeStart[v + 1];
    for (let e = this.edgeStart[v]; e < end; e++) {
      const i = this.edgeLink[e];
      this.edgeData[e] = topo[4 * i + 2];
      this.edgeCost[e] = topo[4 * i + 3];
    }
  }

  private resolve(v: number): number[] {
    if (this.vKind[v] === VertexRouter) {
      const topo = (this.vRouter[v] as RouterRecord).topo;
      const targets: number[] = [];
      for (let i = 0; i < topo.length; i += 4) {
        // RFC 2328 A.4.2: a transit link names the DR's interface address, the others a router id.
        const map = topo[i] === RouterLinkType.Transit ? this.networkVertex : this.routerVertex;
        targets.push(map.get(topo[i + 1]) ?? -1);
      }
      return targets;
    }
    const attached = (this.vNetwork[v] as NetworkRecord).attached;
    return attached.map((id) => this.routerVertex.get(id) ?? -1);
  }

  /** RFC 2328 16.1: the shortest-path tree rooted at this router, with next hops (16.1.1). */
  private dijkstra(): void {
    const n = this.vEnd;
    // Keep the previous run's results to find what changed.
    [this.dist, this.prevDist] = [this.prevDist, this.dist];
    [this.nh, this.prevNh] = [this.prevNh, this.nh];
    this.prevEnd = this.distEnd;
    if (this.dist.length < n) {
      const size = Math.max(n, this.prevDist.length * 2);
      this.dist = new Float64Array(size);
      this.nh = new Int32Array(size);
    }
    if (this.done.length < n) this.done = new Uint8Array(Math.max(n, this.done.length * 2));
    this.distEnd = n;
    const { dist, nh, done, heap, edgeStart, edgeTo, edgeCost, vKind } = this;
    dist.fill(Infinity, 0, n);
    nh.fill(0, 0, n);
    done.fill(0, 0, n);
    heap.reset(n);
    const root = this.routerVertex.get(this.routerId);
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
      const viaRouter = v !== root && vKind[v] === VertexRouter;
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
          heap.push(w, 2 * d + (vKind[w] === VertexRouter ? 1 : 0));
        } else {
          // RFC 2328 16.1 (2d): an equal-cost path adds its next hops.
          nh[w] = this.sets.union(nh[w], hops);
        }
      }
    }
  }

  /** RFC 2328 16.1.1: the next hops to W over edge e from its parent V; 0 when there are none. */
  private nextHops(v: number, w: number, e: number): number {
    if (v === this.root) {
      const type = this.edgeType[e];
      // Virtual links are an ABR's business (16.3); this router is not one.
      if (type === RouterLinkType.Virtual) return 0;
      const ifSlot = this.interfaceFor(this.edgeData[e], type === RouterLinkType.Transit ? 'broadcast' : 'point-to-point');
      if (ifSlot < 0) return 0;
      // A directly attached network: no next-hop address.
      if (type === RouterLinkType.Transit) return this.sets.single(0, ifSlot);
      // A router over a point-to-point link: its address from its own link back to us.
      return this.sets.single(this.p2pNeighborAddress(w, ifSlot), ifSlot);
    }
    const inherited = this.nh[v];
    if (this.vKind[v] === VertexNetwork && this.sets.hasDirect(inherited)) {
      // A router on a directly attached network: its address on that network,
      // from the Link Data of its transit link to it.
      return this.sets.viaAddress(inherited, this.linkDataTo(w, v));
    }
    return inherited;
  }

  /** Our interface whose address (or ifIndex, unnumbered) is a link's Link Data, of the given type; -1 if down or unknown. */
  private interfaceFor(linkData: number, networkType: NetworkType): number {
    const slot = this.ifByAddress.get(linkData) ?? this.ifByIndex.get(linkData);
    if (slot === undefined || this.ifaces[slot].networkType !== networkType) return -1;
    return slot;
  }

  /** Link Data of W's first link to V (W's interface address on V's network, or on the link to V). */
  private linkDataTo(w: number, v: number): number {
    const { edgeStart, edgeTo, edgeData } = this;
    const end = edgeStart[w + 1];
    for (let e = edgeStart[w]; e < end; e++) if (edgeTo[e] === v) return edgeData[e];
    return 0;
  }

  /** Of W's links back to the root, the address in our interface's subnet, else the first one. */
  private p2pNeighborAddress(w: number, ifSlot: number): number {
    const { edgeStart, edgeTo, edgeData } = this;
    const iface = this.ifaces[ifSlot];
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

  /** The directly attached next hop for one of our own stub networks: the first interface inside it, or containing it. */
  private rootStubSet(slot: number): number {
    const address = this.index.address[slot];
    const mask = maskFromLength(this.index.length[slot]);
    for (let i = 0; i < this.ifaces.length; i++) {
      const iface = this.ifaces[i];
      if (((iface.address & mask) >>> 0) === address || ((address ^ iface.address) & iface.mask) === 0) return this.sets.single(0, i);
    }
    return 0;
  }

  /** RFC 2328 16.1 and 16.2 for one destination; updates routes[slot] unless it is left to 16.4. */
  private updateIntraInter(slot: number): void {
    const { dist, nh } = this;
    let found = false;
    let cost = 0;
    let set = 0;
    let originId = 0;
    // 16.1 (4): transit networks; at equal cost the larger Link State ID wins.
    const nets = this.netRefs[slot];
    if (nets !== undefined) {
      for (const v of nets) {
        const d = dist[v];
        if (d === Infinity) continue;
        const id = this.vId[v];
        if (!found || d < cost || (d === cost && id > originId)) {
          found = true;
          cost = d;
          set = nh[v];
          originId = id;
        }
      }
    }
    // 16.1 second stage: stub links; equal cost merges next hops.
    const stubs = this.stubRefs[slot];
    if (stubs !== undefined) {
      for (let i = 0; i < stubs.length; i += 2) {
        const v = stubs[i];
        const d = dist[v];
        if (d === Infinity) continue;
        const hops = v === this.root ? this.rootStubSet(slot) : nh[v];
        if (hops === 0) continue;
        const c = d + stubs[i + 1];
        if (!found || c < cost) {
          found = true;
          cost = c;
          set = hops;
        } else if (c === cost) {
          set = this.sets.union(set, hops);
        }
      }
    }
    if (found) {
      this.setRoute(slot, Intra, cost, 0, set);
      return;
    }
    // 16.2: summary-LSAs from reachable area border routers.
    const sums = this.sumRefs[slot];
    if (sums !== undefined) {
      for (const record of sums) {
        if (record.metric >= LSInfinity || record.advRouter === this.routerId) continue;
        const v = this.routerVertex.get(record.advRouter);
        if (v === undefined || dist[v] === Infinity || ((this.vRouter[v] as RouterRecord).flags & RouterFlags.B) === 0) continue;
        const c = dist[v] + record.metric;
        if (!found || c < cost) {
          found = true;
          cost = c;
          set = nh[v];
        } else if (c === cost) {
          set = this.sets.union(set, nh[v]);
        }
      }
    }
    if (found) this.setRoute(slot, Inter, cost, 0, set);
    else if (this.isIntraInter(slot)) this.clearRoute(slot);
  }

  /** RFC 2328 16.2 for one ASBR-summary destination. */
  private updateAsbrInter(asbr: number): void {
    this.asbrInter.delete(asbr);
    const byAdv = this.asbrSummaryLsas.get(asbr);
    if (byAdv === undefined || asbr === this.routerId || this.hasIntraRouterRoute(asbr)) return;
    let found = false;
    let cost = 0;
    let set = 0;
    for (const record of byAdv.values()) {
      if (record.metric >= LSInfinity || record.advRouter === this.routerId) continue;
      const v = this.routerVertex.get(record.advRouter);
      if (v === undefined || this.dist[v] === Infinity || ((this.vRouter[v] as RouterRecord).flags & RouterFlags.B) === 0) continue;
      const c = this.dist[v] + record.metric;
      if (!found || c < cost) {
        found = true;
        cost = c;
        set = this.nh[v];
      } else if (c === cost) {
        set = this.sets.union(set, this.nh[v]);
      }
    }
    if (found) this.asbrInter.set(asbr, { cost, set });
  }

  /** RFC 2328 16.1 (4): reachable ABRs and ASBRs of the area have intra-area router routes. */
  private hasIntraRouterRoute(id: number): boolean {
    const v = this.routerVertex.get(id);
    if (v === undefined || v >= this.distEnd || this.dist[v] === Infinity) return false;
    return ((this.vRouter[v] as RouterRecord).flags & (RouterFlags.B | RouterFlags.E)) !== 0;
  }

  /** RFC 2328 16.4 for one destination without an intra- or inter-area route. */
  private updateExternal(slot: number): void {
    let found = false;
    let type = 0;
    let cost = 0;
    let type2 = 0;
    let set = 0;
    const exts = this.extRefs[slot];
    if (exts !== undefined) {
      for (const record of exts) {
        // 16.4 (1), (2): unreachable metric or our own LSA.
        if (record.metric >= LSInfinity || record.advRouter === this.routerId) continue;
        // 16.4 (3): the ASBR must be reachable.
        if (!this.asbrRoute(record.advRouter)) continue;
        let x = this.cCost;
        let hops = this.cSet;
        if (record.forwardingAddress !== 0) {
          // 16.4 (3): the forwarding address must have an intra- or inter-area route.
          const via = this.longestMatch(record.forwardingAddress);
          if (via < 0) continue;
          x = (this.routes[via] as Route).cost;
          hops = this.sets.viaAddress(this.routeSets[via], record.forwardingAddress);
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
          set = this.sets.union(set, hops);
        }
      }
    }
    if (found) this.setRoute(slot, type, cost, type2, set);
    else this.clearRoute(slot);
  }

  /** The route to an ASBR into cCost/cSet (RFC 2328 16.4 (3)): intra-area with the E-bit, else inter-area. */
  private asbrRoute(id: number): boolean {
    const v = this.routerVertex.get(id);
    if (this.hasIntraRouterRoute(id)) {
      if (((this.vRouter[v as number] as RouterRecord).flags & RouterFlags.E) === 0) return false;
      this.cCost = this.dist[v as number];
      this.cSet = this.nh[v as number];
      return true;
    }
    const inter = this.asbrInter.get(id);
    if (inter === undefined) return false;
    this.cCost = inter.cost;
    this.cSet = inter.set;
    return true;
  }

  /** The slot of the most specific intra- or inter-area route covering address, or -1. */
  private longestMatch(address: number): number {
    for (let length = 32; length >= 0; length--) {
      if (this.lengthCount[length] === 0) continue;
      const slot = this.index.find((address & maskFromLength(length)) >>> 0, length);
      if (slot >= 0 && this.isIntraInter(slot)) return slot;
    }
    return -1;
  }

  private isIntraInter(slot: number): boolean {
    const route = this.routes[slot];
    return route !== undefined && (route.pathType === 'intra-area' || route.pathType === 'inter-area');
  }

  private setRoute(slot: number, type: number, cost: number, type2: number, set: number): void {
    const old = this.routes[slot];
    const nextHops = this.sets.output(set);
    const pathType = pathTypeNames[type];
    this.routeSets[slot] = set;
    if (old !== undefined && old.pathType === pathType && old.cost === cost && old.type2Cost === type2 && sameNextHops(old.nextHops, nextHops)) {
      return;
    }
    const prefix: Prefix = { address: this.index.address[slot], length: this.index.length[slot] };
    this.replaceRoute(slot, { prefix, pathType, cost, type2Cost: type2, nextHops });
  }

  private clearRoute(slot: number): void {
    if (this.routes[slot] !== undefined) this.replaceRoute(slot, undefined);
  }

  private replaceRoute(slot: number, route: Route | undefined): void {
    const old = this.routes[slot];
    if (this.touchStamp[slot] !== this.run) {
      this.touchStamp[slot] = this.run;
      this.touchedSlots.push(slot);
      this.touchedOld.push(old);
    }
    const length = this.index.length[slot];
    if (old !== undefined) {
      this.routeCount--;
      if (old.pathType === 'intra-area' || old.pathType === 'inter-area') this.lengthCount[length]--;
    }
    if (route !== undefined) {
      this.routeCount++;
      if (route.pathType === 'intra-area' || route.pathType === 'inter-area') this.lengthCount[length]++;
    }
    this.routes[slot] = route;
  }

  private collectChanges(): RouteChange[] {
    const changes: RouteChange[] = [];
    for (let i = 0; i < this.touchedSlots.length; i++) {
      const previous = this.touchedOld[i];
      const route = this.routes[this.touchedSlots[i]];
      if (route === previous) continue;
      if (previous === undefined) changes.push({ kind: 'add', prefix: (route as Route).prefix, route: route as Route });
      else if (route === undefined) changes.push({ kind: 'remove', prefix: previous.prefix, previous });
      else changes.push({ kind: 'replace', prefix: route.prefix, route, previous });
    }
    this.touchedSlots = [];
    this.touchedOld = [];
    return changes.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  }

  /** Frees the slot of a prefix nothing refers to any more. */
  private releaseIfEmpty(slot: number): void {
    if (this.index.used[slot] !== 1 || this.routes[slot] !== undefined) return;
    if ((this.stubRefs[slot]?.length ?? 0) > 0 || (this.netRefs[slot]?.length ?? 0) > 0) return;
    if ((this.sumRefs[slot]?.length ?? 0) > 0 || (this.extRefs[slot]?.length ?? 0) > 0) return;
    this.stubRefs[slot] = undefined;
    this.netRefs[slot] = undefined;
    this.sumRefs[slot] = undefined;
    this.extRefs[slot] = undefined;
    this.index.remove(slot);
  }

  // ======================= The table view =======================

  private makeView(): RouteTableView {
    const count = (): number => this.routeCount;
    return {
      get: (prefix: Prefix): Route | undefined => {
        const slot = this.index.find(prefix.address >>> 0, prefix.length);
        return slot < 0 ? undefined : this.routes[slot];
      },
      get size(): number {
        return count();
      },
      routes: (): Route[] => {
        const out: Route[] = [];
        for (let slot = 0; slot < this.index.end; slot++) {
          const route = this.routes[slot];
          if (this.index.used[slot] === 1 && route !== undefined) out.push(route);
        }
        return out.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
      },
      routerRoutes: (): RouterRoute[] => this.routerRoutes(),
    };
  }

  private routerRoutes(): RouterRoute[] {
    const out: RouterRoute[] = [];
    for (const [id, v] of this.routerVertex) {
      if (v === this.root || !this.hasIntraRouterRoute(id)) continue;
      const flags = (this.vRouter[v] as RouterRecord).flags;
      out.push({
        routerId: id,
        pathType: 'intra-area',
        cost: this.dist[v],
        abr: (flags & RouterFlags.B) !== 0,
        asbr: (flags & RouterFlags.E) !== 0,
        nextHops: this.sets.output(this.nh[v]),
      });
    }
    for (const [id, route] of this.asbrInter) {
      out.push({ routerId: id, pathType: 'inter-area', cost: route.cost, abr: false, asbr: true, nextHops: this.sets.output(route.set) });
    }
    return out.sort((a, b) => a.routerId - b.routerId);
  }
}

function activeNetwork(byAdv: Map<number, NetworkRecord>): NetworkRecord {
  // Two network-LSAs may share a Link State ID while the DR changes: use the
  // one from the lowest advertising router, as FRR's lookup by id does.
  let best: NetworkRecord | undefined;
  for (const record of byAdv.values()) if (best === undefined || record.advRouter < best.advRouter) best = record;
  return best as NetworkRecord;
}

function grow(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** The same links to the same neighbours, costs and Link Data aside. */
function sameLinkTargets(a: RouterRecord, b: RouterRecord): boolean {
  if (a.topo.length !== b.topo.length) return false;
  for (let i = 0; i < a.topo.length; i += 4) if (a.topo[i] !== b.topo[i] || a.topo[i + 1] !== b.topo[i + 1]) return false;
  return true;
}

/** The stub triples of a that b lacks, counting repeats. */
function stubsMissingFrom(a: readonly number[], b: readonly number[]): number[] {
  const used: boolean[] = new Array(b.length / 3).fill(false);
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 3) {
    let found = false;
    for (let j = 0; j < b.length; j += 3) {
      if (!used[j / 3] && a[i] === b[j] && a[i + 1] === b[j + 1] && a[i + 2] === b[j + 2]) {
        used[j / 3] = true;
        found = true;
        break;
      }
    }
    if (!found) out.push(a[i], a[i + 1], a[i + 2]);
  }
  return out;
}

function sameStubs(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameNetwork(a: NetworkRecord, b: NetworkRecord): boolean {
  return a.advRouter === b.advRouter && a.address === b.address && a.length === b.length && sameStubs(a.attached, b.attached);
}

function sameSummary(a: SummaryRecord, b: SummaryRecord): boolean {
  return a.address === b.address && a.length === b.length && a.metric === b.metric;
}

function sameExternal(a: ExternalRecord, b: ExternalRecord): boolean {
  return (
    a.address === b.address &&
    a.length === b.length &&
    a.e2 === b.e2 &&
    a.metric === b.metric &&
    a.forwardingAddress === b.forwardingAddress
  );
}
