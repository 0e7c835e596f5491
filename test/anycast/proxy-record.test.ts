// A proxy that outlives its supervisor: the record names exactly one process
// (pid, start time, command line), a supervisor adopts the recorded proxy
// instead of starting a second one, and a record that is stale (the process
// gone, its pid reused, another command) or corrupt is said in one log line
// and replaced, never a crash.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckEvent } from '../../src/anycast/announcer-api.js';
import { Announcer } from '../../src/anycast/announcer.js';
import { checkRecord, procInfo, readRecord, recordPaths, writeRecord, type ProxyRecord } from '../../src/anycast/proxy-record.js';
import { ProcessSupervisor, proxyIdentity, retireUnclaimed, type SpawnInfo } from '../../src/anycast/supervisor.js';
import type { Advertisement, ProcessCheckOptions } from '../../src/anycast/types.js';
import { parsePrefix } from '../../src/lib/ipv4.js';
import { freeUdpPort, PROXY_CODE } from './sip-responder.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { isAlive } from './wait.js';

let dir = '';
/** Processes a test started; killed after each test whatever happened. */
const started = new Set<number>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anycast-record-'));
});
afterEach(() => {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh directory per test, inside the suite's. */
function runDir(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

/** A `/bin/sleep SECONDS` in its own group, once it has exec()ed; its pid. */
async function sleeper(seconds = '30'): Promise<number> {
  const pid = spawn('/bin/sleep', [seconds], { detached: true, stdio: 'ignore' }).pid as number;
  started.add(pid);
  await waitFor('sleep has exec()ed', () => procInfo(pid)?.cmdline[0] === '/bin/sleep', { timeoutMs: 2000, intervalMs: 10 });
  return pid;
}

function recordOf(pid: number, command: string[]): ProxyRecord {
  const info = procInfo(pid);
  if (info === undefined) throw new Error(`process ${pid} is not running`);
  return { pid, pgid: pid, startTime: info.startTime, command, output: { stdout: '/nonexistent.out', stderr: '/nonexistent.err' }, startedAt: Date.now() };
}

describe('the proxy record', () => {
  it('names a running process by pid, start time and command line', async () => {
    const child = await sleeper();
    const path = join(runDir('alive'), 'proxy-x.json');
    writeRecord(path, recordOf(child, ['/bin/sleep', '30']));
    const found = readRecord(path);
    expect(found.kind).toBe('alive');
  });

  it('a reused pid (same number, another start time) is not the proxy', () => {
    // Our own pid stands for a process that took the proxy's number after its death.
    const record = { ...recordOf(process.pid, [...procInfo(process.pid)!.cmdline]), startTime: '1' };
    const found = checkRecord(record);
    expect(found).toMatchObject({ kind: 'stale' });
    expect(found.kind === 'stale' && found.reason).toMatch(new RegExp(`^pid ${process.pid} now belongs to another process \\(started at tick \\d+, the proxy at 1\\)$`));
  });

  it('a process running another command is not the proxy', async () => {
    const child = await sleeper();
    const found = checkRecord(recordOf(child, ['/usr/sbin/kamailio', '-DD']));
    expect(found.kind === 'stale' && found.reason).toBe(`process ${child} runs "/bin/sleep 30", not the recorded "/usr/sbin/kamailio -DD"`);
  });

  it('a process that has exited is gone', async () => {
    const child = spawn('/bin/true', [], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    const pid = child.pid as number;
    const record: ProxyRecord = { pid, pgid: pid, startTime: '5', command: ['/bin/true'], output: { stdout: 'a', stderr: 'b' }, startedAt: 0 };
    expect(checkRecord(record)).toEqual({ kind: 'stale', record, reason: `process ${pid} is gone` });
  });

  const corrupt: [string, string | undefined, RegExp][] = [
    ['empty', '', /is not JSON/],
    ['truncated JSON', '{"pid": 12', /is not JSON/],
    ['an array', '[1,2]', /is not a proxy record: not an object$/],
    ['a pid as text', '{"pid":"12","pgid":12,"startTime":"5","command":["x"],"output":{"stdout":"a","stderr":"b"},"startedAt":0}', /pid is not a process id$/],
    ['pid 1', '{"pid":1,"pgid":1,"startTime":"5","command":["x"],"output":{"stdout":"a","stderr":"b"},"startedAt":0}', /pid is not a process id$/],
    ['a start time as a number', '{"pid":12,"pgid":12,"startTime":5,"command":["x"],"output":{"stdout":"a","stderr":"b"},"startedAt":0}', /startTime is not a tick count$/],
    ['an empty command', '{"pid":12,"pgid":12,"startTime":"5","command":[],"output":{"stdout":"a","stderr":"b"},"startedAt":0}', /command is not a list of strings$/],
    ['no output', '{"pid":12,"pgid":12,"startTime":"5","command":["x"],"startedAt":0}', /output is not two paths$/],
    ['a directory', undefined, /^cannot read .*: EISDIR$/],
  ];
  for (const [what, text, reason] of corrupt) {
    it(`a record file holding ${what} is corrupt, with the reason, and nothing is thrown`, () => {
      const path = join(dir, `corrupt-${what.replace(/\W/g, '-')}.json`);
      if (text === undefined) mkdirSync(path);
      else writeFileSync(path, text);
      const found = readRecord(path);
      expect(found.kind).toBe('corrupt');
      expect(found.kind === 'corrupt' && found.reason).toMatch(reason);
      expect(found.kind === 'corrupt' && found.reason).toContain(path);
    });
  }

  it('no record file is no record', () => {
    expect(readRecord(join(dir, 'absent.json'))).toEqual({ kind: 'none' });
  });
});

/** A supervisor of the test SIP proxy, recorded in `directory`, with its events kept. */
function recordedSupervisor(directory: string, port: number): { sup: ProcessSupervisor; spawns: SpawnInfo[]; lines: string[]; logs: string[]; exits: string[] } {
  const opts: ProcessCheckOptions = { kind: 'process', command: [process.execPath, '-e', PROXY_CODE, String(port)], restartDelayMs: 100, stopGraceMs: 2000 };
  const sup = new ProcessSupervisor(opts, '[proxy] ', { directory, pollMs: 20 });
  const h = { sup, spawns: [] as SpawnInfo[], lines: [] as string[], logs: [] as string[], exits: [] as string[] };
  sup.on('spawn', (info) => {
    h.spawns.push(info);
    started.add(info.pid);
  });
  sup.on('output', (line) => h.lines.push(line));
  sup.on('log', (_level, message) => h.logs.push(message));
  sup.on('exit', (info) => h.exits.push(info.reason));
  return h;
}

describe('adopting a recorded proxy', () => {
  it('detach leaves the proxy running; the next supervisor adopts it, forwards its output, sees its death and restarts it', async () => {
    const directory = runDir('adopt');
    const port = await freeUdpPort();
    const first = recordedSupervisor(directory, port);
    first.sup.start();
    await waitFor('the first supervisor forwarded "listening"', () => first.lines.includes(`[proxy] listening on ${port}`), { timeoutMs: 5000, intervalMs: 10 });
    const pid = first.spawns[0]?.pid as number;
    await first.sup.detach();
    expect(isAlive(pid)).toBe(true);
    expect(readRecord(first.sup.recordPath as string).kind).toBe('alive');

    const second = recordedSupervisor(directory, port);
    second.sup.start();
    expect(second.spawns).toEqual([expect.objectContaining({ pid, adopted: true })]);
    expect(second.logs.at(-1)).toMatch(new RegExp(`^adopted the running proxy \\(pid ${pid}, started `));
    // Its output still reaches us, through the FIFO: SIGTERM makes it say "terminating" and exit.
    process.kill(pid, 'SIGTERM');
    await waitFor('the adopted proxy\'s exit seen by the /proc poll', () => second.exits.length === 1, { timeoutMs: 2000, intervalMs: 10 });
    expect(second.exits[0]).toBe('process is gone (adopted, exit status unknown)');
    await waitFor('its last line forwarded', () => second.lines.includes('[proxy] terminating'), { timeoutMs: 2000, intervalMs: 10 });
    await waitFor('a new proxy started', () => second.spawns.length === 2, { timeoutMs: 3000, intervalMs: 10 });
    expect(second.spawns[1]).toMatchObject({ adopted: false });
    expect(second.spawns[1]?.pid).not.toBe(pid);
    await second.sup.stop();
    expect(isAlive(second.spawns[1]?.pid as number)).toBe(false);
    // A stopped proxy leaves no record, nor FIFOs: the next supervisor starts afresh.
    expect(readRecord(second.sup.recordPath as string)).toEqual({ kind: 'none' });
    const fifos = recordPaths(directory, proxyIdentity({ kind: 'process', command: [process.execPath, '-e', PROXY_CODE, String(port)] }));
    expect([existsSync(fifos.stdout), existsSync(fifos.stderr)]).toEqual([false, false]);
  });

  it('a corrupt record is said once and replaced by a new proxy', async () => {
    const directory = runDir('corrupt');
    const port = await freeUdpPort();
    const h = recordedSupervisor(directory, port);
    writeFileSync(h.sup.recordPath as string, '{"pid": 4');
    h.sup.start();
    expect(h.logs).toEqual([expect.stringMatching(/^ignoring the proxy record: .*proxy-[0-9a-f]+\.json is not JSON: /)]);
    await waitFor('the new proxy recorded', () => readRecord(h.sup.recordPath as string).kind === 'alive', { timeoutMs: 5000, intervalMs: 10 });
    expect(h.spawns).toEqual([expect.objectContaining({ adopted: false })]);
    await h.sup.stop();
  });

  const bystanders: [string, (pid: number, port: number) => ProxyRecord, (pid: number) => string | RegExp][] = [
    [
      'a record whose pid another process now has',
      (pid, port) => ({ ...recordOf(pid, [process.execPath, '-e', PROXY_CODE, String(port)]), startTime: '7' }),
      (pid) => new RegExp(`^the proxy record names no running proxy of ours: pid ${pid} now belongs to another process \\(started at tick \\d+, the proxy at 7\\)$`),
    ],
    [
      'a record of another command',
      (pid) => recordOf(pid, ['/bin/sleep', '30']),
      () => 'the proxy record names no running proxy of ours: it is of another command ("/bin/sleep 30")',
    ],
  ];
  for (const [what, record, said] of bystanders) {
    it(`${what}: that process is left alone and a new proxy starts`, async () => {
      const port = await freeUdpPort();
      const h = recordedSupervisor(runDir(what.replace(/\W/g, '-')), port);
      const bystander = await sleeper();
      writeRecord(h.sup.recordPath as string, record(bystander, port));
      h.sup.start();
      expect(h.logs[0]).toMatch(said(bystander));
      await waitFor('a new proxy started', () => h.spawns.length === 1, { timeoutMs: 5000, intervalMs: 10 });
      expect(h.spawns[0]).toMatchObject({ adopted: false });
      await sleep(100);
      expect(isAlive(bystander)).toBe(true);
      await h.sup.stop();
    });
  }

  /** A supervisor of `/bin/sleep 30` with the proxy's own pidfile, recorded in a fresh directory. */
  const sleepSupervisor = (name: string, pidfile: string): { sup: ProcessSupervisor; spawns: SpawnInfo[]; logs: string[] } => {
    const sup = new ProcessSupervisor({ kind: 'process', command: ['/bin/sleep', '30'], pidfile, stopGraceMs: 1000 }, '[sleep] ', { directory: runDir(name), pollMs: 20 });
    const h = { sup, spawns: [] as SpawnInfo[], logs: [] as string[] };
    sup.on('spawn', (info) => {
      h.spawns.push(info);
      started.add(info.pid);
    });
    sup.on('log', (_level, message) => h.logs.push(message));
    return h;
  };

  it('without a record, the proxy its own pidfile names is adopted when it runs the command, and recorded', async () => {
    const proxy = await sleeper();
    const pidfile = join(dir, 'adopt-by-pidfile.pid');
    writeFileSync(pidfile, `${proxy}\n`);
    const h = sleepSupervisor('pidfile', pidfile);
    h.sup.start();
    expect(h.spawns).toEqual([expect.objectContaining({ pid: proxy, adopted: true })]);
    expect(h.logs).toEqual([expect.stringMatching(new RegExp(`^adopted the running proxy \\(pid ${proxy}, started .* named by ${pidfile}; its output is not ours to log\\)$`))]);
    expect(readRecord(h.sup.recordPath as string)).toMatchObject({ kind: 'alive', record: { pid: proxy, pgid: proxy } });
    await h.sup.stop();
    expect(isAlive(proxy)).toBe(false);
  });

  it('a pidfile naming another program, or holding no pid, is said once and a new proxy starts', async () => {
    const other = await sleeper('31');
    const wrong = join(dir, 'wrong-program.pid');
    writeFileSync(wrong, String(other));
    const a = sleepSupervisor('pidfile-other', wrong);
    a.sup.start();
    expect(a.logs[0]).toBe(`the pidfile ${wrong} names no running proxy of ours: process ${other} runs "/bin/sleep 31", not the recorded "/bin/sleep 30"`);
    await waitFor('a new proxy started', () => a.spawns.length === 1, { timeoutMs: 2000, intervalMs: 10 });
    expect(a.spawns[0]).toMatchObject({ adopted: false });
    expect(isAlive(other)).toBe(true);
    await a.sup.stop();

    const garbage = join(dir, 'garbage.pid');
    writeFileSync(garbage, 'kamailio\n');
    const b = sleepSupervisor('pidfile-garbage', garbage);
    b.sup.start();
    expect(b.logs[0]).toBe(`ignoring the pidfile ${garbage}: the pidfile ${garbage} holds no process id: "kamailio\\n"`);
    await waitFor('a new proxy started', () => b.spawns.length === 1, { timeoutMs: 2000, intervalMs: 10 });
    await b.sup.stop();
  });

  it('a recorded proxy that no configured one claims is stopped', async () => {
    const directory = runDir('unclaimed');
    const child = await sleeper();
    const path = recordPaths(directory, proxyIdentity({ kind: 'process', command: ['/bin/sleep', '30'] })).record;
    writeRecord(path, recordOf(child, ['/bin/sleep', '30']));
    const said = await retireUnclaimed(directory, new Set(), 2000);
    expect(said).toEqual([`stopping a proxy left running by an earlier daemon that this one does not adopt (pid ${child}: /bin/sleep 30)`]);
    await waitFor('the unclaimed proxy gone', () => !isAlive(child), { timeoutMs: 2000, intervalMs: 10 });
    expect(existsSync(path)).toBe(false);
  });
});

describe('the announcer across a restart', () => {
  it('a proxy under stopOnExit left by a crashed daemon is stopped, not adopted, and the new one stops with the announcer', async () => {
    const directory = runDir('stop-on-exit');
    const leftover = await sleeper();
    const command = ['/bin/sleep', '30'];
    writeRecord(recordPaths(directory, proxyIdentity({ kind: 'process', command })).record, recordOf(leftover, command));
    const logs: string[] = [];
    const announcer = new Announcer({
      recordDirectory: directory,
      prefixes: [{ prefix: parsePrefix('10.206.206.1/32'), checks: [{ kind: 'process', name: 'proxy', command, stopOnExit: true, stopGraceMs: 1000 }] }],
      advertise: () => undefined,
      log: (entry) => logs.push(entry.message),
    });
    announcer.on('process', (e) => e.pid !== undefined && started.add(e.pid));
    await announcer.start();
    expect(logs).toContain(`stopping a proxy left running by an earlier daemon that this one does not adopt (pid ${leftover}: /bin/sleep 30)`);
    expect(isAlive(leftover)).toBe(false);
    const pid = announcer.status()[0]?.checks[0]?.process?.pid as number;
    expect(pid).not.toBe(leftover);
    await announcer.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it('a second announcer adopts the proxy and announces after its first passing probe, not after rise', async () => {
    const directory = runDir('announcer');
    const port = await freeUdpPort();
    const make = (): { announcer: Announcer; ads: Advertisement[]; checks: CheckEvent[] } => {
      const ads: Advertisement[] = [];
      const checks: CheckEvent[] = [];
      const announcer = new Announcer({
        recordDirectory: directory,
        prefixes: [
          {
            prefix: parsePrefix('10.206.206.1/32'),
            minIntervalMs: 100,
            checks: [
              { kind: 'process', name: 'proxy', command: [process.execPath, '-e', PROXY_CODE, String(port)], stopGraceMs: 2000 },
              { kind: 'sip-options', host: '127.0.0.1', port, intervalMs: 100, timeoutMs: 80, rise: 4, fall: 2 },
            ],
          },
        ],
        advertise: (ad) => ads.push(ad),
      });
      announcer.on('check', (e) => checks.push(e));
      announcer.on('process', (e) => e.pid !== undefined && started.add(e.pid));
      return { announcer, ads, checks };
    };
    const first = make();
    await first.announcer.start();
    await waitFor('first announcer announcing', () => first.ads.some((a) => a.mode === 'announce'), { timeoutMs: 10_000, intervalMs: 10 });
    const pid = first.announcer.status()[0]?.checks[0]?.process?.pid as number;
    // As before this change, a freshly started proxy needs rise (4) passes.
    expect(first.checks.filter((c) => c.result.ok).length).toBeGreaterThanOrEqual(4);
    await first.announcer.stop();
    expect(isAlive(pid)).toBe(true);

    const second = make();
    await second.announcer.start();
    await waitFor('second announcer announcing', () => second.ads.some((a) => a.mode === 'announce'), { timeoutMs: 5000, intervalMs: 10 });
    expect(second.announcer.status()[0]?.checks[0]?.process?.pid).toBe(pid);
    expect(second.checks.filter((c) => c.result.ok)).toHaveLength(1);
    await second.announcer.stop({ stopProxies: true });
    expect(isAlive(pid)).toBe(false);
    expect(readRecord(recordPaths(directory, proxyIdentity({ kind: 'process', command: [process.execPath, '-e', PROXY_CODE, String(port)] })).record)).toEqual({ kind: 'none' });
  });
});
