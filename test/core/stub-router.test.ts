// RFC 6987 section 2: a stub router's router-LSA. Router m sits between a
// (a point-to-point link) and b (a broadcast link, m's link to it a transit
// link once Full), with its own /32 and an anycast /32 on lo. Administratively
// or for a period after start, m's point-to-point and transit links cost
// MaxLinkMetric; every stub link keeps its cost, the anycast /32 the cost its
// 'advertise' input gives it.
import { describe, expect, it } from 'vitest';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { LsaType, RouterLinkType, decodeLsaBody, type RouterLink, type RouterLsaBody } from '../../src/packet/index.js';
import type { RouterConfig, StubRouterConfig } from '../../src/core/api.js';
import { MaxLinkMetric } from '../../src/core/origination.js';
import { TestNet } from './harness.js';

const ip = parseIpv4;
const M = '10.255.0.1';
const ANYCAST = parsePrefix('10.206.206.1/32');

function mConfig(c: RouterConfig, stubRouter?: StubRouterConfig): void {
  c.networks = [parsePrefix('10.1.0.0/30'), parsePrefix('10.2.0.0/24'), parsePrefix(`${M}/32`), ANYCAST];
  c.interfaces.p2p = { networkType: 'point-to-point', cost: 10 };
  c.interfaces.lan = { cost: 20 };
  if (stubRouter === undefined) delete c.stubRouter;
  else c.stubRouter = stubRouter;
}

/** m's configuration as the lab started it, with `stubRouter` instead (a reload of the daemon). */
function reloaded(net: TestNet, stubRouter?: StubRouterConfig): RouterConfig {
  const c = { ...(net.nodes.get('m')?.config as RouterConfig), interfaces: {} };
  mConfig(c, stubRouter);
  return c;
}

/** The lab, converged: every adjacency Full by 60 s of virtual time. */
function lab(stubRouter?: StubRouterConfig): TestNet {
  const net = new TestNet();
  net.addRouter('m', M, (c) => mConfig(c, stubRouter));
  net.addRouter('a', '10.255.0.2', (c) => {
    c.interfaces.p2p = { networkType: 'point-to-point' };
  });
  net.addRouter('b', '10.255.0.3');
  // As the daemon does: the announcer governs the anycast prefix before the interfaces appear.
  net.input('m', { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
  net.loopback('m', 'lo', [`${M}/32`, '10.206.206.1/32']);
  net.link('ab', [
    ['m', 'p2p', '10.1.0.1/30'],
    ['a', 'p2p', '10.1.0.2/30'],
  ]);
  net.link('lan', [
    ['m', 'lan', '10.2.0.1/24'],
    ['b', 'lan', '10.2.0.2/24'],
  ]);
  net.run(60_000);
  expect(net.state('m', '10.255.0.2')).toBe('Full');
  expect(net.state('m', '10.255.0.3')).toBe('Full');
  return net;
}

/** m's router-LSA as `holder` has it (a's copy: what the area routes on). */
function mRouterLsa(net: TestNet, holder = 'a'): { links: RouterLink[]; seq: number } {
  const lsa = net.core(holder).lsa({ type: LsaType.Router, lsId: ip(M), advRouter: ip(M) }, net.now);
  if (lsa === undefined) throw new Error(`${holder} holds no router-LSA of m`);
  return { links: (decodeLsaBody(lsa) as RouterLsaBody).links, seq: lsa.seq };
}

const describeLinks = (links: RouterLink[]): [number, number, number, number][] => links.map((l) => [l.type, l.linkId, l.linkData, l.metric]);

/** m's links when it is no stub router, interfaces in name order: transit to the LAN (20), the two /32s on lo (0), p2p to a (10) and its subnet (10). */
const NORMAL: [number, number, number, number][] = [
  [RouterLinkType.Transit, ip('10.2.0.2'), ip('10.2.0.1'), 20],
  [RouterLinkType.Stub, ip('10.206.206.1'), 0xffffffff, 0],
  [RouterLinkType.Stub, ip(M), 0xffffffff, 0],
  [RouterLinkType.PointToPoint, ip('10.255.0.2'), ip('10.1.0.1'), 10],
  [RouterLinkType.Stub, ip('10.1.0.0'), ip('255.255.255.252'), 10],
];

/** The same links from a stub router: transit and point-to-point at MaxLinkMetric, the stubs as they were. */
const STUB: [number, number, number, number][] = NORMAL.map(([type, id, data, metric]) => [type, id, data, type === RouterLinkType.Stub ? metric : MaxLinkMetric]);

describe('RFC 6987 section 2: transit links at MaxLinkMetric, stub links unchanged', () => {
  it('without stubRouter the router-LSA carries the interface costs', () => {
    const net = lab();
    expect(describeLinks(mRouterLsa(net).links)).toEqual(NORMAL);
    expect(net.core('m').stubRouter(net.now)).toEqual({ active: false, administrative: false });
  });

  it('administrative: point-to-point and transit links at 0xffff, the subnet, loopback and anycast stubs as before', () => {
    const net = lab({ administrative: true });
    expect(MaxLinkMetric).toBe(0xffff);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(STUB);
    // b's copy is the same instance: the whole area sees m as a stub router.
    expect(describeLinks(mRouterLsa(net, 'b').links)).toEqual(STUB);
    expect(net.core('m').stubRouter(net.now)).toEqual({ active: true, administrative: true });
  });

  it('leaves the anycast prefix to its advertise input: max-cost and withdraw as without stub router', () => {
    const net = lab({ administrative: true });
    net.input('m', { kind: 'advertise', prefix: ANYCAST, mode: 'max-cost' });
    net.advance(10_000);
    const anycastLink = (): RouterLink | undefined => mRouterLsa(net).links.find((l) => l.linkId === ip('10.206.206.1'));
    expect(anycastLink()?.metric).toBe(0xffff);
    net.input('m', { kind: 'advertise', prefix: ANYCAST, mode: 'withdraw' });
    net.advance(10_000);
    expect(anycastLink()).toBeUndefined();
    net.input('m', { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
    net.advance(10_000);
    expect(anycastLink()?.metric).toBe(0);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(STUB);
  });
});

describe('a configuration input turns the stub router on and off (reload)', () => {
  it('re-originates the router-LSA each way, adjacencies untouched', () => {
    const net = lab();
    const before = mRouterLsa(net).seq;
    net.input('m', { kind: 'config', config: reloaded(net, { administrative: true }) });
    net.advance(6_000);
    const stub = mRouterLsa(net);
    expect(describeLinks(stub.links)).toEqual(STUB);
    expect(stub.seq).toBeGreaterThan(before);
    net.input('m', { kind: 'config', config: reloaded(net) });
    net.advance(6_000);
    const normal = mRouterLsa(net);
    expect(describeLinks(normal.links)).toEqual(NORMAL);
    expect(normal.seq).toBeGreaterThan(stub.seq);
    expect(net.state('m', '10.255.0.2')).toBe('Full');
    expect(net.state('m', '10.255.0.3')).toBe('Full');
  });
});

describe('on-startup: a stub router from the first input for the period, then normal', () => {
  const PERIOD = 90_000;

  it('ends the period on the timer input at first input + period, and says how long is left until then', () => {
    const net = lab({ administrative: false, onStartupMs: PERIOD });
    // The first input was at 0: the lab ran 60 s of the 90 s.
    expect(describeLinks(mRouterLsa(net).links)).toEqual(STUB);
    expect(net.core('m').stubRouter(net.now)).toEqual({ active: true, administrative: false, startupRemainingMs: PERIOD - 60_000 });
    net.run(PERIOD - 1);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(STUB);
    net.run(PERIOD + 1_000);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(NORMAL);
    expect(net.core('m').stubRouter(net.now)).toEqual({ active: false, administrative: false });
  });

  it('ends at once when a configuration no longer has it (FRR `no max-metric router-lsa on-startup`)', () => {
    const net = lab({ administrative: false, onStartupMs: PERIOD });
    net.input('m', { kind: 'config', config: reloaded(net) });
    net.advance(6_000);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(NORMAL);
    expect(net.core('m').stubRouter(net.now)).toEqual({ active: false, administrative: false });
  });

  it('does not start when only a later configuration has it: as in FRR, it applies from the next start', () => {
    const net = lab();
    net.input('m', { kind: 'config', config: reloaded(net, { administrative: false, onStartupMs: PERIOD }) });
    net.advance(6_000);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(NORMAL);
    expect(net.core('m').stubRouter(net.now).active).toBe(false);
  });

  it('leaves an administrative stub router one when the period ends', () => {
    const net = lab({ administrative: true, onStartupMs: PERIOD });
    net.run(PERIOD + 1_000);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(STUB);
    expect(net.core('m').stubRouter(net.now)).toEqual({ active: true, administrative: true });
  });

  it('keeps a day-long period within the self-audit', () => {
    const net = lab({ administrative: false, onStartupMs: 86_400_000 });
    expect(net.core('m').audit()).toEqual([]);
    expect(net.core('m').stubRouter(net.now).startupRemainingMs).toBe(86_400_000 - 60_000);
  });

  it('keeps the end of a running period when a configuration changes its length, as FRR keeps its timer', () => {
    const net = lab({ administrative: false, onStartupMs: 86_400_000 });
    net.input('m', { kind: 'config', config: reloaded(net, { administrative: false, onStartupMs: PERIOD }) });
    net.run(PERIOD + 1_000);
    expect(describeLinks(mRouterLsa(net).links)).toEqual(STUB);
    expect(net.core('m').stubRouter(net.now).startupRemainingMs).toBe(86_400_000 - PERIOD - 1_000);
    expect(net.core('m').audit()).toEqual([]);
  });
});
