// The flooding procedure (RFC 2328 13.3), the LSUs it queues per interface,
// and retransmission of unacknowledged LSAs (13.6).

import { MinLSArrival } from '../packet/index.js';
import type { Ctx } from './context.js';
import { removeRequest, inFloodScope, addRetransmit } from './lists.js';
import { LsaMap } from './lsa-map.js';
import { Lsdb, compareInstance, lsAge, rawChecksum, rawSeq, type LsaEntry } from './lsdb.js';
import { NeighborRank, type Iface, type Neighbor } from './model.js';

/**
 * RFC 2328 13.3: puts entry on the retransmission list of every adjacency
 * that should get it and queues it for sending per interface. Returns
 * whether it was flooded back out of the interface it came in on.
 * previousAt is when the instance it replaces was installed here, if any.
 */
export function flood(ctx: Ctx, entry: LsaEntry, fromIface: Iface | undefined, from: Neighbor | undefined, previousAt: number | undefined, changed: boolean): boolean {
  const { type, lsId, advRouter } = entry;
  const seq = rawSeq(entry.raw);
  const checksum = rawChecksum(entry.raw);
  const age = Lsdb.ageOf(entry, ctx.now);
  let floodedBack = false;
  for (const iface of ctx.ifaceOrder) {
    if (iface.neighbors.size === 0) continue;
    const firstRetransmit = firstRetransmitDelay(iface.settings.retransmitIntervalMs, previousAt === undefined ? Infinity : ctx.now - previousAt);
    let added = false;
    for (const n of iface.neighbors.values()) {
      // (1a) only adjacencies in Exchange or above; opaque LSAs within their scope (RFC 5250 3).
      if (NeighborRank[n.state] < NeighborRank.Exchange || !inFloodScope(ctx, entry, n)) continue;
      // (1b) Exchange/Loading: the request list decides.
      if (n.state !== 'Full') {
        const request = n.requests.get(type, lsId, advRouter);
        if (request !== undefined) {
          const c = compareInstance(seq, checksum, age, request.seq, request.checksum, lsAge(request.age));
          if (c < 0) continue;
          removeRequest(n, type, lsId, advRouter);
          if (c === 0) continue;
        }
      }
      // (1c) not back to the neighbor it came from.
      if (n === from) continue;
      // (1d) onto the retransmission list; a change for a neighbor we help ends the help (RFC 3623 3.2).
      addRetransmit(ctx, n, entry, firstRetransmit);
      if (changed) ctx.grHelper.changedLsaFor(iface, n, type, lsId);
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
    let queue = ctx.floodQueues.get(iface.name);
    if (queue === undefined) {
      queue = new LsaMap();
      ctx.floodQueues.set(iface.name, queue);
    }
    queue.set(type, lsId, advRouter, entry);
  }
  return floodedBack;
}

/** RFC 2328 13.6: LSAs unacknowledged for RxmtInterval go again, directly to the neighbor. */
export function retransmitLsas(ctx: Ctx, iface: Iface, n: Neighbor): void {
  const interval = iface.settings.retransmitIntervalMs;
  const due: LsaEntry[] = [];
  let next = Infinity;
  for (const item of n.retransmit.values()) {
    if (item.dueAt <= ctx.now) {
      due.push(item.entry);
      item.dueAt = ctx.now + interval;
    }
    next = Math.min(next, item.dueAt);
  }
  ctx.sendLsas(iface, ctx.neighborDst(iface, n), due);
  if (next !== Infinity) ctx.timers.set(ctx.timer('lsu-retransmit', iface.name, n.key), next);
}

/** The LSUs queued by flood() (RFC 2328 13.3 (5)), one batch per interface. */
export function sendQueuedFloods(ctx: Ctx): void {
  for (const iface of ctx.ifaceOrder) {
    const queue = ctx.floodQueues.get(iface.name);
    if (queue === undefined) continue;
    ctx.floodQueues.delete(iface.name);
    if (iface.state !== 'Down') ctx.sendLsas(iface, ctx.floodDst(iface), queue.values());
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
