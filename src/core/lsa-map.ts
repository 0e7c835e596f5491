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
/** An emptied map keeps slots up to this many for reuse (a request list in flight fills and empties often); more go. */
const KeptCapacity = 256;
/** Int32s per slot: LS type, Link State ID, Advertising Router, the next slot in the bucket's chain. */
const Stride = 4;
const Next = 3;
/** The chain link of a deleted slot; -1 ends a chain. */
const Deleted = -2;

/** The power of two from MinCapacity up that holds n slots. */
function capacityFor(n: number): number {
  return Math.max(MinCapacity, 2 ** Math.ceil(Math.log2(n)));
}

/**
 * Mixed into every hash, and different in every process: the LSA identities
 * come off the wire, and a sender who knew the hash could choose thousands of
 * them that share one chain and make every lookup a walk over all of them
 * (hash flooding). Only the layout of the buckets depends on it; what the
 * maps hold and the order they give it back in do not, so the core's outputs
 * stay deterministic.
 */
const Seed = (Math.random() * 0x1_0000_0000) | 0;

function hashOf(type: number, lsId: number, advRouter: number): number {
  // Fibonacci hashing: the top bits of the product depend on every bit of the mix.
  return Math.imul(lsId ^ Math.imul(advRouter ^ Seed, 0x85ebca6b) ^ Math.imul(type, 0xc2b2ae35), 0x9e3779b1);
}

export class LsaMap<V> {
  /** Slots in insertion order, Stride int32s each (keys as signed 32-bit); their values in vals. */
  private slots: Int32Array;
  private vals: (V | undefined)[];
  /** The first slot of each bucket's chain, -1 for none; as many buckets as slots. */
  private buckets: Int32Array;
  private shift: number;
  /** Slots used, deleted ones included. */
  private used = 0;
  private live = 0;
  /** Bumped when the slots are laid out afresh, which a walk over them cannot survive. */
  private layout = 0;

  /** `expected`: how many keys it will hold, to lay out room for them at once. */
  constructor(expected = 0) {
    const capacity = capacityFor(expected);
    this.slots = new Int32Array(capacity * Stride);
    this.vals = new Array<V | undefined>(capacity);
    this.buckets = new Int32Array(capacity).fill(-1);
    this.shift = 32 - Math.log2(capacity);
  }

  get size(): number {
    return this.live;
  }

  private get capacity(): number {
    return this.vals.length;
  }

  private find(type: number, lsId: number, advRouter: number): number {
    type |= 0;
    lsId |= 0;
    advRouter |= 0;
    const slots = this.slots;
    let i = this.buckets[hashOf(type, lsId, advRouter) >>> this.shift] as number;
    while (i >= 0) {
      const at = i * Stride;
      if (slots[at + 1] === lsId && slots[at + 2] === advRouter && slots[at] === type) return i;
      i = slots[at + Next] as number;
    }
    return -1;
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
    if (this.used === this.capacity) this.relayout(capacityFor(2 * this.live));
    this.append(type | 0, lsId | 0, advRouter | 0, value);
  }

  /** Puts a key that is not there into the next free slot, which the caller has made sure of. */
  private append(type: number, lsId: number, advRouter: number, value: V): void {
    const i = this.used++;
    const at = i * Stride;
    const bucket = hashOf(type, lsId, advRouter) >>> this.shift;
    this.slots[at] = type;
    this.slots[at + 1] = lsId;
    this.slots[at + 2] = advRouter;
    this.slots[at + Next] = this.buckets[bucket] as number;
    this.buckets[bucket] = i;
    this.vals[i] = value;
    this.live++;
  }

  delete(type: number, lsId: number, advRouter: number): boolean {
    type |= 0;
    lsId |= 0;
    advRouter |= 0;
    const slots = this.slots;
    const bucket = hashOf(type, lsId, advRouter) >>> this.shift;
    let previous = -1;
    let i = this.buckets[bucket] as number;
    while (i >= 0) {
      const at = i * Stride;
      if (slots[at + 1] === lsId && slots[at + 2] === advRouter && slots[at] === type) break;
      previous = i;
      i = slots[at + Next] as number;
    }
    if (i < 0) return false;
    const next = slots[i * Stride + Next] as number;
    if (previous < 0) this.buckets[bucket] = next;
    else slots[previous * Stride + Next] = next;
    slots[i * Stride + Next] = Deleted;
    this.vals[i] = undefined;
    this.live--;
    if (this.live === 0) this.clear();
    return true;
  }

  clear(): void {
    if (this.capacity > KeptCapacity) {
      this.relayout(MinCapacity, false);
      return;
    }
    this.buckets.fill(-1);
    this.vals.fill(undefined, 0, this.used);
    this.used = 0;
    this.live = 0;
    this.layout++;
  }

  /**
   * Calls fn for every entry in insertion order. fn may delete entries and
   * replace values, not add keys.
   */
  forEach(fn: (value: V, type: number, lsId: number, advRouter: number) => void): void {
    const { slots, vals, used, layout } = this;
    for (let i = 0; i < used; i++) {
      const at = i * Stride;
      if (slots[at + Next] === Deleted) continue;
      fn(vals[i] as V, (slots[at] as number) >>> 0, (slots[at + 1] as number) >>> 0, (slots[at + 2] as number) >>> 0);
      if (this.layout === layout && this.used === used) continue;
      // Emptied (and so laid out afresh): nothing is left to visit.
      if (this.live === 0) return;
      throw new Error('LsaMap: a key was added during forEach');
    }
  }

  /** The values in insertion order: a copy, so the map may change while it is walked. */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.used; i++) if (this.slots[i * Stride + Next] !== Deleted) out.push(this.vals[i] as V);
    return out;
  }

  /** The keys in insertion order (a copy). */
  keys(): LsaKey[] {
    const out: LsaKey[] = [];
    this.forEach((_, type, lsId, advRouter) => out.push({ type, lsId, advRouter }));
    return out;
  }

  /**
   * Lays the live entries out in order in slots of the given capacity (a
   * power of two), or drops them (`keep` false). At the same capacity the
   * arrays are reused: the live entries move down over the deleted ones.
   */
  private relayout(capacity: number, keep = true): void {
    const { slots, vals, used } = this;
    if (!keep || capacity !== this.capacity) {
      this.slots = new Int32Array(capacity * Stride);
      this.vals = new Array<V | undefined>(capacity);
      this.buckets = new Int32Array(capacity);
      this.shift = 32 - Math.log2(capacity);
    }
    this.buckets.fill(-1);
    this.used = 0;
    this.live = 0;
    this.layout++;
    if (!keep) return;
    // In place, slot i moves to a slot at or below i: each is read before it is written over.
    for (let i = 0; i < used; i++) {
      const at = i * Stride;
      if (slots[at + Next] !== Deleted) this.append(slots[at] as number, slots[at + 1] as number, slots[at + 2] as number, vals[i] as V);
    }
    if (this.vals === vals) vals.fill(undefined, this.used, used);
  }
}

/** A set of LSA keys, in insertion order. */
export class LsaSet extends LsaMap<true> {
  add(type: number, lsId: number, advRouter: number): void {
    this.set(type, lsId, advRouter, true);
  }
}
