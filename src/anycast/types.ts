// Options, results and events of the anycast announcer: what the
// configuration maps onto, and what `show anycast` and the daemon read back.

import type { Prefix } from '../lib/ipv4.js';
import type { PrefixAdvertisement } from '../core/api.js';

/** How often a check runs and how many results it takes to change its verdict (haproxy-style rise/fall). */
export interface CheckTiming {
  /** Milliseconds between the starts of two runs. Default 1000. */
  intervalMs?: number;
  /** Milliseconds a run may take before it counts as failed. Default 1000. */
  timeoutMs?: number;
  /** Consecutive successes that make an unhealthy check healthy. Default 2. */
  rise?: number;
  /** Consecutive failures that make a healthy check unhealthy. Default 3. */
  fall?: number;
  /**
   * Milliseconds from a failed run to the next while the check is still
   * healthy (haproxy's fastinter), so that `fall` failures in a row are seen
   * sooner than `fall` intervals. 0, the default, runs again at once; at most
   * intervalMs. The way back (rise) keeps the interval.
   */
  fastIntervalMs?: number;
}

/** Response codes that count as success: '200', a class '2xx', or an inclusive range. */
export type CodeSpec = string | { min: number; max: number };

/** Empty or absent means the check's default. */
export type CodeList = readonly CodeSpec[];

/**
 * How the daemon originates the prefix: a stub link in the router-LSA, or an
 * AS-external-LSA (RFC 2328 12.4.4) with its metric and type.
 */
export type AnnounceAs = { kind: 'stub' } | { kind: 'external'; metric: number; metricType: 1 | 2 };

/** Start and supervise the SIP proxy; healthy while it runs. */
export interface ProcessCheckOptions {
  kind: 'process';
  /** argv: the program and its arguments (no shell). */
  command: readonly string[];
  /**
   * The proxy's own pidfile (Kamailio's and OpenSIPS's -P): with a record
   * directory, a proxy running `command` under this pid is adopted when
   * there is no record of it (one started before the daemon recorded it).
   */
  pidfile?: string;
  name?: string;
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** First restart delay after an exit, doubled after each quick exit. Default 100 ms. */
  restartDelayMs?: number;
  /** Ceiling of the restart delay. Default 30 000 ms. */
  maxRestartDelayMs?: number;
  /** A child that stayed up this long resets the restart delay. Default 10 000 ms. */
  stableAfterMs?: number;
  /** Between SIGTERM and SIGKILL on stop. Default 5 000 ms. */
  stopGraceMs?: number;
  /**
   * Stop the proxy whenever the announcer stops, even with a record
   * directory (AnnouncerOptions.recordDirectory); recorded all the same, so
   * that after a crash the next announcer stops it rather than adopting it.
   * Default false.
   */
  stopOnExit?: boolean;
}

/** Send SIP OPTIONS (RFC 3261 11) and expect a final response. */
export interface SipOptionsCheckOptions extends CheckTiming {
  kind: 'sip-options';
  host: string;
  port: number;
  transport?: 'udp' | 'tcp';
  /** Final responses that count as alive; default any final response (>= 200). */
  codes?: CodeList;
  /** User part of the From URI. Default 'ospf-anycast'. */
  fromUser?: string;
  name?: string;
}

/** Open a TCP connection within the timeout. */
export interface TcpCheckOptions extends CheckTiming {
  kind: 'tcp';
  host: string;
  port: number;
  name?: string;
}

/** GET a URL and expect one of the status codes (default 2xx). */
export interface HttpCheckOptions extends CheckTiming {
  kind: 'http';
  url: string;
  status?: CodeList;
  name?: string;
}

/** Run a command; exit status 0 is healthy. Killed (whole process group) at the timeout. */
export interface ExecCheckOptions extends CheckTiming {
  kind: 'exec';
  command: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  name?: string;
}

/**
 * A library user's own check. Resolving (with anything but `false`) is
 * healthy; rejecting or resolving `false` is not. The signal aborts at the
 * timeout and on stop.
 */
export interface CustomCheckOptions extends CheckTiming {
  kind: 'custom';
  name: string;
  run: (signal: AbortSignal) => Promise<void | boolean>;
}

export type CheckOptions =
  | ProcessCheckOptions
  | SipOptionsCheckOptions
  | TcpCheckOptions
  | HttpCheckOptions
  | ExecCheckOptions
  | CustomCheckOptions;

export type OnFailure = 'withdraw' | 'max-cost';

/** One anycast prefix and what decides whether it is announced. */
export interface AnycastPrefixOptions {
  prefix: Prefix;
  /** All must be healthy for the prefix to be announced. None: announced unless drained. */
  checks: readonly CheckOptions[];
  /** Present = drained, absent = normal. */
  maintenanceFile?: string;
  /** What a health failure advertises. Default 'withdraw'. */
  onFailure?: OnFailure;
  /** How the daemon should originate the prefix. Default stub; 'external' alone means metric 20, type 2 (FRR's redistribute default). */
  announceAs?: 'stub' | 'external' | AnnounceAs;
  /** Minimum spacing of advertisement changes (RFC 2328 MinLSArrival is 1 s). Default 1000. */
  minIntervalMs?: number;
  /** Add the prefix's address to its interface (see interface) through the Announcer's AddressManager. Default false. */
  manageAddress?: boolean;
  /** With manageAddress: remove the address while the prefix is withdrawn. Default false. */
  removeOnWithdraw?: boolean;
  /** The interface that carries the address: `show anycast` names it, and manageAddress puts the address there. Default 'lo'. */
  interface?: string;
}

/** The outcome of one check run, as `show anycast` prints it. */
export interface CheckResult {
  ok: boolean;
  reason: string;
  latencyMs: number;
  /** Epoch milliseconds when the run finished. */
  at: number;
}

/** What a check runner returns before the scheduler adds timing. */
export interface CheckOutcome {
  ok: boolean;
  reason: string;
}

/** One run of a check; must honour the signal (close sockets, kill children) when it aborts. */
export type CheckRunner = (signal: AbortSignal) => Promise<CheckOutcome>;

export type PrefixState = 'announced' | 'withdrawn-by-health' | 'drained';

/** Who drained a prefix. */
export type DrainSource = 'cli' | 'library' | 'file';

/** Every state change of a prefix. */
export interface StateChangeEvent {
  /** The prefix as text, "10.206.206.1/32". */
  prefix: string;
  from: PrefixState;
  to: PrefixState;
  reason: string;
  /** The failing check's name, for withdrawn-by-health. */
  check?: string;
  /** Epoch milliseconds. */
  at: number;
}

/** What the announcer hands to the daemon: the core input { kind: 'advertise', prefix, mode }. */
export interface Advertisement {
  prefix: Prefix;
  mode: PrefixAdvertisement;
  announceAs: AnnounceAs;
  /** Epoch milliseconds. */
  at: number;
}

export interface CheckStatus {
  name: string;
  kind: CheckOptions['kind'];
  healthy: boolean;
  /** Why the check is unhealthy, or the last success. */
  reason: string;
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  last?: CheckResult;
  /** For the process check: the supervised child. */
  process?: ProcessStatus;
}

export interface ProcessStatus {
  /** The running child's pid; absent while it is down. */
  pid?: number;
  /** Starts so far, the first included. */
  starts: number;
  /** Epoch milliseconds of the last start or exit. */
  since: number;
  /** Epoch milliseconds of the next start, while waiting to restart. */
  restartAt?: number;
}

/** One prefix in `show anycast`. */
export interface PrefixStatus {
  prefix: string;
  /** The interface that carries the address (the block's `interface`). */
  interface: string;
  state: PrefixState;
  /** Epoch milliseconds of the last state change (or of start). */
  since: number;
  reason: string;
  failingCheck?: string;
  drainedBy: DrainSource[];
  /** The mode last handed to the daemon. */
  advertised: PrefixAdvertisement;
  /** A mode waiting for the min-interval to pass, if any. */
  pending?: PrefixAdvertisement;
  checks: CheckStatus[];
}
