// Two and three routers on a broadcast link, driven directly: Hello
// exchange, DR election (RFC 2328 9.4), database exchange (10.6–10.8) to Full.
import { describe, expect, it } from 'vitest';
import { TestNet, twoOnLan } from './harness.js';

describe('RFC 2328 10: two routers on a broadcast link reach Full', () => {
  it('synchronises the LSDBs and elects the higher Router ID as DR', () => {
    const net = twoOnLan();
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('b', '1.1.1.1')).toBe('Full');
    expect(net.core('a').interfaces()[0]?.state).toBe('Backup');
    expect(net.core('b').interfaces()[0]?.state).toBe('DR');
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
    // Two router-LSAs and the DR's network-LSA.
    expect(net.lsdbText('a').length).toBe(3);
  });
});

describe('determinism', () => {
  it('the same inputs and random source give byte-identical outputs', () => {
    const runOnce = (): string[] => {
      const net = new TestNet();
      net.addRouter('a', '1.1.1.1', () => undefined, 42);
      net.addRouter('b', '2.2.2.2', () => undefined, 42);
      net.addRouter('c', '3.3.3.3', () => undefined, 42);
      net.link('lan', [
        ['a', 'eth0', '10.0.0.1/24'],
        ['b', 'eth0', '10.0.0.2/24'],
        ['c', 'eth0', '10.0.0.3/24'],
      ]);
      net.run(90_000);
      return ['a', 'b', 'c'].flatMap((r) =>
        net.outputsOf(r).map((o) => (o.kind === 'send' ? `${r} ${o.ifName} ${o.dst} ${Buffer.from(o.data).toString('hex')}` : `${r} ${JSON.stringify(o)}`)),
      );
    };
    const first = runOnce();
    expect(first.length).toBeGreaterThan(100);
    expect(runOnce()).toEqual(first);
  });
});

describe('RFC 2328 9.3: interface changes that keep adjacencies', () => {
  it('an MTU change alone, or a cost change, leaves the neighbor Full', () => {
    const net = twoOnLan();
    const changes: string[] = [];
    net.on('a', 'neighbor-state', (e) => changes.push(`${e.from}->${e.to}`));
    net.on('a', 'interface-state', (e) => changes.push(`${e.from}->${e.to}`));
    net.setInterface('a', { name: 'eth0', ifIndex: 1, up: true, loopback: false, mtu: 1400, addresses: [{ address: 0x0a000001, prefixLength: 24 }] });
    const config = net.nodes.get('a')?.config;
    if (config === undefined) throw new Error('no config for a');
    net.input('a', { kind: 'config', config: { ...config, interfaces: { eth0: { cost: 99 } } } });
    net.advance(20_000);
    expect(changes).toEqual([]);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.core('a').interfaces()[0]?.cost).toBe(99);
  });

  it('an address change resets the interface: InterfaceDown, then InterfaceUp on the new address', () => {
    const net = twoOnLan();
    net.setInterface('a', { name: 'eth0', ifIndex: 1, up: true, loopback: false, mtu: 1500, addresses: [{ address: 0x0a000009, prefixLength: 24 }] });
    expect(net.core('a').interfaces()[0]).toMatchObject({ state: 'Waiting', address: 0x0a000009 });
    expect(net.core('a').neighbors()).toEqual([]);
  });
});
