// Waiting on announcer events with a deadline, and /proc probes of processes, for the tests.

import { readdirSync, readFileSync } from 'node:fs';
import type { AnnouncerEvents } from '../../src/anycast/announcer-api.js';
import type { Announcer } from '../../src/anycast/announcer.js';

/** Resolves with the first announcer event that satisfies the predicate; rejects after timeoutMs. */
export function nextEvent<K extends keyof AnnouncerEvents>(
  announcer: Announcer,
  event: K,
  predicate: (arg: Parameters<AnnouncerEvents[K]>[0]) => boolean,
  timeoutMs: number,
): Promise<Parameters<AnnouncerEvents[K]>[0]> {
  type Arg = Parameters<AnnouncerEvents[K]>[0];
  // eventemitter3's mapped listener type does not narrow through a generic key.
  const emitter = announcer as unknown as { on(e: string, fn: (arg: Arg) => void): void; off(e: string, fn: (arg: Arg) => void): void };
  return new Promise((resolve, reject) => {
    const listener = (arg: Arg): void => {
      if (!predicate(arg)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(arg);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no matching '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}

/** A file of /proc/PID/, or undefined once the process is gone. */
function procFile(pid: number | string, name: 'stat' | 'status'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** /proc/PID/stat's fields after "(comm)": state ppid pgrp … */
function statFields(pid: number | string): string[] | undefined {
  const stat = procFile(pid, 'stat');
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** True while the process exists and is not a zombie (killed but not yet reaped). */
export function isAlive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** True while a SIGKILL is pending for the process, from /proc/PID/status (ShdPnd: bit 9 is SIGKILL). */
export function killPending(pid: number): boolean {
  const pending = /^(?:ShdPnd|SigPnd):\s*([0-9a-f]+)$/gm;
  for (const m of (procFile(pid, 'status') ?? '').matchAll(pending)) {
    if ((BigInt(`0x${m[1] as string}`) >> 8n) & 1n) return true;
  }
  return false;
}

/** Live members of a process group, from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields !== undefined && Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members.sort((a, b) => a - b);
}
