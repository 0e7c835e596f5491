// RFC 2328 12.4: what a router originates. Router-LSA links per interface
// (12.4.1), the loopback /32 stub and the 'advertise' input (the anycast
// announcer), MinLSInterval, the network-LSA of a DR (12.4.2),
// AS-external-LSAs (12.4.4, appendix E), and configuration changes.
import { describe, expect, it } from 'vitest';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { LsaType, MaxAge, RouterFlags, RouterLinkType, decodeLsaBody, type ExternalLsaBody, type HelloPacket, type NetworkLsaBody, type RouterLsaBody } from '../../src/packet/index.js';
import type { RouterConfig } from '../../src/core/api.js';
import { TestNet } from './harness.js';

const ip = parseIpv4;

function routerLsa(net: TestNet, router: string, id: string): RouterLsaBody & { seq: number } {
  const lsa = net.core(router).lsa({ type: LsaType.Router, lsId: ip(id), advRouter: ip(id) }, net.now);
  if (lsa === undefined) throw new Error(`${router} holds no router-LSA of ${id}`);
  return { ...(decodeLsaBody(lsa) as RouterLsaBody), seq: lsa.seq };
}

const stubs = (body: RouterLsaBody): [number, number, number][] =>
  body.links.filter((l) => l.type === RouterLinkType.Stub).map((l) => [l.linkId, l.linkData, l.metric]);

const ANYCAST = parsePrefix('10.206.206.1/32');

/**
 * A SIP node: loopback with the anycast /32 and its own address, an uplink to
 * router r. With `dummy0`, the /32 is on that non-loopback interface instead,
 * with interface settings of its own (cost 5), and the announcer governs it
 * from the start, as the daemon does.
 */
function sipNode(anycastOn: 'lo' | 'dummy0' = 'lo'): TestNet {
  const net = new TestNet();
  net.addRouter('node', '10.206.0.11', (c) => {
    c.networks = [parsePrefix('10.206.206.1/32'), parsePrefix('10.206.0.11/32'), parsePrefix('10.0.0.0/24')];
    if (anycastOn === 'dummy0') c.interfaces.dummy0 = { cost: 5 };
  });
  net.addRouter('r', '10.206.0.1');
  if (anycastOn === 'lo') {
    net.loopback('node', 'lo', ['127.0.0.1/8', '10.206.206.1/32', '10.206.0.11/32']);
  } else {
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
    net.loopback('node', 'lo', ['127.0.0.1/8', '10.206.0.11/32']);
    net.setInterface('node', { name: 'dummy0', ifIndex: 3, up: true, loopback: false, mtu: 1500, addresses: [{ address: ip('10.206.206.1'), prefixLength: 32 }] });
  }
  net.link('lan', [
    ['node', 'eth0', '10.0.0.11/24'],
    ['r', 'eth0', '10.0.0.1/24'],
  ]);
  net.run(60_000);
  expect(net.state('r', '10.206.0.11')).toBe('Full');
  return net;
}

describe('RFC 2328 12.4.1.1: loopback addresses are /32 stub links', () => {
  it('advertises each loopback address inside config.networks as a host route of cost 0', () => {
    const net = sipNode();
    expect(net.core('node').interfaces().find((i) => i.name === 'lo')?.state).toBe('Loopback');
    const body = routerLsa(net, 'r', '10.206.0.11');
    // 127.0.0.1 is outside every configured network, so it stays out (FRR `network` semantics).
    expect(stubs(body)).toEqual([
      [ip('10.206.0.11'), 0xffffffff, 0],
      [ip('10.206.206.1'), 0xffffffff, 0],
    ]);
    // And the LAN is a transit link to the DR (RFC 2328 12.4.1.2).
    expect(body.links.filter((l) => l.type === RouterLinkType.Transit).map((l) => [l.linkId, l.linkData])).toEqual([[ip('10.0.0.11'), ip('10.0.0.11')]]);
  });
});

describe('the goodbye input', () => {
  it('sends a Hello listing no neighbours, and the neighbour drops the adjacency at once (RFC 2328 10.5 1-WayReceived)', () => {
    const net = sipNode();
    expect(net.core('r').neighbors().find((n) => n.routerId === ip('10.206.0.11'))?.state).toBe('Full');
    const changes: { from: string; to: string; reason: string }[] = [];
    net.on('r', 'neighbor-state', (e) => {
      if (e.routerId === ip('10.206.0.11')) changes.push({ from: e.from, to: e.to, reason: e.reason });
    });
    net.input('node', { kind: 'goodbye' });
    net.advance(10);
    expect(changes[0]).toEqual({ from: 'Full', to: 'Init', reason: '1-WayReceived' });
  });
});

describe("the 'advertise' input: how the anycast /32 is announced", () => {
  it('max-cost, withdraw and announce each re-originate at once, later changes wait for MinLSInterval', () => {
    const net = sipNode();
    const anycast = parsePrefix('10.206.206.1/32');
    const before = routerLsa(net, 'node', '10.206.0.11');
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'max-cost' });
    const maxCost = routerLsa(net, 'node', '10.206.0.11');
    expect(maxCost.seq).toBe(before.seq + 1);
    expect(stubs(maxCost)).toContainEqual([ip('10.206.206.1'), 0xffffffff, 0xffff]);
    net.advance(5_000);
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'withdraw' });
    const withdrawn = routerLsa(net, 'node', '10.206.0.11');
    expect(withdrawn.seq).toBe(before.seq + 2);
    expect(stubs(withdrawn).map(([id]) => id)).toEqual([ip('10.206.0.11')]);
    net.advance(10);
    expect(stubs(routerLsa(net, 'r', '10.206.0.11')).map(([id]) => id)).toEqual([ip('10.206.0.11')]);
    // Back within MinLSInterval (RFC 2328 12.4): deferred, not lost.
    net.advance(1_000);
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'announce' });
    expect(routerLsa(net, 'node', '10.206.0.11').seq).toBe(before.seq + 2);
    net.advance(4_000);
    const back = routerLsa(net, 'node', '10.206.0.11');
    expect(back.seq).toBe(before.seq + 3);
    expect(stubs(back)).toContainEqual([ip('10.206.206.1'), 0xffffffff, 0]);
    net.advance(10);
    expect(stubs(routerLsa(net, 'r', '10.206.0.11'))).toContainEqual([ip('10.206.206.1'), 0xffffffff, 0]);
  });

  it('config.minLsIntervalMs shortens the wait between originations', () => {
    const net = sipNode();
    const config = net.nodes.get('node')?.config as RouterConfig;
    net.input('node', { kind: 'config', config: { ...config, minLsIntervalMs: 1_000 } });
    const anycast = parsePrefix('10.206.206.1/32');
    net.advance(5_000);
    const before = routerLsa(net, 'node', '10.206.0.11');
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'withdraw' });
    net.advance(200);
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'announce' });
    expect(routerLsa(net, 'node', '10.206.0.11').seq).toBe(before.seq + 1);
    net.advance(800);
    expect(routerLsa(net, 'node', '10.206.0.11').seq).toBe(before.seq + 2);
  });

  it('a flap inside MinLSInterval that ends where it started originates nothing more', () => {
    const net = sipNode();
    const anycast = parsePrefix('10.206.206.1/32');
    const before = routerLsa(net, 'node', '10.206.0.11');
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'withdraw' });
    net.advance(1_000);
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'max-cost' });
    net.advance(1_000);
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'withdraw' });
    net.advance(10_000);
    const after = routerLsa(net, 'node', '10.206.0.11');
    expect(after.seq).toBe(before.seq + 1);
    expect(stubs(after).map(([id]) => id)).toEqual([ip('10.206.0.11')]);
  });
});

const hostRoute = (cost: number): [number, number, number] => [ip('10.206.206.1'), 0xffffffff, cost];
const anycastStubs = (body: RouterLsaBody): [number, number, number][] => stubs(body).filter(([id]) => id === ip('10.206.206.1'));

describe('RFC 2328 12.4.1.1: an anycast address on an interface other than lo', () => {
  it('an interface with only anycast addresses is a loopback for them, its own settings notwithstanding: a host route of cost 0, no Hellos, no multicast group', () => {
    const net = sipNode('dummy0');
    const dummy0 = net.core('node').interfaces().find((i) => i.name === 'dummy0');
    expect(dummy0).toMatchObject({ state: 'Loopback', address: 0 });
    expect(net.sent.filter((p) => p.from === 'node' && p.ifName === 'dummy0')).toEqual([]);
    expect(net.outputsOf('node').filter((o) => o.kind === 'membership' && o.ifName === 'dummy0')).toEqual([]);
    // At the router: the same link as a node with the /32 on lo, so every node is an equal-cost path.
    expect(anycastStubs(routerLsa(net, 'r', '10.206.0.11'))).toEqual([hostRoute(0)]);
  });

  it('max-cost, withdraw and announce reach the router as they do for lo', () => {
    const net = sipNode('dummy0');
    net.advance(5_000);
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'max-cost' });
    net.advance(10);
    expect(anycastStubs(routerLsa(net, 'r', '10.206.0.11'))).toEqual([hostRoute(0xffff)]);
    net.advance(5_000);
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'withdraw' });
    net.advance(10);
    expect(anycastStubs(routerLsa(net, 'r', '10.206.0.11'))).toEqual([]);
    net.advance(5_000);
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
    net.advance(10);
    expect(anycastStubs(routerLsa(net, 'r', '10.206.0.11'))).toEqual([hostRoute(0)]);
    // The interface never ran OSPF through all of it.
    expect(net.sent.filter((p) => p.from === 'node' && p.ifName === 'dummy0')).toEqual([]);
  });

  it('a prefix governed only after the interface came up stops its Hellos and its stub of the interface cost', () => {
    const net = new TestNet();
    net.addRouter('node', '10.206.0.11', (c) => (c.networks = [parsePrefix('10.206.206.1/32')]));
    net.setInterface('node', { name: 'dummy0', ifIndex: 3, up: true, loopback: false, mtu: 1500, addresses: [{ address: ip('10.206.206.1'), prefixLength: 32 }] });
    net.run(50_000);
    // Not (yet) an anycast address: an ordinary OSPF interface, as FRR would run it.
    expect(net.core('node').interfaces().find((i) => i.name === 'dummy0')?.state).toBe('DR');
    expect(anycastStubs(routerLsa(net, 'node', '10.206.0.11'))).toEqual([hostRoute(10)]);
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'withdraw' });
    const from = net.mark();
    net.advance(30_000);
    expect(net.core('node').interfaces().find((i) => i.name === 'dummy0')?.state).toBe('Loopback');
    expect(net.sentBy('node', 1, from)).toEqual([]);
    expect(anycastStubs(routerLsa(net, 'node', '10.206.0.11'))).toEqual([]);
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
    net.advance(10_000);
    expect(anycastStubs(routerLsa(net, 'node', '10.206.0.11'))).toEqual([hostRoute(0)]);
  });

  it('an interface with an ordinary address and an anycast /32 runs OSPF on the ordinary one and advertises the /32 as a host route', () => {
    const net = new TestNet();
    // The anycast address is the lower of the two, so lowest-first alone would pick it.
    net.addRouter('node', '10.206.0.11', (c) => (c.networks = [parsePrefix('10.206.206.1/32'), parsePrefix('10.207.0.0/24')]));
    net.addRouter('r', '10.206.0.1', (c) => (c.interfaces.eth0 = { priority: 0 }));
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'announce' });
    net.link('lan', [
      ['node', 'eth0', '10.207.0.11/24'],
      ['r', 'eth0', '10.207.0.1/24'],
    ]);
    net.setInterface('node', {
      name: 'eth0',
      ifIndex: 2,
      up: true,
      loopback: false,
      mtu: 1500,
      addresses: [
        { address: ip('10.206.206.1'), prefixLength: 32 },
        { address: ip('10.207.0.11'), prefixLength: 24 },
      ],
    });
    net.run(60_000);
    expect(net.state('r', '10.206.0.11')).toBe('Full');
    const eth0 = net.core('node').interfaces().find((i) => i.name === 'eth0');
    // The node is DR (r has priority 0): its DR address is its ordinary one.
    expect(eth0).toMatchObject({ state: 'DR', address: ip('10.207.0.11'), prefixLength: 24, dr: ip('10.207.0.11') });
    expect(net.core('r').neighbors().map((n) => n.address)).toEqual([ip('10.207.0.11')]);
    const hellos = net.sentBy('node', 1);
    expect(hellos.length).toBeGreaterThan(0);
    for (const h of hellos) expect((h.packet as HelloPacket).networkMask).toBe(ip('255.255.255.0'));
    const body = routerLsa(net, 'r', '10.206.0.11');
    expect(body.links.filter((l) => l.type === RouterLinkType.Transit).map((l) => [l.linkId, l.linkData, l.metric])).toEqual([[ip('10.207.0.11'), ip('10.207.0.11'), 10]]);
    expect(anycastStubs(body)).toEqual([hostRoute(0)]);
    net.advance(5_000);
    net.input('node', { kind: 'advertise', prefix: ANYCAST, mode: 'withdraw' });
    net.advance(10);
    const withdrawn = routerLsa(net, 'r', '10.206.0.11');
    expect(anycastStubs(withdrawn)).toEqual([]);
    expect(withdrawn.links.filter((l) => l.type === RouterLinkType.Transit)).toHaveLength(1);
    expect(net.state('r', '10.206.0.11')).toBe('Full');
  });
});

describe('RFC 2328 12.4.2: the network-LSA', () => {
  it('is originated by the DR, lists every fully adjacent router, and is flushed when the DR loses them all', () => {
    const net = sipNode();
    const key = { type: LsaType.Network, lsId: ip('10.0.0.11'), advRouter: ip('10.206.0.11') };
    const lsa = net.core('r').lsa(key, net.now);
    expect(lsa).toBeDefined();
    const body = decodeLsaBody(lsa as NonNullable<typeof lsa>) as NetworkLsaBody;
    expect(body.networkMask).toBe(ip('255.255.255.0'));
    expect(body.attachedRouters).toEqual([ip('10.206.0.1'), ip('10.206.0.11')]);
    net.crash('r');
    // The dead interval, then the MaxAge hold (two retransmit intervals).
    net.advance(55_000);
    expect(net.core('node').lsa(key, net.now)).toBeUndefined();
    const own = routerLsa(net, 'node', '10.206.0.11');
    expect(own.links.some((l) => l.type === RouterLinkType.Transit)).toBe(false);
  });
});

describe('RFC 2328 12.4.4: AS-external-LSAs', () => {
  function withExternals(externals: RouterConfig['externals']): TestNet {
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1', (c) => {
      c.externals = externals;
      c.interfaces.eth0 = { networkType: 'point-to-point' };
    });
    net.addRouter('b', '2.2.2.2', (c) => (c.interfaces.eth0 = { networkType: 'point-to-point' }));
    net.link('p2p', [
      ['a', 'eth0', '10.0.0.1/30'],
      ['b', 'eth0', '10.0.0.2/30'],
    ]);
    net.run(30_000);
    return net;
  }

  it('carries metric, metric type, forwarding address and tag, and sets the E-bit in the router-LSA', () => {
    const net = withExternals([
      { prefix: parsePrefix('192.0.2.0/24'), metric: 20, metricType: 2, forwardingAddress: ip('10.0.0.1'), tag: 65001 },
      { prefix: parsePrefix('198.51.100.0/24'), metric: 7, metricType: 1, forwardingAddress: 0, tag: 0 },
    ]);
    const lsas = net
      .core('b')
      .lsdb(net.now)
      .filter((h) => h.type === LsaType.AsExternal);
    expect(lsas.map((h) => [h.lsId, h.advRouter, h.options & 0x02])).toEqual([
      [ip('192.0.2.0'), ip('1.1.1.1'), 0x02],
      [ip('198.51.100.0'), ip('1.1.1.1'), 0x02],
    ]);
    const bodies = lsas.map((h) => decodeLsaBody(net.core('b').lsa(h, net.now) as NonNullable<ReturnType<ReturnType<TestNet['core']>['lsa']>>) as ExternalLsaBody);
    expect(bodies.map((b) => [b.networkMask, b.routes])).toEqual([
      [ip('255.255.255.0'), [{ eBit: true, tos: 0, metric: 20, forwardingAddress: ip('10.0.0.1'), routeTag: 65001 }]],
      [ip('255.255.255.0'), [{ eBit: false, tos: 0, metric: 7, forwardingAddress: 0, routeTag: 0 }]],
    ]);
    expect(routerLsa(net, 'b', '1.1.1.1').flags & RouterFlags.E).toBe(RouterFlags.E);
    expect(routerLsa(net, 'b', '2.2.2.2').flags & RouterFlags.E).toBe(0);
  });

  it('gives routes sharing a network address distinct Link State IDs (appendix E)', () => {
    const net = withExternals([
      { prefix: parsePrefix('192.0.2.0/24'), metric: 1, metricType: 2, forwardingAddress: 0, tag: 0 },
      { prefix: parsePrefix('192.0.2.0/25'), metric: 1, metricType: 2, forwardingAddress: 0, tag: 0 },
    ]);
    const ids = net
      .core('b')
      .lsdb(net.now)
      .filter((h) => h.type === LsaType.AsExternal)
      .map((h) => h.lsId);
    expect(ids).toEqual([ip('192.0.2.0'), ip('192.0.2.127')]);
  });

  it('a config without an external flushes its LSA; neighbors stay Full through the change', () => {
    const ext = { prefix: parsePrefix('192.0.2.0/24'), metric: 1, metricType: 2 as const, forwardingAddress: 0, tag: 0 };
    const net = withExternals([ext]);
    const config = net.nodes.get('a')?.config as RouterConfig;
    const changes: string[] = [];
    net.on('a', 'neighbor-state', (e) => changes.push(`${e.from}->${e.to}`));
    net.input('a', { kind: 'config', config: { ...config, externals: [], interfaces: { eth0: { networkType: 'point-to-point', cost: 50 } } } });
    net.advance(2_000);
    expect(net.core('b').lsdb(net.now).filter((h) => h.type === LsaType.AsExternal).map((h) => h.age)).toEqual([MaxAge]);
    // Gone once the MaxAge hold (two retransmit intervals) is over.
    net.advance(10_000);
    expect(net.core('b').lsdb(net.now).filter((h) => h.type === LsaType.AsExternal)).toEqual([]);
    const body = routerLsa(net, 'b', '1.1.1.1');
    expect(body.flags & RouterFlags.E).toBe(0);
    expect(body.links.find((l) => l.type === RouterLinkType.PointToPoint)?.metric).toBe(50);
    expect(changes).toEqual([]);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
  });
});

describe('RFC 2328 9.3: interface inputs', () => {
  it('an interface going down kills its neighbors and drops its links from the router-LSA', () => {
    const net = sipNode();
    net.down('node', 'eth0');
    expect(net.core('node').neighbors()).toEqual([]);
    expect(net.core('node').interfaces().find((i) => i.name === 'eth0')?.state).toBe('Down');
    const body = routerLsa(net, 'node', '10.206.0.11');
    expect(body.links.map((l) => l.type)).toEqual([RouterLinkType.Stub, RouterLinkType.Stub]);
  });

  it('a passive interface sends no Hellos and is advertised as a stub network', () => {
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1', (c) => (c.interfaces.eth0 = { passive: true, cost: 3 }));
    net.link('lan', [['a', 'eth0', '192.168.1.1/24']]);
    net.run(30_000);
    expect(net.sentBy('a', 1)).toEqual([]);
    expect(stubs(routerLsa(net, 'a', '1.1.1.1'))).toEqual([[ip('192.168.1.0'), ip('255.255.255.0'), 3]]);
  });
});

describe('config input: identity and networks', () => {
  function pair(): TestNet {
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1', (c) => (c.interfaces.eth0 = { networkType: 'point-to-point' }));
    net.addRouter('b', '2.2.2.2', (c) => (c.interfaces.eth0 = { networkType: 'point-to-point' }));
    net.link('p2p', [
      ['a', 'eth0', '10.0.0.1/30'],
      ['b', 'eth0', '10.0.0.2/30'],
    ]);
    net.run(30_000);
    return net;
  }

  it('a new Router ID restarts the adjacencies and flushes the LSAs of the old one', () => {
    const net = pair();
    const config = net.nodes.get('a')?.config as RouterConfig;
    net.input('a', { kind: 'config', config: { ...config, routerId: ip('1.1.1.9') } });
    net.advance(60_000);
    expect(net.state('b', '1.1.1.9')).toBe('Full');
    const routers = net
      .core('b')
      .lsdb(net.now)
      .filter((h) => h.type === LsaType.Router)
      .map((h) => h.advRouter);
    expect(routers).toEqual([ip('1.1.1.9'), ip('2.2.2.2')]);
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
  });

  it('an interface whose address leaves config.networks goes Down', () => {
    const net = pair();
    const config = net.nodes.get('a')?.config as RouterConfig;
    net.input('a', { kind: 'config', config: { ...config, networks: [parsePrefix('192.168.0.0/16')] } });
    expect(net.core('a').interfaces()[0]?.state).toBe('Down');
    expect(net.core('a').neighbors()).toEqual([]);
  });
});

describe('ownChangesAcknowledged: the instance that carries a change, acknowledged by every Full neighbor', () => {
  it('is false while MinLSInterval holds the new instance back, and until the neighbor acknowledges it', () => {
    const net = sipNode();
    const anycast = parsePrefix('10.206.206.1/32');
    const node = net.core('node');
    expect(node.ownChangesAcknowledged()).toBe(true);
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'withdraw' });
    // Originated at once (the last instance is older than MinLSInterval), flooded, not yet acknowledged.
    expect(node.ownChangesAcknowledged()).toBe(false);
    net.advance(2000);
    expect(node.ownChangesAcknowledged()).toBe(true);
    // Back within MinLSInterval (5 s): the new instance waits, and nothing is on a retransmission list.
    net.input('node', { kind: 'advertise', prefix: anycast, mode: 'announce' });
    expect(node.neighbors().every((n) => n.retransmitCount === 0)).toBe(true);
    expect(node.ownChangesAcknowledged()).toBe(false);
    net.advance(2900);
    expect(node.ownChangesAcknowledged()).toBe(false);
    expect(stubs(routerLsa(net, 'r', '10.206.0.11'))).not.toContainEqual([ip('10.206.206.1'), 0xffffffff, 0]);
    net.advance(2000);
    expect(stubs(routerLsa(net, 'r', '10.206.0.11'))).toContainEqual([ip('10.206.206.1'), 0xffffffff, 0]);
    expect(node.ownChangesAcknowledged()).toBe(true);
  });
});
