// Property tests: random packets of every type, and random LSAs of every
// type, encode → decode → encode byte for byte and decode to equal objects.

import { describe, expect, test } from 'vitest';
import { createPrng } from '../../src/lib/prng.js';
import {
  AuType,
  PacketLsa,
  PacketType,
  decodeLsa,
  decodeLsaBody,
  decodePacket,
  encodePacket,
  lsaChecksum,
  verifyLsa,
  verifyLsaChecksum,
  type OspfPacket,
} from '../../src/packet/index.js';
import { generatedLsaTypes, packetTypes, randomLsa, randomPacket } from './generate.js';
import { replay, seeds } from '../helpers/seeds.js';
import { iterations, toHex } from './helpers.js';

/** Runs body for each case; a failure names the seed and case that replays it. */
function forEachCase(seed: number, name: string, count: number, body: (rng: ReturnType<typeof createPrng>, index: number) => void): void {
  const rng = createPrng(seed);
  for (let i = 0; i < count; i++) {
    const caseRng = rng.fork();
    try {
      body(caseRng, i);
    } catch (error) {
      throw new Error(`${name}: case ${i} failed (${replay(seed)}): ${(error as Error).message}`, { cause: error });
    }
  }
}

describe.each(seeds([0x05f0_2328], 1))('round trips (seed %i)', (seed) => {
  test.each(packetTypes.map((t) => [t]))('packet type %i: encode → decode → encode is byte-identical, objects equal', (type) => {
    forEachCase(seed, `packet type ${type}`, iterations(200, 600), (rng) => {
      const packet = randomPacket(rng, type);
      const bytes = encodePacket(packet);
      const decoded = decodePacket(bytes);
      expect(toHex(encodePacket(decoded))).toBe(toHex(bytes));
      const checksum = (bytes[12] << 8) | bytes[13];
      if (packet.auType === AuType.Cryptographic) expect(checksum).toBe(0);
      const expected: OspfPacket = { ...packet, checksum };
      // Decoded LSAs are PacketLsa objects whose raw is made on first use: compared as plain Lsa objects.
      const plain = decoded.type === PacketType.LsUpdate ? { ...decoded, lsas: decoded.lsas.map((lsa) => (lsa as PacketLsa).toJSON()) } : decoded;
      expect(plain).toEqual(expected);
      if (decoded.type === PacketType.LsUpdate && packet.type === PacketType.LsUpdate) {
        decoded.lsas.forEach((lsa, i) => {
          expect(lsa).toBeInstanceOf(PacketLsa);
          expect(verifyLsa(lsa)).toBe(true);
          expect(verifyLsaChecksum(lsa.raw)).toBe(true);
          expect(decodeLsaBody(lsa)).toEqual(decodeLsaBody(packet.lsas[i]));
        });
      }
    });
  });

  test.each(generatedLsaTypes.map((t) => [t]))('LSA type %i: build → decode gives the same header and body', (type) => {
    forEachCase(seed, `LSA type ${type}`, iterations(300, 1000), (rng) => {
      const { lsa, body } = randomLsa(rng, type);
      expect(verifyLsaChecksum(lsa.raw)).toBe(true);
      expect(lsaChecksum(lsa.raw)).toBe(lsa.checksum);
      const decoded = decodeLsa(lsa.raw);
      expect(decoded).toEqual(lsa);
      expect(decodeLsaBody(decoded)).toEqual(body);
    });
  });
});
