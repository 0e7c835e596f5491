// Fuzzing: truncated, bit-flipped, field-smashed and random inputs only ever
// end in DecodeError. Whatever does decode must re-encode to the same bytes,
// and every LSA in it must survive decodeLsaBody and the checksum functions.
// Seeded (test/helpers/seeds.ts: a fixed seed and a fresh one each run, SEED=
// replays); CI=true runs several hundred thousand cases per seed.

import { describe, expect, test } from 'vitest';
import { createPrng, type Prng } from '../../src/lib/prng.js';
import {
  AuType,
  DecodeError,
  PacketType,
  buildLsa,
  compareLsaInstances,
  decodeLsa,
  decodeLsaBody,
  decodePacket,
  encodePacket,
  lsaChecksum,
  verifyLsaChecksum,
  type Lsa,
} from '../../src/packet/index.js';
import { randomLsa, randomPacket } from './generate.js';
import { replay, seeds } from '../helpers/seeds.js';
import { iterations, reseal, toHex } from './helpers.js';

/** What the cases ended in, to show that the fuzzing reaches past the header checks. */
const outcomes = new Map<string, number>();
function count(outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Calls run; anything thrown other than a DecodeError fails with the case (its number and how to replay it) and input. */
function onlyDecodeErrors<T>(what: string, where: string, input: Uint8Array, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    if (error instanceof DecodeError) {
      if (!Number.isInteger(error.offset) || error.offset < 0) throw new Error(`${what}: bad offset ${error.offset} on ${where}`);
      count(`${what}: ${error.reason}`);
      return undefined;
    }
    throw new Error(`${what} threw ${String(error)} on ${where}: ${toHex(input)}`, { cause: error });
  }
}

/** Everything the codec offers for one LSA: none of it may throw anything but DecodeError. */
function exerciseLsa(lsa: Lsa, where: string): void {
  verifyLsaChecksum(lsa.raw);
  onlyDecodeErrors('lsaChecksum', where, lsa.raw, () => lsaChecksum(lsa.raw));
  compareLsaInstances(lsa, lsa);
  const body = onlyDecodeErrors('decodeLsaBody', where, lsa.raw, () => decodeLsaBody(lsa));
  if (body === undefined) return;
  count('decodeLsaBody: ok');
  // A body that decodes builds again into an LSA whose body re-encodes to the same bytes.
  const rebuilt = buildLsa(lsa, body);
  if (!sameBytes(buildLsa(lsa, decodeLsaBody(rebuilt)).raw, rebuilt.raw)) {
    throw new Error(`${where}: LSA body does not survive build → decode: ${toHex(lsa.raw)}`);
  }
}

/** A packet that decodes re-encodes to exactly its bytes (a cryptographic one with its unused checksum as zero). */
function checkDecoded(input: Uint8Array, where: string): void {
  const packet = onlyDecodeErrors('decodePacket', where, input, () => decodePacket(input));
  if (packet === undefined) return;
  count('decodePacket: ok');
  const expected = input.slice();
  if (packet.auType === AuType.Cryptographic) expected.fill(0, 12, 14);
  const again = encodePacket(packet);
  if (!sameBytes(again, expected)) {
    throw new Error(`${where} decoded but re-encoded differently: ${toHex(input)}`);
  }
  if (packet.type === PacketType.LsUpdate) for (const lsa of packet.lsas) exerciseLsa(lsa, where);
}

/** Valid packets to mutate: made once, copied per case. */
function pool(rng: Prng, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < size; i++) out.push(encodePacket(randomPacket(rng, undefined, 6)));
  return out;
}

function flipBits(rng: Prng, bytes: Uint8Array): void {
  const flips = rng.int(1, 4);
  for (let i = 0; i < flips; i++) bytes[rng.int(0, bytes.length - 1)] ^= 1 << rng.int(0, 7);
}

/** Overwrites a 16-bit field at a random even offset: often a length, a count or a metric. */
function smashField(rng: Prng, bytes: Uint8Array): void {
  const at = rng.int(0, (bytes.length >> 1) - 1) * 2;
  const value = rng.pick([0, 1, 19, 20, 21, 0xffff, rng.int(0, 0xffff)]);
  bytes[at] = value >> 8;
  bytes[at + 1] = value & 0xff;
}

/** Leaves the packet checksum right for the (possibly changed) length field, so the fault reaches the body decoders. */
function resealAsClaimed(bytes: Uint8Array): void {
  if (bytes.length < 24) return;
  reseal(bytes, Math.min(bytes.length, (bytes[2] << 8) | bytes[3]));
}

describe.each(seeds([0xf022_2328], 1))('fuzz (seed %i)', (seed) => {
  const rng = createPrng(seed);
  const at = (i: number): string => `case ${i} (${replay(seed)})`;
  const packets = pool(rng.fork(), 300);

  test('truncated packets', () => {
    const caseRng = rng.fork();
    const count = iterations(5000, 50000);
    for (let i = 0; i < count; i++) {
      const source = caseRng.pick(packets);
      const cut = source.slice(0, caseRng.int(0, source.length - 1));
      if (caseRng.chance(0.5)) resealAsClaimed(cut);
      checkDecoded(cut, at(i));
    }
  });

  test('bit-flipped packets', () => {
    const caseRng = rng.fork();
    const count = iterations(10000, 100000);
    for (let i = 0; i < count; i++) {
      const bytes = caseRng.pick(packets).slice();
      flipBits(caseRng, bytes);
      if (caseRng.chance(0.7)) resealAsClaimed(bytes);
      checkDecoded(bytes, at(i));
    }
  });

  test('packets with a smashed 16-bit field', () => {
    const caseRng = rng.fork();
    const count = iterations(10000, 100000);
    for (let i = 0; i < count; i++) {
      const bytes = caseRng.pick(packets).slice();
      smashField(caseRng, bytes);
      if (caseRng.chance(0.8)) resealAsClaimed(bytes);
      checkDecoded(bytes, at(i));
    }
  });

  test('random bytes behind a plausible header', () => {
    const caseRng = rng.fork();
    const count = iterations(5000, 50000);
    for (let i = 0; i < count; i++) {
      const bytes = new Uint8Array(caseRng.int(0, 300));
      for (let b = 0; b < bytes.length; b++) bytes[b] = caseRng.int(0, 255);
      if (bytes.length >= 24 && caseRng.chance(0.9)) {
        bytes[0] = 2;
        bytes[1] = caseRng.int(0, 6);
        const length = caseRng.chance(0.7) ? bytes.length : caseRng.int(0, 0xffff);
        bytes[2] = length >> 8;
        bytes[3] = length & 0xff;
        if (caseRng.chance(0.8)) bytes[14] = bytes[15] = 0;
        resealAsClaimed(bytes);
      }
      checkDecoded(bytes, at(i));
    }
  });

  test('mutated LSAs through decodeLsa and decodeLsaBody', () => {
    const caseRng = rng.fork();
    const count = iterations(5000, 50000);
    for (let i = 0; i < count; i++) {
      const raw = randomLsa(caseRng).lsa.raw.slice();
      if (caseRng.chance(0.5)) flipBits(caseRng, raw);
      else smashField(caseRng, raw);
      const input = caseRng.chance(0.2) ? raw.subarray(0, caseRng.int(0, raw.length)) : raw;
      const lsa = onlyDecodeErrors('decodeLsa', at(i), input, () => decodeLsa(input));
      if (lsa !== undefined) exerciseLsa(lsa, at(i));
    }
  });

  test('the cases reached every decoder and ended in many distinct reasons', () => {
    const seen = [...outcomes.keys()];
    for (const needed of ['decodePacket: ok', 'decodeLsaBody: ok', 'decodePacket: bad-checksum', 'decodePacket: truncated', 'decodePacket: bad-lsa-length', 'decodeLsaBody: bad-lsa-length']) {
      expect(seen, JSON.stringify(Object.fromEntries(outcomes))).toContain(needed);
    }
    expect(seen.length).toBeGreaterThanOrEqual(12);
  });
});
