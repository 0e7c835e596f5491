// What the SPF sees of a broadcast segment we are on while its DR leaves.
//
// A DR that stops flushes its network-LSA (RFC 2328 12.4.2, 14.1). From then
// until a new DR is elected and every router on the segment has linked its
// router-LSA to the new DR's network-LSA, the segment has no network vertex:
// the SPF (16.1 (2)) reaches none of the routers on it, although they are
// still there and still forwarding. Routers elect the new DR only when their
// own RouterDeadInterval for the old one runs out, so with FRR's defaults the
// routes through the segment would be gone for up to 40 s.
//
// The RFC says when LSAs are flooded and flushed, not that a router must
// forget a path it can verify by itself. While the transition lasts, the SPF
// keeps the segment's last network-LSA, narrowed to the routers that are
// still our neighbors on that interface (Hellos heard within the dead
// interval, state 2-Way or higher), and our own router-LSA keeps its link to
// it. Every other LSA is as flooded: a router whose router-LSA was flushed, or
// no longer links to the old DR, is not reached through the kept network
// (16.1 (2)(b) still checks the link back), and the new DR's network-LSA is
// used beside it as soon as it exists.
//
//   on a segment we are on:
//   its network-LSA flushed,   ──▶ hold (interface, old DR,   ──▶ released when the routers it
//   its DR changed, or our          last live copy); the SPF      carries share another transit
//   router-LSA's transit link       sees: attached ∩ live         network with us, the DR's LSA
//   to it gone                      neighbors, and our router-    is back, the interface leaves
//                                   LSA linking to it and to      DR/Backup/DROther, or after
//                                   the current DR                2 × RouterDeadInterval

import type { InterfaceView, NeighborView } from '../core/api.js';
import { maskFromLength } from '../lib/ipv4.js';
import { buildLsa, decodeLsaBody, DecodeError, LsaType, MaxAge, RouterLinkType, type Lsa, type LsaBody, type LsaKey, type NetworkLsaBody, type RouterLsaBody } from '../packet/index.js';

/** What the hold needs of the engine, read at the time of each call. */
export interface HoldContext {
  now: number;
  routerId: number;
  interfaces: readonly InterfaceView[];
  neighbors: readonly NeighborView[];
  /** The LSDB's copy of an LSA (age at `now`), or undefined. */
  lsa(key: LsaKey): Lsa | undefined;
  /** The interface's RouterDeadInterval in ms. */
  deadIntervalMs(ifName: string): number;
}

interface Hold {
  ifName: string;
  key: LsaKey;
  /** The network-LSA as it last was before the flush. */
  last: Lsa;
  until: number;
  /** The bytes last handed to the SPF for it, to feed it only on change. */
  fed: Uint8Array | undefined;
}

const NEIGHBOR_LIVE = new Set(['2-Way', 'ExStart', 'Exchange', 'Loading', 'Full']);

function keyText(key: LsaKey): string {
  return `${key.type}:${key.lsId >>> 0}:${key.advRouter >>> 0}`;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An LSA's body, or undefined when it does not decode: LSAs come off the
 * wire with only their checksum verified (RFC 2328 13 (1)), and one whose
 * body is malformed is no link of anyone's (the SPF drops it the same way).
 */
function bodyOf(lsa: Lsa): LsaBody | undefined {
  try {
    return decodeLsaBody(lsa);
  } catch (err) {
    if (err instanceof DecodeError) return undefined;
    throw err;
  }
}

function routerBody(lsa: Lsa): RouterLsaBody | undefined {
  const body = bodyOf(lsa);
  return body?.kind === 'router' ? body : undefined;
}

function networkBody(lsa: Lsa): NetworkLsaBody | undefined {
  const body = bodyOf(lsa);
  return body?.kind === 'network' ? body : undefined;
}

function isLive(lsa: Lsa | undefined): boolean {
  return lsa !== undefined && (lsa.age & 0x7fff) < MaxAge;
}

/** Whether the interface is on a broadcast segment, past Waiting, with `address` in its subnet. */
function onSegment(iface: InterfaceView, address: number): boolean {
  if (iface.networkType !== 'broadcast' || iface.passive) return false;
  if (iface.state !== 'DR' && iface.state !== 'Backup' && iface.state !== 'DROther') return false;
  const mask = maskFromLength(iface.prefixLength);
  return ((iface.address & mask) >>> 0) === ((address & mask) >>> 0);
}

export class TransitHolds {
  /** The last live copy of each network-LSA of a segment we are on. */
  private readonly live = new Map<string, Lsa>();
  private readonly holds = new Map<string, Hold>();
  /** The DR of each broadcast interface, as last seen. */
  private lastDr = new Map<string, number>();
  /** The DR addresses our own router-LSA links to as a transit network, as last seen. */
  private ownLinks = new Set<number>();
  private changedKeys: LsaKey[] = [];
  private ownDirty = false;
  /** The bytes of our router-LSA last handed to the SPF while something was held. */
  private ownFed: Uint8Array | undefined;

  get size(): number {
    return this.holds.size;
  }

  /**
   * An LSDB change, before the SPF hears of it: a network-LSA of a segment we
   * are on flushed, or our own router-LSA no longer linking to one, starts a
   * hold of that network.
   */
  changed(key: LsaKey, ctx: HoldContext): void {
    if (key.type === LsaType.Router && key.lsId >>> 0 === ctx.routerId && key.advRouter >>> 0 === ctx.routerId) {
      this.ownChanged(ctx);
      return;
    }
    if (key.type !== LsaType.Network) return;
    const text = keyText(key);
    const current = ctx.lsa(key);
    if (current !== undefined && isLive(current)) {
      if (ctx.interfaces.some((i) => onSegment(i, key.lsId))) this.live.set(text, current);
      else this.live.delete(text);
      // The DR re-originated it and we link to it again: its own LSA is the truth again.
      if (this.holds.has(text) && this.ownLinks.has(key.lsId >>> 0)) this.end(text);
      return;
    }
    const last = this.live.get(text);
    this.live.delete(text);
    if (last !== undefined && !this.holds.has(text)) this.start(last, ctx);
  }

  /** Our router-LSA changed: a transit link it no longer has starts a hold of that network (RFC 2328 12.4.1.2). */
  private ownChanged(ctx: HoldContext): void {
    const own = ctx.lsa({ type: LsaType.Router, lsId: ctx.routerId, advRouter: ctx.routerId });
    const links = new Set<number>();
    if (own !== undefined && isLive(own)) {
      for (const l of routerBody(own)?.links ?? []) if (l.type === RouterLinkType.Transit) links.add(l.linkId >>> 0);
    }
    for (const dr of this.ownLinks) {
      if (links.has(dr)) continue;
      for (const [text, last] of this.live) if (last.lsId >>> 0 === dr && !this.holds.has(text)) this.start(last, ctx);
    }
    this.ownLinks = links;
  }

  /**
   * The DR of a segment we are on changed (RFC 2328 9.4): the old DR's
   * network is held. The routers there move to the new DR's network as soon
   * as they hear of it, ahead of our own router-LSA, which waits out
   * MinLSInterval; and the old DR's flush may never reach us.
   */
  private drChanges(ctx: HoldContext): void {
    if (this.live.size === 0 && this.lastDr.size === 0) return;
    const seen = new Map<string, number>();
    for (const iface of ctx.interfaces) {
      if (iface.networkType !== 'broadcast') continue;
      const dr = iface.dr >>> 0;
      seen.set(iface.name, dr);
      const before = this.lastDr.get(iface.name);
      if (before === undefined || before === 0 || before === dr) continue;
      for (const [text, last] of this.live) if (last.lsId >>> 0 === before && !this.holds.has(text)) this.start(last, ctx);
    }
    this.lastDr = seen;
  }

  private start(last: Lsa, ctx: HoldContext): void {
    if (networkBody(last) === undefined) return;
    const iface = ctx.interfaces.find((i) => onSegment(i, last.lsId));
    if (iface === undefined) return;
    const key = { type: last.type, lsId: last.lsId, advRouter: last.advRouter };
    this.holds.set(keyText(key), { ifName: iface.name, key, last, until: ctx.now + 2 * ctx.deadIntervalMs(iface.name), fed: undefined });
    this.changedKeys.push(key);
    this.ownDirty = true;
  }

  private end(text: string): void {
    const hold = this.holds.get(text);
    if (hold === undefined) return;
    this.holds.delete(text);
    this.changedKeys.push(hold.key);
    this.ownDirty = true;
  }

  /** Whether `key` is a held network-LSA or our own router-LSA while anything is held. */
  covers(key: LsaKey, routerId: number): boolean {
    if (this.holds.size === 0) return false;
    if (key.type === LsaType.Network) return this.holds.has(keyText(key));
    return key.type === LsaType.Router && key.lsId >>> 0 === routerId && key.advRouter >>> 0 === routerId;
  }

  /** The bytes the SPF is to see for a key that covers() — undefined when the LSDB has none. */
  view(key: LsaKey, ctx: HoldContext): Uint8Array | undefined {
    if (key.type === LsaType.Network) {
      const hold = this.holds.get(keyText(key));
      if (hold === undefined) return ctx.lsa(key)?.raw;
      const raw = this.narrowed(hold, ctx);
      hold.fed = raw;
      return raw;
    }
    this.ownFed = this.ownRouterLsa(ctx);
    return this.ownFed;
  }

  /**
   * Ends the holds that are no longer needed and returns the keys whose view
   * changed since the SPF was last given them: holds started or ended, held
   * networks whose live routers changed, and then our router-LSA. A hold ends
   * when its time is up, when its interface leaves the segment, or when every
   * router it still carries shares another transit network with us in the
   * LSDB: the new DR's network-LSA, and the LSDB alone reaches them.
   */
  refresh(ctx: HoldContext): LsaKey[] {
    this.drChanges(ctx);
    for (const [text, hold] of this.holds) {
      const iface = ctx.interfaces.find((i) => i.name === hold.ifName);
      if (ctx.now >= hold.until || iface === undefined || !onSegment(iface, hold.key.lsId) || !this.stillNeeded(hold, ctx)) this.end(text);
      else if (!sameBytes(hold.fed, this.narrowed(hold, ctx))) this.changedKeys.push(hold.key);
    }
    const changed = this.changedKeys;
    this.changedKeys = [];
    if (this.ownDirty || (this.holds.size > 0 && !sameBytes(this.ownFed, this.ownRouterLsa(ctx)))) {
      changed.push({ type: LsaType.Router, lsId: ctx.routerId, advRouter: ctx.routerId });
    }
    this.ownDirty = false;
    return changed;
  }

  /**
   * Whether a live router on the held network, other than us, is still
   * reached through it alone: its router-LSA and ours (as flooded) share no
   * other transit network. Ours may lag behind: a new instance waits out
   * MinLSInterval (RFC 2328 12.4).
   */
  private stillNeeded(hold: Hold, ctx: HoldContext): boolean {
    const dr = hold.key.lsId >>> 0;
    for (const id of this.liveAttached(hold, ctx)) {
      if (id === ctx.routerId) continue;
      const lsa = ctx.lsa({ type: LsaType.Router, lsId: id, advRouter: id });
      if (lsa === undefined || !isLive(lsa)) continue;
      const body = routerBody(lsa);
      if (body === undefined) continue;
      const shared = body.links.some((l) => l.type === RouterLinkType.Transit && l.linkId >>> 0 !== dr && this.ownLinks.has(l.linkId >>> 0));
      if (!shared) return true;
    }
    return false;
  }

  /** When the next hold ends, if any. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const hold of this.holds.values()) if (next === undefined || hold.until < next) next = hold.until;
    return next;
  }

  /** The routers of the held network-LSA that are ourselves or our live neighbors on its interface. */
  private liveAttached(hold: Hold, ctx: HoldContext): number[] {
    const body = networkBody(hold.last);
    if (body === undefined) return [];
    const present = new Set<number>([ctx.routerId]);
    for (const n of ctx.neighbors) if (n.ifName === hold.ifName && NEIGHBOR_LIVE.has(n.state)) present.add(n.routerId >>> 0);
    return body.attachedRouters.map((id) => id >>> 0).filter((id) => present.has(id));
  }

  /** The held network-LSA with only ourselves and our live neighbors on its interface attached. */
  private narrowed(hold: Hold, ctx: HoldContext): Uint8Array {
    const body = networkBody(hold.last);
    if (body === undefined) return hold.last.raw;
    const { age, options, type, lsId, advRouter, seq } = hold.last;
    return buildLsa({ age, options, type, lsId, advRouter, seq }, { ...body, attachedRouters: this.liveAttached(hold, ctx) }).raw;
  }

  /**
   * Our router-LSA as the SPF is to see it while networks are held: with a
   * transit link to each held network, and to the segment's current DR where
   * RFC 2328 12.4.1.2 gives one (we are DR with a Full neighbor, or Full with
   * the DR). The flooded instance can lag the election by up to MinLSInterval
   * (12.4), while the routers on the segment may already have moved to the
   * new DR's network.
   */
  private ownRouterLsa(ctx: HoldContext): Uint8Array | undefined {
    const own = ctx.lsa({ type: LsaType.Router, lsId: ctx.routerId, advRouter: ctx.routerId });
    if (own === undefined || !isLive(own)) return own?.raw;
    const body = routerBody(own);
    if (body === undefined) return own.raw;
    const links = [...body.links];
    const addTransit = (dr: number, iface: InterfaceView): void => {
      if (dr === 0 || links.some((l) => l.type === RouterLinkType.Transit && l.linkId >>> 0 === dr)) return;
      links.push({ type: RouterLinkType.Transit, linkId: dr, linkData: iface.address, metric: iface.cost, tos: [] });
    };
    for (const hold of this.holds.values()) {
      const iface = ctx.interfaces.find((i) => i.name === hold.ifName);
      if (iface === undefined) continue;
      addTransit(hold.key.lsId >>> 0, iface);
      const full = ctx.neighbors.filter((n) => n.ifName === iface.name && n.state === 'Full');
      const dr = iface.dr >>> 0;
      if (iface.state === 'DR' ? full.length > 0 : full.some((n) => n.address >>> 0 === dr)) addTransit(dr, iface);
    }
    const { age, options, type, lsId, advRouter, seq } = own;
    return buildLsa({ age, options, type, lsId, advRouter, seq }, { ...body, links }).raw;
  }
}
