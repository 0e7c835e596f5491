// One OSPF instance, still sans-IO: the protocol engine (src/core) and the
// route calculation (src/spf) joined. LSDB changes from the engine feed the
// SPF; the SPF throttle decides when it runs; its table diff comes out as a
// 'routes' output for the FIB.
//
//   Input, now ──▶ core.handle ──▶ Output[] ──┬──▶ returned as they are
//                                             └── 'lsdb' / interface changes ──▶ spf
//   timer at throttle's due time ──▶ spf.calculate ──▶ { kind: 'routes', changes }
//
// Between the LSDB and the SPF sits the transit hold (transit-hold.ts): while
// the DR of a segment we are on leaves, the SPF keeps that segment.

import { createRouter, type CoreStats, type OspfRouter } from '../core/index.js';
import type {
  Input,
  InterfaceView,
  NeighborView,
  OspfCore,
  Output,
  RouterConfig,
  StubRouterView,
} from '../core/api.js';
import { LsaType, type Lsa, type LsaHeader, type LsaKey } from '../packet/types.js';
import { Spf, SpfScheduler, type RouteChange, type RouteTableView, type SpfRunKind } from '../spf/index.js';
import { settingsFor } from '../core/defaults.js';
import { TransitHolds, type HoldContext } from './transit-hold.js';
import { decodeLsa } from '../packet/index.js';

/** What an instance returns: the engine's outputs, plus routing table changes. */
export type InstanceOutput =
  | Output
  | { kind: 'routes'; changes: RouteChange[]; run: SpfRunKind; durationUs: number | undefined };

export interface InstanceOptions {
  config: RouterConfig;
  /** Uniform in [0, 1): the engine's only source of randomness. */
  random: () => number;
  /**
   * A monotonic clock in ms used only to measure how long an SPF run takes
   * (for `show ospf`); the protocol never reads it. Leave it out in the
   * simulator to keep runs byte-for-byte reproducible.
   */
  measure?: () => number;
  /** Wall-clock seconds at start, for the cryptographic sequence number (CoreOptions.authSequenceBase). */
  authSequenceBase?: number;
  /** This start follows a graceful restart (CoreOptions.gracefulRestart). */
  gracefulRestart?: { until: number };
}

export interface SpfStats {
  runs: number;
  fullRuns: number;
  partialRuns: number;
  lastDurationUs: number | null;
  lastKind: 'full' | 'partial' | null;
  /** The `now` of the last run. */
  lastAt: number | null;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class OspfInstance {
  private readonly core: OspfRouter;
  private spf: Spf;
  private readonly scheduler: SpfScheduler;
  private readonly holds = new TransitHolds();
  /** Our wanted router- and network-LSAs last handed to the SPF, by "type:lsId". */
  private readonly ownFed = new Map<string, Uint8Array>();
  private config: RouterConfig;
  private readonly measure: (() => number) | undefined;
  private readonly spfStats: SpfStats = { runs: 0, fullRuns: 0, partialRuns: 0, lastDurationUs: null, lastKind: null, lastAt: null };
  /** The initial load: a neighbour is in Exchange or Loading (RFC 2328 10.1) and none is Full yet. */
  private loading = false;

  constructor(options: InstanceOptions) {
    this.config = options.config;
    this.measure = options.measure;
    this.core = createRouter({
      config: options.config,
      random: options.random,
      authSequenceBase: options.authSequenceBase,
      ...(options.gracefulRestart === undefined ? {} : { gracefulRestart: options.gracefulRestart }),
    });
    this.spf = this.newSpf(options.config);
    this.scheduler = new SpfScheduler(options.config.spfThrottle);
  }

  private newSpf(config: RouterConfig): Spf {
    return new Spf({ routerId: config.routerId, areaId: config.areaId, maximumPaths: config.maximumPaths, clock: this.measure });
  }

  handle(input: Input, now: number): InstanceOutput[] {
    if (input.kind === 'config') this.reconfigure(input.config, now);
    const outputs: InstanceOutput[] = this.core.handle(input, now);
    let interfacesChanged = input.kind === 'interface' || input.kind === 'config';
    let neighborsChanged = interfacesChanged;
    const ctx = this.holdContext(now);
    for (const output of outputs) {
      if (output.kind === 'lsdb') {
        this.holds.changed(output.key, ctx);
        this.feed(output.key, now, ctx);
      } else if (output.kind === 'event' && output.event.type === 'interface-state') interfacesChanged = true;
      else if (output.kind === 'event' && output.event.type === 'neighbor-state') neighborsChanged = true;
    }
    for (const key of this.holds.refresh(ctx)) this.feed(key, now, ctx);
    // Our router- and network-LSAs change first in the engine's wants, later (MinLSInterval) in the LSDB.
    this.refreshOwn(now, ctx);
    if (interfacesChanged) this.spf.setInterfaces(this.spfInterfaces());
    // The initial load only: with a Full neighbor the table already routes, and a failure
    // elsewhere must not wait for another neighbor's exchange to end.
    if (neighborsChanged) {
      const neighbors = this.core.neighbors();
      this.loading = neighbors.some((n) => n.state === 'Exchange' || n.state === 'Loading') && !neighbors.some((n) => n.state === 'Full');
    }
    // While a database loads, the run waits for its end (SpfScheduler); when it ends, the run is rescheduled here.
    if (this.spf.pending) this.scheduler.request(now, this.loading);
    const due = this.scheduler.pending;
    if (due !== undefined && due <= now) outputs.push(this.runSpf(now));
    return outputs;
  }

  /** A new router id, area or maximum-paths needs a fresh SPF fed with the whole LSDB. */
  private reconfigure(config: RouterConfig, now: number): void {
    const old = this.config;
    this.config = config;
    this.scheduler.configure(config.spfThrottle);
    if (old.routerId === config.routerId && old.areaId === config.areaId && old.maximumPaths === config.maximumPaths) return;
    this.spf = this.newSpf(config);
    for (const header of this.core.lsdb(now)) this.feed(header, now);
  }

  /**
   * Gives the SPF one LSA: the LSDB's copy, but for our own router- and
   * network-LSAs the ones we want now (OspfRouter.ownTopologyLsas): what we
   * know of our own links, and of the routers Full with us as DR, is not held
   * back by MinLSInterval, which paces origination and flooding (RFC 2328
   * 12.4). A router that restarts routes through its neighbours once they are
   * Full, not when its next instances may go out. A held segment's LSAs come
   * from the transit hold.
   */
  private feed(key: LsaKey, now: number, ctx?: HoldContext): void {
    const own = this.ownWanted(key);
    if (ctx !== undefined && this.holds.covers(key, this.config.routerId)) this.spf.lsaChanged(key, this.holds.view(key, ctx));
    else this.spf.lsaChanged(key, own ?? this.core.lsa(key, now)?.raw);
  }

  /** Our wanted instance of `key`, when it is one of our router- or network-LSAs. */
  private wantedOwn(key: LsaKey): Uint8Array | undefined {
    if (key.advRouter >>> 0 !== this.config.routerId || (key.type !== LsaType.Router && key.type !== LsaType.Network)) return undefined;
    return this.core.ownTopologyLsas().find((o) => o.key.type === key.type && o.key.lsId >>> 0 === key.lsId >>> 0)?.raw;
  }

  /** wantedOwn(key), remembered as handed to the SPF. */
  private ownWanted(key: LsaKey): Uint8Array | undefined {
    const raw = this.wantedOwn(key);
    const text = `${key.type}:${key.lsId >>> 0}`;
    if (raw === undefined) this.ownFed.delete(text);
    else this.ownFed.set(text, raw);
    return raw;
  }

  /** Hands the SPF each of our wanted router- and network-LSAs that changed, and the LSDB's copy of those no longer wanted. */
  private refreshOwn(now: number, ctx: HoldContext): void {
    const self = this.config.routerId;
    const wanted = this.core.ownTopologyLsas();
    const seen = new Set<string>();
    for (const { key, raw } of wanted) {
      const text = `${key.type}:${key.lsId >>> 0}`;
      seen.add(text);
      if (!sameBytes(raw, this.ownFed.get(text))) this.feed(key, now, ctx);
    }
    for (const text of [...this.ownFed.keys()]) {
      if (seen.has(text)) continue;
      const [type, lsId] = text.split(':').map(Number) as [number, number];
      this.feed({ type, lsId, advRouter: self }, now, ctx);
    }
  }

  /** The LSDB's copy for the transit hold, our router- and network-LSAs as we want them now (as feed gives the SPF). */
  private lsaForHold(key: LsaKey, now: number): Lsa | undefined {
    const own = this.wantedOwn(key);
    return own === undefined ? this.core.lsa(key, now) : decodeLsa(own);
  }

  /** The engine's state as the transit hold reads it, at `now`. */
  private holdContext(now: number): HoldContext {
    let interfaces: InterfaceView[] | undefined;
    let neighbors: NeighborView[] | undefined;
    const core = this.core;
    return {
      now,
      routerId: this.config.routerId,
      get interfaces() {
        return (interfaces ??= core.interfaces());
      },
      get neighbors() {
        return (neighbors ??= core.neighbors());
      },
      lsa: (key) => this.lsaForHold(key, now),
      deadIntervalMs: (ifName) => settingsFor(this.config, ifName).deadIntervalMs,
    };
  }

  private spfInterfaces(): { name: string; address: number; prefixLength: number; networkType: InterfaceView['networkType']; up: boolean }[] {
    return this.core
      .interfaces()
      .filter((i) => i.address !== 0)
      .map((i) => ({ name: i.name, address: i.address, prefixLength: i.prefixLength, networkType: i.networkType, up: i.state !== 'Down' }));
  }

  private runSpf(now: number): InstanceOutput {
    const result = this.spf.calculate();
    this.scheduler.ran(now);
    if (result.kind !== 'none') {
      const s = this.spfStats;
      s.runs++;
      if (result.kind === 'full') s.fullRuns++;
      else s.partialRuns++;
      s.lastKind = result.kind;
      s.lastDurationUs = result.durationUs ?? null;
      s.lastAt = now;
    }
    return { kind: 'routes', changes: result.changes, run: result.kind, durationUs: result.durationUs };
  }

  get routerId(): number {
    return this.config.routerId;
  }

  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const at of [this.core.nextDeadline(), this.scheduler.pending, this.holds.nextDeadline()]) {
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** The routing table as of the last SPF run. */
  routes(): RouteTableView {
    return this.spf.table;
  }

  /** Cost to a router or transit network in the last SPF tree (for `show topology`). */
  distance(kind: 'router' | 'network', id: number): number | undefined {
    return this.spf.distance(kind, id);
  }

  spfStatistics(): Readonly<SpfStats> {
    return this.spfStats;
  }

  spfThrottleHoldMs(): number {
    return this.scheduler.holdMs;
  }

  /** This instance as an OspfCore (for the simulator): the same, less the 'routes' outputs. */
  asCore(): OspfCore {
    return {
      handle: (input, now) => this.handle(input, now).filter((o): o is Output => o.kind !== 'routes'),
      nextDeadline: () => this.nextDeadline(),
      interfaces: () => this.interfaces(),
      neighbors: () => this.neighbors(),
      lsdb: (now) => this.lsdb(now),
      lsa: (key, now) => this.lsa(key, now),
    };
  }

  interfaces(): InterfaceView[] {
    return this.core.interfaces();
  }

  neighbors(): NeighborView[] {
    return this.core.neighbors();
  }

  lsdb(now: number): LsaHeader[] {
    return this.core.lsdb(now);
  }

  lsa(key: LsaKey, now: number): Lsa | undefined {
    return this.core.lsa(key, now);
  }

  /** Drops per reason, LSDB size, packets in and out (CoreStats). */
  stats(): CoreStats {
    return this.core.stats();
  }

  /** No origination of ours waits and no Full neighbour still has one to acknowledge (RFC 2328 13.5). */
  ownChangesAcknowledged(): boolean {
    return this.core.ownChangesAcknowledged();
  }

  /** Every grace-LSA sent by 'prepare-restart' is acknowledged (RFC 3623 2.2). */
  restartPrepared(): boolean {
    return this.core.restartPrepared();
  }

  /** The graceful restart this start follows, while it lasts. */
  restarting(): { since: number; until: number } | undefined {
    return this.core.restarting();
  }

  /** Stub router advertisement as it stands (RFC 6987). */
  stubRouter(now: number): StubRouterView {
    return this.core.stubRouter(now);
  }

  /** Internal consistency problems of the engine, for tests and the simulator's checks. */
  audit(): string[] {
    return this.core.audit();
  }
}
