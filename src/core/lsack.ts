// Link State Acknowledgment packets (RFC 2328 13.7 receiving; 13.5 delayed
// and direct acknowledgments sent).

import type { LsaHeader, LsAckPacket } from '../packet/index.js';
import type { Ctx } from './context.js';
import { addRetransmit, removeRetransmit } from './lists.js';
import { Lsdb, compareInstance, lsAge, rawChecksum, rawSeq } from './lsdb.js';
import { DelayedAckMs, NeighborRank, type Iface, type Neighbor } from './model.js';

/** RFC 2328 13.7: acknowledgments take LSAs off the retransmission list. */
export function onLsAck(ctx: Ctx, iface: Iface, n: Neighbor, p: LsAckPacket): void {
  if (NeighborRank[n.state] < NeighborRank.Exchange) return ctx.drop('neighbor-state', iface.name, n.address);
  const headers = p.lsaHeaders;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i] as LsaHeader;
    const item = n.retransmit.get(h.type, h.lsId, h.advRouter);
    if (item === undefined) {
      if (ctx.restarter.acknowledged(iface, n.key, h)) continue;
      olderInstanceAcked(ctx, iface, n, h);
      continue;
    }
    const e = item.entry;
    if (compareInstance(h.seq, h.checksum, lsAge(h.age), rawSeq(e.raw), rawChecksum(e.raw), Lsdb.ageOf(e, ctx.now)) === 0) {
      removeRetransmit(ctx, iface, n, h.type, h.lsId, h.advRouter);
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
export function olderInstanceAcked(ctx: Ctx, iface: Iface, n: Neighbor, h: LsaHeader): void {
  if (n.state !== 'Full') return;
  const db = ctx.db.get(h.type, h.lsId, h.advRouter);
  if (db === undefined) return;
  if (compareInstance(h.seq, h.checksum, lsAge(h.age), rawSeq(db.raw), rawChecksum(db.raw), Lsdb.ageOf(db, ctx.now)) >= 0) return;
  const last = ctx.sentBack.get(h.type, h.lsId, h.advRouter);
  if (last !== undefined && ctx.now - last < ctx.minLsArrival()) return;
  ctx.sentBack.set(h.type, h.lsId, h.advRouter, ctx.now);
  addRetransmit(ctx, n, db);
  ctx.sendLsas(iface, ctx.neighborDst(iface, n), [db]);
}

export function queueDelayedAck(ctx: Ctx, iface: Iface, header: LsaHeader): void {
  iface.delayedAcks.push(header);
  if (iface.delayedAcks.length >= Math.floor(ctx.packetRoom(iface) / 20)) {
    sendDelayedAcks(ctx, iface);
    return;
  }
  if (iface.delayedAcks.length === 1) ctx.timers.set(ctx.timer('delayed-ack', iface.name), ctx.now + DelayedAckMs);
}

export function queueDirectAck(ctx: Ctx, n: Neighbor, header: LsaHeader): void {
  const list = ctx.directAcks.get(n);
  if (list === undefined) ctx.directAcks.set(n, [header]);
  else list.push(header);
}

/** RFC 2328 13.5: delayed acks go to AllSPFRouters from DR/Backup, to AllDRouters from others. */
export function sendDelayedAcks(ctx: Ctx, iface: Iface): void {
  ctx.timers.cancel(ctx.timer('delayed-ack', iface.name));
  const headers = iface.delayedAcks;
  iface.delayedAcks = [];
  if (headers.length === 0) return;
  ctx.sendAcks(iface, ctx.floodDst(iface), headers);
}
