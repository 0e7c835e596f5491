// Graceful restart, restarting mode (RFC 3623 2): the grace-LSAs of a planned
// restart, a restart that originates nothing of ours until its adjacencies are
// back, and the three ways out of it, each followed by our LSAs originated anew.
import { describe, expect, it } from 'vitest';
import { InitialSequenceNumber, LsaType, MaxAge, Options, PacketType, RouterLinkType, decodeLsaBody, type LsUpdatePacket } from '../../src/packet/index.js';
import { GraceLsaId, GraceReason, decodeGraceBody } from '../../src/packet/lsa/grace.js';
import { LsaHeaderLength } from '../../src/packet/constants.js';
import { parseIpv4 as ip, parsePrefix } from '../../src/lib/ipv4.js';
import type { CoreEvent, InterfaceInfo, RouterConfig } from '../../src/core/api.js';
import { TestNet, threeOnLan, twoOnLan, type SentPacket } from './harness.js';

type RestartEvent = Extract<CoreEvent, { type: 'graceful-restart' }>;

/** The LSAs in Link State Updates `router` sent from position `since` on. */
function lsasSent(net: TestNet, router: string, since: number): { at: number; type: number; lsId: number; advRouter: number; age: number; seq: number; raw: Uint8Array }[] {
  return net.sentBy(router, PacketType.LsUpdate, since).flatMap((s: SentPacket) => (s.packet as LsUpdatePacket).lsas.map((l) => ({ type: l.type, lsId: l.lsId, advRouter: l.advRouter, age: l.age, seq: l.seq, raw: l.raw, at: s.at })),
  );
}

/** `router` stops without a flush and starts again as a new core, told its grace period ends `graceMs` from now. */
function restart(net: TestNet, router: string, routerId: string, graceMs: number, tweak: (c: RouterConfig) => void = () => undefined): RestartEvent[] {
  const infos: InterfaceInfo[] = [...(net.nodes.get(router)?.infos.values() ?? [])];
  net.crash(router);
  net.addRouter(router, routerId, tweak, 2, { gracefulRestart: { until: net.now + graceMs } });
  const events: RestartEvent[] = [];
  net.on(router, 'graceful-restart', (e) => events.push(e));
  for (const info of infos) net.setInterface(router, info);
  return events;
}

function routerLsa(net: TestNet, holder: string, of: string): { seq: number; transit: boolean } | undefined {
  const lsa = net.core(holder).lsa({ type: LsaType.Router, lsId: ip(of), advRouter: ip(of) }, net.now);
  if (lsa === undefined || lsa.age >= MaxAge) return undefined;
  const body = decodeLsaBody(lsa);
  return { seq: lsa.seq, transit: body.kind === 'router' && body.links.some((l) => l.type === RouterLinkType.Transit) };
}

const OwnTopologyTypes = new Set([LsaType.Router, LsaType.Network, LsaType.SummaryNetwork, LsaType.SummaryAsbr, LsaType.AsExternal, 7]);

describe('RFC 3623 2.1: preparing a restart', () => {
  it('sends a grace-LSA with the grace period, reason "software restart" and the interface address, and knows when it is acknowledged', () => {
    const net = twoOnLan();
    const since = net.mark();
    const events: RestartEvent[] = [];
    net.on('a', 'graceful-restart', (e) => events.push(e));
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    expect(net.core('a').restartPrepared()).toBe(false);
    // b's acknowledgment is a delayed one (RFC 2328 13.5).
    net.advance(1_100);
    const grace = lsasSent(net, 'a', since).filter((l) => l.type === LsaType.OpaqueLink);
    expect(grace).toHaveLength(1);
    const lsa = grace[0]!;
    expect([lsa.lsId >>> 0, lsa.advRouter >>> 0, lsa.seq]).toEqual([GraceLsaId, ip('1.1.1.1'), InitialSequenceNumber]);
    // The O-bit, which receivers of opaque LSAs look for (RFC 5250 3).
    expect(lsa.raw[2]! & Options.O).toBe(Options.O);
    const length = (lsa.raw[18]! << 8) | lsa.raw[19]!;
    expect(decodeGraceBody(lsa.raw.subarray(LsaHeaderLength, length))).toEqual({ gracePeriod: 60, reason: GraceReason.SoftwareRestart, interfaceAddress: ip('10.0.0.1') });
    expect(net.core('a').restartPrepared()).toBe(true);
    expect(events).toEqual([{ type: 'graceful-restart', action: 'prepare', until: net.now - 1_100 + 60_000 }]);
    // b helps; a's own LSAs are not flushed.
    expect(net.core('b').neighbors()[0]?.helper?.gracePeriod).toBe(60);
    expect(lsasSent(net, 'a', since).filter((l) => l.age >= MaxAge)).toEqual([]);
  });

  it('acknowledges what it has received before its grace-LSA goes out, so a neighbour that has just flooded a change still helps (RFC 3623 3.1 (2))', () => {
    const net = twoOnLan();
    // b announces a prefix: its new router-LSA reaches a, whose acknowledgment waits for the delayed-ack timer (RFC 2328 13.5).
    net.input('b', { kind: 'advertise', prefix: parsePrefix('10.206.206.1/32'), mode: 'announce' });
    net.loopback('b', 'lo', ['10.206.206.1/32']);
    const announced = (): boolean => {
      const lsa = net.core('a').lsa({ type: LsaType.Router, lsId: ip('2.2.2.2'), advRouter: ip('2.2.2.2') }, net.now);
      const body = lsa === undefined ? undefined : decodeLsaBody(lsa);
      return body?.kind === 'router' && body.links.some((l) => l.type === RouterLinkType.Stub && l.linkId >>> 0 === ip('10.206.206.1'));
    };
    for (let k = 0; k < 500 && !announced(); k++) net.advance(10);
    expect(announced()).toBe(true);
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(1_100);
    expect(net.core('a').restartPrepared()).toBe(true);
    expect(net.core('b').neighbors()[0]?.helper?.gracePeriod).toBe(60);
  });

  it('retransmits the grace-LSA to a neighbour that has not acknowledged it', () => {
    const net = twoOnLan();
    net.filter = (p, to) => !(to === 'a' && p.packet.type === PacketType.LsAck);
    const since = net.mark();
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(5_100);
    expect(lsasSent(net, 'a', since).filter((l) => l.type === LsaType.OpaqueLink)).toHaveLength(2);
    expect(net.core('a').restartPrepared()).toBe(false);
    net.filter = () => true;
    net.advance(5_100);
    expect(net.core('a').restartPrepared()).toBe(true);
  });
});

describe('RFC 3623 2.1 on a LAN: the DR floods the grace-LSA back', () => {
  it('takes its grace-LSA coming back from the DR as acknowledged, and does not flush it', () => {
    const net = threeOnLan();
    const since = net.mark();
    net.input('other', { kind: 'prepare-restart', gracePeriod: 60 });
    // The BDR acknowledges a DROther's LSA only when it comes again (RFC 2328 13.5): after RxmtInterval.
    net.advance(5_500);
    const back = lsasSent(net, 'dr', since).filter((l) => l.type === LsaType.OpaqueLink && l.advRouter >>> 0 === ip('1.1.1.1'));
    expect(back.length).toBeGreaterThan(0);
    expect(net.core('other').restartPrepared()).toBe(true);
    expect(lsasSent(net, 'other', since).filter((l) => l.type === LsaType.OpaqueLink && l.age >= MaxAge)).toEqual([]);
    expect(net.core('dr').neighbors().find((n) => n.routerId === ip('1.1.1.1'))?.helper?.gracePeriod).toBe(60);
  });
});

describe('RFC 3623 2.2, 2.3: restarting', () => {
  it('originates nothing of its own until every pre-restart adjacency is Full, then re-originates above the kept sequence numbers', () => {
    const net = twoOnLan();
    const before = routerLsa(net, 'b', '1.1.1.1');
    expect(before?.transit).toBe(true);
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(100);
    const since = net.mark();
    const events = restart(net, 'a', '1.1.1.1', 59_900);
    expect(events).toEqual([{ type: 'graceful-restart', action: 'enter', until: net.now + 59_900 }]);
    expect(net.core('a').restarting()).toEqual({ since: net.now, until: net.now + 59_900 });
    net.advance(60_000);
    const exit = events.find((e) => e.action === 'exit');
    expect(exit?.why).toBe('adjacencies-full');
    const exitAt = net.sentBy('a', PacketType.LsUpdate, since).find((s) => (s.packet as LsUpdatePacket).lsas.some((l) => l.type === LsaType.Router))?.at;
    expect(exitAt).toBeDefined();
    // (2.2 1) nothing of ours of types 1-5 and 7 went out before the exit; (2.2 2) our router-LSA as b held it was not flushed.
    const own = lsasSent(net, 'a', since).filter((l) => l.advRouter >>> 0 === ip('1.1.1.1') && OwnTopologyTypes.has(l.type));
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((l) => l.age < MaxAge && l.seq === (before?.seq ?? 0) + 1)).toBe(true);
    expect(net.core('a').restarting()).toBeUndefined();
    // b saw no gap: its copy went from the pre-restart instance straight to the next one.
    expect(routerLsa(net, 'b', '1.1.1.1')).toEqual({ seq: (before?.seq ?? 0) + 1, transit: true });
    // The grace-LSA is flushed (2.3), and b is no longer helping.
    expect(lsasSent(net, 'a', since).some((l) => l.type === LsaType.OpaqueLink && l.age >= MaxAge)).toBe(true);
    expect(net.core('b').neighbors()[0]?.helper).toBeUndefined();
    expect(net.core('b').neighbors()[0]?.state).toBe('Full');
  });

  it('originates nothing of its own while its adjacency cannot finish loading (2.2 1)', () => {
    const net = twoOnLan();
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(100);
    const since = net.mark();
    // a's requests never reach b: the adjacency stays in Loading, and a restarting, well inside its grace period.
    net.filter = (p, to) => !(to === 'b' && p.packet.type === PacketType.LsAck) && !(to === 'b' && p.packet.type === PacketType.LsRequest);
    const events = restart(net, 'a', '1.1.1.1', 30_000);
    net.advance(20_000);
    expect(events.map((e) => e.action)).toEqual(['enter']);
    expect(lsasSent(net, 'a', since).filter((l) => l.advRouter >>> 0 === ip('1.1.1.1') && OwnTopologyTypes.has(l.type))).toEqual([]);
  });

  it('leaves restarting mode when its grace period is over (2.3 3) and originates its LSAs then', () => {
    const net = twoOnLan();
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(100);
    // Nothing reaches b any more: no adjacency comes back.
    net.filter = (_p, to) => to !== 'b';
    const events = restart(net, 'a', '1.1.1.1', 5_000);
    net.advance(4_900);
    expect(events.map((e) => e.action)).toEqual(['enter']);
    expect(routerLsa(net, 'a', '1.1.1.1')).toBeUndefined();
    net.advance(200);
    expect(events.map((e) => [e.action, e.why])).toEqual([
      ['enter', undefined],
      ['exit', 'grace-period-expired'],
    ]);
    expect(routerLsa(net, 'a', '1.1.1.1')?.seq).toBe(InitialSequenceNumber);
  });

  it('leaves restarting mode on a topology change (2.3 2): the DR, not helping, dropped us from its network-LSA', () => {
    const net = threeOnLan((c) => {
      c.gracefulRestartHelper = { enabled: false, neighbors: [], strictLsaChecking: true, supportedGraceTime: 1800, plannedOnly: false };
    });
    net.input('other', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(100);
    const events = restart(net, 'other', '1.1.1.1', 60_000, (c) => {
      c.interfaces = { eth0: { priority: 1 } };
    });
    net.advance(60_000);
    expect(events.map((e) => [e.action, e.why])).toEqual([
      ['enter', undefined],
      ['exit', 'topology-change'],
    ]);
    expect(net.state('dr', '1.1.1.1')).toBe('Full');
  });

  it('starts normally when the grace period of the restart is already over', () => {
    const net = twoOnLan();
    const events = restart(net, 'a', '1.1.1.1', -1);
    expect(events).toEqual([{ type: 'graceful-restart', action: 'exit', until: net.now - 1, why: 'grace-period-expired' }]);
    expect(net.core('a').restarting()).toBeUndefined();
  });

  it('takes back the DR role it had (2.2 3) when a neighbour names it DR while it waits', () => {
    const net = twoOnLan();
    // b (2.2.2.2) is the DR; b restarts.
    expect(net.core('b').interfaces()[0]?.state).toBe('DR');
    net.input('b', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(100);
    const events = restart(net, 'b', '2.2.2.2', 60_000);
    net.advance(60_000);
    expect(events.map((e) => e.why)).toEqual([undefined, 'adjacencies-full']);
    expect(net.core('b').interfaces()[0]?.state).toBe('DR');
    expect(net.core('a').interfaces()[0]?.state).toBe('Backup');
  });

  it('named BDR by a neighbour before it has heard the DR, waits for the DR instead of electing itself DR (2.2 3, RFC 2328 9.4)', () => {
    const net = threeOnLan();
    expect(net.core('bdr').interfaces()[0]?.state).toBe('Backup');
    net.input('bdr', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(100);
    // The DR's Hellos reach the restarted BDR only after 3 s: the DROther's, naming it BDR, come first.
    const heldUntil = net.now + 3_000;
    net.filter = (sent, to) => !(to === 'bdr' && sent.from === 'dr' && sent.packet.type === PacketType.Hello && sent.at < heldUntil);
    const events = restart(net, 'bdr', '2.2.2.2', 60_000);
    net.advance(2_500);
    expect(net.core('bdr').interfaces()[0]?.state).toBe('Waiting');
    net.advance(30_000);
    expect(net.core('bdr').interfaces()[0]?.state).toBe('Backup');
    expect(events.map((e) => e.why)).toEqual([undefined, 'adjacencies-full']);
    expect(net.core('dr').lsa({ type: LsaType.Network, lsId: ip('10.0.0.2'), advRouter: ip('2.2.2.2') }, net.now)).toBeUndefined();
  });

  it('prepares a second restart soon after the first with a grace-LSA above the one it flushed, which the neighbour acknowledges (2.1)', () => {
    const net = twoOnLan();
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(1_100);
    const events = restart(net, 'a', '1.1.1.1', 58_900);
    let since = net.mark();
    for (let k = 0; k < 300 && !events.some((e) => e.action === 'exit'); k++) net.advance(100);
    expect(events.map((e) => e.why)).toEqual([undefined, 'adjacencies-full']);
    net.advance(1_000);
    const flushed = lsasSent(net, 'a', since).filter((l) => l.type === LsaType.OpaqueLink && l.age >= MaxAge);
    expect(flushed.length).toBeGreaterThan(0);
    // A `systemctl restart` again while b may still hold the flushed instance: b takes only a newer one (RFC 2328 13.1).
    since = net.mark();
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(1_100);
    const second = lsasSent(net, 'a', since).filter((l) => l.type === LsaType.OpaqueLink);
    expect(second.length).toBeGreaterThan(0);
    expect(second.every((l) => l.age < MaxAge && l.seq === (flushed[0]?.seq ?? 0) + 1)).toBe(true);
    expect(net.core('a').restartPrepared()).toBe(true);
    expect(net.core('b').neighbors()[0]?.helper?.gracePeriod).toBe(60);
  });

  it("flushes each interface's grace-LSA at the end, so no helper on any of its links goes on helping (2.3)", () => {
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1');
    net.addRouter('b', '2.2.2.2');
    net.addRouter('c', '3.3.3.3');
    net.link('lan1', [
      ['a', 'eth0', '10.0.1.1/24'],
      ['b', 'eth0', '10.0.1.2/24'],
    ]);
    net.link('lan2', [
      ['a', 'eth1', '10.0.2.1/24'],
      ['c', 'eth0', '10.0.2.3/24'],
    ]);
    net.run(60_000);
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(1_100);
    expect([net.core('b').neighbors()[0]?.helper?.gracePeriod, net.core('c').neighbors()[0]?.helper?.gracePeriod]).toEqual([60, 60]);
    const events = restart(net, 'a', '1.1.1.1', 58_900);
    // a was BDR on both segments: named so in the DRs' Hellos, it takes the role back without waiting (2.2 3).
    net.advance(15_000);
    expect(events.map((e) => e.why)).toEqual([undefined, 'adjacencies-full']);
    expect([net.core('b').neighbors()[0]?.helper, net.core('c').neighbors()[0]?.helper]).toEqual([undefined, undefined]);
  });

  it('ends at once when an anycast prefix announced since the start is withdrawn, and floods the withdrawal', () => {
    const net = twoOnLan();
    const anycast = parsePrefix('10.206.206.1/32');
    net.input('a', { kind: 'advertise', prefix: anycast, mode: 'announce' });
    net.loopback('a', 'lo', ['10.206.206.1/32']);
    net.advance(10_000);
    const stubTo = (holder: string): boolean => {
      const lsa = net.core(holder).lsa({ type: LsaType.Router, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1') }, net.now);
      const body = lsa === undefined ? undefined : decodeLsaBody(lsa);
      return body?.kind === 'router' && body.links.some((l) => l.type === RouterLinkType.Stub && l.linkId >>> 0 === ip('10.206.206.1'));
    };
    expect(stubTo('b')).toBe(true);
    net.input('a', { kind: 'prepare-restart', gracePeriod: 60 });
    net.advance(100);
    const infos: InterfaceInfo[] = [...(net.nodes.get('a')?.infos.values() ?? [])];
    net.crash('a');
    net.addRouter('a', '1.1.1.1', () => undefined, 2, { gracefulRestart: { until: net.now + 59_900 } });
    const events: RestartEvent[] = [];
    net.on('a', 'graceful-restart', (e) => events.push(e));
    // As the daemon does: withdrawn until its checks pass, then announced.
    net.input('a', { kind: 'advertise', prefix: anycast, mode: 'withdraw' });
    for (const info of infos) net.setInterface('a', info);
    net.input('a', { kind: 'advertise', prefix: anycast, mode: 'announce' });
    net.advance(500);
    expect(events.map((e) => e.action)).toEqual(['enter']);
    // The proxy fails before the adjacency is back.
    net.input('a', { kind: 'advertise', prefix: anycast, mode: 'withdraw' });
    expect(events.map((e) => e.why)).toEqual([undefined, 'withdrawal']);
    // Once Full again (a takes its BDR role back at once), the withdrawal goes out above the kept instance.
    net.advance(10_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(stubTo('b')).toBe(false);
  });
});
