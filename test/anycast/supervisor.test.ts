// Proxy supervision with real children on 127.0.0.1: exits are noticed at
// once, restarts back off, stop leaves nothing behind, and a frozen proxy is
// caught by its sip-options check.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckEvent, LogEntry, ProcessEvent } from '../../src/anycast/announcer-api.js';
import { Announcer } from '../../src/anycast/announcer.js';
import { ProcessSupervisor, type ExitInfo, type SpawnInfo } from '../../src/anycast/supervisor.js';
import type { Advertisement, StateChangeEvent } from '../../src/anycast/types.js';
import { parsePrefix } from '../../src/lib/ipv4.js';
import { freeUdpPort, PROXY_CODE } from './sip-responder.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { isAlive, killPending, nextEvent } from './wait.js';

interface Harness {
  announcer: Announcer;
  ads: { ad: Advertisement; hrAt: number }[];
  spawns: ProcessEvent[];
  exits: { event: ProcessEvent; hrAt: number }[];
  checks: CheckEvent[];
  logs: LogEntry[];
  states: StateChangeEvent[];
}

function proxyAnnouncer(port: number): Harness {
  const ads: Harness['ads'] = [];
  const announcer = new Announcer({
    prefixes: [
      {
        prefix: parsePrefix('10.206.206.1/32'),
        minIntervalMs: 100,
        checks: [
          { kind: 'process', name: 'proxy', command: [process.execPath, '-e', PROXY_CODE, String(port)], restartDelayMs: 100, stableAfterMs: 60_000, stopGraceMs: 2000 },
          // No fast re-probe: a killed proxy is the process check's to see, not a race with this one.
          { kind: 'sip-options', host: '127.0.0.1', port, intervalMs: 50, timeoutMs: 40, rise: 2, fall: 2, fastIntervalMs: 50 },
        ],
      },
    ],
    advertise: (ad) => ads.push({ ad, hrAt: performance.now() }),
  });
  const h: Harness = { announcer, ads, spawns: [], exits: [], checks: [], logs: [], states: [] };
  announcer.on('process', (e) => (e.event === 'spawn' ? h.spawns.push(e) : h.exits.push({ event: e, hrAt: performance.now() })));
  announcer.on('check', (e) => h.checks.push(e));
  announcer.on('log', (e) => h.logs.push(e));
  announcer.on('state', (e) => h.states.push(e));
  return h;
}

function lastPid(h: Harness): number {
  const pid = h.spawns.at(-1)?.pid;
  if (pid === undefined) throw new Error('no child has been spawned');
  return pid;
}

describe('proxy supervision through the Announcer', () => {
  it('kill -9: withdrawn in the exit event, restarted with backoff, back after rise successes', async () => {
    const h = proxyAnnouncer(await freeUdpPort());
    try {
      const announced = nextEvent(h.announcer, 'advertise', (a) => a.mode === 'announce', 10_000);
      await h.announcer.start();
      await announced;
      expect(h.logs.some((l) => /^\[proxy\] listening on \d+$/.test(l.message))).toBe(true);
      await sleep(150); // past min-interval: the withdrawal is the first change after a quiet period

      const restartDelays: number[] = [];
      for (let round = 0; round < 3; round++) {
        const pid = lastPid(h);
        const spawnsBefore = h.spawns.length;
        const adsBefore = h.ads.length;
        const killedAt = performance.now();
        process.kill(pid, 'SIGKILL');
        await waitFor('the withdrawal', () => h.ads.length > adsBefore, { timeoutMs: 2000, intervalMs: 10 });
        const exit = h.exits.at(-1) as Harness['exits'][number];
        const withdrawal = h.ads[adsBefore] as Harness['ads'][number];
        expect(withdrawal.ad.mode).toBe('withdraw');
        const exitToWithdraw = withdrawal.hrAt - exit.hrAt;
        console.log(
          `round ${round}: kill -9 -> exit event ${(exit.hrAt - killedAt).toFixed(2)} ms (kernel teardown and SIGCHLD), exit event -> withdraw ${exitToWithdraw.toFixed(3)} ms, kill -> withdraw ${(withdrawal.hrAt - killedAt).toFixed(2)} ms, restart in ${exit.event.restartInMs} ms`,
        );
        // Withdrawn in the same turn of the event loop as the exit event.
        expect(exitToWithdraw).toBeLessThan(5);
        expect(exit.event.reason).toBe('process killed by signal SIGKILL');
        expect(h.announcer.status()[0]).toMatchObject({ state: 'withdrawn-by-health', failingCheck: 'proxy' });
        expect(h.announcer.status()[0]?.reason).toMatch(/^proxy: process killed by signal SIGKILL, restart in \d+ ms$/);
        restartDelays.push(exit.event.restartInMs as number);
        expect(h.announcer.status()[0]?.checks[0]?.process).toEqual({
          starts: round + 1,
          since: exit.event.at,
          restartAt: exit.event.at + (exit.event.restartInMs as number),
        });

        await waitFor('the restart', () => h.spawns.length > spawnsBefore, { timeoutMs: 5000, intervalMs: 10 });
        const respawn = h.spawns.at(-1) as ProcessEvent;
        expect(respawn.at - exit.event.at).toBeGreaterThanOrEqual((exit.event.restartInMs as number) - 2);
        // Back only after `rise` (2) sip-options successes against the new child.
        await waitFor('the announcement', () => h.ads.at(-1)?.ad.mode === 'announce', { timeoutMs: 5000, intervalMs: 10 });
        const announceAt = (h.ads.at(-1) as Harness['ads'][number]).ad.at;
        const successes = h.checks.filter((c) => c.result.ok && c.result.at >= respawn.at && c.result.at <= announceAt);
        expect(successes.length).toBeGreaterThanOrEqual(2);
        await sleep(150);
      }
      // 100 ms doubling, not reset: each child lived less than stableAfterMs.
      expect(restartDelays).toEqual([100, 200, 400]);
    } finally {
      await h.announcer.stop();
    }
    expect(h.ads.at(-1)?.ad.mode).toBe('withdraw');
    expect(isAlive(lastPid(h))).toBe(false);
  });

  it('SIGSTOP: the frozen proxy is withdrawn by its sip-options check, and stop() still ends it', async () => {
    const h = proxyAnnouncer(await freeUdpPort());
    try {
      const announced = nextEvent(h.announcer, 'advertise', (a) => a.mode === 'announce', 10_000);
      await h.announcer.start();
      await announced;
      await sleep(150);
      const pid = lastPid(h);
      const stoppedAt = performance.now();
      process.kill(pid, 'SIGSTOP');
      const withdrawn = await nextEvent(h.announcer, 'advertise', (a) => a.mode === 'withdraw', 3000);
      console.log(`SIGSTOP -> withdraw after ${(performance.now() - stoppedAt).toFixed(0)} ms (fall 2 x interval 50 ms, timeout 40 ms)`);
      expect(withdrawn.mode).toBe('withdraw');
      const status = h.announcer.status()[0];
      expect(status?.failingCheck).toMatch(/^sip-options udp:127\.0\.0\.1:\d+$/);
      expect(status?.reason).toContain('timeout after 40 ms');
      expect(status?.checks.find((c) => c.name === 'proxy')).toMatchObject({ healthy: true, reason: `running (pid ${pid})`, process: { pid, starts: 1 } });
      expect(h.exits).toHaveLength(0);

      process.kill(pid, 'SIGCONT');
      await nextEvent(h.announcer, 'advertise', (a) => a.mode === 'announce', 3000);
      process.kill(pid, 'SIGSTOP');
      // stop() sends SIGTERM and SIGCONT: the proxy handles SIGTERM well within the grace period.
      const stopStarted = performance.now();
      await h.announcer.stop();
      expect(performance.now() - stopStarted).toBeLessThan(1500);
      expect(isAlive(pid)).toBe(false);
      expect(h.logs.some((l) => l.message === '[proxy] terminating')).toBe(true);
    } finally {
      await h.announcer.stop();
    }
  });
});

describe('a proxy shared by two prefixes', () => {
  it('runs once, and its exit withdraws both prefixes', async () => {
    const command = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    const ads: Advertisement[] = [];
    const announcer = new Announcer({
      prefixes: [
        { prefix: parsePrefix('10.206.206.1/32'), minIntervalMs: 0, checks: [{ kind: 'process', name: 'proxy', command, restartDelayMs: 100 }] },
        { prefix: parsePrefix('10.206.206.2/32'), minIntervalMs: 0, checks: [{ kind: 'process', name: 'proxy', command, restartDelayMs: 100 }] },
      ],
      advertise: (ad) => ads.push(ad),
    });
    const spawns: ProcessEvent[] = [];
    announcer.on('process', (e) => {
      if (e.event === 'spawn') spawns.push(e);
    });
    try {
      await announcer.start();
      await waitFor('both announced', () => announcer.status().every((p) => p.advertised === 'announce'), { timeoutMs: 5000, intervalMs: 10 });
      // One child, reported to each prefix.
      expect(new Set(spawns.map((e) => e.pid)).size).toBe(1);
      expect(spawns.map((e) => e.prefix)).toEqual(['10.206.206.1/32', '10.206.206.2/32']);
      const before = ads.length;
      process.kill(spawns[0]!.pid as number, 'SIGKILL');
      await waitFor('both withdrawn', () => announcer.status().every((p) => p.advertised === 'withdraw'), { timeoutMs: 2000, intervalMs: 10 });
      expect(ads.slice(before).map((a) => a.mode)).toEqual(['withdraw', 'withdraw']);
      await waitFor('both back', () => announcer.status().every((p) => p.advertised === 'announce'), { timeoutMs: 5000, intervalMs: 10 });
    } finally {
      await announcer.stop();
    }
    expect(spawns.every((e) => !isAlive(e.pid as number))).toBe(true);
  });
});

describe('ProcessSupervisor', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anycast-sup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function collect(sup: ProcessSupervisor): { spawns: SpawnInfo[]; exits: ExitInfo[]; lines: string[] } {
    const out = { spawns: [] as SpawnInfo[], exits: [] as ExitInfo[], lines: [] as string[] };
    sup.on('spawn', (s) => out.spawns.push(s));
    sup.on('exit', (e) => out.exits.push(e));
    sup.on('output', (line, stream) => out.lines.push(`${stream} ${line}`));
    return out;
  }

  it('escalates to SIGKILL after the grace period for a child that ignores SIGTERM', async () => {
    const sup = new ProcessSupervisor(
      { kind: 'process', command: [process.execPath, '-e', "process.on('SIGTERM', () => console.log('ignoring')); console.log('up'); setInterval(() => {}, 1000)"], stopGraceMs: 200 },
      '[stubborn] ',
    );
    const seen = collect(sup);
    sup.start();
    try {
      await waitFor('the child to start', () => seen.lines.includes('stdout [stubborn] up'), { timeoutMs: 5000, intervalMs: 10 });
      const pid = sup.pid as number;
      const started = performance.now();
      await sup.stop();
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(190);
      expect(took).toBeLessThan(1500);
      expect(isAlive(pid)).toBe(false);
      expect(seen.lines).toContain('stdout [stubborn] ignoring');
      expect(seen.exits.at(-1)).toMatchObject({ signal: 'SIGKILL', restartInMs: undefined });
    } finally {
      await sup.stop();
    }
  });

  it('kills the whole group when the leader dies, so no worker is orphaned', async () => {
    const pidFile = join(dir, 'worker');
    const sup = new ProcessSupervisor({ kind: 'process', command: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; echo ready; wait`], restartDelayMs: 5000 }, '');
    const seen = collect(sup);
    sup.start();
    try {
      await waitFor('the worker to start', () => seen.lines.includes('stdout ready'), { timeoutMs: 5000, intervalMs: 10 });
      const worker = Number(readFileSync(pidFile, 'utf8'));
      expect(isAlive(worker)).toBe(true);
      // The exit is reported (and the prefix withdrawn) before the workers are killed.
      let signalledFirst: boolean | undefined;
      sup.once('exit', () => (signalledFirst = !isAlive(worker) || killPending(worker)));
      process.kill(sup.pid as number, 'SIGKILL');
      await waitFor('the exit event', () => seen.exits.length === 1, { timeoutMs: 2000, intervalMs: 10 });
      expect(signalledFirst).toBe(false);
      await waitFor('the worker to be gone', () => !isAlive(worker), { timeoutMs: 2000, intervalMs: 10 });
    } finally {
      await sup.stop();
    }
    // Stopped during the restart delay: no new child.
    expect(seen.spawns).toHaveLength(1);
  });

  it('resets the restart delay once a child has stayed up stableAfterMs', async () => {
    // Each child lives about 200 ms, longer than stableAfterMs: no doubling.
    const sup = new ProcessSupervisor({ kind: 'process', command: ['sh', '-c', 'sleep 0.2; exit 1'], restartDelayMs: 20, stableAfterMs: 100 }, '');
    const seen = collect(sup);
    sup.start();
    try {
      await waitFor('three exits', () => seen.exits.length >= 3, { timeoutMs: 5000, intervalMs: 10 });
    } finally {
      await sup.stop();
    }
    expect(seen.exits.slice(0, 3).map((e) => e.restartInMs)).toEqual([20, 20, 20]);
    expect(seen.exits.every((e) => e.uptimeMs >= 100)).toBe(true);
  });

  it('kills supervised groups when the supervising process exits without stop()', async () => {
    // A separate Node process runs the built supervisor (dist/, built by the
    // test global setup), starts a sleeper, and calls process.exit().
    const supervisorJs = pathToFileURL(join(process.cwd(), 'dist/src/anycast/supervisor.js')).href;
    const code = `
      import { ProcessSupervisor } from ${JSON.stringify(supervisorJs)};
      const sup = new ProcessSupervisor({ kind: 'process', command: ['sh', '-c', 'echo $$; exec sleep 30'] }, '');
      sup.on('output', (line) => { console.log(line); process.exit(0); });
      sup.start();
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    parent.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => parent.on('exit', (c) => resolve(c)));
    let guard: NodeJS.Timeout | undefined;
    const code0 = await Promise.race([exited, new Promise<'late'>((resolve) => (guard = setTimeout(() => resolve('late'), 10_000)))]);
    clearTimeout(guard);
    if (code0 === 'late') parent.kill('SIGKILL');
    expect(code0, err).toBe(0);
    const sleeper = Number(out.trim());
    expect(sleeper).toBeGreaterThan(1);
    await waitFor('the orphaned sleeper to be gone', () => !isAlive(sleeper), { timeoutMs: 2000, intervalMs: 10 });
  });

  it('reports exit codes and spawn failures, and keeps retrying with backoff', async () => {
    const failing = new ProcessSupervisor({ kind: 'process', command: ['sh', '-c', 'echo bye >&2; exit 3'], restartDelayMs: 20, maxRestartDelayMs: 50 }, '[f] ');
    const f = collect(failing);
    failing.start();
    try {
      await waitFor('four exits', () => f.exits.length >= 4, { timeoutMs: 5000, intervalMs: 10 });
    } finally {
      await failing.stop();
    }
    expect(f.exits[0]).toMatchObject({ code: 3, signal: null, reason: 'process exited with code 3', restartInMs: 20 });
    expect(f.exits.slice(0, 4).map((e) => e.restartInMs)).toEqual([20, 40, 50, 50]);
    expect(f.lines).toContain('stderr [f] bye');

    const missing = new ProcessSupervisor({ kind: 'process', command: ['/nonexistent/proxy'], restartDelayMs: 20 }, '');
    const m = collect(missing);
    missing.start();
    try {
      await waitFor('two failed starts', () => m.exits.length >= 2, { timeoutMs: 5000, intervalMs: 10 });
    } finally {
      await missing.stop();
    }
    expect(m.spawns).toHaveLength(0);
    expect(m.exits[0]).toMatchObject({ reason: 'cannot start /nonexistent/proxy: ENOENT', restartInMs: 20 });
    expect(m.exits[1]?.restartInMs).toBe(40);
  });
});
