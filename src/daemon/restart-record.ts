// The record of a planned graceful restart (RFC 3623 2.1), kept in the
// daemon's run directory next to the proxy records, so that the next start
// knows it follows a graceful restart and until when its neighbours help:
//
//   graceful-restart.json  { at, gracePeriod, until }   (epoch ms, seconds, epoch ms)
//
// The next start takes it (reads and removes it): a record serves one start
// only, and a crash after it is a plain restart again.

import { join } from 'node:path';
import { readText, removeRecord, writeRecord } from '../anycast/proxy-record.js';
import type { Logger } from './logger.js';

export interface RestartRecord {
  /** When the grace-LSAs went out, epoch ms. */
  at: number;
  /** The grace period they asked for, seconds (1..1800). */
  gracePeriod: number;
  /** The end of the grace period, epoch ms: at + gracePeriod s. */
  until: number;
}

export type RestartLookup = { kind: 'none' } | { kind: 'corrupt'; reason: string } | { kind: 'found'; record: RestartRecord };

export function restartRecordPath(directory: string): string {
  return join(directory, 'graceful-restart.json');
}

export function writeRestartRecord(directory: string, record: RestartRecord): void {
  writeRecord(restartRecordPath(directory), record);
}

/** Reads and removes the record; never throws. A record from the future or with an impossible period is corrupt. */
export function takeRestartRecord(directory: string, now: number): RestartLookup {
  const path = restartRecordPath(directory);
  const text = readText(path, path);
  if (typeof text !== 'string') return text;
  try {
    removeRecord(path);
  } catch (err) {
    return { kind: 'corrupt', reason: `cannot remove ${path}: ${err instanceof Error ? err.message : String(err)}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'corrupt', reason: `${path} is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const r = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { at, gracePeriod, until } = r;
  if (typeof at !== 'number' || !Number.isFinite(at) || at > now + 60_000) return { kind: 'corrupt', reason: `${path}: "at" is not a past time` };
  if (typeof gracePeriod !== 'number' || !Number.isInteger(gracePeriod) || gracePeriod < 1 || gracePeriod > 1800) {
    return { kind: 'corrupt', reason: `${path}: "gracePeriod" is not 1..1800 seconds` };
  }
  if (until !== at + gracePeriod * 1000) return { kind: 'corrupt', reason: `${path}: "until" is not at + gracePeriod` };
  return { kind: 'found', record: { at, gracePeriod, until } };
}

/**
 * The record of the planned restart this start follows, when its grace
 * period still runs; taken (removed) whatever it holds. A corrupt or
 * expired record is said in the log and the start is a normal one.
 */
export function restartToFollow(directory: string, logger: Logger): RestartRecord | undefined {
  const now = Date.now();
  const lookup = takeRestartRecord(directory, now);
  if (lookup.kind === 'none') return undefined;
  if (lookup.kind === 'corrupt') {
    logger.warning(`graceful restart record ignored, starting normally: ${lookup.reason}`);
    return undefined;
  }
  const until = new Date(lookup.record.until).toISOString();
  if (lookup.record.until <= now) {
    logger.notice(`graceful restart: the grace period ended at ${until}, starting normally`);
    return undefined;
  }
  logger.notice(`graceful restart: restarting within the grace period, which ends at ${until}`, { gracePeriod: lookup.record.gracePeriod });
  return lookup.record;
}
