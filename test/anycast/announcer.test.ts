// The Announcer end to end with custom checks (fast and controllable):
// drain and its confirmation, the maintenance file, address management,
// on-failure max-cost, status(), option errors.

import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressManager, AnnouncerOptions } from '../../src/anycast/announcer-api.js';
import { Announcer } from '../../src/anycast/announcer.js';
import { AddressManagementError, AnnouncerStoppedError, AnycastConfigError, DrainCancelledError, DrainTimeoutError, UnknownPrefixError } from '../../src/anycast/errors.js';
import type { Advertisement, AnycastPrefixOptions, CustomCheckOptions } from '../../src/anycast/types.js';
import { parsePrefix, type Prefix } from '../../src/lib/ipv4.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { nextEvent } from './wait.js';

const P1 = parsePrefix('10.206.206.1/32');
const P2 = parsePrefix('10.206.206.2/32');

/** A custom check whose answer the test flips. */
function switchable(initial: boolean): { check: CustomCheckOptions; set(ok: boolean): void } {
  const state = { ok: initial };
  return {
    check: { kind: 'custom', name: 'switch', intervalMs: 20, timeoutMs: 15, rise: 2, fall: 2, run: async () => state.ok },
    set: (ok) => {
      state.ok = ok;
    },
  };
}

function build(prefixes: AnycastPrefixOptions[], extra: Partial<AnnouncerOptions> = {}): { announcer: Announcer; ads: Advertisement[] } {
  const ads: Advertisement[] = [];
  const announcer = new Announcer({ prefixes, advertise: (ad) => ads.push(ad), ...extra });
  return { announcer, ads };
}

async function announced(announcer: Announcer, prefix: Prefix = P1): Promise<void> {
  await nextEvent(announcer, 'advertise', (a) => a.mode === 'announce' && a.prefix.address === prefix.address, 3000);
}

describe('Announcer: drain', () => {
  it('drain() resolves once the withdrawal is handed over, paced by min-interval', async () => {
    const s = switchable(true);
    const { announcer, ads } = build([{ prefix: P1, checks: [s.check], minIntervalMs: 200 }]);
    try {
      const up = announced(announcer);
      await announcer.start();
      await up;
      // Right after the announcement: the withdrawal must wait for min-interval.
      const started = performance.now();
      await announcer.drain('10.206.206.1', { source: 'cli' });
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(150);
      expect(ads.map((a) => a.mode)).toEqual(['withdraw', 'announce', 'withdraw']);
      expect(announcer.status()[0]).toMatchObject({ state: 'drained', reason: 'drained by cli', drainedBy: ['cli'], advertised: 'withdraw' });
      // Health keeps running while drained but changes nothing.
      s.set(false);
      await sleep(100);
      expect(announcer.status()[0]?.state).toBe('drained');
      // Draining again resolves at once: already withdrawn.
      await announcer.drain(P1, { source: 'library' });
      announcer.undrain(P1, 'cli');
      expect(announcer.status()[0]?.state).toBe('drained');
      announcer.undrain(P1, 'library');
      expect(announcer.status()[0]).toMatchObject({ state: 'withdrawn-by-health', failingCheck: 'switch' });
      s.set(true);
      await announced(announcer);
    } finally {
      await announcer.stop();
    }
  });

  it('with awaitAcknowledgement, drain() waits for acknowledge(prefix, "withdraw"), and times out otherwise', async () => {
    const s = switchable(true);
    const { announcer } = build([{ prefix: P1, checks: [s.check], minIntervalMs: 0 }], { awaitAcknowledgement: true });
    try {
      let up = announced(announcer);
      await announcer.start();
      await up;
      let settled = false;
      const drained = announcer.drain(P1, { timeoutMs: 2000 }).then(() => (settled = true));
      await sleep(50);
      expect(settled).toBe(false);
      announcer.acknowledge(P1, 'announce'); // not the advertised mode: ignored
      await sleep(20);
      expect(settled).toBe(false);
      announcer.acknowledge(parsePrefix('10.206.206.9/32'), 'withdraw'); // not ours: ignored
      announcer.acknowledge(P1, 'withdraw');
      await drained;
      expect(settled).toBe(true);

      up = announced(announcer);
      announcer.undrain(P1);
      await up;
      const started = performance.now();
      await expect(announcer.drain(P1, { timeoutMs: 100 })).rejects.toBeInstanceOf(DrainTimeoutError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(95);
      expect(announcer.status()[0]?.state).toBe('drained');

      // An undrain overtakes a pending drain.
      up = announced(announcer);
      announcer.undrain(P1);
      await up;
      const pending = announcer.drain(P1, { timeoutMs: 2000 });
      announcer.undrain(P1);
      await expect(pending).rejects.toBeInstanceOf(DrainCancelledError);

      // An undrain by a source that never drained it leaves a pending drain waiting.
      const byCli = announcer.drain(P1, { source: 'cli', timeoutMs: 2000 });
      announcer.undrain(P1, 'library');
      expect(announcer.status()[0]?.state).toBe('drained');
      announcer.acknowledge(P1, 'withdraw');
      await byCli;
    } finally {
      await announcer.stop();
    }
  });

  it('drain() without a prefix drains them all; unknown prefixes are an error', async () => {
    const { announcer, ads } = build([
      { prefix: P1, checks: [], minIntervalMs: 0 },
      { prefix: P2, checks: [], minIntervalMs: 0 },
    ]);
    try {
      await announcer.start();
      expect(ads.map((a) => a.mode)).toEqual(['announce', 'announce']);
      await announcer.drain();
      expect(announcer.status().map((s) => s.state)).toEqual(['drained', 'drained']);
      await expect(announcer.drain('10.9.9.9')).rejects.toThrow(UnknownPrefixError);
      announcer.undrain();
      expect(announcer.status().map((s) => s.advertised)).toEqual(['announce', 'announce']);
    } finally {
      await announcer.stop();
    }
    expect(ads.slice(-2).map((a) => a.mode)).toEqual(['withdraw', 'withdraw']);
    await expect(announcer.drain()).rejects.toBeInstanceOf(DrainCancelledError);
    await expect(announcer.start()).rejects.toBeInstanceOf(AnnouncerStoppedError);
  });
});

describe('Announcer: maintenance file', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anycast-maint-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appearing drains, disappearing undrains, each noticed well within a second', async () => {
    const file = join(dir, 'maintenance');
    const { announcer } = build([{ prefix: P1, checks: [], maintenanceFile: file, minIntervalMs: 0 }]);
    try {
      await announcer.start();
      expect(announcer.status()[0]?.state).toBe('announced');
      let t = performance.now();
      const down = nextEvent(announcer, 'advertise', (a) => a.mode === 'withdraw', 2000);
      writeFileSync(file, '');
      await down;
      const appeared = performance.now() - t;
      expect(announcer.status()[0]).toMatchObject({ state: 'drained', drainedBy: ['file'], reason: 'drained by file' });
      t = performance.now();
      const up = nextEvent(announcer, 'advertise', (a) => a.mode === 'announce', 2000);
      unlinkSync(file);
      await up;
      const removed = performance.now() - t;
      console.log(`maintenance file: appeared -> withdraw ${appeared.toFixed(1)} ms, removed -> announce ${removed.toFixed(1)} ms`);
      expect(appeared).toBeLessThan(1100);
      expect(removed).toBeLessThan(1100);
    } finally {
      await announcer.stop();
    }
  });

  it('a file present at start keeps the prefix from ever being announced', async () => {
    const file = join(dir, 'present');
    writeFileSync(file, '');
    const { announcer, ads } = build([{ prefix: P1, checks: [], maintenanceFile: file, minIntervalMs: 0 }]);
    try {
      await announcer.start();
      expect(ads.map((a) => a.mode)).toEqual(['withdraw']);
      expect(announcer.status()[0]?.state).toBe('drained');
      const up = nextEvent(announcer, 'advertise', (a) => a.mode === 'announce', 2000);
      unlinkSync(file);
      await up;
    } finally {
      await announcer.stop();
    }
  });

  it('the stat poll notices a file whose directory did not exist at start', async () => {
    const sub = join(dir, 'later');
    const file = join(sub, 'drain');
    const { announcer } = build([{ prefix: P1, checks: [], maintenanceFile: file, minIntervalMs: 0 }]);
    try {
      await announcer.start();
      const down = nextEvent(announcer, 'advertise', (a) => a.mode === 'withdraw', 3000);
      mkdirSync(sub);
      writeFileSync(file, '');
      const t = performance.now();
      await down;
      const took = performance.now() - t;
      console.log(`maintenance file in a new directory: noticed by the poll after ${took.toFixed(0)} ms`);
      expect(took).toBeLessThan(1300);
    } finally {
      await announcer.stop();
    }
  });
});

describe('Announcer: health, address management and status', () => {
  it('on-failure max-cost advertises max-cost while unhealthy', async () => {
    const s = switchable(false);
    const { announcer, ads } = build([{ prefix: P1, checks: [s.check], onFailure: 'max-cost', minIntervalMs: 0, announceAs: 'external' }]);
    try {
      await announcer.start();
      expect(ads).toHaveLength(1);
      expect(ads[0]).toMatchObject({ prefix: P1, mode: 'max-cost', announceAs: { kind: 'external', metric: 20, metricType: 2 } });
      s.set(true);
      await announced(announcer);
      const back = nextEvent(announcer, 'advertise', (a) => a.mode === 'max-cost', 2000);
      s.set(false);
      await back;
      expect(announcer.status()[0]).toMatchObject({ state: 'withdrawn-by-health', advertised: 'max-cost', reason: 'switch: check returned false' });
    } finally {
      await announcer.stop();
    }
  });

  it('rise/fall end to end: announced after 2 successes, withdrawn after 2 failures, with state events', async () => {
    const s = switchable(true);
    const { announcer } = build([{ prefix: P1, checks: [s.check], minIntervalMs: 0 }]);
    const events: string[] = [];
    announcer.on('state', (e) => events.push(`${e.from}->${e.to}: ${e.reason}`));
    const results: boolean[] = [];
    announcer.on('check', (e) => results.push(e.result.ok));
    try {
      const up = announced(announcer);
      await announcer.start();
      await up;
      expect(results).toEqual([true, true]);
      const down = nextEvent(announcer, 'advertise', (a) => a.mode === 'withdraw', 2000);
      s.set(false);
      await down;
      expect(results.slice(-2)).toEqual([false, false]);
      expect(events).toEqual(['withdrawn-by-health->announced: switch: ok', 'announced->withdrawn-by-health: switch: check returned false']);
      const status = announcer.status()[0];
      expect(status?.checks[0]).toMatchObject({ name: 'switch', kind: 'custom', healthy: false, consecutiveFailures: 2, consecutiveSuccesses: 0 });
      expect(status?.checks[0]?.last).toMatchObject({ ok: false, reason: 'check returned false' });
      expect(status?.checks[0]?.last?.latencyMs).toBeGreaterThanOrEqual(0);
      expect(Math.abs((status?.checks[0]?.last?.at ?? 0) - Date.now())).toBeLessThan(1000);
    } finally {
      await announcer.stop();
    }
    // No check runs after stop.
    const count = results.length;
    await sleep(60);
    expect(results.length).toBe(count);
  });

  it('a failing healthy check is confirmed at the fast interval; the way back keeps the interval', async () => {
    const state = { ok: true };
    const runs: { at: number; ok: boolean }[] = [];
    const check: CustomCheckOptions = {
      kind: 'custom',
      name: 'probe',
      intervalMs: 600,
      timeoutMs: 100,
      rise: 2,
      fall: 2,
      run: async () => {
        runs.push({ at: performance.now(), ok: state.ok });
        return state.ok;
      },
    };
    const { announcer, ads } = build([{ prefix: P1, checks: [check], minIntervalMs: 0 }]);
    try {
      const up = announced(announcer);
      await announcer.start();
      await up;
      // Rising: the second success came a whole interval after the first.
      expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(590);
      state.ok = false;
      await nextEvent(announcer, 'advertise', (a) => a.mode === 'withdraw', 3000);
      const failures = runs.filter((r) => !r.ok);
      expect(failures).toHaveLength(2);
      // The second failure was probed at once (fast-interval 0), not an interval later.
      expect(failures[1]!.at - failures[0]!.at, `failures at ${failures.map((f) => f.at.toFixed(0)).join(', ')} ms`).toBeLessThan(300);
      expect(ads.map((a) => a.mode)).toEqual(['withdraw', 'announce', 'withdraw']);
    } finally {
      await announcer.stop();
    }
  });

  it('manage-address: added at start and kept; with remove-on-withdraw added before announce and removed after withdraw', async () => {
    const calls: string[] = [];
    const manager: AddressManager = {
      add: async (p, ifName) => {
        calls.push(`add ${p.address}${ifName === 'lo' ? '' : ` dev ${ifName}`}`);
      },
      remove: async (p, ifName) => {
        calls.push(`remove ${p.address}${ifName === 'lo' ? '' : ` dev ${ifName}`}`);
      },
    };
    const s = switchable(true);
    const { announcer } = build(
      [
        { prefix: P1, checks: [], manageAddress: true, minIntervalMs: 0 },
        { prefix: P2, checks: [s.check], manageAddress: true, removeOnWithdraw: true, minIntervalMs: 0, interface: 'anycast0' },
      ],
      { addressManager: manager },
    );
    announcer.on('advertise', (a) => calls.push(`${a.mode} ${a.prefix.address}`));
    try {
      const up = announced(announcer, P2);
      await announcer.start();
      await up;
      const down = nextEvent(announcer, 'advertise', (a) => a.mode === 'withdraw', 2000);
      s.set(false);
      await down;
      await waitFor('the removal', () => calls.includes(`remove ${P2.address} dev anycast0`), { timeoutMs: 1000, intervalMs: 10 });
    } finally {
      await announcer.stop();
    }
    expect(calls).toEqual([
      `add ${P1.address}`,
      `announce ${P1.address}`,
      `withdraw ${P2.address}`,
      `add ${P2.address} dev anycast0`,
      `announce ${P2.address}`,
      `withdraw ${P2.address}`,
      `remove ${P2.address} dev anycast0`,
      `withdraw ${P1.address}`, // stop: P1's address stays (no remove-on-withdraw)
    ]);
  });

  it('start() rejects with AddressManagementError when the address cannot be added', async () => {
    const manager: AddressManager = { add: () => Promise.reject(new Error('EPERM')), remove: async () => undefined };
    const { announcer, ads } = build([{ prefix: P1, checks: [], manageAddress: true }], { addressManager: manager });
    await expect(announcer.start()).rejects.toThrow(AddressManagementError);
    expect(ads).toHaveLength(0);
    await announcer.stop();
  });

  it('rejects bad options with typed errors naming the field', () => {
    const make = (prefixes: AnycastPrefixOptions[], extra: Partial<AnnouncerOptions> = {}) => () => build(prefixes, extra);
    const cases: [() => unknown, string][] = [
      [make([{ prefix: P1, checks: [{ kind: 'tcp', host: '127.0.0.1', port: 0 }] }]), 'prefixes[0].checks[0].port'],
      [make([{ prefix: P1, checks: [{ kind: 'sip-options', host: '127.0.0.1', port: 5060, rise: 0 }] }]), 'prefixes[0].checks[0].rise'],
      [make([{ prefix: P1, checks: [{ kind: 'sip-options', host: '127.0.0.1', port: 5060, codes: ['2x'] }] }]), 'prefixes[0].checks[0].codes[0]'],
      [make([{ prefix: P1, checks: [{ kind: 'http', url: 'ftp://x/' }] }]), 'prefixes[0].checks[0].url'],
      [make([{ prefix: P1, checks: [{ kind: 'exec', command: [] }] }]), 'prefixes[0].checks[0].command'],
      [make([{ prefix: P1, checks: [] }, { prefix: P1, checks: [] }]), 'prefixes[1].prefix'],
      [make([{ prefix: P1, checks: [{ kind: 'tcp', host: 'a', port: 1 }, { kind: 'tcp', host: 'a', port: 1 }] }]), 'prefixes[0].checks[1].name'],
      [make([{ prefix: P1, checks: [], removeOnWithdraw: true }]), 'prefixes[0].removeOnWithdraw'],
      [make([{ prefix: P1, checks: [], minIntervalMs: -1 }]), 'prefixes[0].minIntervalMs'],
      [make([{ prefix: P1, checks: [{ kind: 'http', url: 'http://127.0.0.1/', status: [{ min: 300, max: 200 }] }] }]), 'prefixes[0].checks[0].status[0]'],
      [make([{ prefix: P1, checks: [], announceAs: { kind: 'external', metric: 0xffffff, metricType: 2 } }]), 'prefixes[0].announceAs.metric'],
      [make([{ prefix: P1, checks: [], interface: '' }]), 'prefixes[0].interface'],
      [make([{ prefix: { address: 0x0a000001, length: 24 }, checks: [] }]), 'prefixes[0].prefix'],
      [make([{ prefix: { address: -1, length: 32 }, checks: [] }]), 'prefixes[0].prefix'],
      [make([{ prefix: P1, checks: 'none' as unknown as [] }]), 'prefixes[0].checks'],
    ];
    for (const [fn, path] of cases) {
      let caught: unknown;
      try {
        fn();
      } catch (err) {
        caught = err;
      }
      expect(caught, path).toBeInstanceOf(AnycastConfigError);
      expect((caught as AnycastConfigError).path).toBe(path);
    }
    expect(make([{ prefix: P1, checks: [], manageAddress: true }])).toThrow(AddressManagementError);
  });
});
