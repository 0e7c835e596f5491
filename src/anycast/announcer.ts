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
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  type AnnouncerEvents,
  type AnnouncerOptions,
  type DrainOptions,
  type LogEntry,
  type ProcessEvent,
  type StopOptions,
} from './announcer-api.js';
import { AddressManagementError, AnnouncerStoppedError, DrainCancelledError, UnknownPrefixError } from './errors.js';
import { PrefixMachine, type MachineOutput } from './machine.js';
import { MaintenanceFileWatcher } from './maintenance.js';
import { resolvePrefixes, type ResolvedPrefix } from './options.js';
import { AnycastAddresses } from './addresses.js';
import { ProxyPool } from './proxies.js';
import { planReconfiguration } from './reconfiguration.js';
import {
  cancelWaiters,
  carryVerdict,
  newCheckRuntime,
  prefixStatus,
  recordResult,
  releaseWaiters,
  runnerFor,
  waitForWithdrawal,
  withdrawalConfirmed,
  type CheckRuntime,
  type PrefixRuntime,
  type SupervisedProcess,
} from './runtime.js';
import { CheckScheduler, type ScheduledResult } from './scheduler.js';
import type { ExitInfo, SpawnInfo } from './supervisor.js';
import type { Advertisement, AnycastPrefixOptions, DrainSource, PrefixStatus } from './types.js';

/** Monotonic milliseconds on the epoch scale: event times that never jump back. */
function clockNow(): number {
  return performance.timeOrigin + performance.now();
}

export class Announcer extends EventEmitter<AnnouncerEvents> {
  private prefixes: PrefixRuntime[];
  /** Serialises reconfigure() calls. */
  private reconfiguring: Promise<void> = Promise.resolve();
  private readonly proxies: ProxyPool;
  private readonly addresses: AnycastAddresses;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: AnnouncerOptions) {
    super();
    this.addresses = new AnycastAddresses(options.addressManager, (level, message, prefix) => this.log(level, message, prefix));
    this.proxies = new ProxyPool(options.recordDirectory, {
      log: (level, message) => this.log(level, message),
      spawned: (proc, info) => this.onSpawn(proc, info),
      exited: (proc, info) => this.onExit(proc, info),
    });
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
      await Promise.all(addressesFirst.map((rt) => this.addresses.set(rt, true)));
    } catch (err) {
      for (const rt of this.prefixes) rt.maintenance?.stop();
      this.started = false;
      throw err;
    }
    for (const rt of this.prefixes) this.launch(rt);
    await this.proxies.retireUnclaimed();
    this.proxies.start();
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
    const run = this.reconfiguring.then(() => this.changeConfiguration(resolved));
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
      const wait = waitForWithdrawal(rt, timeoutMs);
      this.carryOut(rt, rt.machine.setDrain(source, true, clockNow()));
      this.settleWaiters(rt);
      return wait;
    });
    return Promise.all(waits).then(() => undefined);
  }

  /** Lift a drain by `source` (default 'library') from one prefix or all; other drain sources stay. */
  undrain(prefix?: Prefix | string, source: Extract<DrainSource, 'cli' | 'library'> = 'library'): void {
    for (const rt of this.select(prefix)) {
      this.carryOut(rt, rt.machine.setDrain(source, false, clockNow()));
      // Drains still waiting are moot once no source holds the prefix drained.
      if (rt.machine.view().state === 'drained') continue;
      cancelWaiters(rt, `drain of ${rt.resolved.key} cancelled by undrain`);
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
    return this.prefixes.map(prefixStatus);
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
    this.carryOut(rt, rt.machine.start());
  }

  /** Carries out a reload as planReconfiguration() lays it out. */
  private async changeConfiguration(resolved: ResolvedPrefix[]): Promise<void> {
    if (this.stopping !== undefined) throw new AnnouncerStoppedError('this announcer has been stopped');
    const now = clockNow();
    const plan = planReconfiguration(
      this.prefixes.map((rt) => rt.resolved),
      resolved,
    );
    const previous = new Map(this.prefixes.map((rt) => [rt.resolved.key, rt]));
    const running = (key: string): PrefixRuntime => previous.get(key) as PrefixRuntime;
    const next: PrefixRuntime[] = [];
    const added: PrefixRuntime[] = [];
    const rebuilt: { from: PrefixRuntime; to: PrefixRuntime; carried: string[] }[] = [];
    for (const step of plan.prefixes) {
      switch (step.kind) {
        case 'keep':
          next.push(running(step.key));
          break;
        case 'add': {
          const rt = this.buildPrefix(step.prefix, now);
          next.push(rt);
          added.push(rt);
          break;
        }
        case 'rebuild': {
          const rt = this.buildPrefix(step.prefix, now);
          next.push(rt);
          rebuilt.push({ from: running(step.prefix.key), to: rt, carried: step.carried });
          break;
        }
      }
    }
    const stops: Promise<void>[] = [];
    for (const rt of plan.removed.map(running)) {
      this.log('info', 'removed from the configuration', rt.resolved.key);
      cancelWaiters(rt, `${rt.resolved.key} was removed from the configuration`);
      if (this.started) {
        for (const out of rt.machine.stop(now)) if (out.kind === 'advertise') this.handOver(rt, out.mode, out.at);
      }
      if (rt.resolved.manageAddress) {
        rt.addressChain = rt.addressChain.then(() => this.addresses.settle(rt, false));
      }
      stops.push(this.retire(rt), rt.addressChain);
    }
    for (const { from } of rebuilt) stops.push(this.retire(from));
    // Proxies that no prefix needs any more are stopped; the others keep running.
    stops.push(...this.proxies.release(plan.proxies.stop, next));
    this.prefixes = next;
    if (!this.started) {
      await Promise.all(stops);
      return;
    }
    for (const { from, to, carried } of rebuilt) {
      const verdicts = new Map<string, { healthy: boolean; reason: string }>();
      for (const cr of to.checks.values()) {
        const before = carried.includes(cr.resolved.name) ? from.checks.get(cr.resolved.name) : undefined;
        if (before !== undefined) carryVerdict(cr, before);
        verdicts.set(cr.resolved.name, { healthy: cr.healthy, reason: cr.reason });
      }
      to.waiters = from.waiters.splice(0);
      to.acknowledged = from.acknowledged;
      to.addressPresent = from.addressPresent;
      to.addressChain = from.addressChain;
      this.log('info', 'configuration changed', to.resolved.key);
      this.carryOut(to, to.machine.takeOver(from.machine, verdicts, now));
      this.syncMaintenance(to);
    }
    for (const rt of added) {
      this.log('info', 'added by the configuration', rt.resolved.key);
      // A proxy already supervised for another prefix is healthy from the start.
      for (const cr of rt.checks.values()) {
        if (cr.healthy) this.carryOut(rt, rt.machine.setCheck(cr.resolved.name, true, cr.reason, now));
      }
      this.syncMaintenance(rt);
      if (rt.resolved.manageAddress && !rt.resolved.removeOnWithdraw) {
        await this.addresses.settle(rt, true);
      }
      this.launch(rt);
    }
    this.proxies.start();
    for (const { to } of rebuilt) for (const check of to.checks.values()) check.scheduler?.start();
    for (const rt of added) for (const check of rt.checks.values()) check.scheduler?.start();
    await Promise.all(stops);
  }

  /** Start a prefix's maintenance watcher (if any) and align the file drain with what is on disk. */
  private syncMaintenance(rt: PrefixRuntime): void {
    const present = rt.maintenance?.start() ?? false;
    this.carryOut(rt, rt.machine.setDrain('file', present, clockNow()));
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
      const cr = newCheckRuntime(check, now);
      if (check.options.kind === 'process') {
        this.proxies.supervise(rt, cr, check.options, now);
      } else if (check.timing !== undefined) {
        cr.scheduler = new CheckScheduler(runnerFor(check.options), check.timing, (result) => this.onResult(rt, cr, result));
      }
      rt.checks.set(check.name, cr);
    }
    const file = resolved.options.maintenanceFile;
    if (file !== undefined) {
      rt.maintenance = new MaintenanceFileWatcher(file, (present) => {
        this.log('info', `maintenance file ${file} ${present ? 'appeared' : 'removed'}`, resolved.key);
        this.carryOut(rt, rt.machine.setDrain('file', present, clockNow()));
      });
    }
    return rt;
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
      this.carryOut(rt, rt.machine.setCheck(check.resolved.name, true, check.reason, clockNow()));
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
      this.carryOut(rt, outputs);
    }
  }

  private onResult(rt: PrefixRuntime, cr: CheckRuntime, scheduled: ScheduledResult): void {
    const recorded = recordResult(cr, scheduled);
    if (recorded === undefined) return;
    const { result, verdict } = recorded;
    const name = cr.resolved.name;
    this.emit('check', { prefix: rt.resolved.key, check: name, result, healthy: verdict.healthy });
    if (!result.ok && !verdict.changed) this.log('debug', `${name}: ${cr.reason}`, rt.resolved.key);
    if (verdict.changed) {
      this.log(verdict.healthy ? 'info' : 'warn', `${name}: now ${verdict.healthy ? 'healthy' : 'unhealthy'}: ${result.reason}`, rt.resolved.key);
    }
    // A healthy check failing, but not yet `fall` times: confirm it soon (fastinter).
    if (verdict.healthy && !result.ok) cr.scheduler?.hurry();
    // A healthy check that is failing but not yet `fall` times changes nothing.
    if (verdict.changed || !verdict.healthy) {
      this.carryOut(rt, rt.machine.setCheck(name, verdict.healthy, cr.reason, clockNow()));
    }
  }

  /** Carry out the machine's decisions: the one place advertisements leave the announcer. */
  private carryOut(rt: PrefixRuntime, outputs: MachineOutput[]): void {
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
      if (mode !== 'withdraw') await this.addresses.settle(rt, true);
      this.deliver(rt, ad);
      if (mode === 'withdraw') await this.addresses.settle(rt, false);
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

  private armPacing(rt: PrefixRuntime): void {
    if (rt.pacing !== undefined) clearTimeout(rt.pacing);
    rt.pacing = undefined;
    const deadline = rt.machine.nextDeadline();
    if (deadline === undefined) return;
    rt.pacing = setTimeout(() => {
      rt.pacing = undefined;
      this.carryOut(rt, rt.machine.tick(Math.max(clockNow(), deadline)));
    }, Math.max(0, deadline - clockNow()));
  }

  private settleWaiters(rt: PrefixRuntime): void {
    if (rt.waiters.length > 0 && withdrawalConfirmed(rt, this.options.awaitAcknowledgement === true)) releaseWaiters(rt);
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
      cancelWaiters(rt, `announcer stopped before ${rt.resolved.key} was confirmed withdrawn`);
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
    stops.push(...this.proxies.shutdown(stopProxies));
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
