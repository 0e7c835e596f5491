// The daemon as a library (import from 'ospf-anycast/daemon'): run an OSPF
// router with anycast announcements inside a Node.js service. Linux only: it
// loads the raw-socket and netlink native modules.
export { OspfAnycastDaemon, DaemonStartError, type DaemonOptions, type DaemonEvents, type DaemonStopOptions, type DaemonSystem } from './daemon.js';
export { Logger, streamLogger, parseLogLevel, type LogLevel, type LogFormat } from './logger.js';
export { loadConfig } from './main.js';
