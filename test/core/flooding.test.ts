// RFC 2328 13 (the receive procedure step by step), 13.3 flooding, 13.5
// acknowledgments, 13.6 retransmission, 13.4 our own LSAs coming back, 12.1.6
// sequence number wrap and 14.1 premature aging.
import { describe, expect, it } from 'vitest';
import { AllSPFRouters } from '../../src/core/api.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import {
  InitialSequenceNumber,
  LsaType,
  MaxAge,
  MaxSequenceNumber,
  PacketType,
  buildLsa,
  decodeLsaBody,
  type Lsa,
  type LsAckPacket,
  type LsUpdatePacket,
} from '../../src/packet/index.js';
import { TestNet, fromRouter, inject } from './harness.js';

const ip = parseIpv4;

/** b (2.2.2.2) — a (1.1.1.1) — c (3.3.3.3), point-to-point links, all Full. */
function line(): TestNet {
  const net = new TestNet();
  const p2p = { networkType: 'point-to-point' as const };
  net.addRouter('a', '1.1.1.1', (c) => (c.interfaces = { eth0: p2p, eth1: p2p }));
  net.addRouter('b', '2.2.2.2', (c) => (c.interfaces = { eth0: p2p }));
  net.addRouter('c', '3.3.3.3', (c) => (c.interfaces = { eth0: p2p }));
  net.link('ab', [
    ['a', 'eth0', '10.0.1.1/30'],
    ['b', 'eth0', '10.0.1.2/30'],
  ]);
  net.link('ac', [
    ['a', 'eth1', '10.0.2.1/30'],
    ['c', 'eth0', '10.0.2.2/30'],
  ]);
  // Long enough for b's second router-LSA, dropped under MinLSArrival during the exchange, to be retransmitted.
  net.run(30_000);
  expect(net.state('a', '2.2.2.2')).toBe('Full');
  expect(net.state('a', '3.3.3.3')).toBe('Full');
  return net;
}

function external(seq: number, opts: { advRouter?: string; age?: number; metric?: number; prefix?: string } = {}): Lsa {
  return buildLsa(
    { age: opts.age ?? 1, options: 0x02, type: LsaType.AsExternal, lsId: ip(opts.prefix ?? '203.0.113.0'), advRouter: ip(opts.advRouter ?? '9.9.9.9'), seq },
    {
      kind: 'external',
      networkMask: ip('255.255.255.0'),
      routes: [{ eBit: true, tos: 0, metric: opts.metric ?? 10, forwardingAddress: 0, routeTag: 0 }],
    },
  );
}

/** An LSU from b to a on a's eth0. */
function fromB(net: TestNet, ...lsas: Lsa[]): void {
  const packet: LsUpdatePacket = { ...fromRouter('2.2.2.2'), type: PacketType.LsUpdate, lsas };
  inject(net, 'a', 'eth0', '10.0.1.2', packet);
}

function held(net: TestNet, router: string, type: number, lsId: string, advRouter: string): Lsa | undefined {
  return net.core(router).lsa({ type, lsId: ip(lsId), advRouter: ip(advRouter) }, net.now);
}

const acksTo = (net: TestNet, from: string, ifName: string, since: number) =>
  net
    .sentBy(from, PacketType.LsAck, since)
    .filter((s) => s.ifName === ifName)
    .map((s) => s.packet as LsAckPacket);

describe('RFC 2328 13: receiving a Link State Update', () => {
  it('(1) drops an LSA with a bad LS checksum and keeps the rest of the packet', () => {
    const net = line();
    const bad = external(1);
    const raw = bad.raw.slice();
    raw[30] ^= 0x0f; // (0x00 ⇄ 0xff would go unseen: Fletcher sums are mod 255)
    fromB(net, { ...bad, raw }, external(1, { prefix: '198.51.100.0' }));
    expect(net.core('a').stats().drops['lsa-checksum']).toBe(1);
    expect(held(net, 'a', 5, '203.0.113.0', '9.9.9.9')).toBeUndefined();
    expect(held(net, 'a', 5, '198.51.100.0', '9.9.9.9')).toBeDefined();
  });

  it('(4) acknowledges a MaxAge LSA it does not hold, directly, without installing it', () => {
    const net = line();
    const since = net.mark();
    fromB(net, external(5, { age: MaxAge }));
    expect(held(net, 'a', 5, '203.0.113.0', '9.9.9.9')).toBeUndefined();
    const acks = acksTo(net, 'a', 'eth0', since);
    expect(acks).toHaveLength(1);
    expect(acks[0]?.lsaHeaders.map((h) => [h.seq, h.age])).toEqual([[5, MaxAge]]);
    expect(net.sentBy('a', PacketType.LsAck, since)[0]?.dst).toBe(AllSPFRouters);
  });

  it('(5) installs a new LSA, floods it on (13.3) and sends one delayed, batched acknowledgment (13.5)', () => {
    const net = line();
    const since = net.mark();
    fromB(net, external(1), external(1, { prefix: '198.51.100.0' }));
    expect(held(net, 'a', 5, '203.0.113.0', '9.9.9.9')?.seq).toBe(1);
    // Not flooded back to b, the sender (13.3 (1c)); acknowledged later, both in one packet.
    expect(net.sentBy('a', PacketType.LsUpdate, since).filter((s) => s.ifName === 'eth0')).toHaveLength(0);
    expect(acksTo(net, 'a', 'eth0', since)).toHaveLength(0);
    net.advance(1_500);
    const acks = acksTo(net, 'a', 'eth0', since);
    expect(acks).toHaveLength(1);
    expect(acks[0]?.lsaHeaders).toHaveLength(2);
    expect(held(net, 'c', 5, '203.0.113.0', '9.9.9.9')?.seq).toBe(1);
    expect(held(net, 'c', 5, '198.51.100.0', '9.9.9.9')?.seq).toBe(1);
    // c acknowledged, so a's retransmission list to c is empty again.
    expect(net.core('a').neighbors().map((n) => n.retransmitCount)).toEqual([0, 0]);
  });

  it('(5a) MinLSArrival: a second instance within a second is dropped unacknowledged; a later one is taken', () => {
    const net = line();
    const before = net.core('a').stats().drops['lsa-min-arrival'];
    fromB(net, external(1));
    net.advance(500);
    fromB(net, external(2));
    expect(net.core('a').stats().drops['lsa-min-arrival']).toBe(before + 1);
    expect(held(net, 'a', 5, '203.0.113.0', '9.9.9.9')?.seq).toBe(1);
    net.advance(500);
    fromB(net, external(3));
    expect(held(net, 'a', 5, '203.0.113.0', '9.9.9.9')?.seq).toBe(3);
  });

  it('(7) a duplicate not on the retransmission list gets a direct acknowledgment at once', () => {
    const net = line();
    fromB(net, external(1));
    net.advance(2_000);
    const since = net.mark();
    fromB(net, external(1));
    const direct = net.sentBy('a', PacketType.LsAck, since);
    expect(direct).toHaveLength(1);
    expect(direct[0]?.at).toBe(net.now);
  });

  it('(7a) the same instance coming back from a neighbor we flooded to is an implied acknowledgment', () => {
    const net = line();
    // c's acks get lost, so a keeps the LSA on c's retransmission list...
    net.filter = (p, to) => !(p.from === 'c' && to === 'a' && p.packet.type === PacketType.LsAck);
    fromB(net, external(1));
    net.advance(100);
    expect(net.core('a').neighbors().find((n) => n.routerId === ip('3.3.3.3'))?.retransmitCount).toBe(1);
    // ...until c floods the same instance back.
    const packet: LsUpdatePacket = { ...fromRouter('3.3.3.3'), type: PacketType.LsUpdate, lsas: [external(1)] };
    inject(net, 'a', 'eth1', '10.0.2.2', packet);
    expect(net.core('a').neighbors().find((n) => n.routerId === ip('3.3.3.3'))?.retransmitCount).toBe(0);
  });

  it('(8) a neighbor with an older instance gets our copy sent back', () => {
    const net = line();
    fromB(net, external(4));
    net.advance(2_000);
    const since = net.mark();
    fromB(net, external(2));
    const back = net.sentBy('a', PacketType.LsUpdate, since).filter((s) => s.ifName === 'eth0');
    expect(back).toHaveLength(1);
    expect((back[0]?.packet as LsUpdatePacket).lsas.map((l) => l.seq)).toEqual([4]);
    net.advance(10);
    expect(held(net, 'b', 5, '203.0.113.0', '9.9.9.9')?.seq).toBe(4);
  });
});

describe('RFC 2328 13.7: an acknowledgment of an older instance than ours', () => {
  it('a live copy overtaken in flight by its flush, taken after the flush was discarded (13 (4)), is flushed again', () => {
    const net = line();
    // a's flood of the live instance to c is held back on the wire.
    let late: LsUpdatePacket | undefined;
    net.filter = (p, to) => {
      if (p.from !== 'a' || to !== 'c' || p.packet.type !== PacketType.LsUpdate) return true;
      const lsas = (p.packet as LsUpdatePacket).lsas;
      if (!lsas.some((l) => l.type === LsaType.AsExternal && l.age < MaxAge)) return true;
      late ??= p.packet as LsUpdatePacket;
      return false;
    };
    fromB(net, external(1));
    net.advance(1_500);
    // The flush reaches c first: c holds nothing, so it acknowledges and discards it (13 (4)).
    fromB(net, external(1, { age: MaxAge }));
    net.advance(100);
    expect(held(net, 'c', 5, '203.0.113.0', '9.9.9.9')).toBeUndefined();
    expect(late).toBeDefined();
    // Then the live copy arrives, and c takes it as new.
    inject(net, 'c', 'eth0', '10.0.2.1', late as LsUpdatePacket);
    expect(held(net, 'c', 5, '203.0.113.0', '9.9.9.9')?.age).toBeLessThan(MaxAge);
    // c's acknowledgment of it tells a that c holds an older instance: a sends the flush again.
    net.advance(30_000);
    expect(held(net, 'c', 5, '203.0.113.0', '9.9.9.9')).toBeUndefined();
    expect(net.lsdbText('c')).toEqual(net.lsdbText('a'));
  });
});

describe('RFC 2328 13.6: retransmission', () => {
  it('resends an unacknowledged LSA every RxmtInterval, directly to the neighbor, until acknowledged', () => {
    const net = line();
    let blocked = true;
    net.filter = (p, to) => !(blocked && p.from === 'c' && to === 'a' && p.packet.type === PacketType.LsAck);
    const since = net.mark();
    const t0 = net.now;
    fromB(net, external(1));
    net.advance(11_000);
    const toC = net.sentBy('a', PacketType.LsUpdate, since).filter((s) => s.ifName === 'eth1');
    // The flood, then one retransmission after 5 s and another after 10 s.
    expect(toC.map((s) => s.at - t0)).toEqual([0, 5_000, 10_000]);
    blocked = false;
    net.advance(6_000);
    expect(net.core('a').neighbors().map((n) => n.retransmitCount)).toEqual([0, 0]);
  });
});

describe('RFC 2328 13.4: our own LSAs flooded back to us', () => {
  it('a newer instance of our router-LSA: we jump past its sequence number at once', () => {
    const net = line();
    const ours = held(net, 'a', LsaType.Router, '1.1.1.1', '1.1.1.1') as Lsa;
    const body = decodeLsaBody(ours);
    const stale = buildLsa({ age: 1, options: 0x02, type: LsaType.Router, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1'), seq: ours.seq + 10 }, { ...body, kind: 'router', flags: 0, links: [] });
    fromB(net, stale);
    const now = held(net, 'a', LsaType.Router, '1.1.1.1', '1.1.1.1') as Lsa;
    expect(now.seq).toBe(ours.seq + 11);
    expect(decodeLsaBody(now)).toEqual(body);
    net.advance(2_000);
    expect(held(net, 'b', LsaType.Router, '1.1.1.1', '1.1.1.1')?.seq).toBe(ours.seq + 11);
    expect(held(net, 'c', LsaType.Router, '1.1.1.1', '1.1.1.1')?.seq).toBe(ours.seq + 11);
  });

  it('an LSA of ours we no longer want is flushed (premature aging)', () => {
    const net = line();
    fromB(net, external(3, { advRouter: '1.1.1.1' }));
    expect(held(net, 'a', 5, '203.0.113.0', '1.1.1.1')?.age).toBe(MaxAge);
    // Acknowledged at once, then held at MaxAge for two retransmit intervals.
    net.advance(2_000);
    expect(held(net, 'a', 5, '203.0.113.0', '1.1.1.1')?.age).toBe(MaxAge);
    net.advance(10_000);
    for (const r of ['a', 'b', 'c']) expect(held(net, r, 5, '203.0.113.0', '1.1.1.1')).toBeUndefined();
  });
});

describe('RFC 2328 12.1.6: sequence number wrap', () => {
  it('at MaxSequenceNumber the LSA is flushed first, then originated again from InitialSequenceNumber', () => {
    const net = line();
    const ours = held(net, 'a', LsaType.Router, '1.1.1.1', '1.1.1.1') as Lsa;
    const body = decodeLsaBody(ours);
    const last = buildLsa({ age: 1, options: 0x02, type: LsaType.Router, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1'), seq: MaxSequenceNumber }, { ...body, kind: 'router', flags: 0, links: [] });
    const changes: string[] = [];
    net.on('b', 'lsdb', (o) => {
      if (o.key.advRouter === ip('1.1.1.1') && o.key.type === LsaType.Router) changes.push(o.change);
    });
    fromB(net, last);
    net.advance(2_000);
    const now = held(net, 'a', LsaType.Router, '1.1.1.1', '1.1.1.1') as Lsa;
    expect(now.seq).toBe(InitialSequenceNumber);
    expect(decodeLsaBody(now)).toEqual(body);
    // b and c hold the flushed instance for the MaxAge hold (two retransmit intervals), answering
    // a's fresh instance with it (13 (8)); a retransmits it until they take it.
    net.advance(20_000);
    expect(held(net, 'b', LsaType.Router, '1.1.1.1', '1.1.1.1')?.seq).toBe(InitialSequenceNumber);
    expect(held(net, 'c', LsaType.Router, '1.1.1.1', '1.1.1.1')?.seq).toBe(InitialSequenceNumber);
    // b saw the flush of the MaxSequenceNumber instance, its removal, then the fresh instance.
    expect(changes).toEqual(['install', 'remove', 'install']);
  });

  it('an instance from before the wrap arriving late meets the held flush and cannot restart the old numbering', () => {
    const net = line();
    const body = decodeLsaBody(held(net, 'a', LsaType.Router, '1.1.1.1', '1.1.1.1') as Lsa);
    const instance = (seq: number, age: number): Lsa =>
      buildLsa({ age, options: 0x02, type: LsaType.Router, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1'), seq }, { ...body, kind: 'router', flags: 0, links: [] });
    fromB(net, instance(MaxSequenceNumber, 1));
    net.advance(2_000);
    // An older instance, still in flight somewhere when the wrap began, reaches c once a's flush is acknowledged.
    const straggler: LsUpdatePacket = { ...fromRouter('1.1.1.1'), type: PacketType.LsUpdate, lsas: [instance(InitialSequenceNumber + 10, 100)] };
    const stale = net.core('c').stats().drops['lsa-stale'];
    inject(net, 'c', 'eth0', '10.0.2.1', straggler);
    expect(net.core('c').stats().drops['lsa-stale']).toBe(stale + 1);
    net.advance(20_000);
    for (const r of ['a', 'b', 'c']) expect(held(net, r, LsaType.Router, '1.1.1.1', '1.1.1.1')?.seq, r).toBe(InitialSequenceNumber);
  });
});

describe('RFC 2328 14.1: premature aging on shutdown', () => {
  it('flushes every self-originated LSA; the neighbors remove them once acknowledged', () => {
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1', (c) => {
      c.interfaces.eth0 = { networkType: 'point-to-point' };
      c.externals.push({ prefix: { address: ip('192.0.2.0'), length: 24 }, metric: 5, metricType: 1, forwardingAddress: 0, tag: 0 });
    });
    net.addRouter('b', '2.2.2.2', (c) => (c.interfaces.eth0 = { networkType: 'point-to-point' }));
    net.link('ab', [
      ['a', 'eth0', '10.0.1.1/30'],
      ['b', 'eth0', '10.0.1.2/30'],
    ]);
    net.run(20_000);
    expect(held(net, 'b', LsaType.AsExternal, '192.0.2.0', '1.1.1.1')).toBeDefined();
    const since = net.mark();
    net.input('a', { kind: 'shutdown' });
    const flushed = net
      .sentBy('a', PacketType.LsUpdate, since)
      .flatMap((s) => (s.packet as LsUpdatePacket).lsas)
      .map((l) => [l.type, l.age]);
    expect(flushed).toEqual([
      [LsaType.Router, MaxAge],
      [LsaType.AsExternal, MaxAge],
    ]);
    net.advance(2_000);
    expect(net.core('a').neighbors()[0]?.retransmitCount).toBe(0);
    // The MaxAge hold: two retransmit intervals before the copies leave the databases.
    net.advance(10_000);
    expect(net.core('b').lsdb(net.now).filter((h) => h.advRouter === ip('1.1.1.1'))).toEqual([]);
    expect(net.core('a').lsdb(net.now).filter((h) => h.advRouter === ip('1.1.1.1'))).toEqual([]);
    expect(net.core('a').neighbors()[0]?.retransmitCount).toBe(0);
  });
});
