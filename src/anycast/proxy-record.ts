// The record a supervisor keeps of a proxy it started, so that the next
// daemon can find the proxy again after a restart or a crash and adopt it
// instead of starting a second one. One JSON file per proxy in the daemon's
// run directory:
//
//   proxy-<key>.json  { pid, pgid, startTime, command, output }
//
// A pid alone is no identity: after the proxy's death the kernel may give its
// number to another process. The start time (field 22 of /proc/PID/stat,
// clock ticks since boot) is fixed for a process's life, so pid + start time
// names one process; the command line must still be the recorded one.

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameStrings } from './compare.js';

export interface ProxyRecord {
  pid: number;
  /** The proxy leads its own process group and session: pgid = pid. */
  pgid: number;
  /** /proc/PID/stat field 22: clock ticks from boot to the process's start. */
  startTime: string;
  /** argv as started (no shell): compared with /proc/PID/cmdline. */
  command: string[];
  /** The FIFOs the proxy's stdout and stderr are attached to. */
  output: { stdout: string; stderr: string };
  /** Epoch milliseconds of the start, for the log. */
  startedAt: number;
}

/** What reading a record found. */
export type RecordLookup =
  | { kind: 'none' }
  /** Unreadable or not a record: the reason names the file and what is wrong. */
  | { kind: 'corrupt'; reason: string }
  /** A record whose process is gone, or whose pid now belongs to another process. */
  | { kind: 'stale'; record: ProxyRecord; reason: string }
  /** The recorded proxy is still running. */
  | { kind: 'alive'; record: ProxyRecord };

/** The file names of one proxy's record and output FIFOs, from what identifies it (command, directory, environment). */
export function recordPaths(directory: string, identity: string): { record: string; stdout: string; stderr: string } {
  const key = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const base = join(directory, `proxy-${key}`);
  return { record: `${base}.json`, stdout: `${base}.out`, stderr: `${base}.err` };
}

/** A process as /proc shows it now; undefined when there is none or it is a zombie (dead, not yet reaped). */
export function procInfo(pid: number): { startTime: string; cmdline: string[]; pgrp: number } | undefined {
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  // "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses, so fields count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || state === 'Z' || state === 'X') return undefined;
  return { startTime, cmdline: cmdline.split('\0').slice(0, -1), pgrp: Number(fields[2]) };
}

/** Whether the process the record names is still that process: same pid, start time and command line. */
export function checkRecord(record: ProxyRecord): RecordLookup {
  const now = procInfo(record.pid);
  if (now === undefined) return { kind: 'stale', record, reason: `process ${record.pid} is gone` };
  if (now.startTime !== record.startTime) {
    return { kind: 'stale', record, reason: `pid ${record.pid} now belongs to another process (started at tick ${now.startTime}, the proxy at ${record.startTime})` };
  }
  if (!sameStrings(now.cmdline, record.command)) {
    return { kind: 'stale', record, reason: `process ${record.pid} runs "${now.cmdline.join(' ')}", not the recorded "${record.command.join(' ')}"` };
  }
  return { kind: 'alive', record };
}

/**
 * A proxy named by its own pidfile (Kamailio's and OpenSIPS's -P), for one
 * the daemon has no record of: the process must run `command`. Without a
 * start time on file, the command line is what tells a reused pid apart.
 */
export function readPidfile(path: string, command: readonly string[], output: ProxyRecord['output']): RecordLookup {
  const text = readText(path, `the pidfile ${path}`);
  if (typeof text !== 'string') return text;
  const pid = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || pid <= 1 || pid > 4_194_304) return { kind: 'corrupt', reason: `the pidfile ${path} holds no process id: ${JSON.stringify(text.slice(0, 40))}` };
  const now = procInfo(pid);
  const record: ProxyRecord = { pid, pgid: now?.pgrp ?? pid, startTime: now?.startTime ?? '0', command: [...command], output, startedAt: Date.now() };
  return checkRecord(record);
}

/** A file's text; no file is no record, any other failure a corrupt one naming `what`. */
/** A small file's text; its absence, or why it cannot be read, as a lookup result. */
export function readText(path: string, what: string): string | Extract<RecordLookup, { kind: 'none' | 'corrupt' }> {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'none' };
    return { kind: 'corrupt', reason: `cannot read ${what}: ${code ?? String(err)}` };
  }
}

/** Reads and checks a record file; never throws. */
export function readRecord(path: string): RecordLookup {
  const text = readText(path, path);
  if (typeof text !== 'string') return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'corrupt', reason: `${path} is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const problem = recordProblem(value);
  if (problem !== undefined) return { kind: 'corrupt', reason: `${path} is not a proxy record: ${problem}` };
  return checkRecord(value as ProxyRecord);
}

/** What makes a parsed value not a ProxyRecord, if anything. */
function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const r = value as Record<string, unknown>;
  const pid = (name: string): string | undefined =>
    Number.isInteger(r[name]) && (r[name] as number) > 1 && (r[name] as number) <= 4_194_304 ? undefined : `${name} is not a process id`;
  const output = r.output as Record<string, unknown> | undefined;
  return (
    pid('pid') ??
    pid('pgid') ??
    (typeof r.startTime === 'string' && /^\d+$/.test(r.startTime) ? undefined : 'startTime is not a tick count') ??
    (Array.isArray(r.command) && r.command.length > 0 && r.command.every((a) => typeof a === 'string') ? undefined : 'command is not a list of strings') ??
    (typeof output === 'object' && output !== null && typeof output.stdout === 'string' && typeof output.stderr === 'string' ? undefined : 'output is not two paths') ??
    (typeof r.startedAt === 'number' ? undefined : 'startedAt is not a time')
  );
}

/** Writes a record (this file's, or another small JSON record) atomically: a reader sees the old file or the new one, never half of one. */
export function writeRecord(path: string, record: object): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function removeRecord(path: string): void {
  rmSync(path, { force: true });
}
