// The contract between the sans-IO OSPF core and whatever drives it (the
// Linux daemon, the simulator, tests): plain tagged unions in and out.
//
//   driver ──Input, now──▶ core.handle() ──▶ Output[]
//          ◀── core.nextDeadline(): when to call handle({kind:'timer'}) again
//
// The core never reads a clock: `now` (milliseconds, monotonic, any origin)
// comes with every input. It never draws randomness of its own: a random
// source is injected at construction. Same inputs, same outputs.

import type { Lsa, LsaHeader, LsaKey } from '../packet/types.js';
import type { Prefix } from '../lib/ipv4.js';

export type NetworkType = 'broadcast' | 'point-to-point';

/** The digest algorithms of cryptographic authentication: keyed MD5 (RFC 2328 D.4.3) and HMAC-SHA (RFC 5709). */
export type AuthAlgorithm = 'md5' | 'hmac-sha1' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

/** One key of cryptographic authentication (RFC 2328 D.3): its Key ID on the wire, algorithm and secret. */
export interface AuthKey {
  /** 0..255. */
  keyId: number;
  algorithm: AuthAlgorithm;
  /** The secret, as UTF-8 bytes: at most 16 for MD5, at most the hash length for HMAC-SHA (20, 32, 48, 64). */
  key: string;
}

/**
 * Authentication of one interface (RFC 2328 D.3, AuType 0, 1 and 2).
 * Cryptographic: packets are sent with the key of the highest Key ID and
 * accepted with any listed key, chosen by the Key ID they carry.
 */
export type InterfaceAuth =
  | { type: 'null' }
  /** At most 8 bytes, zero-padded on the wire. */
  | { type: 'simple'; password: string }
  | { type: 'cryptographic'; keys: AuthKey[] };

/** Per-interface OSPF settings (RFC 2328 C.3), keyed by interface name. */
export interface InterfaceSettings {
  networkType: NetworkType;
  passive: boolean;
  /** Interface output cost, 1..65535. */
  cost: number;
  /** Milliseconds. Below 1000 means fast hellos: HelloInterval 0 on the wire, as FRR's hello-multiplier. */
  helloIntervalMs: number;
  /** Milliseconds, whole seconds on the wire (minimum 1000). */
  deadIntervalMs: number;
  retransmitIntervalMs: number;
  /** InfTransDelay, seconds. */
  transmitDelay: number;
  /** Router priority for DR election, 0..255. */
  priority: number;
  /** Skip the DD MTU check (FRR `ip ospf mtu-ignore`). */
  mtuIgnore: boolean;
  /** Authentication of packets sent and received (RFC 2328 D); default Null. */
  auth: InterfaceAuth;
}

/** A redistributed route, originated as an AS-external-LSA (RFC 2328 12.4.4). */
export interface ExternalRouteConfig {
  prefix: Prefix;
  metric: number;
  metricType: 1 | 2;
  forwardingAddress: number; // 0 = none
  tag: number;
}

/** SPF throttling, as FRR's `timers throttle spf DELAY INITIAL-HOLD MAX-HOLD`. */
export interface SpfThrottle {
  delayMs: number;
  initialHoldMs: number;
  maxHoldMs: number;
}

/**
 * Graceful restart helper mode (RFC 3623 3), as FRR's `graceful-restart
 * helper …` statements set it. Left out of RouterConfig: DefaultHelperConfig.
 */
export interface GracefulRestartHelperConfig {
  /** Help every neighbor (FRR `graceful-restart helper enable`); off: only those in `neighbors`. */
  enabled: boolean;
  /** Router IDs helped even when `enabled` is off (FRR `graceful-restart helper enable A.B.C.D`). */
  neighbors: number[];
  /** A changed LSA for the restarting router ends the help (RFC 3623 3.2; FRR `strict-lsa-checking`). */
  strictLsaChecking: boolean;
  /** The longest grace period accepted, seconds, 10..1800 (FRR `supported-grace-time`). */
  supportedGraceTime: number;
  /** Only planned restarts (reasons 1 and 2 of RFC 3623 Appendix A; FRR `planned-only`). */
  plannedOnly: boolean;
}

export interface RouterConfig {
  routerId: number;
  /** The one area this router takes part in. */
  areaId: number;
  /**
   * FRR `network PREFIX area AREA`: OSPF runs on every interface address that
   * falls inside one of these prefixes.
   */
  networks: Prefix[];
  /** Settings by interface name; interfaces not listed use defaultInterfaceSettings(). */
  interfaces: Record<string, Partial<InterfaceSettings>>;
  /** Redistributed routes (FRR `redistribute connected|static`), computed by the caller. */
  externals: ExternalRouteConfig[];
  maximumPaths: number;
  spfThrottle: SpfThrottle;
  /**
   * Least time between two originations of one LSA, in ms (RFC 2328
   * MinLSInterval, FRR `timers throttle lsa all`). Default 5000. The anycast
   * announcer lowers it to its own min-interval (1000 by default, no less
   * than the MinLSArrival of 1 s that receivers enforce) so that a
   * withdrawal is not held back behind the previous origination.
   */
  minLsIntervalMs?: number;
  /**
   * Least time between two instances of one LSA accepted from flooding, in
   * ms (RFC 2328 MinLSArrival, FRR `timers lsa min-arrival`). Default 1000.
   */
  minLsArrivalMs?: number;
  /**
   * Most LSAs the LSDB holds (FRR-style `max-lsa N`, the protection RFC 1765
   * motivates): a new LSA from a neighbor beyond it is refused and counted
   * as the drop 'lsdb-full'; our own originations are always installed.
   * Default DefaultMaxLsa (200000).
   */
  maxLsa?: number;
  /** Graceful restart helper mode (RFC 3623 3); default DefaultHelperConfig: on for every neighbor. */
  gracefulRestartHelper?: GracefulRestartHelperConfig;
  /**
   * Stub router advertisement (RFC 6987, FRR `max-metric router-lsa`).
   * Absent: never a stub router.
   */
  stubRouter?: StubRouterConfig;
}

/**
 * When the router is a stub router (RFC 6987 section 2): its router-LSA
 * describes point-to-point and transit links at MaxLinkMetric, so other
 * routers send traffic through it only when there is no other way, while
 * its stub links (anycast host routes included) keep their cost.
 */
export interface StubRouterConfig {
  /** Until a configuration without it (FRR `max-metric router-lsa administrative`). */
  administrative: boolean;
  /**
   * From the first input for this many ms (FRR `max-metric router-lsa
   * on-startup`). As in FRR, only the configuration the core starts with
   * opens the period; a later configuration without it ends the period.
   */
  onStartupMs?: number;
}

/** Whether, and why, the router-LSA is a stub router's now (RFC 6987). */
export interface StubRouterView {
  active: boolean;
  administrative: boolean;
  /** Milliseconds left of the on-startup period; undefined when none runs. */
  startupRemainingMs?: number;
}

export interface InterfaceAddress {
  address: number;
  prefixLength: number;
}

/** The state of one kernel (or simulated) interface, as the driver sees it. */
export interface InterfaceInfo {
  name: string;
  ifIndex: number;
  up: boolean;
  loopback: boolean;
  mtu: number;
  addresses: InterfaceAddress[];
  /** The link speed the kernel reports (/sys/class/net/NAME/speed), Mbit/s; absent when it reports none. */
  speedMbps?: number;
}

/**
 * How the addresses inside one anycast prefix are advertised (the anycast
 * announcer), on whatever interface they are: 'announce': as host routes of
 * cost 0 (RFC 2328 12.4.1.1, as on a loopback); 'max-cost': of cost 65535
 * (last resort); 'withdraw': not at all. Such an address is never an
 * interface's OSPF address, and an interface with no other address inside
 * config.networks runs as a loopback: no Hellos.
 */
export type PrefixAdvertisement = 'announce' | 'max-cost' | 'withdraw';

export type Input =
  /** An OSPF packet, IP header removed, with the IP source and destination. */
  | { kind: 'packet'; ifName: string; src: number; dst: number; data: Uint8Array }
  /** Time has reached `now`: run whatever timers are due. */
  | { kind: 'timer' }
  /** An interface appeared, changed (up/down, addresses, MTU) or — with up=false and no addresses — went away. */
  | { kind: 'interface'; info: InterfaceInfo }
  /** Replace the configuration; the core applies the difference. */
  | { kind: 'config'; config: RouterConfig }
  /** Change how an anycast prefix is advertised (see PrefixAdvertisement). */
  | { kind: 'advertise'; prefix: Prefix; mode: PrefixAdvertisement }
  /**
   * A planned restart (RFC 3623 2.1): a grace-LSA asking for gracePeriod
   * seconds (1..1800) on every interface with a Full neighbour, retransmitted
   * until acknowledged (restartPrepared()). Nothing is flushed; the driver
   * then stops without the shutdown input.
   */
  | { kind: 'prepare-restart'; gracePeriod: number }
  /** Flush self-originated LSAs by premature aging (RFC 2328 14.1) before shutdown. */
  | { kind: 'shutdown' }
  /**
   * The last word before exit: a Hello listing no neighbours on every
   * interface, so each neighbour takes the adjacency down at once
   * (1-WayReceived, RFC 2328 10.5) even if it ignored the flush.
   */
  | { kind: 'goodbye' };

export const AllSPFRouters = 0xe0000005; // 224.0.0.5
export const AllDRouters = 0xe0000006; // 224.0.0.6

export type Output =
  /** Send an OSPF packet (no IP header) out of ifName to dst (unicast, AllSPFRouters or AllDRouters). */
  | { kind: 'send'; ifName: string; dst: number; data: Uint8Array }
  /** Join or leave a multicast group on an interface (AllDRouters while DR/BDR, RFC 2328 A.1). */
  | { kind: 'membership'; ifName: string; group: number; join: boolean }
  /** An LSA was installed, replaced or removed in the LSDB. */
  | { kind: 'lsdb'; change: 'install' | 'remove'; key: LsaKey; selfOriginated: boolean }
  /** Something an operator or library user would want to know. */
  | { kind: 'event'; event: CoreEvent };

export type InterfaceState = 'Down' | 'Loopback' | 'Waiting' | 'PointToPoint' | 'DROther' | 'Backup' | 'DR';

export type NeighborState = 'Down' | 'Attempt' | 'Init' | '2-Way' | 'ExStart' | 'Exchange' | 'Loading' | 'Full';

export type CoreEvent =
  | { type: 'interface-state'; ifName: string; from: InterfaceState; to: InterfaceState }
  | {
      type: 'neighbor-state';
      ifName: string;
      routerId: number;
      address: number;
      from: NeighborState;
      to: NeighborState;
      /** The NSM event that caused it (RFC 2328 10.2), e.g. 'InactivityTimer', 'SeqNumberMismatch'. */
      reason: string;
    }
  | { type: 'drop'; ifName: string; reason: string; src: number }
  | {
      /**
       * RFC 3623 3: helping a restarting neighbor began ('enter'), ended
       * ('exit', `why` says why) or was refused on its grace-LSA ('refuse',
       * `why` says why). `until` is when its grace period ends, core time (ms).
       */
      type: 'graceful-restart-helper';
      ifName: string;
      routerId: number;
      address: number;
      action: 'enter' | 'exit' | 'refuse';
      /** The restart reason of its grace-LSA (RFC 3623 Appendix A). */
      restartReason: number;
      until: number;
      why?: string;
    }
  | {
      /**
       * RFC 3623 2: a restart prepared ('prepare': grace-LSAs sent, the grace
       * period ending at `until`), restarting mode entered after it
       * ('enter') or left ('exit', `why` says why: 'adjacencies-full',
       * 'topology-change', 'grace-period-expired', 'shutdown'). Core time (ms).
       */
      type: 'graceful-restart';
      action: 'prepare' | 'enter' | 'exit';
      until: number;
      why?: string;
    };

// ---- Inspection, for the CLI, the simulator and tests ----

export interface InterfaceView {
  name: string;
  state: InterfaceState;
  networkType: NetworkType;
  passive: boolean;
  /** The OSPF address of the interface (0 when none). */
  address: number;
  prefixLength: number;
  cost: number;
  dr: number; // interface address of the DR (0 = none), RFC 2328 9
  bdr: number;
}

export interface NeighborView {
  ifName: string;
  routerId: number;
  address: number;
  priority: number;
  state: NeighborState;
  dr: number;
  bdr: number;
  /** LSAs on the link state retransmission list (RFC 2328 10). */
  retransmitCount: number;
  /** Entries on the link state request list. */
  requestCount: number;
  /** Present while we help it through a graceful restart (RFC 3623 3): until when (core time, ms) and why it restarts. */
  helper?: { since: number; until: number; gracePeriod: number; restartReason: number };
}

/** What every OSPF core offers its driver. */
export interface OspfCore {
  /** Handle one input at time `now` (ms) and return what to do. */
  handle(input: Input, now: number): Output[];
  /** When the core next needs handle({kind:'timer'}), or undefined when nothing is pending. */
  nextDeadline(): number | undefined;
  interfaces(): InterfaceView[];
  neighbors(): NeighborView[];
  /** The LSDB's headers with their age at `now`, sorted by (type, lsId, advRouter). */
  lsdb(now: number): LsaHeader[];
  /** One LSA with its age at `now` patched into header and raw bytes. */
  lsa(key: LsaKey, now: number): Lsa | undefined;
}

export interface CoreOptions {
  config: RouterConfig;
  /** Uniform in [0, 1): jitter and DD sequence numbers come from here only. */
  random: () => number;
  /**
   * Wall-clock seconds at start (the driver's clock; default 0). The
   * cryptographic sequence number sent on an interface is at least this plus
   * the seconds since the first input, so that it does not decrease across
   * restarts (RFC 2328 D.4.3), as FRR's, which follows time(NULL).
   */
  authSequenceBase?: number;
  /**
   * This start follows a planned restart (RFC 3623 2.2) whose grace period
   * ends at `until`, in the core's time (the `now` of its inputs): the core
   * starts in restarting mode, unless that is past at its first input.
   */
  gracefulRestart?: { until: number };
}
