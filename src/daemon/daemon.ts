// ospf-anycastd's body, and the library's way to run an OSPF router with
// anycast announcements: it joins the sans-IO instance (engine + SPF) to
// Linux — raw sockets, netlink interfaces, kernel routes — and to the
// announcer, the control socket and the log. This file is the lifecycle
// (start, reload, stop) composing the parts, each in its own file:
//
//   netlink ──interface──▶ ┌──────────┐ ──send/membership──▶ raw sockets (sockets.ts)
//   raw sockets ──packet─▶ │ instance │ ──routes──▶ kernel (fib-queue.ts)
//   announcer ──advertise─▶│ (sans-IO)│ ──events──▶ log (event-log.ts), library events
//   one timer ──timer────▶ └──────────┘
//
// Everything that reaches the instance goes through the loop's step()
// (loop.ts): one input at a time, its outputs applied before the next input.

import { dirname } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { ControlServer } from '../control/protocol.js';
import type { ShowRequest } from '../control/requests.js';
import type { ShowAnswers } from '../control/views.js';
import type { CoreEvent, Input, InterfaceInfo, RouterConfig } from '../core/api.js';
import { configuredRouterId, diffConfig, pickRouterId, type DaemonConfig } from '../config/index.js';
import { OspfInstance } from '../instance/instance.js';
import type { InterfaceMonitor } from '../io/links.js';
import type { OspfTransport } from '../io/transport.js';
import { formatIpv4, formatPrefix } from '../lib/ipv4.js';
import { samePlainData } from '../lib/plain-data.js';
import { AnycastLink } from './anycast-link.js';
import { warnAnycastOnlyInterfaces, warnMissingInterfaces } from './config-checks.js';
import { dispatchControl } from './control-dispatch.js';
import { engineConfig } from './engine-config.js';
import { AlreadyStoppingError, DaemonStartError, ReloadRefusedError } from './errors.js';
import { EventLog } from './event-log.js';
import { FibQueue, type RouteInstaller } from './fib-queue.js';
import type { Logger } from './logger.js';
import { EventLoop, type RoutesOutput } from './loop.js';
import type { DaemonMetrics } from './metrics.js';
import { linuxSystem, type DaemonEvents, type DaemonOptions, type DaemonStopOptions, type DaemonSystem } from './options.js';
import { describeLoadSharing, multipathSettings, refuseUnappliable, reloadSummary } from './reload.js';
import { restartToFollow, writeRestartRecord } from './restart-record.js';
import { answerShow } from './show-answers.js';
import { InterfaceSockets } from './sockets.js';

export { DaemonStartError } from './errors.js';
export type { DaemonEvents, DaemonOptions, DaemonStopOptions, DaemonSystem } from './options.js';

/** Polls the engine every 20 ms until `done` or the deadline. */
async function waitUntil(done: () => boolean, waitMs: number): Promise<void> {
  const deadline = performance.now() + waitMs;
  while (performance.now() < deadline && !done()) await new Promise((resolve) => setTimeout(resolve, 20));
}

export class OspfAnycastDaemon extends EventEmitter<DaemonEvents> {
  private config: DaemonConfig;
  private routerConfig!: RouterConfig;
  private instance!: OspfInstance;
  private loop: EventLoop | undefined;
  private monitor!: InterfaceMonitor;
  private transport!: OspfTransport;
  private sockets!: InterfaceSockets;
  private routes!: RouteInstaller;
  private fib: FibQueue | undefined;
  private readonly anycast: AnycastLink;
  private control: ControlServer | undefined;
  private metrics: DaemonMetrics | undefined;
  private readonly system: DaemonSystem;
  private readonly logger: Logger;
  private readonly eventLog: EventLog;
  private readonly startedAt = performance.now();
  private stopping: Promise<void> | undefined;
  /** Part of stopping: the prefixes withdrawn and the proxies stopped or left running. */
  private anycastStopped: Promise<void> | undefined;
  /** Interfaces the configuration names that the kernel does not have (yet). */
  private missing = new Set<string>();
  /** Restarting gracefully (RFC 3623 2.2): the kernel keeps the previous run's routes until the engine says the restart is over. */
  private restarting = false;
  /** The restart is over: the next SPF run, which sees the LSDB as the restart left it, brings the kernel routes. */
  private restartOver = false;

  private constructor(private readonly options: DaemonOptions) {
    super();
    this.config = options.config;
    this.logger = options.logger;
    this.system = { ...linuxSystem, ...options.system };
    this.eventLog = new EventLog(this.logger, () => ({ routerId: this.routerConfig.routerId, logAdjacencyChanges: this.config.ospf.logAdjacencyChanges }));
    this.anycast = new AnycastLink({
      logger: this.logger,
      step: (input) => this.step(input),
      refreshConfig: () => this.refreshRouterConfig(),
      ownChangesAcknowledged: () => this.instance.ownChangesAcknowledged(),
      stopping: () => this.stopping !== undefined,
      customChecks: options.customChecks,
      recordDirectory: () => this.runDirectory(),
      check: (event) => this.metrics?.check(event.prefix, event.check, event.result.ok, event.result.latencyMs),
      state: (event) => this.emit('prefix-state', event),
    });
  }

  /** Starts everything, or nothing: on failure what was opened is closed again. */
  static async start(options: DaemonOptions): Promise<OspfAnycastDaemon> {
    const daemon = new OspfAnycastDaemon(options);
    try {
      await daemon.open();
    } catch (err) {
      await daemon.close();
      if (err instanceof DaemonStartError) throw err;
      throw new DaemonStartError(err instanceof Error ? err.message : String(err));
    }
    return daemon;
  }

  private async open(): Promise<void> {
    this.monitor = await this.system.monitor();
    const interfaces = this.monitor.interfaces();
    // FRR keeps an automatically chosen router id until restart; so do we.
    const routerId = configuredRouterId(this.config) ?? pickRouterId(interfaces, this.config.anycast.map((a) => a.prefix));
    if (routerId === undefined) throw new DaemonStartError('no "ospf router-id" configured and no interface address to take one from');
    this.config = { ...this.config, ospf: { ...this.config.ospf, routerId } };
    this.routerConfig = engineConfig(this.config, interfaces, this.anycast.externalModes);
    this.routes = this.system.routes({
      table: this.config.kernelRoutes.table,
      metric: this.config.kernelRoutes.metric,
      ...multipathSettings(this.config),
      ifIndexOf: (name) => this.monitor.get(name)?.ifIndex,
      log: (level, message, fields) => this.logger.log(level, message, fields),
    });
    this.fib = new FibQueue({
      routes: this.routes,
      table: () => this.instance.routes(),
      interfaces: () => this.monitor.interfaces(),
      // RFC 3623 2.2: while restarting, the kernel keeps forwarding on the routes of before; the end of it syncs them all.
      held: () => this.stopping !== undefined || this.restarting,
      logger: this.logger,
    });
    const directory = this.runDirectory();
    const restart = directory === undefined ? undefined : restartToFollow(directory, this.logger);
    this.restarting = restart !== undefined;
    if (restart !== undefined) {
      // RFC 3623 2.2: the routes of the previous run forward until the restart is over.
      const kept = await this.routes.inherit();
      this.logger.notice('graceful restart: the kernel routes of the previous run stay until the restart is over', { count: kept.length });
    } else {
      const swept = await this.routes.sweep();
      if (swept.length > 0) this.logger.notice('removed stale OSPF routes left by an earlier run', { count: swept.length });
    }
    this.transport = this.system.transport();
    this.sockets = new InterfaceSockets(this.transport, this.monitor, this.logger);
    this.transport.on('packet', (input) => this.step(input));
    this.transport.on('drop', (drop) =>
      this.logger.limited(`ipdrop:${drop.ifName}:${drop.reason}`, 'info', 'dropped a received IP packet', {
        ifName: drop.ifName,
        reason: drop.reason,
        src: drop.src === undefined ? undefined : formatIpv4(drop.src),
      }),
    );
    this.transport.on('error', (error) => {
      this.logger.error('OSPF socket failed; reopening', { error: error.message });
      this.reconcileSockets();
    });

    this.instance = new OspfInstance({
      config: this.routerConfig,
      random: Math.random,
      measure: () => performance.now(),
      // RFC 2328 D.4.3: cryptographic sequence numbers go on from the wall clock after a restart, as FRR's.
      authSequenceBase: Math.floor(Date.now() / 1000),
      // The record's wall-clock end of the grace period, on the engine's clock.
      ...(restart === undefined ? {} : { gracefulRestart: { until: performance.now() + (restart.until - Date.now()) } }),
    });
    this.loop = new EventLoop(
      this.instance,
      {
        reconfigured: () => this.reconcileSockets(),
        socket: (output) => this.sockets.carryOut(output),
        event: (event) => this.onEvent(event),
        routes: (output) => this.onRoutes(output),
        stepped: () => this.anycast.checkAcks(),
      },
      this.logger,
    );

    // Anycast prefixes stay out of the LSDB until their checks have passed (rise); one
    // announced as external never goes out as a stub link, even under a network statement.
    for (const block of this.config.anycast) this.step({ kind: 'advertise', prefix: block.prefix, mode: 'withdraw' });
    for (const info of interfaces) this.step({ kind: 'interface', info });
    this.monitor.on('interface', (info) => this.onInterface(info));
    this.missing = warnMissingInterfaces(this.config, this.monitor, this.logger);
    warnAnycastOnlyInterfaces(this.config, this.instance.interfaces(), this.monitor, this.logger);
    this.monitor.on('error', (error) => this.logger.warning('netlink interface monitor error', { error: error.message }));

    await this.anycast.configure(this.config);
    this.fib.startPeriodicCheck();
    if (this.config.metricsListen !== undefined) await this.startMetrics(formatIpv4(this.config.metricsListen.address), this.config.metricsListen.port);
    const socketPath = this.options.controlSocket ?? this.config.controlSocket;
    if (socketPath !== false) {
      this.control = await ControlServer.listen(
        socketPath,
        (request) =>
          dispatchControl(request, {
            show: (r) => this.show(r),
            drain: (prefix, timeoutMs) => this.drain(prefix, timeoutMs, 'cli'),
            undrain: (prefix) => this.undrain(prefix, 'cli'),
            reload: () => this.reload(),
            stop: (stopProxies) => this.stopFromControl(stopProxies),
          }),
        { group: this.options.controlSocketGroup },
      );
    }
    this.logger.notice('ospf-anycastd started', {
      routerId: formatIpv4(this.routerConfig.routerId),
      area: formatIpv4(this.routerConfig.areaId),
      control: socketPath === false ? 'none' : socketPath,
    });
  }

  private async startMetrics(address: string, port: number): Promise<void> {
    // Loaded only when configured: prom-client alone adds about 12 MB to the daemon's RSS.
    const { DaemonMetrics, metricsSource } = await import('./metrics.js');
    const metrics = new DaemonMetrics(metricsSource(this.instance, this.transport, () => this.anycast.status()));
    await metrics.listen(address, port);
    this.metrics = metrics;
    this.logger.info('metrics endpoint listening', { address, port });
  }

  /** Where proxies are recorded to outlive the daemon; undefined when they live and die with it. */
  private runDirectory(): string | undefined {
    const configured = this.options.runDirectory;
    if (configured !== undefined) return configured === false ? undefined : configured;
    const socket = this.options.controlSocket ?? this.config.controlSocket;
    return socket === false ? undefined : dirname(socket);
  }

  // ---------------------------------------------------------------- what the loop hands back

  /** The one way an input reaches the instance (loop.ts); resolves once its packets are written. */
  private step(input: Input): Promise<void> {
    return this.loop?.step(input) ?? Promise.resolve();
  }

  /** The engine's events: logged, counted, and offered to the library's listeners. */
  private onEvent(event: CoreEvent): void {
    this.eventLog.log(event);
    switch (event.type) {
      case 'graceful-restart':
        // RFC 3623 2.3: the exit comes with the last adjacency's LoadingDone, before the SPF has run on what it loaded.
        if (event.action === 'exit' && this.restarting) this.restartOver = true;
        return;
      case 'neighbor-state':
        this.metrics?.adjacencyChange(event.ifName, event.to);
        this.emit('neighbor-state', event);
        return;
      case 'interface-state':
        this.emit('interface-state', event);
        return;
      case 'graceful-restart-helper':
      case 'drop':
        return;
    }
  }

  private onRoutes(output: RoutesOutput): void {
    if (output.run !== 'none') this.metrics?.spf(output.run, output.durationUs);
    if (this.restartOver && output.run !== 'none') {
      // RFC 3623 2.3: the first routing table after the restart replaces the kernel's, route by route.
      this.restarting = false;
      this.restartOver = false;
      this.fib?.sync();
    } else if (output.changes.length > 0) this.fib?.sync(output.changes);
    if (output.changes.length > 0) this.emit('routes', output.changes);
  }

  private onInterface(info: InterfaceInfo): void {
    if (this.missing.delete(info.name)) this.logger.notice(`configured interface ${info.name} appeared`, { ifName: info.name });
    this.step({ kind: 'interface', info });
    this.refreshRouterConfig();
    // Next hops through an interface that changed may now resolve differently,
    // and the kernel deletes routes through an interface that goes down.
    if (!info.up) this.fib?.checkKernel();
    this.fib?.sync();
  }

  /** Recomputes the engine's configuration (redistributed connected routes follow the interfaces). */
  private refreshRouterConfig(): void {
    const next = engineConfig(this.config, this.monitor.interfaces(), this.anycast.externalModes);
    if (samePlainData(next, this.routerConfig)) return;
    this.routerConfig = next;
    this.step({ kind: 'config', config: next });
  }

  /** The sockets follow the engine's interfaces, except while stopping. */
  private reconcileSockets(): void {
    if (this.stopping === undefined) this.sockets.reconcile(this.instance.interfaces());
  }

  // ---------------------------------------------------------------- operator actions

  /** Withdraws one anycast prefix (or all) and resolves once the neighbours have acknowledged it. */
  drain(prefix?: string, timeoutMs?: number, source: 'cli' | 'library' = 'library'): Promise<void> {
    return this.anycast.drain(prefix, timeoutMs, source);
  }

  undrain(prefix?: string, source: 'cli' | 'library' = 'library'): void {
    this.anycast.undrain(prefix, source);
  }

  /** Re-reads the configuration and applies the difference; adjacencies whose settings did not change stay up. */
  async reload(): Promise<string> {
    if (this.options.load === undefined) throw new ReloadRefusedError('this daemon has no configuration file to reload');
    const next = await this.options.load();
    const diff = diffConfig(this.config, next);
    if (diff.unchanged) return 'configuration unchanged';
    refuseUnappliable(diff, next);
    // Load sharing first: when it cannot be applied (no nft), nothing of the file is.
    const loadSharing = multipathSettings(next);
    const loadSharingChanged = !samePlainData(loadSharing, multipathSettings(this.config));
    if (loadSharingChanged) {
      await this.fib?.reconfigure(loadSharing);
      this.logger.notice('multipath settings applied', { loadSharing: describeLoadSharing(loadSharing) });
    }
    const routerId = next.ospf.routerId ?? this.config.ospf.routerId;
    this.config = { ...next, ospf: { ...next.ospf, routerId } };
    this.missing = warnMissingInterfaces(this.config, this.monitor, this.logger);
    // New stub prefixes start withdrawn, like at start; the announcer announces them after rise.
    // Before the new networks: an address of theirs is an anycast one from the first, never an
    // interface address sending a Hello.
    for (const p of diff.anycast.added) this.step({ kind: 'advertise', prefix: p, mode: 'withdraw' });
    this.refreshRouterConfig();
    const anycastChanges = diff.anycast.added.length + diff.anycast.removed.length + diff.anycast.changed.length;
    if (anycastChanges > 0) {
      for (const p of diff.anycast.removed) this.step({ kind: 'advertise', prefix: p, mode: 'withdraw' });
      await this.anycast.configure(this.config);
    }
    warnAnycastOnlyInterfaces(this.config, this.instance.interfaces(), this.monitor, this.logger);
    const summary = reloadSummary(diff, loadSharingChanged ? loadSharing : undefined);
    this.logger.notice(summary);
    return summary;
  }

  /** The answers to `ospf-anycast show …`. */
  show<R extends ShowRequest>(request: R): ShowAnswers[R['what']] {
    // answerShow answers each `what` with its own view (src/control/views.ts ShowAnswers).
    return answerShow(request, {
      instance: this.instance,
      routerConfig: this.routerConfig,
      gracePeriod: this.config.ospf.gracefulRestart?.gracePeriod,
      startedAt: this.startedAt,
      multipath: (prefix) => this.routes.multipath?.(prefix),
      anycast: this.anycast.status(),
      anycastPrefixes: this.config.anycast.map((a) => formatPrefix(a.prefix)),
      interfaces: this.monitor.interfaces(),
    }) as ShowAnswers[R['what']];
  }

  // ---------------------------------------------------------------- shutdown

  /** Whether `graceful-restart` is configured: SIGTERM then restarts gracefully. */
  gracefulRestartConfigured(): boolean {
    return this.config.ospf.gracefulRestart !== undefined;
  }

  /**
   * Clean stop (SIGTERM): withdraw everything by premature aging (RFC 2328
   * 14.1) so neighbours drop us at once, wait briefly for their
   * acknowledgements, leave the supervised proxies running for the next
   * daemon (or stop them: `stopProxies`, `proxy stop-on-exit`), remove our
   * kernel routes, close everything.
   */
  stop(options: DaemonStopOptions = {}): Promise<void> {
    this.stopping ??= this.shutdown(options);
    return this.stopping;
  }

  /** `ospf-anycast stop`: the answer goes once the prefixes are withdrawn and the proxies dealt with; the control socket closes after it. */
  private async stopFromControl(stopProxies: boolean): Promise<void> {
    if (this.stopping !== undefined) throw new AlreadyStoppingError();
    this.stop({ stopProxies }).catch((err: unknown) => this.logger.error('unclean stop', { error: err instanceof Error ? err.message : String(err) }));
    await this.anycastStopped;
  }

  private async shutdown(options: DaemonStopOptions): Promise<void> {
    const gracePeriod = options.gracefulRestart === true ? this.config.ospf.gracefulRestart?.gracePeriod : undefined;
    const directory = this.runDirectory();
    const graceful = gracePeriod !== undefined && directory !== undefined && this.loop !== undefined;
    if (gracePeriod !== undefined && directory === undefined) this.logger.warning('graceful restart needs a run directory (the control socket\'s) to record the restart in: stopping normally');
    this.anycastStopped = graceful ? this.prepareRestart(gracePeriod, directory) : this.withdrawAll(options);
    await this.anycastStopped;
    await this.close(graceful);
    this.logger.notice(graceful ? 'ospf-anycastd stopped for a graceful restart' : 'ospf-anycastd stopped');
    this.emit('stopped');
  }

  /**
   * RFC 3623 2.1: grace-LSAs out, a bounded wait for their acknowledgment,
   * the restart recorded for the next start; nothing flushed, no goodbye,
   * and the proxies keep running (the next daemon adopts them).
   */
  private async prepareRestart(gracePeriod: number, directory: string): Promise<void> {
    const at = Date.now();
    this.step({ kind: 'prepare-restart', gracePeriod });
    await waitUntil(() => this.instance.restartPrepared(), this.options.graceAckWaitMs ?? 2000);
    const acknowledged = this.instance.restartPrepared();
    try {
      writeRestartRecord(directory, { at, gracePeriod, until: at + gracePeriod * 1000 });
      this.logger.notice(
        `graceful restart: ${acknowledged ? 'every Full neighbour acknowledged the grace-LSA' : 'not every neighbour acknowledged the grace-LSA in time'}; our LSAs and kernel routes stay for ${gracePeriod} s`,
      );
    } catch (err) {
      this.logger.error('graceful restart: cannot record the restart; the next start will be a normal one', { error: err instanceof Error ? err.message : String(err) });
    }
    await this.anycast.stop(false);
  }

  /** Flush our LSAs, then stop the announcer (which stops or leaves the proxies). */
  private async withdrawAll(options: DaemonStopOptions): Promise<void> {
    if (this.loop !== undefined) {
      // Withdraw first: stopping a SIP proxy can take its grace period, the network should not wait for it.
      await this.step({ kind: 'shutdown' });
      await waitUntil(() => !this.instance.neighbors().some((n) => n.state === 'Full' && n.retransmitCount > 0), this.options.flushWaitMs ?? 1000);
      // A neighbour that ignored the flush (MinLSArrival, RFC 2328 13 (5a)) still drops us at once.
      await this.step({ kind: 'goodbye' });
    }
    await this.anycast.stop(options.stopProxies === true);
  }

  /** Releases whatever open() got to; safe to call on a half-started daemon. keepRoutes: a graceful restart's (RFC 3623 2.1). */
  private async close(keepRoutes = false): Promise<void> {
    this.loop?.close();
    this.fib?.close();
    await this.control?.close();
    await this.metrics?.close();
    await this.fib?.settled();
    if (this.routes !== undefined) {
      if (!keepRoutes) {
        try {
          const result = await this.routes.removeAll();
          for (const failure of result.failed) this.logger.error('kernel refused to remove a route', { error: failure.message });
        } catch (err) {
          this.logger.error('cannot remove kernel routes', { error: err instanceof Error ? err.message : String(err) });
        }
      }
      this.routes.close();
    }
    this.transport?.closeAll();
    this.monitor?.close();
  }
}
