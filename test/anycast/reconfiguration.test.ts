// planReconfiguration() on its own: which prefixes a reload keeps, adds,
// rebuilds or removes, which checks keep their verdict, and which proxies
// keep running, start or stop.

import { describe, expect, it } from 'vitest';
import { sameEnvironment, sameStrings } from '../../src/anycast/compare.js';
import { resolvePrefixes } from '../../src/anycast/options.js';
import { planReconfiguration } from '../../src/anycast/reconfiguration.js';
import type { AnycastPrefixOptions, CheckOptions, ProcessCheckOptions } from '../../src/anycast/types.js';
import { parsePrefix } from '../../src/lib/ipv4.js';

const P1 = parsePrefix('10.206.206.1/32');
const P2 = parsePrefix('10.206.206.2/32');
const P3 = parsePrefix('10.206.206.3/32');

const proxy = (extra: Partial<ProcessCheckOptions> = {}): ProcessCheckOptions => ({ kind: 'process', name: 'proxy', command: ['kamailio', '-DD'], ...extra });
const sip = (extra: Partial<CheckOptions> = {}): CheckOptions => ({ kind: 'sip-options', name: 'sip', host: '127.0.0.1', port: 5060, ...extra }) as CheckOptions;
const run = async (): Promise<boolean> => true;

function plan(running: AnycastPrefixOptions[], wanted: AnycastPrefixOptions[]): ReturnType<typeof planReconfiguration> {
  return planReconfiguration(resolvePrefixes(running), resolvePrefixes(wanted));
}

describe('planReconfiguration: prefixes', () => {
  it('keeps every prefix of an identical configuration, and every proxy', () => {
    const config = (): AnycastPrefixOptions[] => [{ prefix: P1, checks: [proxy(), sip()] }, { prefix: P2, checks: [] }];
    const result = plan(config(), config());
    expect(result.prefixes).toEqual([
      { kind: 'keep', key: '10.206.206.1/32' },
      { kind: 'keep', key: '10.206.206.2/32' },
    ]);
    expect(result.removed).toEqual([]);
    expect(result.proxies).toEqual({ keep: [proxy()], start: [], stop: [] });
  });

  it('adds new prefixes and removes dropped ones: steps in the wanted order, removals in the running order', () => {
    const result = plan(
      [
        { prefix: P3, checks: [] },
        { prefix: P1, checks: [] },
        { prefix: P2, checks: [] },
      ],
      [{ prefix: P2, checks: [] }],
    );
    expect(result.prefixes).toEqual([{ kind: 'keep', key: '10.206.206.2/32' }]);
    expect(result.removed).toEqual(['10.206.206.3/32', '10.206.206.1/32']);
    const grown = plan([{ prefix: P1, checks: [] }], [{ prefix: P2, checks: [] }, { prefix: P1, checks: [] }]);
    expect(grown.prefixes.map((s) => s.kind)).toEqual(['add', 'keep']);
    expect(grown.prefixes[0]).toMatchObject({ kind: 'add', prefix: { key: '10.206.206.2/32' } });
  });

  it('rebuilds a prefix whose own settings changed, carrying every check verdict', () => {
    for (const change of [{ maintenanceFile: '/run/drain' }, { onFailure: 'max-cost' }, { announceAs: 'external' }, { minIntervalMs: 2000 }, { interface: 'dummy0' }] as const) {
      const result = plan([{ prefix: P1, checks: [sip()] }], [{ prefix: P1, checks: [sip()], ...change }]);
      expect(result.prefixes, Object.keys(change).join()).toEqual([expect.objectContaining({ kind: 'rebuild', carried: ['sip'] })]);
    }
    const metric = plan([{ prefix: P1, checks: [], announceAs: 'external' }], [{ prefix: P1, checks: [], announceAs: { kind: 'external', metric: 30, metricType: 2 } }]);
    expect(metric.prefixes[0]?.kind).toBe('rebuild');
  });

  it('keeps a prefix whose options are equal in another key order or environment order', () => {
    const running: AnycastPrefixOptions[] = [{ prefix: P1, checks: [proxy({ env: { A: '1', B: '2' } })] }];
    const wanted: AnycastPrefixOptions[] = [{ checks: [{ command: ['kamailio', '-DD'], name: 'proxy', kind: 'process', env: { B: '2', A: '1' } }], prefix: P1 }];
    expect(plan(running, wanted).prefixes).toEqual([{ kind: 'keep', key: '10.206.206.1/32' }]);
  });
});

describe('planReconfiguration: check verdicts of a rebuilt prefix', () => {
  it('carries a check whose interval, timeout, rise or fall changed', () => {
    const result = plan([{ prefix: P1, checks: [proxy(), sip()] }], [{ prefix: P1, checks: [proxy(), sip({ intervalMs: 300, timeoutMs: 200, rise: 4, fall: 5 })] }]);
    expect(result.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: ['proxy', 'sip'] })]);
  });

  it('carries the proxy whose restart settings changed, and keeps it running', () => {
    const result = plan([{ prefix: P1, checks: [proxy(), sip()] }], [{ prefix: P1, checks: [proxy({ restartDelayMs: 300, stopOnExit: true }), sip()] }]);
    expect(result.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: ['proxy', 'sip'] })]);
    expect(result.proxies).toEqual({ keep: [proxy({ restartDelayMs: 300, stopOnExit: true })], start: [], stop: [] });
  });

  it('starts afresh a check that probes something else, a new check, and a renamed one', () => {
    const result = plan(
      [{ prefix: P1, checks: [sip(), { kind: 'tcp', name: 'tcp', host: '127.0.0.1', port: 80 }] }],
      [{ prefix: P1, checks: [sip({ port: 5070 }), { kind: 'tcp', name: 'tcp2', host: '127.0.0.1', port: 80 }, { kind: 'http', url: 'http://127.0.0.1/' }] }],
    );
    expect(result.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: [] })]);
  });

  it('starts afresh a check whose fast interval changed: it counts with the probe', () => {
    const result = plan([{ prefix: P1, checks: [sip(), sip({ name: 'other' })] }], [{ prefix: P1, checks: [sip({ fastIntervalMs: 500 }), sip({ name: 'other' })] }]);
    expect(result.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: ['other'] })]);
  });

  it('starts afresh a custom check with a new function, carries one with the same function', () => {
    const custom = (fn: typeof run, rise = 2): CheckOptions => ({ kind: 'custom', name: 'app', run: fn, rise });
    const same = plan([{ prefix: P1, checks: [custom(run)] }], [{ prefix: P1, checks: [custom(run, 3)] }]);
    expect(same.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: ['app'] })]);
    const other = plan([{ prefix: P1, checks: [custom(run)] }], [{ prefix: P1, checks: [custom(async () => true, 3)] }]);
    expect(other.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: [] })]);
  });

  it('carries no verdict at all when the proxy is new or changed: it must prove itself', () => {
    const changed = plan([{ prefix: P1, checks: [proxy(), sip()] }], [{ prefix: P1, checks: [proxy({ cwd: '/srv' }), sip()] }]);
    expect(changed.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: [] })]);
    expect(changed.proxies).toEqual({ keep: [], start: [proxy({ cwd: '/srv' })], stop: [proxy()] });
    const added = plan([{ prefix: P1, checks: [sip()] }], [{ prefix: P1, checks: [sip(), proxy()] }]);
    expect(added.prefixes).toEqual([expect.objectContaining({ kind: 'rebuild', carried: [] })]);
    expect(added.proxies).toEqual({ keep: [], start: [proxy()], stop: [] });
  });
});

describe('planReconfiguration: proxies', () => {
  it('keeps a proxy that another prefix still uses, and stops one that none does', () => {
    const other: ProcessCheckOptions = proxy({ command: ['opensips', '-F'] });
    const result = plan(
      [
        { prefix: P1, checks: [proxy()] },
        { prefix: P2, checks: [proxy()] },
        { prefix: P3, checks: [other] },
      ],
      [{ prefix: P2, checks: [proxy()] }],
    );
    expect(result.removed).toEqual(['10.206.206.1/32', '10.206.206.3/32']);
    expect(result.proxies).toEqual({ keep: [proxy()], start: [], stop: [other] });
  });
});

describe('structural equality helpers', () => {
  it('compares argument vectors in order and environments in any order', () => {
    expect(sameStrings(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameStrings(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameStrings(['a'], ['a', ''])).toBe(false);
    expect(sameStrings(undefined, undefined)).toBe(true);
    expect(sameStrings(undefined, [])).toBe(false);
    expect(sameEnvironment({ A: '1', B: '2' }, { B: '2', A: '1' })).toBe(true);
    expect(sameEnvironment({ A: '1' }, { A: '2' })).toBe(false);
    expect(sameEnvironment({ A: '1' }, { B: '1' })).toBe(false);
    expect(sameEnvironment(undefined, {})).toBe(true);
  });
});
