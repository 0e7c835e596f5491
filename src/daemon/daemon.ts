// ospf-anycastd's body, and the library's way to run an OSPF router with
// anycast announcements: it joins the sans-IO instance (engine + SPF) to
// Linux — raw sockets, netlink interfaces, kernel routes — and to the
// announcer, the control socket and the log.
//
//   netlink ──interface──▶ ┌──────────┐ ──send/membership──▶ raw sockets
//   raw sockets ──packet─▶ │ instance │ ──routes──▶ kernel (RouteInstaller)
//   announcer ──advertise─▶│ (sans-IO)│ ──events──▶ log, library events
//   one timer ──timer────▶ └──────────┘
//
// Everything that reaches the instance goes through step(): one input at a
// time, at performance.now(), its outputs applied before the next input.

import { dirname } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { Announcer, type AnycastPrefixOptions, type CustomCheckOptions, type StateChangeEvent } from '../anycast/index.js';
import { ControlServer, type ControlRequest } from '../control/protocol.js';
import type { CoreEvent, Input, InterfaceInfo, NeighborState, PrefixAdvertisement, RouterConfig } from '../core/api.js';
import { configuredRouterId, diffConfig, pickRouterId, toAnycastOptions, toRouterConfig, type DaemonConfig, type InterfaceConfig } from '../config/index.js';
import { OspfInstance, type InstanceOutput } from '../instance/instance.js';
import { netlinkAddressManager } from '../io/addresses.js';
import { InterfaceMonitor } from '../io/links.js';
import type { SyncResult } from '../io/routes.js';
import { OspfTransport } from '../io/transport.js';
import { formatIpv4, formatPrefix, parsePrefix, type Prefix } from '../lib/ipv4.js';
import { MultipathFib, type FibInstaller, type MultipathFibOptions, type MultipathSettings } from '../multipath/index.js';
import type { RouteChange } from '../spf/index.js';
import { kernelChanges, kernelRoutes } from './fib.js';
import type { Logger } from './logger.js';
import type { DaemonMetrics } from './metrics.js';
import { takeRestartRecord, writeRestartRecord, type RestartRecord } from './restart-record.js';
import { topologyDot } from './topology.js';
import { anycastRows, databaseRows, interfaceRows, lsaCountsByType, neighborRows, ospfSummary, restartReasonName, routeRows } from './views.js';

/** What the daemon needs from the system; tests replace parts of it. */
export interface DaemonSystem {
  monitor: () => Promise<InterfaceMonitor>;
  transport: () => OspfTransport;
  /** Kernel routes as nexthop groups, the multipath hash policy and per-packet spreading. */
  routes: (options: MultipathFibOptions) => FibInstaller;
}

/** Sources whose authentication failures are each logged once; beyond them (spoofed sources), a rate-limited line per reason. */
const AuthLogSources = 1024;

const linuxSystem: DaemonSystem = {
  monitor: () => InterfaceMonitor.start(),
  transport: () => new OspfTransport(),
  routes: (options) => new MultipathFib(options),
};

export interface DaemonOptions {
  config: DaemonConfig;
  logger: Logger;
  /** Re-read on reload() (SIGHUP); without it reload() is refused. */
  load?: () => Promise<DaemonConfig>;
  /** The control socket path, overriding the configuration; false for none. */
  controlSocket?: string | false;
  /** The group whose members may use the control socket (mode 0660); without one it is 0600. */
  controlSocketGroup?: number;
  /** Health checks written as functions, by prefix text ("10.206.206.1/32"). */
  customChecks?: Record<string, readonly CustomCheckOptions[]>;
  system?: Partial<DaemonSystem>;
  /** How long shutdown waits for neighbours to acknowledge the flushed LSAs. Default 1000 ms. */
  flushWaitMs?: number;
  /** How long a graceful restart waits for neighbours to acknowledge its grace-LSAs (RFC 3623 2.1). Default 2000 ms. */
  graceAckWaitMs?: number;
  /**
   * Where supervised proxies are recorded so that they outlive the daemon
   * (a restart adopts them); by default the control socket's directory.
   * false: proxies stop with the daemon (as does one under `proxy stop-on-exit`).
   */
  runDirectory?: string | false;
}

export interface DaemonStopOptions {
  /** Stop the supervised proxies too; by default they keep running for the next daemon to adopt. */
  stopProxies?: boolean;
  /**
   * A planned restart (RFC 3623 2.1), when `graceful-restart` is configured
   * and there is a run directory: grace-LSAs instead of the flush, our LSAs
   * and kernel routes left in place, the restart recorded for the next start.
   * The proxies keep running (stopProxies is not looked at).
   */
  gracefulRestart?: boolean;
}

export interface DaemonEvents {
  'neighbor-state': [event: Extract<CoreEvent, { type: 'neighbor-state' }>];
  'interface-state': [event: Extract<CoreEvent, { type: 'interface-state' }>];
  routes: [changes: RouteChange[]];
  'prefix-state': [event: StateChangeEvent];
  /** The daemon has stopped, whatever asked it to (a signal, `ospf-anycast stop`, stop()). */
  stopped: [];
}

/** Thrown by start() when the daemon cannot come up; nothing is left half-configured. */
export class DaemonStartError extends Error {
  override name = 'DaemonStartError';
}

/** A withdrawal (drain) waiting for every Full neighbour to acknowledge it. */
interface PendingAck {
  prefix: Prefix;
  mode: PrefixAdvertisement;
}

/** Changed prefixes handed to the route installer per update. */
const FibSlice = 8192;

export class OspfAnycastDaemon extends EventEmitter<DaemonEvents> {
  private config: DaemonConfig;
  private routerConfig!: RouterConfig;
  private instance!: OspfInstance;
  private monitor!: InterfaceMonitor;
  private transport!: OspfTransport;
  private routes!: FibInstaller & Partial<Pick<MultipathFib, 'multipath' | 'reconfigure'>>;
  private announcer: Announcer | undefined;
  private control: ControlServer | undefined;
  private metrics: DaemonMetrics | undefined;
  private readonly system: DaemonSystem;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private readonly startedAt = performance.now();
  /** How each external anycast prefix is advertised now (announce-as external). */
  private readonly externalModes = new Map<string, PrefixAdvertisement>();
  private pendingAcks: PendingAck[] = [];
  private fibSync: Promise<void> = Promise.resolve();
  private fibDirty = false;
  /** The next FIB job brings every route to the table (an interface changed, a periodic check): not only the changed ones. */
  private fibFull = false;
  /** Prefixes whose route changed since the last FIB job. */
  private readonly fibChanged = new Map<string, Prefix>();
  /** The kernel may have dropped routes behind our back (an interface went down): re-read it on the next sync. */
  private kernelCheck = false;
  /** Authentication failures already logged, by "source reason" (see logAuthFailure). */
  private readonly authFailuresLogged = new Set<string>();
  private kernelCheckTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Part of stopping: the prefixes withdrawn and the proxies stopped or left running. */
  private anycastStopped: Promise<void> | undefined;
  private closed = false;
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
    this.routerConfig = this.routerConfigFor(interfaces);
    this.routes = this.system.routes({
      table: this.config.kernelRoutes.table,
      metric: this.config.kernelRoutes.metric,
      ...multipathSettings(this.config),
      ifIndexOf: (name) => this.monitor.get(name)?.ifIndex,
      log: (level, message, fields) => this.logger.log(level, message, fields),
    });
    const restart = this.takeRestart();
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

    // Anycast prefixes stay out of the LSDB until their checks have passed (rise); one
    // announced as external never goes out as a stub link, even under a network statement.
    for (const block of this.config.anycast) this.step({ kind: 'advertise', prefix: block.prefix, mode: 'withdraw' });
    for (const info of interfaces) this.step({ kind: 'interface', info });
    this.monitor.on('interface', (info) => this.onInterface(info));
    this.checkInterfacesExist();
    this.checkAnycastOnlyInterfaces();
    this.monitor.on('error', (error) => this.logger.warning('netlink interface monitor error', { error: error.message }));

    await this.startAnnouncer();
    // Once a minute, make sure the kernel still holds what we installed.
    this.kernelCheckTimer = setInterval(() => {
      this.kernelCheck = true;
      // No route changed: the check re-reads the kernel and plans only what it lost.
      this.syncFib([]);
    }, 60_000);
    this.kernelCheckTimer.unref();
    if (this.config.metricsListen !== undefined) await this.startMetrics(formatIpv4(this.config.metricsListen.address), this.config.metricsListen.port);
    const socketPath = this.options.controlSocket ?? this.config.controlSocket;
    if (socketPath !== false) {
      this.control = await ControlServer.listen(socketPath, (request) => this.handleControl(request), { group: this.options.controlSocketGroup });
    }
    this.logger.notice('ospf-anycastd started', {
      routerId: formatIpv4(this.routerConfig.routerId),
      area: formatIpv4(this.routerConfig.areaId),
      control: socketPath === false ? 'none' : socketPath,
    });
  }

  private async startMetrics(address: string, port: number): Promise<void> {
    // Loaded only when configured: prom-client alone adds about 12 MB to the daemon's RSS.
    const { DaemonMetrics } = await import('./metrics.js');
    const metrics = new DaemonMetrics({
      neighbors: () => this.instance.neighbors(),
      lsaCounts: () => {
        const { total: _total, ...byType } = lsaCountsByType(this.instance.lsdb(performance.now()));
        return byType;
      },
      drops: () => this.instance.stats().drops,
      packets: () => {
        const stats = this.instance.stats();
        return { received: stats.packetsReceived, sent: stats.packetsSent };
      },
      transportDrops: () => {
        const total: Record<string, number> = {};
        for (const name of this.transport.interfaces()) {
          for (const [reason, count] of Object.entries(this.transport.get(name)?.counters().dropped ?? {})) {
            total[reason] = (total[reason] ?? 0) + (count ?? 0);
          }
        }
        return total;
      },
      prefixes: () => this.announcer?.status() ?? [],
    });
    await metrics.listen(address, port);
    this.metrics = metrics;
    this.logger.info('metrics endpoint listening', { address, port });
  }

  /** The anycast blocks as announcer options, with a library user's own checks added. */
  private anycastOptions(): AnycastPrefixOptions[] {
    return toAnycastOptions(this.config).map((p) => ({
      ...p,
      checks: [...p.checks, ...(this.options.customChecks?.[formatPrefix(p.prefix)] ?? [])],
    }));
  }

  /**
   * The record of the planned restart this start follows, when its grace
   * period still runs; taken (removed) whatever it holds. A corrupt or
   * expired record is said in the log and the start is a normal one.
   */
  private takeRestart(): RestartRecord | undefined {
    const directory = this.runDirectory();
    if (directory === undefined) return undefined;
    const now = Date.now();
    const lookup = takeRestartRecord(directory, now);
    if (lookup.kind === 'none') return undefined;
    if (lookup.kind === 'corrupt') {
      this.logger.warning(`graceful restart record ignored, starting normally: ${lookup.reason}`);
      return undefined;
    }
    const until = new Date(lookup.record.until).toISOString();
    if (lookup.record.until <= now) {
      this.logger.notice(`graceful restart: the grace period ended at ${until}, starting normally`);
      return undefined;
    }
    this.logger.notice(`graceful restart: restarting within the grace period, which ends at ${until}`, { gracePeriod: lookup.record.gracePeriod });
    return lookup.record;
  }

  /** Where proxies are recorded to outlive the daemon; undefined when they live and die with it. */
  private runDirectory(): string | undefined {
    const configured = this.options.runDirectory;
    if (configured !== undefined) return configured === false ? undefined : configured;
    const socket = this.options.controlSocket ?? this.config.controlSocket;
    return socket === false ? undefined : dirname(socket);
  }

  private async startAnnouncer(): Promise<void> {
    if (this.config.anycast.length === 0) return;
    const announcer = new Announcer({
      // Checks written as functions by a library user join the configured ones.
      prefixes: this.anycastOptions(),
      advertise: (ad) => this.advertise(ad.prefix, ad.mode, ad.announceAs.kind),
      addressManager: netlinkAddressManager,
      awaitAcknowledgement: true,
      recordDirectory: this.runDirectory(),
      log: (entry) => {
        const level = entry.level === 'warn' ? 'warning' : entry.level;
        this.logger.log(level, entry.message, { prefix: entry.prefix });
      },
    });
    announcer.on('check', (event) => this.metrics?.check(event.prefix, event.check, event.result.ok, event.result.latencyMs));
    announcer.on('state', (event) => {
      this.logger.notice(`anycast ${event.prefix}: ${event.from} -> ${event.to}`, { reason: event.reason, check: event.check });
      this.emit('prefix-state', event);
    });
    this.announcer = announcer;
    await announcer.start();
  }

  /** The announcer decided how a prefix is advertised: hand it to the engine. */
  private advertise(prefix: Prefix, mode: PrefixAdvertisement, announceAs: 'stub' | 'external'): void {
    if (this.stopping !== undefined) return;
    if (announceAs === 'stub') {
      this.step({ kind: 'advertise', prefix, mode });
    } else {
      this.externalModes.set(formatPrefix(prefix), mode);
      this.refreshRouterConfig();
    }
    this.pendingAcks = this.pendingAcks.filter((p) => formatPrefix(p.prefix) !== formatPrefix(prefix));
    this.pendingAcks.push({ prefix, mode });
    this.checkAcks();
  }

  /**
   * A change is acknowledged once the LSA instance that carries it has been
   * originated, however long MinLSInterval holds it back (RFC 2328 12.4), and
   * every Full neighbour has acknowledged it (13.6): the engine has no
   * origination of ours waiting and none of our LSAs left to retransmit.
   */
  private checkAcks(): void {
    if (this.pendingAcks.length === 0 || this.announcer === undefined) return;
    if (!this.instance.ownChangesAcknowledged()) return;
    const done = this.pendingAcks;
    this.pendingAcks = [];
    for (const p of done) this.announcer.acknowledge(p.prefix, p.mode);
  }

  // ---------------------------------------------------------------- the loop

  /** Hands one input to the instance and carries out its outputs. */
  private step(input: Input): void {
    if (this.instance === undefined) return;
    let outputs: InstanceOutput[];
    try {
      outputs = this.instance.handle(input, performance.now());
    } catch (err) {
      // A bug in the engine: log it with what triggered it and keep running.
      this.logger.error('engine failed on an input', { input: input.kind, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      this.arm();
      return;
    }
    if (input.kind === 'interface' || input.kind === 'config') this.reconcileSockets();
    for (const output of outputs) this.apply(output);
    this.checkAcks();
    this.arm();
  }

  private apply(output: InstanceOutput): void {
    switch (output.kind) {
      case 'membership':
        // Leaving the groups of an interface that went down (RFC 2328 9.3 InterfaceDown): its
        // socket is closed already, and the memberships went with it.
        if (!output.join && this.transport.get(output.ifName) === undefined) return;
        this.applyToSocket(output);
        return;
      case 'send':
        this.applyToSocket(output);
        return;
      case 'event':
        this.onEvent(output.event);
        return;
      case 'routes':
        if (output.run !== 'none') this.metrics?.spf(output.run, output.durationUs);
        if (this.restartOver && output.run !== 'none') {
          // RFC 3623 2.3: the first routing table after the restart replaces the kernel's, route by route.
          this.restarting = false;
          this.restartOver = false;
          this.syncFib();
        } else if (output.changes.length > 0) this.syncFib(output.changes);
        if (output.changes.length > 0) this.emit('routes', output.changes);
        return;
      case 'lsdb':
        return;
    }
  }

  /** The engine's events: logged, and offered to the library's listeners. */
  private onEvent(event: CoreEvent): void {
    switch (event.type) {
      case 'graceful-restart':
        this.onRestart(event);
        return;
      case 'graceful-restart-helper':
        this.onHelper(event);
        return;
      case 'neighbor-state':
        this.onNeighborState(event);
        return;
      case 'interface-state':
        this.logger.info(`interface ${event.ifName}: ${event.from} -> ${event.to}`, { ifName: event.ifName });
        this.emit('interface-state', event);
        return;
      case 'drop':
        this.onDrop(event);
        return;
    }
  }

  private onDrop(event: Extract<CoreEvent, { type: 'drop' }>): void {
    if (event.reason.startsWith('auth-')) {
      this.logAuthFailure(event.ifName, event.reason, event.src);
    } else if (event.reason === 'duplicate-router-id') {
      // A misconfiguration, not a race: said at error level, once an hour per sender; every packet is counted.
      const src = formatIpv4(event.src);
      this.logger.limited(
        `duplicate-router-id:${event.ifName}:${src}`,
        'error',
        `Duplicate Router ID: ${src} on ${event.ifName} uses our router id ${formatIpv4(this.routerConfig.routerId)}; no adjacency is formed with it`,
        { ifName: event.ifName, src },
        3_600_000,
      );
    } else {
      // Counted by the engine; most are ordinary protocol races (MinLSArrival, a DD before 2-Way).
      this.logger.limited(`drop:${event.ifName}:${event.reason}`, 'debug', 'dropped an OSPF packet', {
        ifName: event.ifName,
        reason: event.reason,
        src: formatIpv4(event.src),
      });
    }
  }

  /**
   * A packet that failed authentication (wrong key, password, type, or a
   * replay): a warning the first time a source address fails for a reason,
   * then only the engine's counter grows, so a misconfigured or hostile
   * neighbour cannot flood the log. Past AuthLogSources sources the
   * rate-limited log per reason takes over.
   */
  private logAuthFailure(ifName: string, reason: string, src: number): void {
    const key = `${formatIpv4(src)} ${reason}`;
    const fields = { ifName, reason, src: formatIpv4(src) };
    if (this.authFailuresLogged.has(key)) return;
    if (this.authFailuresLogged.size >= AuthLogSources) {
      this.logger.limited(`auth:${reason}`, 'warning', 'OSPF authentication failed', fields);
      return;
    }
    this.authFailuresLogged.add(key);
    this.logger.warning('OSPF authentication failed; further failures of this neighbour for this reason are only counted', fields);
  }

  /** A packet or a group membership for an interface's socket; a failure is logged, rate-limited. */
  private applyToSocket(output: Extract<InstanceOutput, { kind: 'send' | 'membership' }>): void {
    this.transport.apply(output).catch((err: unknown) =>
      this.logger.limited(`send:${output.ifName}`, 'warning', 'cannot send on interface', {
        ifName: output.ifName,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  /** One timer for the whole instance, set to its next deadline. */
  private arm(): void {
    if (this.closed) return;
    const at = this.instance.nextDeadline();
    if (at === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.step({ kind: 'timer' });
      },
      Math.max(0, at - performance.now()),
    );
  }

  /**
   * RFC 3623 2: the phases of our own graceful restart. Once restarting mode
   * is over, the kernel gets the routes computed since (2.3): each replaced
   * in place, those no longer wanted deleted.
   */
  private onRestart(e: Extract<CoreEvent, { type: 'graceful-restart' }>): void {
    const until = new Date(performance.timeOrigin + e.until).toISOString();
    if (e.action === 'prepare') this.logger.notice(`graceful restart: grace-LSAs sent; the neighbours keep us until ${until}`);
    else if (e.action === 'enter') this.logger.notice(`graceful restart: restarting mode until ${until}: no LSA of ours originated, kernel routes untouched`);
    else {
      this.logger.notice(`graceful restart: restarting mode over (${e.why ?? 'unknown'}); our LSAs originated anew, kernel routes replaced after the next SPF run`);
      // The exit comes with the last adjacency's LoadingDone, before the SPF has run on what it loaded.
      if (this.restarting) this.restartOver = true;
    }
  }

  /** RFC 3623 3: helping a restarting neighbor, said at notice level as FRR does. */
  private onHelper(e: Extract<CoreEvent, { type: 'graceful-restart-helper' }>): void {
    const who = `neighbor ${formatIpv4(e.routerId)} on ${e.ifName}`;
    const until = new Date(performance.timeOrigin + e.until).toISOString();
    const fields = { neighbor: formatIpv4(e.routerId), address: formatIpv4(e.address), ifName: e.ifName };
    if (e.action === 'enter') {
      this.logger.notice(`graceful restart: helping ${who} until ${until} (${restartReasonName(e.restartReason)})`, { ...fields, until });
    } else if (e.action === 'exit') {
      this.logger.notice(`graceful restart: stopped helping ${who} (${e.why ?? 'unknown'})`, fields);
    } else {
      this.logger.warning(`graceful restart: not helping ${who} (${e.why ?? 'unknown'})`, fields);
    }
  }

  private onNeighborState(e: Extract<CoreEvent, { type: 'neighbor-state' }>): void {
    const mode = this.config.ospf.logAdjacencyChanges;
    const important = (s: NeighborState): boolean => s === 'Full' || s === 'Down';
    const text = `neighbor ${formatIpv4(e.routerId)} on ${e.ifName}: ${e.from} -> ${e.to} (${e.reason})`;
    const fields = { neighbor: formatIpv4(e.routerId), address: formatIpv4(e.address), ifName: e.ifName };
    // FRR logs Full/Down transitions with log-adjacency-changes, every one with "detail";
    // without either, those two still go out at info, the rest at debug.
    const major = important(e.from) || important(e.to);
    if (mode === 'detail' || (mode === 'on' && major)) this.logger.notice(text, fields);
    else if (major) this.logger.info(text, fields);
    else this.logger.debug(text, fields);
    this.metrics?.adjacencyChange(e.ifName, e.to);
    this.emit('neighbor-state', e);
  }

  /**
   * An `interface NAME` (or passive-interface NAME) the kernel does not have
   * is not an error: as in FRR, its settings wait for it and apply when it
   * appears. Said at start and at every reload, while it is missing.
   */
  private checkInterfacesExist(): void {
    const named = new Set([...Object.keys(this.config.interfaces), ...Object.keys(this.config.ospf.passiveInterfaces)]);
    this.missing = new Set([...named].filter((name) => this.monitor.get(name) === undefined).sort());
    for (const name of this.missing) {
      this.logger.warning(`interface ${name} is configured but does not exist: its settings apply when it appears`, { ifName: name });
    }
  }

  /**
   * OSPF never runs from an anycast address (every node carries it), so the
   * `ip ospf` settings of an interface that carries only anycast addresses
   * wait for an address of its own. Said at start and at every reload.
   */
  private checkAnycastOnlyInterfaces(): void {
    for (const view of this.instance.interfaces()) {
      if (view.state !== 'Loopback' || this.monitor.get(view.name)?.loopback !== false) continue;
      if (!hasOspfSettings(this.config.interfaces[view.name])) continue;
      this.logger.warning(
        `interface ${view.name} carries only anycast addresses: OSPF does not run on it, and its ip ospf settings apply once it has an address of its own inside a network`,
        { ifName: view.name },
      );
    }
  }

  private onInterface(info: InterfaceInfo): void {
    if (this.missing.delete(info.name)) this.logger.notice(`configured interface ${info.name} appeared`, { ifName: info.name });
    this.step({ kind: 'interface', info });
    this.refreshRouterConfig();
    // Next hops through an interface that changed may now resolve differently,
    // and the kernel deletes routes through an interface that goes down.
    if (!info.up) this.kernelCheck = true;
    this.syncFib();
  }

  /**
   * The engine's configuration for these interfaces. With anycast prefixes,
   * LSAs may be re-originated as often as the announcer spaces its changes
   * (min-interval, at least the 1 s MinLSArrival of the receivers), so a
   * withdrawal never waits out the RFC's 5 s MinLSInterval. An explicit
   * `timers throttle lsa all` wins.
   */
  private routerConfigFor(interfaces: readonly InterfaceInfo[]): RouterConfig {
    const config = toRouterConfig(this.config, interfaces, { anycastModes: this.externalModes });
    if (this.config.anycast.length === 0 || this.config.ospf.lsaIntervalMs !== undefined) return config;
    // 100 ms over the receivers' 1 s MinLSArrival (RFC 2328 13 (5a)), so a neighbour seldom
    // drops the new instance; one that does gets it again after MinLSArrival.
    const spacing = Math.max(1000, Math.min(...this.config.anycast.map((a) => a.minInterval))) + 100;
    return { ...config, minLsIntervalMs: spacing };
  }

  /** Recomputes the engine's configuration (redistributed connected routes follow the interfaces). */
  private refreshRouterConfig(): void {
    const next = this.routerConfigFor(this.monitor.interfaces());
    if (JSON.stringify(next) === JSON.stringify(this.routerConfig)) return;
    this.routerConfig = next;
    this.step({ kind: 'config', config: next });
  }

  /** Opens a raw socket on every interface the engine speaks OSPF on, closes the others. */
  private reconcileSockets(): void {
    if (this.stopping !== undefined) return;
    const wanted = new Map<string, { address: number; networkType: 'broadcast' | 'point-to-point' }>();
    for (const view of this.instance.interfaces()) {
      if (view.state === 'Down' || view.state === 'Loopback' || view.passive || view.address === 0) continue;
      wanted.set(view.name, { address: view.address, networkType: view.networkType });
    }
    for (const name of this.transport.interfaces()) if (!wanted.has(name)) this.transport.close(name);
    for (const [name, want] of wanted) {
      const info = this.monitor.get(name);
      if (info === undefined) continue;
      const open = this.transport.get(name);
      try {
        if (open === undefined) {
          this.transport.open({ ifName: name, ifIndex: info.ifIndex, networkType: want.networkType, addresses: info.addresses, sourceAddress: want.address });
        } else {
          // ifIndex too: an interface deleted and created again under its name needs a new binding.
          open.update({ ifIndex: info.ifIndex, addresses: info.addresses, networkType: want.networkType, sourceAddress: want.address });
        }
      } catch (err) {
        this.logger.error('cannot open the OSPF socket of an interface', { ifName: name, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /**
   * Brings the kernel in line with the routing table; one job at a time, the
   * latest state wins. With the SPF's changes, only their prefixes are
   * touched; without, every route is compared (interfaces changed, periodic check).
   */
  private syncFib(changes?: readonly RouteChange[]): void {
    // RFC 3623 2.2: while restarting, the kernel keeps forwarding on the routes of before; the end of it syncs them all.
    if (this.stopping !== undefined || this.restarting) return;
    if (changes === undefined) this.fibFull = true;
    else for (const change of changes) this.fibChanged.set(formatPrefix(change.prefix), change.prefix);
    if (this.fibDirty) return;
    this.fibDirty = true;
    this.fibSync = this.fibSync.then(async () => {
      this.fibDirty = false;
      if (this.stopping !== undefined) return;
      const byName = new Map(this.monitor.interfaces().map((i) => [i.name, i]));
      const full = this.fibFull;
      const changed = [...this.fibChanged.values()];
      this.fibFull = false;
      this.fibChanged.clear();
      const table = this.instance.routes();
      const apply = async (): Promise<SyncResult> => {
        if (full) return this.routes.sync(kernelRoutes(table.routes(), byName));
        // A few thousand prefixes at a time: what the installer makes per route lives only as long as its slice.
        const total: SyncResult = { added: [], replaced: [], removed: [], unchanged: 0, failed: [] };
        for (let at = 0; at < changed.length; at += FibSlice) {
          const { routes, removed } = kernelChanges(changed.slice(at, at + FibSlice), table, byName);
          const result = await this.routes.update(routes, removed);
          total.added.push(...result.added);
          total.replaced.push(...result.replaced);
          total.removed.push(...result.removed);
          total.unchanged += result.unchanged;
          total.failed.push(...result.failed);
        }
        return total;
      };
      try {
        let result = await apply();
        if (this.kernelCheck) {
          this.kernelCheck = false;
          const repaired = await this.routes.refresh();
          result = { ...repaired, failed: [...result.failed, ...repaired.failed] };
        }
        for (const failure of result.failed) this.logger.warning('kernel refused a route', { error: failure.message });
        if (result.added.length + result.replaced.length + result.removed.length > 0) {
          this.logger.info('kernel routes updated', { added: result.added.length, replaced: result.replaced.length, removed: result.removed.length });
        }
      } catch (err) {
        this.logger.error('cannot update kernel routes', { error: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  // ---------------------------------------------------------------- operator actions

  /** Withdraws one anycast prefix (or all) and resolves once the neighbours have acknowledged it. */
  async drain(prefix?: string, timeoutMs?: number, source: 'cli' | 'library' = 'library'): Promise<void> {
    if (this.announcer === undefined) throw new Error('no anycast prefix is configured');
    await this.announcer.drain(prefix === undefined ? undefined : parsePrefix(prefix), { source, timeoutMs });
  }

  undrain(prefix?: string, source: 'cli' | 'library' = 'library'): void {
    if (this.announcer === undefined) throw new Error('no anycast prefix is configured');
    this.announcer.undrain(prefix === undefined ? undefined : parsePrefix(prefix), source);
  }

  /** Re-reads the configuration and applies the difference; adjacencies whose settings did not change stay up. */
  async reload(): Promise<string> {
    if (this.options.load === undefined) throw new Error('this daemon has no configuration file to reload');
    const next = await this.options.load();
    const diff = diffConfig(this.config, next);
    if (diff.unchanged) return 'configuration unchanged';
    // The daemon's user was chosen before it started: it has no privilege left to change it.
    if (diff.daemon.includes('user')) throw new Error('the user statement changed: restart the daemon to apply it');
    if (diff.restartRequired && next.ospf.routerId !== undefined) {
      throw new Error('the router id or the area changed: restart the daemon to apply it');
    }
    // Load sharing first: when it cannot be applied (no nft), nothing of the file is.
    const loadSharing = multipathSettings(next);
    const loadSharingChanged = JSON.stringify(loadSharing) !== JSON.stringify(multipathSettings(this.config));
    if (loadSharingChanged) await this.reconfigureFib(loadSharing);
    const routerId = next.ospf.routerId ?? this.config.ospf.routerId;
    this.config = { ...next, ospf: { ...next.ospf, routerId } };
    this.checkInterfacesExist();
    // New stub prefixes start withdrawn, like at start; the announcer announces them after rise.
    // Before the new networks: an address of theirs is an anycast one from the first, never an
    // interface address sending a Hello.
    for (const p of diff.anycast.added) this.step({ kind: 'advertise', prefix: p, mode: 'withdraw' });
    this.refreshRouterConfig();
    const anycastChanges = diff.anycast.added.length + diff.anycast.removed.length + diff.anycast.changed.length;
    if (anycastChanges > 0) {
      for (const p of diff.anycast.removed) this.step({ kind: 'advertise', prefix: p, mode: 'withdraw' });
      if (this.announcer === undefined) await this.startAnnouncer();
      // Unchanged prefixes keep their state and their proxy keeps running.
      else await this.announcer.reconfigure(this.anycastOptions());
    }
    this.checkAnycastOnlyInterfaces();
    const summary = `reloaded: ${diff.interfaces.length} interface(s), ${diff.router.length} router setting(s), ${
      diff.anycast.added.length + diff.anycast.removed.length + diff.anycast.changed.length
    } anycast block(s) changed${loadSharingChanged ? `; load sharing now ${describeLoadSharing(loadSharing)}` : ''}`;
    this.logger.notice(summary);
    return summary;
  }

  /**
   * New multipath settings go to the kernel in the FIB's queue, after any
   * sync under way: OSPF is not touched, adjacencies and the routing table
   * stay, the routes move to groups of the new kind.
   */
  private async reconfigureFib(settings: MultipathSettings): Promise<void> {
    const routes = this.routes;
    if (routes.reconfigure === undefined) throw new Error('the route installer cannot change multipath settings: restart the daemon to apply them');
    const run = this.fibSync.then(() => routes.reconfigure?.(settings));
    this.fibSync = run.then(
      () => undefined,
      () => undefined,
    );
    const result = await run;
    for (const failure of result?.failed ?? []) this.logger.warning('kernel refused a route', { error: failure.message });
    this.logger.notice('multipath settings applied', { loadSharing: describeLoadSharing(settings) });
  }

  private async handleControl(request: ControlRequest): Promise<unknown> {
    const args = request.args;
    switch (request.command) {
      case 'show':
        return this.show(String(args.what), args);
      case 'drain': {
        const prefix = typeof args.prefix === 'string' ? args.prefix : undefined;
        const timeoutMs = typeof args.timeoutMs === 'number' ? args.timeoutMs : undefined;
        await this.drain(prefix, timeoutMs, 'cli');
        return { message: `drained ${prefix ?? 'all anycast prefixes'}: the withdrawal is acknowledged by every neighbor` };
      }
      case 'undrain': {
        const prefix = typeof args.prefix === 'string' ? args.prefix : undefined;
        this.undrain(prefix, 'cli');
        return { message: `undrained ${prefix ?? 'all anycast prefixes'}` };
      }
      case 'reload':
        return { message: await this.reload() };
      case 'stop': {
        if (this.stopping !== undefined) throw new Error('the daemon is already stopping');
        const stopProxies = args.stopProxies === true;
        this.stop({ stopProxies }).catch((err: unknown) => this.logger.error('unclean stop', { error: err instanceof Error ? err.message : String(err) }));
        // The answer goes once the prefixes are withdrawn and the proxies dealt with; the control socket closes after it.
        await this.anycastStopped;
        return { message: stopProxies ? 'withdrawn; the SIP proxy is stopped; the daemon exits' : 'withdrawn; the SIP proxy keeps running; the daemon exits' };
      }
      default:
        throw new Error(`unknown command "${request.command}"`);
    }
  }

  /** The answers to `ospf-anycast show …`. */
  show(what: string, args: Record<string, unknown> = {}): unknown {
    const now = performance.now();
    switch (what) {
      case 'ospf':
        return ospfSummary({
          instance: this.instance,
          areaId: this.routerConfig.areaId,
          throttle: this.routerConfig.spfThrottle,
          maximumPaths: this.routerConfig.maximumPaths,
          stubRouter: this.routerConfig.stubRouter,
          gracePeriod: this.config.ospf.gracefulRestart?.gracePeriod,
          startedAt: this.startedAt,
          now,
          timeOrigin: performance.timeOrigin,
        });
      case 'interfaces':
        return interfaceRows(this.instance);
      case 'neighbors':
        return neighborRows(this.instance, now, performance.timeOrigin);
      case 'database':
        return {
          areaId: formatIpv4(this.routerConfig.areaId),
          lsas: databaseRows(this.instance, now, typeof args.type === 'string' ? args.type : undefined, typeof args.lsId === 'string' ? args.lsId : undefined),
        };
      case 'routes':
        return routeRows(this.instance, (prefix) => this.routes.multipath?.(prefix));
      case 'anycast':
        return anycastRows(this.announcer?.status() ?? [], this.monitor.interfaces());
      case 'topology':
        return topologyDot({
          routerId: this.routerConfig.routerId,
          lsas: this.instance.lsdb(now).flatMap((h) => this.instance.lsa(h, now) ?? []),
          distance: (kind, id) => this.instance.distance(kind, id),
          anycast: this.config.anycast.map((a) => formatPrefix(a.prefix)),
        });
      default:
        throw new Error(`cannot show "${what}"`);
    }
  }

  // ---------------------------------------------------------------- shutdown

  /**
   * Clean stop (SIGTERM): withdraw everything by premature aging (RFC 2328
   * 14.1) so neighbours drop us at once, wait briefly for their
   * acknowledgements, leave the supervised proxies running for the next
   * daemon (or stop them: `stopProxies`, `proxy stop-on-exit`), remove our
   * kernel routes, close everything.
   */
  /** Whether `graceful-restart` is configured: SIGTERM then restarts gracefully. */
  gracefulRestartConfigured(): boolean {
    return this.config.ospf.gracefulRestart !== undefined;
  }

  stop(options: DaemonStopOptions = {}): Promise<void> {
    this.stopping ??= this.shutdown(options);
    return this.stopping;
  }

  private async shutdown(options: DaemonStopOptions): Promise<void> {
    const gracePeriod = options.gracefulRestart === true ? this.config.ospf.gracefulRestart?.gracePeriod : undefined;
    const directory = this.runDirectory();
    const graceful = gracePeriod !== undefined && directory !== undefined && this.instance !== undefined;
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
    const deadline = performance.now() + (this.options.graceAckWaitMs ?? 2000);
    while (performance.now() < deadline && !this.instance.restartPrepared()) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const acknowledged = this.instance.restartPrepared();
    try {
      writeRestartRecord(directory, { at, gracePeriod, until: at + gracePeriod * 1000 });
      this.logger.notice(
        `graceful restart: ${acknowledged ? 'every Full neighbour acknowledged the grace-LSA' : 'not every neighbour acknowledged the grace-LSA in time'}; our LSAs and kernel routes stay for ${gracePeriod} s`,
      );
    } catch (err) {
      this.logger.error('graceful restart: cannot record the restart; the next start will be a normal one', { error: err instanceof Error ? err.message : String(err) });
    }
    await this.announcer?.stop({ stopProxies: false });
  }

  /** Flush our LSAs, then stop the announcer (which stops or leaves the proxies). */
  private async withdrawAll(options: DaemonStopOptions): Promise<void> {
    if (this.instance !== undefined) {
      // Withdraw first: stopping a SIP proxy can take its grace period, the network should not wait for it.
      const sends = (input: Input): Promise<unknown>[] =>
        this.instance
          .handle(input, performance.now())
          .filter((o) => o.kind === 'send')
          .map((o) => this.transport.apply(o as Extract<InstanceOutput, { kind: 'send' }>).catch(() => undefined));
      await Promise.all(sends({ kind: 'shutdown' }));
      const deadline = performance.now() + (this.options.flushWaitMs ?? 1000);
      while (performance.now() < deadline && this.instance.neighbors().some((n) => n.state === 'Full' && n.retransmitCount > 0)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // A neighbour that ignored the flush (MinLSArrival, RFC 2328 13 (5a)) still drops us at once.
      await Promise.all(sends({ kind: 'goodbye' }));
    }
    await this.announcer?.stop({ stopProxies: options.stopProxies === true });
  }

  /** Releases whatever open() got to; safe to call on a half-started daemon. keepRoutes: a graceful restart's (RFC 3623 2.1). */
  private async close(keepRoutes = false): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.kernelCheckTimer !== undefined) clearInterval(this.kernelCheckTimer);
    this.timer = undefined;
    await this.control?.close();
    await this.metrics?.close();
    await this.fibSync;
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

/** Whether an interface section sets anything of OSPF's (a description or load sharing alone does not). */
function hasOspfSettings(ifc: InterfaceConfig | undefined): boolean {
  if (ifc === undefined) return false;
  const { description: _description, loadSharing: _loadSharing, authentication, ...ospf } = ifc;
  const auth = authentication.type !== undefined || authentication.simpleKey !== undefined || authentication.keys.length > 0;
  return auth || Object.values(ospf).some((v) => v !== undefined);
}

/** The load-sharing settings of a configuration: `multipath group|hash` and the interfaces with `ip load-sharing per-packet`. */
function multipathSettings(config: DaemonConfig): MultipathSettings {
  return {
    multipath: config.ospf.multipath,
    perPacketInterfaces: Object.keys(config.interfaces)
      .filter((name) => config.interfaces[name]?.loadSharing === 'per-packet')
      .sort(),
  };
}

/** "resilient groups, hash layer4, per-packet on eth0", for the log and the reload answer. */
function describeLoadSharing(settings: MultipathSettings): string {
  const perPacket = settings.perPacketInterfaces.length > 0 ? `per-packet on ${settings.perPacketInterfaces.join(', ')}` : 'per-flow';
  return `${settings.multipath.group.kind} groups, hash ${settings.multipath.hash}, ${perPacket}`;
}
