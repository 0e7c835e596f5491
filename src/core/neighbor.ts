// The neighbor state machine (RFC 2328 10.3) and the side effects of its
// transitions: adjacency lists cleared, ExStart's first DD, Exchange's
// summary list.

import { DdFlags, LsaType, MaxAge, MinLSInterval, PacketType, encodePacket, type DbDescriptionPacket, type LsaHeader } from '../packet/index.js';
import type { NeighborState } from './api.js';
import type { Ctx } from './context.js';
import { inFloodScope, addRetransmit, releaseRetransmit } from './lists.js';
import { Lsdb } from './lsdb.js';
import { NeighborRank, OurPacketOptions, type Iface, type Neighbor, type NsmEvent } from './model.js';

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

/** `reason`, when given, is what the neighbor-state event reports instead of the NSM event's name. */
export function nsm(ctx: Ctx, iface: Iface, n: Neighbor, event: NsmEvent, reason: string = event): void {
  const rank = NeighborRank[n.state];
  switch (event) {
    case 'HelloReceived':
      // Down → Init; in any state the inactivity timer restarts.
      n.leaving = false;
      if (n.state === 'Down') setNeighborState(ctx, iface, n, 'Init', event);
      ctx.timers.set(ctx.timer('inactivity', iface.name, n.key), ctx.now + iface.settings.deadIntervalMs);
      return;
    case '2-WayReceived':
      // Init → 2-Way or ExStart (RFC 2328 10.4); no action in higher states.
      if (n.state === 'Init') setNeighborState(ctx, iface, n, shouldBeAdjacent(iface, n) ? 'ExStart' : '2-Way', event);
      return;
    case 'NegotiationDone':
      if (n.state === 'ExStart') setNeighborState(ctx, iface, n, 'Exchange', event);
      return;
    case 'ExchangeDone':
      if (n.state === 'Exchange') setNeighborState(ctx, iface, n, n.requests.size === 0 ? 'Full' : 'Loading', event);
      return;
    case 'LoadingDone':
      if (n.state === 'Loading') setNeighborState(ctx, iface, n, 'Full', event);
      return;
    case 'AdjOK?':
      if (n.state === '2-Way') {
        if (shouldBeAdjacent(iface, n)) setNeighborState(ctx, iface, n, 'ExStart', event);
      } else if (rank >= NeighborRank.ExStart && !shouldBeAdjacent(iface, n)) {
        setNeighborState(ctx, iface, n, '2-Way', event);
      }
      return;
    case 'SeqNumberMismatch':
    case 'BadLSReq':
      // Exchange and above: the adjacency is torn down and restarted.
      if (rank >= NeighborRank.Exchange) setNeighborState(ctx, iface, n, 'ExStart', event);
      return;
    case '1-WayReceived':
      if (rank >= NeighborRank['2-Way']) setNeighborState(ctx, iface, n, 'Init', event);
      return;
    case 'KillNbr':
    case 'InactivityTimer':
    case 'LLDown':
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

/** RFC 2328 10.3 ExStart; `fresh`: a new adjacency, not one restarted by SeqNumberMismatch or BadLSReq. */
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
    else summary.push(entry);
  });
}

export function sendDd(ctx: Ctx, iface: Iface, n: Neighbor, flags: number, lsaHeaders: LsaHeader[]): void {
  const packet: DbDescriptionPacket = {
    ...ctx.common(),
    type: PacketType.DbDescription,
    mtu: iface.info.mtu,
    options: OurPacketOptions,
    flags,
    ddSeq: n.ddSeq,
    lsaHeaders,
  };
  const data = encodePacket(packet);
  n.lastSentDd = data;
  ctx.sendRaw(iface, ctx.neighborDst(iface, n), data);
}
