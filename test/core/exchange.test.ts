// RFC 2328 10.6-10.9: database exchange. Master/slave negotiation, DD
// sequence numbers, duplicates, the MTU check, request lists and how fast a
// large database crosses.
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { DdFlags, LsaType, PacketType, buildLsa, decodeLsa, decodeLsaBody, type DbDescriptionPacket, type LsRequestPacket, type LsUpdatePacket } from '../../src/packet/index.js';
import { TestNet, fromRouter, inject } from './harness.js';

const ip = parseIpv4;

/** a (1.1.1.1) and b (2.2.2.2) on a point-to-point link; a redistributes `externals` routes. */
function pair(externals = 0, tweakA: Record<string, unknown> = {}): TestNet {
  const net = new TestNet();
  net.addRouter('a', '1.1.1.1', (c) => {
    c.interfaces.eth0 = { networkType: 'point-to-point', ...tweakA };
    for (let i = 0; i < externals; i++) {
      c.externals.push({ prefix: { address: (ip('100.0.0.0') + i * 256) >>> 0, length: 24 }, metric: 20, metricType: 2, forwardingAddress: 0, tag: 0 });
    }
  });
  net.addRouter('b', '2.2.2.2', (c) => (c.interfaces.eth0 = { networkType: 'point-to-point' }));
  net.link('p2p', [
    ['a', 'eth0', '10.0.0.1/30'],
    ['b', 'eth0', '10.0.0.2/30'],
  ]);
  return net;
}

const dds = (net: TestNet, router: string): DbDescriptionPacket[] =>
  net.sentBy(router, PacketType.DbDescription).map((s) => s.packet as DbDescriptionPacket);

describe('RFC 2328 10.6: master/slave negotiation in ExStart', () => {
  it('the higher Router ID is master; the slave adopts its sequence number and echoes each one', () => {
    const net = pair(200);
    net.run(20_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('b', '1.1.1.1')).toBe('Full');
    const fromA = dds(net, 'a');
    const fromB = dds(net, 'b');
    // Both start claiming to be master with I, M and MS set and no headers (RFC 2328 10.8).
    expect(fromA[0]?.flags).toBe(DdFlags.I | DdFlags.M | DdFlags.MS);
    expect(fromB[0]?.flags).toBe(DdFlags.I | DdFlags.M | DdFlags.MS);
    // After that, a (lower Router ID) is slave: MS clear, sequence numbers those of b.
    const slave = fromA.slice(1);
    const master = fromB.slice(1);
    expect(slave.every((p) => (p.flags & (DdFlags.MS | DdFlags.I)) === 0)).toBe(true);
    expect(master.every((p) => (p.flags & DdFlags.MS) !== 0 && (p.flags & DdFlags.I) === 0)).toBe(true);
    expect(slave[0]?.ddSeq).toBe(fromB[0]?.ddSeq);
    for (let i = 1; i < master.length; i++) expect(master[i]?.ddSeq).toBe(((master[i - 1] as DbDescriptionPacket).ddSeq + 1) >>> 0);
    expect(slave.map((p) => p.ddSeq)).toEqual([fromB[0]?.ddSeq, ...master.map((p) => p.ddSeq)]);
    // The slave described its whole database: 200 externals and its router-LSA.
    expect(slave.reduce((sum, p) => sum + p.lsaHeaders.length, 0)).toBe(201);
    // The crossing bids for master are part of the negotiation, not drops.
    expect([net.core('a').stats().drops['dd-rejected'], net.core('b').stats().drops['dd-rejected']]).toEqual([0, 0]);
    expect((slave.at(-1)?.flags ?? -1) & DdFlags.M).toBe(0);
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
  });
});

describe('RFC 2328 10.6: duplicates and sequence errors', () => {
  it('the slave answers a duplicate with its last DD again; the master discards one', () => {
    const net = pair(10);
    net.run(20_000);
    const masterLast = dds(net, 'b').at(-1) as DbDescriptionPacket;
    const slaveLast = dds(net, 'a').at(-1) as DbDescriptionPacket;
    const sentBefore = dds(net, 'a').length;
    inject(net, 'a', 'eth0', '10.0.0.2', masterLast);
    const again = dds(net, 'a');
    expect(again.length).toBe(sentBefore + 1);
    expect(again.at(-1)).toEqual(slaveLast);
    inject(net, 'b', 'eth0', '10.0.0.1', slaveLast);
    expect(net.core('b').stats().drops['dd-duplicate']).toBe(1);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('b', '1.1.1.1')).toBe('Full');
  });

  it('a DD out of sequence in Full is SeqNumberMismatch: back to ExStart, then Full again', () => {
    const net = pair(10);
    net.run(20_000);
    const masterLast = dds(net, 'b').at(-1) as DbDescriptionPacket;
    inject(net, 'a', 'eth0', '10.0.0.2', { ...masterLast, ddSeq: (masterLast.ddSeq + 7) >>> 0 });
    expect(net.state('a', '2.2.2.2')).toBe('ExStart');
    const change = net.outputsOf('a').filter((o) => o.kind === 'event' && o.event.type === 'neighbor-state').at(-1);
    expect(change).toMatchObject({ event: { from: 'Full', to: 'ExStart', reason: 'SeqNumberMismatch' } });
    net.advance(20_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('b', '1.1.1.1')).toBe('Full');
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
  });

  it('compares DD Options with the previous DD, not with the Hellos (a peer may set the O-bit in DDs only)', () => {
    const net = new TestNet();
    net.filter = (p) => (p.from === 'b' && p.packet.type === PacketType.DbDescription ? { ...p.packet, options: 0x42 } : true);
    // A slow link, so that Hellos arrive while the exchange is under way.
    net.delayMs = 2_000;
    net.addRouter('a', '1.1.1.1', (c) => {
      c.interfaces.eth0 = { networkType: 'point-to-point' };
      for (let i = 0; i < 500; i++) c.externals.push({ prefix: { address: (ip('100.0.0.0') + i * 256) >>> 0, length: 24 }, metric: 1, metricType: 2, forwardingAddress: 0, tag: 0 });
    });
    net.addRouter('b', '2.2.2.2', (c) => (c.interfaces.eth0 = { networkType: 'point-to-point' }));
    net.link('p2p', [
      ['a', 'eth0', '10.0.0.1/30'],
      ['b', 'eth0', '10.0.0.2/30'],
    ]);
    net.run(120_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.core('a').stats().drops['dd-sequence-mismatch']).toBe(0);
  });

  it('an LS Request for an LSA we do not have is BadLSReq (RFC 2328 10.7)', () => {
    const net = pair();
    net.run(20_000);
    const request: LsRequestPacket = {
      ...fromRouter('2.2.2.2'),
      type: PacketType.LsRequest,
      requests: [{ type: 5, lsId: ip('203.0.113.0'), advRouter: ip('9.9.9.9') }],
    };
    inject(net, 'a', 'eth0', '10.0.0.2', request);
    expect(net.core('a').stats().drops['bad-ls-request']).toBe(1);
    expect(net.state('a', '2.2.2.2')).toBe('ExStart');
    net.advance(20_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
  });
});

describe('LS ages with the DoNotAge bit (RFC 1793) from a neighbour', () => {
  // Found while fuzzing LS ages: a DD header aged 0x8000|age looked like MaxAge, so
  // newer than our copy; the LSA asked for then arrived as the same instance (the
  // receive procedure masks the bit), which is BadLSReq, and the exchange restarted for ever.
  it('compares them with the bit masked off everywhere, so an exchange still ends in Full', () => {
    const net = pair(3);
    net.run(20_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    // From now on b's DDs and updates carry their ages with the DoNotAge bit set.
    net.filter = (p) => {
      if (p.from !== 'b') return true;
      if (p.packet.type === PacketType.DbDescription) return { ...p.packet, lsaHeaders: p.packet.lsaHeaders.map((h) => ({ ...h, age: h.age | 0x8000 })) };
      if (p.packet.type === PacketType.LsUpdate) return { ...p.packet, lsas: p.packet.lsas.map((l) => ({ ...decodeLsa(l.raw.slice()), age: l.age | 0x8000 })) };
      return true;
    };
    const masterLast = dds(net, 'b').at(-1) as DbDescriptionPacket;
    inject(net, 'a', 'eth0', '10.0.0.2', { ...masterLast, ddSeq: (masterLast.ddSeq + 7) >>> 0 });
    net.advance(60_000);
    expect(net.core('a').stats().drops['bad-ls-request']).toBe(0);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
    expect(net.core('a').lsdb(net.now).every((h) => h.age < 3600)).toBe(true);
  });
});

describe('RFC 2328 10.6: the Interface MTU check', () => {
  function mtuPair(mtuIgnore: boolean): TestNet {
    const net = pair(0, { mtuIgnore });
    // b's interface takes jumbo frames, a's does not.
    net.setInterface('b', { name: 'eth0', ifIndex: 1, up: true, loopback: false, mtu: 9000, addresses: [{ address: ip('10.0.0.2'), prefixLength: 30 }] });
    return net;
  }

  it('a DD announcing a larger MTU than ours is rejected, so the adjacency never forms', () => {
    const net = mtuPair(false);
    net.run(60_000);
    expect(net.core('a').stats().drops['mtu-mismatch']).toBeGreaterThan(0);
    expect(net.state('a', '2.2.2.2')).toBe('ExStart');
    expect(net.state('b', '1.1.1.1')).not.toBe('Full');
  });

  it('mtuIgnore skips the check (FRR ip ospf mtu-ignore)', () => {
    const net = mtuPair(true);
    net.run(60_000);
    expect(net.core('a').stats().drops['mtu-mismatch']).toBe(0);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
  });
});

describe('RFC 2328 10.8, 10.9: a large database crosses in full-size packets without waiting', () => {
  it('3000 LSAs: DDs and LS Requests fill the MTU, and the next request goes out as soon as one is answered', () => {
    const net = pair(3000);
    net.run(20_000);
    expect(net.state('b', '1.1.1.1')).toBe('Full');
    const exStart = net.outputsOf('b').find((o) => o.kind === 'event' && o.event.type === 'neighbor-state' && o.event.to === 'ExStart');
    expect(exStart).toBeDefined();
    const fromA = dds(net, 'a');
    // (1500 - 20 - 24 - 8) / 20 = 72 headers per DD.
    expect(Math.max(...fromA.map((p) => p.lsaHeaders.length))).toBe(72);
    expect(fromA.reduce((sum, p) => sum + p.lsaHeaders.length, 0)).toBe(3001);
    const requests = net.sentBy('b', PacketType.LsRequest).map((s) => s.packet as LsRequestPacket);
    // Requests go out as each DD adds to the list, at most (1500 - 20 - 24) / 12 = 121 per packet, none repeated.
    expect(Math.max(...requests.map((p) => p.requests.length))).toBeGreaterThanOrEqual(72);
    expect(Math.max(...requests.map((p) => p.requests.length))).toBeLessThanOrEqual(121);
    expect(requests.reduce((sum, p) => sum + p.requests.length, 0)).toBe(3001);
    const updates = net.sentBy('a', PacketType.LsUpdate);
    expect(updates.every((s) => encodedLength(s.packet as LsUpdatePacket) <= 1480)).toBe(true);
    // Every packet takes 1 ms here: the whole exchange needs no retransmission interval.
    const fullAt = net.outputsOf('b').find((o) => o.kind === 'event' && o.event.type === 'neighbor-state' && o.event.to === 'Full');
    expect(fullAt).toBeDefined();
    const lastRequest = net.sentBy('b', PacketType.LsRequest).at(-1)?.at as number;
    const firstRequest = net.sentBy('b', PacketType.LsRequest)[0]?.at as number;
    expect(lastRequest - firstRequest).toBeLessThan(1_000);
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
  });
});

function encodedLength(p: LsUpdatePacket): number {
  return 24 + 4 + p.lsas.reduce((sum, l) => sum + l.raw.length, 0);
}

describe('RFC 2328 10.9 and 13 (5a): the answer to an LS Request', () => {
  it('is taken even within MinLSArrival of an older copy taken by flooding a moment before, so Loading ends at once', () => {
    const net = pair();
    let injected = false;
    net.filter = (p, to) => {
      if (injected || p.from !== 'b' || to !== 'a' || p.packet.type !== PacketType.LsUpdate) return true;
      const answer = (p.packet as LsUpdatePacket).lsas.find((l) => l.type === LsaType.Router && l.advRouter >>> 0 === ip('2.2.2.2'));
      if (answer === undefined) return true;
      injected = true;
      // Just before the answer, an older instance of the same LSA reaches a by flooding, as from another neighbor.
      const older = buildLsa({ age: 1, options: answer.options, type: answer.type, lsId: answer.lsId, advRouter: answer.advRouter, seq: answer.seq - 1 }, decodeLsaBody(answer));
      inject(net, 'a', 'eth0', '10.0.0.2', { ...fromRouter('2.2.2.2'), type: PacketType.LsUpdate, lsas: [older] }, parseIpv4('224.0.0.5'));
      return true;
    };
    net.run(60_000);
    expect(injected).toBe(true);
    // No LS Request went out again a RxmtInterval (5 s) later: the answer was taken.
    const requests = net.sentBy('a', PacketType.LsRequest);
    expect(requests.length).toBeGreaterThan(0);
    expect((requests.at(-1)?.at as number) - (requests[0]?.at as number)).toBeLessThan(5000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
  });
});
