// One OSPF instance, still sans-IO: the protocol engine (src/core) and the
// route calculation (src/spf) joined. LSDB changes from the engine feed the
// SPF; the SPF throttle decides when it runs; its table diff comes out as a
// 'routes' output for the FIB.
//
//   Input, now ──▶ core.handle ──▶ Output[] ──┬──▶ returned as they are
//                                             └── 'lsdb' / interface changes ──▶ spf
//   timer at throttle's due time ──▶ spf.calculate ──▶ { kind: 'routes', changes }

import { EventEmitter } from 'eventemitter3';
import { createRouter, type OspfRouter } from '../core/index.js';
import type {
  Input,
  InterfaceView,
  NeighborView,
  OspfCore,
  Output,
  RouterConfig,
} from '../core/api.js';
import type { Lsa, LsaHeader, LsaKey } from '../packet/types.js';
import { Spf, SpfScheduler, type RouteChange, type RouteTableView, type SpfRunKind } from '../spf/index.js';

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

export interface InstanceEvents {
  routes: [changes: RouteChange[], run: SpfRunKind];
}

export class OspfInstance extends EventEmitter<InstanceEvents> {
  readonly core: OspfRouter;
  private spf: Spf;
  private readonly scheduler: SpfScheduler;
  private config: RouterConfig;
  private readonly measure: (() => number) | undefined;
  private readonly spfStats: SpfStats = { runs: 0, fullRuns: 0, partialRuns: 0, lastDurationUs: null, lastKind: null, lastAt: null };
  /** Some neighbour is in Exchange or Loading (RFC 2328 10.1): the database is still arriving. */
  private loading = false;

  constructor(options: InstanceOptions) {
    super();
    this.config = options.config;
    this.measure = options.measure;
    this.core = createRouter({ config: options.config, random: options.random, authSequenceBase: options.authSequenceBase });
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
    for (const output of outputs) {
      if (output.kind === 'lsdb') this.feed(output.key, now);
      else if (output.kind === 'event' && output.event.type === 'interface-state') interfacesChanged = true;
      else if (output.kind === 'event' && output.event.type === 'neighbor-state') neighborsChanged = true;
    }
    if (interfacesChanged) this.spf.setInterfaces(this.spfInterfaces());
    if (neighborsChanged) this.loading = this.core.neighbors().some((n) => n.state === 'Exchange' || n.state === 'Loading');
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

  private feed(key: LsaKey, now: number): void {
    this.spf.lsaChanged(key, this.core.lsa(key, now)?.raw);
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
    if (result.changes.length > 0) this.emit('routes', result.changes, result.kind);
    return { kind: 'routes', changes: result.changes, run: result.kind, durationUs: result.durationUs };
  }

  get routerId(): number {
    return this.config.routerId;
  }

  nextDeadline(): number | undefined {
    const core = this.core.nextDeadline();
    const spf = this.scheduler.pending;
    if (core === undefined) return spf;
    if (spf === undefined) return core;
    return Math.min(core, spf);
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
}
