// The engine's internal records: interfaces, neighbors and the constants the
// state machines share. Plain data, keyed by name and neighbor key; the
// router looks them up afresh on every input.

import type { InterfaceAddress, InterfaceInfo, InterfaceSettings, InterfaceState, NeighborState } from './api.js';
import { LsaType, Options, type LsaHeader, type LsaKey } from '../packet/index.js';
import type { LsaMap, LsaSet } from './lsa-map.js';
import type { LsaEntry } from './lsdb.js';

/** LS types this router stores and floods (RFC 2328 13 (2)); a normal area takes no type-7 or opaque LSAs. */
export const KnownLsaTypes = new Set<number>([
  LsaType.Router,
  LsaType.Network,
  LsaType.SummaryNetwork,
  LsaType.SummaryAsbr,
  LsaType.AsExternal,
  // RFC 5250 3: an opaque-capable router stores and floods every opaque LSA, known or not.
  LsaType.OpaqueLink,
  LsaType.OpaqueArea,
  LsaType.OpaqueAs,
]);

/** Options of the LSAs we originate: the area is a normal (non-stub) area, so E is set (RFC 2328 A.2). */
export const OurOptions = Options.E;
/**
 * Options of our Hellos: E alone, as the area is normal (RFC 2328 A.2). The
 * O-bit is not for Hellos (RFC 5250 3: opaque capability is told in Database
 * Description packets). FRR when not opaque-capable ORs a Hello's options into
 * the neighbor's and, in Exchange, compares them with DD options stripped of
 * O: an O-bit in our Hellos would turn every DD after one into a mismatch.
 */
export const OurHelloOptions = Options.E;
/**
 * Options of our Database Description packets: E, and O (RFC 5250 3, A.1):
 * we are opaque-capable, so neighbors flood us opaque LSAs, the grace-LSA of
 * RFC 3623 among them.
 */
export const OurDdOptions = Options.E | Options.O;

/** RFC 5250 3: opaque LSAs go only to neighbors whose DD Options have the O-bit. */
export function isOpaqueType(type: number): boolean {
  return type === LsaType.OpaqueLink || type === LsaType.OpaqueArea || type === LsaType.OpaqueAs;
}
export const IpHeaderLength = 20;
/** Delayed acknowledgments go out within this many ms (RFC 2328 13.5: less than RxmtInterval). */
export const DelayedAckMs = 1000;
/** The aging pass runs at most this often (RFC 2328 14). */
export const AgingGranularityMs = 1000;
/**
 * The longest LSA accepted from a neighbor, bytes: a router-LSA with 1,300
 * links fits. Longer ones are refused ('lsa-too-large'), so LSDB memory stays
 * within maxLsa times this.
 */
export const MaxLsaBytes = 16_384;
/**
 * Most neighbors one interface keeps (RFC 2328 10: one record per router
 * heard); Hellos from more, spoofed or real, are refused ('neighbor-limit').
 */
export const MaxNeighborsPerInterface = 1_024;
export const NoAuth = new Uint8Array(8);
export const NoTrailer = new Uint8Array(0);

export const NeighborRank: Record<NeighborState, number> = {
  Down: 0,
  Attempt: 1,
  Init: 2,
  '2-Way': 3,
  ExStart: 4,
  Exchange: 5,
  Loading: 6,
  Full: 7,
};

export type NsmEvent =
  | 'HelloReceived'
  | '2-WayReceived'
  | 'NegotiationDone'
  | 'ExchangeDone'
  | 'BadLSReq'
  | 'LoadingDone'
  | 'AdjOK?'
  | 'SeqNumberMismatch'
  | '1-WayReceived'
  | 'KillNbr'
  | 'InactivityTimer'
  | 'LLDown';

/** Interface state machine events (RFC 2328 9.2). */
export type IsmEvent = 'InterfaceUp' | 'WaitTimer' | 'BackupSeen' | 'NeighborChange' | 'LoopInd' | 'UnloopInd' | 'InterfaceDown';

export interface RetransmitItem {
  /** The instance sent, held across events (see LsaEntry): an acknowledgment must match it (RFC 2328 13.7). */
  entry: LsaEntry;
  /** When it goes again unless acknowledged first (RFC 2328 13.6). */
  dueAt: number;
}

export interface Neighbor {
  readonly ifName: string;
  /** The key in its interface's neighbor map: the address on broadcast, the Router ID on point-to-point (RFC 2328 8.2). */
  readonly key: number;
  routerId: number;
  address: number;
  priority: number;
  /** It flushed its own router-LSA: it is leaving, and goes Down shortly unless it says Hello again. */
  leaving: boolean;
  /** Options from the neighbor's Hellos. */
  options: number;
  /** Options from its DDs, compared packet to packet during the exchange (RFC 2328 10.6); Hellos may differ. */
  ddOptions: number;
  dr: number;
  bdr: number;
  state: NeighborState;
  // Database exchange (RFC 2328 10.6, 10.8)
  master: boolean;
  ddSeq: number;
  ddSeqInitialised: boolean;
  lastReceivedDd: { flags: number; options: number; seq: number } | undefined;
  lastSentDd: Uint8Array | undefined;
  /** Our last DD had the M-bit clear. */
  ddSentAll: boolean;
  /** Database summary list, read from summaryPos on (RFC 2328 10): keys, looked up again as each DD is built. */
  summary: LsaKey[];
  summaryPos: number;
  /**
   * Link state request list (RFC 2328 10): by key, and in order from
   * requestHead on (keys removed since are skipped; the header asked for is
   * the one in `requests`).
   */
  requests: LsaMap<LsaHeader>;
  requestOrder: LsaKey[];
  requestHead: number;
  /** Keys asked for in the last LS Request still unanswered (RFC 2328 10.9). */
  requestsInFlight: LsaSet;
  /** Link state retransmission list (RFC 2328 10, 13.6). */
  retransmit: LsaMap<RetransmitItem>;
  /** The last cryptographic sequence number received from it (RFC 2328 D.5.2); 0 before any. */
  authSeq: number;
  /** Set while we help it through a graceful restart (RFC 3623 3). */
  helper: HelperSession | undefined;
  /**
   * Until when (core time) its router-LSA in our LSDB is one from before
   * this adjacency began, which it has not replaced yet: set on ExStart when
   * we hold one, cleared when a new instance arrives. See
   * OspfRouter.ownTopologyLsas.
   */
  oldRouterLsaUntil: number | undefined;
}

export type IfaceKind = 'broadcast' | 'point-to-point' | 'loopback';

export interface Iface {
  readonly name: string;
  info: InterfaceInfo;
  settings: InterfaceSettings;
  kind: IfaceKind;
  /**
   * The OSPF addresses on it (inside config.networks) but its anycast ones,
   * lowest first; the first is the interface address.
   */
  addresses: InterfaceAddress[];
  /**
   * Its anycast addresses: inside config.networks and inside a prefix the
   * 'advertise' input governs. Host routes as that input says, never the
   * interface address (RFC 2328 12.4.1.1).
   */
  anycast: InterfaceAddress[];
  address: number;
  prefixLength: number;
  mask: number;
  state: InterfaceState;
  dr: number; // RFC 2328 9: interface addresses
  bdr: number;
  neighbors: Map<number, Neighbor>;
  delayedAcks: LsaHeader[];
  /** ISM events scheduled during this input (RFC 2328 9.2), run in settle(). */
  backupSeen: boolean;
  neighborChange: boolean;
  /** The last cryptographic sequence number sent on it (RFC 2328 D.4.3); 0 before any. */
  authSeq: number;
}

/** HelloInterval on the wire, seconds; fast hellos put 0 there (FRR's hello-multiplier). */
export function helloSeconds(s: InterfaceSettings): number {
  return s.helloIntervalMs < 1000 ? 0 : Math.floor(s.helloIntervalMs / 1000);
}

/** RouterDeadInterval on the wire, whole seconds, at least 1. */
export function deadSeconds(s: InterfaceSettings): number {
  return Math.max(1, Math.floor(s.deadIntervalMs / 1000));
}

/** Ascending order of unsigned 32-bit numbers (addresses, Router IDs). */
export function uint32Cmp(a: number, b: number): number {
  return a - b;
}

/** One neighbor being helped through its restart. */
export interface HelperSession {
  /** When helping began and ends, in the core's time (ms). */
  since: number;
  until: number;
  /** The grace period the neighbor asked for, seconds, and its restart reason (RFC 3623 Appendix A). */
  gracePeriod: number;
  reason: number;
}
