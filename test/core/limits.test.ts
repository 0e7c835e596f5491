// Limits that keep what a neighbour sends from growing our memory without
// bound: maxLsa (the LSDB), MaxLsaBytes and MaxNeighborsPerInterface (see
// receive-checks.test.ts for one packet each). Here: an LSDB at its limit
// still lets the adjacency finish, and never keeps our own LSAs out.
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { TestNet } from './harness.js';

const ip = parseIpv4;

function externals(count: number, first: string): { prefix: { address: number; length: number }; metric: number; metricType: 2; forwardingAddress: number; tag: number }[] {
  return Array.from({ length: count }, (_, i) => ({ prefix: { address: (ip(first) + i * 256) >>> 0, length: 24 }, metric: 1, metricType: 2 as const, forwardingAddress: 0, tag: 0 }));
}

/** a (maxLsa 20) and b (50 AS-external-LSAs) on a point-to-point link. */
function overfull(): TestNet {
  const net = new TestNet();
  net.addRouter('a', '1.1.1.1', (c) => {
    c.interfaces.eth0 = { networkType: 'point-to-point' };
    c.maxLsa = 20;
  });
  net.addRouter('b', '2.2.2.2', (c) => {
    c.interfaces.eth0 = { networkType: 'point-to-point' };
    c.externals = externals(50, '100.0.0.0');
  });
  net.link('p2p', [
    ['a', 'eth0', '10.0.0.1/30'],
    ['b', 'eth0', '10.0.0.2/30'],
  ]);
  net.run(60_000);
  return net;
}

describe('maxLsa: the LSDB stops growing, the adjacency does not stop', () => {
  it('requests no more than fit, refuses the rest, and still reaches Full', () => {
    const net = overfull();
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('b', '1.1.1.1')).toBe('Full');
    expect(net.core('a').lsdb(net.now).length).toBe(20);
    expect(net.core('a').stats().drops['lsdb-full']).toBeGreaterThan(0);
    expect(net.core('a').neighbors()[0]?.requestCount).toBe(0);
    expect(net.core('a').audit()).toEqual([]);
  });

  it('installs our own LSAs even when the LSDB is full', () => {
    const net = overfull();
    const config = { ...net.nodes.get('a')!.config, externals: externals(3, '198.51.100.0'), maxLsa: 20 };
    net.input('a', { kind: 'config', config });
    net.advance(10_000);
    const own = net
      .core('a')
      .lsdb(net.now)
      .filter((h) => h.advRouter === ip('1.1.1.1'));
    expect(own.map((h) => h.type).sort()).toEqual([1, 5, 5, 5]);
    expect(net.core('a').audit()).toEqual([]);
  });
});
