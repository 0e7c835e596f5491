// RFC 2328 8.2 and 10.5: which packets are accepted at all, the Hello
// parameter checks, bidirectional detection, fast hellos and jitter.
import { describe, expect, it } from 'vitest';
import { AllDRouters } from '../../src/core/api.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';
import { encodePacket, PacketType, type HelloPacket } from '../../src/packet/index.js';
import { TestNet, fromRouter, helloFrom2, inject, twoOnLan } from './harness.js';
import { seeds } from '../helpers/seeds.js';

const ip = parseIpv4;

const hello = helloFrom2;

/** Router a alone on eth0 (10.0.0.1/24), its settings adjusted. */
function lone(settings: Record<string, unknown> = {}): TestNet {
  const net = new TestNet();
  net.addRouter('a', '1.1.1.1', (c) => {
    c.interfaces.eth0 = settings;
  });
  net.link('lan', [['a', 'eth0', '10.0.0.1/24']]);
  return net;
}

describe('RFC 2328 10.5: Hello parameter checks', () => {
  const cases: [string, Partial<HelloPacket>, string][] = [
    ['a different network mask', { networkMask: ip('255.255.0.0') }, 'hello-mask-mismatch'],
    ['a different HelloInterval', { helloInterval: 5 }, 'hello-interval-mismatch'],
    ['a different RouterDeadInterval', { deadInterval: 41 }, 'dead-interval-mismatch'],
    ['the E-bit clear', { options: 0 }, 'options-mismatch'],
  ];
  for (const [what, change, reason] of cases) {
    it(`drops a Hello with ${what}`, () => {
      const net = lone();
      const emitted: string[] = [];
      net.on('a', 'drop', (e) => emitted.push(e.reason));
      inject(net, 'a', 'eth0', '10.0.0.2', hello(change));
      expect(emitted).toEqual([reason]);
      expect(net.core('a').neighbors()).toEqual([]);
      expect(net.core('a').stats().drops[reason as 'hello-mask-mismatch']).toBe(1);
      const drops = net.outputsOf('a').filter((o) => o.kind === 'event' && o.event.type === 'drop');
      expect(drops).toEqual([{ kind: 'event', event: { type: 'drop', ifName: 'eth0', reason, src: ip('10.0.0.2') } }]);
    });
  }

  it('ignores the mask on point-to-point links', () => {
    const net = lone({ networkType: 'point-to-point' });
    inject(net, 'a', 'eth0', '10.0.0.2', hello({ networkMask: 0 }));
    expect(net.core('a').neighbors().map((n) => n.state)).toEqual(['Init']);
  });
});

describe('RFC 2328 8.2: packets not for us', () => {
  it('drops packets from another area, from ourselves, off-subnet, or to AllDRouters on a DROther', () => {
    const net = lone({ priority: 0 });
    inject(net, 'a', 'eth0', '10.0.0.2', { ...hello(), areaId: 1 });
    inject(net, 'a', 'eth0', '10.0.0.1', { ...hello(), ...fromRouter('1.1.1.1') });
    inject(net, 'a', 'eth0', '10.9.0.2', hello());
    inject(net, 'a', 'eth0', '10.0.0.2', hello(), AllDRouters);
    const drops = net.core('a').stats().drops;
    expect([drops['area-mismatch'], drops['own-packet'], drops['wrong-subnet'], drops['not-dr-or-backup']]).toEqual([1, 1, 1, 1]);
    expect(net.core('a').neighbors()).toEqual([]);
  });

  it('counts our own Router ID from another address as a duplicate Router ID and never forms an adjacency with it', () => {
    const net = twoOnLan('1.1.1.1');
    for (const router of ['a', 'b']) {
      const core = net.core(router);
      expect(core.neighbors()).toEqual([]);
      // One Hello every 10 s for a minute from the other side, each one counted.
      expect(core.stats().drops['duplicate-router-id']).toBeGreaterThanOrEqual(5);
      expect(core.stats().drops['own-packet']).toBe(0);
    }
    const events = net.outputsOf('a').filter((o) => o.kind === 'event' && o.event.type === 'drop' && o.event.reason === 'duplicate-router-id');
    expect(events[0]).toEqual({ kind: 'event', event: { type: 'drop', ifName: 'eth0', reason: 'duplicate-router-id', src: ip('10.0.0.2') } });
  });

  it.each(seeds([20240611], 1))('turns malformed packets into drops, never exceptions (mutations of a valid Hello, seed %i)', (seed) => {
    const prng = createPrng(seed);
    const net = lone();
    const valid = encodePacket(hello());
    let malformed = 0;
    for (let i = 0; i < 2000; i++) {
      const data = valid.slice(0, prng.int(0, valid.length));
      for (let k = prng.int(1, 4); k > 0 && data.length > 0; k--) data[prng.int(0, data.length - 1)] = prng.int(0, 255);
      expect(() => net.input('a', { kind: 'packet', ifName: 'eth0', src: ip('10.0.0.2'), dst: ip('224.0.0.5'), data }), `seed ${seed}, case ${i}`).not.toThrow();
    }
    malformed = net.core('a').stats().drops.malformed;
    expect(malformed).toBeGreaterThan(1500);
  });
});

describe('RFC 2328 10.5: bidirectional communication', () => {
  it('stays Init until the neighbor lists us, then reaches 2-Way (no adjacency before the election)', () => {
    const net = lone();
    inject(net, 'a', 'eth0', '10.0.0.2', hello());
    expect(net.core('a').neighbors().map((n) => n.state)).toEqual(['Init']);
    inject(net, 'a', 'eth0', '10.0.0.2', hello({ neighbors: [ip('1.1.1.1')] }));
    expect(net.core('a').neighbors().map((n) => n.state)).toEqual(['2-Way']);
    // Our next Hello lists the neighbor (RFC 2328 9.5).
    net.advance(10_000);
    const last = net.sentBy('a', PacketType.Hello).at(-1)?.packet as HelloPacket;
    expect(last.neighbors).toEqual([ip('2.2.2.2')]);
    // 1-WayReceived: the neighbor forgot us, back to Init.
    inject(net, 'a', 'eth0', '10.0.0.2', hello());
    expect(net.core('a').neighbors().map((n) => n.state)).toEqual(['Init']);
  });

  it('declares the neighbor dead after RouterDeadInterval without Hellos (InactivityTimer)', () => {
    const net = lone();
    inject(net, 'a', 'eth0', '10.0.0.2', hello());
    net.advance(39_999);
    expect(net.core('a').neighbors()).toHaveLength(1);
    net.advance(2);
    expect(net.core('a').neighbors()).toHaveLength(0);
    const change = net.outputsOf('a').find((o) => o.kind === 'event' && o.event.type === 'neighbor-state' && o.event.to === 'Down');
    expect(change).toMatchObject({ event: { from: 'Init', reason: 'InactivityTimer' } });
  });

  it('a neighbor declaring itself DR with no BDR ends Waiting at once (BackupSeen)', () => {
    const net = lone();
    inject(net, 'a', 'eth0', '10.0.0.2', hello({ neighbors: [ip('1.1.1.1')], dr: ip('10.0.0.2') }));
    const iface = net.core('a').interfaces()[0];
    expect(iface?.state).toBe('Backup');
    expect(iface?.dr).toBe(ip('10.0.0.2'));
    expect(net.core('a').neighbors()[0]?.state).toBe('ExStart');
  });
});

describe('Hello timing (RFC 2328 9.5)', () => {
  it('sends Hellos every HelloInterval less at most 10% jitter, from the injected random source', () => {
    const net = lone();
    net.run(200_000);
    const times = net.sentBy('a', PacketType.Hello).map((s) => s.at);
    expect(times.length).toBeGreaterThanOrEqual(20);
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] as number) - (times[i - 1] as number);
      expect(gap).toBeGreaterThanOrEqual(9_000);
      expect(gap).toBeLessThanOrEqual(10_000);
    }
    expect(new Set(times.slice(1).map((t, i) => t - (times[i] as number))).size).toBeGreaterThan(1);
  });

  it('fast hellos: HelloInterval 0 on the wire, dead interval 1 s, accepted by a peer also on fast hellos', () => {
    const fast = { helloIntervalMs: 250, deadIntervalMs: 1000 };
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1', (c) => (c.interfaces.eth0 = { ...fast, networkType: 'point-to-point' }));
    net.addRouter('b', '2.2.2.2', (c) => (c.interfaces.eth0 = { ...fast, networkType: 'point-to-point' }));
    net.link('p2p', [
      ['a', 'eth0', '10.0.0.1/30'],
      ['b', 'eth0', '10.0.0.2/30'],
    ]);
    net.run(2_000);
    const sent = net.sentBy('a', PacketType.Hello);
    expect((sent[0]?.packet as HelloPacket).helloInterval).toBe(0);
    expect((sent[0]?.packet as HelloPacket).deadInterval).toBe(1);
    expect(sent.length).toBeGreaterThanOrEqual(8);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    // Silence for one second kills the adjacency.
    net.crash('b');
    net.advance(1_100);
    expect(net.state('a', '2.2.2.2')).toBeUndefined();
  });

  it('a router with normal hellos refuses HelloInterval 0', () => {
    const net = lone();
    inject(net, 'a', 'eth0', '10.0.0.2', hello({ helloInterval: 0 }));
    expect(net.core('a').stats().drops['hello-interval-mismatch']).toBe(1);
  });
});
