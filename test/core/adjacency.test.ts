// Two and three routers on a broadcast link, driven directly: Hello
// exchange, DR election (RFC 2328 9.4), database exchange (10.6–10.8) to Full.
import { describe, expect, it } from 'vitest';
import { TestNet } from './harness.js';

describe('RFC 2328 10: two routers on a broadcast link reach Full', () => {
  it('synchronises the LSDBs and elects the higher Router ID as DR', () => {
    const net = new TestNet();
    net.addRouter('a', '1.1.1.1');
    net.addRouter('b', '2.2.2.2');
    net.link('lan', [
      ['a', 'eth0', '10.0.0.1/24'],
      ['b', 'eth0', '10.0.0.2/24'],
    ]);
    net.run(60_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('b', '1.1.1.1')).toBe('Full');
    expect(net.core('a').interfaces()[0]?.state).toBe('Backup');
    expect(net.core('b').interfaces()[0]?.state).toBe('DR');
    expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
    // Two router-LSAs and the DR's network-LSA.
    expect(net.lsdbText('a').length).toBe(3);
  });
});
