// The router-role flow-disruption lab of bench/multipath.bench.ts: a router
// namespace in front of N SIP nodes on one bridge, every node a BIRD 2 OSPF
// speaker announcing the anycast /32 from lo (the failover cluster's
// addressing and configurations), and the router either FRR 8.4 (zebra +
// ospfd, which installs a kernel nexthop group of the hash-threshold kind)
// or ospf-anycastd with `multipath group resilient` or `hash-threshold`.
// Both routers run under fib_multipath_hash_policy 1.
//
//   router 10.205.205.254 (lan0) ── br0 ──┬── n1 10.205.205.11   lo 10.206.206.1/32
//                                         ├── …
//                                         └── nN 10.205.205.(10+N)

import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsLab } from '../../src/lab/netns.js';
import { ANYCAST, DAEMON_JS, ROUTER_LAN, birdNodeConf, frrIds, frrRouterConf, nodeAddress, run, until } from '../failover/cluster.js';

export type RouterKind = 'FRR 8.4' | 'ospf-anycastd resilient' | 'ospf-anycastd hash-threshold';
export const ROUTER_KINDS: readonly RouterKind[] = ['FRR 8.4', 'ospf-anycastd resilient', 'ospf-anycastd hash-threshold'];

const FRR_LIBEXEC = '/usr/lib/frr';
const FRR_RUN = '/var/run/frr';
const BIRD = '/usr/sbin/bird';
const CONVERGE_MS = 45_000;

/** ospf-anycastd as the router: FRR's router configuration plus the group kind and layer-4 hashing. */
function anycastdRouterConf(group: 'resilient' | 'hash-threshold'): string {
  const multipath = group === 'resilient' ? ' multipath group resilient buckets 128 idle-timer 0\n' : ' multipath group hash-threshold\n';
  return frrRouterConf().replace(' maximum-paths 8\n', ` maximum-paths 8\n${multipath} multipath hash layer4\n`);
}

export class MultipathRouterLab {
  readonly net: NetnsLab;
  readonly router: string;
  readonly nodes: string[];
  private readonly dir: string;
  private readonly frrName: string;
  private readonly birds: (ChildProcess | undefined)[];

  constructor(
    readonly kind: RouterKind,
    readonly size: number,
  ) {
    this.net = new NetnsLab('mpr');
    this.dir = mkdtempSync(join('/tmp', `${this.net.prefix}-`));
    chmodSync(this.dir, 0o755);
    this.frrName = `${this.net.tag}r`;
    this.router = this.net.namespace('r');
    const sw = this.net.namespace('sw');
    this.net.veth(this.router, 'lan0', sw, 'p0');
    this.net.address(this.router, 'lan0', `${ROUTER_LAN}/24`);
    this.net.up(this.router, 'lan0');
    this.net.exec(this.router, 'sysctl', ['-q', '-w', 'net.ipv4.fib_multipath_hash_policy=1']);
    this.nodes = Array.from({ length: size }, (_, k) => {
      const ns = this.net.namespace(`n${k + 1}`);
      this.net.veth(ns, 'lan0', sw, `p${k + 1}`);
      this.net.address(ns, 'lan0', `${nodeAddress(k + 1)}/24`);
      this.net.up(ns, 'lan0');
      this.net.address(ns, 'lo', `${ANYCAST}/32`);
      writeFileSync(join(this.dir, `bird-n${k + 1}.conf`), birdNodeConf(k + 1));
      return ns;
    });
    this.net.bridge(sw, 'br0', Array.from({ length: size + 1 }, (_, k) => `p${k}`));
    this.birds = this.nodes.map(() => undefined);
  }

  /**
   * The router, then every node's BIRD; resolves once the route has a next
   * hop per node. The router starts first so that it is the segment's DR
   * (priority 200, n1 100, the others 0), as in the seed lab: a failing node
   * then never changes the network-LSA, only its own stub goes.
   */
  async start(): Promise<void> {
    if (this.kind === 'FRR 8.4') await this.startFrr();
    else {
      const conf = join(this.dir, 'router.conf');
      writeFileSync(conf, anycastdRouterConf(this.kind === 'ospf-anycastd resilient' ? 'resilient' : 'hash-threshold'));
      const socket = join(this.dir, 'router.sock');
      this.net.spawn(this.router, process.execPath, [DAEMON_JS, '-f', conf, '--socket', socket]);
      await until('ospf-anycastd to open its control socket', () => existsSync(socket), 15_000, 50);
    }
    for (let i = 1; i <= this.size; i++) this.startNode(i);
    await this.waitGateways(this.size);
  }

  /** Node i's BIRD (1-based). */
  startNode(i: number): void {
    const conf = join(this.dir, `bird-n${i}.conf`);
    this.birds[i - 1] = this.net.spawn(this.nodes[i - 1] as string, BIRD, ['-f', '-c', conf, '-s', join(this.dir, `bird-n${i}.ctl`), '-P', join(this.dir, `bird-n${i}.pid`)]);
  }

  /** Stop node i's BIRD and wait for it to exit. */
  async stopNode(i: number): Promise<void> {
    const bird = this.birds[i - 1];
    if (bird === undefined || bird.exitCode !== null) return;
    const exited = new Promise((resolve) => bird.once('exit', resolve));
    bird.kill('SIGTERM');
    await exited;
  }

  private async startFrr(): Promise<void> {
    const { uid, gid } = frrIds();
    const runDir = join(FRR_RUN, this.frrName);
    if (!existsSync(FRR_RUN)) run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', FRR_RUN]);
    run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', runDir]);
    for (const [file, text] of [
      ['zebra.conf', 'hostname router\n'],
      ['ospfd.conf', frrRouterConf()],
    ] as const) {
      writeFileSync(join(this.dir, file), text);
      chownSync(join(this.dir, file), uid, gid);
    }
    const daemon = (name: string): ChildProcess =>
      this.net.spawn(this.router, join(FRR_LIBEXEC, name), ['-N', this.frrName, '-f', join(this.dir, `${name}.conf`), '-i', join(runDir, `${name}.pid`), '-P', '0']);
    daemon('zebra');
    await until('zebra to open zserv.api', () => existsSync(join(runDir, 'zserv.api')), 15_000, 50);
    daemon('ospfd');
    await until('ospfd to write its pid file', () => existsSync(join(runDir, 'ospfd.pid')), 15_000, 50);
  }

  private anycastRoute(): { nhid?: number; gateway?: string; nexthops?: { gateway: string }[] } | undefined {
    return this.net.ipJson<{ nhid?: number; gateway?: string; nexthops?: { gateway: string }[] }[]>(this.router, ['route', 'show', 'exact', `${ANYCAST}/32`])[0];
  }

  /** The router's next hops to the anycast /32, sorted. */
  gateways(): string[] {
    const route = this.anycastRoute();
    return (route?.nexthops?.map((h) => h.gateway) ?? (route?.gateway === undefined ? [] : [route.gateway])).sort();
  }

  /** The kind of kernel object the route to the anycast /32 uses now. */
  kernelKind(): string {
    const route = this.anycastRoute();
    if (route === undefined) return 'none';
    if (route.nhid === undefined) return 'RTA_MULTIPATH';
    const group = this.net.ipJson<{ type?: string }[]>(this.router, ['nexthop', 'show', 'id', String(route.nhid)])[0];
    return `nexthop group, ${group?.type ?? 'hash-threshold'}`;
  }

  /** Until the route has `count` next hops and keeps them for a second (no transient state is measured). */
  async waitGateways(count: number): Promise<void> {
    const deadline = performance.now() + CONVERGE_MS;
    for (;;) {
      await until(`${this.kind}: ${count} next hops to ${ANYCAST}`, () => this.gateways().length === count, deadline - performance.now(), 50);
      const held = this.gateways().join();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (this.gateways().join() === held) return;
    }
  }

  /** Where the router's kernel sends each of `count` UDP flows to the anycast address (source ports 20000…, port 5060). */
  mapFlows(count: number): string[] {
    const lines = Array.from({ length: count }, (_, i) => `route get ${ANYCAST} ipproto udp sport ${20000 + i} dport 5060`);
    const result = spawnSync('ip', ['-n', this.router, '-o', '-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`ip route get: ${result.stderr}`);
    return result.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => /\bvia (\S+)/.exec(l)?.[1] ?? 'none');
  }

  async teardown(): Promise<void> {
    await this.net.teardown();
    rmSync(join(FRR_RUN, this.frrName), { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
