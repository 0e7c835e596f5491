// Link State Update packets: the receive procedure of RFC 2328 13 for each
// LSA they carry.

import { LsaType, MaxAge, MaxSequenceNumber, verifyLsa, lsaByteLength, PacketLsa, type Lsa, type LsaHeader, type LsUpdatePacket } from '../packet/index.js';
import type { Ctx } from './context.js';
import { flood } from './flooding.js';
import { isGraceLsa } from './graceful-restart.js';
import { install } from './install.js';
import { removeRequest, removeRetransmit } from './lists.js';
import { queueDelayedAck, queueDirectAck } from './lsack.js';
import { Lsdb, compareInstance, lsAge, rawChecksum, rawSeq, type LsaEntry } from './lsdb.js';
import { KnownLsaTypes, MaxLsaBytes, NeighborRank, type Iface, type Neighbor } from './model.js';
import { nsm } from './neighbor.js';
import { ownLsaReceived } from './originate.js';
import { sameContents } from './origination.js';

export function onLsUpdate(ctx: Ctx, iface: Iface, n: Neighbor, p: LsUpdatePacket): void {
  if (NeighborRank[n.state] < NeighborRank.Exchange) return ctx.drop('neighbor-state', iface.name, n.address);
  const lsas = p.lsas;
  for (let i = 0; i < lsas.length; i++) {
    if (!receiveLsa(ctx, iface, n, lsas[i] as Lsa)) return;
  }
}

/** The receive procedure of RFC 2328 13 for one LSA. False stops processing the rest of the packet. */
export function receiveLsa(ctx: Ctx, iface: Iface, n: Neighbor, lsa: Lsa): boolean {
  // (1) the LS checksum.
  if (!verifyLsa(lsa)) {
    ctx.drop('lsa-checksum', iface.name, n.address);
    return true;
  }
  // (2) the LS type; (3) AS-external-LSAs are welcome, the area is not a stub.
  if (!KnownLsaTypes.has(lsa.type)) {
    ctx.drop('lsa-unknown-type', iface.name, n.address);
    return true;
  }
  // Longer than any LSA a router of ours needs: refused, to bound the LSDB's memory.
  if (lsaByteLength(lsa) > MaxLsaBytes) {
    ctx.drop('lsa-too-large', iface.name, n.address);
    return true;
  }
  const { type, lsId, advRouter } = lsa;
  const current = ctx.db.get(type, lsId, advRouter);
  const age = lsAge(lsa.age);
  // The acknowledgment carries the header as received (RFC 2328 13.5).
  const ack: LsaHeader = lsa;
  // (4) a MaxAge LSA we do not have, with no exchange under way: acknowledge and forget.
  if (age >= MaxAge && current === undefined && !ctx.anyExchanging()) {
    queueDirectAck(ctx, n, ack);
    return true;
  }
  const currentAge = current === undefined ? 0 : Lsdb.ageOf(current, ctx.now);
  const cmp =
    current === undefined ? 1 : compareInstance(lsa.seq, lsa.checksum, age, rawSeq(current.raw), rawChecksum(current.raw), currentAge);
  // (5) newer than ours, or new to us.
  if (cmp > 0) {
    // (5a) MinLSArrival: a copy installed by flooding less than a second ago stays. Not
    // against an instance we asked this neighbor for (10.9): the brake is for flooding,
    // and refusing the answer would leave the request to RxmtInterval, the adjacency
    // in Loading all that time.
    if (current !== undefined && current.fromFlood && ctx.now - current.installedAt < ctx.minLsArrival() && !n.requests.has(type, lsId, advRouter)) {
      ctx.drop('lsa-min-arrival', iface.name, n.address);
      return true;
    }
    // maxLsa: no new LSA once the LSDB is full. It is not acknowledged, and leaves the
    // request list so the exchange can finish without it.
    if (current === undefined && ctx.db.size >= ctx.maxLsa()) {
      ctx.drop('lsdb-full', iface.name, n.address);
      removeRequest(n, type, lsId, advRouter);
      return true;
    }
    // (5c, 5d) out of the retransmission lists, into the database; (5b) flooded on.
    const changed = current === undefined || (current.baseAge >= MaxAge) !== (age >= MaxAge) || !sameContents(current.raw, lsa.raw);
    const entry = install(ctx, lsa instanceof PacketLsa ? lsa : lsa.raw, true, current);
    if (type === LsaType.OpaqueLink) ctx.linkScope.set(type, lsId, advRouter, iface.name);
    const floodedBack = flood(ctx, entry, iface, n, current?.installedAt, changed);
    // A neighbour's grace-LSA asks for help (RFC 3623 3.1); ours, met again after a restart, does not.
    if (isGraceLsa(type, lsId) && advRouter >>> 0 !== ctx.config.routerId) ctx.grHelper.graceLsaInstalled(iface, entry.raw, age, advRouter >>> 0);
    // (5e) RFC 2328 13.5: delayed ack unless flooded back; in Backup only when from the DR.
    if (!floodedBack && (iface.state !== 'Backup' || n.address === iface.dr)) queueDelayedAck(ctx, iface, ack);
    if (type === LsaType.Router && lsId === advRouter) routerLsaReplaced(ctx, advRouter);
    // (5f) a newer instance of one of our own LSAs (RFC 2328 13.4).
    // Our own prepared grace-LSA flooded back is an implied acknowledgment, not a stale LSA (RFC 3623 2.1).
    if (lsa.advRouter >>> 0 === ctx.config.routerId) {
      if (isGraceLsa(type, lsId)) ctx.restarter.graceSeen(entry.raw);
      if (!ctx.restarter.echoed(iface, n.key, lsa)) ownLsaReceived(ctx, entry);
    }
    else if (type === LsaType.Router && lsId === advRouter && age >= MaxAge && lsa.seq !== MaxSequenceNumber) {
      // A router flushes its own router-LSA when it stops (RFC 2328 14.1); one at
      // MaxSequenceNumber is flushed to start its numbering again (12.1.6) and stays.
      ctx.leaving.add(advRouter >>> 0);
    }
    return true;
  }
  // (6) on the request list but not newer than ours: the exchange went wrong.
  if (n.requests.has(type, lsId, advRouter)) {
    ctx.drop('bad-ls-request', iface.name, n.address);
    nsm(ctx, iface, n, 'BadLSReq');
    return false;
  }
  const db = current as LsaEntry;
  // (7) the same instance.
  if (cmp === 0) {
    const item = n.retransmit.get(type, lsId, advRouter);
    if (item !== undefined && item.entry === db) {
      // (7a) an implied acknowledgment; RFC 2328 13.5: a Backup acks it (delayed) when it came from the DR.
      removeRetransmit(ctx, iface, n, type, lsId, advRouter);
      if (iface.state === 'Backup' && n.address === iface.dr) queueDelayedAck(ctx, iface, ack);
    } else {
      // (7b) a direct acknowledgment.
      queueDirectAck(ctx, n, ack);
    }
    return true;
  }
  // (8) ours is newer.
  if (currentAge >= MaxAge && rawSeq(db.raw) === MaxSequenceNumber) {
    ctx.drop('lsa-stale', iface.name, n.address);
    return true;
  }
  const last = ctx.sentBack.get(type, lsId, advRouter);
  if (last === undefined || ctx.now - last >= ctx.minLsArrival()) {
    ctx.sentBack.set(type, lsId, advRouter, ctx.now);
    ctx.sendLsas(iface, ctx.neighborDst(iface, n), [db]);
  }
  return true;
}

/** A new instance of the router-LSA of `routerId` arrived: what a neighbor with that id held before its adjacency is gone. */
export function routerLsaReplaced(ctx: Ctx, routerId: number): void {
  for (const iface of ctx.ifaceOrder) {
    for (const n of iface.neighbors.values()) if (n.routerId >>> 0 === routerId >>> 0) n.oldRouterLsaUntil = undefined;
  }
}
