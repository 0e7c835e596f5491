// What ospf-anycastd is started with as a library (OspfAnycastDaemon.start),
// the events it offers its listeners, and the Linux parts it runs on unless
// a test replaces them.

import type { CustomCheckOptions, StateChangeEvent } from '../anycast/index.js';
import type { DaemonConfig } from '../config/index.js';
import type { CoreEvent } from '../core/api.js';
import { InterfaceMonitor } from '../io/links.js';
import { OspfTransport } from '../io/transport.js';
import { MultipathFib, type FibInstaller, type MultipathFibOptions } from '../multipath/index.js';
import type { RouteChange } from '../spf/index.js';
import type { Logger } from './logger.js';

/** What the daemon needs from the system; tests replace parts of it. */
export interface DaemonSystem {
  monitor: () => Promise<InterfaceMonitor>;
  transport: () => OspfTransport;
  /** Kernel routes as nexthop groups, the multipath hash policy and per-packet spreading. */
  routes: (options: MultipathFibOptions) => FibInstaller;
}

export const linuxSystem: DaemonSystem = {
  monitor: () => InterfaceMonitor.start(),
  transport: () => new OspfTransport(),
  routes: (options) => new MultipathFib(options),
};

export interface DaemonOptions {
  config: DaemonConfig;
  logger: Logger;
  /** Re-read on reload() (SIGHUP); without it reload() is refused. */
  load?: () => Promise<DaemonConfig>;
  /** The control socket path, overriding the configuration; false for none. */
  controlSocket?: string | false;
  /** The group whose members may use the control socket (mode 0660); without one it is 0600. */
  controlSocketGroup?: number;
  /** Health checks written as functions, by prefix text ("10.206.206.1/32"). */
  customChecks?: Record<string, readonly CustomCheckOptions[]>;
  system?: Partial<DaemonSystem>;
  /** How long shutdown waits for neighbours to acknowledge the flushed LSAs. Default 1000 ms. */
  flushWaitMs?: number;
  /** How long a graceful restart waits for neighbours to acknowledge its grace-LSAs (RFC 3623 2.1). Default 2000 ms. */
  graceAckWaitMs?: number;
  /**
   * Where supervised proxies are recorded so that they outlive the daemon
   * (a restart adopts them); by default the control socket's directory.
   * false: proxies stop with the daemon (as does one under `proxy stop-on-exit`).
   */
  runDirectory?: string | false;
}

export interface DaemonStopOptions {
  /** Stop the supervised proxies too; by default they keep running for the next daemon to adopt. */
  stopProxies?: boolean;
  /**
   * A planned restart (RFC 3623 2.1), when `graceful-restart` is configured
   * and there is a run directory: grace-LSAs instead of the flush, our LSAs
   * and kernel routes left in place, the restart recorded for the next start.
   * The proxies keep running (stopProxies is not looked at).
   */
  gracefulRestart?: boolean;
}

export interface DaemonEvents {
  'neighbor-state': [event: Extract<CoreEvent, { type: 'neighbor-state' }>];
  'interface-state': [event: Extract<CoreEvent, { type: 'interface-state' }>];
  routes: [changes: RouteChange[]];
  'prefix-state': [event: StateChangeEvent];
  /** The daemon has stopped, whatever asked it to (a signal, `ospf-anycast stop`, stop()). */
  stopped: [];
}
