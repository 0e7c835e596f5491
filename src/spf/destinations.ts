// The destinations of the calculation, one slot per prefix: for each, the
// LSAs that name it (stub links and transit networks for RFC 2328 16.1,
// summary-LSAs for 16.2, AS-external-LSAs for 16.4), so that a change to one
// prefix recomputes that prefix alone (16.5, 16.6).

import type { ExternalRecord, SummaryRecord } from './lsa-reader.js';
import type { PrefixIndex } from './prefix-index.js';
import type { RouteTable } from './route-table.js';

export class Destinations {
  /** Stub links naming the prefix: [router vertex, metric] pairs. */
  readonly stubRefs: (number[] | undefined)[] = [];
  /** Network vertices whose network is the prefix. */
  readonly netRefs: (number[] | undefined)[] = [];
  readonly sumRefs: (SummaryRecord[] | undefined)[] = [];
  readonly extRefs: (ExternalRecord[] | undefined)[] = [];

  constructor(
    readonly index: PrefixIndex,
    private readonly table: RouteTable,
  ) {}

  find(address: number, length: number): number {
    return this.index.find(address, length);
  }

  /**
   * The slot of a prefix, made when new. Per-slot arrays grow with the index
   * and stay dense (holes or far writes would turn V8 arrays into dictionaries).
   */
  intern(address: number, length: number): number {
    const slot = this.index.intern(address, length);
    while (this.stubRefs.length <= slot) {
      this.stubRefs.push(undefined);
      this.netRefs.push(undefined);
      this.sumRefs.push(undefined);
      this.extRefs.push(undefined);
    }
    this.table.ensure(slot);
    return slot;
  }

  /** Frees the slot of a prefix nothing refers to any more. */
  releaseIfEmpty(slot: number): void {
    if (this.index.used[slot] !== 1 || this.table.route(slot) !== undefined) return;
    if ((this.stubRefs[slot]?.length ?? 0) > 0 || (this.netRefs[slot]?.length ?? 0) > 0) return;
    if ((this.sumRefs[slot]?.length ?? 0) > 0 || (this.extRefs[slot]?.length ?? 0) > 0) return;
    this.stubRefs[slot] = undefined;
    this.netRefs[slot] = undefined;
    this.sumRefs[slot] = undefined;
    this.extRefs[slot] = undefined;
    this.index.remove(slot);
  }
}

/** Adds one entry to a slot's list, making the list when it is the first. */
export function addRef<T>(lists: (T[] | undefined)[], slot: number, item: T): void {
  const refs = lists[slot];
  if (refs === undefined) lists[slot] = [item];
  else refs.push(item);
}

/** Removes one entry from a slot's list. */
export function removeRef<T>(lists: (T[] | undefined)[], slot: number, item: T): void {
  const refs = lists[slot] as T[];
  refs.splice(refs.indexOf(item), 1);
}
