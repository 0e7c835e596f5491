// The two routers the at-scale benchmark puts under test, started the same
// way in a namespace of their own with the same ospfd.conf: FRR 8 (zebra +
// ospfd) and ospf-anycastd. Each reports its process ids (for RSS) and its
// own SPF figures: FRR from `show ip ospf json`, ospf-anycastd from
// `ospf-anycast --json show ospf`.

import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chownSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NetnsLab } from '../../src/lab/netns.js';

export const FrrLibexec = '/usr/lib/frr';
const FrrRun = '/var/run/frr';
/** ospfd writes its graceful-restart record here whatever its pathspace: saved and put back by the caller. */
export const FrrGrState = join(FrrRun, 'ospfd-gr.json');
/** Bound on one vtysh command: ospfd answers it only between tasks, after an SPF run of seconds at 100,000 routers. */
const VtyshTimeoutMs = 60_000;

const here = dirname(fileURLToPath(import.meta.url));
const repoDist = join(here, '..', '..');

export interface SpfFigures {
  /** SPF runs so far. */
  runs: number;
  /** The daemon's own duration of its last SPF run, ms (what each includes: bench/README.md). */
  lastMs: number | undefined;
  /** LSAs in the area. */
  lsas: number;
}

export interface PeerUnderTest {
  readonly name: string;
  /** The processes whose RSS adds up to the router's. */
  pids(): number[];
  spf(): SpfFigures;
}

export interface PeerSetup {
  lab: NetnsLab;
  ns: string;
  /** A directory for configuration files and sockets (mode 0755). */
  dir: string;
  /** The shared ospfd.conf text. */
  config: string;
  /** Last lines the daemons wrote, for the error report. */
  output: { text: string };
  /** Called with each line a daemon writes on stdout. */
  onLine?: (line: string) => void;
}

/** Keeps the daemon's last output and hands its stdout lines to setup.onLine. */
function follow(setup: PeerSetup, child: ChildProcessWithoutNullStreams): void {
  const keep = (chunk: Buffer): void => void (setup.output.text = (setup.output.text + chunk.toString()).slice(-3000));
  child.stderr.on('data', keep);
  child.stdout.on('data', keep);
  const onLine = setup.onLine;
  if (onLine !== undefined) createInterface({ input: child.stdout }).on('line', onLine);
}

export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function idOf(flag: '-u' | '-g'): number {
  return Number(spawnSync('id', [flag, 'frr'], { encoding: 'utf8' }).stdout.trim());
}

/** Why FRR cannot run here, or undefined. */
export function frrBlocker(): string | undefined {
  for (const path of [join(FrrLibexec, 'zebra'), join(FrrLibexec, 'ospfd'), '/usr/bin/vtysh']) if (!existsSync(path)) return `${path} is missing (FRR not installed)`;
  if (spawnSync('id', ['frr']).status !== 0) return 'no user frr';
  return undefined;
}

export function frrVersion(): string {
  return spawnSync(join(FrrLibexec, 'ospfd'), ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'FRR';
}

interface FrrOspf {
  routerId?: string;
  spfLastDurationMsecs?: number;
  areas?: Record<string, { spfExecutedCounter: number; lsaNumber: number }>;
}

export interface FrrUnderTest extends PeerUnderTest {
  /** One vtysh command's output (the daemons answer between tasks: up to VtyshTimeoutMs). */
  vtysh(command: string): string;
  stop(): void;
}

/** FRR 8 zebra + ospfd, as user frr, with a pathspace of their own. */
export async function startFrr(setup: PeerSetup): Promise<FrrUnderTest> {
  const { lab, ns, dir } = setup;
  const name = ns.slice(-12);
  const runDir = join(FrrRun, name);
  const uid = idOf('-u');
  const gid = idOf('-g');
  const write = (file: string, text: string): string => {
    const path = join(dir, file);
    writeFileSync(path, text, { mode: 0o644 });
    chownSync(path, uid, gid);
    return path;
  };
  spawnSync('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', runDir]);
  const pids: number[] = [];
  const start = (daemon: string, conf: string): void => {
    const child = lab.spawn(ns, join(FrrLibexec, daemon), ['-N', name, '-f', conf, '-i', join(runDir, `${daemon}.pid`), '-P', '0']);
    if (child.pid !== undefined) pids.push(child.pid);
    follow(setup, child);
  };
  start('zebra', write('zebra.conf', 'hostname frr\n'));
  await waitFor("zebra's zserv.api", () => (existsSync(join(runDir, 'zserv.api')) ? true : undefined), 15_000, 50);
  start('ospfd', write('ospfd.conf', setup.config));
  const vtysh = (command: string): string => spawnSync('vtysh', ['-N', name, '-c', command], { encoding: 'utf8', timeout: VtyshTimeoutMs }).stdout ?? '';
  const show = (): FrrOspf => {
    try {
      return JSON.parse(vtysh('show ip ospf json')) as FrrOspf;
    } catch {
      return {};
    }
  };
  await waitFor('ospfd answering vtysh', () => show().routerId, 15_000);
  return {
    name: 'FRR',
    vtysh,
    pids: () => pids,
    spf: () => {
      const s = show();
      const area = s.areas?.['0.0.0.0'];
      return { runs: area?.spfExecutedCounter ?? 0, lastMs: s.spfLastDurationMsecs, lsas: area?.lsaNumber ?? 0 };
    },
    stop: () => rmSync(runDir, { recursive: true, force: true }),
  };
}

interface OursOspf {
  spf?: { runs: number; lastDurationUs: number | null };
  lsaCounts?: { total: number };
}

/** The V8 flags the daemon runs with, as its #! line and examples/ospf-anycastd.service give them. */
export const DaemonNodeFlags = (process.env.AT_SCALE_NODE_FLAGS ?? '--max-semi-space-size=1 --optimize-for-size').split(' ').filter((f) => f !== '');

/** ospf-anycastd from this build, as root, its control socket in `dir`. */
export async function startOurs(setup: PeerSetup): Promise<PeerUnderTest & { stop(): void }> {
  const { lab, ns, dir } = setup;
  const conf = join(dir, 'ospfd.conf');
  const socket = join(dir, 'ospf-anycastd.sock');
  writeFileSync(conf, setup.config);
  const child = lab.spawn(ns, process.execPath, [...DaemonNodeFlags, join(repoDist, 'src', 'bin', 'ospf-anycastd.js'), '-f', conf, '--socket', socket]);
  follow(setup, child);
  const show = (): OursOspf => {
    const out = spawnSync(process.execPath, [join(repoDist, 'src', 'bin', 'ospf-anycast.js'), '--socket', socket, '--json', 'show', 'ospf'], {
      encoding: 'utf8',
      timeout: VtyshTimeoutMs,
    });
    try {
      return JSON.parse(out.stdout) as OursOspf;
    } catch {
      return {};
    }
  };
  await waitFor('ospf-anycastd answering on its control socket', () => show().spf, 15_000);
  return {
    name: 'ospf-anycastd',
    pids: () => (child.pid === undefined ? [] : [child.pid]),
    spf: () => {
      const s = show();
      const us = s.spf?.lastDurationUs;
      return { runs: s.spf?.runs ?? 0, lastMs: us === null || us === undefined ? undefined : us / 1000, lsas: s.lsaCounts?.total ?? 0 };
    },
    stop: () => undefined,
  };
}

/** Resident set size of a process, bytes (VmRSS); 0 once it is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}
