// An open-addressing hash index from an IPv4 prefix (address, length) to a
// dense, stable slot number. The SPF keeps everything it knows about one
// destination (its sources and its route) in arrays indexed by that slot, so
// a lookup is a couple of typed-array probes instead of a Map of objects.

const Empty = -1;

function hashPrefix(address: number, length: number): number {
  // A multiplicative mix of the two halves; the table size is a power of two.
  let h = Math.imul(address ^ Math.imul(length + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PrefixIndex {
  /** Slot numbers by hash position; Empty where free. */
  private table: Int32Array;
  private mask: number;
  /** Prefix of each slot. */
  address: Uint32Array;
  length: Uint8Array;
  /** 1 while the slot holds a prefix. */
  used: Uint8Array;
  /** One past the highest slot ever handed out: iterate slots in [0, end). */
  end = 0;
  private count = 0;
  private readonly free: number[] = [];

  constructor(capacity = 64) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(size).fill(Empty);
    this.mask = size - 1;
    this.address = new Uint32Array(capacity);
    this.length = new Uint8Array(capacity);
    this.used = new Uint8Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The slot of a prefix, or -1. */
  find(address: number, length: number): number {
    const table = this.table;
    let pos = hashPrefix(address, length) & this.mask;
    for (;;) {
      const slot = table[pos];
      if (slot === Empty) return -1;
      if (this.address[slot] === address && this.length[slot] === length) return slot;
      pos = (pos + 1) & this.mask;
    }
  }

  /** The slot of a prefix, allocated when new. */
  intern(address: number, length: number): number {
    const found = this.find(address, length);
    if (found >= 0) return found;
    if ((this.count + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.end++;
    if (slot >= this.address.length) this.growSlots(slot + 1);
    this.address[slot] = address;
    this.length[slot] = length;
    this.used[slot] = 1;
    this.place(slot);
    this.count++;
    return slot;
  }

  /** Frees a slot; its number may be handed out again. */
  remove(slot: number): void {
    if (this.used[slot] !== 1) return;
    const table = this.table;
    const mask = this.mask;
    let pos = hashPrefix(this.address[slot], this.length[slot]) & mask;
    while (table[pos] !== slot) pos = (pos + 1) & mask;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let next = (pos + 1) & mask;
    while (table[next] !== Empty) {
      const moving = table[next];
      const home = hashPrefix(this.address[moving], this.length[moving]) & mask;
      // Move the entry into the hole when its home does not lie in (pos, next].
      if (((next - home) & mask) >= ((next - pos) & mask)) {
        table[pos] = moving;
        pos = next;
      }
      next = (next + 1) & mask;
    }
    table[pos] = Empty;
    this.used[slot] = 0;
    this.free.push(slot);
    this.count--;
  }

  private place(slot: number): void {
    const table = this.table;
    let pos = hashPrefix(this.address[slot], this.length[slot]) & this.mask;
    while (table[pos] !== Empty) pos = (pos + 1) & this.mask;
    table[pos] = slot;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(Empty);
    this.mask = size - 1;
    for (let slot = 0; slot < this.end; slot++) if (this.used[slot] === 1) this.place(slot);
  }

  private growSlots(minimum: number): void {
    let capacity = this.address.length * 2;
    while (capacity < minimum) capacity *= 2;
    const address = new Uint32Array(capacity);
    address.set(this.address);
    const length = new Uint8Array(capacity);
    length.set(this.length);
    const used = new Uint8Array(capacity);
    used.set(this.used);
    this.address = address;
    this.length = length;
    this.used = used;
  }
}
