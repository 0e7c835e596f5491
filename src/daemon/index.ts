// The daemon as a library (import from 'ospf-anycast/daemon'): run an OSPF
// router with anycast announcements inside a Node.js service. Linux only: it
// loads the raw-socket and netlink native modules.
export { OspfAnycastDaemon, type DaemonOptions, type DaemonEvents, type DaemonStopOptions, type DaemonSystem } from './daemon.js';
export { AlreadyStoppingError, DaemonStartError, NoAnycastPrefixError, ReloadRefusedError } from './errors.js';
export { Logger, streamLogger, parseLogLevel, type LogLevel, type LogFormat } from './logger.js';
export { loadConfig } from './main.js';
// What show() answers and the control socket carries, shared with the CLI.
export { controlRequest, ControlError } from '../control/protocol.js';
export { ControlRequestError, type ControlAnswer, type ControlRequest, type ShowRequest } from '../control/requests.js';
export type {
  AnycastRowView,
  DatabaseRowView,
  DatabaseView,
  InterfaceRowView,
  MessageView,
  NeighborRowView,
  OspfSummaryView,
  RouteRowView,
  ShowAnswers,
} from '../control/views.js';
