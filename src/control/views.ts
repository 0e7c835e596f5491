// What the daemon answers to `show …` over the control socket: plain JSON
// shapes shared by the daemon (which fills them) and the CLI (which prints
// them as tables, or passes them through with --json). Addresses are text.

export interface OspfSummaryView {
  routerId: string;
  areaId: string;
  uptimeSec: number;
  spf: {
    runs: number;
    fullRuns: number;
    partialRuns: number;
    /** Duration of the last calculation in microseconds, null before the first. */
    lastDurationUs: number | null;
    lastKind: 'full' | 'partial' | null;
    /** ISO time of the last calculation. */
    lastAt: string | null;
    throttle: { delayMs: number; initialHoldMs: number; maxHoldMs: number };
  };
  maximumPaths: number;
  lsaCounts: { router: number; network: number; summary: number; asbrSummary: number; external: number; other: number; total: number };
  interfaces: number;
  neighbors: { total: number; full: number };
  /** Received packets and LSAs discarded, by reason (RFC 2328 8.2, 10.5, 10.6, 13), every reason listed. */
  drops: Record<string, number>;
  /** Stub router advertisement (RFC 6987, `max-metric router-lsa`). */
  stubRouter: {
    /** `max-metric router-lsa administrative` is in force. */
    administrative: boolean;
    /** `max-metric router-lsa on-startup N`: N, or null when not configured. */
    onStartupSec: number | null;
    /** Our router-LSA gives its transit links the maximum metric now. */
    active: boolean;
    /** Seconds left of the start-up period, or null when it does not run. */
    startupRemainingSec: number | null;
  };
  /** Restarting gracefully (RFC 3623 2). */
  gracefulRestart: {
    /** `graceful-restart grace-period N`: N, or null when not configured (SIGTERM then withdraws everything). */
    gracePeriodSec: number | null;
    /** While this start is restarting gracefully: when its grace period ends (ISO time); null otherwise. */
    restartingUntil: string | null;
  };
}

export interface InterfaceRowView {
  name: string;
  state: string;
  address: string; // "a.b.c.d/len" or "" when none
  networkType: string;
  cost: number;
  passive: boolean;
  dr: string;
  bdr: string;
  neighbors: number;
  adjacent: number;
}

export interface NeighborRowView {
  routerId: string;
  priority: number;
  state: string;
  address: string;
  ifName: string;
  retransmitCount: number;
  requestCount: number;
  /** While it restarts gracefully and we help it (RFC 3623 3): since and until when (ISO 8601), and why it restarts. */
  helper?: { since: string; until: string; remainingSeconds: number; gracePeriod: number; restartReason: string };
}

export interface DatabaseRowView {
  type: number;
  typeName: string;
  lsId: string;
  advRouter: string;
  age: number;
  seq: string; // "0x80000001"
  checksum: string; // "0x1a2b"
  length: number;
  /** The decoded body, in `show database TYPE LSID`. */
  body?: unknown;
}

export interface RouteRowView {
  prefix: string;
  pathType: string;
  cost: number;
  type2Cost?: number;
  nextHops: { address: string; ifName: string }[];
  /** For a route with two or more next hops: how the kernel spreads it (nexthop group kind, id, per-packet) and its next hops there. */
  multipath?: { group: 'resilient' | 'hash-threshold' | 'rta-multipath'; groupId?: number; perPacket: boolean; nextHops: string[] };
}

export interface AnycastCheckView {
  name: string;
  healthy: boolean;
  lastOk: boolean | null;
  lastReason: string;
  lastLatencyMs: number | null;
  lastAt: string | null;
}

export interface AnycastRowView {
  prefix: string;
  /** The interface that carries the address (the block's `interface`, default lo). */
  interface: string;
  /** The interfaces the kernel has an address inside the prefix on now, by name. */
  addressOn: string[];
  state: string;
  since: string;
  reason: string;
  advertised: string; // announce | max-cost | withdraw
  checks: AnycastCheckView[];
}

/** `show database [TYPE [LSID]]`: the area and its LSAs. */
export interface DatabaseView {
  areaId: string;
  lsas: DatabaseRowView[];
}

/** The answer to drain, undrain, reload and stop: one line for the operator. */
export interface MessageView {
  message: string;
}

/** What each `show` request is answered with; `show topology` is Graphviz text. */
export interface ShowAnswers {
  ospf: OspfSummaryView;
  interfaces: InterfaceRowView[];
  neighbors: NeighborRowView[];
  database: DatabaseView;
  routes: RouteRowView[];
  anycast: AnycastRowView[];
  topology: string;
}
