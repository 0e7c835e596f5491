// Maps and sets keyed by an LSA's identity (RFC 2328 12.1: LS type, Link
// State ID, Advertising Router), for the LSDB and for the lists the core
// keeps per neighbor and per LSA it originates: request lists, retransmission
// lists, flooding queues (RFC 2328 10, 13).
//
// The three numbers are 72 bits, more than one JavaScript number holds, so
// they are kept as they are: a chained hash table over typed arrays, the key
// fields side by side, the values in a plain array. A lookup allocates
// nothing. Entries stay in insertion order, as in a Map: setting a key that
// is there keeps its place, and iteration follows that order.

import type { LsaKey } from '../packet/types.js';

const MinCapacity = 8;
/** next[] of a deleted slot; -1 ends a chain. */
const Deleted = -2;

function hashOf(type: number, lsId: number, advRouter: number): number {
  // Fibonacci hashing: the top bits of the product depend on every bit of the mix.
  return Math.imul(lsId ^ Math.imul(advRouter, 0x85ebca6b) ^ Math.imul(type, 0xc2b2ae35), 0x9e3779b1);
}

export class LsaMap<V> {
  /** Slots in insertion order: the key, the value, the next slot in the bucket's chain. */
  private types = new Int32Array(MinCapacity);
  private lsIds = new Int32Array(MinCapacity);
  private advRouters = new Int32Array(MinCapacity);
  private next = new Int32Array(MinCapacity);
  private vals: (V | undefined)[] = new Array<V | undefined>(MinCapacity);
  /** The first slot of each bucket's chain, -1 for none; as many buckets as slots. */
  private buckets = new Int32Array(MinCapacity).fill(-1);
  private shift = 32 - Math.log2(MinCapacity);
  /** Slots used, deleted ones included. */
  private used = 0;
  private live = 0;
  /** Bumped when the slots are laid out afresh, which a walk over them cannot survive. */
  private layout = 0;

  get size(): number {
    return this.live;
  }

  private find(type: number, lsId: number, advRouter: number): number {
    type |= 0;
    lsId |= 0;
    advRouter |= 0;
    let i = this.buckets[hashOf(type, lsId, advRouter) >>> this.shift] as number;
    while (i >= 0 && (this.lsIds[i] !== lsId || this.advRouters[i] !== advRouter || this.types[i] !== type)) i = this.next[i] as number;
    return i;
  }

  get(type: number, lsId: number, advRouter: number): V | undefined {
    const i = this.find(type, lsId, advRouter);
    return i < 0 ? undefined : this.vals[i];
  }

  has(type: number, lsId: number, advRouter: number): boolean {
    return this.find(type, lsId, advRouter) >= 0;
  }

  set(type: number, lsId: number, advRouter: number, value: V): void {
    const found = this.find(type, lsId, advRouter);
    if (found >= 0) {
      this.vals[found] = value;
      return;
    }
    if (this.used === this.types.length) this.relayout(Math.max(MinCapacity, 2 ** Math.ceil(Math.log2(2 * this.live + 1))));
    this.append(type, lsId, advRouter, value);
  }

  /** Puts a key that is not there into the next free slot, which the caller has made sure of. */
  private append(type: number, lsId: number, advRouter: number, value: V): void {
    const i = this.used++;
    this.types[i] = type;
    this.lsIds[i] = lsId;
    this.advRouters[i] = advRouter;
    this.vals[i] = value;
    const bucket = hashOf(type | 0, lsId | 0, advRouter | 0) >>> this.shift;
    this.next[i] = this.buckets[bucket] as number;
    this.buckets[bucket] = i;
    this.live++;
  }

  delete(type: number, lsId: number, advRouter: number): boolean {
    type |= 0;
    lsId |= 0;
    advRouter |= 0;
    const bucket = hashOf(type, lsId, advRouter) >>> this.shift;
    let previous = -1;
    let i = this.buckets[bucket] as number;
    while (i >= 0 && (this.lsIds[i] !== lsId || this.advRouters[i] !== advRouter || this.types[i] !== type)) {
      previous = i;
      i = this.next[i] as number;
    }
    if (i < 0) return false;
    if (previous < 0) this.buckets[bucket] = this.next[i] as number;
    else this.next[previous] = this.next[i] as number;
    this.next[i] = Deleted;
    this.vals[i] = undefined;
    this.live--;
    // An emptied list gives its memory back at once (request and retransmission lists empty often).
    if (this.live === 0 && this.types.length > MinCapacity) this.relayout(MinCapacity);
    return true;
  }

  clear(): void {
    this.relayout(MinCapacity, false);
  }

  /**
   * Calls fn for every entry in insertion order. fn may delete entries and
   * replace values, not add keys.
   */
  forEach(fn: (value: V, type: number, lsId: number, advRouter: number) => void): void {
    const { types, lsIds, advRouters, next, vals, used, layout } = this;
    for (let i = 0; i < used; i++) {
      if (next[i] === Deleted) continue;
      fn(vals[i] as V, (types[i] as number) >>> 0, (lsIds[i] as number) >>> 0, (advRouters[i] as number) >>> 0);
      if (this.layout === layout && this.used === used) continue;
      // Emptied (and so laid out afresh): nothing is left to visit.
      if (this.live === 0) return;
      throw new Error('LsaMap: a key was added during forEach');
    }
  }

  /** The values in insertion order: a copy, so the map may change while it is walked. */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.used; i++) if (this.next[i] !== Deleted) out.push(this.vals[i] as V);
    return out;
  }

  /** The keys in insertion order (a copy). */
  keys(): LsaKey[] {
    const out: LsaKey[] = [];
    this.forEach((_, type, lsId, advRouter) => out.push({ type, lsId, advRouter }));
    return out;
  }

  /** Lays the live entries out in order in slots of the given capacity (a power of two). */
  private relayout(capacity: number, keep = true): void {
    const { types, lsIds, advRouters, next, vals, used } = this;
    this.types = new Int32Array(capacity);
    this.lsIds = new Int32Array(capacity);
    this.advRouters = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.vals = new Array<V | undefined>(capacity);
    this.buckets = new Int32Array(capacity).fill(-1);
    this.shift = 32 - Math.log2(capacity);
    this.used = 0;
    this.live = 0;
    this.layout++;
    if (!keep) return;
    for (let i = 0; i < used; i++) {
      if (next[i] !== Deleted) this.append(types[i] as number, lsIds[i] as number, advRouters[i] as number, vals[i] as V);
    }
  }
}

/** A set of LSA keys, in insertion order. */
export class LsaSet extends LsaMap<true> {
  add(type: number, lsId: number, advRouter: number): void {
    this.set(type, lsId, advRouter, true);
  }
}
