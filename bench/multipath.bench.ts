// Flow disruption of the router role's multipath routes: for 3 and 8 next
// hops, one failing and returning, the share of flows of the surviving next
// hops that move when one fails, and the share of all flows that move when
// it returns, against the ideal (0, and the returning next hop's 1/N). Three
// ways of installing the route: a resilient nexthop group and a
// hash-threshold group (both changed in place by NexthopInstaller), and a
// plain RTA_MULTIPATH route replaced by RouteInstaller. Flows are 2,000 UDP
// 5-tuples to the anycast address (source ports 20000…, port 5060), mapped
// with `ip route get` in the router's namespace under
// fib_multipath_hash_policy 1. Then per-packet spreading: 3,000 datagrams of
// one flow through the router to three gateway namespaces, counted there
// with nft, and the largest deviation from an even share.
// Needs root and network namespaces; otherwise prints why and exits 0.
// Run: npm run bench -- multipath

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NexthopInstaller, PerPacketSpreader, type FibInstaller } from '../src/multipath/index.js';
import { RouteInstaller, type KernelRoute } from '../src/io/routes.js';
import { canRunNamespaces, NetnsLab } from '../src/lab/netns.js';
import { parseIpv4, parsePrefix } from '../src/lib/ipv4.js';

const ANYCAST = '10.206.206.1';
const FLOWS = 2000;
const PACKETS = 3000;
const KINDS = ['resilient', 'hash-threshold', 'rta-multipath'] as const;
type Kind = (typeof KINDS)[number];

interface Disruption {
  kind: Kind;
  nodes: number;
  survivingMovedPct: number;
  returnMovedPct: number;
}

const self = fileURLToPath(import.meta.url);
const gateway = (i: number): string => `10.93.0.${i + 2}`;

function ifIndex(name: string): number {
  return Number(spawnSync('cat', [`/sys/class/net/${name}/ifindex`], { encoding: 'utf8' }).stdout.trim());
}

function mapFlows(): string[] {
  const lines = Array.from({ length: FLOWS }, (_, i) => `route get ${ANYCAST} ipproto udp sport ${20000 + i} dport 5060`);
  const run = spawnSync('ip', ['-o', '-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`ip route get: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => /\bvia (\S+)/.exec(l)?.[1] ?? 'none');
}

function routeTo(nodes: number, missing?: number): KernelRoute {
  const hops = Array.from({ length: nodes }, (_, i) => i)
    .filter((i) => i !== missing)
    .map((i) => ({ gateway: parseIpv4(gateway(i)), ifIndex: ifIndex('e0') }));
  return { prefix: parsePrefix(`${ANYCAST}/32`), nextHops: hops };
}

/** Inside the router namespace: install, fail the last next hop, restore it, and report the moves. */
async function measureInside(kind: Kind, nodes: number): Promise<Disruption> {
  const installer: FibInstaller =
    kind === 'rta-multipath'
      ? new RouteInstaller()
      : new NexthopInstaller({ group: kind === 'resilient' ? { kind, buckets: 128, idleTimer: 0, unbalancedTimer: 0 } : { kind } });
  await installer.sweep();
  const failed = nodes - 1;
  await installer.sync([routeTo(nodes)]);
  const before = mapFlows();
  await installer.sync([routeTo(nodes, failed)]);
  const during = mapFlows();
  await installer.sync([routeTo(nodes)]);
  const after = mapFlows();
  await installer.removeAll();
  installer.close();
  const surviving = before.map((via, i) => ({ via, i })).filter((f) => f.via !== gateway(failed));
  const survivingMoved = surviving.filter((f) => during[f.i] !== f.via).length;
  const returnMoved = during.filter((via, i) => after[i] !== via).length;
  return { kind, nodes, survivingMovedPct: (100 * survivingMoved) / surviving.length, returnMovedPct: (100 * returnMoved) / FLOWS };
}

function disruptionLab(nodes: number): Disruption[] {
  const lab = new NetnsLab('mpb');
  try {
    const router = lab.namespace('r');
    const sink = lab.namespace('s');
    lab.veth(router, 'e0', sink, 'e0');
    lab.address(router, 'e0', '10.93.0.1/24');
    lab.up(router, 'e0');
    lab.up(sink, 'e0');
    lab.exec(router, 'sysctl', ['-q', '-w', 'net.ipv4.fib_multipath_hash_policy=1']);
    return KINDS.map((kind) => JSON.parse(lab.exec(router, process.execPath, [self, '--inside', kind, String(nodes)], 120_000)) as Disruption);
  } finally {
    lab.teardownSync();
  }
}

async function perPacketDeviation(): Promise<{ counts: number[]; deviationPct: number }> {
  const lab = new NetnsLab('mpp');
  try {
    const router = lab.namespace('r');
    const sw = lab.namespace('s');
    const client = lab.namespace('c');
    lab.veth(router, 'e0', sw, 'p0');
    lab.veth(client, 'e0', router, 'e9');
    lab.address(router, 'e0', '10.93.0.1/24');
    lab.address(router, 'e9', '10.204.204.1/24');
    lab.address(client, 'e0', '10.204.204.10/24');
    for (const [ns, ifName] of [[router, 'e0'], [router, 'e9'], [client, 'e0']] as const) lab.up(ns, ifName);
    lab.exec(client, 'ip', ['route', 'add', 'default', 'via', '10.204.204.1']);
    lab.exec(router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    const gateways = [0, 1, 2].map((i) => {
      const g = lab.namespace(`g${i}`);
      lab.veth(g, 'e0', sw, `p${i + 1}`);
      lab.address(g, 'e0', `${gateway(i)}/24`);
      lab.up(g, 'e0');
      lab.address(g, 'lo', `${ANYCAST}/32`);
      lab.exec(g, 'nft', ['add table ip cnt; add chain ip cnt in { type filter hook input priority 0; }; add rule ip cnt in udp dport 5060 counter']);
      return g;
    });
    lab.bridge(sw, 'br0', ['p0', 'p1', 'p2', 'p3']);
    lab.exec(router, 'ip', ['route', 'add', ANYCAST, ...[0, 1, 2].flatMap((i) => ['nexthop', 'via', gateway(i), 'dev', 'e0'])]);
    lab.exec(router, process.execPath, [self, '--spread'], 30_000);
    const script = `const s=require('node:dgram').createSocket('udp4');let n=0;const next=()=>{if(n===${PACKETS})return s.close();n++;s.send('x',5060,'${ANYCAST}',next);};next();`;
    lab.exec(client, process.execPath, ['-e', script], 60_000);
    const counts = gateways.map((g) => {
      const listing = JSON.parse(lab.exec(g, 'nft', ['-j', 'list', 'table', 'ip', 'cnt'])) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] };
      return listing.nftables.flatMap((item) => item.rule?.expr ?? []).find((e) => e.counter)?.counter?.packets ?? 0;
    });
    const even = PACKETS / 3;
    return { counts, deviationPct: (100 * Math.max(...counts.map((c) => Math.abs(c - even)))) / even };
  } finally {
    lab.teardownSync();
  }
}

/** Inside the router namespace: install the marks, rules and tables for three next hops, and leave them. */
async function spreadInside(): Promise<void> {
  const spreader = new PerPacketSpreader();
  await spreader.check();
  await spreader.sync([routeTo(3)]);
}

async function main(): Promise<void> {
  const [mode, kind, nodes] = process.argv.slice(2);
  if (mode === '--inside') {
    process.stdout.write(JSON.stringify(await measureInside(kind as Kind, Number(nodes))));
    return;
  }
  if (mode === '--spread') {
    await spreadInside();
    // The per-next-hop tables' netlink sockets stay open; the state they made stays in the namespace.
    process.exit(0);
  }
  const check = canRunNamespaces();
  if (!check.ok) {
    console.log(`multipath bench skipped: ${check.reason} (it needs root and network namespaces)`);
    return;
  }
  console.log(`${FLOWS} UDP flows, one next hop failing and returning (ideal: 0% of surviving flows moved; 1/N of all flows moved on return)\n`);
  console.log('| route | next hops | surviving flows moved on failure | all flows moved on return | ideal on return |');
  console.log('|---|---:|---:|---:|---:|');
  for (const nodes of [3, 8]) {
    for (const d of disruptionLab(nodes)) {
      console.log(`| ${d.kind} | ${nodes} | ${d.survivingMovedPct.toFixed(1)}% | ${d.returnMovedPct.toFixed(1)}% | ${(100 / nodes).toFixed(1)}% |`);
    }
  }
  const spread = await perPacketDeviation();
  console.log(`\nper-packet, ${PACKETS} datagrams of one flow over 3 next hops: ${spread.counts.join(' / ')}, largest deviation from an even share ${spread.deviationPct.toFixed(1)}%`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
