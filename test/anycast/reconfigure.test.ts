// Announcer.reconfigure(): a reload leaves alone what did not change, keeps
// the running proxy, and carries state, drains and verdicts across.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessEvent } from '../../src/anycast/announcer-api.js';
import { Announcer } from '../../src/anycast/announcer.js';
import { AnycastConfigError } from '../../src/anycast/errors.js';
import type { Advertisement, AnycastPrefixOptions, CheckOptions, CustomCheckOptions, StateChangeEvent } from '../../src/anycast/types.js';
import { parsePrefix } from '../../src/lib/ipv4.js';
import { freeUdpPort, PROXY_CODE } from './sip-responder.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { isAlive } from './wait.js';

const P1 = parsePrefix('10.206.206.1/32');
const P2 = parsePrefix('10.206.206.2/32');

function recorder(announcer: Announcer): { ads: Advertisement[]; states: StateChangeEvent[]; spawns: ProcessEvent[] } {
  const seen = { ads: [] as Advertisement[], states: [] as StateChangeEvent[], spawns: [] as ProcessEvent[] };
  announcer.on('advertise', (a) => seen.ads.push(a));
  announcer.on('state', (e) => seen.states.push(e));
  announcer.on('process', (e) => {
    if (e.event === 'spawn') seen.spawns.push(e);
  });
  return seen;
}

const okRun = async (): Promise<boolean> => true;
const failRun = async (): Promise<boolean> => false;
const custom = (run: () => Promise<boolean>, extra: Partial<CustomCheckOptions> = {}): CustomCheckOptions => ({
  kind: 'custom',
  name: 'app',
  intervalMs: 20,
  timeoutMs: 15,
  rise: 2,
  fall: 2,
  run,
  ...extra,
});

describe('Announcer.reconfigure', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anycast-reconf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the running proxy and the announcement when only timings change; a new command replaces the proxy', async () => {
    const port = await freeUdpPort();
    const proxy: CheckOptions = { kind: 'process', name: 'proxy', command: [process.execPath, '-e', PROXY_CODE, String(port)], restartDelayMs: 100 };
    const sip = (intervalMs: number, rise: number): CheckOptions => ({ kind: 'sip-options', host: '127.0.0.1', port, intervalMs, timeoutMs: 40, rise, fall: 2 });
    const config = (checks: CheckOptions[], minIntervalMs = 100): AnycastPrefixOptions[] => [{ prefix: P1, minIntervalMs, checks }];
    const announcer = new Announcer({ prefixes: config([proxy, sip(50, 2)]), advertise: () => undefined });
    const seen = recorder(announcer);
    try {
      await announcer.start();
      await waitFor('announced', () => announcer.status()[0]?.advertised === 'announce', { timeoutMs: 10_000, intervalMs: 10 });
      const pid = seen.spawns[0]?.pid as number;
      const ads = seen.ads.length;

      // The same configuration: nothing at all happens.
      await announcer.reconfigure(config([proxy, sip(50, 2)]));
      // New interval, rise and min-interval, and new restart timings for the same command.
      await announcer.reconfigure(config([{ ...proxy, restartDelayMs: 300 }, sip(30, 3)], 200));
      await sleep(200);
      expect(seen.ads.length).toBe(ads);
      expect(seen.spawns).toHaveLength(1);
      expect(isAlive(pid)).toBe(true);
      const status = announcer.status()[0];
      expect(status).toMatchObject({ state: 'announced', advertised: 'announce' });
      expect(status?.checks[1]?.healthy).toBe(true);

      // The new restart delay applies from the next exit.
      process.kill(pid, 'SIGKILL');
      await waitFor('the exit', () => announcer.status()[0]?.checks[0]?.healthy === false, { timeoutMs: 2000, intervalMs: 10 });
      expect(announcer.status()[0]?.checks[0]?.reason).toMatch(/restart in 300 ms$/);
      await waitFor('announced again', () => announcer.status()[0]?.advertised === 'announce', { timeoutMs: 10_000, intervalMs: 10 });
      const second = seen.spawns[1]?.pid as number;

      // A changed environment is a different proxy: the old one stops, the new
      // one must prove itself. It loads for a second, longer than the pacing
      // window, so the withdrawal cannot be overtaken by its recovery.
      const before = seen.ads.length;
      await announcer.reconfigure(config([{ ...proxy, env: { PROXY_BIND_DELAY_MS: '1000' } }, sip(30, 3)], 200));
      expect(isAlive(second)).toBe(false);
      expect(announcer.status()[0]?.state).toBe('withdrawn-by-health');
      // Paced: the announcement after the restart may be less than min-interval ago.
      await waitFor('the withdrawal', () => seen.ads[before]?.mode === 'withdraw', { timeoutMs: 2000, intervalMs: 10 });
      await waitFor('the new proxy announced', () => announcer.status()[0]?.advertised === 'announce', { timeoutMs: 10_000, intervalMs: 10 });
      expect(seen.spawns).toHaveLength(3);
    } finally {
      await announcer.stop();
    }
    expect(seen.spawns.every((s) => !isAlive(s.pid as number))).toBe(true);
  });

  it('adds and removes prefixes; a removed prefix is withdrawn and its own proxy stopped', async () => {
    const lonely: CheckOptions = { kind: 'process', name: 'worker', command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] };
    const announcer = new Announcer({ prefixes: [{ prefix: P1, minIntervalMs: 0, checks: [lonely] }], advertise: () => undefined });
    const seen = recorder(announcer);
    try {
      await announcer.start();
      await waitFor('P1 announced', () => announcer.status()[0]?.advertised === 'announce', { timeoutMs: 10_000, intervalMs: 10 });
      const pid = seen.spawns[0]?.pid as number;
      await announcer.reconfigure([{ prefix: P2, minIntervalMs: 0, checks: [custom(okRun)] }]);
      expect(seen.ads.find((a) => a.prefix.address === P1.address && a.mode === 'withdraw')).toBeDefined();
      expect(isAlive(pid)).toBe(false);
      expect(announcer.status().map((s) => s.prefix)).toEqual(['10.206.206.2/32']);
      await waitFor('P2 announced', () => announcer.status()[0]?.advertised === 'announce', { timeoutMs: 3000, intervalMs: 10 });
      await expect(announcer.drain(P1)).rejects.toThrow('not an anycast prefix here');
    } finally {
      await announcer.stop();
    }
  });

  it('carries drains and state; on-failure and the maintenance file follow the new configuration', async () => {
    const file = join(dir, 'drain');
    const announcer = new Announcer({ prefixes: [{ prefix: P1, minIntervalMs: 0, checks: [custom(failRun)] }], advertise: () => undefined });
    const seen = recorder(announcer);
    try {
      await announcer.start();
      await waitFor('two failures', () => (announcer.status()[0]?.checks[0]?.consecutiveFailures ?? 0) >= 2, { timeoutMs: 2000, intervalMs: 10 });
      expect(announcer.status()[0]).toMatchObject({ state: 'withdrawn-by-health', advertised: 'withdraw' });

      // on-failure max-cost now: the unhealthy prefix is advertised at max cost at once.
      await announcer.reconfigure([{ prefix: P1, minIntervalMs: 0, onFailure: 'max-cost', checks: [custom(failRun)] }]);
      expect(announcer.status()[0]).toMatchObject({ state: 'withdrawn-by-health', advertised: 'max-cost' });
      expect(seen.ads.at(-1)?.mode).toBe('max-cost');

      // A cli drain survives a reload that changes the check.
      await announcer.drain(P1, { source: 'cli' });
      await announcer.reconfigure([{ prefix: P1, minIntervalMs: 0, checks: [custom(okRun)] }]);
      expect(announcer.status()[0]).toMatchObject({ state: 'drained', drainedBy: ['cli'] });
      announcer.undrain(P1, 'cli');
      await waitFor('announced', () => announcer.status()[0]?.advertised === 'announce', { timeoutMs: 3000, intervalMs: 10 });

      // A maintenance file that exists drains as soon as it is configured, and no longer once it is not.
      writeFileSync(file, '');
      await announcer.reconfigure([{ prefix: P1, minIntervalMs: 0, maintenanceFile: file, checks: [custom(okRun)] }]);
      expect(announcer.status()[0]).toMatchObject({ state: 'drained', drainedBy: ['file'], advertised: 'withdraw' });
      await announcer.reconfigure([{ prefix: P1, minIntervalMs: 0, checks: [custom(okRun)] }]);
      expect(announcer.status()[0]).toMatchObject({ state: 'announced', advertised: 'announce' });
      const transitions = seen.states.map((e) => `${e.from}->${e.to}`);
      expect(transitions.slice(-2)).toEqual(['announced->drained', 'drained->announced']);
    } finally {
      await announcer.stop();
    }
  });

  it('rejects bad options before changing anything', async () => {
    const announcer = new Announcer({ prefixes: [{ prefix: P1, minIntervalMs: 0, checks: [] }], advertise: () => undefined });
    try {
      await announcer.start();
      await expect(announcer.reconfigure([{ prefix: P1, checks: [{ kind: 'tcp', host: '127.0.0.1', port: 70000 }] }])).rejects.toThrow(AnycastConfigError);
      expect(announcer.status()[0]).toMatchObject({ state: 'announced', checks: [] });
    } finally {
      await announcer.stop();
    }
  });
});
