// The typed model of an ospf-anycastd configuration file, as parseConfig()
// returns it. Values are kept as written (seconds stay seconds); defaults are
// filled in here so every consumer sees the same effective value.
// src/config/reference.md documents every statement behind these fields.

import type { Prefix } from '../lib/ipv4.js';
import type { AuthKey, GracefulRestartHelperConfig, NetworkType, SpfThrottle } from '../core/api.js';

/** Syslog severities, FRR's names, most severe first. */
export const LOG_LEVELS = [
  'emergencies',
  'alerts',
  'critical',
  'errors',
  'warnings',
  'notifications',
  'informational',
  'debugging',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One `log stdout|syslog|file PATH [LEVEL]` statement. */
export type LogDestination =
  | { kind: 'stdout'; level: LogLevel }
  | { kind: 'syslog'; level: LogLevel }
  | { kind: 'file'; path: string; level: LogLevel };

export interface LogConfig {
  /** Sorted stdout, syslog, file; one entry per kind (a later statement replaces an earlier one). */
  destinations: LogDestination[];
  format: 'text' | 'json';
  /** Digits of sub-second precision in timestamps (FRR `log timestamp precision`, 0..6). */
  timestampPrecision: number;
}

/** Next hop of a static route (FRR `ip route`). */
export type StaticNexthop =
  | { kind: 'gateway'; address: number; ifName?: string }
  | { kind: 'interface'; ifName: string }
  | { kind: 'blackhole' }
  | { kind: 'reject' };

export interface StaticRoute {
  prefix: Prefix;
  nexthop: StaticNexthop;
  /** Administrative distance, 1..255 (FRR default 1). */
  distance: number;
}

/** OSPF authentication of one interface (RFC 2328 D.3, RFC 5709). */
export interface InterfaceAuthentication {
  /** `ip ospf authentication [message-digest|null]`; absent = the area's setting. */
  type?: 'simple' | 'message-digest' | 'null';
  /** `ip ospf authentication-key KEY` (simple password, up to 8 characters). */
  simpleKey?: string;
  /** `ip ospf message-digest-key ID md5|hmac-sha1|hmac-sha256|hmac-sha384|hmac-sha512 KEY`, sorted by key id. */
  keys: AuthKey[];
}

/** Settings of one `interface NAME` section; a field is present only when the file sets it. */
export interface InterfaceConfig {
  description?: string;
  /** `ip ospf cost`, 1..65535. */
  cost?: number;
  /** `ip ospf hello-interval`, seconds. */
  helloInterval?: number;
  /** `ip ospf dead-interval`, seconds. Absent when helloMultiplier is set. */
  deadInterval?: number;
  /** `ip ospf dead-interval minimal hello-multiplier M`: dead interval 1 s, M hellos per second. */
  helloMultiplier?: number;
  /** `ip ospf retransmit-interval`, seconds. */
  retransmitInterval?: number;
  /** `ip ospf transmit-delay`, seconds. */
  transmitDelay?: number;
  /** `ip ospf priority`, 0..255. */
  priority?: number;
  networkType?: NetworkType;
  /** `ip ospf passive` (true) or `no ip ospf passive` (false); absent = decided by router ospf. */
  passive?: boolean;
  mtuIgnore?: boolean;
  /** `ip ospf area`: run OSPF on every address of this interface. */
  area?: number;
  authentication: InterfaceAuthentication;
  /** `ip load-sharing per-packet|per-flow`; stored for the multipath code. */
  loadSharing?: 'per-packet' | 'per-flow';
}

export interface RedistributeConfig {
  /** Metric of the AS-external-LSAs, 0..16777214; absent = default-metric, else 20. */
  metric?: number;
  metricType: 1 | 2;
}

export type MultipathGroup =
  | { kind: 'hash-threshold' }
  | { kind: 'resilient'; buckets: number; idleTimer: number; unbalancedTimer: number };

export interface OspfConfig {
  routerId?: number;
  /** `network PREFIX area AREA`, in file order without duplicates. */
  networks: { prefix: Prefix; area: number }[];
  /** The single area this router runs in (from network / ip ospf area; 0 when neither names one). */
  area: number;
  /** `passive-interface default`. */
  passiveDefault: boolean;
  /** `passive-interface NAME` (true) and `no passive-interface NAME` (false), by interface name. */
  passiveInterfaces: Record<string, boolean>;
  redistributeConnected?: RedistributeConfig;
  redistributeStatic?: RedistributeConfig;
  /** `default-metric N`, 0..16777214. */
  defaultMetric?: number;
  /** `maximum-paths N`, 1..64, default 64. */
  maximumPaths: number;
  /** `max-lsa N`, 1..10000000: most LSAs the LSDB takes; the core's default (200000) when absent. */
  maxLsa?: number;
  spfThrottle: SpfThrottle;
  /** `timers throttle lsa all MS`: least time between two originations of one LSA (RFC 2328 MinLSInterval), 0..5000. */
  lsaIntervalMs?: number;
  /** `timers lsa min-arrival MS`: least time between two accepted instances of one LSA (RFC 2328 MinLSArrival), 0..600000. */
  lsaArrivalMs?: number;
  logAdjacencyChanges: 'off' | 'on' | 'detail';
  /** `auto-cost reference-bandwidth N`, Mbit/s: the bandwidth of cost 1, for interfaces without `ip ospf cost`. */
  referenceBandwidth: number;
  /** `area AREA authentication [message-digest]`, for the area this router runs in. */
  areaAuthentication?: 'simple' | 'message-digest';
  multipath: {
    group: MultipathGroup;
    hash: 'layer3' | 'layer4';
  };
  /**
   * `graceful-restart [grace-period N]`: restarting mode (RFC 3623 2). A
   * planned stop (SIGTERM) then asks the neighbours for N seconds of grace
   * (1..1800, 120 when not given) and leaves routes and LSAs in place.
   */
  gracefulRestart?: { gracePeriod: number };
  /** `graceful-restart helper …`: helper mode (RFC 3623 3), on for every neighbor by default. */
  gracefulRestartHelper: GracefulRestartHelperConfig;
  /** `max-metric router-lsa administrative|on-startup N`: stub router advertisement (RFC 6987). */
  maxMetric: MaxMetricConfig;
}

/** FRR's `max-metric router-lsa` settings. */
export interface MaxMetricConfig {
  /** `administrative`: a stub router until the statement is removed. */
  administrative: boolean;
  /** `on-startup N`, 5..86400 s: a stub router for N seconds after the daemon starts. */
  onStartup?: number;
}

/** A range of response codes, both ends inclusive ("2xx" = 200..299). */
export interface CodeRange {
  min: number;
  max: number;
}

/** Timing shared by every health check. */
export interface HealthCheckTiming {
  /** Milliseconds between probes. */
  interval: number;
  /** Milliseconds a probe may take before it counts as failed (≤ interval). */
  timeout: number;
  /** Consecutive successes that make a failed check pass. */
  rise: number;
  /** Consecutive failures that make a passing check fail. */
  fall: number;
  /** Milliseconds from a failed probe of a passing check to the next one (≤ interval; 0 = at once). */
  fastInterval: number;
}

export type HealthCheck =
  | ({ kind: 'sip-options'; host: number; port: number; transport: 'udp' | 'tcp'; codes: CodeRange[] } & HealthCheckTiming)
  | ({ kind: 'tcp'; host: number; port: number } & HealthCheckTiming)
  | ({ kind: 'http'; url: string; codes: CodeRange[] } & HealthCheckTiming)
  | ({ kind: 'exec'; argv: string[] } & HealthCheckTiming)
  /**
   * The daemon runs and supervises the command; healthy while it runs (no
   * probes, so no timing). `pidfile`: the proxy's own, naming a running
   * proxy to adopt when the daemon has no record of it.
   */
  | { kind: 'process'; argv: string[]; pidfile?: string };

/** One `anycast PREFIX` block. */
export interface AnycastConfig {
  prefix: Prefix;
  /** In file order; the prefix is healthy while every check passes. */
  checks: HealthCheck[];
  maintenanceFile?: string;
  onFailure: 'withdraw' | 'max-cost';
  announceAs: { kind: 'stub' } | { kind: 'external'; metric: number; metricType: 1 | 2 };
  /** Milliseconds: the least time between two changes of how the prefix is advertised. */
  minInterval: number;
  /** Whether the daemon adds the address to `interface` itself, and removes it on withdraw. */
  manageAddress: { enabled: boolean; removeOnWithdraw: boolean };
  /** The interface carrying the address, default "lo". */
  interface: string;
  /** `proxy stop-on-exit`: the supervised proxy stops with the daemon, whatever the reason; otherwise it outlives it. */
  proxyStopOnExit: boolean;
}

export interface DaemonConfig {
  hostname?: string;
  /** FRR zebra's `router-id A.B.C.D` / `ip router-id A.B.C.D`: used when router ospf sets none. */
  routerId?: number;
  log: LogConfig;
  /** `ip route`, sorted by prefix then next hop. */
  staticRoutes: StaticRoute[];
  /** `interface NAME` sections by name (keys in sorted order). */
  interfaces: Record<string, InterfaceConfig>;
  ospf: OspfConfig;
  /** `anycast` blocks, sorted by prefix. */
  anycast: AnycastConfig[];
  /** Unix socket of the control interface (the ospf-anycast CLI). */
  controlSocket: string;
  /**
   * `user NAME [group GROUP]`: started as root, the daemon prepares what needs
   * root and then runs as NAME (primary group GROUP, else NAME's), keeping
   * only CAP_NET_RAW and CAP_NET_ADMIN; GROUP may use the control socket.
   */
  user?: { name: string; group?: string };
  /** `metrics listen ADDR:PORT`: the Prometheus endpoint; absent = off. */
  metricsListen?: { address: number; port: number };
  /** How the daemon installs routes in the kernel (`route metric`, `route table`). */
  kernelRoutes: { metric: number; table: number };
}

// ---- Defaults (see reference.md) ----

export const DEFAULT_CONTROL_SOCKET = '/run/ospf-anycast/ospf-anycastd.sock';
/** FRR's zebra installs OSPF routes with metric 20 in the main table. */
export const DEFAULT_ROUTE_METRIC = 20;
export const DEFAULT_ROUTE_TABLE = 254;
/** FRR `DEFAULT_DEFAULT_METRIC`: external metric when neither the redistribute statement nor default-metric gives one. */
export const DEFAULT_EXTERNAL_METRIC = 20;
export const DEFAULT_MAXIMUM_PATHS = 64;
export const DEFAULT_SPF_THROTTLE: SpfThrottle = { delayMs: 0, initialHoldMs: 50, maxHoldMs: 5000 };
/**
 * The reference bandwidth FRR's ospfd uses without `auto-cost
 * reference-bandwidth`, Mbit/s: 100 Gbit/s (its OSPF_DEFAULT_REF_BANDWIDTH;
 * FRR's documentation says 100 Mbit/s, its code, 8.4 included, uses 100000),
 * so a 10 Gbit/s link costs 10 and a 1 Gbit/s link 100, as on FRR.
 */
export const DEFAULT_REFERENCE_BANDWIDTH = 100_000;
/** FRR's bandwidth for an interface whose speed the kernel does not report (OSPF_DEFAULT_BANDWIDTH), Mbit/s. */
export const UNKNOWN_INTERFACE_BANDWIDTH = 10_000;
/** Linux resilient nexthop group defaults (buckets, idle timer s, unbalanced timer s). */
/**
 * Resilient nexthop group defaults: 128 buckets, idle timer 0 (buckets move
 * to a returning node at once: only its share of flows moves), unbalanced
 * timer 0.
 */
export const DEFAULT_RESILIENT = { buckets: 128, idleTimer: 0, unbalancedTimer: 0 } as const;
export const DEFAULT_CHECK_TIMING: HealthCheckTiming = { interval: 1000, timeout: 500, rise: 2, fall: 2, fastInterval: 0 };
export const DEFAULT_MIN_INTERVAL = 1000;
export const DEFAULT_ANYCAST_INTERFACE = 'lo';
/** Level of a `log` statement that names none (FRR's default). */
export const DEFAULT_LOG_LEVEL: LogLevel = 'debugging';
/** Where the daemon logs when the file has no `log` statement. */
export const DEFAULT_LOG_DESTINATION: LogDestination = { kind: 'stdout', level: 'informational' };
