// A router that stops flushes its own LSAs (RFC 2328 14.1) and then falls
// silent. Its neighbors take it down on the flush, not RouterDeadInterval
// later, so a segment whose DR has left gets a new DR and network-LSA at once.
import { describe, expect, it } from 'vitest';
import { LsaType, MaxAge, MaxSequenceNumber, PacketType, buildLsa, decodeLsaBody, type LsUpdatePacket } from '../../src/packet/index.js';
import { parseIpv4 as ip } from '../../src/lib/ipv4.js';
import { TestNet, fromRouter, inject, threeOnLan } from './harness.js';

const lan = (): TestNet => threeOnLan();

describe('a neighbor that flushes its own router-LSA is leaving', () => {
  it('is taken down at once, and the BDR takes over as DR with its own network-LSA', () => {
    const net = lan();
    expect(net.core('bdr').interfaces()[0]?.state).toBe('Backup');
    expect(net.core('other').interfaces()[0]?.dr).toBe(ip('10.0.0.3'));
    const reasons: string[] = [];
    net.on('other', 'neighbor-state', (e) => {
      if (e.routerId === ip('3.3.3.3')) reasons.push(`${e.from}->${e.to} ${e.reason}`);
    });
    net.input('dr', { kind: 'shutdown' });
    net.advance(20);
    net.crash('dr');
    net.advance(100);
    // RFC 2328 10.3: down on the flush, far inside the 40 s RouterDeadInterval.
    expect(reasons).toEqual(['Full->Down RouterLsaFlushed']);
    expect(net.core('bdr').neighbors().map((n) => n.routerId)).toEqual([ip('1.1.1.1')]);
    // RFC 2328 9.4: the BDR is the new DR, and every router agrees on it.
    expect(net.core('bdr').interfaces()[0]?.state).toBe('DR');
    expect(net.core('other').interfaces()[0]?.dr).toBe(ip('10.0.0.2'));
    // RFC 2328 12.4.2: the new DR's network-LSA, and the old one gone.
    const networks = net.core('other').lsdb(net.now).filter((h) => h.type === LsaType.Network && h.age < 3600);
    expect(networks.map((h) => h.lsId)).toEqual([ip('10.0.0.2')]);
  });

  // 3.3.3.3's current router-LSA, aged to MaxAge with sequence number `seq`, handed to `other` as 3.3.3.3 would flood it.
  function flushFromDr(net: TestNet, seq: (current: number) => number): void {
    const own = net.core('dr').lsa({ type: LsaType.Router, lsId: ip('3.3.3.3'), advRouter: ip('3.3.3.3') }, net.now);
    if (own === undefined) throw new Error('3.3.3.3 has no router-LSA');
    const flushed = buildLsa({ age: MaxAge, options: own.options, type: own.type, lsId: own.lsId, advRouter: own.advRouter, seq: seq(own.seq) }, decodeLsaBody(own));
    const packet: LsUpdatePacket = { ...fromRouter('3.3.3.3'), type: PacketType.LsUpdate, lsas: [flushed] };
    inject(net, 'other', 'eth0', '10.0.0.3', packet);
  }

  it('a flushed instance one past the current one takes the neighbor down 100 ms later, the rest of its flush received', () => {
    const net = lan();
    const reasons: string[] = [];
    net.on('other', 'neighbor-state', (e) => reasons.push(e.reason));
    flushFromDr(net, (current) => current + 1);
    net.advance(99);
    expect(reasons).toEqual([]);
    net.advance(2);
    expect(reasons[0]).toBe('RouterLsaFlushed');
  });

  it('but not one at MaxSequenceNumber, which is flushed to start numbering again (RFC 2328 12.1.6)', () => {
    const net = lan();
    const reasons: string[] = [];
    net.on('other', 'neighbor-state', (e) => reasons.push(e.reason));
    flushFromDr(net, () => MaxSequenceNumber);
    expect(net.core('other').lsa({ type: LsaType.Router, lsId: ip('3.3.3.3'), advRouter: ip('3.3.3.3') }, net.now)?.seq).toBe(MaxSequenceNumber);
    expect(reasons).toEqual([]);
  });
});

describe('a leaving neighbor that says Hello again', () => {
  it('stays', () => {
    const net = lan();
    const reasons: string[] = [];
    net.on('other', 'neighbor-state', (e) => reasons.push(e.reason));
    const own = net.core('dr').lsa({ type: LsaType.Router, lsId: ip('3.3.3.3'), advRouter: ip('3.3.3.3') }, net.now);
    if (own === undefined) throw new Error('3.3.3.3 has no router-LSA');
    const flushed = buildLsa({ age: MaxAge, options: own.options, type: own.type, lsId: own.lsId, advRouter: own.advRouter, seq: own.seq + 1 }, decodeLsaBody(own));
    inject(net, 'other', 'eth0', '10.0.0.3', { ...fromRouter('3.3.3.3'), type: PacketType.LsUpdate, lsas: [flushed] });
    // 3.3.3.3 is still running and says Hello within the grace (its next Hello, or a crafted one).
    net.advance(50);
    const hello = net.sentBy('dr', PacketType.Hello).at(-1)?.packet;
    if (hello === undefined) throw new Error('3.3.3.3 sent no Hello');
    inject(net, 'other', 'eth0', '10.0.0.3', hello);
    net.advance(200);
    expect(reasons.filter((r) => r === 'RouterLsaFlushed')).toEqual([]);
  });
});
