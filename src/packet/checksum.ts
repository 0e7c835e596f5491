// The two checksums of OSPFv2: the IP one's-complement sum over the packet
// (RFC 2328 A.3.1, D.4) and the Fletcher checksum of every LSA (RFC 2328
// 12.1.7, computed as RFC 905 annex B). Both run on every received packet,
// so both work in blocks and fold or reduce once per block.

import { DecodeError } from './errors.js';
import { LsaHeaderLength } from './constants.js';

/**
 * One's-complement sum (RFC 1071) of data[start, end) as 16-bit big-endian
 * words, an odd last byte padded with zero, added to `sum`. Unfolded: the
 * caller folds with foldSum. Whole 32-bit words are added, since
 * w = hi·65536 + lo ≡ hi + lo (mod 65535); the double sum stays exact below
 * 2^53, i.e. for anything under 8 MiB (a packet is at most 64 KiB).
 */
export function onesSum(view: DataView, start: number, end: number, sum: number): number {
  let i = start;
  const end32 = start + ((end - start) & ~31);
  // Four independent sums, so that the additions of one step need not wait for each other.
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (; i < end32; i += 32) {
    sum += view.getUint32(i) + view.getUint32(i + 4);
    s1 += view.getUint32(i + 8) + view.getUint32(i + 12);
    s2 += view.getUint32(i + 16) + view.getUint32(i + 20);
    s3 += view.getUint32(i + 24) + view.getUint32(i + 28);
  }
  sum += s1 + s2 + s3;
  for (; end - i >= 4; i += 4) sum += view.getUint32(i);
  if (end - i >= 2) {
    sum += view.getUint16(i);
    i += 2;
  }
  if (i < end) sum += view.getUint8(i) << 8;
  return sum;
}

/** Folds an unfolded one's-complement sum to 16 bits. */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** Bytes summed per block before reducing modulo 255; keeps c1 below 2^30 (a small integer in V8). */
const FletcherBlock = 2048;

/** Offset of the LS checksum inside an LSA (RFC 2328 A.4.1). */
const ChecksumOffset = 16;

/**
 * The Fletcher sums (c0, c1) over d[start, end), continuing from c0/c1, both
 * reduced mod 255. Returned packed as c1 * 256 + c0 to avoid an allocation.
 */
function fletcherSums(d: Uint8Array, start: number, end: number, c0: number, c1: number): number {
  let i = start;
  while (i < end) {
    const blockEnd = Math.min(end, i + FletcherBlock);
    const end8 = i + ((blockEnd - i) & ~7);
    // Eight bytes per step: c1 gains 8·c0 + 8·b0 + 7·b1 + … + 1·b7, c0 gains their sum.
    for (; i < end8; i += 8) {
      const b0 = d[i];
      const b1 = d[i + 1];
      const b2 = d[i + 2];
      const b3 = d[i + 3];
      const b4 = d[i + 4];
      const b5 = d[i + 5];
      const b6 = d[i + 6];
      const b7 = d[i + 7];
      c1 += 8 * c0 + 8 * b0 + 7 * b1 + 6 * b2 + 5 * b3 + 4 * b4 + 3 * b5 + 2 * b6 + b7;
      c0 += b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7;
    }
    for (; i < blockEnd; i++) {
      c0 += d[i];
      c1 += c0;
    }
    c0 %= 255;
    c1 %= 255;
  }
  return c1 * 256 + c0;
}

/** The LSA's length from its header, checked against the bytes present. */
function lsaLength(raw: Uint8Array): number {
  if (raw.length < LsaHeaderLength) throw new DecodeError('truncated', raw.length, 'LSA shorter than its header');
  const length = (raw[18] << 8) | raw[19];
  if (length < LsaHeaderLength || length > raw.length) throw new DecodeError('bad-lsa-length', 18, `LSA length ${length}`);
  return length;
}

/**
 * The LS checksum to store at offset 16 (RFC 2328 12.1.7): Fletcher over the
 * LSA from offset 2 (LS age excluded) to its length, the checksum field taken
 * as zero; check bytes computed as RFC 905 annex B. Throws DecodeError when
 * raw does not hold a whole LSA.
 */
export function lsaChecksum(raw: Uint8Array): number {
  const length = lsaLength(raw);
  let packed = fletcherSums(raw, 2, ChecksumOffset, 0, 0);
  let c0 = packed & 0xff;
  // The two zero checksum bytes add nothing to c0 and c0 twice to c1.
  let c1 = ((packed >>> 8) + 2 * c0) % 255;
  packed = fletcherSums(raw, ChecksumOffset + 2, length, c0, c1);
  c0 = packed & 0xff;
  c1 = packed >>> 8;
  // RFC 905 annex B: the check bytes sit at position ChecksumOffset - 2 + 1
  // (1-based) of the (length - 2) bytes summed.
  const summed = length - 2;
  const position = ChecksumOffset - 2;
  let x = ((summed - position - 1) * c0 - c1) % 255;
  if (x <= 0) x += 255;
  let y = 510 - c0 - x;
  if (y > 255) y -= 255;
  return (x << 8) | y;
}

/**
 * True when the LSA's stored checksum is right (RFC 2328 13 (1)): the
 * Fletcher sums over offset 2..length, checksum included, are both zero
 * mod 255. False as well when raw does not hold a whole LSA, or when the
 * checksum field is zero (never a valid Fletcher check value).
 */
export function verifyLsaChecksum(raw: Uint8Array): boolean {
  if (raw.length < LsaHeaderLength) return false;
  const length = (raw[18] << 8) | raw[19];
  if (length < LsaHeaderLength || length > raw.length) return false;
  if (raw[16] === 0 && raw[17] === 0) return false;
  return fletcherSums(raw, 2, length, 0, 0) === 0;
}

/**
 * verifyLsaChecksum for the LSA at data[start, start + length), read in place
 * (no view made): false as well when those bytes are not all in data, when
 * the length in the LSA's header is not `length`, or when the checksum field
 * is zero.
 */
export function verifyLsaChecksumAt(data: Uint8Array, start: number, length: number): boolean {
  if (!(start >= 0 && length >= LsaHeaderLength && start + length <= data.length)) return false;
  if (((data[start + 18] << 8) | data[start + 19]) !== length) return false;
  return checkedLsaVerifies(data, start, length);
}

/** verifyLsaChecksumAt once the caller has checked the bounds and the length field (PacketLsa.verify). */
export function checkedLsaVerifies(data: Uint8Array, start: number, length: number): boolean {
  if (data[start + 16] === 0 && data[start + 17] === 0) return false;
  return fletcherSums(data, start + 2, start + length, 0, 0) === 0;
}
