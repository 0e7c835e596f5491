// The LSDB's storage: key order, age on read (RFC 2328 12.1.1, 14), instance
// comparison (13.1) and the chunked byte store under churn.
import { describe, expect, it } from 'vitest';
import { Lsdb, compareInstance, keyString, parseKeyString, rawSeq } from '../../src/core/lsdb.js';
import { createPrng } from '../../src/lib/prng.js';
import { LsaType, MaxAge, buildLsa } from '../../src/packet/index.js';

function external(lsId: number, seq: number, age = 0): Uint8Array {
  return buildLsa(
    { age, options: 2, type: LsaType.AsExternal, lsId, advRouter: 0x01010101, seq },
    { kind: 'external', networkMask: 0xffffff00, routes: [{ eBit: true, tos: 0, metric: 1, forwardingAddress: 0, routeTag: 0 }] },
  ).raw;
}

describe('keys', () => {
  it('sort as (type, Link State ID, Advertising Router) numbers and read back exactly (seeded)', () => {
    const seed = 7;
    const prng = createPrng(seed);
    const keys = Array.from({ length: 500 }, () => ({ type: prng.int(1, 11), lsId: prng.int(0, 0xffffffff), advRouter: prng.int(0, 0xffffffff) }));
    const byString = [...keys].sort((a, b) => {
      const x = keyString(a.type, a.lsId, a.advRouter);
      const y = keyString(b.type, b.lsId, b.advRouter);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const byNumbers = [...keys].sort((a, b) => a.type - b.type || a.lsId - b.lsId || a.advRouter - b.advRouter);
    expect(byString, `seed ${seed}`).toEqual(byNumbers);
    for (const k of keys) expect(parseKeyString(keyString(k.type, k.lsId, k.advRouter))).toEqual(k);
  });
});

describe('RFC 2328 12.1.1 / 14: age on read', () => {
  it('is the age at install plus whole seconds since, capped at MaxAge', () => {
    const db = new Lsdb();
    const entry = db.install(external(1, 1, 100), 5_000, true);
    expect(Lsdb.ageOf(entry, 5_999)).toBe(100);
    expect(Lsdb.ageOf(entry, 6_000)).toBe(101);
    expect(Lsdb.ageOf(entry, 5_000 + 3_600_000)).toBe(MaxAge);
    expect(db.lsaAt(entry, 7_000).age).toBe(102);
    // The stored bytes keep the age at install; lsaAt patches a copy.
    expect(db.lsaAt(entry, 7_000).raw[1]).toBe(102);
    expect(entry.raw[1]).toBe(100);
  });
});

describe('RFC 2328 13.1: which instance is newer', () => {
  it('higher sequence, then larger checksum, then MaxAge, then an age difference over MaxAgeDiff', () => {
    expect(compareInstance(5, 1, 0, 4, 9, 0)).toBe(1);
    expect(compareInstance(-5, 1, 0, -4, 1, 0)).toBe(-1);
    expect(compareInstance(5, 2, 0, 5, 1, 0)).toBe(1);
    expect(compareInstance(5, 1, MaxAge, 5, 1, 10)).toBe(1);
    expect(compareInstance(5, 1, 10, 5, 1, 1000)).toBe(1);
    expect(compareInstance(5, 1, 10, 5, 1, 900)).toBe(0);
  });
});

describe('the chunked store', () => {
  it('keeps memory bounded under churn: replaced LSAs free their chunks', () => {
    const db = new Lsdb();
    for (let round = 1; round <= 200; round++) {
      for (let i = 0; i < 500; i++) db.install(external(i, round), round * 1000, true);
    }
    expect(db.size).toBe(500);
    const buffers = new Set<ArrayBufferLike>();
    let bytes = 0;
    for (const e of db.values()) {
      buffers.add(e.raw.buffer);
      bytes += e.raw.length;
      expect(rawSeq(e.raw)).toBe(200);
    }
    const held = [...buffers].reduce((sum, b) => sum + b.byteLength, 0);
    // The live LSAs take 18 kB; the chunks still referenced stay within a small multiple.
    expect(bytes).toBe(500 * 36);
    expect(held).toBeLessThan(2 * bytes + 4 * 65536 + 65536);
  });
});
