// The announcer's live records of its prefixes, checks and proxies, how a
// check's result becomes its verdict and reason, how drains wait for the
// withdrawal, and what `show anycast` shows of it all.

import type { PrefixAdvertisement } from '../core/api.js';
import { DrainCancelledError, DrainTimeoutError } from './errors.js';
import type { PrefixMachine } from './machine.js';
import type { MaintenanceFileWatcher } from './maintenance.js';
import type { ResolvedCheck, ResolvedPrefix } from './options.js';
import { RiseFall, type Verdict } from './rise-fall.js';
import type { CheckScheduler, ScheduledResult } from './scheduler.js';
import type { ProcessSupervisor } from './supervisor.js';
import type { CheckOptions, CheckResult, CheckRunner, PrefixStatus, ProcessCheckOptions, ProcessStatus } from './types.js';

export interface CheckRuntime {
  resolved: ResolvedCheck;
  /** Undefined for the process check, which has no rise/fall. */
  riseFall: RiseFall | undefined;
  scheduler: CheckScheduler | undefined;
  healthy: boolean;
  reason: string;
  last: CheckResult | undefined;
  /** performance.now() of the last reset; results of runs started before it are stale. */
  resetAt: number;
  /** For the process check. */
  process: ProcessStatus | undefined;
}

export interface DrainWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface PrefixRuntime {
  resolved: ResolvedPrefix;
  machine: PrefixMachine;
  checks: Map<string, CheckRuntime>;
  pacing: NodeJS.Timeout | undefined;
  maintenance: MaintenanceFileWatcher | undefined;
  /** The advertisement acknowledged by the daemon for the current advertised mode, if any. */
  acknowledged: PrefixAdvertisement | undefined;
  waiters: DrainWaiter[];
  addressPresent: boolean;
  /** Serialises address changes and the advertisements that depend on them. */
  addressChain: Promise<void>;
}

export interface SupervisedProcess {
  supervisor: ProcessSupervisor;
  users: { rt: PrefixRuntime; check: CheckRuntime }[];
}

/**
 * The runner of a polled check (the process check is supervised instead).
 * Each kind's module, with the Node modules it needs (HTTP and TLS, UDP,
 * child processes), is loaded at the first run of a check of that kind, so
 * a node pays in memory only for the kinds its configuration uses.
 */
export function runnerFor(check: Exclude<CheckOptions, ProcessCheckOptions>): CheckRunner {
  switch (check.kind) {
    case 'sip-options':
      return loadedOnFirstRun(async () => (await import('./checks/sip-options.js')).sipOptionsRunner(check));
    case 'tcp':
      return loadedOnFirstRun(async () => (await import('./checks/tcp.js')).tcpRunner(check));
    case 'http':
      return loadedOnFirstRun(async () => (await import('./checks/http.js')).httpRunner(check));
    case 'exec':
      return loadedOnFirstRun(async () => (await import('./checks/exec.js')).execRunner(check));
    case 'custom':
      return loadedOnFirstRun(async () => (await import('./checks/custom.js')).customRunner(check));
  }
}

function loadedOnFirstRun(load: () => Promise<CheckRunner>): CheckRunner {
  let runner: Promise<CheckRunner> | undefined;
  return async (signal) => (await (runner ??= load()))(signal);
}

/** A check that has not passed yet. */
export function newCheckRuntime(check: ResolvedCheck, now: number): CheckRuntime {
  return {
    resolved: check,
    riseFall: check.timing === undefined ? undefined : new RiseFall(check.timing.rise, check.timing.fall),
    scheduler: undefined,
    healthy: false,
    reason: 'has not passed yet',
    last: undefined,
    resetAt: 0,
    process: check.options.kind === 'process' ? { starts: 0, since: now } : undefined,
  };
}

/** A reconfigured check takes over the verdict of the one it replaces; changed rise/fall counts start from that verdict. */
export function carryVerdict(cr: CheckRuntime, before: CheckRuntime): void {
  const timing = cr.resolved.timing;
  cr.riseFall =
    before.riseFall === undefined || timing === undefined || (before.riseFall.rise === timing.rise && before.riseFall.fall === timing.fall)
      ? before.riseFall
      : new RiseFall(timing.rise, timing.fall, before.riseFall.healthy);
  cr.healthy = before.healthy;
  cr.reason = before.reason;
  cr.last = before.last;
  cr.resetAt = before.resetAt;
  if (before.process !== undefined) cr.process = before.process;
}

/**
 * Counts one run's result towards the check's rise/fall and updates its
 * verdict and reason; undefined for the result of a run started before the
 * last reset (or of a check without rise/fall).
 */
export function recordResult(cr: CheckRuntime, scheduled: ScheduledResult): { result: CheckResult; verdict: Verdict } | undefined {
  if (scheduled.startedAt < cr.resetAt || cr.riseFall === undefined) return undefined;
  const result: CheckResult = { ok: scheduled.ok, reason: scheduled.reason, latencyMs: scheduled.latencyMs, at: scheduled.at };
  cr.last = result;
  const verdict = cr.riseFall.record(result.ok);
  cr.healthy = verdict.healthy;
  if (verdict.healthy) {
    cr.reason = result.ok ? result.reason : `failing (${cr.riseFall.consecutiveFailures}/${cr.riseFall.fall}): ${result.reason}`;
  } else {
    cr.reason = result.ok ? `rising (${cr.riseFall.consecutiveSuccesses}/${cr.riseFall.rise}): ${result.reason}` : result.reason;
  }
  return { result, verdict };
}

/** One prefix as `show anycast` prints it. */
export function prefixStatus(rt: PrefixRuntime): PrefixStatus {
  const view = rt.machine.view();
  const status: PrefixStatus = {
    prefix: rt.resolved.key,
    interface: rt.resolved.interface,
    state: view.state,
    since: view.since,
    reason: view.reason,
    drainedBy: view.drainedBy,
    advertised: view.advertised,
    checks: [...rt.checks.values()].map((c) => {
      const entry: PrefixStatus['checks'][number] = {
        name: c.resolved.name,
        kind: c.resolved.options.kind,
        healthy: c.healthy,
        reason: c.reason,
        consecutiveSuccesses: c.riseFall?.consecutiveSuccesses ?? 0,
        consecutiveFailures: c.riseFall?.consecutiveFailures ?? 0,
      };
      if (c.last !== undefined) entry.last = { ...c.last };
      if (c.process !== undefined) entry.process = { ...c.process };
      return entry;
    }),
  };
  if (view.failingCheck !== undefined) status.failingCheck = view.failingCheck;
  if (view.pending !== undefined) status.pending = view.pending;
  return status;
}

/** A drain's promise: settled by releaseWaiters or cancelWaiters, or rejected with DrainTimeoutError after timeoutMs. */
export function waitForWithdrawal(rt: PrefixRuntime, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const waiter: DrainWaiter = {
      resolve,
      reject,
      timer: setTimeout(() => {
        rt.waiters = rt.waiters.filter((w) => w !== waiter);
        reject(new DrainTimeoutError(rt.resolved.key, timeoutMs));
      }, timeoutMs),
    };
    rt.waiters.push(waiter);
  });
}

/** Whether the prefix is drained and its withdrawal handed over (and acknowledged, when that is awaited). */
export function withdrawalConfirmed(rt: PrefixRuntime, awaitAcknowledgement: boolean): boolean {
  const view = rt.machine.view();
  if (view.state !== 'drained' || view.advertised !== 'withdraw' || view.pending !== undefined) return false;
  return !awaitAcknowledgement || rt.acknowledged === 'withdraw';
}

/** Resolves the prefix's pending drains. */
export function releaseWaiters(rt: PrefixRuntime): void {
  for (const waiter of rt.waiters.splice(0)) {
    clearTimeout(waiter.timer);
    waiter.resolve();
  }
}

/** Rejects the prefix's pending drains with DrainCancelledError saying why. */
export function cancelWaiters(rt: PrefixRuntime, why: string): void {
  for (const waiter of rt.waiters.splice(0)) {
    clearTimeout(waiter.timer);
    waiter.reject(new DrainCancelledError(why));
  }
}
