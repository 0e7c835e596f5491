// Routers for the interop tests: FRR (zebra + ospfd), BIRD and ospf-anycastd
// started inside the namespaces of a NetnsLab from configuration text, their
// output kept for failure messages; readers for each one's view of OSPF and
// for kernel routes; polling with a deadline comes from wait.ts.
//
//   const lab = new InteropLab('seed');
//   const r = lab.namespace('r'), n1 = lab.namespace('n1');
//   lab.segment('lan', [{ ns: r, ifName: 'lan0', cidr: '10.205.205.254/24' }, …]);
//   const frr = lab.frr(r, 'r', 'router ospf\n …'); await frr.start();
//   const node = lab.anycastd(n1, 'n1', 'interface lan0\n …'); await node.start();
//   await waitFor('three next hops', () => lab.gateways(r, '10.206.206.1/32').length === 3, { timeoutMs: 30_000 });
//   …
//   await lab.teardown();      // afterAll; the process exit hook covers a crash
//
// The gate follows namespaceGate and peerGate (gates.ts): without root,
// namespaces or the peers, the tests skip with a printed reason, except under
// CI=true where they fail.

import { execFile, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '../../src/control/protocol.js';
import type { DatabaseRowView, InterfaceRowView, NeighborRowView, OspfSummaryView, RouteRowView } from '../../src/control/views.js';
import { missing, peerGate } from './gates.js';
import { NetnsLab, namespaceGate } from './netns.js';
import { WaitAborted, sleep, waitFor } from './wait.js';

export type { DatabaseRowView, InterfaceRowView, NeighborRowView, OspfSummaryView, RouteRowView };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The daemon and the CLI as built into dist/ by the tests' global setup. */
export const DAEMON_BIN = join(repoRoot, 'dist/src/bin/ospf-anycastd.js');
export const CLI_BIN = join(repoRoot, 'dist/src/bin/ospf-anycast.js');

const FRR_LIBEXEC = '/usr/lib/frr';
const FRR_RUN = '/var/run/frr';
/** ospfd keeps graceful-restart records here whatever its pathspace (-N). */
const FRR_GR_STATE = join(FRR_RUN, 'ospfd-gr.json');
const BIRD_BIN = '/usr/sbin/bird';
const COMMAND_TIMEOUT_MS = 10_000;
/** How much of a process's output is kept for failure messages. */
const OUTPUT_KEPT = 64 * 1024;

export type Peer = 'frr' | 'bird';

const peerTools: Record<Peer, string[]> = {
  frr: [join(FRR_LIBEXEC, 'zebra'), join(FRR_LIBEXEC, 'ospfd'), '/usr/bin/vtysh'],
  bird: [BIRD_BIN, '/usr/sbin/birdc'],
};

/**
 * Decide whether an interop suite runs: namespaces as namespaceGate, and the
 * peers it needs installed as peerGate (a missing one fails under CI=true).
 */
export function interopGate(what: string, peers: readonly Peer[]): { skip: boolean; reason?: string } {
  const ns = namespaceGate(what);
  if (ns.skip) return ns;
  const gate = peerGate(what, missing(peers.flatMap((p) => peerTools[p])));
  return gate.skip ? gate : ns;
}

/** Run a command (in the root namespace) and return its stdout; throws on failure. */
function run(cmd: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): string {
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
function alive(process: PeerProcess): true {
  if (!process.running) throw new WaitAborted(`${process.label} ended (${process.child.exitCode ?? process.child.signalCode})`);
  return true;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** One end of a link: an interface in a namespace and its address. */
export interface LinkEnd {
  ns: string;
  ifName: string;
  cidr: string;
}

/** A route as `ip -j route show` prints it. */
export interface KernelRoute {
  dst: string;
  protocol: string;
  metric?: number;
  gateway?: string;
  dev?: string;
  nexthops?: { gateway: string; dev: string }[];
}

interface LabPeer {
  label: string;
  stopAll(): Promise<void>;
  report(): Promise<string>;
}

// Per-process bookkeeping of what lives outside the namespaces: FRR run
// directories, the shared graceful-restart file, the labs' work directories.
const liveLabs = new Set<InteropLab>();
/** The graceful-restart file as it was before the first FRR of this process (null: absent). */
let grSaved: { text: string | null } | undefined;
let exitHookInstalled = false;

function saveGrState(): void {
  grSaved ??= { text: existsSync(FRR_GR_STATE) ? readFileSync(FRR_GR_STATE, 'utf8') : null };
}

/** Put the graceful-restart file back once the last lab of this process is gone. */
function restoreGrState(): void {
  if (grSaved === undefined || liveLabs.size > 0) return;
  if (grSaved.text === null) rmSync(FRR_GR_STATE, { force: true });
  else writeFileSync(FRR_GR_STATE, grSaved.text);
  grSaved = undefined;
}

/**
 * A NetnsLab plus the routers running in it and the files they need. Every
 * router started through it is stopped at teardown, which also runs from the
 * process exit hook.
 */
export class InteropLab {
  readonly net: NetnsLab;
  /** Work directory: configuration files, sockets; readable by FRR's user. */
  readonly dir: string;
  private readonly peers: LabPeer[] = [];
  private readonly frrRunDirs: string[] = [];
  private torn = false;

  constructor(label: string) {
    this.net = new NetnsLab(label);
    this.dir = mkdtempSync(join('/tmp', `${this.net.prefix}-`));
    chmodSync(this.dir, 0o755);
    liveLabs.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const lab of liveLabs) lab.removeFiles();
      });
    }
  }

  /** A namespace with loopback up, reverse-path filtering and IPv6 off. */
  namespace(short: string): string {
    const ns = this.net.namespace(short);
    this.net.exec(ns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    return ns;
  }

  /** A veth pair between two namespaces, addressed and up; created in place, never in the root namespace. */
  link(a: LinkEnd, b: LinkEnd): void {
    run('ip', ['-n', a.ns, 'link', 'add', a.ifName, 'type', 'veth', 'peer', 'name', b.ifName, 'netns', b.ns]);
    for (const end of [a, b]) {
      this.net.address(end.ns, end.ifName, end.cidr);
      this.net.up(end.ns, end.ifName);
    }
  }

  /**
   * A broadcast segment: a bridge in a namespace of its own, one veth per
   * member. Returns the bridge's namespace (its ports are p0, p1, … in order).
   */
  segment(short: string, members: LinkEnd[]): string {
    const sw = this.net.namespace(short);
    run('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
    this.net.up(sw, 'br0');
    members.forEach((m, i) => {
      run('ip', ['-n', m.ns, 'link', 'add', m.ifName, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw]);
      run('ip', ['-n', sw, 'link', 'set', `p${i}`, 'master', 'br0', 'up']);
      this.net.address(m.ns, m.ifName, m.cidr);
      this.net.up(m.ns, m.ifName);
    });
    return sw;
  }

  /** A network with no neighbour on it (a client subnet): a veth pair with both ends in `ns`. */
  stubNetwork(ns: string, ifName: string, cidr: string): void {
    run('ip', ['-n', ns, 'link', 'add', ifName, 'type', 'veth', 'peer', 'name', `${ifName}p`]);
    this.net.up(ns, `${ifName}p`);
    this.net.address(ns, ifName, cidr);
    this.net.up(ns, ifName);
  }

  /** An address on the namespace's loopback (router id, anycast address). */
  loopback(ns: string, cidr: string): void {
    this.net.address(ns, 'lo', cidr);
  }

  /**
   * A dummy interface in `ns` (the other usual home of an anycast address),
   * addressed and up. A kernel built without the dummy driver gets a bridge
   * without ports instead, which behaves alike: broadcast, carrier up, no
   * neighbour, not a loopback.
   */
  dummy(ns: string, ifName: string, cidr: string): void {
    const made = this.net.execResult(ns, 'ip', ['link', 'add', ifName, 'type', 'dummy']);
    if (made.status !== 0) {
      console.info(`${ifName}: the kernel refused a dummy interface (${made.stderr.trim()}); a bridge without ports stands in`);
      this.net.exec(ns, 'ip', ['link', 'add', ifName, 'type', 'bridge']);
    }
    this.net.address(ns, ifName, cidr);
    this.net.up(ns, ifName);
  }

  /** The routes to exactly `prefix` in the main table of `ns`. */
  routes(ns: string, prefix: string): KernelRoute[] {
    return this.net.ipJson<KernelRoute[]>(ns, ['route', 'show', 'exact', prefix]);
  }

  /** Every route in the main table of `ns` installed by `protocol` (`ospf` = 188). */
  routesBy(ns: string, protocol: string): KernelRoute[] {
    return this.net.ipJson<KernelRoute[]>(ns, ['route', 'show', 'proto', protocol]).map((r) => ({ ...r, protocol }));
  }

  /** Sorted gateways of the route to `prefix` installed by `protocol`; [] when there is none. */
  gateways(ns: string, prefix: string, protocol: string): string[] {
    const route = this.routes(ns, prefix).find((r) => r.protocol === protocol);
    if (route === undefined) return [];
    const hops = route.nexthops?.map((h) => h.gateway) ?? (route.gateway === undefined ? [] : [route.gateway]);
    return hops.sort();
  }

  frr(ns: string, label: string, ospfdConf: string): FrrRouter {
    const dir = this.peerDir(label);
    chownSync(dir, frrUid().uid, frrUid().gid);
    const router = new FrrRouter(this, ns, label, dir, `${this.net.tag}${label}`, ospfdConf);
    this.frrRunDirs.push(router.runDir);
    saveGrState();
    this.peers.push(router);
    return router;
  }

  bird(ns: string, label: string, conf: string): BirdRouter {
    const router = new BirdRouter(this, ns, label, this.peerDir(label), conf);
    this.peers.push(router);
    return router;
  }

  anycastd(ns: string, label: string, conf: string): AnycastDaemon {
    const daemon = new AnycastDaemon(this, ns, label, this.peerDir(label), conf);
    this.peers.push(daemon);
    return daemon;
  }

  /** Each router's state and recent output, for failure messages. */
  async report(): Promise<string> {
    const parts: string[] = [];
    for (const peer of this.peers) parts.push(`==== ${peer.label}\n${await peer.report()}`);
    return parts.join('\n');
  }

  private peerDir(label: string): string {
    const dir = join(this.dir, label);
    mkdirSync(dir, { mode: 0o755 });
    return dir;
  }

  /** Stop every router (SIGTERM, then SIGKILL), delete the namespaces and the files. */
  async teardown(): Promise<void> {
    if (this.torn) return;
    this.torn = true;
    await Promise.all(this.peers.map((p) => p.stopAll().catch(() => undefined)));
    await this.net.teardown();
    this.removeFiles();
  }

  private removeFiles(): void {
    liveLabs.delete(this);
    for (const dir of this.frrRunDirs) rmSync(dir, { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
    restoreGrState();
  }
}

let frrIds: { uid: number; gid: number } | undefined;
function frrUid(): { uid: number; gid: number } {
  frrIds ??= { uid: Number(run('id', ['-u', 'frr']).trim()), gid: Number(run('id', ['-g', 'frr']).trim()) };
  return frrIds;
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

const normalSeq = (seq: string): string => seq.replace(/^0x/i, '').toLowerCase().padStart(8, '0');

/** The FRR ospfd figures the tests read from `show ip ospf json`. */
export interface FrrOspf {
  routerId: string;
  spfLastExecutedMsecs?: number;
  spfLastDurationMsecs?: number;
  spfScheduleDelayMsecs: number;
  holdtimeMinMsecs: number;
  holdtimeMaxMsecs: number;
  areas: Record<string, { nbrFullAdjacentCounter: number; spfExecutedCounter: number; lsaNumber: number; lsaRouterNumber: number; lsaNetworkNumber: number }>;
  lsaExternalCounter: number;
}

export interface FrrInterface {
  ifUp: boolean;
  state: string;
  cost: number;
  drId?: string;
  drAddress?: string;
  bdrId?: string;
  bdrAddress?: string;
  nbrCount: number;
  nbrAdjacentCount: number;
}

/** FRR: one zebra and one ospfd, in pathspace `name` (`-N`), run directory /var/run/frr/NAME. */
export class FrrRouter implements LabPeer {
  readonly runDir: string;
  private zebra: PeerProcess | undefined;
  private ospfd: PeerProcess | undefined;
  private readonly confPath: string;

  constructor(
    private readonly lab: InteropLab,
    readonly ns: string,
    readonly label: string,
    private readonly dir: string,
    readonly name: string,
    ospfdConf: string,
  ) {
    this.runDir = join(FRR_RUN, name);
    this.confPath = join(dir, 'ospfd.conf');
    this.writeFile('zebra.conf', `hostname ${label}\n`);
    this.writeFile('ospfd.conf', `hostname ${label}\nlog stdout informational\n${ospfdConf}`);
  }

  private writeFile(file: string, text: string): void {
    const path = join(this.dir, file);
    writeFileSync(path, text, { mode: 0o644 });
    chownSync(path, frrUid().uid, frrUid().gid);
  }

  /** Start zebra (once) and ospfd; resolves when ospfd answers vtysh. */
  async start(timeoutMs = 15_000): Promise<void> {
    if (this.zebra === undefined || !this.zebra.running) {
      // ospfd writes to /var/run/frr itself (the restart record): it must belong to frr, as the package has it.
      if (!existsSync(FRR_RUN)) run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', FRR_RUN]);
      run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', this.runDir]);
      const zebra = this.spawn('zebra', join(this.dir, 'zebra.conf'));
      this.zebra = zebra;
      await waitFor(`${this.label} zebra's zserv.api`, () => alive(zebra) && existsSync(join(this.runDir, 'zserv.api')), {
        timeoutMs,
        intervalMs: 50,
        detail: () => this.report(),
      });
    }
    const ospfd = this.spawn('ospfd', this.confPath);
    this.ospfd = ospfd;
    await waitFor(`${this.label} ospfd answering vtysh`, () => alive(ospfd) && this.json<FrrOspf>('show ip ospf json').routerId !== undefined, {
      timeoutMs,
      intervalMs: 100,
      detail: () => this.report(),
    });
  }

  private spawn(daemon: 'zebra' | 'ospfd', conf: string): PeerProcess {
    const args = ['-N', this.name, '-f', conf, '-i', join(this.runDir, `${daemon}.pid`), '-P', '0'];
    return new PeerProcess(`${this.label} ${daemon}`, this.lab.net.spawn(this.ns, join(FRR_LIBEXEC, daemon), args));
  }

  /** Stop ospfd (zebra stays, and withdraws ospfd's routes as it goes). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<string> {
    if (this.ospfd === undefined) throw new Error(`${this.label}: ospfd was never started`);
    return this.ospfd.stop(signal);
  }

  async stopAll(): Promise<void> {
    await this.ospfd?.stop('SIGTERM');
    await this.zebra?.stop('SIGTERM');
  }

  /** A vtysh command's output; `timeoutMs` for the long answers of large LSDBs (ospfd answers only between SPF runs). */
  vtysh(command: string, timeoutMs = COMMAND_TIMEOUT_MS): string {
    // vtysh warns on stderr that /etc/frr/NAME/vtysh.conf is missing; that file is optional.
    return run('vtysh', ['-N', this.name, '-c', command], timeoutMs);
  }

  json<T>(command: string, timeoutMs = COMMAND_TIMEOUT_MS): T {
    return JSON.parse(this.vtysh(command, timeoutMs)) as T;
  }

  ospf(): FrrOspf {
    return this.json<FrrOspf>('show ip ospf json');
  }

  interfaces(): Record<string, FrrInterface> {
    return this.json<{ interfaces: Record<string, FrrInterface> }>('show ip ospf interface json').interfaces;
  }

  /** `show ip ospf database json`: area 0's LSAs and the AS-external ones, with their age in seconds. */
  lsdb(timeoutMs = COMMAND_TIMEOUT_MS): (LsaKey & { age: number })[] {
    type Row = { lsId: string; advertisedRouter: string; sequenceNumber: string; lsaAge: number };
    const db = this.json<{ areas: Record<string, Record<string, Row[] | number>>; asExternalLinkStates?: Row[] }>('show ip ospf database json', timeoutMs);
    const lists: [number, Row[] | number | undefined][] = [];
    for (const area of Object.values(db.areas)) {
      lists.push([1, area.routerLinkStates], [2, area.networkLinkStates], [3, area.summaryLinkStates], [4, area.asbrSummaryLinkStates]);
    }
    lists.push([5, db.asExternalLinkStates]);
    return lists.flatMap(([type, rows]) =>
      Array.isArray(rows) ? rows.map((r) => ({ type, lsId: r.lsId, advRouter: r.advertisedRouter, seq: normalSeq(r.sequenceNumber), age: r.lsaAge })) : [],
    );
  }

  neighbors(): NeighborView[] {
    type Row = { nbrState: string; role?: string; address: string; ifaceName: string };
    const { neighbors } = this.json<{ neighbors: Record<string, Row[]> }>('show ip ospf neighbor json');
    return Object.entries(neighbors).flatMap(([routerId, rows]) =>
      rows.map((row) => {
        const [state, role = ''] = row.nbrState.split('/');
        return { routerId, state: state as string, role: role === 'DROther' || role === 'Backup' || role === 'DR' ? role : '', address: row.address, ifName: row.ifaceName.split(':')[0] as string };
      }),
    );
  }

  async report(): Promise<string> {
    let state: string;
    try {
      state = this.vtysh('show ip ospf neighbor') + this.vtysh('show ip ospf route') + this.vtysh('show ip ospf database');
    } catch (err) {
      state = `(vtysh: ${err instanceof Error ? err.message : String(err)})`;
    }
    return `${state}\n-- ospfd output:\n${tail(this.ospfd?.output() ?? '')}\n-- zebra output:\n${tail(this.zebra?.output() ?? '', 10)}`;
  }
}

/** BIRD 2, in the foreground, with its own control socket. */
export class BirdRouter implements LabPeer {
  private process: PeerProcess | undefined;
  private readonly confPath: string;
  readonly socket: string;

  constructor(
    private readonly lab: InteropLab,
    readonly ns: string,
    readonly label: string,
    private readonly dir: string,
    conf: string,
  ) {
    this.confPath = join(dir, 'bird.conf');
    this.socket = join(dir, 'bird.ctl');
    writeFileSync(this.confPath, `log stderr all;\n${conf}`);
  }

  /**
   * Start BIRD; resolves when it answers on its control socket. `recovery`:
   * after `birdc graceful restart`, BIRD's `-R` (graceful restart recovery).
   */
  async start(timeoutMs = 15_000, recovery = false): Promise<void> {
    const args = ['-f', '-c', this.confPath, '-s', this.socket, '-P', join(this.dir, 'bird.pid'), ...(recovery ? ['-R'] : [])];
    const bird = new PeerProcess(`${this.label} bird`, this.lab.net.spawn(this.ns, BIRD_BIN, args));
    this.process = bird;
    await waitFor(`${this.label} BIRD answering birdc`, () => alive(bird) && this.birdc('show status').includes('Daemon is up'), {
      timeoutMs,
      intervalMs: 100,
      detail: () => this.report(),
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<string> {
    if (this.process === undefined) throw new Error(`${this.label}: BIRD was never started`);
    return this.process.stop(signal);
  }

  async stopAll(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }

  birdc(command: string): string {
    return run('birdc', ['-s', this.socket, ...command.split(' ')]);
  }

  /** `show ospf neighbors`: "Router ID  Pri  State  DTime  Interface  Router IP" rows. */
  neighbors(): NeighborView[] {
    const rows: NeighborView[] = [];
    for (const line of this.birdc('show ospf neighbors').split('\n')) {
      const m = /^(\d+\.\d+\.\d+\.\d+)\s+\d+\s+([^/\s]+)\/(\S+)\s+[\d.]+\s+(\S+)\s+(\S+)/.exec(line.trim());
      if (m === null) continue;
      const role = { DR: 'DR', BDR: 'Backup', Other: 'DROther' }[m[3] as string] ?? '';
      rows.push({ routerId: m[1] as string, state: m[2] as string, role, ifName: m[4] as string, address: m[5] as string });
    }
    return rows;
  }

  /** `show ospf lsadb`: " Type   LS ID   Router   Sequence   Age  Checksum" rows. */
  lsdb(): (LsaKey & { age: number })[] {
    const rows: (LsaKey & { age: number })[] = [];
    for (const line of this.birdc('show ospf lsadb').split('\n')) {
      const m = /^\s*([0-9a-f]{4})\s+(\S+)\s+(\S+)\s+([0-9a-f]{8})\s+(\d+)\s+[0-9a-f]{4}\s*$/.exec(line);
      if (m !== null) rows.push({ type: parseInt(m[1] as string, 16), lsId: m[2] as string, advRouter: m[3] as string, seq: m[4] as string, age: Number(m[5]) });
    }
    return rows;
  }

  /** The OSPF state of one interface: "DR", "Backup", "DROther", "Waiting", "PtP", … */
  interfaceState(ifName: string): string {
    const text = this.birdc(`show ospf interface "${ifName}"`);
    return /^\s*State:\s+(\S+)/m.exec(text)?.[1] ?? 'absent';
  }

  /** What BIRD logged so far (`log stderr all`; its `debug` traces too). */
  output(): string {
    return this.process?.output() ?? '';
  }

  async report(): Promise<string> {
    let state: string;
    try {
      state = this.birdc('show ospf neighbors') + this.birdc('show route');
    } catch (err) {
      state = `(birdc: ${err instanceof Error ? err.message : String(err)})`;
    }
    return `${state}\n-- bird output:\n${tail(this.process?.output() ?? '')}`;
  }
}

/**
 * ospf-anycastd from dist/, its configuration in a file the tests may rewrite.
 * Queries go straight to the control socket (what `ospf-anycast --json`
 * prints); cli() runs the real CLI binary.
 */
export class AnycastDaemon implements LabPeer {
  readonly confPath: string;
  readonly socket: string;
  private process: PeerProcess | undefined;

  constructor(
    private readonly lab: InteropLab,
    readonly ns: string,
    readonly label: string,
    dir: string,
    conf: string,
  ) {
    this.confPath = join(dir, 'ospf-anycastd.conf');
    this.socket = join(dir, 'ospf-anycastd.sock');
    this.writeConfig(conf);
  }

  writeConfig(conf: string): void {
    writeFileSync(this.confPath, `hostname ${this.label}\nlog stdout informational\n${conf}`);
  }

  /** Start the daemon; resolves when it answers `show ospf` on its control socket. */
  async start(timeoutMs = 20_000): Promise<void> {
    const args = [DAEMON_BIN, '-f', this.confPath, '--socket', this.socket];
    this.process = new PeerProcess(`${this.label} ospf-anycastd`, this.lab.net.spawn(this.ns, process.execPath, args));
    await waitFor(
      `${this.label} ospf-anycastd answering on ${this.socket}`,
      async () => {
        if (!this.running) throw new WaitAborted(`ospf-anycastd ended (${await this.process?.exited})`);
        return (await this.ospf()).routerId !== undefined;
      },
      { timeoutMs, intervalMs: 100, detail: () => this.report() },
    );
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** The daemon's process id (the `ip netns exec` process execs node). */
  get pid(): number {
    const pid = this.process?.child.pid;
    if (pid === undefined) throw new Error(`${this.label}: ospf-anycastd was never started`);
    return pid;
  }

  /** Re-read the configuration file, as an operator would: SIGHUP. */
  reload(): void {
    process.kill(this.pid, 'SIGHUP');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<string> {
    if (this.process === undefined) throw new Error(`${this.label}: ospf-anycastd was never started`);
    return this.process.stop(signal, timeoutMs);
  }

  async stopAll(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }

  output(): string {
    return this.process?.output() ?? '';
  }

  /** `ospf-anycast --socket SOCK --json ARGS…`, parsed. */
  cli<T>(...args: string[]): Promise<T> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [CLI_BIN, '--socket', this.socket, '--json', ...args], { timeout: COMMAND_TIMEOUT_MS }, (err, stdout, stderr) => {
        if (err) reject(new Error(`ospf-anycast ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else {
          try {
            resolve(JSON.parse(stdout) as T);
          } catch {
            reject(new Error(`ospf-anycast ${args.join(' ')} printed no JSON: ${stdout.slice(0, 500)}`));
          }
        }
      });
    });
  }

  /** A `show` request on the control socket, as the CLI sends it. */
  async show<T>(what: string, args: Record<string, unknown> = {}): Promise<T> {
    return (await controlRequest(this.socket, 'show', { what, ...args }, COMMAND_TIMEOUT_MS)) as T;
  }

  ospf(): Promise<OspfSummaryView> {
    return this.show('ospf');
  }

  interfaces(): Promise<InterfaceRowView[]> {
    return this.show('interfaces');
  }

  routes(): Promise<RouteRowView[]> {
    return this.show('routes');
  }

  /** `show database [TYPE [LSID]]`; with an LSID each row carries the decoded body. */
  database(type?: string, lsId?: string): Promise<{ areaId: string; lsas: DatabaseRowView[] }> {
    return this.show('database', { type, lsId });
  }

  async lsdb(): Promise<LsaKey[]> {
    const { lsas } = await this.database();
    return lsas.map((l) => ({ type: l.type, lsId: l.lsId, advRouter: l.advRouter, seq: normalSeq(l.seq) }));
  }

  rawNeighbors(): Promise<NeighborRowView[]> {
    return this.show('neighbors');
  }

  /** Neighbors in the shared shape; the role comes from the interface's DR and BDR. */
  async neighbors(): Promise<NeighborView[]> {
    const [rows, interfaces] = await Promise.all([this.rawNeighbors(), this.interfaces()]);
    return rows.map((n) => {
      const i = interfaces.find((x) => x.name === n.ifName);
      const broadcast = i !== undefined && i.networkType !== 'point-to-point';
      const role = !broadcast ? '' : i.dr === n.address ? 'DR' : i.bdr === n.address ? 'Backup' : 'DROther';
      return { routerId: n.routerId, state: n.state, role, address: n.address, ifName: n.ifName };
    });
  }

  async report(): Promise<string> {
    let state: string;
    try {
      state = JSON.stringify({ neighbors: await this.rawNeighbors(), routes: await this.routes(), lsdb: await this.show('database') });
    } catch (err) {
      state = `(cli: ${err instanceof Error ? err.message : String(err)})`;
    }
    return `${state}\n-- ospf-anycastd output:\n${tail(this.output())}`;
  }
}
