// The link state database (RFC 2328 12, 13.2, 14). LSAs are kept as their
// raw bytes, copied out of the packet that carried them, with a few numbers
// beside them; nothing is decoded until someone asks. The bytes go into
// shared chunks (one small typed-array view per LSA rather than a buffer of
// its own, which is what makes installing 10k LSAs cheap); once more bytes
// sit in chunks than twice the live LSAs need, the live ones are copied into
// fresh chunks and the old ones are left to the garbage collector. An LSA's age is not
// stored as a ticking value: it is the age at install plus the whole seconds
// since (RFC 2328 12.1.1), computed on read.
//
// LSAs are found by their key, (LS type, Link State ID, Advertising Router),
// in an LsaMap (lsa-map.ts); the entry itself reads its key from its bytes.

import type { Lsa, LsaHeader, LsaKey } from '../packet/types.js';
import { MaxAge, MaxAgeDiff, PacketLsa, compareLsaKeys } from '../packet/index.js';
import { lsaWithAge } from '../packet/lsa-header.js';
import { LsaMap } from './lsa-map.js';

// ---- Reading header fields out of raw LSA bytes (RFC 2328 A.4.1) ----

export function rawAge(raw: Uint8Array): number {
  return ((raw[0] as number) << 8) | (raw[1] as number);
}
export function rawType(raw: Uint8Array): number {
  return raw[3] as number;
}
function u32(raw: Uint8Array, offset: number): number {
  return (((raw[offset] as number) << 24) | ((raw[offset + 1] as number) << 16) | ((raw[offset + 2] as number) << 8) | (raw[offset + 3] as number)) >>> 0;
}
export function rawLsId(raw: Uint8Array): number {
  return u32(raw, 4);
}
export function rawAdvRouter(raw: Uint8Array): number {
  return u32(raw, 8);
}
/** LS sequence number, signed. */
export function rawSeq(raw: Uint8Array): number {
  return u32(raw, 12) | 0;
}
export function rawChecksum(raw: Uint8Array): number {
  return ((raw[16] as number) << 8) | (raw[17] as number);
}

/**
 * An LS age from the wire as this router compares and stores it: the
 * DoNotAge bit (RFC 1793 2.2, demand circuits, not run here) masked off,
 * capped at MaxAge (RFC 2328 13.1). One rule for DD headers, updates, acks
 * and the LSDB, so an instance compares the same wherever it is seen.
 */
export function lsAge(age: number): number {
  return Math.min(age & 0x7fff, MaxAge);
}

/** The header of raw as an object, with the given age. */
export function headerOf(raw: Uint8Array, age: number): LsaHeader {
  return setHeader({ age: 0, options: 0, type: 0, lsId: 0, advRouter: 0, seq: 0, checksum: 0, length: 0 }, raw, age);
}

/** Overwrites header with the header of raw, with the given age; returns it. */
export function setHeader(header: LsaHeader, raw: Uint8Array, age: number): LsaHeader {
  header.age = age;
  header.options = raw[2] as number;
  header.type = rawType(raw);
  header.lsId = rawLsId(raw);
  header.advRouter = rawAdvRouter(raw);
  header.seq = rawSeq(raw);
  header.checksum = rawChecksum(raw);
  header.length = ((raw[18] as number) << 8) | (raw[19] as number);
  return header;
}

/** raw as an Lsa object with the given age, raw shared (the codec writes the age into the packet). */
export function lsaOf(raw: Uint8Array, age: number): Lsa {
  return setLsa({ age: 0, options: 0, type: 0, lsId: 0, advRouter: 0, seq: 0, checksum: 0, length: 0, raw }, raw, age);
}

/** Overwrites lsa with raw as an Lsa with the given age, raw shared; returns it. */
export function setLsa(lsa: Lsa, raw: Uint8Array, age: number): Lsa {
  setHeader(lsa, raw, age);
  lsa.raw = raw;
  return lsa;
}

/**
 * RFC 2328 13.1: which of two instances of one LSA is more recent.
 * > 0 when a is newer, < 0 when b is newer, 0 when they are the same instance.
 */
export function compareInstance(aSeq: number, aChecksum: number, aAge: number, bSeq: number, bChecksum: number, bAge: number): number {
  if (aSeq !== bSeq) return aSeq > bSeq ? 1 : -1;
  if (aChecksum !== bChecksum) return aChecksum > bChecksum ? 1 : -1;
  const aMax = aAge >= MaxAge;
  const bMax = bAge >= MaxAge;
  if (aMax !== bMax) return aMax ? 1 : -1;
  if (Math.abs(aAge - bAge) > MaxAgeDiff) return aAge < bAge ? 1 : -1;
  return 0;
}

/**
 * One stored LSA. Replacing an LSA creates a new entry and marks the old one
 * not `current`. The lifetime rule: an entry is held beyond the handle() call
 * that found it only by a retransmission list (RetransmitItem), which counts
 * it in rxmtRefs and drops it when the LSA is replaced (13.2); everything
 * else that spans events (the summary and request lists, MaxAge keys,
 * origination state) holds LSA keys and looks the entry up again.
 */
export class LsaEntry implements LsaKey {
  /** The LSA's bytes, our own copy (moved when the chunks are compacted); the age field holds baseAge. */
  raw: Uint8Array;
  /** When it was installed (ms). */
  readonly installedAt: number;
  /** Its age when installed (s); MaxAge for an LSA being flushed. */
  readonly baseAge: number;
  /** Installed from a Link State Update (RFC 2328 13 (5a) MinLSArrival applies), not originated here. */
  readonly fromFlood: boolean;
  /** How many neighbors' retransmission lists hold this entry (RFC 2328 14: MaxAge removal). */
  rxmtRefs = 0;
  /** True while this entry is the database's instance (false once replaced or removed). */
  current = true;

  constructor(raw: Uint8Array, installedAt: number, fromFlood: boolean) {
    this.raw = raw;
    this.installedAt = installedAt;
    this.baseAge = lsAge(rawAge(raw));
    this.fromFlood = fromFlood;
  }

  get type(): number {
    return rawType(this.raw);
  }
  get lsId(): number {
    return rawLsId(this.raw);
  }
  get advRouter(): number {
    return rawAdvRouter(this.raw);
  }
}

/** Chunks grow with the database, between these sizes (bytes); bigger LSAs get a buffer of their own. */
const MinChunk = 4096;
const MaxChunk = 65536;

export class Lsdb {
  private entries = new LsaMap<LsaEntry>();
  private chunk = new Uint8Array(0);
  private chunkUsed = 0;
  /** Bytes of the LSAs in the database, and bytes handed out of chunks since the last compaction. */
  private liveBytes = 0;
  private chunkBytes = 0;

  get size(): number {
    return this.entries.size;
  }

  get(type: number, lsId: number, advRouter: number): LsaEntry | undefined {
    return this.entries.get(type, lsId, advRouter);
  }

  /** The entries in the order they were first installed (a copy). */
  values(): LsaEntry[] {
    return this.entries.values();
  }

  /** Every entry with the key it is stored under, in the order of values(). */
  forEach(fn: (entry: LsaEntry, type: number, lsId: number, advRouter: number) => void): void {
    this.entries.forEach(fn);
  }

  /**
   * Installs a copy of the LSA's bytes (RFC 2328 13.2), given as raw bytes or as
   * the received PacketLsa, and returns the new entry; the caller handles the replaced one.
   */
  install(source: Uint8Array | PacketLsa, now: number, fromFlood: boolean): LsaEntry {
    const own = this.store(source);
    const entry = new LsaEntry(own, now, fromFlood);
    const type = rawType(own);
    const lsId = rawLsId(own);
    const advRouter = rawAdvRouter(own);
    const old = this.entries.get(type, lsId, advRouter);
    if (old !== undefined) {
      this.liveBytes -= old.raw.length;
      old.current = false;
    }
    this.entries.set(type, lsId, advRouter, entry);
    this.liveBytes += own.length;
    if (this.chunkBytes > 2 * this.liveBytes + 4 * MaxChunk) this.compact();
    return entry;
  }

  remove(type: number, lsId: number, advRouter: number): void {
    const old = this.entries.get(type, lsId, advRouter);
    if (old === undefined) return;
    this.liveBytes -= old.raw.length;
    old.current = false;
    this.entries.delete(type, lsId, advRouter);
  }

  /** A copy of the bytes in the current chunk; a PacketLsa is copied from its packet without a view of its own. */
  private store(source: Uint8Array | PacketLsa): Uint8Array {
    const length = source.byteLength;
    if (length > MinChunk) return source instanceof PacketLsa ? source.raw.slice() : source.slice();
    if (this.chunkUsed + length > this.chunk.length) {
      this.chunk = new Uint8Array(Math.min(MaxChunk, Math.max(MinChunk, this.liveBytes)));
      this.chunkUsed = 0;
    }
    const start = this.chunkUsed;
    if (source instanceof PacketLsa) source.copyTo(this.chunk, start);
    else this.chunk.set(source, start);
    this.chunkUsed += length;
    this.chunkBytes += length;
    // The constructor makes the view about twice as fast as subarray does (a chunk is its whole buffer).
    return new Uint8Array(this.chunk.buffer, start, length);
  }

  /** Copies every live LSA into fresh chunks, so chunks holding mostly replaced LSAs can be freed. */
  private compact(): void {
    this.chunk = new Uint8Array(0);
    this.chunkUsed = 0;
    this.chunkBytes = 0;
    for (const entry of this.entries.values()) entry.raw = this.store(entry.raw);
  }

  /** RFC 2328 12.1.1 / 14: the age now, capped at MaxAge. */
  static ageOf(entry: LsaEntry, now: number): number {
    if (entry.baseAge >= MaxAge) return MaxAge;
    return Math.min(MaxAge, entry.baseAge + Math.floor((now - entry.installedAt) / 1000));
  }

  /** The entries in (type, lsId, advRouter) order. */
  sorted(): LsaEntry[] {
    return this.entries.values().sort(compareLsaKeys);
  }

  /** The LSA with its current age patched in. */
  lsaAt(entry: LsaEntry, now: number): Lsa {
    const age = Lsdb.ageOf(entry, now);
    const raw = lsaWithAge(entry.raw, age);
    return { ...headerOf(raw, age), raw };
  }
}
