// Next-hop sets for the SPF (RFC 2328 16.1.1): each distinct (address,
// interface) pair is an atom, each distinct set of atoms a number. Vertices
// share their parent's set by number; equal-cost paths merge sets with a
// cached union, so a whole Dijkstra allocates only a handful of arrays.
// Sets are interned by content and kept from one calculation to the next,
// so "same number" means "same next hops" and a changed vertex is found by
// comparing numbers.

import { compareNextHops, type NextHop } from './table.js';

const Empty = new Int32Array(0);
/** Union results are cached under a * UnionBase + b while both are below it. */
const UnionBase = 0x400000;

export class NextHopSets {
  private ifNames: readonly string[] = [];
  private maximumPaths: number;
  private atomAddress: number[] = [];
  private atomIf: number[] = [];
  private atomObject: NextHop[] = [];
  private atomIds = new Map<number, number>();
  /** Atom numbers of each set, ascending. Set 0 is the empty set. */
  private sets: Int32Array[] = [Empty];
  private setIds = new Map<string, number>([['', 0]]);
  private singles: number[] = [];
  private unions = new Map<number, number>();
  /** Output arrays by set number, kept dense (one entry per set). */
  private outputs: (readonly NextHop[] | undefined)[] = [undefined];
  /** Output arrays shared across calculations, so that unchanged routes keep the very same array. */
  private interned = new Map<string, readonly NextHop[]>();

  constructor(maximumPaths: number) {
    this.maximumPaths = maximumPaths;
  }

  /** How many sets exist: the owner resets when this grows too large. */
  get count(): number {
    return this.sets.length;
  }

  /** Forgets every set and numbers interfaces anew (their list changed). */
  reset(ifNames: readonly string[]): void {
    this.ifNames = ifNames;
    this.atomAddress = [];
    this.atomIf = [];
    this.atomObject = [];
    this.atomIds.clear();
    this.sets = [Empty];
    this.setIds = new Map([['', 0]]);
    this.singles = [];
    this.unions.clear();
    this.outputs = [undefined];
    if (this.interned.size > 4096) this.interned.clear();
  }

  /** The set holding one next hop: `address` (0 = directly attached) out of interface number `ifSlot`. */
  single(address: number, ifSlot: number): number {
    const key = address * 1024 + ifSlot;
    let atom = this.atomIds.get(key);
    if (atom === undefined) {
      atom = this.atomAddress.length;
      this.atomIds.set(key, atom);
      this.atomAddress.push(address);
      this.atomIf.push(ifSlot);
      this.atomObject.push({ address, ifName: this.ifNames[ifSlot] });
      this.singles.push(this.add(Int32Array.of(atom)));
    }
    return this.singles[atom];
  }

  /** The union of two sets: the next hops of equal-cost paths (RFC 2328 16.1 (2d)). */
  union(a: number, b: number): number {
    if (a === b || b === 0) return a;
    if (a === 0) return b;
    if (a > b) {
      const t = a;
      a = b;
      b = t;
    }
    const cacheable = b < UnionBase;
    if (cacheable) {
      const hit = this.unions.get(a * UnionBase + b);
      if (hit !== undefined) return hit;
    }
    const x = this.sets[a];
    const y = this.sets[b];
    const merged = new Int32Array(x.length + y.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < x.length && j < y.length) {
      if (x[i] < y[j]) merged[n++] = x[i++];
      else if (x[i] > y[j]) merged[n++] = y[j++];
      else {
        merged[n++] = x[i++];
        j++;
      }
    }
    while (i < x.length) merged[n++] = x[i++];
    while (j < y.length) merged[n++] = y[j++];
    const result = n === x.length ? a : n === y.length ? b : this.add(merged.subarray(0, n));
    if (cacheable) this.unions.set(a * UnionBase + b, result);
    return result;
  }

  /**
   * The set with every directly attached hop (address 0) replaced by `address`
   * on the same interface: a router on a directly attached network (RFC 2328
   * 16.1.1), or an external route's forwarding address on one (16.4 (3)).
   */
  viaAddress(set: number, address: number): number {
    let result = 0;
    for (const atom of this.sets[set]) {
      const hop = this.atomAddress[atom] === 0 ? this.single(address, this.atomIf[atom]) : this.singles[atom];
      result = this.union(result, hop);
    }
    return result;
  }

  /** True when the set holds a directly attached hop. */
  hasDirect(set: number): boolean {
    for (const atom of this.sets[set]) if (this.atomAddress[atom] === 0) return true;
    return false;
  }

  /** The next hops of a set, sorted and trimmed to maximumPaths (STYLE 10). */
  output(set: number): readonly NextHop[] {
    const cached = this.outputs[set];
    if (cached !== undefined) return cached;
    const hops = Array.from(this.sets[set], (atom) => this.atomObject[atom]).sort(compareNextHops);
    if (hops.length > this.maximumPaths) hops.length = this.maximumPaths;
    let key = '';
    for (const hop of hops) key += `${hop.address}/${hop.ifName},`;
    let shared = this.interned.get(key);
    if (shared === undefined) {
      shared = Object.freeze(hops);
      this.interned.set(key, shared);
    }
    this.outputs[set] = shared;
    return shared;
  }

  private add(atoms: Int32Array): number {
    const key = atoms.join(',');
    const known = this.setIds.get(key);
    if (known !== undefined) return known;
    this.sets.push(atoms.length === atoms.buffer.byteLength / 4 ? atoms : atoms.slice());
    this.outputs.push(undefined);
    this.setIds.set(key, this.sets.length - 1);
    return this.sets.length - 1;
  }
}
