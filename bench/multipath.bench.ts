// Flow disruption on the router in front of the SIP nodes, side by side in
// one run: FRR 8.4 as the router (its kernel nexthop group, hash-threshold)
// and ospf-anycastd as the router with `multipath group resilient` and
// `multipath group hash-threshold`, in front of 3 and 8 BIRD nodes
// (bench/multipath/router-lab.ts). A node's OSPF speaker stops and starts
// again; 2,000 UDP flows to the anycast address (source ports
// 20000…, port 5060) are mapped with `ip route get` in the router's
// namespace before, while it is gone and after it returns, for every node
// in turn: the share of the surviving nodes' flows that moved on the
// failure (ideal 0) and of all flows that moved on the return (ideal 1/N),
// the mean over the nodes and the worst node. Then per-packet spreading:
// 3,000 datagrams of one flow through the router to three gateway
// namespaces, counted there with nft, and the largest deviation from an
// even share.
// Needs root and network namespaces; otherwise prints why and exits 0.
// Run: npm run bench -- multipath

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PerPacketSpreader } from '../src/multipath/index.js';
import type { KernelRoute } from '../src/io/kernel-route.js';
import { canRunNamespaces, NetnsLab } from '../src/lab/netns.js';
import { parseIpv4, parsePrefix } from '../src/lib/ipv4.js';
import { missingTools, nodeAddress } from './failover/cluster.js';
import { MultipathRouterLab, ROUTER_KINDS, type RouterKind } from './multipath/router-lab.js';

const ANYCAST = '10.206.206.1';
const FLOWS = 2000;
const PACKETS = 3000;

interface Disruption {
  kind: RouterKind;
  nodes: number;
  /** The kernel object the route used, as read back. */
  kernel: string;
  /** % of the surviving nodes' flows that moved, node 1…N failing in turn. */
  surviving: number[];
  /** % of all flows that moved on the return of node 1…N. */
  returning: number[];
}

const self = fileURLToPath(import.meta.url);
const gateway = (i: number): string => `10.93.0.${i + 2}`;

function ifIndex(name: string): number {
  return Number(spawnSync('cat', [`/sys/class/net/${name}/ifindex`], { encoding: 'utf8' }).stdout.trim());
}

function routeTo(nodes: number, missing?: number): KernelRoute {
  const hops = Array.from({ length: nodes }, (_, i) => i)
    .filter((i) => i !== missing)
    .map((i) => ({ gateway: parseIpv4(gateway(i)), ifIndex: ifIndex('e0') }));
  return { prefix: parsePrefix(`${ANYCAST}/32`), nextHops: hops };
}

/**
 * One router kind in front of `nodes` BIRD nodes: each node in turn stops
 * and returns (with hash-threshold what moves depends on the failing node's
 * place in the group: the middle one of three moves no surviving flow, the
 * first or last a quarter of them).
 */
async function disruption(kind: RouterKind, nodes: number): Promise<Disruption> {
  const lab = new MultipathRouterLab(kind, nodes);
  try {
    await lab.start();
    const kernel = lab.kernelKind();
    const surviving: number[] = [];
    const returning: number[] = [];
    for (let i = 1; i <= nodes; i++) {
      const failedGateway = nodeAddress(i);
      const before = lab.mapFlows(FLOWS);
      await lab.stopNode(i);
      await lab.waitGateways(nodes - 1);
      const during = lab.mapFlows(FLOWS);
      lab.startNode(i);
      await lab.waitGateways(nodes);
      const after = lab.mapFlows(FLOWS);
      const stayed = before.map((via, f) => ({ via, f })).filter((x) => x.via !== failedGateway);
      surviving.push((100 * stayed.filter((x) => during[x.f] !== x.via).length) / stayed.length);
      returning.push((100 * during.filter((via, f) => after[f] !== via).length) / FLOWS);
    }
    return { kind, nodes, kernel, surviving, returning };
  } finally {
    await lab.teardown();
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

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
  const [mode] = process.argv.slice(2);
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
  const missing = missingTools().filter((t) => t.includes('/frr/') || t.includes('bird') || t.endsWith('vtysh') || t.includes('ospf-anycastd'));
  if (missing.length > 0) {
    console.log(`multipath bench skipped: not installed or not built: ${missing.join(', ')}`);
    return;
  }
  console.log(`${FLOWS} UDP flows, one node failing and returning (ideal: 0% of surviving flows moved; 1/N of all flows moved on return)\n`);
  console.log('| router | kernel route | nodes | surviving flows moved on failure, mean (worst node) | all flows moved on return, mean (worst node) | ideal on return |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const nodes of [3, 8]) {
    for (const kind of ROUTER_KINDS) {
      const d = await disruption(kind, nodes);
      const cell = (xs: number[]): string => `${mean(xs).toFixed(1)}% (${Math.max(...xs).toFixed(1)}%)`;
      console.log(`| ${d.kind} | ${d.kernel} | ${nodes} | ${cell(d.surviving)} | ${cell(d.returning)} | ${(100 / nodes).toFixed(1)}% |`);
    }
  }
  const spread = await perPacketDeviation();
  console.log(`\nper-packet, ${PACKETS} datagrams of one flow over 3 next hops: ${spread.counts.join(' / ')}, largest deviation from an even share ${spread.deviationPct.toFixed(1)}%`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
