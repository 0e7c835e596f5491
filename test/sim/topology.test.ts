// Topologies: the address plan, the builder's checks, and random topologies
// that are connected, well formed and fixed by their seed.
import { describe, expect, it } from 'vitest';
import { formatPrefix, parseIpv4, prefixContains } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';
import { randomTopology, TopologyBuilder, TopologyError, type Topology } from '../../src/sim/index.js';
import { firstSeeds, seeds } from '../helpers/seeds.js';

function connected(t: Topology): boolean {
  const seen = new Set<number>([0]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of t.segments) {
      const routers = s.attachments.map((a) => a.router);
      if (routers.some((r) => seen.has(r)) && routers.some((r) => !seen.has(r))) {
        for (const r of routers) seen.add(r);
        grew = true;
      }
    }
  }
  return seen.size === t.routers.length;
}

describe('TopologyBuilder', () => {
  it('numbers routers, interfaces and addresses by the plan', () => {
    const b = new TopologyBuilder();
    const [r1, r2, r3] = [b.addRouter(), b.addRouter(), b.addRouter()];
    b.addBroadcast([r1, { router: r2, priority: 0, cost: 5 }]);
    b.join(0, r3);
    b.addP2p(r3, r1);
    const t = b.build();
    expect(t.routers.map((r) => [r.name, r.routerId])).toEqual([
      ['r1', parseIpv4('10.255.0.1')],
      ['r2', parseIpv4('10.255.0.2')],
      ['r3', parseIpv4('10.255.0.3')],
    ]);
    expect(t.segments.map((s) => [s.name, s.kind, formatPrefix(s.prefix)])).toEqual([
      ['lan1', 'broadcast', '10.1.0.0/24'],
      ['p2p2', 'point-to-point', '10.128.0.0/30'],
    ]);
    expect(t.segments[0].attachments).toEqual([
      { router: 0, ifName: 'eth0', ifIndex: 2, address: parseIpv4('10.1.0.1'), priority: 1, cost: 10 },
      { router: 1, ifName: 'eth0', ifIndex: 2, address: parseIpv4('10.1.0.2'), priority: 0, cost: 5 },
      { router: 2, ifName: 'eth0', ifIndex: 2, address: parseIpv4('10.1.0.3'), priority: 1, cost: 10 },
    ]);
    expect(t.segments[1].attachments.map((a) => [a.router, a.ifName, a.address])).toEqual([
      [2, 'eth1', parseIpv4('10.128.0.1')],
      [0, 'eth1', parseIpv4('10.128.0.2')],
    ]);
  });

  it('refuses inconsistent topologies with a TopologyError', () => {
    const b = new TopologyBuilder();
    const r = b.addRouter();
    expect(() => b.addP2p(r, r)).toThrow(TopologyError);
    expect(() => b.addP2p(r, 7)).toThrow(TopologyError);
    expect(() => b.addBroadcast([r, r])).toThrow(TopologyError);
    expect(() => b.addBroadcast([{ router: r, priority: 256 }])).toThrow(TopologyError);
    expect(() => b.addBroadcast([{ router: r, cost: 0 }])).toThrow(TopologyError);
    expect(() => b.join(5, r)).toThrow(TopologyError);
  });

  it('hands out a copy, so later building does not change a built topology', () => {
    const b = new TopologyBuilder();
    b.addRouter();
    const t = b.build();
    b.addRouter();
    expect(t.routers.length).toBe(1);
  });
});

describe('randomTopology', () => {
  it.each(seeds(firstSeeds(40), 10))('seed %i: connected, well formed, within the plan', (seed) => {
    const prng = createPrng(seed);
    const routers = prng.int(1, 70);
    const t = randomTopology(prng, { routers, randomPriorities: true, stubSegments: 2, externalsShare: 0.3, maxSegmentSize: 5 });
    expect(t.routers.length).toBe(routers);
    expect(connected(t), `seed ${seed}`).toBe(true);
    const addresses = new Set<number>(t.routers.map((r) => r.loopback));
    for (const s of t.segments) {
      if (s.kind === 'point-to-point') expect(s.attachments.length).toBe(2);
      else expect(s.attachments.length).toBeLessThanOrEqual(5);
      if (s.kind === 'broadcast' && s.attachments.length > 1) expect(s.attachments.some((a) => a.priority > 0)).toBe(true);
      for (const a of s.attachments) {
        expect(prefixContains(s.prefix, a.address)).toBe(true);
        expect(addresses.has(a.address)).toBe(false);
        addresses.add(a.address);
      }
    }
    for (const r of t.routers) {
      const names = t.segments.flatMap((s) => s.attachments.filter((a) => a.router === r.index).map((a) => a.ifName));
      expect(new Set(names).size).toBe(names.length);
    }
    const externals = t.routers.flatMap((r) => r.externals.map((e) => formatPrefix(e.prefix)));
    expect(new Set(externals).size).toBe(externals.length);
  });

  it('mixes broadcast segments and point-to-point links', () => {
    const t = randomTopology(createPrng(9), { routers: 60 });
    const kinds = new Set(t.segments.map((s) => s.kind));
    expect(kinds).toEqual(new Set(['broadcast', 'point-to-point']));
    expect(Math.max(...t.segments.map((s) => s.attachments.length))).toBeGreaterThan(2);
  });

  it('the same seed gives the same topology, another seed another one', () => {
    const make = (seed: number) => randomTopology(createPrng(seed), { routers: 30, randomPriorities: true });
    expect(make(5)).toEqual(make(5));
    expect(make(5)).not.toEqual(make(6));
  });

  it('refuses a bad router count', () => {
    expect(() => randomTopology(createPrng(1), { routers: 0 })).toThrow(TopologyError);
    expect(() => randomTopology(createPrng(1), { routers: 2.5 })).toThrow(TopologyError);
  });
});
