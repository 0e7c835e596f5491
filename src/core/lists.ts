// The per-neighbor lists of RFC 2328 10: the link state request list and
// the link state retransmission list, and the flooding scope of an LSA for a
// neighbor (RFC 5250 3).

import { LsaType, MaxAge, Options, type LsaHeader } from '../packet/index.js';
import type { Ctx } from './context.js';
import { LsaSet } from './lsa-map.js';
import type { LsaEntry } from './lsdb.js';
import { isOpaqueType, type Iface, type Neighbor } from './model.js';

export function addRequest(n: Neighbor, header: LsaHeader): void {
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

export function removeRequest(n: Neighbor, type: number, lsId: number, advRouter: number): void {
  n.requests.delete(type, lsId, advRouter);
  n.requestsInFlight.delete(type, lsId, advRouter);
}

/**
 * RFC 5250 3: opaque LSAs go to opaque-capable neighbors only (the O-bit of
 * their DD Options), and a link-local one (type 9) only on the interface it
 * came in on; every other LSA goes everywhere in the area.
 */
export function inFloodScope(ctx: Ctx, entry: LsaEntry, n: Neighbor): boolean {
  if (!isOpaqueType(entry.type)) return true;
  if ((n.ddOptions & Options.O) === 0) return false;
  return entry.type !== LsaType.OpaqueLink || ctx.linkScope.get(entry.type, entry.lsId, entry.advRouter) === n.ifName;
}

export function addRetransmit(ctx: Ctx, n: Neighbor, entry: LsaEntry, after?: number): void {
  const { type, lsId, advRouter } = entry;
  const existing = n.retransmit.get(type, lsId, advRouter);
  if (existing !== undefined) releaseRetransmit(ctx, existing.entry);
  const interval = (ctx.ifaces.get(n.ifName) as Iface).settings.retransmitIntervalMs;
  const dueAt = ctx.now + (after ?? interval);
  n.retransmit.set(type, lsId, advRouter, { entry, dueAt });
  entry.rxmtRefs++;
  if (n.retransmit.size === 1 && existing === undefined) {
    // The list was empty, so no retransmission timer runs (RFC 2328 13.6).
    ctx.timers.set(ctx.timer('lsu-retransmit', n.ifName, n.key), dueAt);
  } else if (after !== undefined && after < interval) {
    // Due before the others: the timer moves to the earliest.
    let next = dueAt;
    n.retransmit.forEach((item) => (next = Math.min(next, item.dueAt)));
    ctx.timers.set(ctx.timer('lsu-retransmit', n.ifName, n.key), next);
  }
}

export function removeRetransmit(ctx: Ctx, iface: Iface, n: Neighbor, type: number, lsId: number, advRouter: number): void {
  const item = n.retransmit.get(type, lsId, advRouter);
  if (item === undefined) return;
  n.retransmit.delete(type, lsId, advRouter);
  releaseRetransmit(ctx, item.entry);
  if (n.retransmit.size === 0) ctx.timers.cancel(ctx.timer('lsu-retransmit', iface.name, n.key));
}

export function releaseRetransmit(ctx: Ctx, entry: LsaEntry): void {
  entry.rxmtRefs--;
  if (entry.rxmtRefs === 0 && entry.baseAge >= MaxAge) ctx.sweepNeeded = true;
}
