// The LSDB's write side: installing an LSA (RFC 2328 13.2), flushing one by
// premature aging (14.1) and scheduling the aging pass.

import { LSRefreshTime, MaxAge, PacketLsa } from '../packet/index.js';
import { lsaWithAge } from '../packet/lsa-header.js';
import type { Ctx } from './context.js';
import { flood } from './flooding.js';
import { removeRetransmit } from './lists.js';
import { rawAdvRouter, type LsaEntry } from './lsdb.js';
import { AgingGranularityMs } from './model.js';

/** RFC 2328 13.2: installs the LSA (its bytes, or the PacketLsa received) in place of `current`, which leaves every retransmission list. */
export function install(ctx: Ctx, source: Uint8Array | PacketLsa, fromFlood: boolean, current: LsaEntry | undefined): LsaEntry {
  if (current !== undefined && current.rxmtRefs > 0) {
    const { type, lsId, advRouter } = current;
    for (const iface of ctx.ifaceOrder) {
      for (const n of iface.neighbors.values()) {
        const item = n.retransmit.get(type, lsId, advRouter);
        if (item !== undefined && item.entry === current) removeRetransmit(ctx, iface, n, type, lsId, advRouter);
      }
    }
  }
  const entry = ctx.db.install(source, ctx.now, fromFlood);
  const { type, lsId, advRouter } = entry;
  if (entry.baseAge >= MaxAge) {
    ctx.maxAgeKeys.add(type, lsId, advRouter);
    ctx.sweepNeeded = true;
  } else {
    ctx.maxAgeKeys.delete(type, lsId, advRouter);
    scheduleAging(ctx, dueOf(ctx, entry));
  }
  const selfOriginated = advRouter === ctx.config.routerId;
  ctx.out.push({ kind: 'lsdb', change: 'install', key: { type, lsId, advRouter }, selfOriginated });
  return entry;
}

/** When the aging pass next has work for this entry: a refresh of ours, MaxAge of others'. */
export function dueOf(ctx: Ctx, entry: LsaEntry): number {
  const limit = rawAdvRouter(entry.raw) === ctx.config.routerId ? LSRefreshTime : MaxAge;
  return entry.installedAt + Math.max(0, limit - entry.baseAge) * 1000;
}

export function scheduleAging(ctx: Ctx, at: number): void {
  const when = Math.max(at, ctx.now + AgingGranularityMs);
  if (ctx.agingAt !== undefined && ctx.agingAt <= when) return;
  ctx.agingAt = when;
  ctx.timers.set(ctx.timer('aging'), when);
}

/** RFC 2328 14.1: premature aging: the LSA at MaxAge, flooded. */
export function flush(ctx: Ctx, entry: LsaEntry): void {
  if (entry.baseAge >= MaxAge) return;
  const raw = lsaWithAge(entry.raw, MaxAge);
  const previousAt = entry.installedAt;
  const flushed = install(ctx, raw, false, entry);
  flood(ctx, flushed, undefined, undefined, previousAt, true);
}
