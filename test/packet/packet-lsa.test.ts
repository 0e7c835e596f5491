// LSAs decoded from a Link State Update (PacketLsa): header fields read at
// decode time, raw made on first use as a view of the packet, checksums
// verified in place (RFC 2328 13 (1)) by verifyLsa and verifyLsaChecksumAt.

import { describe, expect, test } from 'vitest';
import { createPrng } from '../../src/lib/prng.js';
import {
  DecodeError,
  LsaType,
  PacketLsa,
  PacketType,
  buildLsa,
  decodeLsa,
  decodePacket,
  encodePacket,
  lsaByteLength,
  verifyLsa,
  verifyLsaChecksum,
  verifyLsaChecksumAt,
  type Lsa,
  type LsUpdatePacket,
} from '../../src/packet/index.js';
import { reseal, toHex } from './helpers.js';
import { seeds } from '../helpers/seeds.js';

function routerLsa(lsId: number, metric: number): Lsa {
  const body = { kind: 'router' as const, flags: 0, links: [{ linkId: 0xc0a80100, linkData: 0xffffff00, type: 3, metric, tos: [] }] };
  return buildLsa({ age: 7, options: 0x02, type: LsaType.Router, lsId, advRouter: lsId, seq: -0x7ffffff0 }, body);
}

function update(lsas: Lsa[]): Uint8Array {
  const packet: LsUpdatePacket = {
    version: 2,
    type: PacketType.LsUpdate,
    routerId: 0x0a000001,
    areaId: 0,
    checksum: 0,
    auType: 0,
    auth: new Uint8Array(8),
    trailer: new Uint8Array(0),
    lsas,
  };
  return encodePacket(packet);
}

/** The LSAs of an encoded update, decoded, with each one's offset in the packet. */
function decodedWithOffsets(bytes: Uint8Array): Array<{ lsa: Lsa; offset: number }> {
  const lsas = (decodePacket(bytes) as LsUpdatePacket).lsas;
  let offset = 28;
  return lsas.map((lsa) => {
    const at = offset;
    offset += lsa.length;
    return { lsa, offset: at };
  });
}

const built = [routerLsa(0x0a000001, 10), routerLsa(0xfffffffe, 20), routerLsa(0x80000001, 30)];

describe('PacketLsa: the LSAs of a decoded Link State Update (RFC 2328 A.3.5)', () => {
  test('header fields are own properties, unsigned ids, signed sequence numbers', () => {
    const lsas = (decodePacket(update(built)) as LsUpdatePacket).lsas;
    lsas.forEach((lsa, i) => {
      expect(lsa).toBeInstanceOf(PacketLsa);
      for (const field of ['age', 'options', 'type', 'lsId', 'advRouter', 'seq', 'checksum', 'length']) {
        expect(Object.prototype.hasOwnProperty.call(lsa, field), field).toBe(true);
      }
      const want = built[i];
      expect([lsa.age, lsa.options, lsa.type, lsa.lsId, lsa.advRouter, lsa.seq, lsa.checksum, lsa.length]).toEqual([
        want.age,
        want.options,
        want.type,
        want.lsId,
        want.advRouter,
        want.seq,
        want.checksum,
        want.length,
      ]);
    });
    expect(lsas[1].lsId).toBe(0xfffffffe);
    expect(lsas[2].advRouter).toBe(0x80000001);
  });

  test('lazy raw holds exactly the bytes an eager view would: a view of the packet, made once', () => {
    const bytes = update(built);
    for (const { lsa, offset } of decodedWithOffsets(bytes)) {
      const raw = lsa.raw;
      expect(raw.buffer).toBe(bytes.buffer);
      expect(raw.byteOffset).toBe(bytes.byteOffset + offset);
      expect(raw.length).toBe(lsa.length);
      expect(toHex(raw)).toBe(toHex(decodeLsa(bytes.subarray(offset)).raw));
      expect(lsa.raw).toBe(raw);
    }
  });

  test('copyTo and byteLength give the bytes and length of raw, before and after raw is replaced', () => {
    const bytes = update(built);
    const larger = new Uint8Array(bytes.length + 11);
    larger.set(bytes, 5);
    const lsas = (decodePacket(larger.subarray(5, 5 + bytes.length)) as LsUpdatePacket).lsas as PacketLsa[];
    lsas.forEach((lsa, i) => {
      const target = new Uint8Array(lsa.length + 3);
      lsa.copyTo(target, 3);
      expect(toHex(target.subarray(3))).toBe(toHex(built[i].raw));
      expect(lsa.byteLength).toBe(built[i].raw.length);
      expect(lsaByteLength(lsa)).toBe(built[i].raw.length);
    });
    const replaced = lsas[0];
    replaced.raw = built[1].raw;
    const target = new Uint8Array(built[1].raw.length);
    replaced.copyTo(target, 0);
    expect(toHex(target)).toBe(toHex(built[1].raw));
    expect(replaced.byteLength).toBe(built[1].raw.length);
    expect(lsaByteLength(built[2])).toBe(built[2].raw.length);
  });

  test('a packet inside a larger buffer: raw is still exactly the LSA', () => {
    const bytes = update(built);
    const larger = new Uint8Array(bytes.length + 11);
    larger.set(bytes, 5);
    const inner = larger.subarray(5, 5 + bytes.length);
    const lsas = (decodePacket(inner) as LsUpdatePacket).lsas;
    lsas.forEach((lsa, i) => {
      expect(toHex(lsa.raw)).toBe(toHex(built[i].raw));
      expect(verifyLsa(lsa)).toBe(true);
    });
  });

  test('view semantics, as for an eager view: writes to the packet before or after raw is made show through it', () => {
    const bytes = update(built);
    const [first, second] = decodedWithOffsets(bytes);
    const seen = first.lsa.raw;
    bytes[first.offset + 25] ^= 0xff;
    expect(seen[25]).toBe(bytes[first.offset + 25]);
    bytes[second.offset + 25] ^= 0xff;
    expect(second.lsa.raw[25]).toBe(bytes[second.offset + 25]);
    // The header fields were read at decode time and stay as they were.
    bytes[second.offset + 4] ^= 0xff;
    expect(second.lsa.lsId).toBe(built[1].lsId);
  });

  test('a copy of raw (as the LSDB stores it) keeps the bytes when the packet buffer is reused', () => {
    const bytes = update(built);
    const [{ lsa, offset }] = decodedWithOffsets(bytes);
    const stored = lsa.raw.slice();
    bytes.fill(0, offset, offset + lsa.length);
    expect(toHex(stored)).toBe(toHex(built[0].raw));
  });

  test('assigning raw replaces the bytes, and verifyLsa checks the new ones', () => {
    const bytes = update(built);
    const lsa = (decodePacket(bytes) as LsUpdatePacket).lsas[0];
    const copy = built[0].raw.slice();
    lsa.raw = copy;
    expect(lsa.raw).toBe(copy);
    expect(verifyLsa(lsa)).toBe(true);
    copy[30] ^= 1;
    expect(verifyLsa(lsa)).toBe(false);
  });

  test('toJSON gives a plain Lsa equal to the built one', () => {
    const lsas = (decodePacket(update(built)) as LsUpdatePacket).lsas;
    lsas.forEach((lsa, i) => expect((lsa as PacketLsa).toJSON()).toEqual(built[i]));
    const json = JSON.parse(JSON.stringify(lsas[0])) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['advRouter', 'age', 'checksum', 'length', 'lsId', 'options', 'raw', 'seq', 'type']);
  });

  test('re-encoding an update of decoded LSAs gives the same bytes', () => {
    const bytes = update(built);
    expect(toHex(encodePacket(decodePacket(bytes)))).toBe(toHex(bytes));
  });
});

describe('verifyLsa and verifyLsaChecksumAt agree with verifyLsaChecksum (RFC 2328 13 (1))', () => {
  test('every bit flipped after the age fails, checked in place in the packet', () => {
    const bytes = update(built);
    const { lsa, offset } = decodedWithOffsets(bytes)[1];
    for (let bit = 16; bit < lsa.length * 8; bit++) {
      const copy = bytes.slice();
      copy[offset + (bit >> 3)] ^= 0x80 >> (bit & 7);
      expect(verifyLsaChecksumAt(copy, offset, lsa.length), `bit ${bit}`).toBe(false);
      reseal(copy, copy.length);
      let lsas: Lsa[] | undefined;
      try {
        lsas = (decodePacket(copy) as LsUpdatePacket).lsas;
      } catch (error) {
        // A flip in the length field leaves LSAs that do not fill the packet.
        expect(error).toBeInstanceOf(DecodeError);
      }
      if (lsas !== undefined) expect(verifyLsa(lsas[1]), `bit ${bit}`).toBe(false);
    }
  });

  test.each(seeds([13], 1))('random LSAs: the three agree, and all accept the good ones (seed %i)', (seed) => {
    const rng = createPrng(seed);
    for (let i = 0; i < 200; i++) {
      const lsas = [routerLsa(rng.int(0, 0xffffffff), rng.int(1, 0xffff)), routerLsa(rng.int(0, 0xffffffff), rng.int(1, 0xffff))];
      const bytes = update(lsas);
      if (rng.chance(0.5)) {
        // Any byte after the age but the length field, the packet checksum made right again.
        bytes[28 + (rng.chance(0.5) ? rng.int(2, 17) : rng.int(20, lsas[0].length - 1))] ^= 1 << rng.int(0, 7);
        reseal(bytes, bytes.length);
      }
      for (const { lsa, offset } of decodedWithOffsets(bytes)) {
        const expected = verifyLsaChecksum(bytes.subarray(offset, offset + lsa.length));
        expect(verifyLsa(lsa)).toBe(expected);
        expect(verifyLsaChecksumAt(bytes, offset, lsa.length)).toBe(expected);
      }
    }
  });

  test('bounds: out of range or a length that is not the header length never verify', () => {
    const raw = built[0].raw;
    expect(verifyLsaChecksumAt(raw, 0, raw.length)).toBe(true);
    expect(verifyLsaChecksumAt(raw, 0, raw.length - 1)).toBe(false);
    expect(verifyLsaChecksumAt(raw, 1, raw.length)).toBe(false);
    expect(verifyLsaChecksumAt(raw, -1, raw.length)).toBe(false);
    expect(verifyLsaChecksumAt(raw, 0, 19)).toBe(false);
    expect(verifyLsaChecksumAt(raw, Number.NaN, raw.length)).toBe(false);
    const zero = raw.slice();
    zero[16] = 0;
    zero[17] = 0;
    expect(verifyLsaChecksumAt(zero, 0, zero.length)).toBe(false);
  });

  test('verifyLsa on a plain Lsa checks its raw', () => {
    expect(verifyLsa(built[0])).toBe(true);
    const bad = { ...built[0], raw: built[0].raw.slice() };
    bad.raw[25] ^= 4;
    expect(verifyLsa(bad)).toBe(false);
  });
});
