// The anycast announcer: health checks, proxy supervision, drain and the
// per-prefix state machine that decides how the anycast prefix is advertised.
export * from './types.js';
export * from './errors.js';
export { codeMatches, formatCodes, DEFAULT_EXTERNAL, defaultCheckName, resolvePrefixes, DEFAULT_FALL, DEFAULT_INTERVAL_MS, DEFAULT_MIN_INTERVAL_MS, DEFAULT_RISE, DEFAULT_TIMEOUT_MS } from './options.js';
export type { ResolvedCheck, ResolvedPrefix, ResolvedTiming } from './options.js';
export { RiseFall, type Verdict } from './rise-fall.js';
export { PrefixMachine, type MachineOutput, type PrefixMachineOptions, type PrefixMachineView } from './machine.js';
export { CheckScheduler, type ScheduledResult } from './scheduler.js';
export { ProcessSupervisor, proxyIdentity, retireUnclaimed, type ExitInfo, type RecordOptions, type SpawnInfo, type SupervisorEvents } from './supervisor.js';
export { checkRecord, readRecord, recordPaths, type ProxyRecord, type RecordLookup } from './proxy-record.js';
export { MaintenanceFileWatcher, MAINTENANCE_POLL_MS } from './maintenance.js';
export { sipOptionsRunner } from './checks/sip-options.js';
export { tcpRunner } from './checks/tcp.js';
export { httpRunner } from './checks/http.js';
export { execRunner } from './checks/exec.js';
export { customRunner } from './checks/custom.js';
export { buildOptionsRequest, parseSipResponse, frameSipMessage, topViaBranch, cseqOf, BRANCH_MAGIC_COOKIE } from './sip/message.js';
export type { OptionsRequestParams, SipResponse } from './sip/message.js';
export { Announcer } from './announcer.js';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  type AddressManager,
  type AnnouncerEvents,
  type AnnouncerOptions,
  type CheckEvent,
  type DrainOptions,
  type LogEntry,
  type ProcessEvent,
  type StopOptions,
} from './announcer-api.js';
export { planReconfiguration, type PrefixStep, type ReconfigurationPlan } from './reconfiguration.js';
