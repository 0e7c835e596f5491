// Failover: the time from a SIP proxy's failure on a node to the upstream
// FRR router's kernel route to the anycast /32 no longer having that node as
// a next hop. One lab (bench/failover/cluster.ts), real Kamailio everywhere,
// FRR ospfd as the router:
//   - nodes 1 and 2 run ospf-anycastd supervising Kamailio (`check process`,
//     `check sip-options … interval 200 timeout 100 rise 10 fall 2`); rounds of
//     kill -9 of Kamailio's main process, and rounds of SIGSTOP of all its
//     processes (a hung proxy);
//   - node 3 runs what operators use today: BIRD 2 announcing the /32 from lo
//     as a stub, Kamailio on its own, and a shell script that checks every
//     second whether Kamailio runs and takes the /32 off lo when it does not;
//     rounds of kill -9 of every Kamailio process (what systemd does to the
//     unit's cgroup when the main process dies).
// The route is watched with `ip monitor route` in the router's namespace;
// each change is timed when this process reads it. Rounds run one at a time,
// alternating nodes, each after the lab is back to three next hops and the
// speakers' MinLSInterval has passed (1 s for ospf-anycastd's anycast
// prefixes, 5 s for BIRD), and a node's Kamailio is killed again only after
// it has run 10 s (the supervisor's crash-loop backoff is then back to 100 ms).
// Needs root, network namespaces, FRR, BIRD and Kamailio; otherwise prints why and exits 0.
// Run: npm run bench -- failover

import { loadavg } from 'node:os';
import { canRunNamespaces } from '../src/lab/netns.js';
import { KamailioCluster, RouteMonitor, missingTools, nodeAddress, until } from './failover/cluster.js';

const ROUNDS = Number(process.env.FAILOVER_ROUNDS ?? 20);
/** The nodes' sip-options interval (bench/failover/cluster.ts). */
const HUNG_INTERVAL_MS = 200;
const ALL = [nodeAddress(1), nodeAddress(2), nodeAddress(3)];
const TARGET_DEATH_MS = 50;
const TARGET_HUNG_MS = 200 * 2 + 50;
/** A little over the supervisor's stableAfterMs (10 s). */
const STABLE_MS = 10_500;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stats(samples: number[]): { median: number; p99: number; worst: number; best: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  // Nearest rank: with fewer than 100 samples the 99th percentile is the worst.
  const p99 = sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] as number;
  return { median, p99, worst: sorted[sorted.length - 1] as number, best: sorted[0] as number };
}

/** Signals every process of a list; one that has exited meanwhile (a worker gone with its parent) is skipped. */
function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

async function allBack(cluster: KamailioCluster, what: string): Promise<void> {
  await until(`three next hops again (${what})`, () => JSON.stringify(cluster.gateways()) === JSON.stringify(ALL), 30_000, 50);
}

/** One failure on node i: returns the milliseconds from `fail()` to FRR's route without the node. */
async function round(monitor: RouteMonitor, i: number, fail: () => void): Promise<number> {
  const since = performance.now();
  fail();
  const at = await monitor.waitFor((gateways) => !gateways.includes(nodeAddress(i)), since, 10_000);
  return at - since;
}

async function main(): Promise<number> {
  const ns = canRunNamespaces();
  if (!ns.ok) {
    console.log(`failover bench skipped: ${ns.reason} (it needs root and network namespaces)`);
    return 0;
  }
  const missing = missingTools();
  if (missing.length > 0) {
    console.log(`failover bench skipped: not installed: ${missing.join(', ')} (build first: npm run build)`);
    return 0;
  }
  const loads: number[] = [loadavg()[0] as number];
  const cluster = new KamailioCluster('fo', ['anycastd', 'anycastd', 'bird-script']);
  try {
    await cluster.startRouter();
    await cluster.startNodes();
    await allBack(cluster, 'start');
    const monitor = new RouteMonitor(cluster.net, cluster.router);
    cluster.captureLsUpdates(1);
    cluster.captureLsUpdates(2);
    await sleep(1500);

    const row = (what: string, samples: number[], target: string): string => {
      const s = stats(samples);
      return `| ${what} | ${samples.length} | ${s.median.toFixed(1)} | ${s.worst.toFixed(1)} | ${s.best.toFixed(1)} | ${target} |`;
    };
    console.log(`rounds: ${ROUNDS} each`);
    console.log('| failure → FRR kernel route without the node | rounds | median ms | worst ms | best ms | target |');
    console.log('|---|---:|---:|---:|---:|---|');
    const death: number[] = [];
    const detect: number[] = [];
    // Verdict (the daemon's "advertise withdraw" line, ms resolution, so up to 1 ms high) to its first LS Update on the wire.
    const wire: number[] = [];
    const onWire = (i: number, withdrawnAt: number): void => {
      const sent = cluster.lsUpdates(i).find((t) => t >= withdrawnAt);
      if (sent !== undefined) wire.push(sent - withdrawnAt);
    };
    // The supervisor restarts a proxy that keeps dying with a growing delay, back to
    // 100 ms once it has stayed up 10 s: each node rests that long between kills.
    const upSince = new Map([[1, performance.now()], [2, performance.now()]]);
    for (let r = 0; r < ROUNDS; r++) {
      const i = 1 + (r % 2);
      await sleep(Math.max(0, (upSince.get(i) as number) + STABLE_MS - performance.now()));
      const main = cluster.kamailioMain(i);
      const killedAt = Date.now();
      death.push(await round(monitor, i, () => process.kill(main, 'SIGKILL')));
      const withdrawnAt = cluster.withdrawals(i).find((t) => t >= killedAt - 1);
      if (withdrawnAt !== undefined) detect.push(withdrawnAt - killedAt);
      await allBack(cluster, `n${i} restarted`);
      if (withdrawnAt !== undefined) onWire(i, withdrawnAt);
      upSince.set(i, performance.now());
      await sleep(1200);
    }
    loads.push(loadavg()[0] as number);
    console.log(row('ospf-anycastd: Kamailio killed (kill -9)', death, `≤ ${TARGET_DEATH_MS} ms median`));

    const hung: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const i = 1 + (r % 2);
      // A random phase against the node's probes: each round's start is otherwise tied to the
      // probe that announced the node again, and every round would meet the same phase.
      await sleep(Math.random() * HUNG_INTERVAL_MS);
      const pids = cluster.kamailioPids(i);
      const stoppedAt = Date.now();
      try {
        hung.push(await round(monitor, i, () => signalAll(pids, 'SIGSTOP')));
      } finally {
        signalAll(pids, 'SIGCONT');
      }
      await allBack(cluster, `n${i} continued`);
      const withdrawnAt = cluster.withdrawals(i).find((t) => t >= stoppedAt - 1);
      if (withdrawnAt !== undefined) onWire(i, withdrawnAt);
      await sleep(1200);
    }
    loads.push(loadavg()[0] as number);
    console.log(row('ospf-anycastd: Kamailio hung (SIGSTOP; sip-options interval 200, timeout 100, fall 2)', hung, `≤ ${TARGET_HUNG_MS} ms`));

    const script: number[] = [];
    const bird = cluster.nodes[2] as (typeof cluster.nodes)[number];
    await sleep(5000);
    for (let r = 0; r < ROUNDS; r++) {
      const pids = cluster.kamailioPids(3);
      script.push(await round(monitor, 3, () => signalAll(pids, 'SIGKILL')));
      await until('the killed Kamailio to be gone', () => cluster.kamailioPids(3).length === 0, 5000);
      cluster.startBirdKamailio(bird);
      await allBack(cluster, 'n3 restarted');
      await sleep(5500);
    }
    loads.push(loadavg()[0] as number);

    console.log(row('BIRD 2 + 1 s health-check script: Kamailio killed', script, '—'));
    console.log(`load average (1 min) at start and after each series: ${loads.map((l) => l.toFixed(1)).join(', ')}`);
    const d = stats(detect);
    console.log(`kill -9 → the node's daemon logs its withdrawal (wall clock, ms resolution, ${detect.length} rounds): median ${d.median.toFixed(1)}, worst ${d.worst.toFixed(1)} ms; the rest is the LSA's flooding, FRR's SPF and zebra's route install`);
    const w = stats(wire);
    console.log(`verdict → LS Update on the wire (tcpdump on the node's link, ${wire.length} rounds of both series): median ${w.median.toFixed(2)}, p99 ${w.p99.toFixed(2)}, worst ${w.worst.toFixed(2)} ms (target p99 ≤ 5 ms)`);
    console.log(`raw kill -9 (ms): ${death.map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`raw SIGSTOP (ms): ${hung.map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`raw BIRD + script (ms): ${script.map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`raw verdict → wire (ms): ${wire.map((x) => x.toFixed(2)).join(' ')}`);
    return 0;
  } catch (err) {
    console.error(`failover bench failed: ${err instanceof Error ? err.message : String(err)}\n${cluster.report()}`);
    return 1;
  } finally {
    await cluster.teardown();
  }
}

main().then((status) => process.exit(status));
