// What every router process of the interop labs shares: running a command,
// a long-running process in a namespace with its output kept, the lab a
// router runs in as the routers see it, and the shapes every router's state
// is read in (neighbors, LSA instances).
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { NetnsLab } from './netns.js';
import { WaitAborted, sleep } from './wait.js';

export const COMMAND_TIMEOUT_MS = 10_000;
/** How much of a process's output is kept for failure messages. */
const OUTPUT_KEPT = 64 * 1024;

/** Run a command (in the root namespace) and return its stdout; throws on failure. */
export function run(cmd: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): string {
  // vtysh's JSON for a large LSDB or routing table runs to megabytes: no cap below what memory allows.
  const result = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 30 });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : (result.stderr ?? '').trim();
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status ?? 'timeout'}): ${why}`);
  }
  return result.stdout ?? '';
}

/** A long-running router process in a namespace, with its output kept. */
export class PeerProcess {
  readonly exited: Promise<string>;
  private text = '';

  constructor(
    readonly label: string,
    readonly child: ChildProcessWithoutNullStreams,
  ) {
    const keep = (chunk: Buffer): void => {
      this.text = (this.text + chunk.toString()).slice(-OUTPUT_KEPT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`));
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote (the last 64 KB), stdout and stderr interleaved. */
  output(): string {
    return this.text;
  }

  /** Send `signal` and wait for the exit; returns how it ended. Kills it if it outlives `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<string> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const ended = await Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)]);
    if (ended !== undefined) return ended;
    this.child.kill('SIGKILL');
    await this.exited;
    throw new Error(`${this.label} did not exit within ${timeoutMs} ms of ${signal}; output:\n${tail(this.text)}`);
  }
}

/** For waitFor probes: true while the process runs, WaitAborted once it has ended. */
export function alive(process: PeerProcess): true {
  if (!process.running) throw new WaitAborted(`${process.label} ended (${process.child.exitCode ?? process.child.signalCode})`);
  return true;
}

export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** What a router needs of the lab it runs in: its namespaces. */
export interface LabHost {
  readonly net: NetnsLab;
}

export interface LabPeer {
  label: string;
  stopAll(): Promise<void>;
  report(): Promise<string>;
}


/** A neighbor as a peer sees it, in one shape for FRR, BIRD and ospf-anycastd. */
export interface NeighborView {
  routerId: string;
  /** "Full", "2-Way", "Init", … */
  state: string;
  /** The neighbor's role on the segment: "DR", "Backup", "DROther", or "" on point-to-point links. */
  role: string;
  address: string;
  ifName: string;
}

/** One LSA instance as the three implementations list it; seq is 8 lowercase hex digits. */
export interface LsaKey {
  type: number;
  lsId: string;
  advRouter: string;
  seq: string;
}

/** A database listing reduced to LsaKey fields in a stable order, for comparing two routers' LSDBs. */
export function sortLsas(lsas: LsaKey[]): LsaKey[] {
  const key = (l: LsaKey): string => `${l.type} ${l.lsId} ${l.advRouter}`;
  return lsas.map(({ type, lsId, advRouter, seq }) => ({ type, lsId, advRouter, seq })).sort((a, b) => key(a).localeCompare(key(b)));
}

export const normalSeq = (seq: string): string => seq.replace(/^0x/i, '').toLowerCase().padStart(8, '0');

