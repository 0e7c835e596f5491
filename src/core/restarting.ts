// Graceful restart, restarting mode (RFC 3623 section 2). Before a planned
// restart the router asks its neighbours for a grace period with a grace-LSA
// on every interface with a Full neighbour (2.1). Started again within that
// period, it forms its adjacencies but originates none of its LSAs and takes
// the instances its neighbours still hold as its own (2.2), until every
// adjacency of its pre-restart LSAs is Full again, an LSA contradicts them, or
// the grace period is over (2.3). The router calls these hooks; this file decides.
//
//   prepare ──grace-LSAs, acknowledged──▶ exit, LSAs and kernel routes left in place
//                                            ┆ (the restart)
//   start ──record within its grace period──▶ restarting
//   restarting ──every pre-restart adjacency Full (2.3 1)──▶ normal: LSAs re-originated
//              ├──an LSA inconsistent with ours (2.3 2)─────▶ above the old sequence numbers,
//              └──grace period over (2.3 3)─────────────────▶ grace-LSAs flushed

import type { CoreEvent } from './api.js';
import type { Iface } from './model.js';
import type { TimerRef } from './timers.js';
import { LsaEntry } from './lsdb.js';
import { DecodeError, InitialSequenceNumber, LsaType, MaxAge, Options, RouterLinkType, buildLsa, decodeLsa, decodeLsaBody, type LsaHeader } from '../packet/index.js';
import { GraceLsaId, GraceReason, decodeGraceBody, encodeGraceBody } from '../packet/lsa/grace.js';
import { LsaHeaderLength } from '../packet/constants.js';
import { OurOptions } from './model.js';

/**
 * Why restarting mode ended (RFC 3623 2.3); 'withdrawal' when an anycast
 * prefix announced in this run is withdrawn, which waits for nothing;
 * 'shutdown' when the router stopped during it.
 */
export type RestartExitReason = 'adjacencies-full' | 'topology-change' | 'grace-period-expired' | 'withdrawal' | 'shutdown';

/** What restarting mode needs of the router: its clock, timers, events, LSDB and sending. */
export interface RestarterHost {
  now(): number;
  routerId(): number;
  setTimer(ref: TimerRef, at: number): void;
  cancelTimer(ref: TimerRef): void;
  event(event: CoreEvent): void;
  /** The LSDB's bytes for a key, when it holds an instance below MaxAge; without advRouter, any originator's. */
  lsa(type: number, lsId: number, advRouter?: number): Uint8Array | undefined;
  /** A Link State Update with these LSAs out of iface, to dst. */
  send(iface: Iface, dst: number, entries: readonly LsaEntry[]): void;
  /** Where LSAs for one neighbour go: unicast on broadcast segments, AllSPFRouters on point-to-point (RFC 2328 8.1). */
  neighborDst(iface: Iface, neighborKey: number): number;
}

/** One interface's grace-LSA of a restart being prepared, and the Full neighbours yet to acknowledge it. */
interface Prepared {
  entry: LsaEntry;
  pending: Set<number>;
}

export class RestartingMode {
  /** The end of the grace period while restarting (core time, ms); undefined otherwise. */
  private graceUntil: number | undefined;
  private since = 0;
  /** The end of the grace period of the restart this start followed (restarting mode was entered), core time. */
  private restartEnd = -Infinity;
  /** The grace-LSAs sent by prepare(), by interface name. */
  private readonly prepared = new Map<string, Prepared>();
  private preparing = false;
  /** One of our grace-LSAs as a neighbour gave it back while restarting: the seq and grace period of all of them. */
  private ownGrace: Uint8Array | undefined;
  /**
   * The sequence number of the last grace-LSA this run sent or flushed.
   * Neighbours keep a flushed instance a while after our LSDB has dropped
   * it, and take a new one only above it (RFC 2328 13.1).
   */
  private lastGraceSeq: number | undefined;

  constructor(private readonly host: RestarterHost) {}

  /** Whether the router is restarting (RFC 3623 2.2): no origination, its own LSAs taken as they come. */
  active(): boolean {
    return this.graceUntil !== undefined;
  }

  /** Within the grace period of the restart this start followed: the segments may still hold the roles we had (RFC 3623 2.2 (3)). */
  followsRestart(): boolean {
    return this.host.now() < this.restartEnd;
  }

  /** While restarting: since when, and until when its grace period runs (core time, ms). */
  view(): { since: number; until: number } | undefined {
    return this.graceUntil === undefined ? undefined : { since: this.since, until: this.graceUntil };
  }

  /** The first input after a graceful restart: restarting mode until `until`, or not at all when that is past. */
  begin(until: number): void {
    const now = this.host.now();
    if (until <= now) {
      this.host.event({ type: 'graceful-restart', action: 'exit', until, why: 'grace-period-expired' });
      return;
    }
    this.graceUntil = until;
    this.since = now;
    this.restartEnd = until;
    this.host.setTimer(restartTimer(), until);
    this.host.event({ type: 'graceful-restart', action: 'enter', until });
  }

  /** One of our grace-LSAs came back while restarting. */
  graceSeen(raw: Uint8Array): void {
    if (this.graceUntil !== undefined) this.ownGrace = raw.slice();
  }

  /**
   * RFC 3623 2.3: the flush of each interface's grace-LSA. The LSDB keeps one
   * link-local LSA per key, so a router with several interfaces learns back
   * one of its grace-LSAs only; the others differ from it in the interface
   * address alone (prepare() gave them one sequence number and grace
   * period), so each is built again from it, at MaxAge.
   */
  takeGraceFlushes(ifaces: readonly Iface[]): { iface: Iface; entry: LsaEntry }[] {
    const seen = this.ownGrace;
    this.ownGrace = undefined;
    if (seen === undefined) return [];
    let body: ReturnType<typeof decodeGraceBody>;
    try {
      body = decodeGraceBody(seen.subarray(LsaHeaderLength, (seen[18]! << 8) | seen[19]!));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      return [];
    }
    if (body.gracePeriod === undefined || body.gracePeriod < 1 || body.gracePeriod > 1800 || body.reason === undefined) return [];
    const seq = new DataView(seen.buffer, seen.byteOffset).getInt32(12);
    this.lastGraceSeq = seq;
    const out: { iface: Iface; entry: LsaEntry }[] = [];
    for (const iface of ifaces) {
      if (![...iface.neighbors.values()].some((n) => n.state === 'Full')) continue;
      const data = encodeGraceBody({ gracePeriod: body.gracePeriod, reason: body.reason, interfaceAddress: iface.address });
      const raw = buildLsa({ age: MaxAge, options: OurOptions | Options.O, type: LsaType.OpaqueLink, lsId: GraceLsaId, advRouter: this.host.routerId(), seq }, { kind: 'opaque', data }).raw;
      out.push({ iface, entry: new LsaEntry(raw, this.host.now(), false) });
    }
    return out;
  }

  /** Leaves restarting mode; the router then re-originates its LSAs and flushes its grace-LSAs (RFC 3623 2.3). */
  end(why: RestartExitReason): void {
    if (this.graceUntil === undefined) return;
    const until = this.graceUntil;
    this.graceUntil = undefined;
    this.host.cancelTimer(restartTimer());
    this.host.event({ type: 'graceful-restart', action: 'exit', until, why });
  }

  /**
   * RFC 3623 2.3 (1) and (2), after each input while restarting: 'adjacencies-full'
   * once every adjacency of the pre-restart router-LSA (and of the network-LSAs
   * it originated as DR) is Full again; 'topology-change' once a neighbour's LSA
   * no longer has the link back to us that ours has to it. Undefined while
   * neither holds, and as long as no neighbour has given us our pre-restart
   * router-LSA.
   */
  check(ifaces: readonly Iface[]): RestartExitReason | undefined {
    const self = this.host.routerId();
    const own = this.host.lsa(LsaType.Router, self, self);
    if (own === undefined) return undefined;
    const links = routerLinksOf(own);
    if (links === undefined) return undefined;
    let allFull = true;
    for (const link of links) {
      if (link.type === RouterLinkType.PointToPoint) {
        // (2) the neighbour's router-LSA must still list its link to us.
        const theirs = this.host.lsa(LsaType.Router, link.linkId, link.linkId);
        const back = theirs === undefined ? undefined : routerLinksOf(theirs);
        if (back !== undefined && !back.some((l) => l.type === RouterLinkType.PointToPoint && l.linkId >>> 0 === self)) return 'topology-change';
        if (!fullNeighbor(ifaces, (n) => n.routerId === link.linkId >>> 0)) allFull = false;
      } else if (link.type === RouterLinkType.Transit) {
        const iface = ifaces.filter((i) => i.address === link.linkData >>> 0);
        if (link.linkId >>> 0 === link.linkData >>> 0) {
          // We were the DR: every router of our pre-restart network-LSA is Full with us again.
          const ours = this.host.lsa(LsaType.Network, link.linkId, self);
          for (const id of (ours === undefined ? undefined : attachedRoutersOf(ours)) ?? []) {
            if (id !== self && !fullNeighbor(iface, (n) => n.routerId === id)) allFull = false;
          }
        } else {
          // (2) the DR's network-LSA (its Router ID is not in ours: any originator) still lists us; (1) we are Full with the DR.
          const theirs = this.host.lsa(LsaType.Network, link.linkId);
          const attached = theirs === undefined ? undefined : attachedRoutersOf(theirs);
          if (attached !== undefined && !attached.includes(self)) return 'topology-change';
          if (!fullNeighbor(iface, (n) => n.address === link.linkId >>> 0)) allFull = false;
        }
      }
    }
    return allFull ? 'adjacencies-full' : undefined;
  }

  /**
   * RFC 3623 2.1: the grace-LSA of every interface with a Full neighbour,
   * reason "software restart", flooded there and retransmitted until each
   * Full neighbour acknowledges it. It is not installed: each interface has
   * its own (its address TLV differs, Appendix A) under one LSDB key. The
   * router sends each with sendPrepared().
   */
  prepare(ifaces: readonly Iface[], gracePeriod: number): void {
    const self = this.host.routerId();
    const current = this.host.lsa(LsaType.OpaqueLink, GraceLsaId, self);
    // Above any instance of ours still known here or flushed by this run, so neighbours take it as newer (RFC 2328 13.1).
    const known = [current === undefined ? undefined : new DataView(current.buffer, current.byteOffset).getInt32(12), this.lastGraceSeq].filter((q) => q !== undefined);
    const seq = known.length === 0 ? InitialSequenceNumber : (Math.max(...known) + 1) | 0;
    this.lastGraceSeq = seq;
    this.prepared.clear();
    this.preparing = true;
    for (const iface of ifaces) {
      const pending = new Set<number>();
      for (const n of iface.neighbors.values()) if (n.state === 'Full') pending.add(n.key);
      if (pending.size === 0) continue;
      const body = encodeGraceBody({ gracePeriod, reason: GraceReason.SoftwareRestart, interfaceAddress: iface.address });
      // The O-bit in the LSA's options too: receivers (FRR) drop an opaque LSA without it (RFC 5250 3).
      const raw = buildLsa({ age: 0, options: OurOptions | Options.O, type: LsaType.OpaqueLink, lsId: GraceLsaId, advRouter: self, seq }, { kind: 'opaque', data: body }).raw;
      this.prepared.set(iface.name, { entry: new LsaEntry(raw, this.host.now(), false), pending });
    }
  }

  /** RFC 2328 13.3 and 13.6 for a prepared grace-LSA: to the interface's segment the first time, then to each neighbour yet to acknowledge it. */
  sendPrepared(iface: Iface, first: boolean, floodDst: number, interval: number): void {
    const p = this.prepared.get(iface.name);
    if (p === undefined || p.pending.size === 0) return;
    for (const key of [...p.pending]) if (iface.neighbors.get(key)?.state !== 'Full') p.pending.delete(key);
    if (p.pending.size === 0) return;
    if (first) this.host.send(iface, floodDst, [p.entry]);
    else for (const key of p.pending) this.host.send(iface, this.host.neighborDst(iface, key), [p.entry]);
    this.host.setTimer(graceLsaTimer(iface.name), this.host.now() + interval);
  }

  /** An acknowledgment: true when it was for a prepared grace-LSA (RFC 2328 13.7). */
  acknowledged(iface: Iface, neighborKey: number, h: LsaHeader): boolean {
    const p = this.prepared.get(iface.name);
    if (p === undefined || h.type !== LsaType.OpaqueLink || h.lsId >>> 0 !== GraceLsaId || h.advRouter >>> 0 !== this.host.routerId()) return false;
    if (h.seq === new DataView(p.entry.raw.buffer, p.entry.raw.byteOffset).getInt32(12)) p.pending.delete(neighborKey);
    if (p.pending.size === 0) this.host.cancelTimer(graceLsaTimer(iface.name));
    return true;
  }

  /**
   * Our prepared grace-LSA coming back (a DR floods it back out of the
   * segment, RFC 2328 13.3 (5)): an implied acknowledgment (13.5), and no
   * LSA of an earlier run to flush (13.4). True when it is one.
   */
  echoed(iface: Iface, neighborKey: number, h: LsaHeader): boolean {
    const p = this.prepared.get(iface.name);
    if (p === undefined || h.type !== LsaType.OpaqueLink || h.lsId >>> 0 !== GraceLsaId) return false;
    if (h.seq !== new DataView(p.entry.raw.buffer, p.entry.raw.byteOffset).getInt32(12)) return false;
    p.pending.delete(neighborKey);
    if (p.pending.size === 0) this.host.cancelTimer(graceLsaTimer(iface.name));
    return true;
  }

  /** Whether a restart was prepared and every Full neighbour has acknowledged its grace-LSA (at once without any). */
  preparedAndAcknowledged(ifaces: readonly Iface[]): boolean {
    if (!this.preparing) return false;
    for (const [name, p] of this.prepared) {
      const iface = ifaces.find((i) => i.name === name);
      for (const key of p.pending) if (iface?.neighbors.get(key)?.state === 'Full') return false;
    }
    return true;
  }
}

/** The timer that ends restarting mode (RFC 3623 2.3 (3)). */
export function restartTimer(): TimerRef {
  return { kind: 'restart-grace', ifName: '', neighbor: 0 };
}

/** The retransmission timer of an interface's prepared grace-LSA (RFC 2328 13.6). */
export function graceLsaTimer(ifName: string): TimerRef {
  return { kind: 'grace-lsa-retransmit', ifName, neighbor: 0 };
}

function fullNeighbor(ifaces: readonly Iface[], match: (n: { routerId: number; address: number }) => boolean): boolean {
  for (const iface of ifaces) for (const n of iface.neighbors.values()) if (n.state === 'Full' && match(n)) return true;
  return false;
}

/** The links of a router-LSA's bytes; undefined when they do not decode. */
function routerLinksOf(raw: Uint8Array): { type: number; linkId: number; linkData: number }[] | undefined {
  const body = bodyOf(raw);
  return body?.kind === 'router' ? body.links : undefined;
}

function attachedRoutersOf(raw: Uint8Array): number[] | undefined {
  const body = bodyOf(raw);
  return body?.kind === 'network' ? body.attachedRouters.map((id) => id >>> 0) : undefined;
}

function bodyOf(raw: Uint8Array): ReturnType<typeof decodeLsaBody> | undefined {
  try {
    const lsa = decodeLsa(raw);
    return lsa.age >= MaxAge ? undefined : decodeLsaBody(lsa);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return undefined;
  }
}
