// `npm run lab`: the seed's SIP anycast lab in network namespaces, every
// OSPF speaker an ospf-anycastd, and the failover story told live.
//
//   client 10.204.204.10 ── router 10.204.204.1 / 10.205.205.254 ── bridge ──┬── node1 10.205.205.1
//                                (redistribute connected, DR)                ├── node2 10.205.205.2
//                                                                            └── node3 10.205.205.3
//   every node: 10.206.206.1/32 on lo, a SIP proxy on 10.206.206.1:5060 supervised by its daemon:
//   Kamailio when installed (src/lab/kamailio.ts), else the built-in responder (sip-responder.ts);
//   either answers with `Server: nodeN`
//
// Acts: adjacencies come up; the router's route to 10.206.206.1/32 has three
// next hops; SIP OPTIONS from the client are answered by different nodes;
// OPTIONS from one client socket go to one node while the router spreads per
// flow (resilient group) and to all three in turn once its configuration says
// `ip load-sharing per-packet` and is reloaded, then per flow again; one
// node's proxy is killed (two next hops, with the milliseconds it took) and
// comes back; one node is drained and undrained.
//
// --ci runs the same acts without pauses and exits 0 only if every check
// holds; --builtin-responder uses the built-in responder even where Kamailio
// is installed. Everything is removed on exit and on Ctrl-C.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kamailioCommand, kamailioConfig, kamailioInstalled, kamailioPids } from './kamailio.js';
import { canRunNamespaces, NetnsLab } from './netns.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const daemonJs = join(here, '../bin/ospf-anycastd.js');
const cliJs = join(here, '../bin/ospf-anycast.js');
const responderJs = join(here, 'sip-responder.js');
const probeJs = join(here, 'sip-probe.js');

const ANYCAST = '10.206.206.1';
/** The client's subnet, which the router redistributes into OSPF (redistribute connected). */
const CLIENT_SUBNET = '10.204.204.0/24';
const NODES = [1, 2, 3] as const;

class LabFailure extends Error {
  override name = 'LabFailure';
}

/** The SIP proxy each node runs. */
type Proxy = 'kamailio' | 'builtin';

interface LabOptions {
  ci: boolean;
  proxy: Proxy;
}

/** The one client socket of act 3: every run of the probe sends from this port, so every request is one 5-tuple. */
const FLOW_PORT = 40000;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** `loadSharing` is the node-facing interface's `ip load-sharing` (act 3 switches it with a reload). */
function routerConfig(loadSharing: 'per-flow' | 'per-packet'): string {
  return `hostname router
log stdout informational
!
interface eth0
 ip ospf hello-interval 1
 ip ospf dead-interval 3
 ip ospf priority 10
 ip load-sharing ${loadSharing}
!
router ospf
 ospf router-id 10.205.205.254
 redistribute connected
 network 10.205.205.0/24 area 0.0.0.0
 log-adjacency-changes
 multipath group resilient
 multipath hash layer4
!
`;
}

/** `proxy` is the `check process` command line that starts the node's SIP proxy. */
function nodeConfig(n: number, proxy: string): string {
  return `hostname node${n}
log stdout informational
!
interface eth0
 ip ospf hello-interval 1
 ip ospf dead-interval 3
 ip ospf priority 1
!
router ospf
 ospf router-id 10.205.205.${n}
 network 10.205.205.0/24 area 0.0.0.0
 network ${ANYCAST}/32 area 0.0.0.0
 log-adjacency-changes
!
anycast ${ANYCAST}/32
 check process ${proxy}
 check sip-options ${ANYCAST}:5060 interval 300 timeout 150 rise 5 fall 2
 on-failure withdraw
!
`;
}

export class SipLab {
  constructor(readonly proxy: Proxy) {}

  readonly lab = new NetnsLab('lab');
  readonly dir = mkdtempSync(join(tmpdir(), 'ospf-anycast-lab-'));
  readonly ns: { client: string; router: string; sw: string; nodes: string[] } = { client: '', router: '', sw: '', nodes: [] };

  build(): void {
    const lab = this.lab;
    this.ns.client = lab.namespace('client');
    this.ns.router = lab.namespace('router');
    this.ns.sw = lab.namespace('sw');
    this.ns.nodes = NODES.map((n) => lab.namespace(`node${n}`));
    const { client, router, sw, nodes } = this.ns;

    lab.veth(client, 'eth0', router, 'eth1');
    lab.address(client, 'eth0', '10.204.204.10/24');
    lab.address(router, 'eth1', '10.204.204.1/24');
    lab.up(client, 'eth0');
    lab.up(router, 'eth1');
    lab.exec(client, 'ip', ['route', 'add', 'default', 'via', '10.204.204.1']);

    lab.veth(router, 'eth0', sw, 'p0');
    lab.address(router, 'eth0', '10.205.205.254/24');
    lab.up(router, 'eth0');
    nodes.forEach((ns, i) => {
      const n = i + 1;
      lab.veth(ns, 'eth0', sw, `p${n}`);
      lab.address(ns, 'eth0', `10.205.205.${n}/24`);
      lab.up(ns, 'eth0');
      lab.address(ns, 'lo', `${ANYCAST}/32`);
    });
    lab.bridge(sw, 'br0', ['p0', ...NODES.map((n) => `p${n}`)]);

    // The router forwards; its daemon hashes flows on ports too (`multipath hash
    // layer4`), so one client's calls spread over the nodes.
    lab.exec(router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  }

  socket(name: string): string {
    return join(this.dir, `${name}.sock`);
  }

  /** Where a daemon's configuration file is (the lab rewrites the router's in act 3). */
  configPath(name: string): string {
    return join(this.dir, `${name}.conf`);
  }

  /** Node n's Kamailio configuration file. */
  private kamailioConfigPath(n: number): string {
    return join(this.dir, `kamailio-node${n}.cfg`);
  }

  /**
   * The command line node n's daemon supervises: Kamailio with its own
   * configuration and run directory, or the built-in responder (its --tag
   * tells this lab's responders apart from any other's in the process list).
   */
  private proxyCommand(n: number): string {
    if (this.proxy === 'builtin') return `${process.execPath} ${responderJs} --name node${n} --listen ${ANYCAST}:5060 --tag ${this.lab.prefix}`;
    const runDir = join(this.dir, `kamailio-node${n}`);
    mkdirSync(runDir);
    writeFileSync(this.kamailioConfigPath(n), kamailioConfig({ listen: `${ANYCAST}:5060`, server: `node${n}` }));
    return kamailioCommand(this.kamailioConfigPath(n), runDir).join(' ');
  }

  startDaemons(): void {
    const start = (ns: string, name: string, config: string): void => {
      const conf = this.configPath(name);
      writeFileSync(conf, config);
      const child = this.lab.spawn(ns, process.execPath, [daemonJs, '-f', conf, '--socket', this.socket(name)]);
      const log = join(this.dir, `${name}.log`);
      writeFileSync(log, '');
      const append = (chunk: Buffer): void => writeFileSync(log, chunk, { flag: 'a' });
      child.stdout.on('data', append);
      child.stderr.on('data', append);
    };
    start(this.ns.router, 'router', routerConfig('per-flow'));
    NODES.forEach((n, i) => start(this.ns.nodes[i] as string, `node${n}`, nodeConfig(n, this.proxyCommand(n))));
  }

  log(name: string): string {
    try {
      return readFileSync(join(this.dir, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /** The router's next hops towards the anycast address, sorted. */
  nextHops(): string[] {
    const routes = this.lab.ipJson<{ gateway?: string; nexthops?: { gateway: string }[] }[]>(this.ns.router, ['route', 'show', `${ANYCAST}/32`]);
    const route = routes[0];
    if (route === undefined) return [];
    const hops = route.nexthops?.map((h) => h.gateway) ?? (route.gateway === undefined ? [] : [route.gateway]);
    return hops.sort();
  }

  /** Polls until the router has `count` next hops; returns the milliseconds it took. */
  async waitForNextHops(count: number, timeoutMs: number): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      if (this.nextHops().length === count) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new LabFailure(`the router's route to ${ANYCAST}/32 did not reach ${count} next hops within ${timeoutMs} ms (has: ${this.nextHops().join(', ') || 'none'})`);
  }

  /**
   * Polls until every node's kernel has the route back to the client's
   * subnet: a node is in the router's route once the router has it Full,
   * which can be before the node, still Loading, has learned that route.
   */
  async waitForReturnRoutes(timeoutMs: number): Promise<void> {
    const routing = (): number => this.ns.nodes.filter((ns) => this.lab.ipJson<unknown[]>(ns, ['route', 'show', 'exact', CLIENT_SUBNET]).length > 0).length;
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      if (routing() === this.ns.nodes.length) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new LabFailure(`only ${routing()} of ${this.ns.nodes.length} nodes have a route back to ${CLIENT_SUBNET} after ${timeoutMs} ms`);
  }

  cli(name: string, args: string[]): string {
    const result = spawnSync(process.execPath, [cliJs, '--socket', this.socket(name), ...args], { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new LabFailure(`ospf-anycast ${args.join(' ')} on ${name} failed: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /**
   * Sends `count` OPTIONS from the client, each from its own source port, or
   * all from one socket bound to `sourcePort`; returns the answering servers in order.
   */
  probe(count: number, sourcePort?: number): string[] {
    const oneFlow = sourcePort === undefined ? [] : ['--same-socket', '--source-port', String(sourcePort)];
    const out = this.lab.exec(this.ns.client, process.execPath, [probeJs, '--target', `${ANYCAST}:5060`, '--count', String(count), ...oneFlow], 30_000);
    const result = JSON.parse(out) as { answers: { port: number; server: string | null }[] };
    return result.answers.map((a) => a.server ?? 'no answer');
  }

  /** The pid of a node's SIP proxy (a child of its daemon): Kamailio's main process, or the built-in responder. */
  proxyPid(n: number): number {
    let pid: number | undefined;
    if (this.proxy === 'kamailio') pid = kamailioPids(this.kamailioConfigPath(n))[0];
    else {
      const result = spawnSync('pgrep', ['-f', `${responderJs} --name node${n} --listen ${ANYCAST}:5060 --tag ${this.lab.prefix}$`], { encoding: 'utf8' });
      pid = Number(result.stdout.trim().split('\n')[0]);
    }
    if (pid === undefined || !Number.isInteger(pid) || pid <= 0) throw new LabFailure(`node${n}'s SIP proxy is not running`);
    return pid;
  }

  /** Rewrites the router's configuration with `ip load-sharing MODE` on eth0 and reloads it; returns the daemon's answer. */
  loadSharing(mode: 'per-flow' | 'per-packet'): string {
    writeFileSync(this.configPath('router'), routerConfig(mode));
    return this.cli('router', ['reload']).trim();
  }

  async teardown(): Promise<void> {
    await this.lab.teardown();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function tally(servers: string[]): string {
  const counts = new Map<string, number>();
  for (const s of servers) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].sort().map(([s, c]) => `${s} ×${c}`).join(', ');
}

async function pause(options: LabOptions, ms = 1500): Promise<void> {
  if (!options.ci) await new Promise((r) => setTimeout(r, ms));
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new LabFailure(message);
}

export async function runLab(options: LabOptions): Promise<void> {
  const lab = new SipLab(options.proxy);
  const interrupt = (): void => {
    say('\ninterrupted: removing the lab');
    void lab.teardown().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  try {
    say('building the lab: client, router, three SIP nodes in network namespaces');
    say(
      options.proxy === 'kamailio'
        ? '   each node\'s SIP proxy: Kamailio (answering OPTIONS with "Server: nodeN"), started and watched by its ospf-anycastd'
        : `   each node's SIP proxy: the built-in OPTIONS responder ("Server: nodeN"), started and watched by its ospf-anycastd${kamailioInstalled() ? '' : ' (Kamailio is not installed)'}`,
    );
    lab.build();
    lab.startDaemons();

    say('\n1. OSPF comes up: every SIP node announces 10.206.206.1/32 once its SIP proxy passes its checks');
    const upMs = await lab.waitForNextHops(3, 60_000);
    await lab.waitForReturnRoutes(30_000);
    say(lab.cli('router', ['show', 'neighbors']).trimEnd());
    say(`\nthe router's route to ${ANYCAST}/32 (three next hops, ECMP), after ${(upMs / 1000).toFixed(1)} s:`);
    say(lab.lab.exec(lab.ns.router, 'ip', ['route', 'show', `${ANYCAST}/32`]).trimEnd());
    await pause(options);

    say('\n2. SIP OPTIONS from the client, 12 flows (source ports):');
    const spread = lab.probe(12);
    say(`   answered by ${tally(spread)}`);
    check(new Set(spread).size >= 2 && !spread.includes('no answer'), `expected answers from several nodes, got ${tally(spread)}`);
    await pause(options);

    await perFlowPerPacket(lab, options);

    say(`\n4. node2's SIP proxy (${options.proxy === 'kamailio' ? 'Kamailio' : 'the built-in responder'}) dies (kill -9): its daemon withdraws the anycast route`);
    const killedAt = performance.now();
    process.kill(lab.proxyPid(2), 'SIGKILL');
    await lab.waitForNextHops(2, 10_000);
    const failoverMs = performance.now() - killedAt;
    say(`   the router has two next hops ${failoverMs.toFixed(0)} ms after the kill: ${lab.nextHops().join(', ')}`);
    check(!lab.nextHops().includes('10.205.205.2'), 'node2 is still a next hop');
    // The supervisor restarts the proxy within 100 ms and five good checks (1.5 s) bring
    // it back, so by the time these answers come node2 may be back.
    const without2 = lab.probe(12);
    say(`   OPTIONS answered by ${tally(without2)} (next hops now: ${lab.nextHops().length})`);
    check(!without2.includes('no answer'), `calls were lost: ${tally(without2)}`);

    say('   its daemon restarts the proxy; after five good checks node2 is back');
    const backMs = await lab.waitForNextHops(3, 15_000);
    say(`   three next hops again after ${backMs.toFixed(0)} ms`);
    await pause(options);

    say('\n5. node3 is drained for maintenance: `ospf-anycast drain` returns once the router has acknowledged');
    const drainStart = performance.now();
    say(`   ${lab.cli('node3', ['drain', '--timeout', '10']).trim()}`);
    const drainMs = performance.now() - drainStart;
    await lab.waitForNextHops(2, 5_000);
    say(`   drain took ${drainMs.toFixed(0)} ms; the router's next hops: ${lab.nextHops().join(', ')}`);
    check(!lab.nextHops().includes('10.205.205.3'), 'node3 is still a next hop after the drain');
    const drained = lab.probe(12);
    say(`   OPTIONS answered by ${tally(drained)}`);
    check(!drained.includes('node3') && !drained.includes('no answer'), `node3 answered while drained, or calls were lost: ${tally(drained)}`);
    say(lab.cli('node3', ['show', 'anycast']).trimEnd().replace(/^/gm, '   '));
    say('   undrain:');
    say(`   ${lab.cli('node3', ['undrain']).trim()}`);
    await lab.waitForNextHops(3, 10_000);
    say(`   three next hops: ${lab.nextHops().join(', ')}`);

    say('\nthe lab worked: every check passed. Removing it.');
  } catch (err) {
    if (err instanceof LabFailure) {
      for (const name of ['router', ...NODES.map((n) => `node${n}`)]) {
        process.stderr.write(`---- ${name} log (last lines)\n${lab.log(name).split('\n').slice(-15).join('\n')}\n`);
      }
    }
    throw err;
  } finally {
    process.off('SIGINT', interrupt);
    await lab.teardown();
  }
}

/**
 * Act 3 (the seed's Cisco `ip load-sharing per-packet`): OPTIONS from one
 * client socket are one 5-tuple, so the router's resilient group hashes
 * them all to one node; with per-packet load sharing on its node-facing
 * interface (configuration rewritten and reloaded, OSPF untouched) they go
 * round robin to every node; per flow again, back to the first node.
 */
async function perFlowPerPacket(lab: SipLab, options: LabOptions): Promise<void> {
  say(`\n3. one client socket (one 5-tuple, source port ${FLOW_PORT}): per flow versus per packet`);
  if (spawnSync('nft', ['--version']).status !== 0) {
    say('   not shown here: per-packet load sharing needs nft (Debian: apt-get install nftables)');
    return;
  }
  const perFlow = lab.probe(12, FLOW_PORT);
  say(`   per flow (resilient group, the router's default): 12 OPTIONS answered by ${tally(perFlow)}`);
  check(new Set(perFlow).size === 1 && !perFlow.includes('no answer'), `one flow should reach one node, got ${tally(perFlow)}`);
  await pause(options);

  say("   the router's eth0 gets `ip load-sharing per-packet`: its file rewritten, then `ospf-anycast reload`");
  say(`   ${lab.loadSharing('per-packet')}`);
  say(lab.cli('router', ['show', 'routes']).trimEnd().replace(/^/gm, '   '));
  const perPacket = lab.probe(12, FLOW_PORT);
  say(`   per packet: the same socket's 12 OPTIONS answered by ${tally(perPacket)}`);
  say(`   in turn: ${perPacket.join(', ')}`);
  check(NODES.every((n) => perPacket.includes(`node${n}`)) && !perPacket.includes('no answer'), `per packet should reach all three nodes, got ${tally(perPacket)}`);
  await pause(options);

  say('   back to `ip load-sharing per-flow`, reloaded:');
  say(`   ${lab.loadSharing('per-flow')}`);
  const again = lab.probe(12, FLOW_PORT);
  say(`   per flow: 12 OPTIONS answered by ${tally(again)}`);
  check(new Set(again).size === 1 && again[0] === perFlow[0], `the flow should be back on ${perFlow[0] ?? '?'}, got ${tally(again)}`);
  const neighbors = JSON.parse(lab.cli('router', ['--json', 'show', 'neighbors'])) as { state: string }[];
  const full = neighbors.filter((n) => n.state === 'Full').length;
  say(`   OSPF was not restarted: the router still has ${full} Full neighbors`);
  check(full === 3 && !/: Full -> /.test(lab.log('router')), `the reloads should keep every adjacency Full (Full: ${full})`);
  await pause(options);
}

/** Why the lab cannot run here, or undefined when it can. */
export function labPreflight(): string | undefined {
  const ns = canRunNamespaces();
  if (!ns.ok) return `the lab needs root and network namespaces: ${ns.reason ?? 'unavailable'} (try: sudo npm run lab)`;
  for (const file of [daemonJs, responderJs, probeJs, cliJs]) {
    if (!existsSync(file)) return `${file} is missing: build first (npm run build), from ${root}`;
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  const ci = argv.includes('--ci') || process.env.CI === 'true';
  const unknown = argv.filter((a) => a !== '--ci' && a !== '--builtin-responder');
  if (unknown.length > 0) {
    process.stderr.write(`lab: unknown argument "${unknown[0]}" (usage: npm run lab [-- [--ci] [--builtin-responder]])\n`);
    return 2;
  }
  const proxy: Proxy = !argv.includes('--builtin-responder') && kamailioInstalled() ? 'kamailio' : 'builtin';
  const problem = labPreflight();
  if (problem !== undefined) {
    process.stderr.write(`lab: ${problem}\n`);
    return 1;
  }
  try {
    await runLab({ ci, proxy });
    return 0;
  } catch (err) {
    process.stderr.write(`lab: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((status) => process.exit(status));
}
