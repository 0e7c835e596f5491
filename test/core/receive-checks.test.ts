// RFC 2328 8.2 (and the checks of 10.5, 10.6, 10.7 and 13 after it): one
// packet per drop reason, each counted under its own name and nowhere else.
// Router a (1.1.1.1) has eth0, a broadcast LAN 10.0.0.1/24 where it is a
// DROther (priority 0), and ptp0, a point-to-point link 10.1.0.1/30; 9.9.9.9
// on ptp0 is a neighbor in Exchange (a is its slave) when a case needs one.
import { describe, expect, it } from 'vitest';
import { AllDRouters, AllSPFRouters } from '../../src/core/api.js';
import { DropReasons, type DropReason } from '../../src/core/drops.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import {
  DdFlags,
  LsaType,
  PacketType,
  buildLsa,
  encodePacket,
  lsaChecksum,
  type DbDescriptionPacket,
  type Lsa,
  type OspfPacket,
} from '../../src/packet/index.js';
import { reseal } from '../packet/helpers.js';
import { TestNet, fromRouter, helloFrom2 } from './harness.js';

const ip = parseIpv4;
const Peer = '9.9.9.9';
const PeerSeq = 0x1234;

const hello = helloFrom2;

function router(): TestNet {
  const net = new TestNet();
  net.addRouter('a', '1.1.1.1', (c) => {
    c.interfaces.eth0 = { priority: 0 };
    c.interfaces.ptp0 = { networkType: 'point-to-point' };
    c.maxLsa = 3;
  });
  net.link('lan', [['a', 'eth0', '10.0.0.1/24']]);
  net.link('ptp', [['a', 'ptp0', '10.1.0.1/30']]);
  return net;
}

function send(net: TestNet, packet: OspfPacket | Uint8Array, options: { ifName?: string; src?: string; dst?: number } = {}): void {
  const ifName = options.ifName ?? 'eth0';
  const src = ip(options.src ?? (ifName === 'ptp0' ? '10.1.0.2' : '10.0.0.2'));
  const data = packet instanceof Uint8Array ? packet : encodePacket(packet);
  net.input('a', { kind: 'packet', ifName, src, dst: options.dst ?? AllSPFRouters, data });
}

/** A valid Hello's bytes with `edit` applied, the packet checksum made right again. */
function bytes(edit: (data: Uint8Array) => void, packet: OspfPacket = hello()): Uint8Array {
  const data = encodePacket(packet);
  edit(data);
  reseal(data, Math.min(data.length, ((data[2] as number) << 8) | (data[3] as number)));
  return data;
}

/** 9.9.9.9 on ptp0 into Exchange, a its slave (RFC 2328 10.6: the higher Router ID is master). */
function exchange(net: TestNet): void {
  send(net, { ...hello({ neighbors: [ip('1.1.1.1')] }), ...fromRouter(Peer) }, { ifName: 'ptp0' });
  send(net, dd(DdFlags.I | DdFlags.M | DdFlags.MS, PeerSeq), { ifName: 'ptp0' });
  expect(net.state('a', Peer)).toBe('Exchange');
}

function dd(flags: number, ddSeq: number, mtu = 1500): DbDescriptionPacket {
  return { ...fromRouter(Peer), type: PacketType.DbDescription, mtu, options: 0x02, flags, ddSeq, lsaHeaders: [] };
}

function external(lsId: string, over: { seq?: number } = {}): Lsa {
  return buildLsa(
    { age: 1, options: 0x02, type: LsaType.AsExternal, lsId: ip(lsId), advRouter: ip(Peer), seq: over.seq ?? -0x7ffffff0 },
    { kind: 'external', networkMask: ip('255.255.255.0'), routes: [{ eBit: true, tos: 0, metric: 10, forwardingAddress: 0, routeTag: 0 }] },
  );
}

function update(...lsas: Lsa[]): OspfPacket {
  return { ...fromRouter(Peer), type: PacketType.LsUpdate, lsas };
}

/** An LSA with its LS checksum recomputed after `edit` (or left wrong). */
function edited(lsa: Lsa, edit: (raw: Uint8Array) => Uint8Array, fixChecksum = true): Lsa {
  const raw = edit(lsa.raw.slice());
  if (fixChecksum) {
    raw[16] = 0;
    raw[17] = 0;
    const fixed = lsaChecksum(raw);
    raw[16] = fixed >>> 8;
    raw[17] = fixed & 0xff;
  }
  return { ...lsa, type: raw[3] as number, length: raw.length, raw };
}

const cases: [DropReason, string, (net: TestNet) => void][] = [
  ['interface-disabled', 'on an interface OSPF does not run on', (net) => send(net, hello(), { ifName: 'eth9' })],
  ['wrong-destination', 'to a unicast address not ours', (net) => send(net, hello(), { dst: ip('10.0.0.77') })],
  ['malformed', 'whose length leaves part of a neighbor id', (net) => send(net, bytes((d) => (d[3] = (d[3] as number) - 2), hello({ neighbors: [1] })))],
  ['bad-version', 'of OSPF version 3', (net) => send(net, bytes((d) => (d[0] = 3)))],
  ['bad-checksum', 'with a wrong packet checksum', (net) => send(net, (() => { const d = encodePacket(hello()); d[12] = (d[12] as number) ^ 0xff; return d; })())],
  ['bad-packet-type', 'of type 6', (net) => send(net, bytes((d) => (d[1] = 6)))],
  ['area-mismatch', 'from area 0.0.0.1', (net) => send(net, { ...hello(), areaId: 1 })],
  ['auth-mismatch', 'with simple password authentication', (net) => send(net, { ...hello(), auType: 1 })],
  ['duplicate-router-id', 'with our Router ID from an address not ours', (net) => send(net, { ...hello(), ...fromRouter('1.1.1.1') })],
  ['own-packet', 'from our own address', (net) => send(net, hello(), { src: '10.0.0.1' })],
  ['not-dr-or-backup', 'to AllDRouters while we are DROther', (net) => send(net, hello(), { dst: AllDRouters })],
  ['wrong-subnet', 'from off the subnet', (net) => send(net, hello(), { src: '10.9.0.2' })],
  ['hello-mask-mismatch', 'with another network mask', (net) => send(net, hello({ networkMask: ip('255.255.0.0') }))],
  ['hello-interval-mismatch', 'with another HelloInterval', (net) => send(net, hello({ helloInterval: 5 }))],
  ['dead-interval-mismatch', 'with another RouterDeadInterval', (net) => send(net, hello({ deadInterval: 41 }))],
  ['options-mismatch', 'with the E-bit clear', (net) => send(net, hello({ options: 0 }))],
  ['unknown-neighbor', 'an LS Ack from a router never heard', (net) => send(net, { ...fromRouter('2.2.2.2'), type: PacketType.LsAck, lsaHeaders: [] })],
  ['neighbor-state', 'an LS Update from a neighbor in Init', (net) => {
    send(net, hello());
    send(net, { ...fromRouter('2.2.2.2'), type: PacketType.LsUpdate, lsas: [] });
  }],
  ['neighbor-limit', 'a Hello from a 1025th neighbor', (net) => {
    for (let i = 1; i <= 1025; i++) send(net, { ...hello(), routerId: 0x0b000000 + i }, { ifName: 'ptp0' });
  }],
  ['mtu-mismatch', 'a DD with an MTU above ours', (net) => {
    send(net, { ...hello({ neighbors: [ip('1.1.1.1')] }), ...fromRouter(Peer) }, { ifName: 'ptp0' });
    send(net, dd(DdFlags.I | DdFlags.M | DdFlags.MS, 1, 9000), { ifName: 'ptp0' });
  }],
  ['dd-rejected', 'a DD in ExStart that neither bids for master nor accepts us', (net) => {
    send(net, { ...hello({ neighbors: [ip('1.1.1.1')] }), ...fromRouter(Peer) }, { ifName: 'ptp0' });
    send(net, dd(0, 77), { ifName: 'ptp0' });
  }],
  ['dd-sequence-mismatch', 'a DD out of order during Exchange (RFC 2328 10.6 SeqNumberMismatch)', (net) => {
    exchange(net);
    send(net, dd(DdFlags.M | DdFlags.MS, PeerSeq + 5), { ifName: 'ptp0' });
    expect(net.state('a', Peer)).toBe('ExStart');
  }],
  ['bad-ls-request', 'an LS Request for an LSA we lack', (net) => {
    exchange(net);
    send(net, { ...fromRouter(Peer), type: PacketType.LsRequest, requests: [{ type: 5, lsId: 1, advRouter: 2 }] }, { ifName: 'ptp0' });
  }],
  ['lsa-checksum', 'an LSA with a wrong LS checksum', (net) => {
    exchange(net);
    send(net, update(edited(external('203.0.113.0'), (r) => ((r[16] = (r[16] as number) ^ 1), r), false)), { ifName: 'ptp0' });
  }],
  ['lsa-unknown-type', 'an LSA of type 7 in a normal area', (net) => {
    exchange(net);
    send(net, update(edited(external('203.0.113.0'), (r) => ((r[3] = 7), r))), { ifName: 'ptp0' });
  }],
  ['lsa-too-large', 'an LSA longer than MaxLsaBytes', (net) => {
    exchange(net);
    const big = (raw: Uint8Array): Uint8Array => {
      const out = new Uint8Array(20_000);
      out.set(raw);
      out[18] = 20_000 >>> 8;
      out[19] = 20_000 & 0xff;
      return out;
    };
    send(net, update(edited(external('203.0.113.0'), big)), { ifName: 'ptp0' });
  }],
  ['lsdb-full', 'a new LSA once the LSDB holds maxLsa', (net) => {
    exchange(net);
    // The LSDB holds a's router-LSA; maxLsa is 3.
    send(net, update(external('203.0.113.0'), external('203.0.114.0'), external('203.0.115.0')), { ifName: 'ptp0' });
  }],
  ['lsa-min-arrival', 'a newer instance within MinLSArrival of the last', (net) => {
    exchange(net);
    send(net, update(external('203.0.113.0')), { ifName: 'ptp0' });
    send(net, update(external('203.0.113.0', { seq: -0x7fffffe0 })), { ifName: 'ptp0' });
  }],
];

describe('RFC 2328 8.2: each check on a received packet has its own counter', () => {
  it.each(cases)('%s: %s', (reason, _what, run) => {
    const net = router();
    run(net);
    const drops = net.core('a').stats().drops;
    const counted = Object.fromEntries(Object.entries(drops).filter(([, n]) => n > 0));
    expect(counted).toEqual({ [reason]: 1 });
  });

  it('covers every reason the receive path counts', () => {
    // lsa-stale (13 (8), a MaxSequenceNumber copy being flushed) and dd-duplicate (10.6, master only)
    // have their own tests in flooding.test.ts and exchange.test.ts; the failures of a configured
    // authentication (RFC 2328 D.5) theirs in auth.test.ts.
    const elsewhere: DropReason[] = ['lsa-stale', 'dd-duplicate', 'auth-password', 'auth-key-id', 'auth-digest', 'auth-replay'];
    const covered = new Set([...cases.map(([reason]) => reason), ...elsewhere]);
    expect(DropReasons.filter((r) => !covered.has(r))).toEqual([]);
  });
});
