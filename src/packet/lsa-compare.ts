// Which of two instances of one LSA is newer (RFC 2328 13.1).

import { MaxAge, MaxAgeDiff } from './constants.js';
import type { LsaHeader } from './types.js';

/**
 * RFC 2328 13.1: > 0 when a is the newer instance, < 0 when b is, 0 when
 * they are the same instance. `age` must be each instance's current age.
 */
export function compareLsaInstances(a: LsaHeader, b: LsaHeader): number {
  // RFC 2328 13.1: the higher sequence number (signed 32-bit) is newer.
  const seqA = a.seq | 0;
  const seqB = b.seq | 0;
  if (seqA !== seqB) return seqA > seqB ? 1 : -1;
  // RFC 2328 13.1: same sequence number, the larger checksum (unsigned 16-bit) is newer.
  const sumA = a.checksum & 0xffff;
  const sumB = b.checksum & 0xffff;
  if (sumA !== sumB) return sumA > sumB ? 1 : -1;
  // The DoNotAge bit (RFC 1793 2.2) takes no part in comparing ages.
  const ageA = a.age & 0x7fff;
  const ageB = b.age & 0x7fff;
  // RFC 2328 13.1: if only one has age MaxAge, it is newer.
  const maxA = ageA >= MaxAge;
  const maxB = ageB >= MaxAge;
  if (maxA !== maxB) return maxA ? 1 : -1;
  // RFC 2328 13.1: ages differing by more than MaxAgeDiff: the smaller age is newer.
  if (Math.abs(ageA - ageB) > MaxAgeDiff) return ageA < ageB ? 1 : -1;
  // RFC 2328 13.1: otherwise the two are the same instance.
  return 0;
}
