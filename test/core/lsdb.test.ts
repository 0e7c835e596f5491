// The LSDB's storage: keyed lookups (LsaMap) and key order, age on read
// (RFC 2328 12.1.1, 14), instance comparison (13.1) and the chunked byte
// store under churn.
import { describe, expect, it } from 'vitest';
import { LsaMap } from '../../src/core/lsa-map.js';
import { Lsdb, compareInstance, rawSeq } from '../../src/core/lsdb.js';
import { createPrng } from '../../src/lib/prng.js';
import { LsaType, MaxAge, buildLsa, type LsaKey } from '../../src/packet/index.js';
import { seeds } from '../helpers/seeds.js';

function external(lsId: number, seq: number, age = 0, advRouter = 0x01010101): Uint8Array {
  return buildLsa(
    { age, options: 2, type: LsaType.AsExternal, lsId, advRouter, seq },
    { kind: 'external', networkMask: 0xffffff00, routes: [{ eBit: true, tos: 0, metric: 1, forwardingAddress: 0, routeTag: 0 }] },
  ).raw;
}

describe('LsaMap', () => {
  it.each(seeds([7], 1))('behaves as a Map under random sets and deletes: same entries, same order, keys read back exactly (seed %i)', (seed) => {
    const prng = createPrng(seed);
    // Few distinct values per field, so keys meet again and differ in one field only.
    const field = (): number => [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, prng.int(0, 0xffffffff)][prng.int(0, 5)] as number;
    const map = new LsaMap<number>();
    const reference = new Map<string, { key: LsaKey; value: number }>();
    for (let step = 0; step < 20_000; step++) {
      const key = { type: prng.int(1, 5), lsId: field(), advRouter: field() };
      const text = `${key.type}/${key.lsId}/${key.advRouter}`;
      if (prng.int(0, 2) === 0) {
        expect(map.delete(key.type, key.lsId, key.advRouter), `seed ${seed} step ${step}`).toBe(reference.delete(text));
      } else {
        map.set(key.type, key.lsId, key.advRouter, step);
        const known = reference.get(text);
        if (known === undefined) reference.set(text, { key, value: step });
        else known.value = step;
      }
      expect(map.get(key.type, key.lsId, key.advRouter)).toBe(reference.get(text)?.value);
    }
    expect(map.size).toBe(reference.size);
    expect(map.keys()).toEqual([...reference.values()].map((r) => r.key));
    expect(map.values()).toEqual([...reference.values()].map((r) => r.value));
  });

  it('lets forEach delete as it goes, and refuses a key added during it', () => {
    const map = new LsaMap<number>();
    for (let i = 0; i < 100; i++) map.set(LsaType.AsExternal, i, 1, i);
    const seen: number[] = [];
    map.forEach((value, type, lsId, advRouter) => {
      seen.push(value);
      map.delete(type, lsId, advRouter);
      map.delete(type, lsId + 1, advRouter);
    });
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
    expect(map.size).toBe(0);
    map.set(LsaType.Router, 1, 1, 1);
    expect(() => map.forEach(() => map.set(LsaType.Router, 2, 2, 2))).toThrow(/added during forEach/);
  });

  it('hands the LSDB back sorted as (type, Link State ID, Advertising Router) numbers', () => {
    const db = new Lsdb();
    const keys = [
      { lsId: 0xc0000001, advRouter: 2 },
      { lsId: 1, advRouter: 0xffffffff },
      { lsId: 1, advRouter: 3 },
      { lsId: 0x7fffffff, advRouter: 1 },
    ];
    for (const k of keys) db.install(external(k.lsId, 1, 0, k.advRouter), 0, true);
    expect(db.sorted().map((e) => [e.lsId, e.advRouter])).toEqual([
      [1, 3],
      [1, 0xffffffff],
      [0x7fffffff, 1],
      [0xc0000001, 2],
    ]);
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
