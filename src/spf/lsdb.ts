// The link state database as the calculation reads it: the LSAs of the area
// (and the AS-external-LSAs) parsed by lsa-reader, placed in the graph and
// under their destinations, and for each change the work it leaves for the
// next calculation: Dijkstra for topology (RFC 2328 16.1), only the prefixes
// touched for stub links, summaries and externals (16.5, 16.6).

import { LsaType, type LsaKey } from '../packet/types.js';
import { addRef, removeRef, type Destinations } from './destinations.js';
import { VertexNetwork, VertexRouter, type SpfGraph } from './graph.js';
import {
  checkHeader,
  isMaxAge,
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
import type { PendingWork } from './pending.js';

/** Summary- and AS-external-LSAs: each names one destination prefix. */
interface PrefixLsas<T extends SummaryRecord | ExternalRecord> {
  /** By advertising router, then Link State ID. */
  readonly byAdv: Map<number, Map<number, T>>;
  /** Per-slot lists in Destinations. */
  readonly refs: (T[] | undefined)[];
  /** Where a changed destination is marked. */
  readonly dirty: Set<number>;
  same(a: T, b: T): boolean;
}

export class SpfLsdb {
  /** Network-LSAs by Link State ID, then advertising router. */
  private readonly networkLsas = new Map<number, Map<number, NetworkRecord>>();
  /** Summary-LSAs (type 3), RFC 2328 16.2. */
  private readonly summaries: PrefixLsas<SummaryRecord>;
  /** ASBR-summary-LSAs (type 4) by ASBR (Link State ID), then advertising router (16.2). */
  readonly asbrSummaries = new Map<number, Map<number, SummaryRecord>>();
  /** AS-external-LSAs, RFC 2328 16.4. */
  private readonly externals: PrefixLsas<ExternalRecord>;
  /** AS-external-LSAs with a forwarding address, and the slot of their destination (16.4 (3)). */
  readonly forwarded = new Map<ExternalRecord, number>();

  constructor(
    private readonly graph: SpfGraph,
    private readonly dest: Destinations,
    private readonly pending: PendingWork,
  ) {
    this.summaries = { byAdv: new Map(), refs: dest.sumRefs, dirty: pending.prefixes, same: sameSummary };
    this.externals = { byAdv: new Map(), refs: dest.extRefs, dirty: pending.externals, same: sameExternal };
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
        // A malformed replacement makes the old instance unusable too.
        this.lsaChanged(key, undefined);
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
        if (key.type === LsaType.SummaryNetwork) this.setPrefixLsa(this.summaries, key.lsId >>> 0, key.advRouter >>> 0, record);
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
   * RFC 2328 16.1 (4): a vertex whose distance or next hops changed changes
   * the routes of its stub links and network, the inter-area routes through
   * it (16.2) and the external routes it originates (16.4).
   */
  vertexChanged(v: number): void {
    const kind = this.graph.kind[v];
    if (kind === VertexRouter) {
      const stubs = (this.graph.router[v] as RouterRecord).stubs;
      for (let i = 0; i < stubs.length; i += 3) this.pending.prefixes.add(this.dest.find(stubs[i], stubs[i + 1]));
      this.markRoutesFrom(this.graph.id[v]);
    } else if (kind === VertexNetwork) {
      const record = this.graph.network[v] as NetworkRecord;
      this.pending.prefixes.add(this.dest.find(record.address, record.length));
    }
  }

  /** The AS-external-LSAs an ASBR originated (RFC 2328 16.4 (3): their routes hang on the route to it). */
  externalsFrom(asbr: number): Iterable<ExternalRecord> {
    return this.externals.byAdv.get(asbr)?.values() ?? [];
  }

  private setRouter(id: number, record: RouterRecord | undefined): undefined {
    const v = this.graph.routerVertex.get(id);
    const old = v === undefined ? undefined : this.graph.router[v];
    if (old === undefined && record === undefined) return undefined;
    if (v !== undefined && old !== undefined && record !== undefined && sameRouterTopology(old, record)) {
      // Only stub links may differ: RFC 2328 16.5 lets those be handled without Dijkstra,
      // withdrawing and adding only the stub links that differ.
      if (sameNumbers(old.stubs, record.stubs)) {
        this.graph.keepRouter(v, record);
        return undefined;
      }
      this.removeStubs(v, stubsMissingFrom(old.stubs, record.stubs));
      this.graph.keepRouter(v, record);
      this.addStubs(v, stubsMissingFrom(record.stubs, old.stubs));
      return undefined;
    }
    this.pending.dijkstra = true;
    // Summaries and externals from this router depend on its flags and on whether it exists.
    this.markRoutesFrom(id);
    if (v !== undefined && old !== undefined) {
      this.removeStubs(v, old.stubs);
      if (record === undefined) {
        this.graph.removeRouter(id);
        return undefined;
      }
      this.graph.changeRouter(v, record);
      this.pending.forcedVertices.add(v);
      this.addStubs(v, record.stubs);
      return undefined;
    }
    const added = this.graph.addRouter(id, record as RouterRecord);
    this.addStubs(added, (record as RouterRecord).stubs);
    return undefined;
  }

  /** Marks the summary and external destinations whose LSAs the router originated. */
  private markRoutesFrom(id: number): void {
    const summaries = this.summaries.byAdv.get(id);
    if (summaries !== undefined) for (const r of summaries.values()) this.pending.prefixes.add(this.dest.find(r.address, r.length));
    const externals = this.externals.byAdv.get(id);
    if (externals !== undefined) for (const r of externals.values()) this.pending.externals.add(this.dest.find(r.address, r.length));
  }

  /** Indexes stub links ([address, length, metric] triples) of router vertex v under their prefixes. */
  private addStubs(v: number, stubs: readonly number[]): void {
    for (let i = 0; i < stubs.length; i += 3) {
      const slot = this.dest.intern(stubs[i], stubs[i + 1]);
      const refs = this.dest.stubRefs[slot];
      // concat, not push: a pushed array keeps 16 spare slots, and there is one per prefix.
      this.dest.stubRefs[slot] = refs === undefined ? [v, stubs[i + 2]] : refs.concat(v, stubs[i + 2]);
      this.pending.prefixes.add(slot);
    }
  }

  private removeStubs(v: number, stubs: readonly number[]): void {
    for (let i = 0; i < stubs.length; i += 3) {
      const slot = this.dest.find(stubs[i], stubs[i + 1]);
      const refs = this.dest.stubRefs[slot] as number[];
      for (let j = 0; j < refs.length; j += 2) {
        if (refs[j] === v && refs[j + 1] === stubs[i + 2]) {
          refs.splice(j, 2);
          break;
        }
      }
      this.pending.prefixes.add(slot);
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
    const v = this.graph.networkVertex.get(lsId);
    if (v !== undefined && before !== undefined && after !== undefined && sameNetwork(before, after)) {
      this.graph.keepNetwork(v, after);
      return;
    }
    this.pending.dijkstra = true;
    if (v !== undefined && before !== undefined) {
      const slot = this.dest.find(before.address, before.length);
      removeRef(this.dest.netRefs, slot, v);
      this.pending.prefixes.add(slot);
    }
    if (after === undefined) {
      this.graph.removeNetwork(lsId);
      return;
    }
    const placed = this.graph.placeNetwork(lsId, after);
    this.pending.forcedVertices.add(placed);
    const slot = this.dest.intern(after.address, after.length);
    addRef(this.dest.netRefs, slot, placed);
    this.pending.prefixes.add(slot);
  }

  /** A summary- or AS-external-LSA installed, replaced or removed; false when nothing the calculation reads changed. */
  private setPrefixLsa<T extends SummaryRecord | ExternalRecord>(lsas: PrefixLsas<T>, lsId: number, advRouter: number, record: T | undefined): boolean {
    let byId = lsas.byAdv.get(advRouter);
    const old = byId?.get(lsId);
    if (old !== undefined && record !== undefined && lsas.same(old, record)) return false;
    if (old !== undefined) {
      const slot = this.dest.find(old.address, old.length);
      removeRef(lsas.refs, slot, old);
      lsas.dirty.add(slot);
      byId?.delete(lsId);
    }
    if (record === undefined) {
      if (byId !== undefined && byId.size === 0) lsas.byAdv.delete(advRouter);
      return true;
    }
    if (byId === undefined) {
      byId = new Map();
      lsas.byAdv.set(advRouter, byId);
    }
    byId.set(lsId, record);
    const slot = this.dest.intern(record.address, record.length);
    addRef(lsas.refs, slot, record);
    lsas.dirty.add(slot);
    return true;
  }

  private setExternal(lsId: number, advRouter: number, record: ExternalRecord | undefined): void {
    const old = this.externals.byAdv.get(advRouter)?.get(lsId);
    if (!this.setPrefixLsa(this.externals, lsId, advRouter, record)) return;
    if (old !== undefined) this.forwarded.delete(old);
    if (record !== undefined && record.forwardingAddress !== 0) this.forwarded.set(record, this.dest.find(record.address, record.length));
  }

  private setAsbrSummary(asbr: number, advRouter: number, record: SummaryRecord | undefined): void {
    let byAdv = this.asbrSummaries.get(asbr);
    const old = byAdv?.get(advRouter);
    if (old !== undefined && record !== undefined && sameSummary(old, record)) return;
    if (old === undefined && record === undefined) return;
    if (record === undefined) {
      byAdv?.delete(advRouter);
      if (byAdv !== undefined && byAdv.size === 0) this.asbrSummaries.delete(asbr);
    } else {
      if (byAdv === undefined) {
        byAdv = new Map();
        this.asbrSummaries.set(asbr, byAdv);
      }
      byAdv.set(advRouter, record);
    }
    this.pending.asbrs.add(asbr);
  }
}

function activeNetwork(byAdv: Map<number, NetworkRecord>): NetworkRecord {
  // Two network-LSAs may share a Link State ID while the DR changes: use the
  // one from the lowest advertising router, as FRR's lookup by id does.
  let best: NetworkRecord | undefined;
  for (const record of byAdv.values()) if (best === undefined || record.advRouter < best.advRouter) best = record;
  return best as NetworkRecord;
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

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameNetwork(a: NetworkRecord, b: NetworkRecord): boolean {
  return a.advRouter === b.advRouter && a.address === b.address && a.length === b.length && sameNumbers(a.attached, b.attached);
}

function sameSummary(a: SummaryRecord, b: SummaryRecord): boolean {
  return a.address === b.address && a.length === b.length && a.metric === b.metric;
}

function sameExternal(a: ExternalRecord, b: ExternalRecord): boolean {
  return sameSummary(a, b) && a.e2 === b.e2 && a.forwardingAddress === b.forwardingAddress;
}
