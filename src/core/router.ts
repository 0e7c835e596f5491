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
// The procedures live in modules, each handed the router's shared state
// (context.ts: now, outputs, timers, LSDB, configuration):
//
//   receive.ts     a packet's checks (8.2), then by type: hello.ts (10.5),
//                  dbdes.ts (10.6, 10.8), lsreq.ts (10.7, 10.9),
//                  lsupd.ts (13), lsack.ts (13.5, 13.7)
//   ism.ts         the interface state machine (9.3); interface.ts (9)
//   neighbor.ts    the neighbor state machine (10.3)
//   lists.ts       request and retransmission lists (10); flooding.ts (13.3, 13.6)
//   install.ts     installing and flushing (13.2, 14.1); aging.ts (14)
//   originate.ts   our own LSAs (12.4)
//   control.ts     configuration, advertise, restart, shutdown inputs
//
// Neighbors, interfaces and LSAs are found again by key on every event;
// references live only for the duration of one handle() call (see LsaEntry
// for the one exception, retransmission lists).

import { LsaType, MinLSInterval, compareLsaKeys, type Lsa, type LsaHeader, type LsaKey } from '../packet/index.js';
import { agingPass, sweepMaxAge } from './aging.js';
import type { CoreOptions, Input, InterfaceView, NeighborView, OspfCore, Output, StubRouterView } from './api.js';
import { auditCore } from './audit.js';
import { Ctx } from './context.js';
import { onConfig, onAdvertise, onPrepareRestart, leaveRestart, onShutdown, onGoodbye } from './control.js';
import { validateConfig, validateInterfaceInfo, validatePrefix, CoreConfigError } from './defaults.js';
import type { DropCounters } from './drops.js';
import { retransmitLsas, sendQueuedFloods } from './flooding.js';
import { sendHello, scheduleHello } from './hello.js';
import { onInterface } from './interface.js';
import { ism, runScheduledInterfaceEvents } from './ism.js';
import { sendDelayedAcks } from './lsack.js';
import { Lsdb, headerOf } from './lsdb.js';
import { sendLsRequest, pumpRequests } from './lsreq.js';
import { uint32Cmp } from './model.js';
import { nsm } from './neighbor.js';
import { reconcileOrigination, rebuildTopologyLsas, rebuildExternals, reoriginateAll, networkLsaForSpf } from './originate.js';
import { onPacket } from './receive.js';
import type { TimerRef } from './timers.js';

/**
 * How long a neighbor that flushed its own router-LSA stays before it is
 * taken down: long enough for the rest of its flush, sent back to back, to
 * arrive from it.
 */
const LeavingGraceMs = 100;

/** Counters for operators: drops per reason, LSDB size, packets in and out. */
export interface CoreStats {
  drops: DropCounters;
  lsaCount: number;
  packetsReceived: number;
  packetsSent: number;
}

export class OspfRouter implements OspfCore {
  private readonly ctx: Ctx;

  /** Throws CoreConfigError when the configuration cannot be run. */
  constructor(options: CoreOptions) {
    this.ctx = new Ctx(options);
  }

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
    if (this.ctx.firstNow === undefined) {
      this.ctx.firstNow = now;
      const startupEnds = this.ctx.stub.start(now);
      if (startupEnds !== undefined) this.ctx.timers.set(this.ctx.timer('stub-router'), startupEnds);
    }
    this.ctx.now = Math.max(this.ctx.now, now);
    if (this.ctx.restartUntil !== undefined) {
      // RFC 3623 2.2: the first input after a graceful restart opens restarting mode.
      this.ctx.restarter.begin(this.ctx.restartUntil);
      this.ctx.restartUntil = undefined;
    }
    this.runTimers();
    switch (input.kind) {
      case 'packet':
        onPacket(this.ctx, input.ifName, input.src, input.dst, input.data);
        break;
      case 'timer':
        break;
      case 'interface':
        onInterface(this.ctx, input.info);
        break;
      case 'config':
        onConfig(this.ctx, input.config);
        break;
      case 'advertise':
        onAdvertise(this.ctx, input.prefix, input.mode);
        break;
      case 'prepare-restart':
        onPrepareRestart(this.ctx, input.gracePeriod);
        break;
      case 'shutdown':
        onShutdown(this.ctx);
        break;
      case 'goodbye':
        onGoodbye(this.ctx);
        break;
    }
    this.settle();
    const out = this.ctx.out;
    this.ctx.out = [];
    for (let i = 0; i < out.length; i++) if ((out[i] as Output).kind === 'send') this.ctx.packetsSent++;
    return out;
  }

  nextDeadline(): number | undefined {
    return this.ctx.timers.next();
  }

  interfaces(): InterfaceView[] {
    return this.ctx.ifaceOrder.map((i) => ({
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
    for (const i of this.ctx.ifaceOrder) {
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
    for (const entry of this.ctx.db.sorted()) headers.push(headerOf(entry.raw, Lsdb.ageOf(entry, now)));
    return headers;
  }

  lsa(key: LsaKey, now: number): Lsa | undefined {
    const entry = this.ctx.db.get(key.type, key.lsId, key.advRouter);
    return entry === undefined ? undefined : this.ctx.db.lsaAt(entry, now);
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
    if (this.ctx.shuttingDown) return out;
    this.ctx.wanted.forEach((w, type, lsId, advRouter) => {
      if (type === LsaType.Router) out.push({ key: { type, lsId, advRouter }, raw: w.probe });
      else if (type === LsaType.Network) out.push({ key: { type, lsId, advRouter }, raw: networkLsaForSpf(this.ctx, lsId, w.probe) });
    });
    return out;
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
    if (this.ctx.restarter.active()) return false;
    if (this.ctx.deferred.size > 0 || this.ctx.wrapPending.size > 0 || this.ctx.dirtyKeys.size > 0) return false;
    const self = this.ctx.config.routerId;
    for (const iface of this.ctx.ifaceOrder) {
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
    return this.ctx.restarter.view();
  }

  /** Whether a prepared restart's grace-LSAs are acknowledged by every Full neighbour (RFC 3623 2.1). */
  restartPrepared(): boolean {
    return this.ctx.restarter.preparedAndAcknowledged(this.ctx.ifaceOrder);
  }

  /** Drop counters per reason and a few totals. */
  stats(): CoreStats {
    return {
      drops: { ...this.ctx.dropCounters },
      lsaCount: this.ctx.db.size,
      packetsReceived: this.ctx.packetsReceived,
      packetsSent: this.ctx.packetsSent,
    };
  }

  /** Whether our router-LSA is a stub router's now, and why (RFC 6987). */
  stubRouter(now: number): StubRouterView {
    return this.ctx.stub.view(now);
  }

  /**
   * The core's own invariants (audit.ts): every problem found, none when all
   * hold. For tests and the fuzzer; it reads state and changes nothing.
   */
  audit(): string[] {
    return auditCore({
      now: this.ctx.now,
      routerId: this.ctx.config.routerId,
      maxLsa: this.ctx.maxLsa(),
      minLsIntervalMs: this.ctx.config.minLsIntervalMs ?? MinLSInterval * 1000,
      stubStartupRemainingMs: this.ctx.stub.view(this.ctx.now).startupRemainingMs ?? 0,
      db: this.ctx.db,
      ifaces: this.ctx.ifaceOrder,
      timers: this.ctx.timers.pending(),
      packetRoom: (iface) => this.ctx.packetRoom(iface),
    });
  }

  private runTimers(): void {
    for (let ref = this.ctx.timers.popDue(this.ctx.now); ref !== undefined; ref = this.ctx.timers.popDue(this.ctx.now)) {
      this.onTimer(ref);
    }
  }

  private onTimer(ref: TimerRef): void {
    switch (ref.kind) {
      case 'aging':
        this.ctx.agingAt = undefined;
        agingPass(this.ctx);
        return;
      case 'origination':
        this.ctx.originationAt = undefined;
        this.ctx.deferred.forEach((_, type, lsId, advRouter) => this.ctx.dirtyKeys.add(type, lsId, advRouter));
        this.ctx.deferred.clear();
        return;
      case 'restart-grace':
        // RFC 3623 2.3 (3): the grace period is over.
        leaveRestart(this.ctx, 'grace-period-expired');
        return;
      case 'stub-router':
        // RFC 6987: the on-startup period is over; the router-LSA gets its transit costs back.
        this.ctx.stub.expire();
        this.ctx.topologyDirty = true;
        return;
      default:
        break;
    }
    // A timer for an interface or neighbor that is gone is a no-op.
    const iface = this.ctx.ifaces.get(ref.ifName);
    if (iface === undefined) return;
    switch (ref.kind) {
      case 'hello':
        sendHello(this.ctx, iface);
        scheduleHello(this.ctx, iface);
        return;
      case 'wait':
        // RFC 2328 9.3 WaitTimer.
        ism(this.ctx, iface, 'WaitTimer');
        return;
      case 'delayed-ack':
        sendDelayedAcks(this.ctx, iface);
        return;
      case 'grace-lsa-retransmit':
        this.ctx.restarter.sendPrepared(iface, false, this.ctx.floodDst(iface), iface.settings.retransmitIntervalMs);
        return;
      default:
        break;
    }
    const n = iface.neighbors.get(ref.neighbor);
    if (n === undefined) return;
    switch (ref.kind) {
      case 'inactivity':
        // RFC 3623 3.2: a neighbor being helped through its restart stays.
        if (this.ctx.grHelper.keepsAlive(iface, n)) return;
        nsm(this.ctx, iface, n, 'InactivityTimer', n.leaving ? 'RouterLsaFlushed' : 'InactivityTimer');
        return;
      case 'dd-retransmit':
        // RFC 2328 10.8: in ExStart, and as master in Exchange, the last DD goes out again.
        if ((n.state === 'ExStart' || (n.state === 'Exchange' && n.master)) && n.lastSentDd !== undefined) {
          this.ctx.sendRaw(iface, this.ctx.neighborDst(iface, n), n.lastSentDd);
          this.ctx.timers.set(ref, this.ctx.now + iface.settings.retransmitIntervalMs);
        }
        return;
      case 'lsr-retransmit':
        // RFC 2328 10.9: unanswered requests are asked for again.
        if (n.state === 'Exchange' || n.state === 'Loading') sendLsRequest(this.ctx, iface, n);
        return;
      case 'lsu-retransmit':
        retransmitLsas(this.ctx, iface, n);
        return;
      case 'grace-period':
        this.ctx.grHelper.graceExpired(iface, n);
        return;
      default:
        return;
    }
  }

  private settle(): void {
    this.dropLeavingNeighbors();
    runScheduledInterfaceEvents(this.ctx);
    pumpRequests(this.ctx);
    runScheduledInterfaceEvents(this.ctx);
    sweepMaxAge(this.ctx);
    if (this.ctx.restarter.active()) {
      // RFC 3623 2.3 (1), (2): every pre-restart adjacency Full again, or the topology changed.
      const why = this.ctx.restarter.check(this.ctx.ifaceOrder);
      if (why !== undefined) leaveRestart(this.ctx, why);
    }
    // RFC 3623 2.2 (1): nothing of ours is originated while restarting.
    if (!this.ctx.shuttingDown && !this.ctx.restarter.active()) {
      if (this.ctx.topologyDirty) {
        this.ctx.topologyDirty = false;
        rebuildTopologyLsas(this.ctx);
      }
      if (this.ctx.externalsDirty) {
        this.ctx.externalsDirty = false;
        rebuildExternals(this.ctx);
      }
      if (this.ctx.reoriginate) {
        this.ctx.reoriginate = false;
        reoriginateAll(this.ctx);
      }
    }
    if (this.ctx.dirtyKeys.size > 0) {
      const keys = this.ctx.dirtyKeys.keys().sort(compareLsaKeys);
      this.ctx.dirtyKeys.clear();
      for (const key of keys) reconcileOrigination(this.ctx, key);
    }
    sendQueuedFloods(this.ctx);
    for (const [n, headers] of this.ctx.directAcks) {
      const iface = this.ctx.ifaces.get(n.ifName);
      if (iface !== undefined && iface.neighbors.get(n.key) === n) this.ctx.sendAcks(iface, this.ctx.neighborDst(iface, n), headers);
    }
    this.ctx.directAcks.clear();
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
    if (this.ctx.leaving.size === 0) return;
    for (const routerId of this.ctx.leaving) {
      for (const iface of this.ctx.ifaceOrder) {
        for (const n of iface.neighbors.values()) {
          if (n.routerId !== routerId || n.leaving) continue;
          n.leaving = true;
          this.ctx.timers.set(this.ctx.timer('inactivity', iface.name, n.key), this.ctx.now + LeavingGraceMs);
        }
      }
    }
    this.ctx.leaving.clear();
  }
}
