// tcp, http, exec and custom checks on loopback, and the scheduler that runs them.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customRunner } from '../../src/anycast/checks/custom.js';
import { execRunner } from '../../src/anycast/checks/exec.js';
import { httpRunner } from '../../src/anycast/checks/http.js';
import { tcpRunner } from '../../src/anycast/checks/tcp.js';
import { LineSplitter } from '../../src/anycast/process-group.js';
import { CheckScheduler, type ScheduledResult } from '../../src/anycast/scheduler.js';
import type { CheckOutcome, CheckRunner } from '../../src/anycast/types.js';
import { freePort, sleep, waitFor } from '../helpers/wait.js';
import { isAlive } from './wait.js';

function once(runner: CheckRunner, timeoutMs = 2000): Promise<CheckOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  return runner(controller.signal).finally(() => clearTimeout(timer));
}

describe('tcp check', () => {
  it('succeeds when the port accepts, fails with a reason when it refuses', async () => {
    const server: Server = createTcpServer((conn) => conn.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await once(tcpRunner({ kind: 'tcp', host: '127.0.0.1', port }))).toEqual({ ok: true, reason: `connected to 127.0.0.1:${port}` });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await once(tcpRunner({ kind: 'tcp', host: '127.0.0.1', port }))).toEqual({ ok: false, reason: 'connection refused' });
  });
});

describe('http check', () => {
  let status = 200;
  const server = createHttpServer((req, res) => {
    res.writeHead(req.url === '/health' ? status : 404, { 'content-type': 'text/plain' });
    res.end('body');
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('accepts 2xx by default and fails otherwise', async () => {
    status = 200;
    expect(await once(httpRunner({ kind: 'http', url: `${base}/health` }))).toEqual({ ok: true, reason: 'HTTP 200 OK' });
    status = 503;
    expect(await once(httpRunner({ kind: 'http', url: `${base}/health` }))).toEqual({
      ok: false,
      reason: 'HTTP 503 Service Unavailable, expected 2xx',
    });
  });

  it('takes the configured status codes', async () => {
    status = 200;
    expect(await once(httpRunner({ kind: 'http', url: `${base}/nothing`, status: ['200', '404'] }))).toMatchObject({ ok: true });
    expect(await once(httpRunner({ kind: 'http', url: `${base}/health`, status: ['204'] }))).toEqual({ ok: false, reason: 'HTTP 200 OK, expected 204' });
    status = 302;
    expect(await once(httpRunner({ kind: 'http', url: `${base}/health`, status: [{ min: 200, max: 399 }] }))).toMatchObject({ ok: true });
    expect(await once(httpRunner({ kind: 'http', url: `${base}/health`, status: [{ min: 200, max: 299 }, '304'] }))).toEqual({
      ok: false,
      reason: 'HTTP 302 Found, expected 200-299 304',
    });
  });

  it('fails on a refused connection', async () => {
    const port = await freePort();
    expect(await once(httpRunner({ kind: 'http', url: `http://127.0.0.1:${port}/` }))).toEqual({ ok: false, reason: 'connection refused' });
  });
});

describe('exec check', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anycast-exec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exit 0 is healthy; a failure quotes the last line of output', async () => {
    expect(await once(execRunner({ kind: 'exec', command: ['sh', '-c', 'echo fine'] }))).toEqual({ ok: true, reason: 'exit 0: fine' });
    expect(await once(execRunner({ kind: 'exec', command: ['sh', '-c', 'echo database down >&2; exit 3'] }))).toEqual({
      ok: false,
      reason: 'exit 3: database down',
    });
    expect(await once(execRunner({ kind: 'exec', command: ['/nonexistent/check'] }))).toEqual({ ok: false, reason: 'cannot run /nonexistent/check: ENOENT' });
  });

  it('is killed at the timeout with its whole process group, leaving no process behind', async () => {
    const pids = join(dir, 'pids');
    // The command forks a background sleeper and sleeps itself; both must die.
    const command = ['sh', '-c', `sleep 30 & echo $$ $! > ${pids}; wait`];
    const started = performance.now();
    const result = await once(execRunner({ kind: 'exec', command }), 300);
    const elapsed = performance.now() - started;
    expect(result).toEqual({ ok: false, reason: 'killed at timeout' });
    expect(elapsed).toBeLessThan(1000);
    const [shell, sleeper] = readFileSync(pids, 'utf8').trim().split(' ').map(Number) as [number, number];
    await waitFor('the shell and its sleeper to be gone', () => !isAlive(shell) && !isAlive(sleeper), { timeoutMs: 2000, intervalMs: 10 });
  });

  it('kills what a command left running after it exited', async () => {
    const pidFile = join(dir, 'bg');
    const result = await once(execRunner({ kind: 'exec', command: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; exit 0`] }));
    expect(result.ok).toBe(true);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    await waitFor('the background sleeper to be gone', () => !isAlive(sleeper), { timeoutMs: 2000, intervalMs: 10 });
  });
});

describe('custom check', () => {
  it('maps resolve, false and rejection to outcomes', async () => {
    expect(await once(customRunner({ kind: 'custom', name: 'c', run: async () => undefined }))).toEqual({ ok: true, reason: 'ok' });
    expect(await once(customRunner({ kind: 'custom', name: 'c', run: async () => false }))).toEqual({ ok: false, reason: 'check returned false' });
    expect(await once(customRunner({ kind: 'custom', name: 'c', run: async () => Promise.reject(new RangeError('queue full')) }))).toEqual({
      ok: false,
      reason: 'RangeError: queue full',
    });
  });
});

describe('CheckScheduler', () => {
  it('runs every interval, reports latency, and stops cleanly', async () => {
    const results: ScheduledResult[] = [];
    const scheduler = new CheckScheduler(async () => ({ ok: true, reason: 'fine' }), { intervalMs: 50, timeoutMs: 40, rise: 1, fall: 1, fastIntervalMs: 0 }, (r) =>
      results.push(r),
    );
    scheduler.start();
    await sleep(230);
    await scheduler.stop();
    const count = results.length;
    // Runs at 0, 50, 100, 150, 200 ms; timers that run late on a loaded machine may drop some.
    expect(count).toBeGreaterThanOrEqual(3);
    expect(count).toBeLessThanOrEqual(6);
    expect(results.every((r) => r.ok && r.latencyMs >= 0 && r.latencyMs < 40)).toBe(true);
    await sleep(120);
    expect(results.length).toBe(count);
  });

  it('a run past its timeout fails; one still busy at the next interval fails that interval too, never overlapping', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let started = 0;
    // Ignores its abort signal and takes 450 ms: the worst kind of custom check.
    const slow: CheckRunner = async () => {
      started++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await sleep(450);
      concurrent--;
      return { ok: true, reason: 'late' };
    };
    const results: ScheduledResult[] = [];
    const scheduler = new CheckScheduler(slow, { intervalMs: 100, timeoutMs: 50, rise: 1, fall: 1, fastIntervalMs: 0 }, (r) => results.push(r));
    scheduler.start();
    try {
      await waitFor('the second run', () => started === 2, { timeoutMs: 3000, intervalMs: 10 });
    } finally {
      await scheduler.stop();
    }
    expect(maxConcurrent).toBe(1);
    // 0 ms: run 1 starts, fails at 50 ms; 100, 200… ms: still busy; the first tick after 450 ms starts run 2.
    expect(results.map((r) => r.reason).slice(0, 3)).toEqual(['timeout after 50 ms', 'previous run still in progress', 'previous run still in progress']);
    expect(results.every((r) => !r.ok)).toBe(true);
  });

  it('an aborted runner gives its own account of the timeout', async () => {
    const results: ScheduledResult[] = [];
    const polite: CheckRunner = (signal) =>
      new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'waited for 3 replies' })));
    const scheduler = new CheckScheduler(polite, { intervalMs: 1000, timeoutMs: 30, rise: 1, fall: 1, fastIntervalMs: 0 }, (r) => results.push(r));
    scheduler.start();
    await waitFor('one result', () => results.length === 1, { timeoutMs: 1000, intervalMs: 10 });
    await scheduler.stop();
    expect(results[0]).toMatchObject({ ok: false, reason: 'timeout after 30 ms: waited for 3 replies' });
    expect(results[0]!.latencyMs).toBeGreaterThanOrEqual(29);
  });
});

describe('CheckScheduler.hurry', () => {
  it('brings the next run forward to the fast interval, then the interval resumes', async () => {
    const starts: number[] = [];
    const failing: CheckRunner = async () => {
      starts.push(performance.now());
      return { ok: false, reason: 'no answer' };
    };
    // As the announcer does while a healthy check fails less than `fall` times: hurry after the first two failures.
    let hurried = 0;
    const scheduler: CheckScheduler = new CheckScheduler(failing, { intervalMs: 1000, timeoutMs: 30, rise: 1, fall: 3, fastIntervalMs: 20 }, () => {
      if (hurried < 2) {
        hurried++;
        scheduler.hurry();
      }
    });
    scheduler.start();
    try {
      await waitFor('three runs', () => starts.length >= 3, { timeoutMs: 900, intervalMs: 10 });
      // The interval resumes: no fourth run before a whole interval after the third.
      await sleep(300);
      expect(starts.length).toBe(3);
      const gaps = [starts[1]! - starts[0]!, starts[2]! - starts[1]!];
      expect(gaps.every((g) => g >= 19 && g < 900), `gaps ${gaps.join(', ')} ms`).toBe(true);
    } finally {
      await scheduler.stop();
    }
  });
});

describe('LineSplitter', () => {
  it('joins lines across chunks, drops CR, caps long lines and flushes the tail', () => {
    const lines: string[] = [];
    const split = new LineSplitter((line) => lines.push(line), 8);
    split.push('one\ntw');
    split.push(Buffer.from('o\r\nthree'));
    expect(lines).toEqual(['one', 'two']);
    split.push('-and-more-than-eight');
    expect(lines).toEqual(['one', 'two', 'three-an']);
    split.push(' and still more\nfour\n');
    split.push('tail');
    split.flush();
    expect(lines).toEqual(['one', 'two', 'three-an', 'four', 'tail']);
  });
});
