// Supervises the SIP proxy as a child process: starts it in its own process
// group, forwards its output line by line, reports its exit the moment the
// 'exit' event fires, and restarts it with exponential backoff.
//
//   idle ──start()──▶ running ──exit──▶ waiting (100 ms, 200, 400 … 30 s)
//                       ▲                  │
//                       └──── respawn ─────┘
//   any ──stop()──▶ SIGTERM + SIGCONT to the group ──grace──▶ SIGKILL ──▶ stopped
//
// The delay goes back to its start once a child has stayed up stableAfterMs.

import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'eventemitter3';
import { LineSplitter, releaseGroup, signalGroup, trackGroup } from './process-group.js';
import type { ProcessCheckOptions } from './types.js';

export const DEFAULT_RESTART_DELAY_MS = 100;
export const DEFAULT_MAX_RESTART_DELAY_MS = 30_000;
export const DEFAULT_STABLE_AFTER_MS = 10_000;
export const DEFAULT_STOP_GRACE_MS = 5_000;

export interface SpawnInfo {
  pid: number;
  /** Epoch milliseconds. */
  at: number;
  /** How many times the child has been started before this one. */
  restarts: number;
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
}

export class ProcessSupervisor extends EventEmitter<SupervisorEvents> {
  private child: ChildProcess | undefined;
  private childExited: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private spawnedAt = 0;
  private starts = 0;
  private active = false;

  constructor(
    private opts: ProcessCheckOptions,
    /** Put in front of each output line, e.g. "[kamailio] ". */
    private readonly logPrefix: string,
  ) {
    super();
    this.delayMs = opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
  }

  /** The pid of the running child, if one is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** How many children have been started. */
  get startCount(): number {
    return this.starts;
  }

  /**
   * New restart and stop timings for the same command (a reconfiguration);
   * they apply from the next exit or stop. The running child is left alone.
   */
  retune(opts: ProcessCheckOptions): void {
    if (opts.restartDelayMs !== this.opts.restartDelayMs) this.delayMs = opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    this.opts = { ...this.opts, restartDelayMs: opts.restartDelayMs, maxRestartDelayMs: opts.maxRestartDelayMs, stableAfterMs: opts.stableAfterMs, stopGraceMs: opts.stopGraceMs };
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.spawnChild();
  }

  /** SIGTERM the group, SIGKILL it after the grace period; resolves once the child is gone. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    const exited = this.childExited;
    if (child === undefined || exited === undefined || child.pid === undefined) return;
    const pgid = child.pid;
    signalGroup(pgid, 'SIGTERM');
    // A stopped (SIGSTOP) process handles SIGTERM only once it runs again.
    signalGroup(pgid, 'SIGCONT');
    let grace: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => {
      grace = setTimeout(() => resolve('grace'), this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    });
    const first = await Promise.race([exited.then(() => 'exited' as const), graceOver]);
    clearTimeout(grace);
    if (first === 'grace') {
      signalGroup(pgid, 'SIGKILL');
      await exited;
    }
  }

  private spawnChild(): void {
    const [program, ...args] = this.opts.command as [string, ...string[]];
    const child = spawn(program, args, {
      cwd: this.opts.cwd,
      env: this.opts.env === undefined ? process.env : { ...process.env, ...this.opts.env },
      detached: true, // own process group: signals reach the proxy's workers too
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.spawnedAt = performance.now();
    const restarts = this.starts++;
    const pgid = child.pid;
    if (pgid !== undefined) trackGroup(pgid);

    const out = new LineSplitter((line) => this.emit('output', `${this.logPrefix}${line}`, 'stdout'));
    const err = new LineSplitter((line) => this.emit('output', `${this.logPrefix}${line}`, 'stderr'));
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdout?.on('end', () => out.flush());
    child.stderr?.on('end', () => err.flush());

    let resolveExited: () => void = () => undefined;
    this.childExited = new Promise<void>((resolve) => (resolveExited = resolve));
    let ended = false;
    const concludeChild = (code: number | null, signal: NodeJS.Signals | null, reason: string): void => {
      if (ended) return;
      ended = true;
      const hrAt = performance.now();
      const at = Date.now();
      const uptimeMs = hrAt - this.spawnedAt;
      if (uptimeMs >= (this.opts.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS)) {
        this.delayMs = this.opts.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
      }
      this.child = undefined;
      let restartInMs: number | undefined;
      if (this.active) {
        restartInMs = this.delayMs;
        this.delayMs = Math.min(this.delayMs * 2, this.opts.maxRestartDelayMs ?? DEFAULT_MAX_RESTART_DELAY_MS);
        this.restartTimer = setTimeout(() => {
          this.restartTimer = undefined;
          if (this.active) this.spawnChild();
        }, restartInMs);
      }
      resolveExited();
      try {
        this.emit('exit', { pid: pgid, code, signal, reason, at, hrAt, uptimeMs, restartInMs });
      } finally {
        // Workers the proxy forked must not outlive it (they would hold its
        // ports). Killed once the exit has been reported, so that the
        // withdrawal is on the wire before the kernel tears down a dozen
        // workers, which on a small machine competes for the CPU.
        if (pgid !== undefined) {
          signalGroup(pgid, 'SIGKILL');
          releaseGroup(pgid);
        }
      }
    };

    child.on('spawn', () => {
      if (pgid !== undefined) this.emit('spawn', { pid: pgid, at: Date.now(), restarts });
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
}
