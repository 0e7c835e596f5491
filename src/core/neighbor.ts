// The neighbor state machine (RFC 2328 10.3) and the side effects of its
// transitions: adjacency lists cleared, ExStart's first DD, Exchange's
// summary list.

import { DdFlags, LsaType, MaxAge, MinLSInterval, PacketType, encodePacket, type DbDescriptionPacket, type LsaHeader } from '../packet/index.js';
import type { NeighborState } from './api.js';
import type { Ctx } from './context.js';
import { inFloodScope, addRetransmit, releaseRetransmit } from './lists.js';
import { Lsdb } from './lsdb.js';
import { NeighborRank, OurDdOptions, type Iface, type Neighbor, type NsmEvent } from './model.js';

/** RFC 2328 10.4: whether an adjacency should be formed with n. */
export function shouldBeAdjacent(iface: Iface, n: Neighbor): boolean {
  if (iface.kind !== 'broadcast') return true;
  return (
    iface.state === 'DR' ||
    iface.state === 'Backup' ||
    (n.address === iface.dr && iface.dr !== 0) ||
    (n.address === iface.bdr && iface.bdr !== 0)
  );
}

/**
 * The neighbor state machine (RFC 2328 10.3): one event for one neighbor.
 * Start and the Attempt state belong to NBMA networks, which this engine
 * does not run; every other event is handled here. `reason`, when given, is
 * what the neighbor-state event reports instead of the NSM event's name.
 */
export function nsm(ctx: Ctx, iface: Iface, n: Neighbor, event: NsmEvent, reason: string = event): void {
  const to = (state: NeighborState): void => setNeighborState(ctx, iface, n, state, event);
  switch (event) {
    case 'HelloReceived':
      n.leaving = false;
      switch (n.state) {
        case 'Down':
          // Down → Init, the inactivity timer started.
          to('Init');
          break;
        default:
          // Init or greater: the inactivity timer restarted.
          break;
      }
      ctx.timers.set(ctx.timer('inactivity', iface.name, n.key), ctx.now + iface.settings.deadIntervalMs);
      return;
    case '2-WayReceived':
      switch (n.state) {
        case 'Init':
          // Init → ExStart when an adjacency should form (10.4), else 2-Way.
          return to(shouldBeAdjacent(iface, n) ? 'ExStart' : '2-Way');
        default:
          // 2-Way or greater: no action.
          return;
      }
    case 'NegotiationDone':
      switch (n.state) {
        case 'ExStart':
          // ExStart → Exchange: the database summary list is built.
          return to('Exchange');
        default:
          return;
      }
    case 'ExchangeDone':
      switch (n.state) {
        case 'Exchange':
          // Exchange → Full when the request list is empty, else Loading.
          return to(n.requests.size === 0 ? 'Full' : 'Loading');
        default:
          return;
      }
    case 'LoadingDone':
      switch (n.state) {
        case 'Loading':
          // Loading → Full.
          return to('Full');
        default:
          return;
      }
    case 'AdjOK?':
      switch (n.state) {
        case '2-Way':
          // 2-Way → ExStart if an adjacency should now form.
          if (shouldBeAdjacent(iface, n)) to('ExStart');
          return;
        case 'ExStart':
        case 'Exchange':
        case 'Loading':
        case 'Full':
          // ExStart or greater → 2-Way if the adjacency should no longer be.
          if (!shouldBeAdjacent(iface, n)) to('2-Way');
          return;
        default:
          return;
      }
    case 'SeqNumberMismatch':
    case 'BadLSReq':
      switch (n.state) {
        case 'Exchange':
        case 'Loading':
        case 'Full':
          // Exchange or greater → ExStart: the adjacency is torn down and restarted.
          return to('ExStart');
        default:
          return;
      }
    case '1-WayReceived':
      switch (n.state) {
        case '2-Way':
        case 'ExStart':
        case 'Exchange':
        case 'Loading':
        case 'Full':
          // 2-Way or greater → Init.
          return to('Init');
        default:
          return;
      }
    case 'KillNbr':
    case 'InactivityTimer':
    case 'LLDown':
      // Any state → Down.
      setNeighborState(ctx, iface, n, 'Down', reason);
      return;
  }
}

/** Every side effect of a neighbor state change, in one place. */
export function setNeighborState(ctx: Ctx, iface: Iface, n: Neighbor, to: NeighborState, reason: string): void {
  const from = n.state;
  const fromRank = NeighborRank[from];
  const toRank = NeighborRank[to];
  // Leaving an adjacency (or restarting it): its lists go (RFC 2328 10.3).
  if (fromRank >= NeighborRank.ExStart && (toRank <= NeighborRank.ExStart || to === 'Down')) clearAdjacency(ctx, iface, n);
  n.state = to;
  if (to === 'Down') {
    ctx.grHelper.neighborGone(iface, n);
    ctx.timers.cancel(ctx.timer('inactivity', iface.name, n.key));
    iface.neighbors.delete(n.key);
    ctx.directAcks.delete(n);
  }
  if (to === 'ExStart') startExStart(ctx, iface, n, fromRank < NeighborRank.ExStart);
  if (to === 'Exchange') startExchange(ctx, n);
  if (from === 'Full' || to === 'Full') ctx.topologyDirty = true;
  if (from === 'Exchange' || from === 'Loading') ctx.sweepNeeded = true;
  // RFC 2328 10.3: reaching or leaving 2-Way is a NeighborChange for the interface.
  if (iface.kind === 'broadcast' && (fromRank >= NeighborRank['2-Way']) !== (toRank >= NeighborRank['2-Way'])) {
    iface.neighborChange = true;
  }
  ctx.out.push({
    kind: 'event',
    event: { type: 'neighbor-state', ifName: iface.name, routerId: n.routerId, address: n.address, from, to, reason },
  });
}

export function clearAdjacency(ctx: Ctx, iface: Iface, n: Neighbor): void {
  for (const item of n.retransmit.values()) releaseRetransmit(ctx, item.entry);
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
  ctx.timers.cancel(ctx.timer('dd-retransmit', iface.name, n.key));
  ctx.timers.cancel(ctx.timer('lsr-retransmit', iface.name, n.key));
  ctx.timers.cancel(ctx.timer('lsu-retransmit', iface.name, n.key));
}

/**
 * RFC 2328 10.3 ExStart entry: a DD sequence number, master by default, empty
 * DDs with I, M and MS. `fresh`: a new adjacency, not one restarted by SeqNumberMismatch or BadLSReq.
 */
export function startExStart(ctx: Ctx, iface: Iface, n: Neighbor, fresh: boolean): void {
  // A new adjacency: the router-LSA we hold from it, if any, is from before (a restart that
  // did not flush it) and stands until it sends a new one, at the latest for its
  // MinLSInterval twice or a dead interval (ownTopologyLsas).
  if (fresh) {
    const held = ctx.db.get(LsaType.Router, n.routerId, n.routerId);
    n.oldRouterLsaUntil = held === undefined ? undefined : ctx.now + Math.max(iface.settings.deadIntervalMs, 2 * MinLSInterval * 1000);
  }
  if (!n.ddSeqInitialised) {
    n.ddSeq = Math.floor(ctx.draw() * 0x100000000) >>> 0;
    n.ddSeqInitialised = true;
  } else {
    n.ddSeq = (n.ddSeq + 1) >>> 0;
  }
  n.master = true;
  n.lastReceivedDd = undefined;
  n.ddSentAll = false;
  sendDd(ctx, iface, n, DdFlags.I | DdFlags.M | DdFlags.MS, []);
  ctx.timers.set(ctx.timer('dd-retransmit', iface.name, n.key), ctx.now + iface.settings.retransmitIntervalMs);
}

/** RFC 2328 10.3 NegotiationDone: the database summary list; MaxAge LSAs go to the retransmission list. */
export function startExchange(ctx: Ctx, n: Neighbor): void {
  n.summary = [];
  n.summaryPos = 0;
  const summary = n.summary;
  ctx.db.forEach((entry) => {
    if (!inFloodScope(ctx, entry, n)) return;
    if (Lsdb.ageOf(entry, ctx.now) >= MaxAge) addRetransmit(ctx, n, entry);
    else summary.push({ type: entry.type, lsId: entry.lsId, advRouter: entry.advRouter });
  });
}

export function sendDd(ctx: Ctx, iface: Iface, n: Neighbor, flags: number, lsaHeaders: LsaHeader[]): void {
  const packet: DbDescriptionPacket = {
    ...ctx.common(),
    type: PacketType.DbDescription,
    mtu: iface.info.mtu,
    options: OurDdOptions,
    flags,
    ddSeq: n.ddSeq,
    lsaHeaders,
  };
  const data = encodePacket(packet);
  n.lastSentDd = data;
  ctx.sendRaw(iface, ctx.neighborDst(iface, n), data);
}
