// The codecs against real routers: every OSPF packet that FRR 8.4 and BIRD
// 2.0.12 exchanged in the namespace lab of test/fixtures/capture.sh must
// decode, re-encode to the same bytes and carry valid checksums; the captures
// must keep covering every packet and LSA type; and what the packets say must
// match the lab's configuration (test/fixtures/README.md).

import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  AuType,
  DdFlags,
  LsaType,
  Options,
  PacketType,
  RouterFlags,
  RouterLinkType,
  buildLsa,
  decodeLsaBody,
  decodePacket,
  encodePacket,
  verifyLsaChecksum,
  type ExternalLsaBody,
  type HelloPacket,
  type Lsa,
  type LsaBody,
  type NetworkLsaBody,
  type OspfPacket,
  type RouterLsaBody,
  type SummaryLsaBody,
} from '../../src/packet/index.js';
import { maskFromLength, parseIpv4 as ip } from '../../src/lib/ipv4.js';
import { PcapFormatError, readOspfPackets, type CapturedIpPacket } from '../helpers/pcap.js';
import { toHex } from './helpers.js';

/** The captures, with the area each one was taken in and its authentication. */
const fixtures = [
  { name: 'lan-a', area: 0, auType: AuType.Null },
  { name: 'p2p-md5', area: 0, auType: AuType.Cryptographic },
  { name: 'p2p-sha', area: 0, auType: AuType.Cryptographic },
  { name: 'area1-simple', area: 1, auType: AuType.Simple },
  { name: 'nssa-p2p', area: 2, auType: AuType.Null },
] as const;

/** The keys configured in capture.sh: keyed MD5 is key id 1, HMAC-SHA-256 key id 2. */
const md5Key = 'labmd5key';
const sha256Key = 'labsha256key';
const simplePassword = 'labpass';

interface Captured {
  at: string; // "lan-a record 12", for messages
  ip: CapturedIpPacket;
  packet: OspfPacket;
}

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/${name}.pcap`, import.meta.url)));
}

/** Decoded once here; the tests below assert on it. A decode failure fails the first test of its fixture. */
function load(name: string): { captured: Captured[]; failures: string[] } {
  const captured: Captured[] = [];
  const failures: string[] = [];
  for (const ipPacket of readOspfPackets(fixtureBytes(name))) {
    const at = `${name} record ${ipPacket.record}`;
    try {
      captured.push({ at, ip: ipPacket, packet: decodePacket(ipPacket.payload) });
    } catch (error) {
      failures.push(`${at}: ${String(error)} (packet ${toHex(ipPacket.payload)})`);
    }
  }
  return { captured, failures };
}

const loaded = new Map(fixtures.map((f) => [f.name, load(f.name)]));
const all: Captured[] = fixtures.flatMap((f) => loaded.get(f.name)!.captured);

/** Every LSA carried whole (LS Updates) whose body decodes, with where it was seen. */
const allLsas: { at: string; area: number; lsa: Lsa; body: LsaBody }[] = [];
/** LSAs whose body does not decode: a test below requires there be none. */
const bodyFailures: string[] = [];
for (const c of all) {
  if (c.packet.type !== PacketType.LsUpdate) continue;
  for (const lsa of c.packet.lsas) {
    try {
      allLsas.push({ at: c.at, area: c.packet.areaId, lsa, body: decodeLsaBody(lsa) });
    } catch (error) {
      bodyFailures.push(`${c.at}, LSA type ${lsa.type}: ${String(error)} (LSA ${toHex(lsa.raw)})`);
    }
  }
}

function lsasOf(type: number, advRouter: string): { area: number; lsa: Lsa; body: LsaBody }[] {
  return allLsas.filter((x) => x.lsa.type === type && x.lsa.advRouter === ip(advRouter));
}

/** The newest instance seen of one LSA (highest sequence number, then lowest age). */
function newest(type: number, lsId: string, advRouter: string): { area: number; lsa: Lsa; body: LsaBody } {
  const instances = lsasOf(type, advRouter).filter((x) => x.lsa.lsId === ip(lsId));
  if (instances.length === 0) throw new Error(`no type ${type} LSA ${lsId} from ${advRouter} in the fixtures`);
  instances.sort((a, b) => b.lsa.seq - a.lsa.seq || a.lsa.age - b.lsa.age);
  return instances[0];
}

/** RFC 2328 D.4.1: the one's complement sum over the packet, the 8-byte authentication field left out, is all ones. */
function ospfChecksumHolds(bytes: Uint8Array): boolean {
  const length = (bytes[2] << 8) | bytes[3];
  let sum = 0;
  for (let i = 0; i < length; i += 2) {
    if (i >= 16 && i < 24) continue;
    sum += (bytes[i] << 8) | (i + 1 < length ? bytes[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** RFC 2328 D.4.3: the digest is MD5 over the packet (checksum 0) followed by the key padded to 16 bytes. */
function md5DigestHolds(bytes: Uint8Array, key: string): boolean {
  const length = (bytes[2] << 8) | bytes[3];
  const paddedKey = new Uint8Array(16);
  paddedKey.set(new TextEncoder().encode(key));
  const digest = createHash('md5').update(bytes.subarray(0, length)).update(paddedKey).digest();
  return toHex(digest) === toHex(bytes.subarray(length, length + 16));
}

/**
 * RFC 5709 3.3: HMAC-SHA-256 over the packet (checksum 0) followed by Apad,
 * 32 bytes of 0x878FE1F3 repeated; a key longer than 32 bytes is hashed first.
 */
function hmacSha256DigestHolds(bytes: Uint8Array, key: string): boolean {
  const length = (bytes[2] << 8) | bytes[3];
  let keyBytes: Uint8Array = new TextEncoder().encode(key);
  if (keyBytes.length > 32) keyBytes = createHash('sha256').update(keyBytes).digest();
  const apad = new Uint8Array(32);
  for (let i = 0; i < 32; i += 4) apad.set([0x87, 0x8f, 0xe1, 0xf3], i);
  const digest = createHmac('sha256', keyBytes).update(bytes.subarray(0, length)).update(apad).digest();
  return toHex(digest) === toHex(bytes.subarray(length, length + 32));
}

describe.each(fixtures)('$name', ({ name, area, auType }) => {
  const { captured, failures } = loaded.get(name)!;

  test('every OSPF packet decodes', () => {
    expect(failures).toEqual([]);
    expect(captured.length).toBeGreaterThan(0);
  });

  test('every packet re-encodes to the bytes captured', () => {
    for (const c of captured) expect(toHex(encodePacket(c.packet)), c.at).toBe(toHex(c.ip.payload));
  });

  test(`the area is ${area} and the authentication type ${auType} throughout`, () => {
    for (const c of captured) {
      expect(c.packet.areaId, c.at).toBe(area);
      expect(c.packet.auType, c.at).toBe(auType);
    }
  });

  test('every packet authenticates (RFC 2328 D.4)', () => {
    for (const c of captured) {
      switch (c.packet.auType) {
        case AuType.Null:
          expect(ospfChecksumHolds(c.ip.payload), c.at).toBe(true);
          expect(c.packet.trailer.length, c.at).toBe(0);
          break;
        case AuType.Simple:
          // D.4.2: the checksum as for Null, and the password in the clear, zero-padded.
          expect(ospfChecksumHolds(c.ip.payload), c.at).toBe(true);
          expect(new TextDecoder().decode(c.packet.auth).replace(/\0+$/, ''), c.at).toBe(simplePassword);
          expect(c.packet.trailer.length, c.at).toBe(0);
          break;
        case AuType.Cryptographic:
          // D.4.3: no checksum; key id, digest length, then the digest after the packet.
          expect(c.packet.checksum, c.at).toBe(0);
          expect(c.packet.trailer.length, c.at).toBe(c.packet.auth[3]);
          if (c.packet.auth[2] === 1) {
            expect(c.packet.auth[3], c.at).toBe(16);
            expect(md5DigestHolds(c.ip.payload, md5Key), c.at).toBe(true);
          } else {
            expect(c.packet.auth[2], c.at).toBe(2);
            expect(c.packet.auth[3], c.at).toBe(32);
            expect(hmacSha256DigestHolds(c.ip.payload, sha256Key), c.at).toBe(true);
          }
          break;
        default:
          throw new Error(`${c.at}: authentication type ${c.packet.auType} is not in the lab`);
      }
    }
  });

  test('every LSA has a valid Fletcher checksum and its length, and rebuilds from its decoded body (RFC 2328 12.1.7)', () => {
    for (const c of captured) {
      if (c.packet.type !== PacketType.LsUpdate) continue;
      for (const lsa of c.packet.lsas) {
        const at = `${c.at}, LSA type ${lsa.type} ${lsa.lsId.toString(16)} from ${lsa.advRouter.toString(16)}`;
        expect(verifyLsaChecksum(lsa.raw), at).toBe(true);
        expect(lsa.raw.length, at).toBe(lsa.length);
        const rebuilt = buildLsa(lsa, decodeLsaBody(lsa));
        expect(toHex(rebuilt.raw), at).toBe(toHex(lsa.raw));
      }
    }
  });

  test('the capture holds all five packet types', () => {
    const types = new Set(captured.map((c) => c.packet.type));
    expect([...types].sort((a, b) => a - b)).toEqual([
      PacketType.Hello,
      PacketType.DbDescription,
      PacketType.LsRequest,
      PacketType.LsUpdate,
      PacketType.LsAck,
    ]);
  });
});

describe('coverage of the fixtures together', () => {
  test('every LSA body decodes (RFC 2328 A.4)', () => {
    expect(bodyFailures).toEqual([]);
    expect(allLsas.length).toBeGreaterThan(0);
  });

  test('LSAs of types 1, 2, 3, 4, 5, 7 and opaque 9, 10, 11 are carried whole', () => {
    const types = new Set(allLsas.map((x) => x.lsa.type));
    for (const type of [
      LsaType.Router,
      LsaType.Network,
      LsaType.SummaryNetwork,
      LsaType.SummaryAsbr,
      LsaType.AsExternal,
      LsaType.Nssa,
      LsaType.OpaqueLink,
      LsaType.OpaqueArea,
      LsaType.OpaqueAs,
    ]) {
      expect(types.has(type), `LSA type ${type}`).toBe(true);
    }
  });

  test('router-LSAs carry point-to-point, transit and stub links, several kinds in one LSA', () => {
    const routerBodies = allLsas.flatMap((x) => (x.body.kind === 'router' ? [x.body] : []));
    const linkTypes = new Set(routerBodies.flatMap((b) => b.links.map((l) => l.type)));
    expect(linkTypes).toEqual(new Set([RouterLinkType.PointToPoint, RouterLinkType.Transit, RouterLinkType.Stub]));
    const mostKinds = Math.max(...routerBodies.map((b) => new Set(b.links.map((l) => l.type)).size));
    expect(mostKinds).toBe(3);
  });

  test('externals come with both metric types, with and without a forwarding address and a tag', () => {
    const routes = allLsas.flatMap((x) => (x.body.kind === 'external' ? x.body.routes : []));
    expect(new Set(routes.map((r) => r.eBit))).toEqual(new Set([true, false]));
    expect(routes.some((r) => r.forwardingAddress !== 0)).toBe(true);
    expect(routes.some((r) => r.forwardingAddress === 0)).toBe(true);
    expect(routes.some((r) => r.routeTag !== 0)).toBe(true);
  });

  test('all three authentication types, both digest lengths, and LSA headers in DD and LS Ack packets', () => {
    expect(new Set(all.map((c) => c.packet.auType))).toEqual(new Set([AuType.Null, AuType.Simple, AuType.Cryptographic]));
    const digestLengths = all.flatMap((c) => (c.packet.auType === AuType.Cryptographic ? [c.packet.trailer.length] : []));
    expect(new Set(digestLengths)).toEqual(new Set([16, 32]));
    const headerCount = (type: number) =>
      all.reduce(
        (n, c) =>
          n + (c.packet.type === type && 'lsaHeaders' in c.packet ? c.packet.lsaHeaders.length : 0),
        0,
      );
    expect(headerCount(PacketType.DbDescription)).toBeGreaterThan(0);
    expect(headerCount(PacketType.LsAck)).toBeGreaterThan(0);
  });

  test('both speakers are present: FRR and BIRD router ids send packets', () => {
    const senders = new Set(all.map((c) => c.packet.routerId));
    expect([...senders].sort((a, b) => a - b)).toEqual(
      ['10.255.0.1', '10.255.0.2', '10.255.0.3', '10.255.0.4', '10.255.0.5', '10.255.0.6'].map(ip),
    );
  });
});

describe('what the packets say matches the lab configuration', () => {
  test('Hellos on LAN A: 1 s / 4 s timers, /24 mask, r1 (priority 200) is DR and r2 BDR', () => {
    const hellos = loaded
      .get('lan-a')!
      .captured.flatMap((c) => (c.packet.type === PacketType.Hello ? [c.packet as HelloPacket] : []));
    for (const h of hellos) {
      expect(h.helloInterval).toBe(1);
      expect(h.deadInterval).toBe(4);
      expect(h.networkMask).toBe(maskFromLength(24));
    }
    const fromR1 = hellos.filter((h) => h.routerId === ip('10.255.0.1'));
    expect(fromR1.length).toBeGreaterThan(0);
    for (const h of fromR1) expect(h.priority).toBe(200);
    const last = fromR1[fromR1.length - 1];
    expect(last.dr).toBe(ip('10.0.0.1'));
    expect(last.bdr).toBe(ip('10.0.0.2'));
    expect([...last.neighbors].sort((a, b) => a - b)).toEqual([ip('10.255.0.2'), ip('10.255.0.3')]);
  });

  test('Hellos in the NSSA set the N/P bit and clear E (RFC 3101 2.1)', () => {
    const hellos = loaded.get('nssa-p2p')!.captured.filter((c) => c.packet.type === PacketType.Hello);
    expect(hellos.length).toBeGreaterThan(0);
    for (const c of hellos) {
      const options = (c.packet as HelloPacket).options;
      expect(options & Options.NP, c.at).toBe(Options.NP);
      expect(options & Options.E, c.at).toBe(0);
    }
  });

  test('Database Description packets start with I, M and MS set and carry the veth MTU', () => {
    const dds = all.flatMap((c) => (c.packet.type === PacketType.DbDescription ? [c.packet] : []));
    expect(dds.some((d) => d.flags === (DdFlags.I | DdFlags.M | DdFlags.MS))).toBe(true);
    for (const d of dds) expect(d.mtu).toBe(1500);
  });

  test('network-LSA of LAN A: originated by the DR r1, all three routers attached', () => {
    const { area, body } = newest(LsaType.Network, '10.0.0.1', '10.255.0.1');
    expect(area).toBe(0);
    const net = body as NetworkLsaBody;
    expect(net.networkMask).toBe(maskFromLength(24));
    expect([...net.attachedRouters].sort((a, b) => a - b)).toEqual(['10.255.0.1', '10.255.0.2', '10.255.0.3'].map(ip));
  });

  test('network-LSA of the area 1 segment: originated by BIRD (r4, DR), r2 and r4 attached', () => {
    const { area, body } = newest(LsaType.Network, '10.1.24.4', '10.255.0.4');
    expect(area).toBe(1);
    const net = body as NetworkLsaBody;
    expect([...net.attachedRouters].sort((a, b) => a - b)).toEqual(['10.255.0.2', '10.255.0.4'].map(ip));
  });

  test("BIRD's router-LSA for r3: ASBR, transit to the DR, p2p to r1 and r6, stubs for loopback, both /30s and 192.0.2.0/24", () => {
    const { body } = newest(LsaType.Router, '10.255.0.3', '10.255.0.3');
    const router = body as RouterLsaBody;
    expect(router.flags).toBe(RouterFlags.E);
    const links = router.links.map((l) => ({ type: l.type, linkId: l.linkId, linkData: l.linkData }));
    expect(links).toEqual(
      expect.arrayContaining([
        { type: RouterLinkType.Transit, linkId: ip('10.0.0.1'), linkData: ip('10.0.0.3') },
        { type: RouterLinkType.PointToPoint, linkId: ip('10.255.0.1'), linkData: ip('10.0.13.2') },
        { type: RouterLinkType.Stub, linkId: ip('10.0.13.0'), linkData: maskFromLength(30) },
        { type: RouterLinkType.PointToPoint, linkId: ip('10.255.0.6'), linkData: ip('10.0.36.1') },
        { type: RouterLinkType.Stub, linkId: ip('10.0.36.0'), linkData: maskFromLength(30) },
        { type: RouterLinkType.Stub, linkId: ip('192.0.2.0'), linkData: maskFromLength(24) },
        { type: RouterLinkType.Stub, linkId: ip('10.255.0.3'), linkData: maskFromLength(32) },
      ]),
    );
    expect(links.length).toBe(7);
  });

  test("FRR's router-LSA for r2 in area 0: area border and AS boundary router", () => {
    const { area, body } = newest(LsaType.Router, '10.255.0.2', '10.255.0.2');
    expect(area).toBe(0);
    expect((body as RouterLsaBody).flags & (RouterFlags.B | RouterFlags.E)).toBe(RouterFlags.B | RouterFlags.E);
  });

  test('r2, the ABR, summarises area 1 into area 0: 10.1.24.0/24 (type 3) and the ASBR r4 (type 4)', () => {
    const net = newest(LsaType.SummaryNetwork, '10.1.24.0', '10.255.0.2');
    expect(net.area).toBe(0);
    expect((net.body as SummaryLsaBody).networkMask).toBe(maskFromLength(24));
    expect((net.body as SummaryLsaBody).metric).toBe(10);
    const asbr = lsasOf(LsaType.SummaryAsbr, '10.255.0.2').filter((x) => x.lsa.lsId === ip('10.255.0.4'));
    expect(asbr.length).toBeGreaterThan(0);
    for (const x of asbr) expect(x.area).toBe(0);
  });

  test("BIRD's externals from r3: 198.51.100.0/24 E2 100 tag 7 via 10.0.0.2, 203.0.113.0/24 E1 20 via 10.0.0.1", () => {
    const externals = lsasOf(LsaType.AsExternal, '10.255.0.3').map((x) => ({ lsa: x.lsa, body: x.body as ExternalLsaBody }));
    const e2 = externals.find((x) => ((x.lsa.lsId & x.body.networkMask) >>> 0) === ip('198.51.100.0'));
    const e1 = externals.find((x) => ((x.lsa.lsId & x.body.networkMask) >>> 0) === ip('203.0.113.0'));
    expect(e2?.body.networkMask).toBe(maskFromLength(24));
    expect(e2?.body.routes).toEqual([{ eBit: true, tos: 0, metric: 100, forwardingAddress: ip('10.0.0.2'), routeTag: 7 }]);
    expect(e1?.body.routes).toEqual([{ eBit: false, tos: 0, metric: 20, forwardingAddress: ip('10.0.0.1'), routeTag: 0 }]);
    // BIRD's Link State IDs (its variant of RFC 2328 appendix E): a prefix whose
    // lowest network bit is 0 is named by its last address, others by the network.
    expect(e2?.lsa.lsId).toBe(ip('198.51.100.255'));
    expect(e1?.lsa.lsId).toBe(ip('203.0.113.0'));
  });

  test("BIRD's external from r4 in area 1: 198.18.0.0/15 E2 50 tag 42, no forwarding address", () => {
    const { body } = newest(LsaType.AsExternal, '198.18.0.0', '10.255.0.4');
    const ext = body as ExternalLsaBody;
    expect(ext.networkMask).toBe(maskFromLength(15));
    expect(ext.routes).toEqual([{ eBit: true, tos: 0, metric: 50, forwardingAddress: 0, routeTag: 42 }]);
  });

  test("FRR's external from r2: 100.64.2.0/24 E1 metric 15", () => {
    const { body } = newest(LsaType.AsExternal, '100.64.2.0', '10.255.0.2');
    const ext = body as ExternalLsaBody;
    expect(ext.routes.map((r) => ({ eBit: r.eBit, metric: r.metric }))).toEqual([{ eBit: false, metric: 15 }]);
  });

  test('NSSA: r5 originates 172.16.5.0/24 as type 7 (E2 40), r1 translates it to type 5 keeping the forwarding address', () => {
    const nssa = newest(LsaType.Nssa, '172.16.5.0', '10.255.0.5');
    expect(nssa.area).toBe(2);
    const route = (nssa.body as ExternalLsaBody).routes[0];
    expect({ eBit: route.eBit, metric: route.metric }).toEqual({ eBit: true, metric: 40 });
    // RFC 3101 2.3: a type-7 LSA to be translated carries a forwarding address.
    expect(route.forwardingAddress).not.toBe(0);
    expect(nssa.lsa.options & Options.NP).toBe(Options.NP);
    const translated = newest(LsaType.AsExternal, '172.16.5.0', '10.255.0.1');
    expect((translated.body as ExternalLsaBody).routes[0].forwardingAddress).toBe(route.forwardingAddress);
  });

  test('grace-LSA from r2 (RFC 3623 A): opaque type 3, grace period 1 s, reason software restart', () => {
    const grace = lsasOf(LsaType.OpaqueLink, '10.255.0.2');
    expect(grace.length).toBeGreaterThan(0);
    for (const { lsa, body } of grace) {
      expect(lsa.lsId >>> 24).toBe(3);
      const data = (body as { kind: 'opaque'; data: Uint8Array }).data;
      // TLV 1: grace period, 4 bytes; TLV 2: restart reason, 1 byte (padded).
      expect(toHex(data.subarray(0, 8))).toBe('0001000400000001');
      expect(toHex(data.subarray(8, 13))).toBe('0002000101');
    }
  });
});

describe('pcap reader', () => {
  test('reads Linux cooked SLL (v1) as it reads SLL2', () => {
    const sll2 = fixtureBytes('lan-a');
    // Rewrite each 20-byte SLL2 header as a 16-byte SLL one: packet type,
    // ARPHRD, address length, address, then the protocol.
    const parts: Uint8Array[] = [sll2.slice(0, 24)];
    new DataView(parts[0].buffer).setUint32(20, 113, true);
    const view = new DataView(sll2.buffer, sll2.byteOffset, sll2.byteLength);
    for (let off = 24; off < sll2.length; ) {
      const capLen = view.getUint32(off + 8, true);
      const frame = sll2.subarray(off + 16, off + 16 + capLen);
      const record = new Uint8Array(16 + capLen - 4);
      record.set(sll2.subarray(off, off + 16));
      const rv = new DataView(record.buffer);
      rv.setUint32(8, capLen - 4, true);
      rv.setUint32(12, view.getUint32(off + 12, true) - 4, true);
      rv.setUint16(16, frame[10]); // packet type
      record.set(frame.subarray(8, 10), 18); // ARPHRD type
      rv.setUint16(20, frame[11]); // address length
      record.set(frame.subarray(12, 20), 22); // address
      record.set(frame.subarray(0, 2), 30); // protocol
      record.set(frame.subarray(20), 32);
      parts.push(record);
      off += 16 + capLen;
    }
    const sll = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (sll.set(p, at), at + p.length), 0);
    const strip = (packets: CapturedIpPacket[]) => packets.map((p) => [p.src, p.dst, toHex(p.payload)]);
    expect(strip(readOspfPackets(sll))).toEqual(strip(readOspfPackets(sll2)));
  });

  test('records come in time order, each capture spanning the lab run', () => {
    for (const { name } of fixtures) {
      const stamps = readOspfPackets(fixtureBytes(name)).map((p) => p.timestampUs);
      for (let i = 1; i < stamps.length; i++) expect(stamps[i], `${name} packet ${i}`).toBeGreaterThanOrEqual(stamps[i - 1]);
      // From the first Hello to the graceful restart: more than the 4 s of a Dead interval, under 2 minutes.
      expect(stamps[stamps.length - 1] - stamps[0], name).toBeGreaterThan(4_000_000);
      expect(stamps[stamps.length - 1] - stamps[0], name).toBeLessThan(120_000_000);
    }
  });

  test('rejects a file that is not classic pcap, and one cut short', () => {
    expect(() => readOspfPackets(new TextEncoder().encode('not a capture file at all'))).toThrow(PcapFormatError);
    const whole = fixtureBytes('p2p-md5');
    expect(() => readOspfPackets(whole.subarray(0, whole.length - 3))).toThrow(PcapFormatError);
  });
});
