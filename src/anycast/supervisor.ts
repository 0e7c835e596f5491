// Supervises the SIP proxy as a child process: starts it in its own session
// and process group, forwards its output line by line, reports its exit the
// moment the 'exit' event fires, and restarts it with exponential backoff.
//
//   idle ──start()──▶ running ──exit──▶ waiting (100 ms, 200, 400 … 30 s)
//     │                 ▲  ▲               │
//     │                 │  └── respawn ────┘
//     └──record alive───┘ (adopted: exit seen by polling /proc)
//   any ──stop()──▶ SIGTERM + SIGCONT to the group ──grace──▶ SIGKILL ──▶ stopped
//   running ──detach()──▶ left running, recorded for the next supervisor
//
// The delay goes back to its start once a child has stayed up stableAfterMs.
//
// With a record directory the proxy outlives the daemon: it is recorded
// (proxy-record.ts), its output goes through FIFOs in that directory rather
// than pipes that would break with the daemon, and it is not killed when the
// daemon exits. The next supervisor adopts it. An adopted proxy is not our
// child, so no 'exit' event reports its end: Node has no pidfd, and
// waitpid() works only for children, so its /proc entry is polled (pid and
// start time, which also catches a reused pid), every 100 ms by default.

import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { sameStrings } from './compare.js';
import { LineSplitter, releaseGroup, signalGroup, trackGroup } from './process-group.js';
import { procInfo, readPidfile, readRecord, recordPaths, removeRecord, writeRecord, type ProxyRecord, type RecordLookup } from './proxy-record.js';
import type { ProcessCheckOptions } from './types.js';

export const DEFAULT_RESTART_DELAY_MS = 100;
export const DEFAULT_MAX_RESTART_DELAY_MS = 30_000;
export const DEFAULT_STABLE_AFTER_MS = 10_000;
export const DEFAULT_STOP_GRACE_MS = 5_000;
/** How often an adopted proxy's /proc entry is looked at: the longest its death goes unnoticed. */
export const DEFAULT_ADOPTED_POLL_MS = 100;

export interface SpawnInfo {
  pid: number;
  /** Epoch milliseconds. */
  at: number;
  /** How many times the child has been started before this one. */
  restarts: number;
  /** A proxy left running by an earlier supervisor (a daemon restart), not started now. */
  adopted: boolean;
}

export interface ExitInfo {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** "process exited with code 1", "process killed by signal SIGKILL", "cannot start: ENOENT". */
  reason: string;
  /** Epoch milliseconds, taken in the 'exit' handler. */
  at: number;
  /** performance.now() in the 'exit' handler, for latency measurements. */
  hrAt: number;
  uptimeMs: number;
  /** Delay before the next start; undefined when stopping. */
  restartInMs: number | undefined;
}

export interface SupervisorEvents {
  spawn: (info: SpawnInfo) => void;
  exit: (info: ExitInfo) => void;
  /** One line of the child's output, already carrying the log prefix. */
  output: (line: string, stream: 'stdout' | 'stderr') => void;
  /** What the supervisor did about a record: adopted, stale, unreadable. */
  log: (level: 'info' | 'warn', message: string) => void;
}

/** Where a supervisor keeps the record of a proxy that is to outlive the daemon. */
export interface RecordOptions {
  directory: string;
  /**
   * false: the proxy lives and dies with us (`proxy stop-on-exit`); it is
   * recorded all the same, so that after a crash of ours the next daemon
   * stops it instead of starting a second one beside it. Default true.
   */
  outlive?: boolean;
  /** Default DEFAULT_ADOPTED_POLL_MS. */
  pollMs?: number;
}

/** The proxy being supervised, started by us or adopted. */
interface Running {
  pid: number;
  /** Its process group; signals go to the whole group only when the proxy leads it. */
  pgid: number;
  /** Our child; undefined for an adopted proxy. */
  child: ChildProcess | undefined;
  exited: Promise<void>;
  /** Readers of the output FIFOs. */
  readers: Socket[];
  /** For an adopted proxy: the /proc poll. */
  poll: NodeJS.Timeout | undefined;
  /** No longer ours: its exit is not reported and its group not killed. */
  detached: boolean;
}

/** What identifies a proxy across daemons: its command, directory and environment. */
export function proxyIdentity(opts: ProcessCheckOptions): string {
  return JSON.stringify([opts.command, opts.cwd ?? null, Object.entries(opts.env ?? {}).sort()]);
}

/** Signal a proxy: its whole group when it leads one (ours always do), else the process alone. */
function signalProxy(pid: number, pgid: number, signal: NodeJS.Signals): void {
  if (pid === pgid) {
    signalGroup(pgid, signal);
    return;
  }
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export class ProcessSupervisor extends EventEmitter<SupervisorEvents> {
  private current: Running | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private spawnedAt = 0;
  private starts = 0;
  private active = false;
  private readonly paths: ReturnType<typeof recordPaths> | undefined;
  /** The proxy is meant to outlive us: FIFOs for its output, no exit hook, detach() leaves it, start() adopts it. */
  readonly outlives: boolean;

  constructor(
    private opts: ProcessCheckOptions,
    /** Put in front of each output line, e.g. "[kamailio] ". */
    private readonly logPrefix: string,
    /** Record the proxy there so that it outlives this supervisor; without, it lives and dies with us. */
    private readonly record?: RecordOptions,
  ) {
    super();
    this.delayMs = opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    this.paths = record === undefined ? undefined : recordPaths(record.directory, proxyIdentity(opts));
    this.outlives = record !== undefined && record.outlive !== false;
  }

  /** The pid of the running child, if one is running. */
  get pid(): number | undefined {
    return this.current?.pid || undefined;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** How many children have been started. */
  get startCount(): number {
    return this.starts;
  }

  /** The record file, when the proxy is recorded. */
  get recordPath(): string | undefined {
    return this.paths?.record;
  }

  /**
   * New restart and stop timings for the same command (a reconfiguration);
   * they apply from the next exit or stop. The running child is left alone.
   */
  retune(opts: ProcessCheckOptions): void {
    if (opts.restartDelayMs !== this.opts.restartDelayMs) this.delayMs = opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    this.opts = { ...this.opts, restartDelayMs: opts.restartDelayMs, maxRestartDelayMs: opts.maxRestartDelayMs, stableAfterMs: opts.stableAfterMs, stopGraceMs: opts.stopGraceMs };
  }

  /** Adopt the recorded proxy when it still runs, otherwise start one. */
  start(): void {
    if (this.active) return;
    this.active = true;
    if (this.current === undefined && this.restartTimer === undefined && !this.adoptRecorded()) this.spawnChild();
  }

  /** SIGTERM the group, SIGKILL it after the grace period; resolves once the child is gone. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const running = this.current;
    if (running === undefined) return;
    // 0: a child that could not be started; its 'error' is on its way.
    if (running.pid === 0) return running.exited;
    signalProxy(running.pid, running.pgid, 'SIGTERM');
    // A stopped (SIGSTOP) process handles SIGTERM only once it runs again.
    signalProxy(running.pid, running.pgid, 'SIGCONT');
    let grace: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => {
      grace = setTimeout(() => resolve('grace'), this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    });
    const first = await Promise.race([running.exited.then(() => 'exited' as const), graceOver]);
    clearTimeout(grace);
    if (first === 'grace') {
      signalProxy(running.pid, running.pgid, 'SIGKILL');
      await running.exited;
    }
  }

  /**
   * Leave the proxy running and recorded for the next supervisor (the daemon
   * restarting): no signal, no more supervision. Without a record directory
   * this is stop().
   */
  async detach(): Promise<void> {
    if (this.paths === undefined || !this.outlives) return this.stop();
    this.active = false;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const running = this.current;
    if (running === undefined) return;
    running.detached = true;
    this.current = undefined;
    if (running.poll !== undefined) clearInterval(running.poll);
    for (const reader of running.readers) reader.destroy();
    running.child?.unref();
    this.emit('log', 'info', `left running for the next daemon (pid ${running.pid}, recorded in ${this.paths.record})`);
  }

  /**
   * Adopts the proxy of a valid record whose process still runs, or else
   * the one its own pidfile names (when configured); says why not otherwise.
   */
  private adoptRecorded(): boolean {
    const paths = this.paths;
    if (paths === undefined || !this.outlives) return false;
    let found = readRecord(paths.record);
    // The file name comes from the command; a record of another command was not written by us.
    if (found.kind === 'alive' && !sameStrings(found.record.command, this.opts.command)) {
      found = { kind: 'stale', record: found.record, reason: `it is of another command ("${found.record.command.join(' ')}")` };
    }
    if (this.usable(found, 'the proxy record', paths.record)) {
      this.adopt(found.record, '');
      return true;
    }
    const pidfile = this.opts.pidfile;
    if (pidfile === undefined) return false;
    const named = readPidfile(pidfile, this.opts.command, { stdout: paths.stdout, stderr: paths.stderr });
    if (!this.usable(named, `the pidfile ${pidfile}`, undefined)) return false;
    this.adopt(named.record, ` named by ${pidfile}; its output is not ours to log`);
    this.recordChild(named.record.pid, named.record.pgid);
    return true;
  }

  /** Whether a lookup found a running proxy; logs why not, and removes a record file that is of no use. */
  private usable(found: RecordLookup, what: string, file: string | undefined): found is Extract<RecordLookup, { kind: 'alive' }> {
    switch (found.kind) {
      case 'none':
        return false;
      case 'corrupt':
        this.emit('log', 'warn', `ignoring ${what}: ${found.reason}`);
        if (file !== undefined) removeRecord(file);
        return false;
      case 'stale':
        this.emit('log', 'info', `${what} names no running proxy of ours: ${found.reason}`);
        if (file !== undefined) removeRecord(file);
        return false;
      case 'alive':
        return true;
    }
  }

  private adopt(record: ProxyRecord, how: string): void {
    const pid = record.pid;
    let resolveExited: () => void = () => undefined;
    const running: Running = {
      pid,
      pgid: record.pgid,
      child: undefined,
      exited: new Promise<void>((resolve) => (resolveExited = resolve)),
      readers: this.readOutput(record.output),
      poll: undefined,
      detached: false,
    };
    this.current = running;
    // Its uptime for the backoff counts from now: what it did before is not known to be stable.
    this.spawnedAt = performance.now();
    const restarts = this.starts++;
    const conclude = (): void => {
      if (running.poll !== undefined) clearInterval(running.poll);
      running.poll = undefined;
      resolveExited();
      // Not our child: its exit status went to whoever reaped it.
      this.concluded(running, null, null, 'process is gone (adopted, exit status unknown)');
    };
    running.poll = setInterval(() => {
      const now = procInfo(pid);
      if (now === undefined || now.startTime !== record.startTime) conclude();
    }, this.record?.pollMs ?? DEFAULT_ADOPTED_POLL_MS);
    this.emit('log', 'info', `adopted the running proxy (pid ${pid}, started ${new Date(record.startedAt).toISOString()}${how})`);
    this.emit('spawn', { pid, at: Date.now(), restarts, adopted: true });
  }

  /**
   * The FIFOs a recorded proxy writes to, made anew: opened read-write and
   * non-blocking on the proxy's side, so that its writes neither fail
   * (no reader) nor block (a full FIFO) while no daemon reads them; lines
   * written then are dropped once 64 KiB are waiting.
   */
  private outputFifos(): { stdio: StdioOptions; fds: number[] } {
    const paths = this.paths as NonNullable<typeof this.paths>;
    const fds: number[] = [];
    try {
      for (const path of [paths.stdout, paths.stderr]) {
        rmSync(path, { force: true });
        const made = spawnSync('mkfifo', ['-m', '0600', path], { encoding: 'utf8' });
        if (made.error !== undefined || made.status !== 0) throw new Error(made.error?.message ?? made.stderr.trim());
        fds.push(openSync(path, constants.O_RDWR | constants.O_NONBLOCK));
      }
      return { stdio: ['ignore', fds[0] as number, fds[1] as number], fds };
    } catch (err) {
      for (const fd of fds) closeSync(fd);
      this.emit('log', 'warn', `cannot make the output FIFOs in ${this.record?.directory ?? ''} (${err instanceof Error ? err.message : String(err)}): the proxy's output is not logged`);
      return { stdio: 'ignore', fds: [] };
    }
  }

  /**
   * Forward each FIFO's lines as 'output'. Opened once the proxy holds the
   * FIFOs: the reader sees end-of-file when the proxy and everything it
   * forked are gone, after their last lines.
   */
  private readOutput(output: ProxyRecord['output']): Socket[] {
    const readers: Socket[] = [];
    for (const [stream, path] of [['stdout', output.stdout], ['stderr', output.stderr]] as const) {
      let fd: number;
      try {
        fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      } catch {
        continue; // no FIFO (its creation failed): the proxy's output goes nowhere
      }
      const lines = new LineSplitter((line) => this.emit('output', `${this.logPrefix}${line}`, stream));
      const reader = new Socket({ fd, readable: true, writable: false });
      reader.on('data', (chunk: Buffer) => lines.push(chunk));
      reader.on('error', () => reader.destroy());
      reader.on('close', () => lines.flush());
      readers.push(reader);
    }
    return readers;
  }

  private spawnChild(): void {
    const [program, ...args] = this.opts.command as [string, ...string[]];
    const fifos = this.outlives ? this.outputFifos() : undefined;
    const child = spawn(program, args, {
      cwd: this.opts.cwd,
      env: this.opts.env === undefined ? process.env : { ...process.env, ...this.opts.env },
      // Own session and process group: signals reach the proxy's workers too, and
      // the terminal's or the daemon's end does not reach the proxy.
      detached: true,
      stdio: fifos?.stdio ?? ['ignore', 'pipe', 'pipe'],
    });
    for (const fd of fifos?.fds ?? []) closeSync(fd);
    let resolveExited: () => void = () => undefined;
    const running: Running = {
      pid: child.pid ?? 0,
      pgid: child.pid ?? 0,
      child,
      exited: new Promise<void>((resolve) => (resolveExited = resolve)),
      readers: [],
      poll: undefined,
      detached: false,
    };
    this.current = running;
    this.spawnedAt = performance.now();
    const restarts = this.starts++;
    const pgid = child.pid;
    // A recorded proxy is meant to outlive us: it is not killed when this process exits.
    if (pgid !== undefined && !this.outlives) trackGroup(pgid);

    if (this.paths !== undefined && fifos?.fds.length === 2) {
      running.readers = this.readOutput({ stdout: this.paths.stdout, stderr: this.paths.stderr });
    } else {
      const out = new LineSplitter((line) => this.emit('output', `${this.logPrefix}${line}`, 'stdout'));
      const err = new LineSplitter((line) => this.emit('output', `${this.logPrefix}${line}`, 'stderr'));
      child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
      child.stdout?.on('end', () => out.flush());
      child.stderr?.on('end', () => err.flush());
    }

    let ended = false;
    const concludeChild = (code: number | null, signal: NodeJS.Signals | null, reason: string): void => {
      if (ended) return;
      ended = true;
      resolveExited();
      if (pgid === undefined) running.pid = 0;
      this.concluded(running, code, signal, reason);
    };

    child.on('spawn', () => {
      if (pgid === undefined || running.detached) return;
      this.recordChild(pgid, pgid);
      this.emit('spawn', { pid: pgid, at: Date.now(), restarts, adopted: false });
    });
    // The 'exit' event, not a poll: the prefix is withdrawn in the same turn of the event loop.
    child.on('exit', (code, signal) => {
      concludeChild(code, signal, code !== null ? `process exited with code ${code}` : `process killed by signal ${signal ?? 'unknown'}`);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Without a pid the child never started; otherwise 'exit' reports the end.
      if (child.pid === undefined) concludeChild(null, null, `cannot start ${program}: ${e.code ?? e.message}`);
    });
  }

  /** Writes the record of a proxy: one just started (its start time is fixed from the fork on), or one adopted through its pidfile. */
  private recordChild(pid: number, pgid: number): void {
    const paths = this.paths;
    if (paths === undefined) return;
    const info = procInfo(pid);
    if (info === undefined) return; // already gone: 'exit' follows
    try {
      writeRecord(paths.record, {
        pid,
        pgid,
        startTime: info.startTime,
        command: [...this.opts.command],
        output: { stdout: paths.stdout, stderr: paths.stderr },
        startedAt: Date.now(),
      });
    } catch (err) {
      this.emit('log', 'warn', `cannot record the proxy in ${paths.record} (${err instanceof Error ? err.message : String(err)}): a daemon restart will start a new one`);
    }
  }

  /** The proxy (our child or adopted) is gone: report it, restart it, kill what it left behind. */
  private concluded(running: Running, code: number | null, signal: NodeJS.Signals | null, reason: string): void {
    // A proxy handed to the next daemon is no longer ours to report or to clean up after.
    if (running.detached) return;
    const hrAt = performance.now();
    const at = Date.now();
    const uptimeMs = hrAt - this.spawnedAt;
    if (uptimeMs >= (this.opts.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS)) {
      this.delayMs = this.opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    }
    if (this.current === running) this.current = undefined;
    if (this.paths !== undefined) {
      removeRecord(this.paths.record);
      // Stopped for good: its FIFOs go too (a restart makes new ones).
      if (!this.active) for (const fifo of [this.paths.stdout, this.paths.stderr]) rmSync(fifo, { force: true });
    }
    let restartInMs: number | undefined;
    if (this.active) {
      restartInMs = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, this.opts.maxRestartDelayMs ?? DEFAULT_MAX_RESTART_DELAY_MS);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.active) this.spawnChild();
      }, restartInMs);
    }
    const pid = running.pid === 0 ? undefined : running.pid;
    try {
      this.emit('exit', { pid, code, signal, reason, at, hrAt, uptimeMs, restartInMs });
    } finally {
      // Workers the proxy forked must not outlive it (they would hold its
      // ports). Killed once the exit has been reported, so that the
      // withdrawal is on the wire before the kernel tears down a dozen
      // workers, which on a small machine competes for the CPU. Only a
      // group the proxy led is ours to kill.
      if (pid !== undefined && pid === running.pgid) {
        signalGroup(pid, 'SIGKILL');
        releaseGroup(pid);
      }
    }
  }
}

/**
 * Proxies recorded in `directory` that no supervisor of ours adopts (the
 * configuration changed while the daemon was down, or the proxy was to stop
 * with a daemon that crashed): stopped, as a reload stops a proxy that is no
 * longer configured (SIGTERM and SIGCONT to the group; SIGKILL after
 * `graceMs` if still there), their records removed. Returns one line per
 * record for the log.
 */
export async function retireUnclaimed(directory: string, claimed: ReadonlySet<string>, graceMs = DEFAULT_STOP_GRACE_MS): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(directory).filter((n) => /^proxy-[0-9a-f]+\.json$/.test(n));
  } catch {
    return [];
  }
  const said: string[] = [];
  const stopping: ProxyRecord[] = [];
  for (const name of names) {
    const path = join(directory, name);
    if (claimed.has(path)) continue;
    const found = readRecord(path);
    if (found.kind === 'alive') {
      stopping.push(found.record);
      signalProxy(found.record.pid, found.record.pgid, 'SIGTERM');
      signalProxy(found.record.pid, found.record.pgid, 'SIGCONT');
      said.push(`stopping a proxy left running by an earlier daemon that this one does not adopt (pid ${found.record.pid}: ${found.record.command.join(' ')})`);
    } else if (found.kind === 'corrupt') said.push(`removing ${found.reason}`);
    removeRecord(path);
    rmSync(path.replace(/\.json$/, '.out'), { force: true });
    rmSync(path.replace(/\.json$/, '.err'), { force: true });
  }
  const deadline = performance.now() + graceMs;
  while (stopping.some((r) => procInfo(r.pid)?.startTime === r.startTime) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const r of stopping) if (procInfo(r.pid)?.startTime === r.startTime) signalProxy(r.pid, r.pgid, 'SIGKILL');
  return said;
}
