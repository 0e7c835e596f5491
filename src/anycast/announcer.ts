// The Announcer ties the pieces together for one or more anycast prefixes:
// check schedulers and the proxy supervisor feed rise/fall verdicts into each
// prefix's state machine; drains come from calls and maintenance files; the
// machine's decisions go to the `advertise` callback (the daemon passes them
// to the OSPF core) and out as typed events.
//
//   scheduler ─result─▶ RiseFall ─verdict─┐
//   supervisor ─spawn/exit────────────────┼─▶ PrefixMachine ─▶ advertise(), 'state', 'advertise'
//   drain()/undrain()/maintenance file ───┘        ▲
//   pacing timer ──────────────── tick(now) ────────┘

import { EventEmitter } from 'eventemitter3';
import type { PrefixAdvertisement } from '../core/api.js';
import { formatPrefix, parsePrefix, type Prefix } from '../lib/ipv4.js';
import { customRunner } from './checks/custom.js';
import { execRunner } from './checks/exec.js';
import { httpRunner } from './checks/http.js';
import { sipOptionsRunner } from './checks/sip-options.js';
import { tcpRunner } from './checks/tcp.js';
import { AddressManagementError, AnnouncerStoppedError, DrainCancelledError, DrainTimeoutError, UnknownPrefixError } from './errors.js';
import { PrefixMachine, type MachineOutput } from './machine.js';
import { MaintenanceFileWatcher } from './maintenance.js';
import { resolvePrefixes, type ResolvedCheck, type ResolvedPrefix } from './options.js';
import { RiseFall } from './rise-fall.js';
import { CheckScheduler, type ScheduledResult } from './scheduler.js';
import { ProcessSupervisor, proxyIdentity, retireUnclaimed, type ExitInfo, type SpawnInfo } from './supervisor.js';
import type {
  Advertisement,
  AnycastPrefixOptions,
  CheckOptions,
  CheckResult,
  CheckRunner,
  CheckTiming,
  DrainSource,
  PrefixStatus,
  ProcessCheckOptions,
  ProcessStatus,
  StateChangeEvent,
} from './types.js';

/** Puts the anycast address on its interface (lo by default) and takes it off; the daemon does it through netlink. */
export interface AddressManager {
  add(prefix: Prefix, ifName: string): Promise<void>;
  remove(prefix: Prefix, ifName: string): Promise<void>;
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** The prefix as text, when the entry is about one. */
  prefix?: string;
  at: number;
}

export interface AnnouncerOptions {
  prefixes: readonly AnycastPrefixOptions[];
  /** Every advertisement change, in order; the daemon hands it to the core as { kind: 'advertise', prefix, mode }. */
  advertise: (ad: Advertisement) => void;
  /** Needed when a prefix has manageAddress. */
  addressManager?: AddressManager;
  log?: (entry: LogEntry) => void;
  /**
   * When true, drain() resolves only once acknowledge(prefix, 'withdraw') is
   * called: the daemon calls it when the core reports the changed LSA
   * acknowledged by every neighbour (at once when there are none). When
   * false, drain() resolves when the withdrawal has been handed to advertise().
   */
  awaitAcknowledgement?: boolean;
  /** Default for drain()'s timeout. 10 000 ms. */
  drainTimeoutMs?: number;
  /**
   * The daemon's run directory. Supervised proxies are recorded there and
   * outlive stop() (unless told otherwise) and a crash; start() adopts the
   * proxies recorded there that still run, and stops recorded ones that no
   * prefix configures any more. Without it, proxies live and die with the
   * announcer.
   */
  recordDirectory?: string;
}

export interface StopOptions {
  /** Stop the supervised proxies even when they are recorded to outlive the announcer. */
  stopProxies?: boolean;
}

export interface CheckEvent {
  prefix: string;
  check: string;
  result: CheckResult;
  healthy: boolean;
}

export interface ProcessEvent {
  prefix: string;
  check: string;
  event: 'spawn' | 'exit';
  pid: number | undefined;
  /** For 'exit': why, and when the next start is due. */
  reason?: string;
  restartInMs?: number;
  at: number;
}

export interface AnnouncerEvents {
  state: (event: StateChangeEvent) => void;
  advertise: (ad: Advertisement) => void;
  check: (event: CheckEvent) => void;
  process: (event: ProcessEvent) => void;
  log: (entry: LogEntry) => void;
}

export interface DrainOptions {
  source?: Extract<DrainSource, 'cli' | 'library'>;
  timeoutMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** Monotonic milliseconds on the epoch scale: event times that never jump back. */
function clockNow(): number {
  return performance.timeOrigin + performance.now();
}

interface CheckRuntime {
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

interface DrainWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface PrefixRuntime {
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

interface SupervisedProcess {
  supervisor: ProcessSupervisor;
  users: { rt: PrefixRuntime; check: CheckRuntime }[];
}

/** Whether any prefix using the proxy asks for it to be stopped with the announcer. */
function stopsOnExit(proc: SupervisedProcess): boolean {
  return proc.users.some(({ check }) => check.resolved.options.kind === 'process' && check.resolved.options.stopOnExit === true);
}

function runnerFor(check: CheckOptions): CheckRunner {
  switch (check.kind) {
    case 'sip-options':
      return sipOptionsRunner(check);
    case 'tcp':
      return tcpRunner(check);
    case 'http':
      return httpRunner(check);
    case 'exec':
      return execRunner(check);
    case 'custom':
      return customRunner(check);
    case 'process':
      throw new Error('process checks are supervised, not polled');
  }
}

/** The check options without their timing: what is probed and how. */
function probeOf(check: ResolvedCheck): string {
  const { intervalMs: _i, timeoutMs: _t, rise: _r, fall: _f, ...probe } = check.options as CheckOptions & CheckTiming;
  return JSON.stringify(probe);
}

/**
 * Whether a reconfiguration keeps a check's verdict: the same name probing
 * the same thing (timings may differ); custom checks must be the same
 * function; a process check must run the same command, directory and
 * environment.
 */
function sameProbe(a: ResolvedCheck, b: ResolvedCheck): boolean {
  if (a.name !== b.name || a.options.kind !== b.options.kind) return false;
  if (a.options.kind === 'process' && b.options.kind === 'process') return proxyIdentity(a.options) === proxyIdentity(b.options);
  if (a.options.kind === 'custom' && b.options.kind === 'custom' && a.options.run !== b.options.run) return false;
  return probeOf(a) === probeOf(b);
}

/** Whether a check is exactly unchanged, timings included. */
function sameCheck(a: ResolvedCheck, b: ResolvedCheck): boolean {
  return sameProbe(a, b) && JSON.stringify(a.options) === JSON.stringify(b.options) && JSON.stringify(a.timing) === JSON.stringify(b.timing);
}

/** Whether a prefix is unchanged by a reconfiguration, checks included. */
function samePrefix(a: ResolvedPrefix, b: ResolvedPrefix): boolean {
  const { options: ao, checks: ac, ...ar } = a;
  const { options: bo, checks: bc, ...br } = b;
  return (
    JSON.stringify(ar) === JSON.stringify(br) &&
    ao.maintenanceFile === bo.maintenanceFile &&
    ac.length === bc.length &&
    ac.every((check, i) => sameCheck(check, bc[i] as ResolvedCheck))
  );
}

export class Announcer extends EventEmitter<AnnouncerEvents> {
  private prefixes: PrefixRuntime[];
  /** Serialises reconfigure() calls. */
  private reconfiguring: Promise<void> = Promise.resolve();
  private readonly processes = new Map<string, SupervisedProcess>();
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: AnnouncerOptions) {
    super();
    const resolved = this.resolve(options.prefixes);
    const now = clockNow();
    this.prefixes = resolved.map((r) => this.buildPrefix(r, now));
  }

  /** Start watchers, supervisors and checks; hands each prefix's initial mode to advertise(). */
  async start(): Promise<void> {
    if (this.stopping !== undefined) throw new AnnouncerStoppedError('this announcer has been stopped');
    if (this.started) return;
    this.started = true;
    for (const rt of this.prefixes) this.syncMaintenance(rt);
    const addressesFirst = this.prefixes.filter((rt) => rt.resolved.manageAddress && !rt.resolved.removeOnWithdraw);
    try {
      await Promise.all(addressesFirst.map((rt) => this.addAddress(rt)));
    } catch (err) {
      for (const rt of this.prefixes) rt.maintenance?.stop();
      this.started = false;
      throw err;
    }
    for (const rt of this.prefixes) this.launch(rt);
    await this.retireUnclaimedProxies();
    for (const proc of this.processes.values()) proc.supervisor.start();
    for (const rt of this.prefixes) {
      for (const check of rt.checks.values()) check.scheduler?.start();
    }
  }

  /**
   * Apply a new set of prefixes, like a reload: what did not change is left
   * alone; a changed prefix keeps its state, drains, advertisement pacing and
   * the verdicts of its unchanged checks (a check added or changed must pass
   * `rise` times); a supervised proxy whose command, directory and
   * environment are unchanged keeps running (new restart timings apply from
   * its next exit); removed prefixes are withdrawn. Bad options reject with
   * AnycastConfigError before anything changes.
   */
  reconfigure(prefixes: readonly AnycastPrefixOptions[]): Promise<void> {
    let resolved: ResolvedPrefix[];
    try {
      resolved = this.resolve(prefixes);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.reconfiguring.then(() => this.applyConfiguration(resolved));
    this.reconfiguring = run.catch(() => undefined);
    return run;
  }

  /**
   * Withdraw every prefix at once (no pacing: nothing follows), then stop the
   * checks, watchers and timers, and the supervised proxies (SIGTERM, SIGKILL
   * after the grace) — except those recorded in the record directory, which
   * are left running for the next announcer unless `stopProxies` or their
   * `stopOnExit`. Pending drains reject with DrainCancelledError.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.stopProxies === true);
    return this.stopping;
  }

  /**
   * Drain one prefix (or all): withdraw it whatever its health. Resolves when
   * the withdrawal has been handed over (or acknowledged, with
   * awaitAcknowledgement); rejects with DrainTimeoutError after the timeout,
   * the prefix staying drained.
   */
  drain(prefix?: Prefix | string, opts: DrainOptions = {}): Promise<void> {
    let targets: PrefixRuntime[];
    try {
      targets = this.select(prefix);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.stopping !== undefined) return Promise.reject(new DrainCancelledError('the announcer is stopped'));
    const source = opts.source ?? 'library';
    const timeoutMs = opts.timeoutMs ?? this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const waits = targets.map((rt) => {
      const wait = this.waitForWithdrawal(rt, timeoutMs);
      this.apply(rt, rt.machine.setDrain(source, true, clockNow()));
      this.settleWaiters(rt);
      return wait;
    });
    return Promise.all(waits).then(() => undefined);
  }

  /** Lift a drain by `source` (default 'library') from one prefix or all; other drain sources stay. */
  undrain(prefix?: Prefix | string, source: Extract<DrainSource, 'cli' | 'library'> = 'library'): void {
    for (const rt of this.select(prefix)) {
      this.apply(rt, rt.machine.setDrain(source, false, clockNow()));
      // Drains still waiting are moot once no source holds the prefix drained.
      if (rt.machine.view().state === 'drained') continue;
      for (const waiter of rt.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new DrainCancelledError(`drain of ${rt.resolved.key} cancelled by undrain`));
      }
    }
  }

  /**
   * The hook for the daemon: the core reports that the LSA carrying `mode`
   * for `prefix` has been acknowledged by every neighbour. Acknowledgements of
   * a mode that is no longer the advertised one, or of a prefix that a
   * reconfiguration has removed meanwhile, are ignored.
   */
  acknowledge(prefix: Prefix, mode: PrefixAdvertisement): void {
    const key = formatPrefix(prefix);
    const rt = this.prefixes.find((p) => p.resolved.key === key);
    if (rt === undefined || rt.machine.view().advertised !== mode) return;
    rt.acknowledged = mode;
    this.settleWaiters(rt);
  }

  /** For `show anycast`: each prefix in configuration order. */
  status(): PrefixStatus[] {
    return this.prefixes.map((rt) => {
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
    });
  }

  private resolve(prefixes: readonly AnycastPrefixOptions[]): ResolvedPrefix[] {
    const resolved = resolvePrefixes(prefixes);
    if (this.options.addressManager === undefined && resolved.some((p) => p.manageAddress)) {
      throw new AddressManagementError('manageAddress needs an addressManager');
    }
    return resolved;
  }

  /** Hands a started prefix's initial mode over; nothing has been originated for it yet. */
  private launch(rt: PrefixRuntime): void {
    rt.acknowledged = 'withdraw';
    this.apply(rt, rt.machine.start());
  }

  private async applyConfiguration(resolved: ResolvedPrefix[]): Promise<void> {
    if (this.stopping !== undefined) throw new AnnouncerStoppedError('this announcer has been stopped');
    const now = clockNow();
    const previous = new Map(this.prefixes.map((rt) => [rt.resolved.key, rt]));
    const next: PrefixRuntime[] = [];
    const added: PrefixRuntime[] = [];
    const replaced: { from: PrefixRuntime; to: PrefixRuntime }[] = [];
    for (const r of resolved) {
      const prev = previous.get(r.key);
      previous.delete(r.key);
      if (prev !== undefined && samePrefix(prev.resolved, r)) {
        next.push(prev);
        continue;
      }
      const rt = this.buildPrefix(r, now);
      next.push(rt);
      if (prev === undefined) added.push(rt);
      else replaced.push({ from: prev, to: rt });
    }
    const removed = [...previous.values()];
    const stops: Promise<void>[] = [];
    for (const rt of removed) {
      this.log('info', 'removed from the configuration', rt.resolved.key);
      for (const waiter of rt.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new DrainCancelledError(`${rt.resolved.key} was removed from the configuration`));
      }
      if (this.started) {
        for (const out of rt.machine.stop(now)) if (out.kind === 'advertise') this.handOver(rt, out.mode, out.at);
      }
      if (rt.resolved.manageAddress) {
        rt.addressChain = rt.addressChain.then(() => this.removeAddress(rt)).catch((err: unknown) => this.addressFailed(rt, 'remove', err));
      }
      stops.push(this.retire(rt), rt.addressChain);
    }
    for (const { from } of replaced) stops.push(this.retire(from));
    // Proxies that no prefix needs any more are stopped; the others keep running.
    for (const [key, proc] of this.processes) {
      proc.users = proc.users.filter((u) => next.includes(u.rt));
      if (proc.users.length === 0) {
        this.processes.delete(key);
        stops.push(proc.supervisor.stop());
      }
    }
    this.prefixes = next;
    if (!this.started) {
      await Promise.all(stops);
      return;
    }
    for (const { from, to } of replaced) {
      const carried = new Map<string, { healthy: boolean; reason: string }>();
      const kept = (cr: CheckRuntime): CheckRuntime | undefined => {
        const before = from.checks.get(cr.resolved.name);
        return before !== undefined && sameProbe(before.resolved, cr.resolved) ? before : undefined;
      };
      // A new or changed proxy must prove itself: none of the old verdicts count.
      const proxyKept = [...to.checks.values()].every((cr) => cr.resolved.options.kind !== 'process' || kept(cr) !== undefined);
      for (const cr of to.checks.values()) {
        const before = proxyKept ? kept(cr) : undefined;
        if (before !== undefined) {
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
        carried.set(cr.resolved.name, { healthy: cr.healthy, reason: cr.reason });
      }
      to.waiters = from.waiters.splice(0);
      to.acknowledged = from.acknowledged;
      to.addressPresent = from.addressPresent;
      to.addressChain = from.addressChain;
      this.log('info', 'configuration changed', to.resolved.key);
      this.apply(to, to.machine.takeOver(from.machine, carried, now));
      this.syncMaintenance(to);
    }
    for (const rt of added) {
      this.log('info', 'added by the configuration', rt.resolved.key);
      // A proxy already supervised for another prefix is healthy from the start.
      for (const cr of rt.checks.values()) {
        if (cr.healthy) this.apply(rt, rt.machine.setCheck(cr.resolved.name, true, cr.reason, now));
      }
      this.syncMaintenance(rt);
      if (rt.resolved.manageAddress && !rt.resolved.removeOnWithdraw) {
        await this.addAddress(rt).catch((err: unknown) => this.addressFailed(rt, 'add', err));
      }
      this.launch(rt);
    }
    for (const proc of this.processes.values()) proc.supervisor.start();
    for (const { to } of replaced) for (const check of to.checks.values()) check.scheduler?.start();
    for (const rt of added) for (const check of rt.checks.values()) check.scheduler?.start();
    await Promise.all(stops);
  }

  /** Start a prefix's maintenance watcher (if any) and align the file drain with what is on disk. */
  private syncMaintenance(rt: PrefixRuntime): void {
    const present = rt.maintenance?.start() ?? false;
    this.apply(rt, rt.machine.setDrain('file', present, clockNow()));
  }

  /** Stop what belongs to a prefix runtime that is being replaced or removed (not its proxies). */
  private async retire(rt: PrefixRuntime): Promise<void> {
    if (rt.pacing !== undefined) clearTimeout(rt.pacing);
    rt.pacing = undefined;
    rt.maintenance?.stop();
    await Promise.all([...rt.checks.values()].map((c) => c.scheduler?.stop()));
  }

  private buildPrefix(resolved: ResolvedPrefix, now: number): PrefixRuntime {
    const machine = new PrefixMachine(
      {
        prefix: resolved.key,
        checks: resolved.checks.map((c) => c.name),
        onFailure: resolved.onFailure,
        minIntervalMs: resolved.minIntervalMs,
      },
      now,
    );
    const rt: PrefixRuntime = {
      resolved,
      machine,
      checks: new Map(),
      pacing: undefined,
      maintenance: undefined,
      acknowledged: undefined,
      waiters: [],
      addressPresent: false,
      addressChain: Promise.resolve(),
    };
    for (const check of resolved.checks) {
      const cr: CheckRuntime = {
        resolved: check,
        riseFall: check.timing === undefined ? undefined : new RiseFall(check.timing.rise, check.timing.fall),
        scheduler: undefined,
        healthy: false,
        reason: 'has not passed yet',
        last: undefined,
        resetAt: 0,
        process: check.options.kind === 'process' ? { starts: 0, since: now } : undefined,
      };
      if (check.options.kind === 'process') {
        this.supervise(rt, cr, check.options);
      } else if (check.timing !== undefined) {
        cr.scheduler = new CheckScheduler(runnerFor(check.options), check.timing, (result) => this.onResult(rt, cr, result));
      }
      rt.checks.set(check.name, cr);
    }
    const file = resolved.options.maintenanceFile;
    if (file !== undefined) {
      rt.maintenance = new MaintenanceFileWatcher(file, (present) => {
        this.log('info', `maintenance file ${file} ${present ? 'appeared' : 'removed'}`, resolved.key);
        this.apply(rt, rt.machine.setDrain('file', present, clockNow()));
      });
    }
    return rt;
  }

  /** Stops the proxies recorded by an earlier announcer that none of ours is (the configuration changed meanwhile). */
  private async retireUnclaimedProxies(): Promise<void> {
    const directory = this.options.recordDirectory;
    if (directory === undefined) return;
    // A proxy under stopOnExit left by a crashed daemon is stopped too: ours starts afresh.
    const claimed = new Set([...this.processes.values()].flatMap((p) => (p.supervisor.outlives ? (p.supervisor.recordPath ?? []) : [])));
    for (const line of await retireUnclaimed(directory, claimed)) this.log('warn', line);
  }

  private supervise(rt: PrefixRuntime, cr: CheckRuntime, opts: ProcessCheckOptions): void {
    const key = proxyIdentity(opts);
    let proc = this.processes.get(key);
    if (proc === undefined) {
      const directory = this.options.recordDirectory;
      const record = directory === undefined ? undefined : { directory, outlive: opts.stopOnExit !== true };
      const supervisor = new ProcessSupervisor(opts, `[${cr.resolved.name}] `, record);
      const created: SupervisedProcess = { supervisor, users: [] };
      supervisor.on('output', (line, stream) => this.log(stream === 'stderr' ? 'warn' : 'info', line));
      supervisor.on('log', (level, message) => this.log(level, `${cr.resolved.name}: ${message}`));
      supervisor.on('spawn', (info) => this.onSpawn(created, info));
      supervisor.on('exit', (info) => this.onExit(created, info));
      this.processes.set(key, created);
      proc = created;
    } else {
      proc.supervisor.retune(opts);
      const pid = proc.supervisor.pid;
      if (pid !== undefined) {
        // A reconfiguration reuses the running proxy: it is healthy as it is.
        cr.healthy = true;
        cr.reason = `running (pid ${pid})`;
        cr.process = { pid, starts: proc.supervisor.startCount, since: clockNow() };
      }
    }
    proc.users.push({ rt, check: cr });
  }

  private onSpawn(proc: SupervisedProcess, info: SpawnInfo): void {
    for (const { rt, check } of proc.users) {
      check.healthy = true;
      check.reason = `${info.adopted ? 'adopted, ' : ''}running (pid ${info.pid})`;
      check.process = { pid: info.pid, starts: info.restarts + 1, since: info.at };
      // Already serving: the first pass of each probe is enough (RiseFall.trustFirstSuccess).
      if (info.adopted) for (const other of rt.checks.values()) other.riseFall?.trustFirstSuccess();
      this.log('info', `${check.resolved.name}: ${info.adopted ? 'adopted' : 'started'} (pid ${info.pid}, start ${info.restarts + 1})`, rt.resolved.key);
      this.emit('process', { prefix: rt.resolved.key, check: check.resolved.name, event: 'spawn', pid: info.pid, at: info.at });
      this.apply(rt, rt.machine.setCheck(check.resolved.name, true, check.reason, clockNow()));
    }
  }

  /** The proxy is gone: unhealthy at once, and its other checks must pass `rise` times again. */
  private onExit(proc: SupervisedProcess, info: ExitInfo): void {
    const restart = info.restartInMs === undefined ? '' : `, restart in ${info.restartInMs} ms`;
    for (const { rt, check } of proc.users) {
      check.healthy = false;
      check.reason = `${info.reason}${restart}`;
      const starts = check.process?.starts ?? 0;
      check.process = { starts, since: info.at };
      if (info.restartInMs !== undefined) check.process.restartAt = info.at + info.restartInMs;
      this.log('warn', `${check.resolved.name}: ${check.reason}`, rt.resolved.key);
      const event: ProcessEvent = { prefix: rt.resolved.key, check: check.resolved.name, event: 'exit', pid: info.pid, reason: info.reason, at: info.at };
      if (info.restartInMs !== undefined) event.restartInMs = info.restartInMs;
      this.emit('process', event);
      const now = clockNow();
      const outputs = rt.machine.setCheck(check.resolved.name, false, check.reason, now);
      for (const other of rt.checks.values()) {
        if (other === check || other.riseFall === undefined) continue;
        other.riseFall.reset();
        other.resetAt = performance.now();
        other.healthy = false;
        other.reason = 'proxy restarted, has not passed since';
        outputs.push(...rt.machine.setCheck(other.resolved.name, false, other.reason, now));
      }
      this.apply(rt, outputs);
    }
  }

  private onResult(rt: PrefixRuntime, cr: CheckRuntime, scheduled: ScheduledResult): void {
    if (scheduled.startedAt < cr.resetAt || cr.riseFall === undefined) return;
    const result: CheckResult = { ok: scheduled.ok, reason: scheduled.reason, latencyMs: scheduled.latencyMs, at: scheduled.at };
    cr.last = result;
    const verdict = cr.riseFall.record(result.ok);
    const name = cr.resolved.name;
    cr.healthy = verdict.healthy;
    if (verdict.healthy) {
      cr.reason = result.ok ? result.reason : `failing (${cr.riseFall.consecutiveFailures}/${cr.riseFall.fall}): ${result.reason}`;
    } else {
      cr.reason = result.ok ? `rising (${cr.riseFall.consecutiveSuccesses}/${cr.riseFall.rise}): ${result.reason}` : result.reason;
    }
    this.emit('check', { prefix: rt.resolved.key, check: name, result, healthy: verdict.healthy });
    if (!result.ok && !verdict.changed) this.log('debug', `${name}: ${cr.reason}`, rt.resolved.key);
    if (verdict.changed) {
      this.log(verdict.healthy ? 'info' : 'warn', `${name}: now ${verdict.healthy ? 'healthy' : 'unhealthy'}: ${result.reason}`, rt.resolved.key);
    }
    // A healthy check failing, but not yet `fall` times: confirm it soon (fastinter).
    if (verdict.healthy && !result.ok) cr.scheduler?.hurry();
    // A healthy check that is failing but not yet `fall` times changes nothing.
    if (verdict.changed || !verdict.healthy) {
      this.apply(rt, rt.machine.setCheck(name, verdict.healthy, cr.reason, clockNow()));
    }
  }

  /** Carry out the machine's decisions: the one place advertisements leave the announcer. */
  private apply(rt: PrefixRuntime, outputs: MachineOutput[]): void {
    for (const out of outputs) {
      switch (out.kind) {
        case 'state':
          this.log('info', `${out.event.from} -> ${out.event.to}: ${out.event.reason}`, rt.resolved.key);
          this.emit('state', out.event);
          break;
        case 'advertise':
          this.handOver(rt, out.mode, out.at);
          break;
      }
    }
    this.armPacing(rt);
  }

  private handOver(rt: PrefixRuntime, mode: PrefixAdvertisement, at: number): void {
    const ad: Advertisement = { prefix: rt.resolved.options.prefix, mode, announceAs: rt.resolved.announceAs, at };
    rt.acknowledged = undefined;
    if (!rt.resolved.removeOnWithdraw) {
      this.deliver(rt, ad);
      return;
    }
    // The address goes on its interface before the prefix attracts traffic,
    // and comes off only after the withdrawal has been handed over.
    rt.addressChain = rt.addressChain.then(async () => {
      if (mode !== 'withdraw') await this.addAddress(rt).catch((err: unknown) => this.addressFailed(rt, 'add', err));
      this.deliver(rt, ad);
      if (mode === 'withdraw') await this.removeAddress(rt).catch((err: unknown) => this.addressFailed(rt, 'remove', err));
    });
  }

  private deliver(rt: PrefixRuntime, ad: Advertisement): void {
    this.log('info', `advertise ${ad.mode}`, rt.resolved.key);
    try {
      this.options.advertise(ad);
    } catch (err) {
      this.log('error', `advertise callback threw: ${err instanceof Error ? err.message : String(err)}`, rt.resolved.key);
    }
    this.emit('advertise', ad);
    this.settleWaiters(rt);
  }

  private async addAddress(rt: PrefixRuntime): Promise<void> {
    if (rt.addressPresent) return;
    const manager = this.options.addressManager as AddressManager;
    try {
      await manager.add(rt.resolved.options.prefix, rt.resolved.interface);
    } catch (err) {
      throw new AddressManagementError(`cannot add ${rt.resolved.key}: ${err instanceof Error ? err.message : String(err)}`);
    }
    rt.addressPresent = true;
    this.log('info', `address added to ${rt.resolved.interface}`, rt.resolved.key);
  }

  private async removeAddress(rt: PrefixRuntime): Promise<void> {
    if (!rt.addressPresent) return;
    const manager = this.options.addressManager as AddressManager;
    try {
      await manager.remove(rt.resolved.options.prefix, rt.resolved.interface);
    } catch (err) {
      throw new AddressManagementError(`cannot remove ${rt.resolved.key}: ${err instanceof Error ? err.message : String(err)}`);
    }
    rt.addressPresent = false;
    this.log('info', `address removed from ${rt.resolved.interface}`, rt.resolved.key);
  }

  private addressFailed(rt: PrefixRuntime, what: 'add' | 'remove', err: unknown): void {
    this.log('error', `address ${what} failed: ${err instanceof Error ? err.message : String(err)}`, rt.resolved.key);
  }

  private armPacing(rt: PrefixRuntime): void {
    if (rt.pacing !== undefined) clearTimeout(rt.pacing);
    rt.pacing = undefined;
    const deadline = rt.machine.nextDeadline();
    if (deadline === undefined) return;
    rt.pacing = setTimeout(() => {
      rt.pacing = undefined;
      this.apply(rt, rt.machine.tick(Math.max(clockNow(), deadline)));
    }, Math.max(0, deadline - clockNow()));
  }

  private waitForWithdrawal(rt: PrefixRuntime, timeoutMs: number): Promise<void> {
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

  private settleWaiters(rt: PrefixRuntime): void {
    if (rt.waiters.length === 0) return;
    const view = rt.machine.view();
    if (view.state !== 'drained' || view.advertised !== 'withdraw' || view.pending !== undefined) return;
    if (this.options.awaitAcknowledgement === true && rt.acknowledged !== 'withdraw') return;
    for (const waiter of rt.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  private select(prefix: Prefix | string | undefined): PrefixRuntime[] {
    if (prefix === undefined) return this.prefixes;
    const key = typeof prefix === 'string' ? formatPrefix(parsePrefix(prefix.includes('/') ? prefix : `${prefix}/32`)) : formatPrefix(prefix);
    const rt = this.prefixes.find((p) => p.resolved.key === key);
    if (rt === undefined) throw new UnknownPrefixError(`not an anycast prefix here: ${key}`);
    return [rt];
  }

  private async shutdown(stopProxies: boolean): Promise<void> {
    const now = clockNow();
    for (const rt of this.prefixes) {
      if (rt.pacing !== undefined) clearTimeout(rt.pacing);
      rt.pacing = undefined;
      for (const waiter of rt.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new DrainCancelledError(`announcer stopped before ${rt.resolved.key} was confirmed withdrawn`));
      }
      if (this.started) {
        for (const out of rt.machine.stop(now)) {
          if (out.kind === 'advertise') this.handOver(rt, out.mode, out.at);
        }
      }
      rt.maintenance?.stop();
    }
    const stops: Promise<void>[] = [];
    for (const rt of this.prefixes) {
      for (const check of rt.checks.values()) if (check.scheduler !== undefined) stops.push(check.scheduler.stop());
    }
    for (const proc of this.processes.values()) {
      stops.push(stopProxies || stopsOnExit(proc) ? proc.supervisor.stop() : proc.supervisor.detach());
    }
    await Promise.all(stops);
    await Promise.all(this.prefixes.map((rt) => rt.addressChain));
  }

  private log(level: LogEntry['level'], message: string, prefix?: string): void {
    const entry: LogEntry = { level, message, at: clockNow() };
    if (prefix !== undefined) entry.prefix = prefix;
    this.options.log?.(entry);
    this.emit('log', entry);
  }
}
