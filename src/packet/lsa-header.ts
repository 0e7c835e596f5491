// The LSA header (RFC 2328 A.4.1) and whole LSAs kept as raw bytes.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |            LS age             |    Options    |    LS type    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                        Link State ID                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     Advertising Router                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     LS sequence number                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         LS checksum           |             length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import { viewOf, type Writer } from './bytes.js';
import { LsaHeaderLength } from './constants.js';
import { checkedLsaVerifies, lsaChecksum, verifyLsaChecksum } from './checksum.js';
import { DecodeError } from './errors.js';
import type { Lsa, LsaHeader, LsaKey } from './types.js';

/** Reads the 20-byte LSA header at data[offset]. Throws DecodeError('truncated') if it is not all there. */
export function decodeLsaHeader(data: Uint8Array, offset: number): LsaHeader {
  if (!Number.isInteger(offset) || offset < 0 || data.length - offset < LsaHeaderLength) {
    throw new DecodeError('truncated', offset, 'LSA header');
  }
  const view = viewOf(data);
  return readLsaHeader(view, offset);
}

/** The header at view[offset], the caller having checked that 20 bytes are there. */
export function readLsaHeader(view: DataView, offset: number): LsaHeader {
  return {
    age: view.getUint16(offset),
    options: view.getUint8(offset + 2),
    type: view.getUint8(offset + 3),
    lsId: view.getUint32(offset + 4),
    advRouter: view.getUint32(offset + 8),
    seq: view.getInt32(offset + 12),
    checksum: view.getUint16(offset + 16),
    length: view.getUint16(offset + 18),
  };
}

/** Writes the 20 header bytes of `header`. */
export function writeLsaHeader(w: Writer, header: LsaHeader): void {
  w.u16(header.age, 'LS age');
  w.u8(header.options, 'LSA options');
  w.u8(header.type, 'LS type');
  w.u32(header.lsId, 'Link State ID');
  w.u32(header.advRouter, 'Advertising Router');
  w.i32(header.seq, 'LS sequence number');
  w.u16(header.checksum, 'LS checksum');
  w.u16(header.length, 'LSA length');
}

/**
 * An LSA read out of a received packet (decodeLsUpdate). The header fields
 * are own properties, read at decode time. `raw` is a zero-copy view of the
 * LSA's bytes in the packet, made on first access and the same one thereafter:
 * the same bytes and the same view semantics as an eager view (later writes
 * to the packet's buffer show through it), but an LSA that is only verified
 * (verifyLsa, which reads the packet's bytes in place) and compared never
 * allocates one. Assigning `raw` replaces the bytes. JSON and structural
 * comparisons should go through toJSON(), which has raw as a plain property.
 */
export class PacketLsa implements Lsa {
  age: number;
  options: number;
  type: number;
  lsId: number;
  advRouter: number;
  seq: number;
  checksum: number;
  length: number;
  /** The packet's bytes, and where in them the LSA starts and how long it is. */
  readonly #data: Uint8Array;
  readonly #start: number;
  readonly #length: number;
  #raw: Uint8Array | undefined;

  /** The LSA at data[start, start + length), `view` being a DataView over exactly data; the caller has checked the bounds. */
  constructor(data: Uint8Array, view: DataView, start: number, length: number) {
    this.age = (data[start] << 8) | data[start + 1];
    this.options = data[start + 2];
    this.type = data[start + 3];
    this.lsId = view.getUint32(start + 4);
    this.advRouter = view.getUint32(start + 8);
    this.seq = view.getInt32(start + 12);
    this.checksum = view.getUint16(start + 16);
    this.length = length;
    this.#data = data;
    this.#start = start;
    this.#length = length;
    this.#raw = undefined;
  }

  get raw(): Uint8Array {
    let raw = this.#raw;
    if (raw === undefined) {
      // The constructor makes the view about twice as fast as subarray does.
      const data = this.#data;
      raw = this.#raw = new Uint8Array(data.buffer, data.byteOffset + this.#start, this.#length);
    }
    return raw;
  }

  set raw(value: Uint8Array) {
    this.#raw = value;
  }

  /** The length of raw, without making the view. */
  get byteLength(): number {
    return this.#raw === undefined ? this.#length : this.#raw.length;
  }

  /** Copies the bytes of raw into target at offset, without making the view. */
  copyTo(target: Uint8Array, offset: number): void {
    const raw = this.#raw;
    if (raw !== undefined) {
      target.set(raw, offset);
      return;
    }
    const data = this.#data;
    const start = this.#start;
    for (let i = 0; i < this.#length; i++) target[offset + i] = data[start + i];
  }

  /** RFC 2328 13 (1): the LS checksum, checked over the packet's bytes unless raw was replaced. */
  verify(): boolean {
    const raw = this.#raw;
    if (raw !== undefined) return verifyLsaChecksum(raw);
    // Decode checked the bounds; the length field is read again, since the packet's bytes may have changed since.
    const data = this.#data;
    const start = this.#start;
    const length = this.#length;
    return ((data[start + 18] << 8) | data[start + 19]) === length && checkedLsaVerifies(data, start, length);
  }

  /** A plain Lsa with the same fields and raw (for JSON, logs and toEqual). */
  toJSON(): Lsa {
    const { age, options, type, lsId, advRouter, seq, checksum, length } = this;
    return { age, options, type, lsId, advRouter, seq, checksum, length, raw: this.raw };
  }
}

/**
 * The LSA at data[offset, offset + its length) (`view` is a DataView over
 * exactly data), as a PacketLsa. Checks that the length covers the header
 * and that the LSA ends by `end`.
 */
export function readLsa(data: Uint8Array, view: DataView, offset: number, end: number): PacketLsa {
  if (end - offset < LsaHeaderLength) throw new DecodeError('truncated', offset, 'LSA header');
  const length = view.getUint16(offset + 18);
  if (length < LsaHeaderLength || length > end - offset) {
    throw new DecodeError('bad-lsa-length', offset + 18, `LSA length ${length}, ${end - offset} bytes left`);
  }
  return new PacketLsa(data, view, offset, length);
}

/** The length of lsa.raw; for a PacketLsa, without making the view. */
export function lsaByteLength(lsa: Lsa): number {
  return lsa instanceof PacketLsa ? lsa.byteLength : lsa.raw.length;
}

/** True when the LSA's stored checksum is right: verifyLsaChecksum for a PacketLsa checked in place, else over lsa.raw. */
export function verifyLsa(lsa: Lsa): boolean {
  return lsa instanceof PacketLsa ? lsa.verify() : verifyLsaChecksum(lsa.raw);
}

/** A copy of raw LSA bytes with the LS age set; the age is outside the LS checksum (RFC 2328 12.1.7). */
export function lsaWithAge(raw: Uint8Array, age: number): Uint8Array {
  const copy = raw.slice();
  copy[0] = age >>> 8;
  copy[1] = age & 0xff;
  return copy;
}

/** A copy of raw LSA bytes with the LS sequence number set and the LS checksum computed afresh (RFC 2328 12.1.6, 12.1.7). */
export function lsaWithSeq(raw: Uint8Array, seq: number): Uint8Array {
  const copy = raw.slice();
  copy[12] = seq >>> 24;
  copy[13] = (seq >>> 16) & 0xff;
  copy[14] = (seq >>> 8) & 0xff;
  copy[15] = seq & 0xff;
  const checksum = lsaChecksum(copy);
  copy[16] = checksum >>> 8;
  copy[17] = checksum & 0xff;
  return copy;
}

/** One LSA from its bytes: header fields plus a view of exactly `length` bytes (RFC 2328 A.4.1). */
export function decodeLsa(raw: Uint8Array): Lsa {
  const view = viewOf(raw);
  if (raw.length < LsaHeaderLength) throw new DecodeError('truncated', 0, 'LSA header');
  const length = view.getUint16(18);
  if (length < LsaHeaderLength || length > raw.length) throw new DecodeError('bad-lsa-length', 18, `LSA length ${length}, ${raw.length} bytes left`);
  return {
    age: view.getUint16(0),
    options: raw[2],
    type: raw[3],
    lsId: view.getUint32(4),
    advRouter: view.getUint32(8),
    seq: view.getInt32(12),
    checksum: view.getUint16(16),
    length,
    raw: new Uint8Array(raw.buffer, raw.byteOffset, length),
  };
}

/** A stable text key for maps and sorted output: "type/lsId/advRouter" in decimal type and dotted quads. */
export function lsaKeyString(key: LsaKey): string {
  const q = (v: number): string => `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  return `${key.type}/${q(key.lsId)}/${q(key.advRouter)}`;
}

/** Orders LSA keys by type, then Link State ID, then Advertising Router (unsigned). */
export function compareLsaKeys(a: LsaKey, b: LsaKey): number {
  return a.type - b.type || (a.lsId >>> 0) - (b.lsId >>> 0) || (a.advRouter >>> 0) - (b.advRouter >>> 0);
}
