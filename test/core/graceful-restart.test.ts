// Graceful restart helper mode (RFC 3623 3): a neighbor's grace-LSA keeps it
// Full in our LSAs through its restart, until the flush of that LSA, the end
// of its grace period or a change in the topology it could not follow.
import { describe, expect, it } from 'vitest';
import { InitialSequenceNumber, LsaType, MaxAge, Options, PacketType, RouterLinkType, buildLsa, decodeLsaBody, type Lsa, type LsUpdatePacket } from '../../src/packet/index.js';
import { GraceLsaId, GraceReason, encodeGraceBody } from '../../src/packet/lsa/grace.js';
import { parseIpv4 as ip } from '../../src/lib/ipv4.js';
import type { CoreEvent, GracefulRestartHelperConfig } from '../../src/core/api.js';
import { TestNet, fromRouter, inject, threeOnLan } from './harness.js';
import { DefaultHelperConfig } from '../../src/core/graceful-restart.js';

type HelperEvent = Extract<CoreEvent, { type: 'graceful-restart-helper' }>;

/** The three routers of threeOnLan, with the given helper settings (FRR's defaults for the rest). */
function lan(helper?: Partial<GracefulRestartHelperConfig>): TestNet {
  return threeOnLan((c) => {
    if (helper !== undefined) c.gracefulRestartHelper = { ...DefaultHelperConfig, ...helper };
  });
}

/** dr's grace-LSA (RFC 3623 Appendix A), or one with the given body bytes. */
function graceLsa(opts: { gracePeriod?: number; reason?: number; age?: number; seq?: number; body?: Uint8Array } = {}): Lsa {
  const data = opts.body ?? encodeGraceBody({ gracePeriod: opts.gracePeriod ?? 60, reason: opts.reason ?? GraceReason.SoftwareRestart, interfaceAddress: ip('10.0.0.3') });
  return buildLsa({ age: opts.age ?? 1, options: 0x42, type: LsaType.OpaqueLink, lsId: GraceLsaId, advRouter: ip('3.3.3.3'), seq: opts.seq ?? InitialSequenceNumber }, { kind: 'opaque', data });
}

/** Hands `lsa` to `other` as dr floods it, to AllSPFRouters. */
function fromDr(net: TestNet, lsa: Lsa): void {
  const packet: LsUpdatePacket = { ...fromRouter('3.3.3.3'), type: PacketType.LsUpdate, lsas: [lsa] };
  inject(net, 'other', 'eth0', '10.0.0.3', packet);
}

function helperEvents(net: TestNet): HelperEvent[] {
  const events: HelperEvent[] = [];
  net.on('other', 'graceful-restart-helper', (e) => events.push(e));
  return events;
}

/** Whether other's router-LSA has its transit link to the LAN, and dr's network-LSA lists it. */
function otherAttached(net: TestNet): { transit: boolean; inNetworkLsa: boolean } {
  const other = net.core('other');
  const own = other.lsa({ type: LsaType.Router, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1') }, net.now);
  const body = own === undefined ? undefined : decodeLsaBody(own);
  const transit = body?.kind === 'router' && body.links.some((l) => l.type === RouterLinkType.Transit && l.linkId === ip('10.0.0.3'));
  const network = other.lsa({ type: LsaType.Network, lsId: ip('10.0.0.3'), advRouter: ip('3.3.3.3') }, net.now);
  const netBody = network === undefined || network.age >= MaxAge ? undefined : decodeLsaBody(network);
  return { transit, inNetworkLsa: netBody?.kind === 'network' && netBody.attachedRouters.includes(ip('1.1.1.1')) };
}

describe('RFC 3623 3.1: entering helper mode', () => {
  it('a grace-LSA from a Full neighbor makes us its helper until its grace period ends', () => {
    const net = lan();
    const events = helperEvents(net);
    fromDr(net, graceLsa({ gracePeriod: 60, age: 1 }));
    const dr = net.core('other').neighbors().find((n) => n.routerId === ip('3.3.3.3'));
    // The grace period counts from origination: one second of it is spent.
    expect(dr?.helper).toEqual({ since: net.now, until: net.now + 59_000, gracePeriod: 60, restartReason: GraceReason.SoftwareRestart });
    expect(events.map((e) => [e.action, e.routerId, e.until])).toEqual([['enter', ip('3.3.3.3'), net.now + 59_000]]);
  });

  it.each([
    ['helper mode is off', { enabled: false }, {}, 'helper-disabled'],
    ['the grace period is longer than supported', { supportedGraceTime: 30 }, { gracePeriod: 60 }, 'grace-period-unsupported'],
    ['planned-only and the restart is unplanned', { plannedOnly: true }, { reason: GraceReason.Unknown }, 'unplanned-restart'],
    ['the grace period is already over', {}, { gracePeriod: 60, age: 61 }, 'grace-period-expired'],
  ] as const)('refuses when %s', (_, config, lsa, why) => {
    const net = lan(config);
    const events = helperEvents(net);
    fromDr(net, graceLsa(lsa));
    expect(net.core('other').neighbors().find((n) => n.routerId === ip('3.3.3.3'))?.helper).toBeUndefined();
    expect(events.map((e) => [e.action, e.why])).toEqual([['refuse', why]]);
  });

  it('helps a neighbor listed by router id while helper mode is off for the others', () => {
    const net = lan({ enabled: false, neighbors: [ip('3.3.3.3')] });
    fromDr(net, graceLsa());
    expect(net.core('other').neighbors().find((n) => n.routerId === ip('3.3.3.3'))?.helper).toBeDefined();
  });

  it('refuses a malformed grace-LSA (a TLV overrunning the body), and goes on running', () => {
    const net = lan();
    const events = helperEvents(net);
    fromDr(net, graceLsa({ body: Uint8Array.from([0, 1, 0, 40, 0, 0, 0, 60]) }));
    expect(events.map((e) => [e.action, e.why])).toEqual([['refuse', 'malformed-grace-lsa']]);
    net.advance(60_000);
    expect(net.state('other', '3.3.3.3')).toBe('Full');
    expect(net.core('other').audit()).toEqual([]);
  });

  it('with strict LSA checking, refuses while a change made since the restart began waits for the neighbor', () => {
    const net = lan();
    const events = helperEvents(net);
    // other's router-LSA changes (a new loopback); dr stops listening at once, so the change stays unacknowledged.
    net.crash('dr');
    net.loopback('other', 'lo', ['192.0.2.1/32']);
    net.advance(2000);
    // The grace-LSA was originated 5 s ago, before the change: refused.
    fromDr(net, graceLsa({ age: 5 }));
    expect(events.map((e) => [e.action, e.why])).toEqual([['refuse', 'topology-change']]);
  });

  it('with strict LSA checking, helps when what waits for the neighbor was flooded before its restart began', () => {
    const net = lan();
    const events = helperEvents(net);
    net.crash('dr');
    net.loopback('other', 'lo', ['192.0.2.1/32']);
    net.advance(2000);
    // Originated 1 s ago, after the change went out: the database exchange after its restart brings it.
    fromDr(net, graceLsa({ age: 1 }));
    expect(events.map((e) => e.action)).toEqual(['enter']);
  });
});

describe('RFC 3623 3.2: while helping', () => {
  it('keeps the silent neighbor Full in our LSAs past its dead interval, until the grace period ends', () => {
    const net = lan();
    const events = helperEvents(net);
    fromDr(net, graceLsa({ gracePeriod: 90, age: 0 }));
    const enteredAt = net.now;
    net.crash('dr');
    // 80 s: twice the RouterDeadInterval.
    net.advance(80_000);
    expect(net.state('other', '3.3.3.3')).toBe('Full');
    expect(otherAttached(net)).toEqual({ transit: true, inNetworkLsa: true });
    expect(net.core('other').audit()).toEqual([]);
    net.advance(11_000);
    expect(events.map((e) => [e.action, e.why])).toEqual([
      ['enter', undefined],
      ['exit', 'grace-period-expired'],
    ]);
    expect(events[1]?.until).toBe(enteredAt + 90_000);
    // No longer helped, the silent neighbor goes within a dead interval.
    net.advance(41_000);
    expect(net.state('other', '3.3.3.3')).toBeUndefined();
  });

  it("ignores the restarted neighbor's Hellos that do not list us yet (no 1-WayReceived)", () => {
    const net = lan();
    fromDr(net, graceLsa());
    const reasons: string[] = [];
    net.on('other', 'neighbor-state', (e) => {
      if (e.routerId === ip('3.3.3.3')) reasons.push(`${e.from}->${e.to}`);
    });
    inject(net, 'other', 'eth0', '10.0.0.3', {
      ...fromRouter('3.3.3.3'),
      type: PacketType.Hello,
      networkMask: ip('255.255.255.0'),
      helloInterval: 10,
      options: 0x42,
      priority: 3,
      deadInterval: 40,
      dr: 0,
      bdr: 0,
      neighbors: [],
    });
    net.advance(100);
    expect(reasons).toEqual([]);
    // The election is untouched: dr stays DR for us.
    expect(net.core('other').interfaces()[0]?.dr).toBe(ip('10.0.0.3'));
  });

  it('ends with the flush of its grace-LSA: the restart completed', () => {
    const net = lan();
    const events = helperEvents(net);
    fromDr(net, graceLsa({ seq: InitialSequenceNumber }));
    net.advance(2000);
    fromDr(net, graceLsa({ seq: InitialSequenceNumber + 1, age: MaxAge }));
    expect(events.map((e) => [e.action, e.why])).toEqual([
      ['enter', undefined],
      ['exit', 'completed'],
    ]);
    expect(net.core('other').neighbors().find((n) => n.routerId === ip('3.3.3.3'))?.helper).toBeUndefined();
  });

  it('ends when a changed LSA would be flooded to the restarting neighbor (topology change)', () => {
    const net = lan();
    const events = helperEvents(net);
    fromDr(net, graceLsa());
    net.loopback('other', 'lo', ['192.0.2.1/32']);
    net.advance(6000);
    expect(events.map((e) => [e.action, e.why])).toEqual([
      ['enter', undefined],
      ['exit', 'topology-change'],
    ]);
  });

  it('lets go of the neighbor when the configuration turns helper mode off', () => {
    const net = lan();
    const events = helperEvents(net);
    fromDr(net, graceLsa());
    const node = net.nodes.get('other');
    if (node === undefined) throw new Error('no router other');
    net.input('other', { kind: 'config', config: { ...node.config, gracefulRestartHelper: { ...DefaultHelperConfig, enabled: false } } });
    expect(events.map((e) => [e.action, e.why])).toEqual([
      ['enter', undefined],
      ['exit', 'helper-disabled'],
    ]);
  });
});

describe('RFC 5250: opaque LSAs', () => {
  it('RFC 5250 3: DDs carry the O-bit and Hellos do not; a link-local grace-LSA stays on its link', () => {
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1');
    net.addRouter('b', '2.2.2.2');
    net.addRouter('c', '3.3.3.3');
    net.link('ab', [
      ['a', 'eth0', '10.0.1.1/24'],
      ['b', 'eth0', '10.0.1.2/24'],
    ]);
    net.link('bc', [
      ['b', 'eth1', '10.0.2.2/24'],
      ['c', 'eth0', '10.0.2.3/24'],
    ]);
    net.run(120_000);
    // Opaque capability is told in DD packets; a Hello's options are the area's alone (E).
    const optionsSent = (type: number): number[] => net.sentBy('b', type).map((s) => ('options' in s.packet ? s.packet.options : -1));
    const hellos = optionsSent(PacketType.Hello);
    const dds = optionsSent(PacketType.DbDescription);
    expect(hellos.length).toBeGreaterThan(0);
    expect(dds.length).toBeGreaterThan(0);
    expect(new Set(hellos)).toEqual(new Set([Options.E]));
    expect(new Set(dds)).toEqual(new Set([Options.E | Options.O]));
    const lsa = buildLsa(
      { age: 1, options: 0x42, type: LsaType.OpaqueLink, lsId: GraceLsaId, advRouter: ip('1.1.1.1'), seq: InitialSequenceNumber },
      { kind: 'opaque', data: encodeGraceBody({ gracePeriod: 60, reason: GraceReason.SoftwareRestart, interfaceAddress: ip('10.0.1.1') }) },
    );
    inject(net, 'b', 'eth0', '10.0.1.1', { ...fromRouter('1.1.1.1'), type: PacketType.LsUpdate, lsas: [lsa] });
    net.advance(10_000);
    const key = { type: LsaType.OpaqueLink, lsId: GraceLsaId, advRouter: ip('1.1.1.1') };
    expect(net.core('b').lsa(key, net.now)).toBeDefined();
    // RFC 5250 3: link-local scope: never flooded out of b's other interface.
    expect(net.core('c').lsa(key, net.now)).toBeUndefined();
    expect(net.core('b').neighbors().find((n) => n.routerId === ip('1.1.1.1'))?.helper).toBeDefined();
  });
});
