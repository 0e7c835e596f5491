// Graceful restart helper mode (RFC 3623 section 3): a neighbor that
// announces a planned restart with a grace-LSA is kept Full in our router-
// and network-LSAs, its inactivity timer does not take it down and its
// Hellos do not change the segment's election, until its restart ends
// (it flushes its grace-LSA), its grace period runs out, or the topology
// changes under it. The router calls these hooks; this file decides.
//
//   grace-LSA ──3.1 checks──▶ helping ──flush (completed)──────────▶ normal
//                  │             ├──grace period over──────────────▶ normal
//                  ▼             ├──changed LSA for it (3.2)───────▶ normal
//               refused          └──interface down / policy off────▶ normal

import type { CoreEvent, GracefulRestartHelperConfig } from './api.js';
import type { Iface, Neighbor } from './model.js';
import type { TimerRef } from './timers.js';
import { DecodeError, LsaType, MaxAge } from '../packet/index.js';
import { GraceLsaId, GraceReason, decodeGraceBody, type GraceBody } from '../packet/lsa/grace.js';
import { LsaHeaderLength } from '../packet/constants.js';

/** FRR's defaults: helping on, strict LSA checking, grace periods up to 1800 s, unplanned restarts too. */
export const DefaultHelperConfig: GracefulRestartHelperConfig = {
  enabled: true,
  neighbors: [],
  strictLsaChecking: true,
  supportedGraceTime: 1800,
  plannedOnly: false,
};

/** Why helping a neighbor ended (RFC 3623 3.2), or why it never began (3.1). */
export type HelperExitReason = 'completed' | 'grace-period-expired' | 'topology-change' | 'interface-down' | 'helper-disabled';
export type HelperRefusal =
  | 'helper-disabled'
  | 'neighbor-not-full'
  | 'grace-period-expired'
  | 'grace-period-unsupported'
  | 'unplanned-restart'
  | 'topology-change'
  | 'no-such-neighbor'
  | 'malformed-grace-lsa';

/** What the helper needs of the router: its clock, its timers, its events, and a say in the router's LSAs. */
export interface HelperHost {
  now(): number;
  setTimer(ref: TimerRef, at: number): void;
  cancelTimer(ref: TimerRef): void;
  event(event: CoreEvent): void;
  /** Our router-/network-LSAs and the segment's election are due again (RFC 3623 3.2, on exit). */
  recompute(iface: Iface): void;
}

/** Whether an LSA key is a grace-LSA (RFC 3623 Appendix A: type 9, opaque type 3, opaque ID 0). */
export function isGraceLsa(type: number, lsId: number): boolean {
  return type === LsaType.OpaqueLink && lsId >>> 0 === GraceLsaId;
}

/**
 * RFC 3623 3.2: a helped neighbor counts as Full in our router-LSA and
 * network-LSA, whatever state its resynchronisation is in.
 */
export function countsAsFull(n: Neighbor): boolean {
  return n.state === 'Full' || n.helper !== undefined;
}

export class GracefulRestartHelper {
  private config: GracefulRestartHelperConfig = DefaultHelperConfig;

  constructor(private readonly host: HelperHost) {}

  /** A new configuration: neighbors no longer to be helped are let go. */
  configure(config: GracefulRestartHelperConfig | undefined, ifaces: readonly Iface[]): void {
    this.config = config ?? DefaultHelperConfig;
    for (const iface of ifaces) {
      for (const n of iface.neighbors.values()) if (n.helper !== undefined && !this.allowed(n.routerId)) this.exit(iface, n, 'helper-disabled');
    }
  }

  /** FRR's policy: every neighbor when enabled, else those listed by `graceful-restart helper enable A.B.C.D`. */
  private allowed(routerId: number): boolean {
    return this.config.enabled || this.config.neighbors.includes(routerId >>> 0);
  }

  /**
   * A grace-LSA was installed from iface (raw: its bytes; age: its LS age).
   * At MaxAge it is the restarting router's flush: its restart is over (RFC
   * 3623 3.2). Otherwise the checks of 3.1 decide whether we help.
   */
  graceLsaInstalled(iface: Iface, raw: Uint8Array, age: number, advRouter: number): void {
    let body: GraceBody;
    try {
      const length = ((raw[18] as number) << 8) | (raw[19] as number);
      body = decodeGraceBody(raw.subarray(LsaHeaderLength, length));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      if (age < MaxAge) this.refuse(iface, advRouter, 0, 'malformed-grace-lsa');
      return;
    }
    const n = this.restarter(iface, advRouter, body);
    if (age >= MaxAge) {
      if (n?.helper !== undefined) this.exit(iface, n, 'completed');
      return;
    }
    if (n === undefined) return this.refuse(iface, advRouter, body.interfaceAddress ?? 0, 'no-such-neighbor');
    const refusal = this.check(n, body, age);
    if (refusal !== undefined) {
      // A refused refresh of a grace-LSA ends the help it had earned (RFC 3623 3.1 applies anew).
      if (n.helper !== undefined) this.exit(iface, n, refusal === 'helper-disabled' ? 'helper-disabled' : 'topology-change');
      return this.refuse(iface, advRouter, n.address, refusal);
    }
    const now = this.host.now();
    const gracePeriod = body.gracePeriod as number;
    // RFC 3623 3.1: the grace period counts from the LSA's origination, so its age is spent already.
    const until = now + (gracePeriod - age) * 1000;
    const entering = n.helper === undefined;
    n.helper = { since: n.helper?.since ?? now, until, gracePeriod, reason: body.reason ?? GraceReason.Unknown };
    this.host.setTimer(graceTimer(iface, n), until);
    if (entering) this.report(iface, n, 'enter', n.helper.reason, until);
  }

  /** RFC 3623 3.1: the conditions for helping, in the RFC's order; undefined when all hold. */
  private check(n: Neighbor, body: GraceBody, age: number): HelperRefusal | undefined {
    if (body.gracePeriod === undefined || body.reason === undefined) return 'malformed-grace-lsa';
    if (!this.allowed(n.routerId)) return 'helper-disabled';
    // (1) the neighbor is Full (or already being helped, and this is a refresh).
    if (n.state !== 'Full' && n.helper === undefined) return 'neighbor-not-full';
    // (2) no LSA installed since the restart began (the grace-LSA's origination) waits to be
    // flooded to it: the restarting router would come back to a database it cannot know.
    if (this.config.strictLsaChecking && n.helper === undefined && changedSince(n, this.host.now() - age * 1000)) return 'topology-change';
    // (3) the grace period has not expired.
    if (age >= body.gracePeriod) return 'grace-period-expired';
    // (4) local policy: FRR's supported-grace-time and planned-only.
    if (body.gracePeriod > this.config.supportedGraceTime) return 'grace-period-unsupported';
    if (this.config.plannedOnly && body.reason !== GraceReason.SoftwareRestart && body.reason !== GraceReason.SoftwareUpgrade) return 'unplanned-restart';
    return undefined;
  }

  /**
   * The neighbor a grace-LSA speaks for: on broadcast segments the one with
   * its IP interface address TLV (RFC 3623 Appendix A), else (and without
   * the TLV) the neighbor with the advertising router's Router ID.
   */
  private restarter(iface: Iface, advRouter: number, body: GraceBody): Neighbor | undefined {
    for (const n of iface.neighbors.values()) {
      if (n.routerId !== advRouter >>> 0) continue;
      if (iface.kind === 'broadcast' && body.interfaceAddress !== undefined && n.address !== body.interfaceAddress) continue;
      return n;
    }
    return undefined;
  }

  /**
   * RFC 3623 3.2: an LSA whose contents changed goes onto a helped
   * neighbor's retransmission list: the topology changed under the
   * restarting router, which could not act on it. Helping ends (with
   * strict-lsa-checking, FRR's default).
   */
  changedLsaFor(iface: Iface, n: Neighbor, type: number, lsId: number): void {
    if (n.helper === undefined || !this.config.strictLsaChecking || isGraceLsa(type, lsId)) return;
    this.exit(iface, n, 'topology-change');
  }

  /** The grace timer of a neighbor fired: its grace period is over (RFC 3623 3.2). */
  graceExpired(iface: Iface, n: Neighbor): void {
    if (n.helper !== undefined) this.exit(iface, n, 'grace-period-expired');
  }

  /**
   * The inactivity timer of a neighbor fired. Helped: it is started again,
   * the neighbor stays (RFC 3623 3.2: the helper keeps the adjacency), and
   * true is returned; otherwise false and the router runs InactivityTimer.
   */
  keepsAlive(iface: Iface, n: Neighbor): boolean {
    if (n.helper === undefined) return false;
    this.host.setTimer({ kind: 'inactivity', ifName: iface.name, neighbor: n.key }, this.host.now() + iface.settings.deadIntervalMs);
    return true;
  }

  /** The interface goes down: nobody on it can be helped any more. */
  interfaceDown(iface: Iface): void {
    for (const n of iface.neighbors.values()) if (n.helper !== undefined) this.exit(iface, n, 'interface-down');
  }

  /** The neighbor is gone for good (KillNbr, LLDown): its session goes with it, unreported. */
  neighborGone(iface: Iface, n: Neighbor): void {
    if (n.helper === undefined) return;
    n.helper = undefined;
    this.host.cancelTimer(graceTimer(iface, n));
  }

  /** RFC 3623 3.2 on exit: the neighbor is what its state says again; our LSAs and the election follow. */
  private exit(iface: Iface, n: Neighbor, reason: HelperExitReason): void {
    const session = n.helper;
    if (session === undefined) return;
    n.helper = undefined;
    this.host.cancelTimer(graceTimer(iface, n));
    this.host.recompute(iface);
    this.report(iface, n, 'exit', session.reason, session.until, reason);
  }

  private refuse(iface: Iface, routerId: number, address: number, why: HelperRefusal): void {
    this.host.event({ type: 'graceful-restart-helper', ifName: iface.name, routerId: routerId >>> 0, address: address >>> 0, action: 'refuse', restartReason: 0, until: 0, why });
  }

  private report(iface: Iface, n: Neighbor, action: 'enter' | 'exit', restartReason: number, until: number, why?: HelperExitReason): void {
    this.host.event({
      type: 'graceful-restart-helper',
      ifName: iface.name,
      routerId: n.routerId,
      address: n.address,
      action,
      restartReason,
      until,
      ...(why === undefined ? {} : { why }),
    });
  }
}

/** The timer that ends a neighbor's grace period. */
function graceTimer(iface: Iface, n: Neighbor): TimerRef {
  return { kind: 'grace-period', ifName: iface.name, neighbor: n.key };
}

/**
 * RFC 3623 3.1 (2): an LSA installed at or after `since` waits on the
 * neighbor's retransmission list, a change it has not got (link-local opaque
 * LSAs, the grace-LSA among them, are no topology). Older ones went out
 * while it still ran and are acknowledged in its last moments or not at all,
 * which its database exchange after the restart mends.
 */
function changedSince(n: Neighbor, since: number): boolean {
  let changed = false;
  n.retransmit.forEach((item, type) => {
    if (type !== LsaType.OpaqueLink && item.entry.installedAt >= since) changed = true;
  });
  return changed;
}
