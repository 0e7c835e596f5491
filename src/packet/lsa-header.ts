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
 * The LSA at data[offset, offset + its length) as a flat Lsa whose raw is a
 * zero-copy view of `data` (`buffer` and `base` are data.buffer and
 * data.byteOffset, passed in by the caller's loop). Checks that the length
 * covers the header and that the LSA ends by `end`.
 */
export function readLsa(view: DataView, buffer: ArrayBufferLike, base: number, offset: number, end: number): Lsa {
  if (end - offset < LsaHeaderLength) throw new DecodeError('truncated', offset, 'LSA header');
  const length = view.getUint16(offset + 18);
  if (length < LsaHeaderLength || length > end - offset) {
    throw new DecodeError('bad-lsa-length', offset + 18, `LSA length ${length}, ${end - offset} bytes left`);
  }
  return {
    age: view.getUint16(offset),
    options: view.getUint8(offset + 2),
    type: view.getUint8(offset + 3),
    lsId: view.getUint32(offset + 4),
    advRouter: view.getUint32(offset + 8),
    seq: view.getInt32(offset + 12),
    checksum: view.getUint16(offset + 16),
    length,
    // The constructor makes the view about twice as fast as subarray does.
    raw: new Uint8Array(buffer, base + offset, length),
  };
}

/** One LSA from its bytes: header fields plus a view of exactly `length` bytes (RFC 2328 A.4.1). */
export function decodeLsa(raw: Uint8Array): Lsa {
  return readLsa(viewOf(raw), raw.buffer, raw.byteOffset, 0, raw.length);
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
