// The OSPFv2 speaker for one area (RFC 2328): interfaces (9), neighbors and
// adjacencies (10), flooding (13), the LSDB's aging (14) and origination
// (12.4). Sans-IO: every input comes with `now`, every effect is an Output.
//
//   handle(input, now)
//     ├─ due timers            hello, wait, inactivity, retransmissions, aging…
//     ├─ the input             packet │ interface │ config │ advertise │ shutdown
//     └─ settle()              DR elections scheduled by the above (9.2)
//                              MaxAge removals (14), requests to send (10.9)
//                              originations marked dirty (12.4, MinLSInterval)
//                              LSUs and acks queued per interface/neighbor (13.3, 13.5)
//
// Neighbors, interfaces and LSAs are found again by key on every event;
// references live only for the duration of one handle() call.

import { EventEmitter } from 'eventemitter3';
import {
  AllDRouters,
  AllSPFRouters,
  type CoreEvent,
  type CoreOptions,
  type Input,
  type InterfaceAddress,
  type InterfaceInfo,
  type InterfaceSettings,
  type InterfaceState,
  type InterfaceView,
  type NeighborState,
  type NeighborView,
  type OspfCore,
  type Output,
  type PrefixAdvertisement,
  type RouterConfig,
  type StubRouterView,
} from './api.js';
import {
  DecodeError,
  DdFlags,
  InitialSequenceNumber,
  LSRefreshTime,
  LsaType,
  MaxAge,
  MaxSequenceNumber,
  MinLSArrival,
  MinLSInterval,
  Options,
  OspfHeaderLength,
  PacketType,
  RouterFlags,
  buildLsa,
  compareLsaKeys,
  decodeLsa,
  decodeLsaBody,
  lsaChecksum,
  decodePacket,
  encodePacket,
  verifyLsa,
  lsaByteLength,
  PacketLsa,
  type DbDescriptionPacket,
  type HelloPacket,
  type Lsa,
  type LsaBody,
  type LsaHeader,
  type LsaKey,
  type LsAckPacket,
  type LsRequestPacket,
  type LsUpdatePacket,
  type OspfPacket,
  type PacketCommon,
} from '../packet/index.js';
import { maskFromLength, prefixContains, type Prefix } from '../lib/ipv4.js';
import { checkAuth, signPacket, trailerLength } from './auth.js';
import { sameSettings, settingsFor, validateConfig, validateInterfaceInfo, validatePrefix, CoreConfigError, DefaultMaxLsa } from './defaults.js';
import { auditCore } from './audit.js';
import { decodeDropReason, emptyDropCounters, type DropCounters, type DropReason } from './drops.js';
import { electDesignatedRouter, type Candidate } from './election.js';
import { Lsdb, compareInstance, headerOf, lsAge, rawAdvRouter, rawChecksum, rawSeq, setHeader, type LsaEntry } from './lsdb.js';
import { LsaMap, LsaSet } from './lsa-map.js';
import { TimerQueue, type TimerKind, type TimerRef } from './timers.js';
import {
  AgingGranularityMs,
  DelayedAckMs,
  IpHeaderLength,
  KnownLsaTypes,
  MaxLsaBytes,
  MaxNeighborsPerInterface,
  NeighborRank,
  NoAuth,
  NoTrailer,
  OurOptions,
  OurPacketOptions,
  deadSeconds,
  isOpaqueType,
  helloSeconds,
  uint32Cmp,
  type Iface,
  type IfaceKind,
  type Neighbor,
  type NsmEvent,
} from './model.js';
import { advertisementFor, externalLsas, isAnycastAddress, routerLinks, sameContents, stubRouterLinks } from './origination.js';
import { StubRouter } from './stub-router.js';
import { GracefulRestartHelper, countsAsFull, isGraceLsa } from './graceful-restart.js';
import { RestartingMode, type RestartExitReason } from './restarting.js';
import { encodeHello, encodeLsAcks, encodeLsUpdates } from './transmit.js';

/**
 * How long a neighbor that flushed its own router-LSA stays before it is
 * taken down: long enough for the rest of its flush, sent back to back, to
 * arrive from it.
 */
const LeavingGraceMs = 100;

/** Typed events for library users; each mirrors an Output. */
export interface RouterEvents {
  'interface-state': [event: Extract<CoreEvent, { type: 'interface-state' }>];
  'neighbor-state': [event: Extract<CoreEvent, { type: 'neighbor-state' }>];
  drop: [event: Extract<CoreEvent, { type: 'drop' }>];
  'graceful-restart-helper': [event: Extract<CoreEvent, { type: 'graceful-restart-helper' }>];
  'graceful-restart': [event: Extract<CoreEvent, { type: 'graceful-restart' }>];
  lsdb: [change: Extract<Output, { kind: 'lsdb' }>];
}

/** Counters for operators: drops per reason, LSDB size, packets in and out. */
export interface CoreStats {
  drops: DropCounters;
  lsaCount: number;
  packetsReceived: number;
  packetsSent: number;
}

/** What we want to originate for one key (RFC 2328 12.4), and its encoding for change detection. */
interface Wanted {
  type: number;
  /** The LSA built with sequence 0: compared with the LSDB copy, and the template of each new instance. */
  probe: Uint8Array;
}

function prefixText(prefix: Prefix): string {
  return `${prefix.address >>> 0}/${prefix.length}`;
}

export class OspfRouter extends EventEmitter<RouterEvents> implements OspfCore {
  private config: RouterConfig;
  private readonly random: () => number;
  private readonly ifaces = new Map<string, Iface>();
  private ifaceOrder: Iface[] = [];
  private readonly db = new Lsdb();
  private readonly timers = new TimerQueue();
  private readonly dropCounters = emptyDropCounters();
  private packetsReceived = 0;
  private packetsSent = 0;
  private now = 0;
  /** The `now` of the first input: the origin of the seconds added to authSequenceBase. */
  private firstNow: number | undefined;
  private readonly authSequenceBase: number;
  /** Stub router advertisement (RFC 6987). */
  private readonly stub: StubRouter;
  /** The last sequence number sent on interfaces that went away, so one that comes back goes on above it. */
  private readonly goneAuthSeq = new Map<string, number>();
  private out: Output[] = [];

  /** Anycast prefixes and how they are advertised, from the 'advertise' input, by "address/length". */
  private readonly advertisements = new Map<string, { prefix: Prefix; mode: PrefixAdvertisement }>();
  private readonly wanted = new LsaMap<Wanted>();
  private readonly lastOriginated = new LsaMap<number>();
  private readonly deferred = new LsaSet();
  private readonly dirtyKeys = new LsaSet();
  /** Keys flushed at MaxSequenceNumber, to originate afresh once removed (RFC 2328 12.1.6). */
  private readonly wrapPending = new LsaSet();
  private readonly maxAgeKeys = new LsaSet();
  /** When we last sent our copy back to a neighbor with an older one (RFC 2328 13 (8)). */
  private readonly sentBack = new LsaMap<number>();
  private topologyDirty = false;
  private externalsDirty = true;
  private sweepNeeded = false;
  private shuttingDown = false;
  private agingAt: number | undefined;
  private originationAt: number | undefined;
  private readonly floodQueues = new Map<string, LsaMap<LsaEntry>>();
  private readonly directAcks = new Map<Neighbor, LsaHeader[]>();
  /** The header objects of the DD being built, reused from one DD to the next: each DD is encoded at once (RFC 2328 10.8). */
  private readonly ddHeaders: LsaHeader[] = [];
  /** The same for the LSAs of the Link State Update being built (RFC 2328 13.3) and the keys of the LS Request (10.9). */
  private readonly updateLsas: Lsa[] = [];
  private readonly requestKeys: LsaKey[] = [];
  /**
   * Neighbors whose own router-LSA arrived at MaxAge while handling this
   * input: they are leaving the domain (RFC 2328 14.1, premature aging on
   * shutdown), and are taken down once the packet is processed.
   */
  private readonly leaving = new Set<number>();
  /** The interface each link-local opaque LSA (type 9) came in on: its flooding scope (RFC 5250 3). */
  private readonly linkScope = new LsaMap<string>();
  /** Graceful restart helper mode (RFC 3623 3). */
  private readonly grHelper = new GracefulRestartHelper({
    now: () => this.now,
    setTimer: (ref, at) => this.timers.set(ref, at),
    cancelTimer: (ref) => this.timers.cancel(ref),
    event: (event) => this.out.push({ kind: 'event', event }),
    recompute: (iface) => {
      this.topologyDirty = true;
      if (iface.kind === 'broadcast') iface.neighborChange = true;
    },
  });

  /** Graceful restart, restarting mode (RFC 3623 2). */
  private readonly restarter = new RestartingMode({
    now: () => this.now,
    routerId: () => this.config.routerId,
    setTimer: (ref, at) => this.timers.set(ref, at),
    cancelTimer: (ref) => this.timers.cancel(ref),
    event: (event) => this.out.push({ kind: 'event', event }),
    lsa: (type, lsId, advRouter) => this.liveLsa(type, lsId, advRouter),
    send: (iface, dst, entries) => this.sendLsas(iface, dst, entries),
    neighborDst: (iface, key) => {
      const n = iface.neighbors.get(key);
      return n === undefined ? AllSPFRouters : this.neighborDst(iface, n);
    },
  });
  /** The end of the grace period of the restart this start follows (CoreOptions.gracefulRestart), until the first input. */
  private restartUntil: number | undefined;
  /** Restarting mode just ended: every LSA of ours is originated anew or flushed (RFC 3623 2.3). */
  private reoriginate = false;

  /** Throws CoreConfigError when the configuration cannot be run. */
  constructor(options: CoreOptions) {
    super();
    validateConfig(options.config);
    if (typeof options.random !== 'function') throw new CoreConfigError('random must be a function');
    this.config = { ...options.config, routerId: options.config.routerId >>> 0, areaId: options.config.areaId >>> 0 };
    this.random = options.random;
    this.stub = new StubRouter(this.config.stubRouter);
    const base = options.authSequenceBase ?? 0;
    if (!Number.isInteger(base) || base < 0 || base > 0xffffffff) {
      throw new CoreConfigError(`authSequenceBase must be an integer in 0..4294967295, not ${String(base)}`);
    }
    this.authSequenceBase = base;
    const until = options.gracefulRestart?.until;
    if (until !== undefined && !Number.isFinite(until)) throw new CoreConfigError(`gracefulRestart.until must be a finite number, not ${String(until)}`);
    this.restartUntil = until;
    this.grHelper.configure(this.config.gracefulRestartHelper, []);
  }

  // ---------------------------------------------------------------- driver API

  /**
   * Handles one input at `now`. A malformed packet is a drop; a configuration,
   * interface report or prefix that cannot be used throws CoreConfigError
   * before anything changes.
   */
  handle(input: Input, now: number): Output[] {
    if (!Number.isFinite(now)) throw new CoreConfigError(`now must be a finite number, not ${String(now)}`);
    if (input.kind === 'config') validateConfig(input.config);
    else if (input.kind === 'interface') validateInterfaceInfo(input.info);
    else if (input.kind === 'advertise') {
      validatePrefix(input.prefix, 'advertise.prefix');
      if (input.mode !== 'announce' && input.mode !== 'max-cost' && input.mode !== 'withdraw') {
        throw new CoreConfigError(`advertise.mode must be 'announce', 'max-cost' or 'withdraw', not ${String(input.mode)}`);
      }
    } else if (input.kind === 'prepare-restart') {
      const g = input.gracePeriod;
      if (!Number.isInteger(g) || g < 1 || g > 1800) throw new CoreConfigError(`prepare-restart.gracePeriod must be an integer in 1..1800, not ${String(g)}`);
    }
    if (this.firstNow === undefined) {
      this.firstNow = now;
      const startupEnds = this.stub.start(now);
      if (startupEnds !== undefined) this.timers.set(this.timer('stub-router'), startupEnds);
    }
    this.now = Math.max(this.now, now);
    if (this.restartUntil !== undefined) {
      // RFC 3623 2.2: the first input after a graceful restart opens restarting mode.
      this.restarter.begin(this.restartUntil);
      this.restartUntil = undefined;
    }
    this.runTimers();
    switch (input.kind) {
      case 'packet':
        this.onPacket(input.ifName, input.src, input.dst, input.data);
        break;
      case 'timer':
        break;
      case 'interface':
        this.onInterface(input.info);
        break;
      case 'config':
        this.onConfig(input.config);
        break;
      case 'advertise':
        this.onAdvertise(input.prefix, input.mode);
        break;
      case 'prepare-restart':
        this.onPrepareRestart(input.gracePeriod);
        break;
      case 'shutdown':
        this.onShutdown();
        break;
      case 'goodbye':
        this.onGoodbye();
        break;
    }
    this.settle();
    const out = this.out;
    this.out = [];
    for (let i = 0; i < out.length; i++) {
      const o = out[i] as Output;
      if (o.kind === 'send') this.packetsSent++;
      else if (o.kind === 'lsdb') this.emit('lsdb', o);
      else if (o.kind === 'event') {
        const e = o.event;
        if (e.type === 'interface-state') this.emit('interface-state', e);
        else if (e.type === 'neighbor-state') this.emit('neighbor-state', e);
        else if (e.type === 'graceful-restart-helper') this.emit('graceful-restart-helper', e);
        else if (e.type === 'graceful-restart') this.emit('graceful-restart', e);
        else this.emit('drop', e);
      }
    }
    return out;
  }

  nextDeadline(): number | undefined {
    return this.timers.next();
  }

  interfaces(): InterfaceView[] {
    return this.ifaceOrder.map((i) => ({
      name: i.name,
      state: i.state,
      networkType: i.settings.networkType,
      passive: i.settings.passive,
      address: i.address,
      prefixLength: i.prefixLength,
      cost: i.settings.cost,
      dr: i.dr,
      bdr: i.bdr,
    }));
  }

  neighbors(): NeighborView[] {
    const views: NeighborView[] = [];
    for (const i of this.ifaceOrder) {
      const sorted = [...i.neighbors.values()].sort((a, b) => uint32Cmp(a.routerId, b.routerId));
      for (const n of sorted) {
        views.push({
          ifName: i.name,
          routerId: n.routerId,
          address: n.address,
          priority: n.priority,
          state: n.state,
          dr: n.dr,
          bdr: n.bdr,
          retransmitCount: n.retransmit.size,
          requestCount: n.requests.size,
          ...(n.helper === undefined
            ? {}
            : { helper: { since: n.helper.since, until: n.helper.until, gracePeriod: n.helper.gracePeriod, restartReason: n.helper.reason } }),
        });
      }
    }
    return views;
  }

  lsdb(now: number): LsaHeader[] {
    const headers: LsaHeader[] = [];
    for (const entry of this.db.sorted()) headers.push(headerOf(entry.raw, Lsdb.ageOf(entry, now)));
    return headers;
  }

  lsa(key: LsaKey, now: number): Lsa | undefined {
    const entry = this.db.get(key.type, key.lsId, key.advRouter);
    return entry === undefined ? undefined : this.db.lsaAt(entry, now);
  }

  /**
   * Our router-LSA and network-LSAs as we want them now (RFC 2328 12.4.1,
   * 12.4.2), whether or not they are originated yet: MinLSInterval (12.4)
   * can hold a flooded instance back for seconds after a change of our own
   * links or of the routers Full with us as DR. Sequence number, age and
   * checksum are 0. None once we are shutting down.
   *
   * For the routing table these network-LSAs leave out a router Full with
   * us whose router-LSA in our LSDB is still the one from before this
   * adjacency (Neighbor.oldRouterLsaUntil): a router that crashed, or
   * stopped without flushing it (14.1), comes back with that instance's
   * transit link, while its own new instance, during its database exchange,
   * shows the segment as a stub (12.4.1.2). Counting it at once would put it
   * into the route, out again a moment later and back once it is Full: a
   * flap that moves other nodes' flows in a resilient group. The flooded
   * network-LSA lists it as 12.4.2 says.
   */
  ownTopologyLsas(): { key: LsaKey; raw: Uint8Array }[] {
    const out: { key: LsaKey; raw: Uint8Array }[] = [];
    if (this.shuttingDown) return out;
    this.wanted.forEach((w, type, lsId, advRouter) => {
      if (type === LsaType.Router) out.push({ key: { type, lsId, advRouter }, raw: w.probe });
      else if (type === LsaType.Network) out.push({ key: { type, lsId, advRouter }, raw: this.networkLsaForSpf(lsId, w.probe) });
    });
    return out;
  }

  /** Our wanted network-LSA for the segment whose DR address is `lsId`, without the routers whose old router-LSA we still hold. */
  private networkLsaForSpf(lsId: number, probe: Uint8Array): Uint8Array {
    const iface = this.ifaceOrder.find((i) => i.address === lsId >>> 0);
    if (iface === undefined) return probe;
    const old = new Set<number>();
    for (const n of iface.neighbors.values()) {
      if (n.oldRouterLsaUntil !== undefined && this.now < n.oldRouterLsaUntil) old.add(n.routerId >>> 0);
    }
    if (old.size === 0) return probe;
    const lsa = decodeLsa(probe);
    const body = decodeLsaBody(lsa);
    if (body.kind !== 'network') return probe;
    return buildLsa(lsa, { ...body, attachedRouters: body.attachedRouters.filter((r) => !old.has(r >>> 0)) }).raw;
  }

  /**
   * Whether every change of our own LSAs has been flooded and acknowledged:
   * no origination waits (MinLSInterval, RFC 2328 12.4; a sequence number
   * wrap, 12.1.6) and no Full neighbor has one of our LSAs on its
   * retransmission list (13.6), so each holds the instance we last
   * originated or flushed (13.5: acknowledged explicitly or implied).
   */
  ownChangesAcknowledged(): boolean {
    // RFC 3623 2.2: while restarting, nothing of ours is originated: no change is out yet.
    if (this.restarter.active()) return false;
    if (this.deferred.size > 0 || this.wrapPending.size > 0 || this.dirtyKeys.size > 0) return false;
    const self = this.config.routerId;
    for (const iface of this.ifaceOrder) {
      for (const n of iface.neighbors.values()) {
        if (n.state !== 'Full' || n.retransmit.size === 0) continue;
        let ours = false;
        n.retransmit.forEach((_, _type, _lsId, advRouter) => {
          if (advRouter === self) ours = true;
        });
        if (ours) return false;
      }
    }
    return true;
  }

  /** While restarting gracefully (RFC 3623 2.2): since when and until when its grace period runs (core time, ms). */
  restarting(): { since: number; until: number } | undefined {
    return this.restarter.view();
  }

  /** Whether a prepared restart's grace-LSAs are acknowledged by every Full neighbour (RFC 3623 2.1). */
  restartPrepared(): boolean {
    return this.restarter.preparedAndAcknowledged(this.ifaceOrder);
  }

  /** Drop counters per reason and a few totals. */
  stats(): CoreStats {
    return {
      drops: { ...this.dropCounters },
      lsaCount: this.db.size,
      packetsReceived: this.packetsReceived,
      packetsSent: this.packetsSent,
    };
  }

  /** Whether our router-LSA is a stub router's now, and why (RFC 6987). */
  stubRouter(now: number): StubRouterView {
    return this.stub.view(now);
  }

  /**
   * The core's own invariants (audit.ts): every problem found, none when all
   * hold. For tests and the fuzzer; it reads state and changes nothing.
   */
  audit(): string[] {
    return auditCore({
      now: this.now,
      routerId: this.config.routerId,
      maxLsa: this.maxLsa(),
      minLsIntervalMs: this.config.minLsIntervalMs ?? MinLSInterval * 1000,
      stubStartupRemainingMs: this.stub.view(this.now).startupRemainingMs ?? 0,
      db: this.db,
      ifaces: this.ifaceOrder,
      timers: this.timers.pending(),
      packetRoom: (iface) => this.packetRoom(iface),
    });
  }

  private maxLsa(): number {
    return this.config.maxLsa ?? DefaultMaxLsa;
  }

  // ---------------------------------------------------------------- timers

  private runTimers(): void {
    for (let ref = this.timers.popDue(this.now); ref !== undefined; ref = this.timers.popDue(this.now)) {
      this.onTimer(ref);
    }
  }

  private timer(kind: TimerKind, ifName = '', neighbor = 0): TimerRef {
    return { kind, ifName, neighbor };
  }

  private onTimer(ref: TimerRef): void {
    switch (ref.kind) {
      case 'aging':
        this.agingAt = undefined;
        this.agingPass();
        return;
      case 'origination':
        this.originationAt = undefined;
        this.deferred.forEach((_, type, lsId, advRouter) => this.dirtyKeys.add(type, lsId, advRouter));
        this.deferred.clear();
        return;
      case 'restart-grace':
        // RFC 3623 2.3 (3): the grace period is over.
        this.leaveRestart('grace-period-expired');
        return;
      case 'stub-router':
        // RFC 6987: the on-startup period is over; the router-LSA gets its transit costs back.
        this.stub.expire();
        this.topologyDirty = true;
        return;
      default:
        break;
    }
    // A timer for an interface or neighbor that is gone is a no-op.
    const iface = this.ifaces.get(ref.ifName);
    if (iface === undefined) return;
    switch (ref.kind) {
      case 'hello':
        this.sendHello(iface);
        this.scheduleHello(iface);
        return;
      case 'wait':
        // RFC 2328 9.3 WaitTimer: Waiting → elect.
        if (iface.state === 'Waiting') this.elect(iface);
        return;
      case 'delayed-ack':
        this.sendDelayedAcks(iface);
        return;
      case 'grace-lsa-retransmit':
        this.restarter.sendPrepared(iface, false, this.floodDst(iface), iface.settings.retransmitIntervalMs);
        return;
      default:
        break;
    }
    const n = iface.neighbors.get(ref.neighbor);
    if (n === undefined) return;
    switch (ref.kind) {
      case 'inactivity':
        // RFC 3623 3.2: a neighbor being helped through its restart stays.
        if (this.grHelper.keepsAlive(iface, n)) return;
        this.nsm(iface, n, 'InactivityTimer', n.leaving ? 'RouterLsaFlushed' : 'InactivityTimer');
        return;
      case 'dd-retransmit':
        // RFC 2328 10.8: in ExStart, and as master in Exchange, the last DD goes out again.
        if ((n.state === 'ExStart' || (n.state === 'Exchange' && n.master)) && n.lastSentDd !== undefined) {
          this.sendRaw(iface, this.neighborDst(iface, n), n.lastSentDd);
          this.timers.set(ref, this.now + iface.settings.retransmitIntervalMs);
        }
        return;
      case 'lsr-retransmit':
        // RFC 2328 10.9: unanswered requests are asked for again.
        if (n.state === 'Exchange' || n.state === 'Loading') this.sendLsRequest(iface, n);
        return;
      case 'lsu-retransmit':
        this.retransmitLsas(iface, n);
        return;
      case 'grace-period':
        this.grHelper.graceExpired(iface, n);
        return;
      default:
        return;
    }
  }

  /** The injected random source, held to [0, 1) so a faulty one cannot stall the timers. */
  private draw(): number {
    const value = this.random();
    return value >= 0 && value < 1 ? value : 0;
  }

  private scheduleHello(iface: Iface): void {
    // RFC 2328 9.5: every HelloInterval, less up to 10% jitter so routers drift apart.
    const interval = iface.settings.helloIntervalMs;
    const jitter = Math.floor(this.draw() * interval * 0.1);
    this.timers.set(this.timer('hello', iface.name), this.now + interval - jitter);
  }

  // ---------------------------------------------------------------- drops and events

  private drop(reason: DropReason, ifName: string, src: number): void {
    this.dropCounters[reason]++;
    this.out.push({ kind: 'event', event: { type: 'drop', ifName, reason, src } });
  }

  // ---------------------------------------------------------------- interfaces (RFC 2328 9)

  private onInterface(info: InterfaceInfo): void {
    let iface = this.ifaces.get(info.name);
    if (iface === undefined) {
      if (!info.up && info.addresses.length === 0) return;
      iface = {
        name: info.name,
        info,
        settings: settingsFor(this.config, info.name),
        kind: 'broadcast',
        addresses: [],
        anycast: [],
        address: 0,
        prefixLength: 0,
        mask: 0,
        state: 'Down',
        dr: 0,
        bdr: 0,
        neighbors: new Map(),
        delayedAcks: [],
        backupSeen: false,
        neighborChange: false,
        authSeq: this.goneAuthSeq.get(info.name) ?? 0,
      };
      this.ifaces.set(info.name, iface);
      this.ifaceOrder = [...this.ifaces.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    iface.info = info;
    this.reconcile(iface, settingsFor(this.config, info.name));
    if (iface.state === 'Down' && !info.up && info.addresses.length === 0) {
      this.goneAuthSeq.set(info.name, iface.authSeq);
      this.ifaces.delete(info.name);
      this.ifaceOrder = this.ifaceOrder.filter((i) => i !== iface);
    }
  }

  /** The addresses OSPF runs on: those inside a configured network (FRR `network` semantics), lowest first. */
  private ospfAddresses(info: InterfaceInfo): InterfaceAddress[] {
    return info.addresses
      .filter((a) => this.config.networks.some((p) => a.prefixLength >= p.length && prefixContains(p, a.address >>> 0)))
      .map((a) => ({ address: a.address >>> 0, prefixLength: a.prefixLength }))
      .sort((a, b) => uint32Cmp(a.address, b.address) || a.prefixLength - b.prefixLength);
  }

  /**
   * Brings an interface in line with its kernel state and settings: InterfaceUp,
   * InterfaceDown, or a reset when something neighbors depend on changed; other
   * changes apply in place (RFC 2328 9.3).
   *
   * Anycast addresses (see isAnycastAddress) are host routes wherever they live
   * and never the interface address: every node of the cluster carries them, so
   * Hellos from one would make the nodes one neighbor to a router (RFC 2328 10.5
   * tells broadcast neighbors apart by source address). An interface with no
   * OSPF address but anycast ones is therefore a loopback for them (12.4.1.1):
   * no Hellos, host routes of cost 0.
   */
  private reconcile(iface: Iface, settings: InterfaceSettings): void {
    const addresses: InterfaceAddress[] = [];
    const anycast: InterfaceAddress[] = [];
    for (const a of this.ospfAddresses(iface.info)) (isAnycastAddress(this.advertisements.values(), a.address) ? anycast : addresses).push(a);
    const kind: IfaceKind = iface.info.loopback || addresses.length === 0 ? 'loopback' : settings.networkType;
    const shouldRun = iface.info.up && addresses.length + anycast.length > 0;
    const primary = addresses[0] ?? { address: 0, prefixLength: 0 };
    const old = iface.settings;
    const resetting =
      iface.state !== 'Down' &&
      (!shouldRun ||
        kind !== iface.kind ||
        primary.address !== iface.address ||
        primary.prefixLength !== iface.prefixLength ||
        settings.passive !== old.passive ||
        settings.networkType !== old.networkType ||
        settings.helloIntervalMs !== old.helloIntervalMs ||
        settings.deadIntervalMs !== old.deadIntervalMs);
    if (resetting) this.interfaceDown(iface);
    const priorityChanged = settings.priority !== old.priority;
    if (!sameSettings(settings, old) || addresses.length !== iface.addresses.length || anycast.length !== iface.anycast.length) this.topologyDirty = true;
    iface.settings = settings;
    iface.addresses = addresses;
    iface.anycast = anycast;
    if (!shouldRun) return;
    if (iface.state === 'Down') {
      iface.kind = kind;
      iface.address = primary.address;
      iface.prefixLength = primary.prefixLength;
      iface.mask = maskFromLength(primary.prefixLength);
      this.interfaceUp(iface);
    } else {
      // Loopback address sets and costs change the router-LSA only.
      this.topologyDirty = true;
      if (priorityChanged && iface.kind === 'broadcast') iface.neighborChange = true;
    }
  }

  private setInterfaceState(iface: Iface, to: InterfaceState): void {
    const from = iface.state;
    if (from === to) return;
    iface.state = to;
    const drRole = (s: InterfaceState): boolean => s === 'DR' || s === 'Backup';
    if (!iface.settings.passive && iface.kind === 'broadcast' && drRole(from) !== drRole(to)) {
      // RFC 2328 A.1: DR and Backup listen on AllDRouters.
      this.out.push({ kind: 'membership', ifName: iface.name, group: AllDRouters, join: drRole(to) });
    }
    this.topologyDirty = true;
    this.out.push({ kind: 'event', event: { type: 'interface-state', ifName: iface.name, from, to } });
  }

  /** RFC 2328 9.3 InterfaceUp (and LoopInd for loopbacks). */
  private interfaceUp(iface: Iface): void {
    const s = iface.settings;
    if (iface.kind === 'loopback') {
      this.setInterfaceState(iface, 'Loopback');
      return;
    }
    if (!s.passive) {
      this.out.push({ kind: 'membership', ifName: iface.name, group: AllSPFRouters, join: true });
      this.sendHello(iface);
      this.scheduleHello(iface);
    }
    if (iface.kind === 'point-to-point') {
      this.setInterfaceState(iface, 'PointToPoint');
    } else if (s.passive) {
      // A passive broadcast interface has no neighbors to elect with: it is its own DR, as in FRR.
      iface.dr = iface.address;
      this.setInterfaceState(iface, 'DR');
    } else if (s.priority === 0) {
      this.setInterfaceState(iface, 'DROther');
    } else {
      this.setInterfaceState(iface, 'Waiting');
      this.timers.set(this.timer('wait', iface.name), this.now + s.deadIntervalMs);
    }
  }

  /** RFC 2328 9.3 InterfaceDown: every neighbor is killed, every variable reset. */
  private interfaceDown(iface: Iface): void {
    this.grHelper.interfaceDown(iface);
    for (const n of [...iface.neighbors.values()]) this.nsm(iface, n, 'KillNbr');
    this.timers.cancel(this.timer('hello', iface.name));
    this.timers.cancel(this.timer('wait', iface.name));
    this.timers.cancel(this.timer('delayed-ack', iface.name));
    iface.delayedAcks = [];
    this.floodQueues.delete(iface.name);
    const wasRunning = iface.state !== 'Down' && iface.state !== 'Loopback' && !iface.settings.passive;
    iface.backupSeen = false;
    iface.neighborChange = false;
    this.setInterfaceState(iface, 'Down');
    if (wasRunning) this.out.push({ kind: 'membership', ifName: iface.name, group: AllSPFRouters, join: false });
    iface.dr = 0;
    iface.bdr = 0;
  }

  /** RFC 2328 9.4: the election and the state it leads to; AdjOK? when DR or BDR changed. */
  private elect(iface: Iface): void {
    this.timers.cancel(this.timer('wait', iface.name));
    const self: Candidate = {
      routerId: this.config.routerId,
      address: iface.address,
      priority: iface.settings.priority,
      dr: iface.dr,
      bdr: iface.bdr,
    };
    const others: Candidate[] = [];
    for (const n of iface.neighbors.values()) {
      if (NeighborRank[n.state] >= NeighborRank['2-Way']) {
        others.push({ routerId: n.routerId, address: n.address, priority: n.priority, dr: n.dr, bdr: n.bdr });
      }
    }
    const { dr, bdr } = electDesignatedRouter(self, others);
    const changed = dr !== iface.dr || bdr !== iface.bdr;
    iface.dr = dr;
    iface.bdr = bdr;
    // RFC 2328 9.4 step 5.
    this.setInterfaceState(iface, dr === iface.address ? 'DR' : bdr === iface.address ? 'Backup' : 'DROther');
    this.topologyDirty = true;
    if (changed) {
      // RFC 2328 9.4 step 6: adjacencies may need forming or tearing down.
      for (const n of [...iface.neighbors.values()]) {
        if (NeighborRank[n.state] >= NeighborRank['2-Way']) this.nsm(iface, n, 'AdjOK?');
      }
      // The new DR and BDR go out at once rather than at the next HelloInterval: each
      // neighbor's own election runs on it (10.5 NeighborChange), and a segment whose DR
      // has left has no network-LSA, so no transit, until they have.
      if (!iface.settings.passive && iface.neighbors.size > 0) this.sendHello(iface);
    }
  }

  /** ISM events scheduled while handling one input (RFC 2328 9.3 BackupSeen, NeighborChange). */
  private runScheduledInterfaceEvents(): void {
    for (let round = 0; round < 4; round++) {
      let any = false;
      for (const iface of this.ifaceOrder) {
        const backupSeen = iface.backupSeen;
        const neighborChange = iface.neighborChange;
        iface.backupSeen = false;
        iface.neighborChange = false;
        if (iface.state === 'Waiting' && backupSeen) {
          this.elect(iface);
          any = true;
        } else if (neighborChange && (iface.state === 'DR' || iface.state === 'Backup' || iface.state === 'DROther')) {
          this.elect(iface);
          any = true;
        }
      }
      if (!any) return;
    }
  }

  // ---------------------------------------------------------------- receiving packets (RFC 2328 8.2)

  private onPacket(ifName: string, src: number, dst: number, data: Uint8Array): void {
    src >>>= 0;
    this.packetsReceived++;
    const iface = this.ifaces.get(ifName);
    if (iface === undefined || iface.state === 'Down' || iface.state === 'Loopback' || iface.settings.passive) {
      this.drop('interface-disabled', ifName, src);
      return;
    }
    // RFC 2328 8.2: the destination is our interface address, AllSPFRouters or AllDRouters.
    dst >>>= 0;
    if (dst !== AllSPFRouters && dst !== AllDRouters && !iface.info.addresses.some((a) => a.address >>> 0 === dst)) {
      return this.drop('wrong-destination', ifName, src);
    }
    let packet: OspfPacket;
    try {
      packet = decodePacket(data);
    } catch (error) {
      if (error instanceof DecodeError) {
        this.drop(decodeDropReason(error.reason), ifName, src);
        return;
      }
      throw error;
    }
    // Our Router ID from an address that is not ours is another router configured with it: never a neighbour.
    if (packet.routerId === this.config.routerId && ![...this.ifaces.values()].some((i) => i.address === src)) return this.drop('duplicate-router-id', ifName, src);
    if (packet.areaId !== this.config.areaId) return this.drop('area-mismatch', ifName, src);
    // RFC 2328 8.2, D.5: authenticated by the interface's AuType and key.
    const auth = checkAuth(iface.settings.auth, data, packet);
    if (!auth.ok) return this.drop(auth.reason, ifName, src);
    // Our Router ID, or our own address as the source: a packet of ours looped back.
    if (packet.routerId === this.config.routerId || iface.info.addresses.some((a) => a.address >>> 0 === src)) return this.drop('own-packet', ifName, src);
    if (dst >>> 0 === AllDRouters && iface.state !== 'DR' && iface.state !== 'Backup') {
      return this.drop('not-dr-or-backup', ifName, src);
    }
    if (iface.kind === 'broadcast' && ((src & iface.mask) >>> 0) !== ((iface.address & iface.mask) >>> 0)) {
      return this.drop('wrong-subnet', ifName, src);
    }
    const key = iface.kind === 'broadcast' ? src : packet.routerId;
    if (auth.seq !== undefined) {
      // RFC 2328 D.5.2: a sequence number below the last one the neighbor sent is a replay.
      const known = iface.neighbors.get(key);
      if (known !== undefined && auth.seq < known.authSeq) return this.drop('auth-replay', ifName, src);
    }
    this.dispatch(iface, packet, src, key);
    if (auth.seq !== undefined) {
      // Recorded after the Hello that creates the neighbor, too; gone with the neighbor (RFC 2328 D.5.2).
      const n = iface.neighbors.get(key);
      if (n !== undefined) n.authSeq = auth.seq;
    }
  }

  /** An authenticated packet to its handler (RFC 2328 8.2: non-Hello packets need a known neighbor). */
  private dispatch(iface: Iface, packet: OspfPacket, src: number, key: number): void {
    if (packet.type === PacketType.Hello) {
      this.onHello(iface, packet, src);
      return;
    }
    const n = iface.neighbors.get(key);
    if (n === undefined) return this.drop('unknown-neighbor', iface.name, src);
    switch (packet.type) {
      case PacketType.DbDescription:
        return this.onDbDescription(iface, n, packet);
      case PacketType.LsRequest:
        return this.onLsRequest(iface, n, packet);
      case PacketType.LsUpdate:
        return this.onLsUpdate(iface, n, packet);
      case PacketType.LsAck:
        return this.onLsAck(iface, n, packet);
    }
  }

  /** RFC 2328 10.5: receiving Hello packets. */
  private onHello(iface: Iface, p: HelloPacket, src: number): void {
    const s = iface.settings;
    // The mask is checked on broadcast networks only.
    if (iface.kind === 'broadcast' && p.networkMask >>> 0 !== iface.mask) return this.drop('hello-mask-mismatch', iface.name, src);
    // With fast hellos configured here the interval is not compared (FRR's hello-multiplier).
    if (s.helloIntervalMs >= 1000 && p.helloInterval !== helloSeconds(s)) return this.drop('hello-interval-mismatch', iface.name, src);
    if (p.deadInterval !== deadSeconds(s)) return this.drop('dead-interval-mismatch', iface.name, src);
    // The E-bit must agree with the area's ExternalRoutingCapability.
    if ((p.options & Options.E) !== (OurOptions & Options.E)) return this.drop('options-mismatch', iface.name, src);

    const key = iface.kind === 'broadcast' ? src : p.routerId;
    let n = iface.neighbors.get(key);
    const isNew = n === undefined;
    if (n === undefined) {
      if (iface.neighbors.size >= MaxNeighborsPerInterface) return this.drop('neighbor-limit', iface.name, src);
      n = {
        ifName: iface.name,
        key,
        routerId: p.routerId,
        address: src,
        priority: p.priority,
        leaving: false,
        oldRouterLsaUntil: undefined,
        options: p.options,
        ddOptions: 0,
        dr: 0,
        bdr: 0,
        state: 'Down',
        master: false,
        ddSeq: 0,
        ddSeqInitialised: false,
        lastReceivedDd: undefined,
        lastSentDd: undefined,
        ddSentAll: false,
        summary: [],
        summaryPos: 0,
        requests: new LsaMap(),
        requestOrder: [],
        requestHead: 0,
        requestsInFlight: new LsaSet(),
        retransmit: new LsaMap(),
        authSeq: 0,
        helper: undefined,
      };
      iface.neighbors.set(key, n);
    }
    if (n.helper !== undefined) {
      // RFC 3623 3.2: a restarting neighbor's Hellos neither take the adjacency down (it
      // lists no neighbors yet) nor move the election; what it said before stays.
      this.nsm(iface, n, 'HelloReceived');
      if (p.neighbors.some((id) => id >>> 0 === this.config.routerId)) this.nsm(iface, n, '2-WayReceived');
      return;
    }
    const previous = { priority: n.priority, dr: n.dr, bdr: n.bdr };
    n.routerId = p.routerId;
    n.address = src;
    n.priority = p.priority;
    n.options = p.options;
    n.dr = p.dr >>> 0;
    n.bdr = p.bdr >>> 0;
    this.nsm(iface, n, 'HelloReceived');
    if (!p.neighbors.some((id) => id >>> 0 === this.config.routerId)) {
      this.nsm(iface, n, '1-WayReceived');
      return;
    }
    this.nsm(iface, n, '2-WayReceived');
    if (iface.kind !== 'broadcast') return;
    // RFC 3623 2.2 (3): a neighbour naming us DR while we wait tells us we were the DR
    // before the restart; we declare ourselves DR again, and the election keeps us. Named
    // BDR, likewise: the election need not wait out RouterDeadInterval (9.4) to find
    // the roles the segment still has. Also when restarting mode ended early (a withdrawal).
    if (this.restarter.followsRestart() && iface.state === 'Waiting') {
      if (n.dr === iface.address) iface.dr = iface.address;
      else if (n.bdr === iface.address) iface.bdr = iface.address;
      if (n.dr === iface.address || n.bdr === iface.address) iface.backupSeen = true;
    }
    if (!isNew && previous.priority !== n.priority) iface.neighborChange = true;
    const declaresDr = n.dr === src;
    const declaredDr = !isNew && previous.dr === src;
    if (declaresDr && n.bdr === 0 && iface.state === 'Waiting') iface.backupSeen = true;
    else if (declaresDr !== declaredDr) iface.neighborChange = true;
    const declaresBdr = n.bdr === src;
    const declaredBdr = !isNew && previous.bdr === src;
    if (declaresBdr && iface.state === 'Waiting') iface.backupSeen = true;
    else if (declaresBdr !== declaredBdr) iface.neighborChange = true;
  }

  // ---------------------------------------------------------------- neighbor state machine (RFC 2328 10.3)

  /** RFC 2328 10.4: whether an adjacency should be formed with n. */
  private shouldBeAdjacent(iface: Iface, n: Neighbor): boolean {
    if (iface.kind !== 'broadcast') return true;
    return (
      iface.state === 'DR' ||
      iface.state === 'Backup' ||
      (n.address === iface.dr && iface.dr !== 0) ||
      (n.address === iface.bdr && iface.bdr !== 0)
    );
  }

  /**
   * RFC 2328 10.3. Start and the Attempt state belong to NBMA networks, which
   * this engine does not run; every other event is handled here.
   */
  /** `reason`, when given, is what the neighbor-state event reports instead of the NSM event's name. */
  private nsm(iface: Iface, n: Neighbor, event: NsmEvent, reason: string = event): void {
    const rank = NeighborRank[n.state];
    switch (event) {
      case 'HelloReceived':
        // Down → Init; in any state the inactivity timer restarts.
        n.leaving = false;
        if (n.state === 'Down') this.setNeighborState(iface, n, 'Init', event);
        this.timers.set(this.timer('inactivity', iface.name, n.key), this.now + iface.settings.deadIntervalMs);
        return;
      case '2-WayReceived':
        // Init → 2-Way or ExStart (RFC 2328 10.4); no action in higher states.
        if (n.state === 'Init') this.setNeighborState(iface, n, this.shouldBeAdjacent(iface, n) ? 'ExStart' : '2-Way', event);
        return;
      case 'NegotiationDone':
        if (n.state === 'ExStart') this.setNeighborState(iface, n, 'Exchange', event);
        return;
      case 'ExchangeDone':
        if (n.state === 'Exchange') this.setNeighborState(iface, n, n.requests.size === 0 ? 'Full' : 'Loading', event);
        return;
      case 'LoadingDone':
        if (n.state === 'Loading') this.setNeighborState(iface, n, 'Full', event);
        return;
      case 'AdjOK?':
        if (n.state === '2-Way') {
          if (this.shouldBeAdjacent(iface, n)) this.setNeighborState(iface, n, 'ExStart', event);
        } else if (rank >= NeighborRank.ExStart && !this.shouldBeAdjacent(iface, n)) {
          this.setNeighborState(iface, n, '2-Way', event);
        }
        return;
      case 'SeqNumberMismatch':
      case 'BadLSReq':
        // Exchange and above: the adjacency is torn down and restarted.
        if (rank >= NeighborRank.Exchange) this.setNeighborState(iface, n, 'ExStart', event);
        return;
      case '1-WayReceived':
        if (rank >= NeighborRank['2-Way']) this.setNeighborState(iface, n, 'Init', event);
        return;
      case 'KillNbr':
      case 'InactivityTimer':
      case 'LLDown':
        this.setNeighborState(iface, n, 'Down', reason);
        return;
    }
  }

  /** Every side effect of a neighbor state change, in one place. */
  private setNeighborState(iface: Iface, n: Neighbor, to: NeighborState, reason: string): void {
    const from = n.state;
    const fromRank = NeighborRank[from];
    const toRank = NeighborRank[to];
    // Leaving an adjacency (or restarting it): its lists go (RFC 2328 10.3).
    if (fromRank >= NeighborRank.ExStart && (toRank <= NeighborRank.ExStart || to === 'Down')) this.clearAdjacency(iface, n);
    n.state = to;
    if (to === 'Down') {
      this.grHelper.neighborGone(iface, n);
      this.timers.cancel(this.timer('inactivity', iface.name, n.key));
      iface.neighbors.delete(n.key);
      this.directAcks.delete(n);
    }
    if (to === 'ExStart') this.startExStart(iface, n, fromRank < NeighborRank.ExStart);
    if (to === 'Exchange') this.startExchange(n);
    if (from === 'Full' || to === 'Full') this.topologyDirty = true;
    if (from === 'Exchange' || from === 'Loading') this.sweepNeeded = true;
    // RFC 2328 10.3: reaching or leaving 2-Way is a NeighborChange for the interface.
    if (iface.kind === 'broadcast' && (fromRank >= NeighborRank['2-Way']) !== (toRank >= NeighborRank['2-Way'])) {
      iface.neighborChange = true;
    }
    this.out.push({
      kind: 'event',
      event: { type: 'neighbor-state', ifName: iface.name, routerId: n.routerId, address: n.address, from, to, reason },
    });
  }

  private clearAdjacency(iface: Iface, n: Neighbor): void {
    for (const item of n.retransmit.values()) this.releaseRetransmit(item.entry);
    n.retransmit.clear();
    n.requests.clear();
    n.requestOrder = [];
    n.requestHead = 0;
    n.requestsInFlight.clear();
    n.summary = [];
    n.summaryPos = 0;
    n.lastReceivedDd = undefined;
    n.lastSentDd = undefined;
    n.ddSentAll = false;
    this.timers.cancel(this.timer('dd-retransmit', iface.name, n.key));
    this.timers.cancel(this.timer('lsr-retransmit', iface.name, n.key));
    this.timers.cancel(this.timer('lsu-retransmit', iface.name, n.key));
  }

  /** RFC 2328 10.3 ExStart entry: a DD sequence number, master by default, empty DDs with I, M and MS. */
  /** RFC 2328 10.3 ExStart; `fresh`: a new adjacency, not one restarted by SeqNumberMismatch or BadLSReq. */
  private startExStart(iface: Iface, n: Neighbor, fresh: boolean): void {
    // A new adjacency: the router-LSA we hold from it, if any, is from before (a restart that
    // did not flush it) and stands until it sends a new one, at the latest for its
    // MinLSInterval twice or a dead interval (ownTopologyLsas).
    if (fresh) {
      const held = this.db.get(LsaType.Router, n.routerId, n.routerId);
      n.oldRouterLsaUntil = held === undefined ? undefined : this.now + Math.max(iface.settings.deadIntervalMs, 2 * MinLSInterval * 1000);
    }
    if (!n.ddSeqInitialised) {
      n.ddSeq = Math.floor(this.draw() * 0x100000000) >>> 0;
      n.ddSeqInitialised = true;
    } else {
      n.ddSeq = (n.ddSeq + 1) >>> 0;
    }
    n.master = true;
    n.lastReceivedDd = undefined;
    n.ddSentAll = false;
    this.sendDd(iface, n, DdFlags.I | DdFlags.M | DdFlags.MS, []);
    this.timers.set(this.timer('dd-retransmit', iface.name, n.key), this.now + iface.settings.retransmitIntervalMs);
  }

  /** RFC 2328 10.3 NegotiationDone: the database summary list; MaxAge LSAs go to the retransmission list. */
  private startExchange(n: Neighbor): void {
    n.summary = [];
    n.summaryPos = 0;
    const summary = n.summary;
    this.db.forEach((entry) => {
      if (!this.inFloodScope(entry, n)) return;
      if (Lsdb.ageOf(entry, this.now) >= MaxAge) this.addRetransmit(n, entry);
      else summary.push(entry);
    });
  }

  private anyExchanging(): boolean {
    for (const iface of this.ifaceOrder) {
      for (const n of iface.neighbors.values()) if (n.state === 'Exchange' || n.state === 'Loading') return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- database exchange (RFC 2328 10.6, 10.8)

  private onDbDescription(iface: Iface, n: Neighbor, p: DbDescriptionPacket): void {
    const src = n.address;
    // RFC 2328 10.6: a DD bigger than we can receive is rejected.
    if (!iface.settings.mtuIgnore && p.mtu > iface.info.mtu) return this.drop('mtu-mismatch', iface.name, src);
    const flags = p.flags & (DdFlags.I | DdFlags.M | DdFlags.MS);
    const ddSeq = p.ddSeq >>> 0;
    const duplicate = (): boolean =>
      n.lastReceivedDd !== undefined &&
      n.lastReceivedDd.flags === flags &&
      n.lastReceivedDd.options === p.options &&
      n.lastReceivedDd.seq === ddSeq;
    switch (n.state) {
      case 'Down':
      case 'Attempt':
      case '2-Way':
        return this.drop('neighbor-state', iface.name, src);
      case 'Init':
        this.nsm(iface, n, '2-WayReceived');
        if ((n.state as NeighborState) !== 'ExStart') return;
        return this.ddInExStart(iface, n, p, flags, ddSeq);
      case 'ExStart':
        return this.ddInExStart(iface, n, p, flags, ddSeq);
      case 'Exchange': {
        if (duplicate()) {
          // The master discards duplicates; the slave answers them with its last DD.
          if (n.master) return this.drop('dd-duplicate', iface.name, src);
          if (n.lastSentDd !== undefined) this.sendRaw(iface, this.neighborDst(iface, n), n.lastSentDd);
          return;
        }
        const msExpected = n.master ? 0 : DdFlags.MS;
        const seqExpected = n.master ? n.ddSeq : (n.ddSeq + 1) >>> 0;
        if ((flags & DdFlags.MS) !== msExpected || (flags & DdFlags.I) !== 0 || p.options !== n.ddOptions || ddSeq !== seqExpected) {
          this.drop('dd-sequence-mismatch', iface.name, src);
          this.nsm(iface, n, 'SeqNumberMismatch');
          return;
        }
        return this.acceptDd(iface, n, p, flags, ddSeq);
      }
      case 'Loading':
      case 'Full':
        if (duplicate()) {
          if (n.master) return this.drop('dd-duplicate', iface.name, src);
          if (n.lastSentDd !== undefined) this.sendRaw(iface, this.neighborDst(iface, n), n.lastSentDd);
          return;
        }
        this.drop('dd-sequence-mismatch', iface.name, src);
        this.nsm(iface, n, 'SeqNumberMismatch');
        return;
    }
  }

  /** RFC 2328 10.6, neighbor state ExStart: master/slave negotiation. */
  private ddInExStart(iface: Iface, n: Neighbor, p: DbDescriptionPacket, flags: number, ddSeq: number): void {
    const all = DdFlags.I | DdFlags.M | DdFlags.MS;
    if (flags === all && p.lsaHeaders.length === 0 && p.routerId > this.config.routerId) {
      // The neighbor is master: adopt its sequence number and answer as slave.
      n.master = false;
      n.ddSeq = ddSeq;
      n.ddOptions = p.options;
      this.timers.cancel(this.timer('dd-retransmit', iface.name, n.key));
      this.nsm(iface, n, 'NegotiationDone');
      this.acceptDd(iface, n, p, flags, ddSeq);
      return;
    }
    if ((flags & (DdFlags.I | DdFlags.MS)) === 0 && ddSeq === n.ddSeq && p.routerId < this.config.routerId) {
      // The neighbor acknowledges us as master.
      n.master = true;
      n.ddOptions = p.options;
      this.nsm(iface, n, 'NegotiationDone');
      this.acceptDd(iface, n, p, flags, ddSeq);
      return;
    }
    // The lower Router ID's own bid for master crosses ours on the wire: ignored, as the
    // RFC says, but no sign of trouble. Anything else is.
    if (flags === all && p.routerId < this.config.routerId) return;
    this.drop('dd-rejected', iface.name, n.address);
  }

  /** RFC 2328 10.6: a DD accepted as next in sequence. */
  private acceptDd(iface: Iface, n: Neighbor, p: DbDescriptionPacket, flags: number, ddSeq: number): void {
    n.lastReceivedDd = { flags, options: p.options, seq: ddSeq };
    const headers = p.lsaHeaders;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i] as LsaHeader;
      if (!KnownLsaTypes.has(h.type)) {
        this.drop('dd-sequence-mismatch', iface.name, n.address);
        this.nsm(iface, n, 'SeqNumberMismatch');
        return;
      }
      const entry = this.db.get(h.type, h.lsId, h.advRouter);
      // An LSA we lack, or hold an older instance of, goes on the request list; one we
      // could not install (the LSDB would pass maxLsa) is not asked for.
      if (entry === undefined && !n.requests.has(h.type, h.lsId, h.advRouter) && this.db.size + n.requests.size >= this.maxLsa()) {
        this.drop('lsdb-full', iface.name, n.address);
      } else if (entry === undefined || compareInstance(h.seq, h.checksum, lsAge(h.age), rawSeq(entry.raw), rawChecksum(entry.raw), Lsdb.ageOf(entry, this.now)) > 0) {
        this.addRequest(n, h);
      }
    }
    const more = (flags & DdFlags.M) !== 0;
    if (n.master) {
      n.ddSeq = (n.ddSeq + 1) >>> 0;
      if (n.ddSentAll && !more) {
        this.timers.cancel(this.timer('dd-retransmit', iface.name, n.key));
        this.nsm(iface, n, 'ExchangeDone');
      } else {
        this.sendSummary(iface, n);
        this.timers.set(this.timer('dd-retransmit', iface.name, n.key), this.now + iface.settings.retransmitIntervalMs);
      }
    } else {
      n.ddSeq = ddSeq;
      this.sendSummary(iface, n);
      if (!more && n.ddSentAll) this.nsm(iface, n, 'ExchangeDone');
    }
  }

  /** RFC 2328 10.8: the next DD of the exchange, as many headers as the MTU allows. */
  private sendSummary(iface: Iface, n: Neighbor): void {
    const room = Math.floor((this.packetRoom(iface) - 8) / 20);
    const headers: LsaHeader[] = [];
    while (headers.length < room && n.summaryPos < n.summary.length) {
      const listed = n.summary[n.summaryPos++] as LsaEntry;
      const entry = listed.current ? listed : this.db.get(listed.type, listed.lsId, listed.advRouter);
      if (entry === undefined) continue;
      const age = Lsdb.ageOf(entry, this.now);
      const spare = this.ddHeaders[headers.length];
      headers.push(spare === undefined ? (this.ddHeaders[headers.length] = headerOf(entry.raw, age)) : setHeader(spare, entry.raw, age));
    }
    const more = n.summaryPos < n.summary.length;
    if (!more) {
      n.summary = [];
      n.summaryPos = 0;
    }
    n.ddSentAll = !more;
    this.sendDd(iface, n, (more ? DdFlags.M : 0) | (n.master ? DdFlags.MS : 0), headers);
  }

  private sendDd(iface: Iface, n: Neighbor, flags: number, lsaHeaders: LsaHeader[]): void {
    const packet: DbDescriptionPacket = {
      ...this.common(),
      type: PacketType.DbDescription,
      mtu: iface.info.mtu,
      options: OurPacketOptions,
      flags,
      ddSeq: n.ddSeq,
      lsaHeaders,
    };
    const data = encodePacket(packet);
    n.lastSentDd = data;
    this.sendRaw(iface, this.neighborDst(iface, n), data);
  }

  // ---------------------------------------------------------------- requests (RFC 2328 10.7, 10.9)

  private onLsRequest(iface: Iface, n: Neighbor, p: LsRequestPacket): void {
    if (NeighborRank[n.state] < NeighborRank.Exchange) return this.drop('neighbor-state', iface.name, n.address);
    const entries: LsaEntry[] = [];
    const requests = p.requests;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i] as LsaKey;
      const entry = this.db.get(r.type, r.lsId, r.advRouter);
      if (entry === undefined) {
        this.drop('bad-ls-request', iface.name, n.address);
        this.nsm(iface, n, 'BadLSReq');
        return;
      }
      entries.push(entry);
    }
    // Answered directly; the requester retransmits its request if this is lost.
    this.sendLsas(iface, this.neighborDst(iface, n), entries);
  }

  /** RFC 2328 10.9: ask for the head of the request list, as much as one packet holds. */
  private sendLsRequest(iface: Iface, n: Neighbor): void {
    const room = Math.floor(this.packetRoom(iface) / 12);
    const requests: LsaKey[] = [];
    n.requestsInFlight.clear();
    // Keys answered since are skipped once and for all; a key listed twice is asked for once.
    const order = n.requestOrder;
    for (; n.requestHead < order.length; n.requestHead++) {
      const { type, lsId, advRouter } = order[n.requestHead] as LsaKey;
      if (n.requests.has(type, lsId, advRouter)) break;
    }
    for (let i = n.requestHead; i < order.length && requests.length < room; i++) {
      const { type, lsId, advRouter } = order[i] as LsaKey;
      if (!n.requests.has(type, lsId, advRouter) || n.requestsInFlight.has(type, lsId, advRouter)) continue;
      const spare = this.requestKeys[requests.length];
      if (spare === undefined) requests.push((this.requestKeys[requests.length] = { type, lsId, advRouter }));
      else {
        spare.type = type;
        spare.lsId = lsId;
        spare.advRouter = advRouter;
        requests.push(spare);
      }
      n.requestsInFlight.add(type, lsId, advRouter);
    }
    if (requests.length === 0) return;
    const packet: LsRequestPacket = { ...this.common(), type: PacketType.LsRequest, requests };
    this.sendRaw(iface, this.neighborDst(iface, n), encodePacket(packet));
    this.timers.set(this.timer('lsr-retransmit', iface.name, n.key), this.now + iface.settings.retransmitIntervalMs);
  }

  private addRequest(n: Neighbor, header: LsaHeader): void {
    const { type, lsId, advRouter } = header;
    if (!n.requests.has(type, lsId, advRouter)) n.requestOrder.push(header);
    n.requests.set(type, lsId, advRouter, header);
    // Keys answered and listed again would grow the order without bound over a long
    // exchange: once most of it is stale, only the keys still wanted are kept, once each.
    if (n.requestOrder.length > 2 * n.requests.size + 64) {
      const kept = new LsaSet(n.requests.size);
      n.requestOrder = n.requestOrder.slice(n.requestHead).filter(({ type, lsId, advRouter }) => {
        if (!n.requests.has(type, lsId, advRouter) || kept.has(type, lsId, advRouter)) return false;
        kept.add(type, lsId, advRouter);
        return true;
      });
      n.requestHead = 0;
    }
  }

  private removeRequest(n: Neighbor, type: number, lsId: number, advRouter: number): void {
    n.requests.delete(type, lsId, advRouter);
    n.requestsInFlight.delete(type, lsId, advRouter);
  }

  /**
   * After an input: neighbors in Exchange or Loading whose last request has
   * been answered ask for more at once; an empty list in Loading is LoadingDone.
   */
  private pumpRequests(): void {
    for (const iface of this.ifaceOrder) {
      // LoadingDone only changes states; no neighbor leaves the map here.
      for (const n of iface.neighbors.values()) {
        if (n.state !== 'Exchange' && n.state !== 'Loading') continue;
        if (n.requests.size === 0) {
          n.requestsInFlight.clear();
          n.requestOrder = [];
          n.requestHead = 0;
          this.timers.cancel(this.timer('lsr-retransmit', iface.name, n.key));
          if (n.state === 'Loading') this.nsm(iface, n, 'LoadingDone');
        } else if (n.requestsInFlight.size === 0) {
          this.sendLsRequest(iface, n);
        }
      }
    }
  }

  // ---------------------------------------------------------------- flooding (RFC 2328 13)

  private onLsUpdate(iface: Iface, n: Neighbor, p: LsUpdatePacket): void {
    if (NeighborRank[n.state] < NeighborRank.Exchange) return this.drop('neighbor-state', iface.name, n.address);
    const lsas = p.lsas;
    for (let i = 0; i < lsas.length; i++) {
      if (!this.receiveLsa(iface, n, lsas[i] as Lsa)) return;
    }
  }

  /** The receive procedure of RFC 2328 13 for one LSA. False stops processing the rest of the packet. */
  private receiveLsa(iface: Iface, n: Neighbor, lsa: Lsa): boolean {
    // (1) the LS checksum.
    if (!verifyLsa(lsa)) {
      this.drop('lsa-checksum', iface.name, n.address);
      return true;
    }
    // (2) the LS type; (3) AS-external-LSAs are welcome, the area is not a stub.
    if (!KnownLsaTypes.has(lsa.type)) {
      this.drop('lsa-unknown-type', iface.name, n.address);
      return true;
    }
    // Longer than any LSA a router of ours needs: refused, to bound the LSDB's memory.
    if (lsaByteLength(lsa) > MaxLsaBytes) {
      this.drop('lsa-too-large', iface.name, n.address);
      return true;
    }
    const { type, lsId, advRouter } = lsa;
    const current = this.db.get(type, lsId, advRouter);
    const age = lsAge(lsa.age);
    // The acknowledgment carries the header as received (RFC 2328 13.5).
    const ack: LsaHeader = lsa;
    // (4) a MaxAge LSA we do not have, with no exchange under way: acknowledge and forget.
    if (age >= MaxAge && current === undefined && !this.anyExchanging()) {
      this.queueDirectAck(n, ack);
      return true;
    }
    const currentAge = current === undefined ? 0 : Lsdb.ageOf(current, this.now);
    const cmp =
      current === undefined ? 1 : compareInstance(lsa.seq, lsa.checksum, age, rawSeq(current.raw), rawChecksum(current.raw), currentAge);
    // (5) newer than ours, or new to us.
    if (cmp > 0) {
      // (5a) MinLSArrival: a copy installed by flooding less than a second ago stays. Not
      // against an instance we asked this neighbor for (10.9): the brake is for flooding,
      // and refusing the answer would leave the request to RxmtInterval, the adjacency
      // in Loading all that time.
      if (current !== undefined && current.fromFlood && this.now - current.installedAt < this.minLsArrival() && !n.requests.has(type, lsId, advRouter)) {
        this.drop('lsa-min-arrival', iface.name, n.address);
        return true;
      }
      // maxLsa: no new LSA once the LSDB is full. It is not acknowledged, and leaves the
      // request list so the exchange can finish without it.
      if (current === undefined && this.db.size >= this.maxLsa()) {
        this.drop('lsdb-full', iface.name, n.address);
        this.removeRequest(n, type, lsId, advRouter);
        return true;
      }
      // (5c, 5d) out of the retransmission lists, into the database; (5b) flooded on.
      const changed = current === undefined || (current.baseAge >= MaxAge) !== (age >= MaxAge) || !sameContents(current.raw, lsa.raw);
      const entry = this.install(lsa instanceof PacketLsa ? lsa : lsa.raw, true, current);
      if (type === LsaType.OpaqueLink) this.linkScope.set(type, lsId, advRouter, iface.name);
      const floodedBack = this.flood(entry, iface, n, current?.installedAt, changed);
      // A neighbour's grace-LSA asks for help (RFC 3623 3.1); ours, met again after a restart, does not.
      if (isGraceLsa(type, lsId) && advRouter >>> 0 !== this.config.routerId) this.grHelper.graceLsaInstalled(iface, entry.raw, age, advRouter >>> 0);
      // (5e) RFC 2328 13.5: delayed ack unless flooded back; in Backup only when from the DR.
      if (!floodedBack && (iface.state !== 'Backup' || n.address === iface.dr)) this.queueDelayedAck(iface, ack);
      if (type === LsaType.Router && lsId === advRouter) this.routerLsaReplaced(advRouter);
      // (5f) a newer instance of one of our own LSAs (RFC 2328 13.4).
      // Our own prepared grace-LSA flooded back is an implied acknowledgment, not a stale LSA (RFC 3623 2.1).
      if (lsa.advRouter >>> 0 === this.config.routerId) {
        if (isGraceLsa(type, lsId)) this.restarter.graceSeen(entry.raw);
        if (!this.restarter.echoed(iface, n.key, lsa)) this.ownLsaReceived(entry);
      }
      else if (type === LsaType.Router && lsId === advRouter && age >= MaxAge && lsa.seq !== MaxSequenceNumber) {
        // A router flushes its own router-LSA when it stops (RFC 2328 14.1); one at
        // MaxSequenceNumber is flushed to start its numbering again (12.1.6) and stays.
        this.leaving.add(advRouter >>> 0);
      }
      return true;
    }
    // (6) on the request list but not newer than ours: the exchange went wrong.
    if (n.requests.has(type, lsId, advRouter)) {
      this.drop('bad-ls-request', iface.name, n.address);
      this.nsm(iface, n, 'BadLSReq');
      return false;
    }
    const db = current as LsaEntry;
    // (7) the same instance.
    if (cmp === 0) {
      const item = n.retransmit.get(type, lsId, advRouter);
      if (item !== undefined && item.entry === db) {
        // (7a) an implied acknowledgment; RFC 2328 13.5: a Backup acks it (delayed) when it came from the DR.
        this.removeRetransmit(iface, n, type, lsId, advRouter);
        if (iface.state === 'Backup' && n.address === iface.dr) this.queueDelayedAck(iface, ack);
      } else {
        // (7b) a direct acknowledgment.
        this.queueDirectAck(n, ack);
      }
      return true;
    }
    // (8) ours is newer.
    if (currentAge >= MaxAge && rawSeq(db.raw) === MaxSequenceNumber) {
      this.drop('lsa-stale', iface.name, n.address);
      return true;
    }
    const last = this.sentBack.get(type, lsId, advRouter);
    if (last === undefined || this.now - last >= this.minLsArrival()) {
      this.sentBack.set(type, lsId, advRouter, this.now);
      this.sendLsas(iface, this.neighborDst(iface, n), [db]);
    }
    return true;
  }

  /**
   * RFC 5250 3: opaque LSAs go to opaque-capable neighbors only (the O-bit of
   * their DD Options), and a link-local one (type 9) only on the interface it
   * came in on; every other LSA goes everywhere in the area.
   */
  private inFloodScope(entry: LsaEntry, n: Neighbor): boolean {
    if (!isOpaqueType(entry.type)) return true;
    if ((n.ddOptions & Options.O) === 0) return false;
    return entry.type !== LsaType.OpaqueLink || this.linkScope.get(entry.type, entry.lsId, entry.advRouter) === n.ifName;
  }

  /**
   * RFC 2328 13.3: puts entry on the retransmission list of every adjacency
   * that should get it and queues it for sending per interface. Returns
   * whether it was flooded back out of the interface it came in on.
   * previousAt is when the instance it replaces was installed here, if any.
   */
  private flood(entry: LsaEntry, fromIface: Iface | undefined, from: Neighbor | undefined, previousAt: number | undefined, changed: boolean): boolean {
    const { type, lsId, advRouter } = entry;
    const seq = rawSeq(entry.raw);
    const checksum = rawChecksum(entry.raw);
    const age = Lsdb.ageOf(entry, this.now);
    let floodedBack = false;
    for (const iface of this.ifaceOrder) {
      if (iface.neighbors.size === 0) continue;
      const firstRetransmit = firstRetransmitDelay(iface.settings.retransmitIntervalMs, previousAt === undefined ? Infinity : this.now - previousAt);
      let added = false;
      for (const n of iface.neighbors.values()) {
        // (1a) only adjacencies in Exchange or above; opaque LSAs within their scope (RFC 5250 3).
        if (NeighborRank[n.state] < NeighborRank.Exchange || !this.inFloodScope(entry, n)) continue;
        // (1b) Exchange/Loading: the request list decides.
        if (n.state !== 'Full') {
          const request = n.requests.get(type, lsId, advRouter);
          if (request !== undefined) {
            const c = compareInstance(seq, checksum, age, request.seq, request.checksum, lsAge(request.age));
            if (c < 0) continue;
            this.removeRequest(n, type, lsId, advRouter);
            if (c === 0) continue;
          }
        }
        // (1c) not back to the neighbor it came from.
        if (n === from) continue;
        // (1d) onto the retransmission list; a change for a neighbor we help ends the help (RFC 3623 3.2).
        this.addRetransmit(n, entry, firstRetransmit);
        if (changed) this.grHelper.changedLsaFor(iface, n, type, lsId);
        added = true;
      }
      // (2) nobody to send it to here.
      if (!added) continue;
      if (iface === fromIface && from !== undefined) {
        // (3) the DR or BDR sent it here: the DR floods it to the others.
        if (from.address === iface.dr || from.address === iface.bdr) continue;
        // (4) a Backup leaves flooding back to the DR.
        if (iface.state === 'Backup') continue;
        floodedBack = true;
      }
      // (5) out of the interface.
      let queue = this.floodQueues.get(iface.name);
      if (queue === undefined) {
        queue = new LsaMap();
        this.floodQueues.set(iface.name, queue);
      }
      queue.set(type, lsId, advRouter, entry);
    }
    return floodedBack;
  }

  /** A new instance of the router-LSA of `routerId` arrived: what a neighbor with that id held before its adjacency is gone. */
  private routerLsaReplaced(routerId: number): void {
    for (const iface of this.ifaceOrder) {
      for (const n of iface.neighbors.values()) if (n.routerId >>> 0 === routerId >>> 0) n.oldRouterLsaUntil = undefined;
    }
  }

  private addRetransmit(n: Neighbor, entry: LsaEntry, after?: number): void {
    const { type, lsId, advRouter } = entry;
    const existing = n.retransmit.get(type, lsId, advRouter);
    if (existing !== undefined) this.releaseRetransmit(existing.entry);
    const interval = (this.ifaces.get(n.ifName) as Iface).settings.retransmitIntervalMs;
    const dueAt = this.now + (after ?? interval);
    n.retransmit.set(type, lsId, advRouter, { entry, dueAt });
    entry.rxmtRefs++;
    if (n.retransmit.size === 1 && existing === undefined) {
      // The list was empty, so no retransmission timer runs (RFC 2328 13.6).
      this.timers.set(this.timer('lsu-retransmit', n.ifName, n.key), dueAt);
    } else if (after !== undefined && after < interval) {
      // Due before the others: the timer moves to the earliest.
      let next = dueAt;
      n.retransmit.forEach((item) => (next = Math.min(next, item.dueAt)));
      this.timers.set(this.timer('lsu-retransmit', n.ifName, n.key), next);
    }
  }

  private removeRetransmit(iface: Iface, n: Neighbor, type: number, lsId: number, advRouter: number): void {
    const item = n.retransmit.get(type, lsId, advRouter);
    if (item === undefined) return;
    n.retransmit.delete(type, lsId, advRouter);
    this.releaseRetransmit(item.entry);
    if (n.retransmit.size === 0) this.timers.cancel(this.timer('lsu-retransmit', iface.name, n.key));
  }

  private releaseRetransmit(entry: LsaEntry): void {
    entry.rxmtRefs--;
    if (entry.rxmtRefs === 0 && entry.baseAge >= MaxAge) this.sweepNeeded = true;
  }

  /** RFC 2328 13.6: LSAs unacknowledged for RxmtInterval go again, directly to the neighbor. */
  private retransmitLsas(iface: Iface, n: Neighbor): void {
    const interval = iface.settings.retransmitIntervalMs;
    const due: LsaEntry[] = [];
    let next = Infinity;
    for (const item of n.retransmit.values()) {
      if (item.dueAt <= this.now) {
        due.push(item.entry);
        item.dueAt = this.now + interval;
      }
      next = Math.min(next, item.dueAt);
    }
    this.sendLsas(iface, this.neighborDst(iface, n), due);
    if (next !== Infinity) this.timers.set(this.timer('lsu-retransmit', iface.name, n.key), next);
  }

  /** RFC 2328 13.7: acknowledgments take LSAs off the retransmission list. */
  private onLsAck(iface: Iface, n: Neighbor, p: LsAckPacket): void {
    if (NeighborRank[n.state] < NeighborRank.Exchange) return this.drop('neighbor-state', iface.name, n.address);
    const headers = p.lsaHeaders;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i] as LsaHeader;
      const item = n.retransmit.get(h.type, h.lsId, h.advRouter);
      if (item === undefined) {
        if (this.restarter.acknowledged(iface, n.key, h)) continue;
        this.olderInstanceAcked(iface, n, h);
        continue;
      }
      const e = item.entry;
      if (compareInstance(h.seq, h.checksum, lsAge(h.age), rawSeq(e.raw), rawChecksum(e.raw), Lsdb.ageOf(e, this.now)) === 0) {
        this.removeRetransmit(iface, n, h.type, h.lsId, h.advRouter);
      }
    }
  }

  /**
   * RFC 2328 13.7 calls an acknowledgment of another instance than the one
   * on the retransmission list questionable and only logs it. One of an
   * instance older than ours, from a Full neighbor we are not sending ours
   * to, shows the neighbor holds that older copy: a live LSA overtaken in
   * flight by its flush, taken after the flush was acknowledged and
   * discarded (13 (4)), stays there until it ages out. As 13 (8) does for
   * an older LSA received, ours goes back to it, here on the retransmission
   * list so that it arrives; at most once per MinLSArrival and LSA.
   */
  private olderInstanceAcked(iface: Iface, n: Neighbor, h: LsaHeader): void {
    if (n.state !== 'Full') return;
    const db = this.db.get(h.type, h.lsId, h.advRouter);
    if (db === undefined) return;
    if (compareInstance(h.seq, h.checksum, lsAge(h.age), rawSeq(db.raw), rawChecksum(db.raw), Lsdb.ageOf(db, this.now)) >= 0) return;
    const last = this.sentBack.get(h.type, h.lsId, h.advRouter);
    if (last !== undefined && this.now - last < this.minLsArrival()) return;
    this.sentBack.set(h.type, h.lsId, h.advRouter, this.now);
    this.addRetransmit(n, db);
    this.sendLsas(iface, this.neighborDst(iface, n), [db]);
  }

  private queueDelayedAck(iface: Iface, header: LsaHeader): void {
    iface.delayedAcks.push(header);
    if (iface.delayedAcks.length >= Math.floor(this.packetRoom(iface) / 20)) {
      this.sendDelayedAcks(iface);
      return;
    }
    if (iface.delayedAcks.length === 1) this.timers.set(this.timer('delayed-ack', iface.name), this.now + DelayedAckMs);
  }

  private queueDirectAck(n: Neighbor, header: LsaHeader): void {
    const list = this.directAcks.get(n);
    if (list === undefined) this.directAcks.set(n, [header]);
    else list.push(header);
  }

  /** RFC 2328 13.5: delayed acks go to AllSPFRouters from DR/Backup, to AllDRouters from others. */
  private sendDelayedAcks(iface: Iface): void {
    this.timers.cancel(this.timer('delayed-ack', iface.name));
    const headers = iface.delayedAcks;
    iface.delayedAcks = [];
    if (headers.length === 0) return;
    this.sendAcks(iface, this.floodDst(iface), headers);
  }

  private sendAcks(iface: Iface, dst: number, headers: LsaHeader[]): void {
    for (const data of encodeLsAcks(this.common(), this.packetRoom(iface), headers)) this.sendRaw(iface, dst, data);
  }

  /** LSAs out in as few Link State Updates as the MTU allows, each aged by InfTransDelay (RFC 2328 13.3). */
  private sendLsas(iface: Iface, dst: number, entries: readonly LsaEntry[]): void {
    const packets = encodeLsUpdates(this.common(), this.packetRoom(iface), iface.settings.transmitDelay, entries, this.now, this.updateLsas);
    for (const data of packets) this.sendRaw(iface, dst, data);
  }

  // ---------------------------------------------------------------- the LSDB (RFC 2328 13.2, 14)

  /** RFC 2328 13.2: installs the LSA (its bytes, or the PacketLsa received) in place of `current`, which leaves every retransmission list. */
  private install(source: Uint8Array | PacketLsa, fromFlood: boolean, current: LsaEntry | undefined): LsaEntry {
    if (current !== undefined && current.rxmtRefs > 0) {
      const { type, lsId, advRouter } = current;
      for (const iface of this.ifaceOrder) {
        for (const n of iface.neighbors.values()) {
          const item = n.retransmit.get(type, lsId, advRouter);
          if (item !== undefined && item.entry === current) this.removeRetransmit(iface, n, type, lsId, advRouter);
        }
      }
    }
    const entry = this.db.install(source, this.now, fromFlood);
    const { type, lsId, advRouter } = entry;
    if (entry.baseAge >= MaxAge) {
      this.maxAgeKeys.add(type, lsId, advRouter);
      this.sweepNeeded = true;
    } else {
      this.maxAgeKeys.delete(type, lsId, advRouter);
      this.scheduleAging(this.dueOf(entry));
    }
    const selfOriginated = advRouter === this.config.routerId;
    this.out.push({ kind: 'lsdb', change: 'install', key: { type, lsId, advRouter }, selfOriginated });
    return entry;
  }

  /** When the aging pass next has work for this entry: a refresh of ours, MaxAge of others'. */
  private dueOf(entry: LsaEntry): number {
    const limit = rawAdvRouter(entry.raw) === this.config.routerId ? LSRefreshTime : MaxAge;
    return entry.installedAt + Math.max(0, limit - entry.baseAge) * 1000;
  }

  private scheduleAging(at: number): void {
    const when = Math.max(at, this.now + AgingGranularityMs);
    if (this.agingAt !== undefined && this.agingAt <= when) return;
    this.agingAt = when;
    this.timers.set(this.timer('aging'), when);
  }

  /** RFC 2328 14: one pass over the LSDB: refresh ours at LSRefreshTime, reflood others' at MaxAge. */
  private agingPass(): void {
    let next = Infinity;
    for (const entry of this.db.values()) {
      if (entry.baseAge >= MaxAge) continue;
      const due = this.dueOf(entry);
      if (due > this.now) {
        next = Math.min(next, due);
        continue;
      }
      if (rawAdvRouter(entry.raw) === this.config.routerId && this.restarter.active()) {
        // RFC 3623 2.2 (1): nothing of ours is refreshed while restarting; its end re-originates all.
        continue;
      } else if (rawAdvRouter(entry.raw) === this.config.routerId && !this.shuttingDown) {
        // RFC 2328 12.4 (LSRefreshTime): a new instance, same contents; or a flush if no longer wanted.
        const wanted = this.wanted.get(entry.type, entry.lsId, entry.advRouter);
        if (wanted !== undefined) this.originateNow(entry, wanted);
        else this.flush(entry);
      } else {
        // RFC 2328 14: an LSA reaching MaxAge is flooded once more, then removed.
        this.flush(entry);
      }
    }
    this.sentBack.forEach((at, type, lsId, advRouter) => {
      if (this.now - at >= this.minLsArrival()) this.sentBack.delete(type, lsId, advRouter);
    });
    if (next !== Infinity) this.scheduleAging(next);
  }

  /** RFC 2328 14.1: premature aging: the LSA at MaxAge, flooded. */
  private flush(entry: LsaEntry): void {
    if (entry.baseAge >= MaxAge) return;
    const raw = entry.raw.slice();
    raw[0] = MaxAge >>> 8;
    raw[1] = MaxAge & 0xff;
    const previousAt = entry.installedAt;
    const flushed = this.install(raw, false, entry);
    this.flood(flushed, undefined, undefined, previousAt, true);
  }

  /**
   * How long a MaxAge LSA stays after RFC 2328 14 would let it go: two
   * retransmit intervals. An older instance still in flight (a neighbour's
   * retransmission, delayed or reordered) then meets the MaxAge copy and is
   * answered with it (13 (8)) instead of being installed as new and
   * lingering for an hour. FRR holds them for the same reason (maxage delay).
   */
  private maxAgeHoldMs(): number {
    // Only interfaces with neighbours retransmit: loopbacks and passive ones do not count.
    let longest = 0;
    for (const iface of this.ifaceOrder) {
      if (iface.state === 'Down' || iface.state === 'Loopback' || iface.settings.passive) continue;
      longest = Math.max(longest, iface.settings.retransmitIntervalMs);
    }
    return 2 * (longest || 5000);
  }

  /**
   * RFC 2328 14: MaxAge LSAs leave the LSDB once no retransmission list holds
   * them and no neighbor is in Exchange or Loading (and, here, once held for
   * maxAgeHoldMs).
   */
  private sweepMaxAge(): void {
    if (!this.sweepNeeded) return;
    if (this.anyExchanging()) return;
    this.sweepNeeded = false;
    const hold = this.maxAgeHoldMs();
    let heldUntil = Infinity;
    for (const key of this.maxAgeKeys.keys()) {
      const { type, lsId, advRouter } = key;
      const entry = this.db.get(type, lsId, advRouter);
      if (entry === undefined || entry.baseAge < MaxAge) {
        this.maxAgeKeys.delete(type, lsId, advRouter);
        continue;
      }
      if (entry.rxmtRefs > 0) continue;
      // Held, a flushed MaxSequenceNumber instance too: an older instance still in flight would
      // otherwise come back after a wrap and restart the old numbering, and the flush with it.
      // Only the originator finishing its wrap (12.1.6) goes on at once; its neighbours answer
      // its fresh instance with their held copy (13 (8)) until the hold ends.
      if (this.now - entry.installedAt < hold && !this.wrapPending.has(type, lsId, advRouter)) {
        heldUntil = Math.min(heldUntil, entry.installedAt + hold);
        continue;
      }
      this.db.remove(type, lsId, advRouter);
      this.maxAgeKeys.delete(type, lsId, advRouter);
      this.linkScope.delete(type, lsId, advRouter);
      const selfOriginated = advRouter === this.config.routerId;
      this.out.push({ kind: 'lsdb', change: 'remove', key, selfOriginated });
      if (selfOriginated && !this.wanted.has(type, lsId, advRouter)) this.lastOriginated.delete(type, lsId, advRouter);
      // RFC 2328 12.1.6: after the flush of a MaxSequenceNumber instance, start again.
      if (this.wrapPending.delete(type, lsId, advRouter)) this.dirtyKeys.add(type, lsId, advRouter);
    }
    if (heldUntil !== Infinity) {
      this.sweepNeeded = true;
      this.scheduleAging(heldUntil);
    }
  }

  // ---------------------------------------------------------------- origination (RFC 2328 12.4)

  /** RFC 2328 13.4: someone flooded a newer instance of an LSA of ours. */
  private ownLsaReceived(entry: LsaEntry): void {
    // RFC 3623 2.2 (2): while restarting, it is taken as our pre-restart instance, neither flushed nor replaced.
    if (this.restarter.active()) return;
    const wanted = this.shuttingDown ? undefined : this.wanted.get(entry.type, entry.lsId, entry.advRouter);
    // Still wanted: jump past its sequence number now; not wanted: flush it.
    if (wanted !== undefined) this.originateNow(entry, wanted);
    else this.flush(entry);
  }

  /** A new instance of one of our LSAs, one past the current sequence number (RFC 2328 12.1.6). */
  private originateNow(key: LsaKey, wanted: Wanted): void {
    const { type, lsId, advRouter } = key;
    const current = this.db.get(type, lsId, advRouter);
    let seq = InitialSequenceNumber;
    if (current !== undefined) {
      const currentSeq = rawSeq(current.raw);
      if (currentSeq === MaxSequenceNumber) {
        // RFC 2328 12.1.6: flush the instance with MaxSequenceNumber first.
        this.wrapPending.add(type, lsId, advRouter);
        this.flush(current);
        return;
      }
      seq = currentSeq + 1;
    }
    // The template with the sequence number and a fresh LS checksum (RFC 2328 12.1.7).
    const raw = wanted.probe.slice();
    raw[12] = seq >>> 24;
    raw[13] = (seq >>> 16) & 0xff;
    raw[14] = (seq >>> 8) & 0xff;
    raw[15] = seq & 0xff;
    const checksum = lsaChecksum(raw);
    raw[16] = checksum >>> 8;
    raw[17] = checksum & 0xff;
    const changed = current === undefined || current.baseAge >= MaxAge || !sameContents(current.raw, raw);
    const entry = this.install(raw, false, current);
    this.lastOriginated.set(type, lsId, advRouter, this.now);
    this.deferred.delete(type, lsId, advRouter);
    this.flood(entry, undefined, undefined, current?.installedAt, changed);
  }

  /** RFC 2328 B MinLSArrival, or the configured value (FRR `timers lsa min-arrival`). */
  private minLsArrival(): number {
    return this.config.minLsArrivalMs ?? MinLSArrival * 1000;
  }

  /** Brings the LSDB in line with what we want for one key, within MinLSInterval. */
  private reconcileOrigination(key: LsaKey): void {
    const { type, lsId, advRouter } = key;
    const wanted = this.shuttingDown ? undefined : this.wanted.get(type, lsId, advRouter);
    const current = this.db.get(type, lsId, advRouter);
    if (wanted === undefined) {
      if (current !== undefined && rawAdvRouter(current.raw) === this.config.routerId) this.flush(current);
      return;
    }
    if (this.wrapPending.has(type, lsId, advRouter)) return;
    if (current !== undefined && current.baseAge < MaxAge && sameContents(current.raw, wanted.probe)) return;
    // RFC 2328 12.4: at most one origination per MinLSInterval; later changes wait, they are not lost.
    const last = this.lastOriginated.get(type, lsId, advRouter);
    const minInterval = this.config.minLsIntervalMs ?? MinLSInterval * 1000;
    if (last !== undefined && this.now - last < minInterval) {
      this.deferred.add(type, lsId, advRouter);
      const at = last + minInterval;
      if (this.originationAt === undefined || at < this.originationAt) {
        this.originationAt = at;
        this.timers.set(this.timer('origination'), at);
      }
      return;
    }
    this.originateNow(key, wanted);
  }

  /** Records what we want for one of our LSAs, marking it dirty if that changed; keep gets its key. */
  private setWanted(type: number, lsId: number, body: LsaBody, keep: LsaSet): void {
    const advRouter = this.config.routerId;
    const probe = buildLsa({ age: 0, options: OurOptions, type, lsId, advRouter, seq: 0 }, body).raw;
    const old = this.wanted.get(type, lsId, advRouter);
    if (old === undefined || !sameContents(old.probe, probe)) this.dirtyKeys.add(type, lsId, advRouter);
    this.wanted.set(type, lsId, advRouter, { type, probe });
    keep.add(type, lsId, advRouter);
  }

  /** Our LSAs of the given types that are wanted no more: dropped from wanted, marked dirty to be flushed. */
  private unwantExcept(types: readonly number[], keep: LsaSet): void {
    this.wanted.forEach((w, type, lsId, advRouter) => {
      if (types.includes(w.type) && !keep.has(type, lsId, advRouter)) {
        this.wanted.delete(type, lsId, advRouter);
        this.dirtyKeys.add(type, lsId, advRouter);
      }
    });
  }

  /** Recomputes the router-LSA and network-LSAs we want (RFC 2328 12.4.1, 12.4.2). */
  private rebuildTopologyLsas(): void {
    const keep = new LsaSet();
    const flags = this.config.externals.length > 0 ? RouterFlags.E : 0;
    const links = routerLinks(this.ifaceOrder, (address) => advertisementFor(this.advertisements.values(), address));
    this.setWanted(LsaType.Router, this.config.routerId, { kind: 'router', flags, links: this.stub.active() ? stubRouterLinks(links) : links }, keep);
    for (const iface of this.ifaceOrder) {
      if (iface.state !== 'DR' || iface.settings.passive) continue;
      const attached: number[] = [];
      for (const n of iface.neighbors.values()) if (countsAsFull(n)) attached.push(n.routerId);
      if (attached.length === 0) continue;
      // RFC 2328 12.4.2: the DR lists itself and every router fully adjacent to it.
      attached.push(this.config.routerId);
      attached.sort(uint32Cmp);
      this.setWanted(LsaType.Network, iface.address, { kind: 'network', networkMask: iface.mask, attachedRouters: attached }, keep);
    }
    this.unwantExcept([LsaType.Router, LsaType.Network], keep);
  }

  /** RFC 2328 12.4.4: the AS-external-LSAs we want for config.externals. */
  private rebuildExternals(): void {
    const keep = new LsaSet();
    for (const { lsId, body } of externalLsas(this.config.externals)) this.setWanted(LsaType.AsExternal, lsId, body, keep);
    this.unwantExcept([LsaType.AsExternal], keep);
  }

  // ---------------------------------------------------------------- config, advertise, shutdown

  /** Applies a new configuration; neighbors on interfaces whose settings did not change stay up. */
  private onConfig(config: RouterConfig): void {
    const old = this.config;
    if (config.routerId >>> 0 !== old.routerId || config.areaId >>> 0 !== old.areaId) {
      // A new identity: our LSAs under the old Router ID are flushed (RFC 2328 14.1) while the
      // adjacencies still stand to carry the flush, then every adjacency restarts.
      for (const entry of this.db.values()) if (rawAdvRouter(entry.raw) === old.routerId) this.flush(entry);
      this.sendQueuedFloods();
      for (const iface of this.ifaceOrder) if (iface.state !== 'Down') this.interfaceDown(iface);
      this.wanted.clear();
      this.deferred.clear();
      this.wrapPending.clear();
      this.lastOriginated.clear();
    }
    this.config = { ...config, routerId: config.routerId >>> 0, areaId: config.areaId >>> 0 };
    this.stub.configure(config.stubRouter);
    if (!this.stub.inStartup()) this.timers.cancel(this.timer('stub-router'));
    this.grHelper.configure(this.config.gracefulRestartHelper, this.ifaceOrder);
    if (JSON.stringify(config.externals) !== JSON.stringify(old.externals)) this.externalsDirty = true;
    for (const iface of [...this.ifaceOrder]) this.reconcile(iface, settingsFor(this.config, iface.name));
    this.topologyDirty = true;
  }

  private onAdvertise(prefix: Prefix, mode: PrefixAdvertisement): void {
    const normal = { address: (prefix.address & maskFromLength(prefix.length)) >>> 0, length: prefix.length };
    const key = prefixText(normal);
    const governed = this.advertisements.has(key);
    // A prefix announced in this run and withdrawn (its proxy failed) must not wait for the end
    // of the restart behind the pre-restart router-LSA that still announces it: the restart ends.
    if (this.advertisements.get(key)?.mode === 'announce' && mode !== 'announce') this.leaveRestart('withdrawal');
    this.advertisements.set(key, { prefix: normal, mode });
    // A prefix governed for the first time makes its addresses anycast ones on every interface.
    if (!governed) for (const iface of [...this.ifaceOrder]) this.reconcile(iface, iface.settings);
    this.topologyDirty = true;
  }

  /**
   * RFC 3623 2.1: grace-LSAs out, retransmitted until acknowledged; our
   * LSAs stay (the driver stops without the shutdown input).
   */
  private onPrepareRestart(gracePeriod: number): void {
    // RFC 3623 3.1 (2): a neighbour helps only while its retransmission list to us holds no changed LSA,
    // so the acknowledgments waiting for the delayed-ack timer (RFC 2328 13.5) go out before the grace-LSAs.
    for (const iface of this.ifaceOrder) this.sendDelayedAcks(iface);
    this.restarter.prepare(this.ifaceOrder, gracePeriod);
    for (const iface of this.ifaceOrder) this.restarter.sendPrepared(iface, true, this.floodDst(iface), iface.settings.retransmitIntervalMs);
    this.out.push({ kind: 'event', event: { type: 'graceful-restart', action: 'prepare', until: this.now + gracePeriod * 1000 } });
  }

  /** RFC 3623 2.3: restarting mode ends; the next settle() originates our LSAs anew. */
  private leaveRestart(why: RestartExitReason): void {
    if (!this.restarter.active()) return;
    this.restarter.end(why);
    this.reoriginate = true;
    this.topologyDirty = true;
    this.externalsDirty = true;
  }

  /**
   * RFC 3623 2.3: after restarting mode, each LSA of ours in the LSDB (the
   * instances our neighbours kept) is originated anew above its sequence
   * number when still wanted, and flushed otherwise: the grace-LSAs among them.
   */
  private reoriginateAll(): void {
    // The grace-LSA of each interface, as its helpers hold it; the LSDB's copy is flushed below too, and retransmitted.
    for (const { iface, entry } of this.restarter.takeGraceFlushes(this.ifaceOrder)) this.sendLsas(iface, this.floodDst(iface), [entry]);
    for (const entry of this.db.values()) {
      if (rawAdvRouter(entry.raw) !== this.config.routerId || entry.baseAge >= MaxAge) continue;
      const wanted = this.wanted.get(entry.type, entry.lsId, entry.advRouter);
      if (wanted === undefined) this.flush(entry);
      else this.originateNow(entry, wanted);
    }
  }

  /** The LSDB's bytes for a key below MaxAge; without advRouter, the first found of any originator. */
  private liveLsa(type: number, lsId: number, advRouter: number | undefined): Uint8Array | undefined {
    if (advRouter !== undefined) {
      const entry = this.db.get(type, lsId, advRouter);
      return entry === undefined || Lsdb.ageOf(entry, this.now) >= MaxAge ? undefined : entry.raw;
    }
    for (const entry of this.db.values()) {
      if (entry.type === type && entry.lsId === lsId >>> 0 && Lsdb.ageOf(entry, this.now) < MaxAge) return entry.raw;
    }
    return undefined;
  }

  /** RFC 2328 14.1: every LSA of ours flushed by premature aging; nothing more is originated. */
  private onShutdown(): void {
    this.restarter.end('shutdown');
    this.shuttingDown = true;
    this.wanted.clear();
    this.deferred.clear();
    this.wrapPending.clear();
    this.timers.cancel(this.timer('origination'));
    this.originationAt = undefined;
    for (const entry of this.db.values()) {
      if (rawAdvRouter(entry.raw) === this.config.routerId) this.flush(entry);
    }
  }

  /** The goodbye input: a Hello without neighbours wherever we send Hellos. */
  private onGoodbye(): void {
    for (const iface of this.ifaceOrder) {
      if (iface.state === 'Down' || iface.state === 'Loopback' || iface.settings.passive) continue;
      this.sendRaw(iface, AllSPFRouters, encodeHello(this.common(), iface, true));
    }
  }

  // ---------------------------------------------------------------- after each input

  private settle(): void {
    this.dropLeavingNeighbors();
    this.runScheduledInterfaceEvents();
    this.pumpRequests();
    this.runScheduledInterfaceEvents();
    this.sweepMaxAge();
    if (this.restarter.active()) {
      // RFC 3623 2.3 (1), (2): every pre-restart adjacency Full again, or the topology changed.
      const why = this.restarter.check(this.ifaceOrder);
      if (why !== undefined) this.leaveRestart(why);
    }
    // RFC 3623 2.2 (1): nothing of ours is originated while restarting.
    if (!this.shuttingDown && !this.restarter.active()) {
      if (this.topologyDirty) {
        this.topologyDirty = false;
        this.rebuildTopologyLsas();
      }
      if (this.externalsDirty) {
        this.externalsDirty = false;
        this.rebuildExternals();
      }
      if (this.reoriginate) {
        this.reoriginate = false;
        this.reoriginateAll();
      }
    }
    if (this.dirtyKeys.size > 0) {
      const keys = this.dirtyKeys.keys().sort(compareLsaKeys);
      this.dirtyKeys.clear();
      for (const key of keys) this.reconcileOrigination(key);
    }
    this.sendQueuedFloods();
    for (const [n, headers] of this.directAcks) {
      const iface = this.ifaces.get(n.ifName);
      if (iface !== undefined && iface.neighbors.get(n.key) === n) this.sendAcks(iface, this.neighborDst(iface, n), headers);
    }
    this.directAcks.clear();
  }

  /**
   * A neighbor that has flushed its own router-LSA is leaving: its inactivity
   * timer is cut to LeavingGraceMs (RFC 2328 10.3 InactivityTimer) instead of
   * running out RouterDeadInterval later, so the DR election, our router-LSA
   * and network-LSA, and the routes move on while the rest of the segment
   * still forwards. The grace lets the rest of its flush (its network-LSA as
   * DR) arrive in the packets that follow; a Hello from it cancels the lot.
   */
  private dropLeavingNeighbors(): void {
    if (this.leaving.size === 0) return;
    for (const routerId of this.leaving) {
      for (const iface of this.ifaceOrder) {
        for (const n of iface.neighbors.values()) {
          if (n.routerId !== routerId || n.leaving) continue;
          n.leaving = true;
          this.timers.set(this.timer('inactivity', iface.name, n.key), this.now + LeavingGraceMs);
        }
      }
    }
    this.leaving.clear();
  }

  // ---------------------------------------------------------------- sending

  /** The LSUs queued by flood() (RFC 2328 13.3 (5)), one batch per interface. */
  private sendQueuedFloods(): void {
    for (const iface of this.ifaceOrder) {
      const queue = this.floodQueues.get(iface.name);
      if (queue === undefined) continue;
      this.floodQueues.delete(iface.name);
      if (iface.state !== 'Down') this.sendLsas(iface, this.floodDst(iface), queue.values());
    }
  }

  private common(): PacketCommon {
    return { version: 2, routerId: this.config.routerId, areaId: this.config.areaId, checksum: 0, auType: 0, auth: NoAuth, trailer: NoTrailer };
  }

  /** The most OSPF bytes after the OSPF header that fit one IP packet on the interface, digest included. */
  private packetRoom(iface: Iface): number {
    return Math.max(iface.info.mtu, 576) - IpHeaderLength - OspfHeaderLength - trailerLength(iface.settings.auth);
  }

  /** Unicast to a neighbor on broadcast networks; AllSPFRouters on point-to-point (RFC 2328 8.1). */
  private neighborDst(iface: Iface, n: Neighbor): number {
    return iface.kind === 'broadcast' ? n.address : AllSPFRouters;
  }

  /** RFC 2328 13.3 (5): DR and Backup flood to AllSPFRouters, others to AllDRouters. */
  private floodDst(iface: Iface): number {
    if (iface.kind !== 'broadcast' || iface.state === 'DR' || iface.state === 'Backup') return AllSPFRouters;
    return AllDRouters;
  }

  /** Sends a packet encoded with Null authentication, authenticated as the interface says (RFC 2328 D.4). */
  private sendRaw(iface: Iface, dst: number, data: Uint8Array): void {
    const auth = iface.settings.auth;
    const seq = auth.type === 'cryptographic' ? this.nextAuthSeq(iface) : 0;
    this.out.push({ kind: 'send', ifName: iface.name, dst, data: signPacket(data, auth, seq) });
  }

  /**
   * RFC 2328 D.4.3: the cryptographic sequence number never decreases. Each
   * packet takes one more than the last, and at least the driver's clock
   * (authSequenceBase plus the seconds since the first input), so a restart
   * that takes a fresh clock reading goes on above the numbers sent before
   * it as long as the interface sent less than one packet a second on
   * average. It stays at 2^32-1 once there (D.4.3 then asks for a new key).
   */
  private nextAuthSeq(iface: Iface): number {
    const clock = this.authSequenceBase + Math.floor((this.now - (this.firstNow ?? this.now)) / 1000);
    iface.authSeq = Math.min(0xffffffff, Math.max(clock, iface.authSeq + 1));
    return iface.authSeq;
  }

  private sendHello(iface: Iface): void {
    // A router that has flushed its LSAs to leave (the shutdown input) keeps quiet: a
    // Hello would have neighbors that took it down on the flush bring it back.
    if (this.shuttingDown) return;
    this.sendRaw(iface, AllSPFRouters, encodeHello(this.common(), iface));
  }
}

/**
 * When an LSA first goes again if unacknowledged. A neighbour drops, without
 * acknowledging it, an instance that reaches it less than MinLSArrival after
 * it installed the previous one (RFC 2328 13 (5a)); when the previous
 * instance was installed here not long before this one, a neighbour that got
 * it late may have done just that, so the first retransmission comes after
 * MinLSArrival, when the neighbour takes it, rather than a whole
 * RxmtInterval later. An anycast withdrawal that follows its announcement
 * closely then costs a second at most, not the five of the usual interval.
 */
function firstRetransmitDelay(interval: number, sincePrevious: number): number {
  const minArrival = MinLSArrival * 1000;
  return sincePrevious < minArrival + interval ? Math.min(interval, minArrival) : interval;
}
