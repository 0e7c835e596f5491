// Structural equality of anycast options, field by field: what a
// reconfiguration compares to decide whether a prefix, a check or a proxy
// is unchanged. Each table names every field of its type, so an option added
// without a decision on how it compares does not compile.

import type { ResolvedCheck, ResolvedPrefix, ResolvedTiming } from './options.js';
import type {
  AnnounceAs,
  CheckOptions,
  CheckTiming,
  CodeList,
  CustomCheckOptions,
  ExecCheckOptions,
  HttpCheckOptions,
  ProcessCheckOptions,
  SipOptionsCheckOptions,
  TcpCheckOptions,
} from './types.js';

type Same<T> = (a: T, b: T) => boolean;

/** One comparison per field of T, optional fields included. */
type FieldComparisons<T> = { readonly [K in keyof T]-?: Same<T[K]> };

/** Plain values: numbers, strings, booleans, undefined; functions by identity. */
const is = <T>(a: T, b: T): boolean => a === b;

function sameFields<T>(fields: FieldComparisons<T>, a: T, b: T): boolean {
  return (Object.keys(fields) as (keyof T)[]).every((field) => fields[field](a[field], b[field]));
}

function sameList<T>(same: Same<T>): Same<readonly T[] | undefined> {
  return (a, b) => a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => same(x, b[i] as T)));
}

/** Argument vectors and other string lists: same strings in the same order. */
export const sameStrings: Same<readonly string[] | undefined> = sameList<string>(is);

/** Environments: the same variables with the same values, in any order. */
export function sameEnvironment(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const x = Object.entries(a ?? {});
  const y = b ?? {};
  return x.length === Object.keys(y).length && x.every(([name, value]) => Object.hasOwn(y, name) && y[name] === value);
}

/** Status code lists: the same entries ('200', '2xx' or a range) in the same order. */
const sameCodes: Same<CodeList | undefined> = sameList((a, b) =>
  typeof a === 'string' || typeof b === 'string' ? a === b : a.min === b.min && a.max === b.max,
);

/** The timing fields that a reconfiguration may change while a check keeps its verdict. */
type RetunableTiming = 'intervalMs' | 'timeoutMs' | 'rise' | 'fall';

const RETUNABLE_TIMING: FieldComparisons<Pick<CheckTiming, RetunableTiming>> = { intervalMs: is, timeoutMs: is, rise: is, fall: is };

/**
 * What each kind of check probes: every option but the retunable timings.
 * fastIntervalMs counts with the probe, so a changed fast interval makes the
 * check pass `rise` times again.
 */
const SIP_PROBE: FieldComparisons<Omit<SipOptionsCheckOptions, RetunableTiming>> = {
  kind: is,
  name: is,
  host: is,
  port: is,
  transport: is,
  codes: sameCodes,
  fromUser: is,
  fastIntervalMs: is,
};
const TCP_PROBE: FieldComparisons<Omit<TcpCheckOptions, RetunableTiming>> = { kind: is, name: is, host: is, port: is, fastIntervalMs: is };
const HTTP_PROBE: FieldComparisons<Omit<HttpCheckOptions, RetunableTiming>> = { kind: is, name: is, url: is, status: sameCodes, fastIntervalMs: is };
const EXEC_PROBE: FieldComparisons<Omit<ExecCheckOptions, RetunableTiming>> = {
  kind: is,
  name: is,
  command: sameStrings,
  cwd: is,
  env: sameEnvironment,
  fastIntervalMs: is,
};
/** A custom check probes with its own function: a new function is a new probe. */
const CUSTOM_PROBE: FieldComparisons<Omit<CustomCheckOptions, RetunableTiming>> = { kind: is, name: is, run: is, fastIntervalMs: is };

/** What makes a supervised proxy the same process: its command, directory and environment. */
const PROXY_IDENTITY: FieldComparisons<Pick<ProcessCheckOptions, 'command' | 'cwd' | 'env'>> = { command: sameStrings, cwd: is, env: sameEnvironment };

/** Every option of a process check: its identity, how it is shown, restarted and stopped. */
const PROCESS_OPTIONS: FieldComparisons<ProcessCheckOptions> = {
  ...PROXY_IDENTITY,
  kind: is,
  name: is,
  pidfile: is,
  restartDelayMs: is,
  maxRestartDelayMs: is,
  stableAfterMs: is,
  stopGraceMs: is,
  stopOnExit: is,
};

const RESOLVED_TIMING: FieldComparisons<ResolvedTiming> = { ...RETUNABLE_TIMING, fastIntervalMs: is };

/** Whether two process checks run the same proxy (command, cwd, env), whatever their restart settings. */
export function sameProxy(a: ProcessCheckOptions, b: ProcessCheckOptions): boolean {
  return sameFields(PROXY_IDENTITY, a, b);
}

/** Polled check options compared field by field; `timings` adds the retunable timings to the probe. */
function sameCheckOptions(a: CheckOptions, b: CheckOptions, timings: boolean): boolean {
  if (timings && a.kind !== 'process' && b.kind !== 'process' && !sameFields(RETUNABLE_TIMING, a, b)) return false;
  switch (a.kind) {
    case 'process':
      return b.kind === 'process' && (timings ? sameFields(PROCESS_OPTIONS, a, b) : sameProxy(a, b));
    case 'sip-options':
      return b.kind === 'sip-options' && sameFields(SIP_PROBE, a, b);
    case 'tcp':
      return b.kind === 'tcp' && sameFields(TCP_PROBE, a, b);
    case 'http':
      return b.kind === 'http' && sameFields(HTTP_PROBE, a, b);
    case 'exec':
      return b.kind === 'exec' && sameFields(EXEC_PROBE, a, b);
    case 'custom':
      return b.kind === 'custom' && sameFields(CUSTOM_PROBE, a, b);
  }
}

/**
 * Whether a reconfiguration keeps a check's verdict: the same name probing
 * the same thing (interval, timeout, rise and fall may differ); a custom
 * check must be the same function; a process check must run the same
 * command, directory and environment (its restart settings may differ).
 */
export function sameProbe(a: ResolvedCheck, b: ResolvedCheck): boolean {
  return a.name === b.name && sameCheckOptions(a.options, b.options, false);
}

/** Whether a check is exactly unchanged, timings and restart settings included. */
export function sameCheck(a: ResolvedCheck, b: ResolvedCheck): boolean {
  return (
    a.name === b.name &&
    sameCheckOptions(a.options, b.options, true) &&
    (a.timing === b.timing || (a.timing !== undefined && b.timing !== undefined && sameFields(RESOLVED_TIMING, a.timing, b.timing)))
  );
}

function sameAnnounceAs(a: AnnounceAs, b: AnnounceAs): boolean {
  if (a.kind === 'stub' || b.kind === 'stub') return a.kind === b.kind;
  return a.metric === b.metric && a.metricType === b.metricType;
}

/**
 * Every resolved setting of a prefix. Of the options as given, only the
 * maintenance file is compared here: the prefix is the key, the checks and
 * the rest are compared in their resolved form.
 */
const PREFIX: FieldComparisons<ResolvedPrefix> = {
  key: is,
  options: (a, b) => a.maintenanceFile === b.maintenanceFile,
  checks: sameList(sameCheck),
  onFailure: is,
  announceAs: sameAnnounceAs,
  minIntervalMs: is,
  manageAddress: is,
  removeOnWithdraw: is,
  interface: is,
};

/** Whether a prefix is unchanged by a reconfiguration, its checks (in order) included. */
export function samePrefix(a: ResolvedPrefix, b: ResolvedPrefix): boolean {
  return sameFields(PREFIX, a, b);
}
