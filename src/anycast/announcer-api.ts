// What an Announcer is given (prefixes, the advertise callback, an address
// manager, a log) and what it emits: the typed events the daemon and the
// CLI read.

import type { Prefix } from '../lib/ipv4.js';
import type { Advertisement, AnycastPrefixOptions, CheckResult, DrainSource, StateChangeEvent } from './types.js';

/** Puts the anycast address on its interface (lo by default) and takes it off; the daemon does it through netlink. */
export interface AddressManager {
  add(prefix: Prefix, ifName: string): Promise<void>;
  remove(prefix: Prefix, ifName: string): Promise<void>;
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** The prefix as text, when the entry is about one. */
  prefix?: string;
  at: number;
}

export interface AnnouncerOptions {
  prefixes: readonly AnycastPrefixOptions[];
  /** Every advertisement change, in order; the daemon hands it to the core as { kind: 'advertise', prefix, mode }. */
  advertise: (ad: Advertisement) => void;
  /** Needed when a prefix has manageAddress. */
  addressManager?: AddressManager;
  log?: (entry: LogEntry) => void;
  /**
   * When true, drain() resolves only once acknowledge(prefix, 'withdraw') is
   * called: the daemon calls it when the core reports the changed LSA
   * acknowledged by every neighbour (at once when there are none). When
   * false, drain() resolves when the withdrawal has been handed to advertise().
   */
  awaitAcknowledgement?: boolean;
  /** Default for drain()'s timeout. 10 000 ms. */
  drainTimeoutMs?: number;
  /**
   * The daemon's run directory. Supervised proxies are recorded there and
   * outlive stop() (unless told otherwise) and a crash; start() adopts the
   * proxies recorded there that still run, and stops recorded ones that no
   * prefix configures any more. Without it, proxies live and die with the
   * announcer.
   */
  recordDirectory?: string;
}

export interface StopOptions {
  /** Stop the supervised proxies even when they are recorded to outlive the announcer. */
  stopProxies?: boolean;
}

export interface CheckEvent {
  prefix: string;
  check: string;
  result: CheckResult;
  healthy: boolean;
}

export interface ProcessEvent {
  prefix: string;
  check: string;
  event: 'spawn' | 'exit';
  pid: number | undefined;
  /** For 'exit': why, and when the next start is due. */
  reason?: string;
  restartInMs?: number;
  at: number;
}

export interface AnnouncerEvents {
  state: (event: StateChangeEvent) => void;
  advertise: (ad: Advertisement) => void;
  check: (event: CheckEvent) => void;
  process: (event: ProcessEvent) => void;
  log: (entry: LogEntry) => void;
}

export interface DrainOptions {
  source?: Extract<DrainSource, 'cli' | 'library'>;
  timeoutMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
