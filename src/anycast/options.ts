// Option checking and defaults: turns AnycastPrefixOptions into fully filled
// settings, or throws AnycastConfigError naming the field at fault.

import { formatPrefix, maskFromLength } from '../lib/ipv4.js';
import { AnycastConfigError } from './errors.js';
import type { AnnounceAs, AnycastPrefixOptions, CheckOptions, CodeList, OnFailure } from './types.js';

export const DEFAULT_INTERVAL_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_RISE = 2;
export const DEFAULT_FALL = 3;
/** A failing probe is confirmed at once: a hung proxy is withdrawn after fall timeouts, not fall intervals. */
export const DEFAULT_FAST_INTERVAL_MS = 0;
/** RFC 2328 B: MinLSArrival, 1 s; FRR drops a newer instance that arrives sooner. */
export const DEFAULT_MIN_INTERVAL_MS = 1000;

export interface ResolvedTiming {
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  fastIntervalMs: number;
}

export interface ResolvedCheck {
  name: string;
  options: CheckOptions;
  /** Undefined for 'process', which is event-driven rather than polled. */
  timing: ResolvedTiming | undefined;
}

export interface ResolvedPrefix {
  key: string;
  options: AnycastPrefixOptions;
  checks: ResolvedCheck[];
  onFailure: OnFailure;
  announceAs: AnnounceAs;
  minIntervalMs: number;
  manageAddress: boolean;
  removeOnWithdraw: boolean;
  interface: string;
}

/** True when `code` is in the list: exact ('503'), by class ('5xx') or within a range. */
export function codeMatches(list: CodeList, code: number): boolean {
  const text = String(code);
  return list.some((entry) =>
    typeof entry === 'string'
      ? entry === text || (/^[1-6]xx$/i.test(entry) && entry[0] === text[0] && text.length === 3)
      : code >= entry.min && code <= entry.max,
  );
}

/** A code list as text, for failure reasons: "200 2xx 300-399". */
export function formatCodes(list: CodeList): string {
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.min === entry.max ? String(entry.min) : `${entry.min}-${entry.max}`)).join(' ');
}

function checkCodes(path: string, list: CodeList | undefined): void {
  if (list === undefined) return;
  for (const [i, entry] of list.entries()) {
    if (typeof entry === 'string') {
      if (!/^[1-6](\d\d|xx)$/i.test(entry)) throw new AnycastConfigError(`${path}[${i}]`, `not a status code or class: "${entry}"`);
    } else if (!Number.isInteger(entry.min) || !Number.isInteger(entry.max) || entry.min < 100 || entry.max > 699 || entry.min > entry.max) {
      throw new AnycastConfigError(`${path}[${i}]`, `not a code range within 100-699: ${entry.min}-${entry.max}`);
    }
  }
}

/** FRR's default for redistributed routes: metric 20, type 2. */
export const DEFAULT_EXTERNAL: AnnounceAs = { kind: 'external', metric: 20, metricType: 2 };

function resolveAnnounceAs(path: string, value: AnycastPrefixOptions['announceAs']): AnnounceAs {
  if (value === undefined || value === 'stub') return { kind: 'stub' };
  if (value === 'external') return DEFAULT_EXTERNAL;
  if (typeof value === 'object' && value.kind === 'stub') return { kind: 'stub' };
  if (typeof value === 'object' && value.kind === 'external') {
    // RFC 2328 A.4.5: the metric is 24 bits; LSInfinity (0xffffff) would mean unreachable.
    if (!Number.isInteger(value.metric) || value.metric < 0 || value.metric >= 0xffffff) {
      throw new AnycastConfigError(`${path}.metric`, `must be 0..16777214, got ${value.metric}`);
    }
    if (value.metricType !== 1 && value.metricType !== 2) throw new AnycastConfigError(`${path}.metricType`, `must be 1 or 2, got ${String(value.metricType)}`);
    return { kind: 'external', metric: value.metric, metricType: value.metricType };
  }
  throw new AnycastConfigError(path, `must be stub or external, got ${JSON.stringify(value)}`);
}

function positiveInt(path: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new AnycastConfigError(path, `must be a positive integer, got ${value}`);
  return value;
}

function checkPort(path: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AnycastConfigError(path, `not a port: ${port}`);
}

function checkCommand(path: string, command: readonly string[]): void {
  if (command.length === 0 || command[0] === '') throw new AnycastConfigError(path, 'empty command');
}

/** The name a check is shown under when the options give none. */
export function defaultCheckName(check: CheckOptions): string {
  switch (check.kind) {
    case 'process':
      return `process ${check.command.join(' ')}`;
    case 'sip-options':
      return `sip-options ${check.transport ?? 'udp'}:${check.host}:${check.port}`;
    case 'tcp':
      return `tcp ${check.host}:${check.port}`;
    case 'http':
      return `http ${check.url}`;
    case 'exec':
      return `exec ${check.command.join(' ')}`;
    case 'custom':
      return check.name;
  }
}

function resolveCheck(path: string, check: CheckOptions): ResolvedCheck {
  if (typeof check !== 'object' || check === null) throw new AnycastConfigError(path, 'not a check');
  switch (check.kind) {
    case 'process':
      checkCommand(`${path}.command`, check.command);
      positiveInt(`${path}.restartDelayMs`, check.restartDelayMs, 1);
      positiveInt(`${path}.maxRestartDelayMs`, check.maxRestartDelayMs, 1);
      positiveInt(`${path}.stableAfterMs`, check.stableAfterMs, 1);
      positiveInt(`${path}.stopGraceMs`, check.stopGraceMs, 1);
      return { name: check.name ?? defaultCheckName(check), options: check, timing: undefined };
    case 'sip-options':
      checkPort(`${path}.port`, check.port);
      if (check.host === '') throw new AnycastConfigError(`${path}.host`, 'empty host');
      if (check.transport !== undefined && check.transport !== 'udp' && check.transport !== 'tcp') {
        throw new AnycastConfigError(`${path}.transport`, `must be udp or tcp, got "${String(check.transport)}"`);
      }
      checkCodes(`${path}.codes`, check.codes);
      break;
    case 'tcp':
      checkPort(`${path}.port`, check.port);
      if (check.host === '') throw new AnycastConfigError(`${path}.host`, 'empty host');
      break;
    case 'http': {
      let url: URL;
      try {
        url = new URL(check.url);
      } catch {
        throw new AnycastConfigError(`${path}.url`, `not a URL: "${check.url}"`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new AnycastConfigError(`${path}.url`, `only http: and https: are supported, got ${url.protocol}`);
      }
      checkCodes(`${path}.status`, check.status);
      break;
    }
    case 'exec':
      checkCommand(`${path}.command`, check.command);
      break;
    case 'custom':
      if (check.name === '') throw new AnycastConfigError(`${path}.name`, 'a custom check needs a name');
      if (typeof check.run !== 'function') throw new AnycastConfigError(`${path}.run`, 'must be a function');
      break;
    default:
      throw new AnycastConfigError(`${path}.kind`, `unknown check kind "${String((check as { kind: unknown }).kind)}"`);
  }
  const timing: ResolvedTiming = {
    intervalMs: positiveInt(`${path}.intervalMs`, check.intervalMs, DEFAULT_INTERVAL_MS),
    timeoutMs: positiveInt(`${path}.timeoutMs`, check.timeoutMs, DEFAULT_TIMEOUT_MS),
    rise: positiveInt(`${path}.rise`, check.rise, DEFAULT_RISE),
    fall: positiveInt(`${path}.fall`, check.fall, DEFAULT_FALL),
    fastIntervalMs: DEFAULT_FAST_INTERVAL_MS,
  };
  if (check.fastIntervalMs !== undefined) {
    const fast = check.fastIntervalMs;
    if (!Number.isInteger(fast) || fast < 0 || fast > timing.intervalMs) {
      throw new AnycastConfigError(`${path}.fastIntervalMs`, `must be an integer from 0 to the interval (${timing.intervalMs}), got ${fast}`);
    }
    timing.fastIntervalMs = fast;
  }
  return { name: check.name ?? defaultCheckName(check), options: check, timing };
}

/** Check every prefix's options and fill in the defaults. */
export function resolvePrefixes(prefixes: readonly AnycastPrefixOptions[]): ResolvedPrefix[] {
  const seen = new Set<string>();
  if (!Array.isArray(prefixes as unknown)) throw new AnycastConfigError('prefixes', 'must be an array');
  return prefixes.map((options, i) => {
    const path = `prefixes[${i}]`;
    const { address, length } = options.prefix ?? {};
    if (!Number.isInteger(address) || address < 0 || address > 0xffffffff || !Number.isInteger(length) || length < 0 || length > 32) {
      throw new AnycastConfigError(`${path}.prefix`, 'not a prefix');
    }
    if ((address & maskFromLength(length)) >>> 0 !== address) throw new AnycastConfigError(`${path}.prefix`, `host bits set in ${formatPrefix(options.prefix)}`);
    if (!Array.isArray(options.checks as unknown)) throw new AnycastConfigError(`${path}.checks`, 'must be an array');
    const key = formatPrefix(options.prefix);
    if (seen.has(key)) throw new AnycastConfigError(`${path}.prefix`, `${key} is listed twice`);
    seen.add(key);
    const checks = options.checks.map((check, j) => resolveCheck(`${path}.checks[${j}]`, check));
    const names = new Set<string>();
    for (const [j, check] of checks.entries()) {
      if (names.has(check.name)) throw new AnycastConfigError(`${path}.checks[${j}].name`, `duplicate check name "${check.name}"`);
      names.add(check.name);
    }
    if (checks.filter((c) => c.options.kind === 'process').length > 1) {
      throw new AnycastConfigError(`${path}.checks`, 'at most one process check per prefix');
    }
    const onFailure = options.onFailure ?? 'withdraw';
    if (onFailure !== 'withdraw' && onFailure !== 'max-cost') {
      throw new AnycastConfigError(`${path}.onFailure`, `must be withdraw or max-cost, got "${String(onFailure)}"`);
    }
    const announceAs = resolveAnnounceAs(`${path}.announceAs`, options.announceAs);
    const minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    if (!Number.isInteger(minIntervalMs) || minIntervalMs < 0) {
      throw new AnycastConfigError(`${path}.minIntervalMs`, `must be a non-negative integer, got ${minIntervalMs}`);
    }
    if (options.maintenanceFile === '') throw new AnycastConfigError(`${path}.maintenanceFile`, 'empty path');
    const manageAddress = options.manageAddress ?? false;
    const removeOnWithdraw = options.removeOnWithdraw ?? false;
    if (removeOnWithdraw && !manageAddress) {
      throw new AnycastConfigError(`${path}.removeOnWithdraw`, 'needs manageAddress');
    }
    const ifName = options.interface ?? 'lo';
    if (ifName === '') throw new AnycastConfigError(`${path}.interface`, 'empty interface name');
    return { key, options, checks, onFailure, announceAs, minIntervalMs, manageAddress, removeOnWithdraw, interface: ifName };
  });
}
