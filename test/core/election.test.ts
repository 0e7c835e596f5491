// RFC 2328 9.4: the Designated Router election, as a pure function and on a
// live three-router segment (DR failure, BDR takeover).
import { describe, expect, it } from 'vitest';
import { electDesignatedRouter, type Candidate } from '../../src/core/index.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { TestNet } from './harness.js';

const ip = parseIpv4;
function candidate(id: string, priority: number, dr = '0.0.0.0', bdr = '0.0.0.0'): Candidate {
  // Each router's interface address is 10.0.0.<last octet of its Router ID>.
  const address = (ip('10.0.0.0') | (ip(id) & 0xff)) >>> 0;
  return { routerId: ip(id), address, priority, dr: ip(dr), bdr: ip(bdr) };
}

describe('RFC 2328 9.4 steps 2-3: choosing BDR and DR', () => {
  it('elects the highest priority, Router ID breaking ties', () => {
    // Nobody declares anything yet: we have the highest priority, so we become BDR,
    // then DR (step 3), and step 4 picks the BDR among the rest by Router ID.
    const self = candidate('0.0.0.1', 5);
    const result = electDesignatedRouter(self, [candidate('2.2.2.2', 1), candidate('3.3.3.3', 1), candidate('0.0.0.4', 1)]);
    expect(result).toEqual({ dr: ip('10.0.0.1'), bdr: ip('10.0.0.3') });
  });

  it('from a bystander, the best router is both BDR and DR until it declares itself (step 3)', () => {
    const self = candidate('1.1.1.1', 1);
    const result = electDesignatedRouter(self, [candidate('2.2.2.2', 1), candidate('0.0.0.4', 5)]);
    expect(result).toEqual({ dr: ip('10.0.0.4'), bdr: ip('10.0.0.4') });
  });

  it('never elects a router of priority 0, itself included', () => {
    const self = candidate('9.9.9.9', 0);
    const result = electDesignatedRouter(self, [candidate('2.2.2.2', 1, '10.0.0.2'), candidate('3.3.3.3', 0)]);
    expect(result).toEqual({ dr: ip('10.0.0.2'), bdr: 0 });
  });

  it('keeps a declared DR and BDR even when a better router joins (no preemption)', () => {
    const self = candidate('9.9.9.9', 200); // newcomer, highest priority
    const dr = candidate('1.1.1.1', 1, '10.0.0.1', '10.0.0.2');
    const bdr = candidate('2.2.2.2', 1, '10.0.0.1', '10.0.0.2');
    expect(electDesignatedRouter(self, [dr, bdr])).toEqual({ dr: ip('10.0.0.1'), bdr: ip('10.0.0.2') });
  });

  it('prefers routers declaring themselves BDR for BDR (step 2)', () => {
    const self = candidate('1.1.1.1', 1, '10.0.0.5', '10.0.0.1');
    const dr = candidate('0.0.0.5', 1, '10.0.0.5', '10.0.0.1');
    const high = candidate('0.0.0.9', 100, '10.0.0.5', '10.0.0.1');
    expect(electDesignatedRouter(self, [dr, high])).toEqual({ dr: ip('10.0.0.5'), bdr: ip('10.0.0.1') });
  });
});

describe('RFC 2328 9.4 step 4: the calculation is repeated when our own role changes', () => {
  it('a BDR whose DR vanished becomes DR and a new BDR is chosen', () => {
    const self = candidate('2.2.2.2', 1, '10.0.0.3', '10.0.0.2'); // we were BDR, the DR .3 is gone
    const other = candidate('1.1.1.1', 1, '10.0.0.3', '10.0.0.2');
    expect(electDesignatedRouter(self, [other])).toEqual({ dr: ip('10.0.0.2'), bdr: ip('10.0.0.1') });
  });

  it('a lone router elects itself DR with no BDR', () => {
    expect(electDesignatedRouter(candidate('1.1.1.1', 1), [])).toEqual({ dr: ip('10.0.0.1'), bdr: 0 });
  });
});

describe('RFC 2328 9.3 / 9.4 on a live segment', () => {
  function threeOnALan(priorities: [number, number, number]): TestNet {
    const net = new TestNet();
    const names = ['a', 'b', 'c'];
    names.forEach((name, i) => {
      net.addRouter(name, `${i + 1}.${i + 1}.${i + 1}.${i + 1}`, (c) => {
        c.interfaces.eth0 = { priority: priorities[i] };
      });
    });
    net.link(
      'lan',
      names.map((name, i) => [name, 'eth0', `10.0.0.${i + 1}/24`]),
    );
    return net;
  }

  it('Waiting lasts RouterDeadInterval, then the election gives DR, Backup and DROther', () => {
    const net = threeOnALan([1, 1, 1]);
    net.run(39_000);
    expect(net.core('c').interfaces()[0]?.state).toBe('Waiting');
    net.run(60_000);
    expect(['a', 'b', 'c'].map((r) => net.core(r).interfaces()[0]?.state)).toEqual(['DROther', 'Backup', 'DR']);
    // DROthers stay 2-Way with each other (RFC 2328 10.4) and go Full with DR and BDR.
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('a', '3.3.3.3')).toBe('Full');
    expect(net.state('b', '3.3.3.3')).toBe('Full');
  });

  it('a priority-0 router is DROther at once and never DR (RFC 2328 9.3 InterfaceUp)', () => {
    const net = threeOnALan([1, 1, 0]);
    net.run(1_000);
    expect(net.core('c').interfaces()[0]?.state).toBe('DROther');
    net.run(60_000);
    expect(['a', 'b', 'c'].map((r) => net.core(r).interfaces()[0]?.state)).toEqual(['Backup', 'DR', 'DROther']);
  });

  it('DR failure: the BDR takes over after the dead interval and a new BDR is elected', () => {
    const net = threeOnALan([1, 1, 1]);
    net.run(60_000);
    net.crash('c'); // the DR
    net.run(60_000 + 60_000);
    const b = net.core('b').interfaces()[0];
    const a = net.core('a').interfaces()[0];
    expect(b?.state).toBe('DR');
    expect(a?.state).toBe('Backup');
    expect(a?.dr).toBe(ip('10.0.0.2'));
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('a', '3.3.3.3')).toBeUndefined();
    // The new DR originates the network-LSA; a and b agree on the LSDB.
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
    expect(net.core('b').lsdb(net.now).some((h) => h.type === 2 && h.lsId === ip('10.0.0.2') && h.age < 3600)).toBe(true);
  });
});
