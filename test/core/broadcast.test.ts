// RFC 2328 13.3 and 13.5 on a broadcast network: who floods to which group,
// what the Backup does, and the periodic refresh of our LSAs (12.4, LSRefreshTime).
import { describe, expect, it } from 'vitest';
import { AllDRouters, AllSPFRouters } from '../../src/core/api.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { LSRefreshTime, LsaType, PacketType, type LsAckPacket, type LsUpdatePacket } from '../../src/packet/index.js';
import { TestNet } from './harness.js';

const ip = parseIpv4;

/** a (DROther), b (Backup) and c (DR) on one LAN; a also has a loopback to announce. */
function lan(): TestNet {
  const net = new TestNet();
  net.addRouter('a', '1.1.1.1');
  net.addRouter('b', '2.2.2.2');
  net.addRouter('c', '3.3.3.3');
  net.loopback('a', 'lo', ['10.206.206.1/32']);
  net.link('lan', [
    ['a', 'eth0', '10.0.0.1/24'],
    ['b', 'eth0', '10.0.0.2/24'],
    ['c', 'eth0', '10.0.0.3/24'],
  ]);
  net.run(70_000);
  expect(['a', 'b', 'c'].map((r) => net.core(r).interfaces().find((i) => i.name === 'eth0')?.state)).toEqual(['DROther', 'Backup', 'DR']);
  return net;
}

const carries = (p: LsUpdatePacket | LsAckPacket, advRouter: string): boolean =>
  ('lsas' in p ? p.lsas : p.lsaHeaders).some((h) => h.type === LsaType.Router && h.advRouter === ip(advRouter));

describe('RFC 2328 13.3 (5): flooding on a broadcast network', () => {
  it('a DROther sends to AllDRouters, the DR refloods to AllSPFRouters, the Backup stays quiet and acks the DR', () => {
    const net = lan();
    const since = net.mark();
    net.input('a', { kind: 'advertise', prefix: parsePrefix('10.206.206.1/32'), mode: 'withdraw' });
    net.advance(3_000);
    const updates = (router: string) => net.sentBy(router, PacketType.LsUpdate, since).filter((s) => carries(s.packet as LsUpdatePacket, '1.1.1.1'));
    expect(updates('a').map((s) => s.dst)).toEqual([AllDRouters]);
    expect(updates('c').map((s) => s.dst)).toEqual([AllSPFRouters]);
    // (4) the Backup leaves flooding to the DR...
    expect(updates('b')).toEqual([]);
    // ...and acknowledges (delayed, to AllSPFRouters) only once the DR's copy came (13.5, implied ack from the DR).
    const acks = (router: string) => net.sentBy(router, PacketType.LsAck, since).filter((s) => carries(s.packet as LsAckPacket, '1.1.1.1'));
    expect(acks('b').map((s) => s.dst)).toEqual([AllSPFRouters]);
    // The DR flooded it back out of the interface it came in on, which is its acknowledgment (13.5):
    // a takes the reflood as an implied one (13 (7a)).
    expect(acks('c')).toEqual([]);
    expect(acks('a')).toEqual([]);
    for (const r of ['a', 'b', 'c']) expect(net.core(r).neighbors().every((n) => n.retransmitCount === 0)).toBe(true);
    expect(net.lsdbText('b')).toEqual(net.lsdbText('a'));
    expect(net.lsdbText('c')).toEqual(net.lsdbText('a'));
  });
});

describe('RFC 2328 12.4 / 14: LSRefreshTime', () => {
  it('re-originates each of our LSAs with the next sequence number every 30 minutes, contents unchanged', () => {
    const net = lan();
    const key = { type: LsaType.Router, lsId: ip('1.1.1.1'), advRouter: ip('1.1.1.1') };
    const first = net.core('b').lsa(key, net.now);
    expect(first).toBeDefined();
    net.advance(LSRefreshTime * 1000 + 2_000);
    const refreshed = net.core('b').lsa(key, net.now);
    expect(refreshed?.seq).toBe((first?.seq ?? 0) + 1);
    expect(refreshed?.raw.subarray(20)).toEqual(first?.raw.subarray(20));
    expect(refreshed?.age).toBeLessThan(60);
    // Nothing ever reached MaxAge on the way.
    expect(net.core('c').lsdb(net.now).every((h) => h.age < 1800)).toBe(true);
  });
});
