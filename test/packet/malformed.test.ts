// Bad input, one case per check: each ends in a DecodeError with a stable
// reason (RFC 2328 8.2 and A.3 as far as the bytes go), and bad objects given
// to the encoders end in an EncodeError.

import { describe, expect, test } from 'vitest';
import {
  DecodeError,
  EncodeError,
  LsaType,
  PacketType,
  buildLsa,
  decodeLsa,
  decodeLsaBody,
  decodeLsaHeader,
  decodePacket,
  encodePacket,
  lsaChecksum,
  verifyLsaChecksum,
  type HelloPacket,
  type LsaBody,
  type LsUpdatePacket,
} from '../../src/packet/index.js';
import { hex, reseal } from './helpers.js';

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DecodeError) return error.reason;
    throw error;
  }
  throw new Error('expected a DecodeError, nothing was thrown');
}

const common = {
  version: 2,
  routerId: 0x01010101,
  areaId: 0,
  checksum: 0,
  auType: 0,
  auth: new Uint8Array(8),
  trailer: new Uint8Array(0),
};

const hello: HelloPacket = {
  ...common,
  type: PacketType.Hello,
  networkMask: 0xffffff00,
  helloInterval: 10,
  options: 2,
  priority: 1,
  deadInterval: 40,
  dr: 0,
  bdr: 0,
  neighbors: [0x02020202],
};

const routerLsa = buildLsa(
  { age: 1, options: 2, type: LsaType.Router, lsId: 0x01010101, advRouter: 0x01010101, seq: -0x7fffffff },
  { kind: 'router', flags: 0, links: [{ linkId: 0x0a000000, linkData: 0xffffff00, type: 3, metric: 10, tos: [] }] },
);

const update: LsUpdatePacket = { ...common, type: PacketType.LsUpdate, lsas: [routerLsa] };

/** Rewrites the packet length and recomputes the checksum, so that only the intended fault remains. */
function withLength(packet: Uint8Array, length: number): Uint8Array {
  const copy = packet.slice();
  new DataView(copy.buffer).setUint16(2, length);
  reseal(copy, Math.min(length, copy.length));
  return copy;
}

describe('packet header (RFC 2328 A.3.1)', () => {
  test('shorter than the header', () => {
    expect(reasonOf(() => decodePacket(new Uint8Array(23)))).toBe('truncated');
    expect(reasonOf(() => decodePacket(new Uint8Array(0)))).toBe('truncated');
  });

  test('version 3 is refused (RFC 2328 8.2)', () => {
    const bytes = encodePacket(hello);
    bytes[0] = 3;
    expect(reasonOf(() => decodePacket(bytes))).toBe('bad-version');
  });

  test('unknown packet type', () => {
    const bytes = encodePacket(hello);
    bytes[1] = 6;
    reseal(bytes, bytes.length);
    expect(reasonOf(() => decodePacket(bytes))).toBe('bad-type');
  });

  test('packet length below the header size', () => {
    expect(reasonOf(() => decodePacket(withLength(encodePacket(hello), 20)))).toBe('bad-length');
  });

  test('packet length beyond the bytes received', () => {
    const bytes = encodePacket(hello);
    expect(reasonOf(() => decodePacket(withLength(bytes, bytes.length + 4)))).toBe('truncated');
  });

  test('wrong checksum (RFC 2328 D.4.1)', () => {
    const bytes = encodePacket(hello);
    bytes[12] ^= 0x01;
    expect(reasonOf(() => decodePacket(bytes))).toBe('bad-checksum');
  });

  test('the authentication field is outside the checksum (RFC 2328 D.4.2)', () => {
    const bytes = encodePacket({ ...hello, auType: 1, auth: new TextEncoder().encode('secret\0\0') });
    bytes.set(new TextEncoder().encode('other\0\0\0'), 16);
    expect(decodePacket(bytes).auType).toBe(1);
  });

  test('cryptographic authentication skips the checksum (RFC 2328 D.4.3)', () => {
    const bytes = encodePacket({ ...hello, auType: 2, trailer: new Uint8Array(16).fill(0xab) });
    expect(bytes[12]).toBe(0);
    expect(bytes[13]).toBe(0);
    bytes[44] ^= 0xff; // a body byte: only the digest would catch this, and that is not the codec's job
    const p = decodePacket(bytes);
    expect(p.trailer.length).toBe(16);
  });

  test('bytes after the packet length are the trailer', () => {
    const bytes = encodePacket({ ...hello, trailer: hex('000000010000000c') });
    const p = decodePacket(bytes);
    expect(Array.from(p.trailer)).toEqual([0, 0, 0, 1, 0, 0, 0, 12]);
    expect(encodePacket(p)).toEqual(bytes);
  });

  test('input that is not a Uint8Array', () => {
    expect(reasonOf(() => decodePacket('hello' as unknown as Uint8Array))).toBe('not-bytes');
  });
});

describe('packet bodies (RFC 2328 A.3.2 to A.3.6)', () => {
  test('hello body shorter than its fixed part', () => {
    expect(reasonOf(() => decodePacket(withLength(encodePacket(hello), 24 + 19)))).toBe('truncated');
  });

  test('hello neighbor list not a multiple of 4', () => {
    expect(reasonOf(() => decodePacket(withLength(encodePacket(hello), 24 + 22)))).toBe('bad-length');
  });

  test('DD with a partial LSA header', () => {
    const bytes = encodePacket({ ...common, type: PacketType.DbDescription, mtu: 1500, options: 2, flags: 7, ddSeq: 1, lsaHeaders: [routerLsa] });
    expect(reasonOf(() => decodePacket(withLength(bytes, bytes.length - 4)))).toBe('bad-length');
  });

  test('LS request with a partial entry', () => {
    const bytes = encodePacket({ ...common, type: PacketType.LsRequest, requests: [{ type: 1, lsId: 1, advRouter: 1 }] });
    expect(reasonOf(() => decodePacket(withLength(bytes, bytes.length - 1)))).toBe('bad-length');
  });

  test('LS ack with a partial header', () => {
    const bytes = encodePacket({ ...common, type: PacketType.LsAck, lsaHeaders: [routerLsa] });
    expect(reasonOf(() => decodePacket(withLength(bytes, bytes.length - 2)))).toBe('bad-length');
  });

  test('LS update claiming more LSAs than its bytes can hold', () => {
    const bytes = encodePacket(update);
    new DataView(bytes.buffer).setUint32(24, 0xffffffff);
    reseal(bytes, bytes.length);
    expect(reasonOf(() => decodePacket(bytes))).toBe('bad-lsa-count');
  });

  test('LS update with fewer LSAs than its bytes', () => {
    const bytes = encodePacket({ ...update, lsas: [routerLsa, routerLsa] });
    new DataView(bytes.buffer).setUint32(24, 1);
    reseal(bytes, bytes.length);
    expect(reasonOf(() => decodePacket(bytes))).toBe('bad-length');
  });

  test('LS update whose LSA length runs past the packet', () => {
    const bytes = encodePacket(update);
    new DataView(bytes.buffer).setUint16(28 + 18, routerLsa.length + 4);
    reseal(bytes, bytes.length);
    expect(reasonOf(() => decodePacket(bytes))).toBe('bad-lsa-length');
  });

  test('LS update whose LSA length is below the LSA header', () => {
    const bytes = encodePacket(update);
    new DataView(bytes.buffer).setUint16(28 + 18, 19);
    reseal(bytes, bytes.length);
    expect(reasonOf(() => decodePacket(bytes))).toBe('bad-lsa-length');
  });

  test('LS update cut inside an LSA header', () => {
    const bytes = encodePacket({ ...update, lsas: [routerLsa, routerLsa] });
    // 46 bytes could hold the count of two headers, but the second header is cut short.
    expect(reasonOf(() => decodePacket(withLength(bytes, 24 + 4 + routerLsa.length + 10)))).toBe('truncated');
  });

  test('an LSA with a bad checksum still decodes: dropping it is the receiver’s step (RFC 2328 13 (1))', () => {
    const bytes = encodePacket(update);
    bytes[28 + 30] ^= 0x01;
    reseal(bytes, bytes.length);
    const p = decodePacket(bytes) as LsUpdatePacket;
    expect(verifyLsaChecksum(p.lsas[0].raw)).toBe(false);
  });
});

describe('LSAs (RFC 2328 A.4)', () => {
  test('decodeLsa: shorter than a header, length below 20, length beyond the bytes', () => {
    expect(reasonOf(() => decodeLsa(routerLsa.raw.subarray(0, 19)))).toBe('truncated');
    const short = routerLsa.raw.slice();
    short[19] = 19;
    expect(reasonOf(() => decodeLsa(short))).toBe('bad-lsa-length');
    expect(reasonOf(() => decodeLsa(routerLsa.raw.subarray(0, routerLsa.length - 1)))).toBe('bad-lsa-length');
  });

  test('decodeLsa keeps exactly length bytes of a longer buffer', () => {
    const longer = new Uint8Array(routerLsa.length + 8);
    longer.set(routerLsa.raw);
    expect(decodeLsa(longer).raw.length).toBe(routerLsa.length);
  });

  test('decodeLsaHeader bounds', () => {
    expect(reasonOf(() => decodeLsaHeader(routerLsa.raw, routerLsa.length - 19))).toBe('truncated');
    expect(reasonOf(() => decodeLsaHeader(routerLsa.raw, -1))).toBe('truncated');
    expect(decodeLsaHeader(routerLsa.raw, 0)).toMatchObject({ type: 1, length: routerLsa.length });
  });

  test('router-LSA claiming more links than it holds', () => {
    const raw = routerLsa.raw.slice();
    raw[23] = 2;
    expect(reasonOf(() => decodeLsaBody(decodeLsa(raw)))).toBe('bad-lsa-length');
  });

  test('router-LSA with bytes after its last link', () => {
    const raw = new Uint8Array(routerLsa.length + 4);
    raw.set(routerLsa.raw);
    raw[19] += 4;
    expect(reasonOf(() => decodeLsaBody(decodeLsa(raw)))).toBe('bad-lsa-length');
  });

  test('router-LSA link claiming TOS entries it does not hold', () => {
    const raw = routerLsa.raw.slice();
    raw[33] = 1;
    expect(reasonOf(() => decodeLsaBody(decodeLsa(raw)))).toBe('truncated');
  });

  test('network-LSA, summary-LSA and AS-external-LSA with ragged bodies', () => {
    const network = buildLsa({ ...routerLsa, type: LsaType.Network }, { kind: 'network', networkMask: 0xffffff00, attachedRouters: [1, 2] });
    const summary = buildLsa({ ...routerLsa, type: LsaType.SummaryNetwork }, { kind: 'summary', networkMask: 0xffffff00, metric: 1, tos: [] });
    const external = buildLsa(
      { ...routerLsa, type: LsaType.AsExternal },
      { kind: 'external', networkMask: 0xffffffff, routes: [{ eBit: true, tos: 0, metric: 1, forwardingAddress: 0, routeTag: 0 }] },
    );
    for (const lsa of [network, summary, external]) {
      const raw = lsa.raw.slice(0, lsa.length - 2);
      raw[19] -= 2;
      expect(reasonOf(() => decodeLsaBody(decodeLsa(raw)))).toMatch(/^(bad-lsa-length|truncated)$/);
    }
  });

  test('AS-external-LSA without its TOS 0 route', () => {
    const raw = new Uint8Array(24);
    raw[3] = LsaType.AsExternal;
    raw[19] = 24;
    expect(reasonOf(() => decodeLsaBody(decodeLsa(raw)))).toBe('bad-lsa-length');
  });

  test('lsaChecksum needs a whole LSA; verifyLsaChecksum says false', () => {
    expect(reasonOf(() => lsaChecksum(routerLsa.raw.subarray(0, 10)))).toBe('truncated');
    expect(reasonOf(() => lsaChecksum(routerLsa.raw.subarray(0, 30)))).toBe('bad-lsa-length');
    expect(verifyLsaChecksum(routerLsa.raw.subarray(0, 30))).toBe(false);
    expect(verifyLsaChecksum(new Uint8Array(3))).toBe(false);
  });
});

describe('encoding bad objects', () => {
  test('field out of range', () => {
    expect(() => encodePacket({ ...hello, priority: 256 })).toThrow(EncodeError);
    expect(() => encodePacket({ ...hello, routerId: -1 })).toThrow(EncodeError);
    expect(() => encodePacket({ ...hello, neighbors: [1.5] })).toThrow(EncodeError);
    expect(() => encodePacket({ ...hello, auth: new Uint8Array(7) })).toThrow(EncodeError);
    expect(() => encodePacket({ ...hello, version: 3 })).toThrow(EncodeError);
  });

  test('packet longer than 65535 bytes', () => {
    expect(() => encodePacket({ ...hello, neighbors: new Array(16380).fill(1) })).toThrow(EncodeError);
  });

  test('LSA whose raw does not match its length field', () => {
    expect(() => encodePacket({ ...update, lsas: [{ ...routerLsa, raw: routerLsa.raw.subarray(0, 30) }] })).toThrow(EncodeError);
  });

  test('LS update writes the LSA age from the object (RFC 2328 13.3)', () => {
    const bytes = encodePacket({ ...update, lsas: [{ ...routerLsa, age: 42 }] });
    const p = decodePacket(bytes) as LsUpdatePacket;
    expect(p.lsas[0].age).toBe(42);
    expect(verifyLsaChecksum(p.lsas[0].raw)).toBe(true);
  });

  test('body kind not matching the LSA type', () => {
    expect(() => buildLsa({ ...routerLsa, type: LsaType.Network }, { kind: 'router', flags: 0, links: [] })).toThrow(EncodeError);
    expect(() => buildLsa({ ...routerLsa, type: LsaType.OpaqueArea }, { kind: 'router', flags: 0, links: [] })).toThrow(EncodeError);
  });

  test('AS-external-LSA needs its TOS 0 route; TOS above 127 does not fit beside the E-bit', () => {
    const header = { ...routerLsa, type: LsaType.AsExternal };
    expect(() => buildLsa(header, { kind: 'external', networkMask: 0, routes: [] })).toThrow(EncodeError);
    expect(() =>
      buildLsa(header, { kind: 'external', networkMask: 0, routes: [{ eBit: false, tos: 128, metric: 0, forwardingAddress: 0, routeTag: 0 }] }),
    ).toThrow(EncodeError);
  });

  test('sequence numbers: signed or their unsigned spelling, nothing beyond 32 bits (RFC 2328 12.1.6)', () => {
    const body: LsaBody = { kind: 'network', networkMask: 0xffffff00, attachedRouters: [1] };
    const header = { ...routerLsa, type: LsaType.Network };
    const unsigned = buildLsa({ ...header, seq: 0x80000001 }, body);
    expect(unsigned.seq).toBe(-0x7fffffff);
    expect(unsigned.raw).toEqual(buildLsa({ ...header, seq: -0x7fffffff }, body).raw);
    expect(() => buildLsa({ ...header, seq: 0x100000000 }, body)).toThrow(EncodeError);
    expect(() => buildLsa({ ...header, seq: -0x80000001 }, body)).toThrow(EncodeError);
  });

  test('24-bit metrics', () => {
    expect(() => buildLsa({ ...routerLsa, type: LsaType.SummaryNetwork }, { kind: 'summary', networkMask: 0, metric: 0x1000000, tos: [] })).toThrow(
      EncodeError,
    );
  });
});
