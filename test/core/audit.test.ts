// The core's self-audit (src/core/audit.ts) names each broken invariant: the
// fuzzer relies on it, so it must see a damaged state, not only pass a sound one.
import { describe, expect, it } from 'vitest';
import { auditCore, type AuditInput } from '../../src/core/audit.js';
import { Lsdb } from '../../src/core/lsdb.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { LsaType, buildLsa } from '../../src/packet/index.js';

const ip = parseIpv4;

function external(lsId: string): Uint8Array {
  return buildLsa(
    { age: 1, options: 0x02, type: LsaType.AsExternal, lsId: ip(lsId), advRouter: ip('9.9.9.9'), seq: -0x7fffffff },
    { kind: 'external', networkMask: ip('255.255.255.0'), routes: [{ eBit: true, tos: 0, metric: 10, forwardingAddress: 0, routeTag: 0 }] },
  ).raw;
}

function input(db: Lsdb, over: Partial<AuditInput> = {}): AuditInput {
  return { now: 0, routerId: ip('1.1.1.1'), maxLsa: 10, minLsIntervalMs: 5000, stubStartupRemainingMs: 0, db, ifaces: [], timers: { count: 0, latest: undefined }, packetRoom: () => 1456, ...over };
}

describe('auditCore', () => {
  it('passes a sound LSDB', () => {
    const db = new Lsdb();
    db.install(external('203.0.113.0'), 0, true);
    expect(auditCore(input(db))).toEqual([]);
  });

  it('reports a bad LS checksum, a replaced entry still listed, too many LSAs and stray timers', () => {
    const db = new Lsdb();
    const damaged = db.install(external('203.0.113.0'), 0, true);
    damaged.raw[25] = (damaged.raw[25] as number) ^ 0x01;
    db.install(external('203.0.114.0'), 0, true).current = false;
    const problems = auditCore(input(db, { maxLsa: 1, timers: { count: 5, latest: 4_000_000 } }));
    expect(problems).toEqual([
      'LSDB entry 5/3405803776/151587081 has a bad LS checksum',
      'LSDB entry 5/3405804032/151587081 is marked replaced',
      'LSDB holds 2 LSAs of others, limit 1',
      '5 timers pending, at most 4 expected',
      'a timer is set 4000000 ms ahead, longest interval 3600000 ms',
    ]);
  });
});
