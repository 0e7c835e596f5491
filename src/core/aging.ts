// RFC 2328 14: the aging pass over the LSDB (our LSAs refreshed at
// LSRefreshTime, others' flooded once more at MaxAge) and the sweep that
// removes MaxAge LSAs once no retransmission list holds them.

import { MaxAge } from '../packet/index.js';
import type { Ctx } from './context.js';
import { dueOf, scheduleAging, flush } from './install.js';
import { rawAdvRouter } from './lsdb.js';
import { originateNow } from './originate.js';

/** RFC 2328 14: one pass over the LSDB: refresh ours at LSRefreshTime, reflood others' at MaxAge. */
export function agingPass(ctx: Ctx): void {
  let next = Infinity;
  for (const entry of ctx.db.values()) {
    if (entry.baseAge >= MaxAge) continue;
    const due = dueOf(ctx, entry);
    if (due > ctx.now) {
      next = Math.min(next, due);
      continue;
    }
    if (rawAdvRouter(entry.raw) === ctx.config.routerId && ctx.restarter.active()) {
      // RFC 3623 2.2 (1): nothing of ours is refreshed while restarting; its end re-originates all.
      continue;
    } else if (rawAdvRouter(entry.raw) === ctx.config.routerId && !ctx.shuttingDown) {
      // RFC 2328 12.4 (LSRefreshTime): a new instance, same contents; or a flush if no longer wanted.
      const wanted = ctx.wanted.get(entry.type, entry.lsId, entry.advRouter);
      if (wanted !== undefined) originateNow(ctx, entry, wanted);
      else flush(ctx, entry);
    } else {
      // RFC 2328 14: an LSA reaching MaxAge is flooded once more, then removed.
      flush(ctx, entry);
    }
  }
  ctx.sentBack.forEach((at, type, lsId, advRouter) => {
    if (ctx.now - at >= ctx.minLsArrival()) ctx.sentBack.delete(type, lsId, advRouter);
  });
  if (next !== Infinity) scheduleAging(ctx, next);
}

/**
 * How long a MaxAge LSA stays after RFC 2328 14 would let it go: two
 * retransmit intervals. An older instance still in flight (a neighbour's
 * retransmission, delayed or reordered) then meets the MaxAge copy and is
 * answered with it (13 (8)) instead of being installed as new and
 * lingering for an hour. FRR holds them for the same reason (maxage delay).
 */
export function maxAgeHoldMs(ctx: Ctx): number {
  // Only interfaces with neighbours retransmit: loopbacks and passive ones do not count.
  let longest = 0;
  for (const iface of ctx.ifaceOrder) {
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
export function sweepMaxAge(ctx: Ctx): void {
  if (!ctx.sweepNeeded) return;
  if (ctx.anyExchanging()) return;
  ctx.sweepNeeded = false;
  const hold = maxAgeHoldMs(ctx);
  let heldUntil = Infinity;
  for (const key of ctx.maxAgeKeys.keys()) {
    const { type, lsId, advRouter } = key;
    const entry = ctx.db.get(type, lsId, advRouter);
    if (entry === undefined || entry.baseAge < MaxAge) {
      ctx.maxAgeKeys.delete(type, lsId, advRouter);
      continue;
    }
    if (entry.rxmtRefs > 0) continue;
    // Held, a flushed MaxSequenceNumber instance too: an older instance still in flight would
    // otherwise come back after a wrap and restart the old numbering, and the flush with it.
    // Only the originator finishing its wrap (12.1.6) goes on at once; its neighbours answer
    // its fresh instance with their held copy (13 (8)) until the hold ends.
    if (ctx.now - entry.installedAt < hold && !ctx.wrapPending.has(type, lsId, advRouter)) {
      heldUntil = Math.min(heldUntil, entry.installedAt + hold);
      continue;
    }
    ctx.db.remove(type, lsId, advRouter);
    ctx.maxAgeKeys.delete(type, lsId, advRouter);
    ctx.linkScope.delete(type, lsId, advRouter);
    const selfOriginated = advRouter === ctx.config.routerId;
    ctx.out.push({ kind: 'lsdb', change: 'remove', key, selfOriginated });
    if (selfOriginated && !ctx.wanted.has(type, lsId, advRouter)) ctx.lastOriginated.delete(type, lsId, advRouter);
    // RFC 2328 12.1.6: after the flush of a MaxSequenceNumber instance, start again.
    if (ctx.wrapPending.delete(type, lsId, advRouter)) ctx.dirtyKeys.add(type, lsId, advRouter);
  }
  if (heldUntil !== Infinity) {
    ctx.sweepNeeded = true;
    scheduleAging(ctx, heldUntil);
  }
}
