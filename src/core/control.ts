// The inputs that are not packets or timers: configuration, anycast
// advertisement, planned restart (RFC 3623 2.1), shutdown (RFC 2328 14.1)
// and the goodbye Hello.

import { maskFromLength, type Prefix } from '../lib/ipv4.js';
import { AllSPFRouters, type PrefixAdvertisement, type RouterConfig } from './api.js';
import type { Ctx } from './context.js';
import { sameExternals, settingsFor } from './defaults.js';
import { sendQueuedFloods } from './flooding.js';
import { flush } from './install.js';
import { reconcile } from './interface.js';
import { ism } from './ism.js';
import { sendDelayedAcks } from './lsack.js';
import { rawAdvRouter } from './lsdb.js';
import type { RestartExitReason } from './restarting.js';
import { encodeHello } from './transmit.js';

/** The key of an anycast prefix in Ctx.advertisements: "address/length". */
function prefixText(prefix: Prefix): string {
  return `${prefix.address >>> 0}/${prefix.length}`;
}

/** Applies a new configuration; neighbors on interfaces whose settings did not change stay up. */
export function onConfig(ctx: Ctx, config: RouterConfig): void {
  const old = ctx.config;
  if (config.routerId >>> 0 !== old.routerId || config.areaId >>> 0 !== old.areaId) {
    // A new identity: our LSAs under the old Router ID are flushed (RFC 2328 14.1) while the
    // adjacencies still stand to carry the flush, then every adjacency restarts.
    for (const entry of ctx.db.values()) if (rawAdvRouter(entry.raw) === old.routerId) flush(ctx, entry);
    sendQueuedFloods(ctx);
    for (const iface of ctx.ifaceOrder) ism(ctx, iface, 'InterfaceDown');
    ctx.wanted.clear();
    ctx.deferred.clear();
    ctx.wrapPending.clear();
    ctx.lastOriginated.clear();
  }
  ctx.config = { ...config, routerId: config.routerId >>> 0, areaId: config.areaId >>> 0 };
  ctx.stub.configure(config.stubRouter);
  if (!ctx.stub.inStartup()) ctx.timers.cancel(ctx.timer('stub-router'));
  ctx.grHelper.configure(ctx.config.gracefulRestartHelper, ctx.ifaceOrder);
  if (!sameExternals(config.externals, old.externals)) ctx.externalsDirty = true;
  for (const iface of [...ctx.ifaceOrder]) reconcile(ctx, iface, settingsFor(ctx.config, iface.name));
  ctx.topologyDirty = true;
}

export function onAdvertise(ctx: Ctx, prefix: Prefix, mode: PrefixAdvertisement): void {
  const normal = { address: (prefix.address & maskFromLength(prefix.length)) >>> 0, length: prefix.length };
  const key = prefixText(normal);
  const governed = ctx.advertisements.has(key);
  // A prefix announced in this run and withdrawn (its proxy failed) must not wait for the end
  // of the restart behind the pre-restart router-LSA that still announces it: the restart ends.
  if (ctx.advertisements.get(key)?.mode === 'announce' && mode !== 'announce') leaveRestart(ctx, 'withdrawal');
  ctx.advertisements.set(key, { prefix: normal, mode });
  // A prefix governed for the first time makes its addresses anycast ones on every interface.
  if (!governed) for (const iface of [...ctx.ifaceOrder]) reconcile(ctx, iface, iface.settings);
  ctx.topologyDirty = true;
}

/**
 * RFC 3623 2.1: grace-LSAs out, retransmitted until acknowledged; our
 * LSAs stay (the driver stops without the shutdown input).
 */
export function onPrepareRestart(ctx: Ctx, gracePeriod: number): void {
  // RFC 3623 3.1 (2): a neighbour helps only while its retransmission list to us holds no changed LSA,
  // so the acknowledgments waiting for the delayed-ack timer (RFC 2328 13.5) go out before the grace-LSAs.
  for (const iface of ctx.ifaceOrder) sendDelayedAcks(ctx, iface);
  ctx.restarter.prepare(ctx.ifaceOrder, gracePeriod);
  for (const iface of ctx.ifaceOrder) ctx.restarter.sendPrepared(iface, true, ctx.floodDst(iface), iface.settings.retransmitIntervalMs);
  ctx.out.push({ kind: 'event', event: { type: 'graceful-restart', action: 'prepare', until: ctx.now + gracePeriod * 1000 } });
}

/** RFC 3623 2.3: restarting mode ends; the next settle() originates our LSAs anew. */
export function leaveRestart(ctx: Ctx, why: RestartExitReason): void {
  if (!ctx.restarter.active()) return;
  ctx.restarter.end(why);
  ctx.reoriginate = true;
  ctx.topologyDirty = true;
  ctx.externalsDirty = true;
}

/** RFC 2328 14.1: every LSA of ours flushed by premature aging; nothing more is originated. */
export function onShutdown(ctx: Ctx): void {
  ctx.restarter.end('shutdown');
  ctx.shuttingDown = true;
  ctx.wanted.clear();
  ctx.deferred.clear();
  ctx.wrapPending.clear();
  ctx.timers.cancel(ctx.timer('origination'));
  ctx.originationAt = undefined;
  for (const entry of ctx.db.values()) {
    if (rawAdvRouter(entry.raw) === ctx.config.routerId) flush(ctx, entry);
  }
}

/** The goodbye input: a Hello without neighbours wherever we send Hellos. */
export function onGoodbye(ctx: Ctx): void {
  for (const iface of ctx.ifaceOrder) {
    if (iface.state === 'Down' || iface.state === 'Loopback' || iface.settings.passive) continue;
    ctx.sendRaw(iface, AllSPFRouters, encodeHello(ctx.common(), iface, true));
  }
}
