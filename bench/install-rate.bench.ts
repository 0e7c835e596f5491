// Routes into the kernel per second: 10,000 and 100,000 /32 routes through
// one next hop, installed into a throwaway network namespace by the
// RTA_MULTIPATH installer (RouteInstaller), by the nexthop-group installer
// the daemon uses (NexthopInstaller, the route naming a group by RTA_NH_ID),
// and by `ip -batch` with the same routes as the plain loop to compare with.
// Each is timed from the call to the kernel's last answer, median of 3
// rounds, the table emptied between rounds. Then, with the routes in place,
// the read back that the daemon's periodic kernel check makes (refresh():
// dump the table, compare, nothing to repair), beside `ip route show` of
// the same routes.
//
//   namespace oa-bench-<pid>: veth v0 (10.99.0.1/24) ── v1, both ends inside;
//   routes 10.(64 + i / 65536).x.y/32 via 10.99.0.2 dev v0, protocol 188, metric 20
//
// The namespace is deleted at the end, also when a round fails.
// Needs root and network namespaces; otherwise prints why and exits 0.
// Run: npm run bench -- install-rate

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelRoute } from '../src/io/index.js';
import { RouteInstaller } from '../src/io/index.js';
import { canRunNamespaces } from '../src/lab/netns.js';
import { formatPrefix, parseIpv4 } from '../src/lib/ipv4.js';
import { NexthopInstaller } from '../src/multipath/index.js';

const SIZES = [10_000, 100_000];
const ROUNDS = 3;
const GATEWAY = '10.99.0.2';
const BASE = parseIpv4('10.64.0.0');
const self = fileURLToPath(import.meta.url);

type Installer = 'rta-multipath' | 'nexthop-group';

function routes(count: number, ifIndex: number): KernelRoute[] {
  return Array.from({ length: count }, (_, i) => ({ prefix: { address: (BASE + i) >>> 0, length: 32 }, nextHops: [{ gateway: parseIpv4(GATEWAY), ifIndex }] }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** One round: wall-clock ms, and the CPU ms of the process (user + system: the kernel inserts the routes inside sendmsg). */
interface Round {
  ms: number;
  cpuMs: number;
  /** Reading the routes back: refresh(), or `ip route show` for the peer. */
  readMs: number;
}

/** Inside the namespace: install and remove `count` routes ROUNDS times; prints each install's Round as JSON. */
async function inside(kind: Installer, count: number): Promise<void> {
  const ifIndex = Number(readFileSync('/sys/class/net/v0/ifindex', 'utf8').trim());
  const list = routes(count, ifIndex);
  const times: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const installer = kind === 'rta-multipath' ? new RouteInstaller() : new NexthopInstaller({ group: { kind: 'hash-threshold' } });
    try {
      await installer.sweep();
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const result = await installer.sync(list);
      const cpu = process.cpuUsage(cpu0);
      const ms = performance.now() - t0;
      if (result.added.length !== count) throw new Error(`${kind}: ${result.added.length} of ${count} routes added, ${result.failed.length} refused`);
      const t1 = performance.now();
      const check = await installer.refresh();
      const readMs = performance.now() - t1;
      if (check.added.length + check.replaced.length + check.removed.length + check.failed.length !== 0) throw new Error(`${kind}: refresh() changed routes that were in place`);
      times.push({ ms, cpuMs: (cpu.user + cpu.system) / 1000, readMs });
      await installer.removeAll();
    } finally {
      installer.close();
    }
  }
  console.log(JSON.stringify(times));
}

function ip(ns: string, args: string[]): void {
  execFileSync('ip', ['-n', ns, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `ip -batch` adding the same routes, per round (CPU: the ip process's, user + system). */
function ipBatch(ns: string, count: number): Round[] {
  const file = join(tmpdir(), `oa-bench-routes-${process.pid}`);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`route add ${formatPrefix({ address: (BASE + i) >>> 0, length: 32 })} via ${GATEWAY} dev v0 proto 188 metric 20`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const times: Round[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      const cpu0 = childCpuMs();
      ip(ns, ['-batch', file]);
      const ms = performance.now() - t0;
      const cpuMs = childCpuMs() - cpu0;
      const t1 = performance.now();
      ip(ns, ['route', 'show', 'proto', '188']);
      times.push({ ms, cpuMs, readMs: performance.now() - t1 });
      ip(ns, ['route', 'flush', 'proto', '188']);
    }
  } finally {
    rmSync(file, { force: true });
  }
  return times;
}

/** CPU ms of the children waited for so far (getrusage RUSAGE_CHILDREN, from /proc/self/stat, in clock ticks of 10 ms). */
function childCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function viaInstaller(ns: string, kind: Installer, count: number): Round[] {
  const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, self, '--inside', kind, String(count)], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) throw new Error(`${kind} ${count}: ${run.stderr.trim() || run.error?.message}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as Round[];
}

async function main(): Promise<void> {
  if (process.argv[2] === '--inside') {
    await inside(process.argv[3] as Installer, Number(process.argv[4]));
    return;
  }
  const can = canRunNamespaces();
  if (!can.ok) {
    console.log(`install-rate: skipped (${can.reason})`);
    return;
  }
  const ns = `oa-bench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    ip(ns, ['link', 'set', 'lo', 'up']);
    ip(ns, ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    ip(ns, ['address', 'add', '10.99.0.1/24', 'dev', 'v0']);
    ip(ns, ['link', 'set', 'v0', 'up']);
    ip(ns, ['link', 'set', 'v1', 'up']);
    console.log('| routes | installer | median ms | routes/s | median CPU ms | routes per CPU s | rounds, ms | read back, median ms |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |');
    for (const count of SIZES) {
      const rows: [string, Round[]][] = [
        ['ip -batch', ipBatch(ns, count)],
        ['RouteInstaller (RTA_MULTIPATH)', viaInstaller(ns, 'rta-multipath', count)],
        ['NexthopInstaller (RTA_NH_ID)', viaInstaller(ns, 'nexthop-group', count)],
      ];
      for (const [what, times] of rows) {
        const ms = median(times.map((t) => t.ms));
        const cpuMs = median(times.map((t) => t.cpuMs));
        const rate = (per: number): string => Math.round((count / per) * 1000).toLocaleString('en');
        const readMs = median(times.map((t) => t.readMs));
        console.log(`| ${count.toLocaleString('en')} | ${what} | ${ms.toFixed(0)} | ${rate(ms)} | ${cpuMs.toFixed(0)} | ${rate(cpuMs)} | ${times.map((t) => t.ms.toFixed(0)).join(', ')} | ${readMs.toFixed(0)} |`);
      }
    }
  } finally {
    execFileSync('ip', ['netns', 'delete', ns]);
  }
}

await main();
