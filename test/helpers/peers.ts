// The interop lab: a NetnsLab with links, segments and stub networks, the
// routers started in it (FRR in frr.ts, BIRD in bird.ts, ospf-anycastd in
// anycastd.ts, re-exported here) and readers for kernel routes; the gate of
// the interop suites. Polling with a deadline comes from wait.ts.
//
//   const lab = new InteropLab('seed');
//   const r = lab.namespace('r'), n1 = lab.namespace('n1');
//   lab.segment('lan', [{ ns: r, ifName: 'lan0', cidr: '10.205.205.254/24' }, …]);
//   const frr = lab.frr(r, 'r', 'router ospf\n …'); await frr.start();
//   const node = lab.anycastd(n1, 'n1', 'interface lan0\n …'); await node.start();
//   await waitFor('three next hops', () => lab.gateways(r, '10.206.206.1/32').length === 3, { timeoutMs: 30_000 });
//   …
//   await lab.teardown();      // afterAll (labSuite in test/interop/labs.ts); the process exit hook covers a crash
//
// The gate follows namespaceGate and peerGate (gates.ts): without root,
// namespaces or the peers, the tests skip with a printed reason, except under
// CI=true where they fail.

import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnycastDaemon } from './anycastd.js';
import { BIRD_BIN, BirdRouter } from './bird.js';
import { FRR_GR_STATE, FRR_LIBEXEC, FrrRouter, frrUid } from './frr.js';
import { missing, peerGate } from './gates.js';
import { NetnsLab, namespaceGate } from './netns.js';
import { run, type LabPeer } from './peer-process.js';

export { AnycastDaemon, CLI_BIN, DAEMON_BIN, type DatabaseRowView, type InterfaceRowView, type NeighborRowView, type OspfSummaryView, type RouteRowView } from './anycastd.js';
export { BirdRouter } from './bird.js';
export { FrrRouter, type FrrInterface, type FrrOspf } from './frr.js';
export { PeerProcess, sortLsas, type LsaKey, type NeighborView } from './peer-process.js';

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

