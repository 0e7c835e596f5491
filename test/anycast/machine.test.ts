// The prefix state machine and rise/fall with injected time: no timers, no I/O.

import { describe, expect, it } from 'vitest';
import { PrefixMachine, type MachineOutput } from '../../src/anycast/machine.js';
import { RiseFall } from '../../src/anycast/rise-fall.js';
import { createPrng } from '../../src/lib/prng.js';
import type { DrainSource } from '../../src/anycast/types.js';
import { replay, seeds } from '../helpers/seeds.js';

const P = '10.206.206.1/32';

function modes(outputs: MachineOutput[]): string[] {
  return outputs.flatMap((o) => (o.kind === 'advertise' ? [o.mode] : []));
}

function states(outputs: MachineOutput[]): string[] {
  return outputs.flatMap((o) => (o.kind === 'state' ? [`${o.event.from}->${o.event.to}`] : []));
}

function machine(checks: string[], opts: { onFailure?: 'withdraw' | 'max-cost'; minIntervalMs?: number } = {}): PrefixMachine {
  return new PrefixMachine({ prefix: P, checks, onFailure: opts.onFailure ?? 'withdraw', minIntervalMs: opts.minIntervalMs ?? 1000 }, 0);
}

describe('RiseFall', () => {
  it('starts unhealthy and turns healthy only after rise consecutive successes', () => {
    const rf = new RiseFall(3, 2);
    expect(rf.healthy).toBe(false);
    expect(rf.record(true)).toEqual({ healthy: false, changed: false });
    expect(rf.record(true)).toEqual({ healthy: false, changed: false });
    expect(rf.record(false)).toEqual({ healthy: false, changed: false }); // streak broken
    expect(rf.record(true).changed).toBe(false);
    expect(rf.record(true).changed).toBe(false);
    expect(rf.record(true)).toEqual({ healthy: true, changed: true });
    expect(rf.record(true)).toEqual({ healthy: true, changed: false });
  });

  it('turns unhealthy after fall consecutive failures, not before', () => {
    const rf = new RiseFall(1, 3);
    rf.record(true);
    expect(rf.record(false)).toEqual({ healthy: true, changed: false });
    expect(rf.record(false)).toEqual({ healthy: true, changed: false });
    expect(rf.consecutiveFailures).toBe(2);
    expect(rf.record(true)).toEqual({ healthy: true, changed: false }); // streak broken
    rf.record(false);
    rf.record(false);
    expect(rf.record(false)).toEqual({ healthy: false, changed: true });
  });

  it('reset() makes a healthy check unhealthy and clears the streaks', () => {
    const rf = new RiseFall(2, 2);
    rf.record(true);
    rf.record(true);
    expect(rf.reset()).toEqual({ healthy: false, changed: true });
    expect(rf.consecutiveSuccesses).toBe(0);
    expect(rf.reset()).toEqual({ healthy: false, changed: false });
    expect(rf.record(true).healthy).toBe(false);
    expect(rf.record(true)).toEqual({ healthy: true, changed: true });
  });
});

describe('PrefixMachine', () => {
  it('starts withdrawn by health until every check has passed, then announces at once', () => {
    const m = machine(['sip', 'tcp']);
    expect(m.view().state).toBe('withdrawn-by-health');
    expect(m.view().failingCheck).toBe('sip');
    expect(modes(m.start())).toEqual(['withdraw']);
    expect(modes(m.setCheck('sip', true, '200 OK', 10))).toEqual([]);
    expect(m.view().failingCheck).toBe('tcp');
    const out = m.setCheck('tcp', true, 'connected', 20);
    expect(states(out)).toEqual(['withdrawn-by-health->announced']);
    // The initial mode opens no pacing window: the first change goes out at once.
    expect(out).toContainEqual({ kind: 'advertise', mode: 'announce', at: 20 });
    expect(m.view()).toMatchObject({ state: 'announced', since: 20, advertised: 'announce' });
  });

  it('a prefix without checks is announced from the start', () => {
    const m = machine([]);
    expect(m.view().state).toBe('announced');
    expect(modes(m.start())).toEqual(['announce']);
  });

  it('the first change after a quiet period goes out at once', () => {
    const m = machine(['sip']);
    m.start();
    m.setCheck('sip', true, 'ok', 100);
    // Quiet for 5 s, then the check fails: no waiting.
    const out = m.setCheck('sip', false, 'timeout after 500 ms', 5100);
    expect(out).toContainEqual({ kind: 'advertise', mode: 'withdraw', at: 5100 });
    const state = out.find((o) => o.kind === 'state');
    expect(state).toEqual({
      kind: 'state',
      event: { prefix: P, from: 'announced', to: 'withdrawn-by-health', reason: 'sip: timeout after 500 ms', check: 'sip', at: 5100 },
    });
  });

  it('spaces changes by min-interval and coalesces to the latest state (RFC 2328 MinLSArrival)', () => {
    const m = machine(['sip'], { minIntervalMs: 1000 });
    m.start();
    expect(modes(m.setCheck('sip', true, 'ok', 0))).toEqual(['announce']);
    // Fails 200 ms later: the state changes now, the advertisement waits.
    const out = m.setCheck('sip', false, 'timeout', 200);
    expect(states(out)).toEqual(['announced->withdrawn-by-health']);
    expect(modes(out)).toEqual([]);
    expect(m.view().pending).toBe('withdraw');
    expect(m.nextDeadline()).toBe(1000);
    expect(modes(m.tick(999))).toEqual([]);
    expect(modes(m.tick(1000))).toEqual(['withdraw']);
    expect(m.nextDeadline()).toBeUndefined();
    // Flap back and forth inside the window: only the latest state goes out.
    m.setCheck('sip', true, 'ok', 1100);
    m.setCheck('sip', false, 'timeout', 1200);
    m.setCheck('sip', true, 'ok', 1300);
    expect(m.view().pending).toBe('announce');
    expect(modes(m.tick(2000))).toEqual(['announce']);
    // A flap that settles back to the advertised mode sends nothing at all.
    m.setCheck('sip', false, 'timeout', 2100);
    m.setCheck('sip', true, 'ok', 2200);
    expect(m.nextDeadline()).toBeUndefined();
    expect(modes(m.tick(3000))).toEqual([]);
    expect(m.view().advertised).toBe('announce');
  });

  it('drain overrides health, from any state, and undrain returns to what health says', () => {
    const m = machine(['sip']);
    m.start();
    m.setCheck('sip', true, 'ok', 0);
    let out = m.setDrain('cli', true, 5000);
    expect(states(out)).toEqual(['announced->drained']);
    expect(modes(out)).toEqual(['withdraw']);
    expect(m.view()).toMatchObject({ state: 'drained', reason: 'drained by cli', drainedBy: ['cli'] });
    // Health changes while drained change nothing visible.
    expect(m.setCheck('sip', false, 'timeout', 10_000)).toEqual([]);
    expect(m.setCheck('sip', true, 'ok', 11_000)).toEqual([]);
    // Two sources: both must lift.
    m.setDrain('file', true, 12_000);
    expect(m.view().drainedBy).toEqual(['cli', 'file']);
    expect(m.setDrain('cli', false, 13_000)).toEqual([]);
    expect(m.view().reason).toBe('drained by file');
    out = m.setDrain('file', false, 14_000);
    expect(out).toEqual([
      { kind: 'state', event: { prefix: P, from: 'drained', to: 'announced', reason: 'undrained by file', at: 14_000 } },
      { kind: 'advertise', mode: 'announce', at: 14_000 },
    ]);
    // Undrain while unhealthy: withdrawn by health, still not advertised.
    m.setDrain('library', true, 20_000);
    m.setCheck('sip', false, 'exit 1', 21_000);
    out = m.setDrain('library', false, 22_000);
    expect(states(out)).toEqual(['drained->withdrawn-by-health']);
    expect(modes(out)).toEqual([]);
    expect(m.view().reason).toBe('sip: exit 1');
  });

  it('on-failure max-cost keeps the prefix as a last resort, but a drain still withdraws it', () => {
    const m = machine(['sip'], { onFailure: 'max-cost', minIntervalMs: 0 });
    expect(modes(m.start())).toEqual(['max-cost']);
    expect(modes(m.setCheck('sip', true, 'ok', 10))).toEqual(['announce']);
    expect(modes(m.setCheck('sip', false, '503', 20))).toEqual(['max-cost']);
    expect(m.view().state).toBe('withdrawn-by-health');
    expect(modes(m.setDrain('cli', true, 30))).toEqual(['withdraw']);
    expect(modes(m.setDrain('cli', false, 40))).toEqual(['max-cost']);
  });

  it('stop() withdraws at once, without pacing, and ignores later inputs', () => {
    const m = machine(['sip']);
    m.start();
    m.setCheck('sip', true, 'ok', 0);
    m.setCheck('sip', false, 'x', 100); // pending withdraw until 1000
    m.setCheck('sip', true, 'x', 150); // back: nothing pending
    expect(m.stop(200)).toEqual([{ kind: 'advertise', mode: 'withdraw', at: 200 }]);
    expect(m.setCheck('sip', true, 'ok', 300)).toEqual([]);
    expect(m.setDrain('cli', true, 300)).toEqual([]);
    expect(m.tick(5000)).toEqual([]);
    expect(m.stop(6000)).toEqual([]);
  });

  it('takeOver() continues state, drains and pacing under a new configuration', () => {
    const old = machine(['sip']);
    old.start();
    old.setCheck('sip', true, 'ok', 0); // announced at 0
    old.setDrain('cli', true, 5000); // withdrawn at 5000
    old.setDrain('cli', false, 5500); // announce pending until 6000
    expect(old.view().pending).toBe('announce');
    // Same check carried over: nothing changes, the pending announcement keeps its time.
    const same = machine(['sip']);
    expect(same.takeOver(old, new Map([['sip', { healthy: true, reason: 'ok' }]]), 5600)).toEqual([]);
    expect(same.view()).toMatchObject({ state: 'announced', since: 5500, advertised: 'withdraw', pending: 'announce' });
    expect(same.nextDeadline()).toBe(6000);
    // A new check that has not passed: withdrawn by health, and a cli drain carries over.
    old.setDrain('cli', true, 5700);
    const more = machine(['sip', 'http']);
    const out = more.takeOver(old, new Map([['sip', { healthy: true, reason: 'ok' }]]), 5800);
    expect(out).toEqual([]);
    expect(more.view()).toMatchObject({ state: 'drained', drainedBy: ['cli'], advertised: 'withdraw' });
    expect(states(more.setDrain('cli', false, 7000))).toEqual(['drained->withdrawn-by-health']);
    expect(more.view().reason).toBe('http: has not passed yet');
  });

  it('ignores verdicts of checks it does not know', () => {
    const m = machine(['sip']);
    m.start();
    expect(m.setCheck('other', true, 'ok', 0)).toEqual([]);
    expect(m.view().state).toBe('withdrawn-by-health');
  });

  it('random inputs: advertisements never closer than min-interval, and settle on the state (seeded)', () => {
    const fixed = Array.from({ length: 200 }, (_, round) => 20261125 + round);
    for (const seed of seeds(fixed, 20)) {
      const prng = createPrng(seed);
      const minIntervalMs = prng.pick([0, 100, 1000]);
      const onFailure = prng.pick(['withdraw', 'max-cost'] as const);
      const m = machine(['a', 'b'], { onFailure, minIntervalMs });
      const sent: { mode: string; at: number }[] = [];
      const take = (outs: MachineOutput[]): void => {
        for (const o of outs) if (o.kind === 'advertise') sent.push({ mode: o.mode, at: o.at });
      };
      take(m.start());
      let now = 0;
      for (let step = 0; step < 60; step++) {
        now += prng.int(0, 700);
        const deadline = m.nextDeadline();
        if (deadline !== undefined && deadline <= now) take(m.tick(deadline));
        const roll = prng.int(0, 2);
        if (roll === 0) take(m.setCheck(prng.pick(['a', 'b']), prng.chance(0.6), 'r', now));
        else if (roll === 1) take(m.setDrain(prng.pick<DrainSource>(['cli', 'library', 'file']), prng.chance(0.3), now));
        else take(m.tick(now));
      }
      const deadline = m.nextDeadline();
      if (deadline !== undefined) take(m.tick(deadline));
      const context = `seed ${seed} (rerun with ${replay(seed)})`;
      // The initial mode is not paced; every later pair is at least min-interval apart.
      for (let i = 2; i < sent.length; i++) {
        expect(sent[i]!.at - sent[i - 1]!.at, context).toBeGreaterThanOrEqual(minIntervalMs);
      }
      for (let i = 1; i < sent.length; i++) expect(sent[i]!.mode, context).not.toBe(sent[i - 1]!.mode);
      const view = m.view();
      const expected = view.state === 'announced' ? 'announce' : view.state === 'drained' ? 'withdraw' : onFailure;
      expect(view.advertised, context).toBe(expected);
      expect(view.pending, context).toBeUndefined();
    }
  });
});
