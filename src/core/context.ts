// The state one OspfRouter shares with its modules, passed to each as `ctx`:
// the time of the input being handled, the outputs it produces, the timers,
// the LSDB, the configuration, interfaces and what origination wants; and
// the small helpers every module sends and drops through.

import type { Prefix } from '../lib/ipv4.js';
import { MaxAge, MinLSArrival, OspfHeaderLength, type Lsa, type LsaHeader, type LsaKey, type PacketCommon } from '../packet/index.js';
import { AllDRouters, AllSPFRouters, type CoreOptions, type Output, type PrefixAdvertisement, type RouterConfig } from './api.js';
import { signPacket, trailerLength } from './auth.js';
import { validateConfig, CoreConfigError, DefaultMaxLsa } from './defaults.js';
import { emptyDropCounters, type DropReason } from './drops.js';
import { GracefulRestartHelper } from './graceful-restart.js';
import { LsaMap, LsaSet } from './lsa-map.js';
import { Lsdb, type LsaEntry } from './lsdb.js';
import { IpHeaderLength, NoAuth, NoTrailer, type Iface, type Neighbor } from './model.js';
import { RestartingMode } from './restarting.js';
import { StubRouter } from './stub-router.js';
import { TimerQueue, type TimerKind, type TimerRef } from './timers.js';
import { encodeLsAcks, encodeLsUpdates } from './transmit.js';

/** What we want to originate for one key (RFC 2328 12.4), and its encoding for change detection. */
export interface Wanted {
  type: number;
  /** The LSA built with sequence 0: compared with the LSDB copy, and the template of each new instance. */
  probe: Uint8Array;
}

/**
 * The shared state of one router. Modules read and change it in place during
 * one handle() call; references to interfaces, neighbors and LSDB entries
 * found through it are not kept across calls.
 */
export class Ctx {
  config: RouterConfig;
  readonly random: () => number;
  readonly ifaces = new Map<string, Iface>();
  ifaceOrder: Iface[] = [];
  readonly db = new Lsdb();
  readonly timers = new TimerQueue();
  readonly dropCounters = emptyDropCounters();
  packetsReceived = 0;
  packetsSent = 0;
  now = 0;
  /** The `now` of the first input: the origin of the seconds added to authSequenceBase. */
  firstNow: number | undefined;
  readonly authSequenceBase: number;
  /** Stub router advertisement (RFC 6987). */
  readonly stub: StubRouter;
  /** The last sequence number sent on interfaces that went away, so one that comes back goes on above it. */
  readonly goneAuthSeq = new Map<string, number>();
  out: Output[] = [];

  /** Anycast prefixes and how they are advertised, from the 'advertise' input, by "address/length". */
  readonly advertisements = new Map<string, { prefix: Prefix; mode: PrefixAdvertisement }>();
  readonly wanted = new LsaMap<Wanted>();
  readonly lastOriginated = new LsaMap<number>();
  readonly deferred = new LsaSet();
  readonly dirtyKeys = new LsaSet();
  /** Keys flushed at MaxSequenceNumber, to originate afresh once removed (RFC 2328 12.1.6). */
  readonly wrapPending = new LsaSet();
  readonly maxAgeKeys = new LsaSet();
  /** When we last sent our copy back to a neighbor with an older one (RFC 2328 13 (8)). */
  readonly sentBack = new LsaMap<number>();
  topologyDirty = false;
  externalsDirty = true;
  sweepNeeded = false;
  shuttingDown = false;
  agingAt: number | undefined;
  originationAt: number | undefined;
  readonly floodQueues = new Map<string, LsaMap<LsaEntry>>();
  readonly directAcks = new Map<Neighbor, LsaHeader[]>();
  /** The header objects of the DD being built, reused from one DD to the next: each DD is encoded at once (RFC 2328 10.8). */
  readonly ddHeaders: LsaHeader[] = [];
  /** The same for the LSAs of the Link State Update being built (RFC 2328 13.3) and the keys of the LS Request (10.9). */
  readonly updateLsas: Lsa[] = [];
  readonly requestKeys: LsaKey[] = [];
  /**
   * Neighbors whose own router-LSA arrived at MaxAge while handling this
   * input: they are leaving the domain (RFC 2328 14.1, premature aging on
   * shutdown), and are taken down once the packet is processed.
   */
  readonly leaving = new Set<number>();
  /** The interface each link-local opaque LSA (type 9) came in on: its flooding scope (RFC 5250 3). */
  readonly linkScope = new LsaMap<string>();
  /** Graceful restart helper mode (RFC 3623 3). */
  readonly grHelper = new GracefulRestartHelper({
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
  readonly restarter = new RestartingMode({
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
  restartUntil: number | undefined;
  /** Restarting mode just ended: every LSA of ours is originated anew or flushed (RFC 3623 2.3). */
  reoriginate = false;

  constructor(options: CoreOptions) {
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

  timer(kind: TimerKind, ifName = '', neighbor = 0): TimerRef {
    return { kind, ifName, neighbor };
  }

  /** The injected random source, held to [0, 1) so a faulty one cannot stall the timers. */
  draw(): number {
    const value = this.random();
    return value >= 0 && value < 1 ? value : 0;
  }

  drop(reason: DropReason, ifName: string, src: number): void {
    this.dropCounters[reason]++;
    this.out.push({ kind: 'event', event: { type: 'drop', ifName, reason, src } });
  }

  maxLsa(): number {
    return this.config.maxLsa ?? DefaultMaxLsa;
  }

  /** RFC 2328 B MinLSArrival, or the configured value (FRR `timers lsa min-arrival`). */
  minLsArrival(): number {
    return this.config.minLsArrivalMs ?? MinLSArrival * 1000;
  }

  anyExchanging(): boolean {
    for (const iface of this.ifaceOrder) {
      for (const n of iface.neighbors.values()) if (n.state === 'Exchange' || n.state === 'Loading') return true;
    }
    return false;
  }

  common(): PacketCommon {
    return { version: 2, routerId: this.config.routerId, areaId: this.config.areaId, checksum: 0, auType: 0, auth: NoAuth, trailer: NoTrailer };
  }

  /** The most OSPF bytes after the OSPF header that fit one IP packet on the interface, digest included. */
  packetRoom(iface: Iface): number {
    return Math.max(iface.info.mtu, 576) - IpHeaderLength - OspfHeaderLength - trailerLength(iface.settings.auth);
  }

  /** Unicast to a neighbor on broadcast networks; AllSPFRouters on point-to-point (RFC 2328 8.1). */
  neighborDst(iface: Iface, n: Neighbor): number {
    return iface.kind === 'broadcast' ? n.address : AllSPFRouters;
  }

  /** RFC 2328 13.3 (5): DR and Backup flood to AllSPFRouters, others to AllDRouters. */
  floodDst(iface: Iface): number {
    if (iface.kind !== 'broadcast' || iface.state === 'DR' || iface.state === 'Backup') return AllSPFRouters;
    return AllDRouters;
  }

  /** Sends a packet encoded with Null authentication, authenticated as the interface says (RFC 2328 D.4). */
  sendRaw(iface: Iface, dst: number, data: Uint8Array): void {
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
  nextAuthSeq(iface: Iface): number {
    const clock = this.authSequenceBase + Math.floor((this.now - (this.firstNow ?? this.now)) / 1000);
    iface.authSeq = Math.min(0xffffffff, Math.max(clock, iface.authSeq + 1));
    return iface.authSeq;
  }

  /** LSAs out in as few Link State Updates as the MTU allows, each aged by InfTransDelay (RFC 2328 13.3). */
  sendLsas(iface: Iface, dst: number, entries: readonly LsaEntry[]): void {
    const packets = encodeLsUpdates(this.common(), this.packetRoom(iface), iface.settings.transmitDelay, entries, this.now, this.updateLsas);
    for (const data of packets) this.sendRaw(iface, dst, data);
  }

  sendAcks(iface: Iface, dst: number, headers: LsaHeader[]): void {
    for (const data of encodeLsAcks(this.common(), this.packetRoom(iface), headers)) this.sendRaw(iface, dst, data);
  }

  /** The LSDB's bytes for a key below MaxAge; without advRouter, the first found of any originator. */
  liveLsa(type: number, lsId: number, advRouter: number | undefined): Uint8Array | undefined {
    if (advRouter !== undefined) {
      const entry = this.db.get(type, lsId, advRouter);
      return entry === undefined || Lsdb.ageOf(entry, this.now) >= MaxAge ? undefined : entry.raw;
    }
    for (const entry of this.db.values()) {
      if (entry.type === type && entry.lsId === lsId >>> 0 && Lsdb.ageOf(entry, this.now) < MaxAge) return entry.raw;
    }
    return undefined;
  }
}
