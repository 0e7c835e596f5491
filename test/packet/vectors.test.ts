// Byte vectors both ways: packets captured from real routers (the tcpdump
// captures in gopacket's layers/ospf_test.go), packets built by holo's
// interop-tested encoder (holo-ospf/tests/packet/ospfv2.rs), and hand-made
// LSAs for the body variants those lack, checked against an independent
// implementation of RFC 905 annex B.

import { describe, expect, test } from 'vitest';
import {
  AuType,
  DecodeError,
  LsaType,
  PacketType,
  buildLsa,
  decodeLsa,
  decodeLsaBody,
  decodePacket,
  encodePacket,
  lsaChecksum,
  verifyLsaChecksum,
  type Lsa,
  type LsaBody,
  type OspfPacket,
} from '../../src/packet/index.js';
import { parseIpv4 as ip } from '../../src/lib/ipv4.js';
import { hex, toHex } from './helpers.js';

/** Decode, then check that encoding gives back exactly the same bytes. */
function roundTrip(bytes: Uint8Array): OspfPacket {
  const packet = decodePacket(bytes);
  expect(toHex(encodePacket(packet))).toBe(toHex(bytes));
  return packet;
}

function lsasOf(packet: OspfPacket): Lsa[] {
  if (packet.type !== PacketType.LsUpdate) throw new Error(`expected an LS Update, got type ${packet.type}`);
  return packet.lsas;
}

/** The LSA rebuilt from its decoded header and body must be the same bytes (RFC 2328 12.1.7 checksum included). */
function rebuild(lsa: Lsa): Uint8Array {
  const body = decodeLsaBody(lsa);
  return buildLsa({ age: lsa.age, options: lsa.options, type: lsa.type, lsId: lsa.lsId, advRouter: lsa.advRouter, seq: lsa.seq }, body).raw;
}

// Captured on a broadcast network, area 0.0.0.1 (gopacket testPacketOSPF2*).
const capturedHello = hex('0201002cc0a8aa0800000001273b00000000000000000000ffffff00000a020100000028c0a8aa0800000000');
const capturedDd = hex('02020020c0a8aa0800000001a0520000000000000000000005dc02074177a97e');
const capturedLsr = hex('02030024c0a8aa0300000001bdc70000000000000000000000000001c0a8aa08c0a8aa08');
const capturedLsu = hex(
  '02040124c0a8aa0300000001366b0000000000000000000000000007' +
    '00020201c0a8aa03c0a8aa03800000013a9c003002000002c0a8aa00ffffff000300000ac0a8aa00ffffff000300000a' +
    '0003020550d41000c0a8aa02800000012a490024ffffffff80000014000000000000000000' +
    '0302059479ab00c0a8aa028000000134a50024ffffff0080000014c0a8aa0100000000' +
    '00030205c0827800c0a8aa0280000001d3190024ffffff00800000140000000000000000' +
    '00030205c0a80000c0a8aa028000000137080024ffffff00800000140000000000000000' +
    '00030205c0a80100c0a8aa02800000012c120024ffffff00800000140000000000000000' +
    '00030205c0a8ac00c0a8aa028000000133410024ffffff0080000014c0a8aa0a00000000',
);
const capturedLsAck = hex('0205002cc0a8aa0800000001e2f4000000000000000000000e100201c0a8aa02c0a8aa02800000014a8e0030');
// Captured in area 12 with the packet checksum field zero: the LSAs are good, the packet is not.
const capturedLsuZeroChecksum = hex(
  '02040058ac1804460000000c000000000000000000000000000000020001' +
    '2801ac180446ac1804468000041a6025002400000001ac181b56ac181b5602000001' +
    '00012802ac181b56ac1804468000041f390e0028fffffff8ac180446ac180445ac181b53ac181b54',
);
const capturedNssaLsas = [
  hex('000108070ac84f60ac181b54800003a64d080024ffffffe080000100ac181b5400000000'),
  hex('000108070a809300ac181b54800003a643d60024ffffff8080000100ac181b5400000000'),
];

// Built by holo (MIT), area 0.0.0.1 unless noted.
const holoHello = hex('020100300202020200000001f69e00000000000000000000ffffff000003020100000024000000000000000001010101');
const holoHelloMd5 = hex(
  '02010034010101010000000000000002000001103245d014ffffff00000302010000000c0a0001030a000102020202020303030' +
    '39dd5a80386ee7167441a37a90427fcc7',
);
const holoDd = hex(
  '020200480101010100000001d89e0000000000000000000005dc42004eb88f2e' +
    '0003020101010101010101018000000248d60030' +
    '00030205ac1001000101010180000001fcff0024',
);
const holoLsr = hex('02030030020202020000000146ab0000000000000000000000000001010101010101010100000005ac10010001010101');
const holoLsu = hex(
  '02040078020202020000000140a1000000000000000000000000000300310201020202020202020280000002' +
    '37f40024010000010a000100ffffff000300000a00310203020202020202020280000001d27a001cffffffff00000000' +
    '003102030a0002000202020280000001fa44001cffffff000000000a',
);
const holoLsAck = hex(
  '020500540101010100000001a02e00000000000000000000' +
    '000102030303030302020202800000010936001c' +
    '000102030a000300020202028000000154df001c' +
    '000102030a000400020202028000000149e9001c',
);
const holoRouterInfo = hex(
  '0001420a040000000101010180000001d5b7006c000100041000000000070004686f6c6f000a000c00000001000000020000' +
    '0003000a000c00000004000000050000000600080001000000000009000b001f400000010003003e8000000e000b0003e800' +
    '00010003003a9800',
);
const holoGrace = hex('000142090300000006060606800000017ef4002400010004000000780002000100000000');

describe('Hello (RFC 2328 A.3.2)', () => {
  test('captured hello decodes and re-encodes byte for byte', () => {
    const p = roundTrip(capturedHello);
    expect(p).toMatchObject({
      version: 2,
      type: PacketType.Hello,
      routerId: ip('192.168.170.8'),
      areaId: 1,
      checksum: 0x273b,
      auType: AuType.Null,
      networkMask: ip('255.255.255.0'),
      helloInterval: 10,
      options: 0x02,
      priority: 1,
      deadInterval: 40,
      dr: ip('192.168.170.8'),
      bdr: 0,
      neighbors: [],
    });
    expect(p.trailer.length).toBe(0);
  });

  test('hello with a neighbor, both ways', () => {
    const p = roundTrip(holoHello);
    expect(p).toMatchObject({ routerId: ip('2.2.2.2'), helloInterval: 3, deadInterval: 36, dr: 0, neighbors: [ip('1.1.1.1')] });
  });

  test('keyed-MD5 hello: checksum not computed, digest carried in the trailer (RFC 2328 D.4.3)', () => {
    const p = roundTrip(holoHelloMd5);
    expect(p.auType).toBe(AuType.Cryptographic);
    expect(p.checksum).toBe(0);
    // Key ID 1, auth data length 16, cryptographic sequence number 843436052.
    expect(toHex(p.auth)).toBe('000001103245d014');
    expect(toHex(p.trailer)).toBe('9dd5a80386ee7167441a37a90427fcc7');
    expect(p).toMatchObject({ dr: ip('10.0.1.3'), bdr: ip('10.0.1.2'), neighbors: [ip('2.2.2.2'), ip('3.3.3.3')] });
  });

  test('built from fields gives the captured bytes', () => {
    const bytes = encodePacket({
      version: 2,
      type: PacketType.Hello,
      routerId: ip('192.168.170.8'),
      areaId: 1,
      checksum: 0,
      auType: 0,
      auth: new Uint8Array(8),
      trailer: new Uint8Array(0),
      networkMask: ip('255.255.255.0'),
      helloInterval: 10,
      options: 0x02,
      priority: 1,
      deadInterval: 40,
      dr: ip('192.168.170.8'),
      bdr: 0,
      neighbors: [],
    });
    expect(toHex(bytes)).toBe(toHex(capturedHello));
  });
});

describe('Database Description (RFC 2328 A.3.3)', () => {
  test('captured initial DD (I, M, MS set, no headers)', () => {
    const p = roundTrip(capturedDd);
    expect(p).toMatchObject({ type: PacketType.DbDescription, mtu: 1500, options: 0x02, flags: 0x07, ddSeq: 1098361214, lsaHeaders: [] });
  });

  test('DD with two LSA headers, both ways', () => {
    const p = roundTrip(holoDd);
    expect(p).toMatchObject({
      mtu: 1500,
      options: 0x42,
      flags: 0,
      ddSeq: 1320718126,
      lsaHeaders: [
        { age: 3, options: 0x02, type: LsaType.Router, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1'), seq: -0x7ffffffe, checksum: 0x48d6, length: 48 },
        { age: 3, options: 0x02, type: LsaType.AsExternal, lsId: ip('172.16.1.0'), advRouter: ip('1.1.1.1'), seq: -0x7fffffff, checksum: 0xfcff, length: 36 },
      ],
    });
  });
});

describe('Link State Request (RFC 2328 A.3.4)', () => {
  test('captured request', () => {
    const p = roundTrip(capturedLsr);
    expect(p).toMatchObject({ type: PacketType.LsRequest, requests: [{ type: 1, lsId: ip('192.168.170.8'), advRouter: ip('192.168.170.8') }] });
  });

  test('request for a router-LSA and an AS-external-LSA', () => {
    const p = roundTrip(holoLsr);
    expect(p).toMatchObject({
      requests: [
        { type: 1, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1') },
        { type: 5, lsId: ip('172.16.1.0'), advRouter: ip('1.1.1.1') },
      ],
    });
  });
});

describe('Link State Update (RFC 2328 A.3.5) and LSA bodies (A.4)', () => {
  test('captured update: a router-LSA and six AS-external-LSAs', () => {
    const lsas = lsasOf(roundTrip(capturedLsu));
    expect(lsas).toHaveLength(7);
    const [router, ...externals] = lsas;
    expect(router).toMatchObject({ age: 2, options: 0x02, type: 1, lsId: ip('192.168.170.3'), seq: -0x7fffffff, checksum: 0x3a9c, length: 48 });
    expect(decodeLsaBody(router)).toEqual({
      kind: 'router',
      flags: 0x02,
      links: [
        { linkId: ip('192.168.170.0'), linkData: ip('255.255.255.0'), type: 3, metric: 10, tos: [] },
        { linkId: ip('192.168.170.0'), linkData: ip('255.255.255.0'), type: 3, metric: 10, tos: [] },
      ],
    });
    expect(externals.map((l) => l.checksum)).toEqual([0x2a49, 0x34a5, 0xd319, 0x3708, 0x2c12, 0x3341]);
    expect(decodeLsaBody(externals[1])).toEqual({
      kind: 'external',
      networkMask: ip('255.255.255.0'),
      routes: [{ eBit: true, tos: 0, metric: 20, forwardingAddress: ip('192.168.170.1'), routeTag: 0 }],
    });
    // The LSAs are views into the packet: no copy on decode.
    expect(router.raw.buffer).toBe(capturedLsu.buffer);
    expect(router.raw.byteOffset).toBe(capturedLsu.byteOffset + 28);
  });

  test('update built by holo: router-LSA (B set) and two summary-LSAs', () => {
    const lsas = lsasOf(roundTrip(holoLsu));
    expect(lsas.map((l) => [l.type, l.checksum])).toEqual([
      [1, 0x37f4],
      [3, 0xd27a],
      [3, 0xfa44],
    ]);
    expect(decodeLsaBody(lsas[0])).toEqual({
      kind: 'router',
      flags: 0x01,
      links: [{ linkId: ip('10.0.1.0'), linkData: ip('255.255.255.0'), type: 3, metric: 10, tos: [] }],
    });
    expect(decodeLsaBody(lsas[2])).toEqual({ kind: 'summary', networkMask: ip('255.255.255.0'), metric: 10, tos: [] });
  });

  test('a packet whose checksum field is zero is rejected, its LSAs are still good (RFC 2328 D.4.1)', () => {
    expect(() => decodePacket(capturedLsuZeroChecksum)).toThrow(DecodeError);
    try {
      decodePacket(capturedLsuZeroChecksum);
    } catch (error) {
      expect((error as DecodeError).reason).toBe('bad-checksum');
    }
    const router = decodeLsa(capturedLsuZeroChecksum.subarray(28));
    expect(router).toMatchObject({ type: 1, options: 0x28, seq: 0x8000041a | 0, checksum: 0x6025, length: 36 });
    expect(decodeLsaBody(router)).toEqual({
      kind: 'router',
      flags: 0,
      links: [{ linkId: ip('172.24.27.86'), linkData: ip('172.24.27.86'), type: 2, metric: 1, tos: [] }],
    });
    const network = decodeLsa(capturedLsuZeroChecksum.subarray(28 + 36));
    expect(decodeLsaBody(network)).toEqual({
      kind: 'network',
      networkMask: ip('255.255.255.248'),
      attachedRouters: [ip('172.24.4.70'), ip('172.24.4.69'), ip('172.24.27.83'), ip('172.24.27.84')],
    });
  });

  test('captured NSSA (type 7) LSAs', () => {
    const lsa = decodeLsa(capturedNssaLsas[0]);
    expect(lsa).toMatchObject({ type: LsaType.Nssa, options: 0x08, lsId: ip('10.200.79.96'), checksum: 0x4d08 });
    expect(decodeLsaBody(lsa)).toEqual({
      kind: 'external',
      networkMask: ip('255.255.255.224'),
      routes: [{ eBit: true, tos: 0, metric: 256, forwardingAddress: ip('172.24.27.84'), routeTag: 0 }],
    });
  });

  test('opaque LSAs keep their body bytes (RFC 5250)', () => {
    const ri = decodeLsa(holoRouterInfo);
    expect(ri).toMatchObject({ type: LsaType.OpaqueArea, lsId: 0x04000000, checksum: 0xd5b7, length: 108 });
    const body = decodeLsaBody(ri) as Extract<LsaBody, { kind: 'opaque' }>;
    expect(body.kind).toBe('opaque');
    expect(toHex(body.data)).toBe(toHex(holoRouterInfo.subarray(20)));
    const grace = decodeLsa(holoGrace);
    expect(grace.type).toBe(LsaType.OpaqueLink);
  });
});

describe('Link State Acknowledgment (RFC 2328 A.3.6)', () => {
  test('captured ack of a MaxAge router-LSA', () => {
    const p = roundTrip(capturedLsAck);
    expect(p).toMatchObject({
      type: PacketType.LsAck,
      lsaHeaders: [{ age: 3600, options: 2, type: 1, lsId: ip('192.168.170.2'), advRouter: ip('192.168.170.2'), seq: -0x7fffffff, checksum: 0x4a8e, length: 48 }],
    });
  });

  test('ack of three summary-LSAs', () => {
    const p = roundTrip(holoLsAck);
    if (p.type !== PacketType.LsAck) throw new Error('not an ack');
    expect(p.lsaHeaders.map((h) => h.checksum)).toEqual([0x0936, 0x54df, 0x49e9]);
  });
});

describe('LS checksum (RFC 2328 12.1.7, RFC 905 annex B)', () => {
  const realLsas: Array<[string, Lsa]> = [
    ...lsasOf(decodePacket(capturedLsu)).map((l, i): [string, Lsa] => [`captured update #${i}`, l]),
    ...lsasOf(decodePacket(holoLsu)).map((l, i): [string, Lsa] => [`holo update #${i}`, l]),
    ['captured router-LSA, area 12', decodeLsa(capturedLsuZeroChecksum.subarray(28))],
    ['captured network-LSA, area 12', decodeLsa(capturedLsuZeroChecksum.subarray(64))],
    ...capturedNssaLsas.map((raw, i): [string, Lsa] => [`captured NSSA-LSA #${i}`, decodeLsa(raw)]),
    ['holo router information opaque LSA', decodeLsa(holoRouterInfo)],
    ['holo grace opaque LSA', decodeLsa(holoGrace)],
  ];

  test.each(realLsas)('%s: computed checksum equals the one on the wire and verifies', (_name, lsa) => {
    expect(lsaChecksum(lsa.raw)).toBe(lsa.checksum);
    expect(verifyLsaChecksum(lsa.raw)).toBe(true);
  });

  test.each(realLsas.filter(([, l]) => l.type <= 7))('%s: rebuilt from its decoded body gives the same bytes', (_name, lsa) => {
    expect(toHex(rebuild(lsa))).toBe(toHex(lsa.raw));
  });

  test('the age is outside the checksum (RFC 2328 12.1.7)', () => {
    const raw = capturedNssaLsas[0].slice();
    raw[0] = 0x0e;
    raw[1] = 0x10;
    expect(verifyLsaChecksum(raw)).toBe(true);
  });

  test('a flipped bit anywhere after the age fails verification (RFC 2328 13 (1))', () => {
    const raw = decodeLsa(holoRouterInfo).raw;
    for (let bit = 16; bit < raw.length * 8; bit++) {
      const copy = raw.slice();
      copy[bit >> 3] ^= 0x80 >> (bit & 7);
      expect(verifyLsaChecksum(copy), `bit ${bit}`).toBe(false);
    }
  });

  test('a zero checksum field never verifies', () => {
    const raw = capturedNssaLsas[1].slice();
    raw[16] = 0;
    raw[17] = 0;
    expect(verifyLsaChecksum(raw)).toBe(false);
  });
});

describe('hand-made LSAs for the remaining body variants', () => {
  // Each hex was produced by an independent implementation of RFC 905 annex B.
  test('summary-LSA type 4 (ASBR) with a TOS entry', () => {
    const raw = hex('000522040a0000090a00000180000005e2a30020000000000001117008000005');
    const body: LsaBody = { kind: 'summary', networkMask: 0, metric: 70000, tos: [{ tos: 8, metric: 5 }] };
    expect(decodeLsaBody(decodeLsa(raw))).toEqual(body);
    const built = buildLsa({ age: 5, options: 0x22, type: LsaType.SummaryAsbr, lsId: ip('10.0.0.9'), advRouter: ip('10.0.0.1'), seq: -0x7ffffffb }, body);
    expect(toHex(built.raw)).toBe(toHex(raw));
    expect(built.checksum).toBe(0xe2a3);
  });

  test('router-LSA with B and E, a point-to-point link with a TOS metric and a virtual link, MaxSequenceNumber', () => {
    const raw = hex('000002010a0000010a0000017fffffffe6ea0034030000020a0000020a0101010101000a040000140a0000030a0101020400ffff');
    const body: LsaBody = {
      kind: 'router',
      flags: 0x03,
      links: [
        { linkId: ip('10.0.0.2'), linkData: ip('10.1.1.1'), type: 1, metric: 10, tos: [{ tos: 4, metric: 20 }] },
        { linkId: ip('10.0.0.3'), linkData: ip('10.1.1.2'), type: 4, metric: 65535, tos: [] },
      ],
    };
    expect(decodeLsaBody(decodeLsa(raw))).toEqual(body);
    const built = buildLsa({ age: 0, options: 0x02, type: LsaType.Router, lsId: ip('10.0.0.1'), advRouter: ip('10.0.0.1'), seq: 0x7fffffff }, body);
    expect(toHex(built.raw)).toBe(toHex(raw));
  });

  test('AS-external-LSA at MaxAge: type 1 metric TOS 0 route with tag, then an E-bit TOS 2 route', () => {
    const raw = hex('0e1020050acece010a0000018000000110320030ffffffff000000010a000063deadbeef82ffffff0000000000000007');
    const body: LsaBody = {
      kind: 'external',
      networkMask: 0xffffffff,
      routes: [
        { eBit: false, tos: 0, metric: 1, forwardingAddress: ip('10.0.0.99'), routeTag: 0xdeadbeef },
        { eBit: true, tos: 2, metric: 0xffffff, forwardingAddress: 0, routeTag: 7 },
      ],
    };
    expect(decodeLsaBody(decodeLsa(raw))).toEqual(body);
    const built = buildLsa({ age: 3600, options: 0x20, type: LsaType.AsExternal, lsId: ip('10.206.206.1'), advRouter: ip('10.0.0.1'), seq: -0x7fffffff }, body);
    expect(toHex(built.raw)).toBe(toHex(raw));
    expect(built.checksum).toBe(0x1032);
  });
});
