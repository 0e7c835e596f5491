// Runs one check every interval, never two runs at once. A run that passes
// its timeout is aborted and counts as failed; if it is still busy at the
// next interval (a custom check ignoring its signal), that interval counts as
// failed too and no new run starts. hurry() brings the next run forward to
// the fast interval (a failure to confirm); the interval resumes from there.

import type { ResolvedTiming } from './options.js';
import type { CheckOutcome, CheckResult, CheckRunner } from './types.js';

export interface ScheduledResult extends CheckResult {
  /** performance.now() when the run started, to discard runs older than a reset. */
  startedAt: number;
}

/** Longest stop() waits for a run that ignores its abort signal. */
const STOP_WAIT_MS = 2000;

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs a runner and turns a throw or rejection into a failed outcome. */
async function runSafely(runner: CheckRunner, signal: AbortSignal): Promise<CheckOutcome> {
  try {
    return await runner(signal);
  } catch (err) {
    return { ok: false, reason: describeError(err) };
  }
}

export class CheckScheduler {
  private timer: NodeJS.Timeout | undefined;
  private controller: AbortController | undefined;
  private inflight: Promise<void> | undefined;
  private running = false;

  constructor(
    private readonly runner: CheckRunner,
    private readonly timing: ResolvedTiming,
    private readonly onResult: (result: ScheduledResult) => void,
  ) {}

  /** First run at once, then every intervalMs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** Abort a run in progress and wait (bounded) until it has cleaned up. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    const pending = this.inflight;
    if (pending === undefined) return;
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((resolve) => (guard = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(guard);
  }

  /** The next run after fastIntervalMs instead of at the next interval; called from a result handler. */
  hurry(): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // A timer, not a direct call: the run reporting now is still in flight until its promise settles.
    this.timer = setTimeout(() => this.tick(), this.timing.fastIntervalMs);
  }

  private tick(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => this.tick(), this.timing.intervalMs);
    if (this.inflight !== undefined) {
      const now = performance.now();
      this.onResult({ ok: false, reason: 'previous run still in progress', latencyMs: 0, at: Date.now(), startedAt: now });
      return;
    }
    this.launch();
  }

  private launch(): void {
    const controller = new AbortController();
    this.controller = controller;
    const startedAt = performance.now();
    const { timeoutMs } = this.timing;
    let reported = false;
    let timedOut = false;
    const report = (outcome: CheckOutcome): void => {
      if (reported) return;
      reported = true;
      clearTimeout(deadline);
      if (!this.running) return;
      const latencyMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
      this.onResult({ ok: outcome.ok, reason: outcome.reason, latencyMs, at: Date.now(), startedAt });
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      controller.abort();
      // A runner that honours the signal settles in a microtask with its own
      // account of what it saw; setImmediate runs after that.
      setImmediate(() => report({ ok: false, reason: `timeout after ${timeoutMs} ms` }));
    }, timeoutMs);
    const settled = runSafely(this.runner, controller.signal).then((outcome) => {
      report(timedOut ? { ok: false, reason: `timeout after ${timeoutMs} ms: ${outcome.reason}` } : outcome);
    });
    this.inflight = settled;
    void settled.then(() => {
      if (this.inflight === settled) this.inflight = undefined;
    });
  }
}
