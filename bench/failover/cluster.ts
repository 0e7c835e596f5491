// A SIP cluster in network namespaces with real Kamailio on every node and
// FRR ospfd as the router in front; each node's OSPF speaker is either
// ospf-anycastd (supervising Kamailio, SIP OPTIONS checks) or BIRD 2 with a
// shell health-check script that removes the anycast /32 from lo — what
// operators run today. Used by bench/failover.bench.ts and test/e2e/.
//
//   client 10.204.204.10 ── router (FRR) 10.204.204.1 / 10.205.205.254 ── br0 ──┬── n1 10.205.205.11
//                                                                               ├── n2 10.205.205.12
//                                                                               └── n3 10.205.205.13
//   every node: 10.206.206.1/32 on lo, Kamailio on 10.206.206.1:5060 ("Server: nN")

import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KAMAILIO_FILES, kamailioCommand, kamailioConfig, kamailioPids } from '../../src/lab/kamailio.js';
import { NetnsLab } from '../../src/lab/netns.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ when compiled, the source tree under vitest: the daemon, CLI and probe always come from dist/. */
const distRoot = here.includes('/dist/') ? join(here, '../..') : join(here, '../../dist');
export const DAEMON_JS = join(distRoot, 'src/bin/ospf-anycastd.js');
export const CLI_JS = join(distRoot, 'src/bin/ospf-anycast.js');
const PROBE_JS = join(distRoot, 'src/lab/sip-probe.js');

const FRR_LIBEXEC = '/usr/lib/frr';
const FRR_RUN = '/var/run/frr';
const BIRD = '/usr/sbin/bird';

export const ANYCAST = '10.206.206.1';
export const ROUTER_LAN = '10.205.205.254';
/** The client's subnet, which the router redistributes into OSPF. */
export const CLIENT_SUBNET = '10.204.204.0/24';
export const nodeAddress = (i: number): string => `10.205.205.${10 + i}`;
const nodeRouterId = (i: number): string => `10.255.0.${10 + i}`;

/** Programs the cluster needs, missing ones listed (empty: all present). */
export function missingTools(): string[] {
  const tools = [...KAMAILIO_FILES, join(FRR_LIBEXEC, 'zebra'), join(FRR_LIBEXEC, 'ospfd'), '/usr/bin/vtysh', BIRD, DAEMON_JS, CLI_JS, PROBE_JS];
  return tools.filter((t) => !existsSync(t));
}

export type NodeSpeaker = 'anycastd' | 'bird-script';

/** Thrown when a bounded wait of the cluster runs out. */
export class ClusterTimeout extends Error {
  override name = 'ClusterTimeout';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `intervalMs` until it is true; throws ClusterTimeout with `what` after `timeoutMs`. */
export async function until(what: string, probe: () => boolean, timeoutMs: number, intervalMs = 20): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (probe()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new ClusterTimeout(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** FRR's ospfd.conf for the router; `extra` are further `router ospf` statements. */
export function frrRouterConf(extra: readonly string[] = []): string {
  return `hostname router
log stdout informational
interface lan0
 ip ospf hello-interval 1
 ip ospf dead-interval 3
 ip ospf retransmit-interval 2
 ip ospf priority 200
!
router ospf
 ospf router-id 10.255.0.254
 maximum-paths 8
 timers throttle spf 0 50 500
 redistribute connected
 network 10.205.205.0/24 area 0
${extra.map((line) => ` ${line}\n`).join('')}!
`;
}

/**
 * A node's ospf-anycastd: the issue's check block, but rise 10 (2 s of good
 * answers) so that a restarted proxy stays out long enough for SIP probes
 * from the client to see the cluster without it.
 */
function anycastdNodeConf(i: number, kamailioConf: string, runDir: string): string {
  return `hostname n${i}
log stdout informational
interface lan0
 ip ospf hello-interval 1
 ip ospf dead-interval 3
 ip ospf retransmit-interval 2
 ip ospf priority ${i === 1 ? 100 : 0}
!
router ospf
 ospf router-id ${nodeRouterId(i)}
 timers throttle spf 0 50 500
 network 10.205.205.0/24 area 0
 network ${ANYCAST}/32 area 0
!
anycast ${ANYCAST}/32
 check process ${kamailioCommand(kamailioConf, runDir).join(' ')}
 check sip-options ${ANYCAST}:5060 interval 200 timeout 100 rise 10 fall 2
 on-failure withdraw
!
`;
}

export function birdNodeConf(i: number): string {
  return `log stderr all;
router id ${nodeRouterId(i)};
protocol device { scan time 1; }
protocol kernel {
  ipv4 { export where source ~ [RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2]; };
}
protocol ospf v2 sip {
  ipv4 { import all; export none; };
  area 0 {
    interface "lan0" { type broadcast; priority ${i === 1 ? 100 : 0}; hello 1; dead 3; retransmit 2; wait 3; };
    interface "lo" ${ANYCAST}/32 { stub yes; };
  };
}
`;
}

/**
 * The health-check script operators pair with BIRD or FRR today: every
 * second, is the proxy running? If not, take the anycast address off lo
 * (the OSPF speaker withdraws the stub on the address change); when it runs
 * again, put the address back.
 */
function healthScript(kamailioConf: string): string {
  return `#!/bin/sh
while sleep 1; do
  if pgrep -f -- "-f ${kamailioConf} " >/dev/null; then
    ip -4 addr show dev lo | grep -q " ${ANYCAST}/32 " || ip addr add ${ANYCAST}/32 dev lo
  else
    ip -4 addr show dev lo | grep -q " ${ANYCAST}/32 " && ip addr del ${ANYCAST}/32 dev lo
  fi
done
`;
}

/** A long-running process of the cluster with its last output kept for failure messages. */
class Proc {
  private text = '';
  constructor(
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.text = (this.text + chunk.toString()).slice(-16_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }
  output(): string {
    return this.text;
  }
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  tail(lines = 25): string {
    return `-- ${this.label}${this.running ? '' : ` (ended: ${this.child.exitCode ?? this.child.signalCode})`}\n${this.text.trimEnd().split('\n').slice(-lines).join('\n')}`;
  }
}

export interface ClusterNode {
  i: number;
  ns: string;
  speaker: NodeSpeaker;
  kamailioConf: string;
  socket: string;
}

/** An iproute2 route as `ip -j route show` prints it. */
interface JsonRoute {
  gateway?: string;
  protocol?: string;
  nexthops?: { gateway: string }[];
}

export class KamailioCluster {
  readonly net: NetnsLab;
  readonly dir: string;
  readonly client: string;
  readonly router: string;
  readonly nodes: ClusterNode[];
  private readonly procs: Proc[] = [];
  private readonly frrName: string;

  /**
   * Builds the namespaces and links (nothing started); `speakers[k]` is node
   * k+1's OSPF speaker, `routerOspf` further `router ospf` statements for FRR.
   */
  constructor(
    label: string,
    speakers: NodeSpeaker[],
    private readonly routerOspf: readonly string[] = [],
  ) {
    this.net = new NetnsLab(label);
    this.dir = mkdtempSync(join('/tmp', `${this.net.prefix}-`));
    chmodSync(this.dir, 0o755);
    this.frrName = `${this.net.tag}r`;
    const net = this.net;
    this.client = net.namespace('c');
    this.router = net.namespace('r');
    const sw = net.namespace('sw');
    this.nodes = speakers.map((speaker, k) => {
      const i = k + 1;
      const ns = net.namespace(`n${i}`);
      const conf = join(this.dir, `kamailio-n${i}.cfg`);
      writeFileSync(conf, kamailioConfig({ listen: `${ANYCAST}:5060`, server: `n${i}` }));
      return { i, ns, speaker, kamailioConf: conf, socket: join(this.dir, `n${i}.sock`) };
    });
    for (const ns of [this.client, this.router, sw, ...this.nodes.map((n) => n.ns)]) {
      net.exec(ns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    net.veth(this.client, 'eth0', this.router, 'client0');
    net.address(this.client, 'eth0', '10.204.204.10/24');
    net.address(this.router, 'client0', '10.204.204.1/24');
    net.up(this.client, 'eth0');
    net.up(this.router, 'client0');
    net.exec(this.client, 'ip', ['route', 'add', 'default', 'via', '10.204.204.1']);
    // The router forwards and hashes flows on ports, so the client's flows spread over the nodes.
    net.exec(this.router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.fib_multipath_hash_policy=1']);
    const ports = ['p0'];
    net.veth(this.router, 'lan0', sw, 'p0');
    net.address(this.router, 'lan0', `${ROUTER_LAN}/24`);
    net.up(this.router, 'lan0');
    for (const node of this.nodes) {
      net.veth(node.ns, 'lan0', sw, `p${node.i}`);
      ports.push(`p${node.i}`);
      net.address(node.ns, 'lan0', `${nodeAddress(node.i)}/24`);
      net.up(node.ns, 'lan0');
      net.address(node.ns, 'lo', `${ANYCAST}/32`);
    }
    net.bridge(sw, 'br0', ports);
  }

  private spawn(label: string, ns: string, cmd: string, args: string[]): Proc {
    const proc = new Proc(label, this.net.spawn(ns, cmd, args));
    this.procs.push(proc);
    return proc;
  }

  /** FRR zebra then ospfd in the router namespace; resolves when ospfd answers vtysh. */
  async startRouter(): Promise<void> {
    const { uid, gid } = frrIds();
    const runDir = join(FRR_RUN, this.frrName);
    if (!existsSync(FRR_RUN)) run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', FRR_RUN]);
    run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', runDir]);
    const frrDir = join(this.dir, 'frr');
    run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', frrDir]);
    for (const [file, text] of [
      ['zebra.conf', 'hostname router\n'],
      ['ospfd.conf', frrRouterConf(this.routerOspf)],
    ] as const) {
      writeFileSync(join(frrDir, file), text);
      chownSync(join(frrDir, file), uid, gid);
    }
    const zebra = this.frrDaemon('zebra');
    await until('zebra to open zserv.api', () => zebra.running && existsSync(join(runDir, 'zserv.api')), 15_000, 50);
    await this.startOspfd();
  }

  private frrDaemon(name: 'zebra' | 'ospfd'): Proc {
    const runDir = join(FRR_RUN, this.frrName);
    const conf = join(this.dir, 'frr', `${name}.conf`);
    return this.spawn(`router ${name}`, this.router, join(FRR_LIBEXEC, name), ['-N', this.frrName, '-f', conf, '-i', join(runDir, `${name}.pid`), '-P', '0']);
  }

  private async startOspfd(): Promise<void> {
    const ospfd = this.frrDaemon('ospfd');
    await until('ospfd to answer vtysh', () => ospfd.running && this.vtyshOk('show ip ospf'), 15_000, 100);
  }

  /** Kills the router's ospfd with SIGKILL (zebra stays) and starts it again, as FRR's graceful restart documentation does. */
  async restartRouterOspfd(): Promise<void> {
    const ospfd = this.procs.filter((p) => p.label === 'router ospfd' && p.running);
    for (const p of ospfd) p.child.kill('SIGKILL');
    await until('the router ospfd to end', () => ospfd.every((p) => !p.running), 10_000, 20);
    await this.startOspfd();
  }

  private vtyshOk(command: string): boolean {
    return spawnSync('vtysh', ['-N', this.frrName, '-c', command], { timeout: 5000 }).status === 0;
  }

  vtysh(command: string): string {
    return run('vtysh', ['-N', this.frrName, '-c', command]);
  }

  /** Starts every node's speaker (and, for BIRD nodes, Kamailio and the health script). */
  async startNodes(): Promise<void> {
    for (const node of this.nodes) {
      if (node.speaker === 'anycastd') {
        const conf = join(this.dir, `n${node.i}.conf`);
        const runDir = join(this.dir, `kamailio-n${node.i}`);
        run('install', ['-d', '-m', '755', runDir]);
        writeFileSync(conf, anycastdNodeConf(node.i, node.kamailioConf, runDir));
        this.spawn(`n${node.i} ospf-anycastd`, node.ns, process.execPath, [DAEMON_JS, '-f', conf, '--socket', node.socket]);
      } else {
        const conf = join(this.dir, `bird-n${node.i}.conf`);
        writeFileSync(conf, birdNodeConf(node.i));
        this.spawn(`n${node.i} bird`, node.ns, BIRD, ['-f', '-c', conf, '-s', join(this.dir, `bird-n${node.i}.ctl`), '-P', join(this.dir, `bird-n${node.i}.pid`)]);
        this.net.exec(node.ns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_nonlocal_bind=1']);
        this.startBirdKamailio(node);
        const script = join(this.dir, `health-n${node.i}.sh`);
        writeFileSync(script, healthScript(node.kamailioConf), { mode: 0o755 });
        this.spawn(`n${node.i} health script`, node.ns, '/bin/sh', [script]);
      }
    }
  }

  /**
   * On a BIRD node Kamailio runs on its own, as systemd would run it. It binds
   * the anycast address whether or not lo carries it (ip_nonlocal_bind, set at
   * start): the health script alone adds and removes the address.
   */
  startBirdKamailio(node: ClusterNode): void {
    const runDir = join(this.dir, `kamailio-n${node.i}`);
    run('install', ['-d', '-m', '755', runDir]);
    const [program, ...args] = kamailioCommand(node.kamailioConf, runDir);
    this.spawn(`n${node.i} kamailio`, node.ns, program as string, args);
  }

  /** The router's kernel next hops towards the anycast /32 installed by FRR, sorted. */
  gateways(): string[] {
    const routes = this.net.ipJson<JsonRoute[]>(this.router, ['route', 'show', 'exact', `${ANYCAST}/32`]);
    const route = routes.find((r) => r.protocol === 'ospf');
    if (route === undefined) return [];
    return (route.nexthops?.map((h) => h.gateway) ?? (route.gateway === undefined ? [] : [route.gateway])).sort();
  }

  /**
   * The nodes whose kernel has a route back to the client's subnet (the
   * router's external, learned by OSPF): the router may send a node calls
   * before that node, still Loading, can answer them.
   */
  nodesRoutingToClient(): number {
    return this.nodes.filter((n) => this.net.ipJson<JsonRoute[]>(n.ns, ['route', 'show', 'exact', CLIENT_SUBNET]).length > 0).length;
  }

  /** Every process of node i's Kamailio (main process first). */
  kamailioPids(i: number): number[] {
    return kamailioPids((this.nodes[i - 1] as ClusterNode).kamailioConf);
  }

  /** Node i's Kamailio main process (the one whose parent is not Kamailio). */
  kamailioMain(i: number): number {
    const main = this.kamailioPids(i)[0];
    if (main === undefined) throw new Error(`n${i}: Kamailio is not running`);
    return main;
  }

  /** `ospf-anycast --socket S ARGS…` on node i; throws on a non-zero exit. */
  cli(i: number, args: string[], timeoutMs = 20_000): string {
    const node = this.nodes[i - 1] as ClusterNode;
    return run(process.execPath, [CLI_JS, '--socket', node.socket, ...args], timeoutMs);
  }

  /** `count` SIP OPTIONS from the client, each flow from its own port; the Server header of each answer, or null. */
  probe(count: number): (string | null)[] {
    const out = this.net.exec(this.client, process.execPath, [PROBE_JS, '--target', `${ANYCAST}:5060`, '--count', String(count)], 30_000);
    return (JSON.parse(out) as { answers: { server: string | null }[] }).answers.map((a) => a.server);
  }

  /** probe(), without blocking the event loop while the answers come. */
  probeAsync(count: number): Promise<(string | null)[]> {
    const child = this.net.spawn(this.client, process.execPath, [PROBE_JS, '--target', `${ANYCAST}:5060`, '--count', String(count)]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`sip-probe exited with ${code}: ${out}`));
        else resolve((JSON.parse(out) as { answers: { server: string | null }[] }).answers.map((a) => a.server));
      });
    });
  }

  /**
   * The wall-clock times (epoch ms) at which node i's ospf-anycastd logged
   * "advertise withdraw" — when it originated the withdrawal — among its
   * last 16 KB of output.
   */
  withdrawals(i: number): number[] {
    const proc = this.procs.find((p) => p.label === `n${i} ospf-anycastd`);
    const times: number[] = [];
    for (const m of (proc?.output() ?? '').matchAll(/^(\S+Z) info +advertise withdraw /gm)) times.push(Date.parse(m[1] as string));
    return times;
  }

  /**
   * Captures the Link State Updates node i sends on its segment (tcpdump,
   * kernel timestamps in µs); read them with lsUpdates(i).
   */
  captureLsUpdates(i: number): void {
    const node = this.nodes[i - 1] as ClusterNode;
    // OSPF packet type (the byte after the version, past the IP header) 4: Link State Update (RFC 2328 A.3.1).
    const filter = `ip proto 89 and src host ${nodeAddress(i)} and ip[((ip[0] & 0xf) << 2) + 1] = 4`;
    this.spawn(`n${i} tcpdump`, node.ns, 'tcpdump', ['-n', '-tt', '-l', '-i', 'lan0', filter]);
  }

  /** Wall-clock times (epoch ms, µs resolution) of node i's captured Link State Updates, among the last 16 KB. */
  lsUpdates(i: number): number[] {
    const proc = this.procs.find((p) => p.label === `n${i} tcpdump`);
    const times: number[] = [];
    for (const m of (proc?.output() ?? '').matchAll(/^(\d+\.\d+) IP /gm)) times.push(Number(m[1]) * 1000);
    return times;
  }

  /** The last output of every process, for failure messages. */
  report(): string {
    let routes = '';
    try {
      routes = this.vtysh('show ip ospf neighbor') + this.vtysh('show ip ospf route');
    } catch (err) {
      routes = String(err);
    }
    return [routes, ...this.procs.map((p) => p.tail())].join('\n');
  }

  async teardown(): Promise<void> {
    await this.net.teardown();
    rmSync(join(FRR_RUN, this.frrName), { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * `ip monitor route` in a namespace: the times at which the kernel's route to
 * the anycast /32 changed, and its gateways after each change.
 */
export class RouteMonitor {
  readonly changes: { at: number; gateways: string[] }[] = [];
  private readonly child: ChildProcess;
  private pending = '';

  constructor(net: NetnsLab, ns: string) {
    this.child = net.spawn(ns, 'ip', ['monitor', 'route']);
    this.child.stdout?.on('data', (chunk: Buffer) => this.onData(performance.now(), chunk.toString()));
  }

  private onData(at: number, text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    let current: { deleted: boolean; gateways: string[] } | undefined;
    const flush = (): void => {
      if (current !== undefined) this.changes.push({ at, gateways: current.deleted ? [] : current.gateways.sort() });
      current = undefined;
    };
    for (const line of lines) {
      if (/^\s/.test(line)) {
        const hop = /nexthop via (\S+)/.exec(line);
        if (current !== undefined && hop !== null) current.gateways.push(hop[1] as string);
        continue;
      }
      flush();
      const head = /^(Deleted )?10\.206\.206\.1 (.*)$/.exec(line);
      if (head === null || !line.includes('proto ospf')) continue;
      const via = /\bvia (\S+)/.exec(head[2] as string);
      current = { deleted: head[1] !== undefined, gateways: via === null ? [] : [via[1] as string] };
    }
    flush();
  }

  /** Resolves with the time of the first change after `since` whose gateways satisfy `ok`. */
  async waitFor(ok: (gateways: string[]) => boolean, since: number, timeoutMs: number): Promise<number> {
    let found: number | undefined;
    await until('a route change', () => {
      found = this.changes.find((c) => c.at >= since && ok(c.gateways))?.at;
      return found !== undefined;
    }, timeoutMs, 2);
    return found as number;
  }
}

let ids: { uid: number; gid: number } | undefined;
export function frrIds(): { uid: number; gid: number } {
  ids ??= { uid: Number(run('id', ['-u', 'frr']).trim()), gid: Number(run('id', ['-g', 'frr']).trim()) };
  return ids;
}

export function run(cmd: string, args: string[], timeoutMs = 10_000): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  if (result.error || result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status ?? 'timeout'}): ${(result.error?.message ?? result.stderr ?? '').trim()}`);
  }
  return result.stdout ?? '';
}
