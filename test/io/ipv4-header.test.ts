// The IPv4 header decoder and the RFC 2328 8.2 receive checks of
// src/io/ipv4-header.ts: byte vectors, each drop reason, and a seeded fuzz
// run that must never throw.
import { describe, expect, it } from 'vitest';
import { checkReceived, decodeIpv4, internetChecksum, type ReceiveContext } from '../../src/io/ipv4-header.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';
import { seeds } from '../helpers/seeds.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

// A Hello's IP header as Linux sends it from 10.77.0.1 to 224.0.0.5:
// TOS 0xC0, Total Length 64, DF, TTL 1, protocol 89, checksum 0x7c1e.
const HEADER = '45c00040 12344000 01597c1e 0a4d0001 e0000005';
const HELLO = '0201002c0a4d000100000000000000000000000000000000ffffff00000a0201000000280000000000000000';
const PACKET = hex(HEADER + HELLO);

const broadcast: ReceiveContext = { networkType: 'broadcast', addresses: [{ address: parseIpv4('10.77.0.2'), prefixLength: 24 }] };

/** An IPv4 header with a correct checksum, computed here independently of the code under test. */
function build(fields: { ihl?: number; tos?: number; total?: number; flagsFrag?: number; ttl?: number; proto?: number; src: string; dst: string; options?: string }, payload: Uint8Array): Uint8Array {
  const options = hex(fields.options ?? '');
  const headerLength = 20 + options.length;
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, 0x40 | (fields.ihl ?? headerLength / 4));
  view.setUint8(1, fields.tos ?? 0xc0);
  view.setUint16(2, fields.total ?? out.length);
  view.setUint16(6, fields.flagsFrag ?? 0x4000);
  view.setUint8(8, fields.ttl ?? 1);
  view.setUint8(9, fields.proto ?? 89);
  view.setUint32(12, parseIpv4(fields.src));
  view.setUint32(16, parseIpv4(fields.dst));
  out.set(options, 20);
  out.set(payload, headerLength);
  let sum = 0;
  for (let i = 0; i < headerLength; i += 2) sum += view.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  view.setUint16(10, ~sum & 0xffff);
  return out;
}

describe('decodeIpv4', () => {
  it('RFC 791 3.1: reads every field of a header captured from Linux', () => {
    const decoded = decodeIpv4(PACKET);
    expect(decoded).toEqual({
      ok: true,
      header: {
        headerLength: 20,
        tos: 0xc0,
        totalLength: 64,
        identification: 0x1234,
        flags: 0b010,
        fragmentOffset: 0,
        ttl: 1,
        protocol: 89,
        checksum: 0x7c1e,
        src: parseIpv4('10.77.0.1'),
        dst: parseIpv4('224.0.0.5'),
      },
      payload: hex(HELLO),
    });
  });

  it('RFC 1071: the checksum over a correct header is zero', () => {
    expect(internetChecksum(hex(HEADER))).toBe(0);
    expect(internetChecksum(hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7'))).toBe(0);
  });

  it('RFC 791 3.1: skips options by IHL', () => {
    const packet = build({ src: '10.77.0.1', dst: '224.0.0.5', options: '01010101' }, hex(HELLO));
    const decoded = decodeIpv4(packet);
    expect(decoded.ok && decoded.header.headerLength).toBe(24);
    expect(decoded.ok && decoded.payload).toEqual(hex(HELLO));
  });

  it('ignores bytes beyond Total Length', () => {
    const packet = new Uint8Array(PACKET.length + 3);
    packet.set(PACKET);
    const decoded = decodeIpv4(packet);
    expect(decoded.ok && decoded.payload).toEqual(hex(HELLO));
  });

  const cases: [string, Uint8Array, string][] = [
    ['fewer than 20 bytes', PACKET.subarray(0, 19), 'truncated'],
    ['version 6', build({ src: '10.77.0.1', dst: '224.0.0.5' }, new Uint8Array(4)).map((b, i) => (i === 0 ? 0x65 : b)), 'bad-version'],
    ['IHL 4', build({ ihl: 4, src: '10.77.0.1', dst: '224.0.0.5' }, new Uint8Array(4)), 'bad-header-length'],
    ['IHL beyond the bytes', build({ ihl: 15, src: '10.77.0.1', dst: '224.0.0.5' }, new Uint8Array(4)), 'truncated'],
    ['Total Length below the header', build({ total: 16, src: '10.77.0.1', dst: '224.0.0.5' }, new Uint8Array(4)), 'bad-total-length'],
    ['Total Length beyond the bytes (cut by the receive buffer)', build({ total: 200, src: '10.77.0.1', dst: '224.0.0.5' }, new Uint8Array(4)), 'truncated'],
    ['a wrong checksum', PACKET.map((b, i) => (i === 11 ? b ^ 1 : b)), 'bad-checksum'],
    ['a first fragment (MF)', build({ flagsFrag: 0x2000, src: '10.77.0.1', dst: '224.0.0.5' }, new Uint8Array(4)), 'fragment'],
    ['a later fragment (offset)', build({ flagsFrag: 0x0010, src: '10.77.0.1', dst: '224.0.0.5' }, new Uint8Array(4)), 'fragment'],
  ];
  for (const [what, bytes, reason] of cases) {
    it(`drops ${what} as '${reason}'`, () => {
      expect(decodeIpv4(bytes)).toEqual({ ok: false, reason });
    });
  }
});

describe('checkReceived (RFC 2328 8.2)', () => {
  it('accepts a packet to AllSPFRouters from the subnet', () => {
    const verdict = checkReceived(PACKET, broadcast);
    expect(verdict).toMatchObject({ ok: true, src: parseIpv4('10.77.0.1'), dst: parseIpv4('224.0.0.5'), data: hex(HELLO) });
  });

  it('accepts AllDRouters and our own interface address as destination', () => {
    for (const dst of ['224.0.0.6', '10.77.0.2']) {
      expect(checkReceived(build({ src: '10.77.0.1', dst }, hex(HELLO)), broadcast).ok).toBe(true);
    }
  });

  it("drops other protocols as 'not-ospf'", () => {
    expect(checkReceived(build({ proto: 17, src: '10.77.0.1', dst: '224.0.0.5' }, hex(HELLO)), broadcast)).toEqual({ ok: false, reason: 'not-ospf', src: parseIpv4('10.77.0.1') });
  });

  it("drops a destination that is not ours nor an OSPF group as 'bad-destination'", () => {
    for (const dst of ['10.77.0.9', '10.255.0.2', '224.0.0.1']) {
      expect(checkReceived(build({ src: '10.77.0.1', dst }, hex(HELLO)), broadcast)).toMatchObject({ ok: false, reason: 'bad-destination' });
    }
  });

  it("drops our own packets as 'own-packet'", () => {
    expect(checkReceived(build({ src: '10.77.0.2', dst: '224.0.0.5' }, hex(HELLO)), broadcast)).toMatchObject({ ok: false, reason: 'own-packet' });
  });

  it("drops a source off the interface subnet as 'source-off-subnet', except on point-to-point", () => {
    const packet = build({ src: '198.51.100.7', dst: '224.0.0.5' }, hex(HELLO));
    expect(checkReceived(packet, broadcast)).toEqual({ ok: false, reason: 'source-off-subnet', src: parseIpv4('198.51.100.7') });
    expect(checkReceived(packet, { ...broadcast, networkType: 'point-to-point' }).ok).toBe(true);
  });

  it('checks the source against every address of the interface (secondaries too)', () => {
    const two: ReceiveContext = { networkType: 'broadcast', addresses: [...broadcast.addresses, { address: parseIpv4('192.168.9.1'), prefixLength: 24 }] };
    expect(checkReceived(build({ src: '192.168.9.7', dst: '224.0.0.5' }, hex(HELLO)), two).ok).toBe(true);
  });

  it('finds no subnet on a /32 interface address: only point-to-point accepts its neighbors', () => {
    const host: ReceiveContext = { networkType: 'broadcast', addresses: [{ address: parseIpv4('10.1.1.1'), prefixLength: 32 }] };
    const packet = build({ src: '10.1.1.2', dst: '224.0.0.5' }, hex(HELLO));
    expect(checkReceived(packet, host)).toMatchObject({ ok: false, reason: 'source-off-subnet' });
    expect(checkReceived(packet, { ...host, networkType: 'point-to-point' }).ok).toBe(true);
  });

  it.each(seeds([0x5eed], 1))('never throws and stays consistent on random and mutated input (seed %i)', (seed) => {
    const prng = createPrng(seed);
    const base = build({ src: '10.77.0.1', dst: '224.0.0.5' }, hex(HELLO));
    for (let round = 0; round < 5000; round++) {
      let bytes: Uint8Array;
      if (prng.chance(0.3)) {
        bytes = Uint8Array.from({ length: prng.int(0, 80) }, () => prng.int(0, 255));
      } else {
        bytes = base.slice(0, prng.int(0, base.length));
        for (let flips = prng.int(1, 4); flips > 0 && bytes.length > 0; flips--) bytes[prng.int(0, bytes.length - 1)] = prng.int(0, 255);
      }
      const verdict = checkReceived(bytes, broadcast);
      if (verdict.ok) {
        expect(verdict.data.length).toBe(verdict.header.totalLength - verdict.header.headerLength);
        expect(internetChecksum(bytes.subarray(0, verdict.header.headerLength))).toBe(0);
      }
    }
  });
});
