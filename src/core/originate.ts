// Origination of our own LSAs (RFC 2328 12.4): what we want, recorded and
// marked dirty; new instances within MinLSInterval; sequence number wraps
// (12.1.6); a newer instance of ours received (13.4).

import { InitialSequenceNumber, LsaType, MaxAge, MaxSequenceNumber, MinLSInterval, RouterFlags, buildLsa, decodeLsa, decodeLsaBody, type LsaBody, type LsaKey } from '../packet/index.js';
import { lsaWithSeq } from '../packet/lsa-header.js';
import type { Ctx, Wanted } from './context.js';
import { flood } from './flooding.js';
import { countsAsFull } from './graceful-restart.js';
import { install, flush } from './install.js';
import { LsaSet } from './lsa-map.js';
import { rawAdvRouter, rawSeq, type LsaEntry } from './lsdb.js';
import { OurOptions, uint32Cmp } from './model.js';
import { advertisementFor, externalLsas, routerLinks, sameContents, stubRouterLinks } from './origination.js';

/** RFC 2328 13.4: someone flooded a newer instance of an LSA of ours. */
export function ownLsaReceived(ctx: Ctx, entry: LsaEntry): void {
  // RFC 3623 2.2 (2): while restarting, it is taken as our pre-restart instance, neither flushed nor replaced.
  if (ctx.restarter.active()) return;
  const wanted = ctx.shuttingDown ? undefined : ctx.wanted.get(entry.type, entry.lsId, entry.advRouter);
  // Still wanted: jump past its sequence number now; not wanted: flush it.
  if (wanted !== undefined) originateNow(ctx, entry, wanted);
  else flush(ctx, entry);
}

/** A new instance of one of our LSAs, one past the current sequence number (RFC 2328 12.1.6). */
export function originateNow(ctx: Ctx, key: LsaKey, wanted: Wanted): void {
  const { type, lsId, advRouter } = key;
  const current = ctx.db.get(type, lsId, advRouter);
  let seq = InitialSequenceNumber;
  if (current !== undefined) {
    const currentSeq = rawSeq(current.raw);
    if (currentSeq === MaxSequenceNumber) {
      // RFC 2328 12.1.6: flush the instance with MaxSequenceNumber first.
      ctx.wrapPending.add(type, lsId, advRouter);
      flush(ctx, current);
      return;
    }
    seq = currentSeq + 1;
  }
  // The template with the sequence number and a fresh LS checksum (RFC 2328 12.1.7).
  const raw = lsaWithSeq(wanted.probe, seq);
  const changed = current === undefined || current.baseAge >= MaxAge || !sameContents(current.raw, raw);
  const entry = install(ctx, raw, false, current);
  ctx.lastOriginated.set(type, lsId, advRouter, ctx.now);
  ctx.deferred.delete(type, lsId, advRouter);
  flood(ctx, entry, undefined, undefined, current?.installedAt, changed);
}

/** Brings the LSDB in line with what we want for one key, within MinLSInterval. */
export function reconcileOrigination(ctx: Ctx, key: LsaKey): void {
  const { type, lsId, advRouter } = key;
  const wanted = ctx.shuttingDown ? undefined : ctx.wanted.get(type, lsId, advRouter);
  const current = ctx.db.get(type, lsId, advRouter);
  if (wanted === undefined) {
    if (current !== undefined && rawAdvRouter(current.raw) === ctx.config.routerId) flush(ctx, current);
    return;
  }
  if (ctx.wrapPending.has(type, lsId, advRouter)) return;
  if (current !== undefined && current.baseAge < MaxAge && sameContents(current.raw, wanted.probe)) return;
  // RFC 2328 12.4: at most one origination per MinLSInterval; later changes wait, they are not lost.
  const last = ctx.lastOriginated.get(type, lsId, advRouter);
  const minInterval = ctx.config.minLsIntervalMs ?? MinLSInterval * 1000;
  if (last !== undefined && ctx.now - last < minInterval) {
    ctx.deferred.add(type, lsId, advRouter);
    const at = last + minInterval;
    if (ctx.originationAt === undefined || at < ctx.originationAt) {
      ctx.originationAt = at;
      ctx.timers.set(ctx.timer('origination'), at);
    }
    return;
  }
  originateNow(ctx, key, wanted);
}

/** Records what we want for one of our LSAs, marking it dirty if that changed; keep gets its key. */
export function setWanted(ctx: Ctx, type: number, lsId: number, body: LsaBody, keep: LsaSet): void {
  const advRouter = ctx.config.routerId;
  const probe = buildLsa({ age: 0, options: OurOptions, type, lsId, advRouter, seq: 0 }, body).raw;
  const old = ctx.wanted.get(type, lsId, advRouter);
  if (old === undefined || !sameContents(old.probe, probe)) ctx.dirtyKeys.add(type, lsId, advRouter);
  ctx.wanted.set(type, lsId, advRouter, { type, probe });
  keep.add(type, lsId, advRouter);
}

/** Our LSAs of the given types that are wanted no more: dropped from wanted, marked dirty to be flushed. */
export function unwantExcept(ctx: Ctx, types: readonly number[], keep: LsaSet): void {
  ctx.wanted.forEach((w, type, lsId, advRouter) => {
    if (types.includes(w.type) && !keep.has(type, lsId, advRouter)) {
      ctx.wanted.delete(type, lsId, advRouter);
      ctx.dirtyKeys.add(type, lsId, advRouter);
    }
  });
}

/** Recomputes the router-LSA and network-LSAs we want (RFC 2328 12.4.1, 12.4.2). */
export function rebuildTopologyLsas(ctx: Ctx): void {
  const keep = new LsaSet();
  const flags = ctx.config.externals.length > 0 ? RouterFlags.E : 0;
  const links = routerLinks(ctx.ifaceOrder, (address) => advertisementFor(ctx.advertisements.values(), address));
  setWanted(ctx, LsaType.Router, ctx.config.routerId, { kind: 'router', flags, links: ctx.stub.active() ? stubRouterLinks(links) : links }, keep);
  for (const iface of ctx.ifaceOrder) {
    if (iface.state !== 'DR' || iface.settings.passive) continue;
    const attached: number[] = [];
    for (const n of iface.neighbors.values()) if (countsAsFull(n)) attached.push(n.routerId);
    if (attached.length === 0) continue;
    // RFC 2328 12.4.2: the DR lists itself and every router fully adjacent to it.
    attached.push(ctx.config.routerId);
    attached.sort(uint32Cmp);
    setWanted(ctx, LsaType.Network, iface.address, { kind: 'network', networkMask: iface.mask, attachedRouters: attached }, keep);
  }
  unwantExcept(ctx, [LsaType.Router, LsaType.Network], keep);
}

/** RFC 2328 12.4.4: the AS-external-LSAs we want for config.externals. */
export function rebuildExternals(ctx: Ctx): void {
  const keep = new LsaSet();
  for (const { lsId, body } of externalLsas(ctx.config.externals)) setWanted(ctx, LsaType.AsExternal, lsId, body, keep);
  unwantExcept(ctx, [LsaType.AsExternal], keep);
}

/**
 * RFC 3623 2.3: after restarting mode, each LSA of ours in the LSDB (the
 * instances our neighbours kept) is originated anew above its sequence
 * number when still wanted, and flushed otherwise: the grace-LSAs among them.
 */
export function reoriginateAll(ctx: Ctx): void {
  // The grace-LSA of each interface, as its helpers hold it; the LSDB's copy is flushed below too, and retransmitted.
  for (const { iface, entry } of ctx.restarter.takeGraceFlushes(ctx.ifaceOrder)) ctx.sendLsas(iface, ctx.floodDst(iface), [entry]);
  for (const entry of ctx.db.values()) {
    if (rawAdvRouter(entry.raw) !== ctx.config.routerId || entry.baseAge >= MaxAge) continue;
    const wanted = ctx.wanted.get(entry.type, entry.lsId, entry.advRouter);
    if (wanted === undefined) flush(ctx, entry);
    else originateNow(ctx, entry, wanted);
  }
}

/** Our wanted network-LSA for the segment whose DR address is `lsId`, without the routers whose old router-LSA we still hold. */
export function networkLsaForSpf(ctx: Ctx, lsId: number, probe: Uint8Array): Uint8Array {
  const iface = ctx.ifaceOrder.find((i) => i.address === lsId >>> 0);
  if (iface === undefined) return probe;
  const old = new Set<number>();
  for (const n of iface.neighbors.values()) {
    if (n.oldRouterLsaUntil !== undefined && ctx.now < n.oldRouterLsaUntil) old.add(n.routerId >>> 0);
  }
  if (old.size === 0) return probe;
  const lsa = decodeLsa(probe);
  const body = decodeLsaBody(lsa);
  if (body.kind !== 'network') return probe;
  return buildLsa(lsa, { ...body, attachedRouters: body.attachedRouters.filter((r) => !old.has(r >>> 0)) }).raw;
}
