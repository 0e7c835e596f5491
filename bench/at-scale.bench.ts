// One synthetic area of N routers flooded into the router under test over
// one point-to-point adjacency, FRR 8 (zebra + ospfd) and ospf-anycastd
// measured the same way, one after the other, in the same run:
//
//   router under test (namespace dut) ──veth e0 (hello 1 s)── injector (namespace inj)
//
// The injector (bench/spf-vs-frr/injector.ts: our core on the raw-socket
// transport) holds the whole area (a random graph of average degree 6, one
// /32 stub per router, the point-to-point /30s) before its link comes up;
// then the router under test learns it in one database exchange, as from a
// neighbour that starts. Figures per router, per run:
//
//   idle RSS           the daemons' VmRSS with no neighbour, at least 15 s after start
//   convergence        the injector's link comes up → the last OSPF route the
//                      kernel takes (`ip -ts monitor route`), once the table
//                      holds every prefix of the area
//   Full → routes      the injector's neighbour reaches Full → the same last route
//   install rate       routes / (last − first route event of the convergence):
//                      how fast the routes went into the kernel once they began
//   SPF runs           SPF runs the daemon made up to then
//   loaded RSS         VmRSS 3 s after convergence; growth = (loaded − idle) / N
//   stub withdrawal    a router's LSA re-flooded without its /32 → the kernel
//                      deletes that route (median of WITHDRAWALS, 1 s apart)
//   last SPF           the daemon's own "last SPF duration" after a link-cost
//                      change (median of CHANGES); FRR's includes handing the
//                      routes to zebra, ours is the calculation only
//
// Both run `timers throttle spf 0 50 5000` (FRR's default, and ours).
// Needs root, FRR and network namespaces; otherwise prints why and exits 0.
// A side that does not reach Full and hold every route within
// AT_SCALE_CONVERGE_MS of the link coming up (300 s by default) is reported
// as not converged, with its RSS then and the routes the kernel holds; its
// processes are stopped and the run goes on.
// Run: npm run bench -- at-scale   (AT_SCALE_SIZES=10000, AT_SCALE_RUNS=3 by default;
// AT_SCALE_PEERS=frr,ours; AT_SCALE_CONVERGE_MS; AT_SCALE_NODE_FLAGS, the daemon's node flags: bench/at-scale/peers.ts)

import { mkdtempSync, readFileSync, rmSync, chmodSync, existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canRunNamespaces, JsonLineChild, NetnsLab } from '../src/lab/netns.js';
import { formatIpv4 } from '../src/lib/ipv4.js';
import { KernelWatch } from './at-scale/kernel-watch.js';
import { stubOf } from './spf-vs-frr/topology.js';
import { frrBlocker, FrrGrState, frrVersion, rssBytes, startFrr, startOurs, waitFor, type PeerSetup, type PeerUnderTest } from './at-scale/peers.js';

const here = dirname(fileURLToPath(import.meta.url));
const DutId = '192.0.2.1';
const HelloMs = 1000;
const Withdrawals = 7;
const Changes = 5;
/** From the link coming up to Full and every route in the kernel, no change for 1.5 s: beyond this a side has not converged. */
const ConvergeMs = Number(process.env.AT_SCALE_CONVERGE_MS ?? 300_000);
/** How long after its start a router's idle RSS is read. */
const IdleSettleMs = 15_000;

/** Dead interval: 4 s as in the field at 10,000; at 100,000 FRR reads no Hello for longer than that while it installs. */
function deadMs(routers: number): number {
  return routers > 10_000 ? 60_000 : 4_000;
}

function clock(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function median(samples: number[]): number {
  const sorted = samples.filter((s) => Number.isFinite(s)).sort((x, y) => x - y);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor(sorted.length / 2)] as number);
}

function ospfdConf(routers: number): string {
  return [
    'hostname dut',
    'log stdout notifications',
    'interface e0',
    ' ip ospf network point-to-point',
    ` ip ospf hello-interval ${HelloMs / 1000}`,
    ` ip ospf dead-interval ${deadMs(routers) / 1000}`,
    '!',
    'router ospf',
    ` ospf router-id ${DutId}`,
    ' timers throttle spf 0 50 5000',
    ' network 10.255.0.0/30 area 0',
    '!',
    '',
  ].join('\n');
}

interface Run {
  peer: string;
  /** Whether the side converged within ConvergeMs; if not, only routes, prefixes and the RSS figures are set. */
  converged: boolean;
  routes: number;
  /** Prefixes in the area. */
  prefixes: number;
  idleRss: number;
  loadedRss: number;
  convergenceMs: number;
  fullToRoutesMs: number;
  routesPerSecond: number;
  /** Route notifications `ip monitor` did not see during the convergence. */
  missed: number;
  spfRunsAtConvergence: number;
  withdrawalMs: number[];
  lastSpfMs: number[];
}

async function measure(kind: 'frr' | 'ours', n: number, seed: number): Promise<Run> {
  const lab = new NetnsLab('scale');
  const dir = mkdtempSync(join('/tmp', `${lab.prefix}-`));
  chmodSync(dir, 0o755); // FRR reads its configuration as user frr
  const output = { text: '' };
  let peer: (PeerUnderTest & { stop(): void }) | undefined;
  let watch: KernelWatch | undefined;
  try {
    const dut = lab.namespace('dut');
    const inj = lab.namespace('inj');
    lab.veth(dut, 'e0', inj, 'e0');
    lab.address(dut, 'e0', '10.255.0.1/30');
    lab.address(inj, 'e0', '10.255.0.2/30');
    lab.up(dut, 'e0');
    lab.up(inj, 'e0');
    const setup: PeerSetup = { lab, ns: dut, dir, config: ospfdConf(n), output };
    peer = kind === 'frr' ? await startFrr(setup) : await startOurs(setup);
    const startedAt = performance.now();
    const p = peer;
    const rss = (): number => p.pids().reduce((sum, pid) => sum + rssBytes(pid), 0);
    watch = new KernelWatch(lab, dut);
    const w = watch;

    const injector = new JsonLineChild(
      lab.spawn(inj, process.execPath, [join(here, 'spf-vs-frr', 'injector.js'), 'e0', String(n), String(seed), String(HelloMs), String(deadMs(n)), 'on-request']),
    );
    await injector.waitForEvent((m) => m.event === 'neighbor' && m.ifName === 'fake0' && m.state === 'Full', 60_000);
    // RFC 2328 13 (5a): the injector's core drops a new instance of router 0's LSA within MinLSArrival (1 s) of the last.
    await sleep(2000);
    const loaded = await injector.request('load', {}, 600_000);
    const prefixes = Number(loaded.prefixes);
    // Idle is the settled state: V8's memory reducer gives back what the start left behind about 10 s after it.
    await sleep(Math.max(3000, IdleSettleMs - (performance.now() - startedAt)));
    const idleRss = rss();

    const from = w.events.length;
    const { at: upAt } = await injector.request('up', {}, 10_000);
    const deadline = performance.now() + ConvergeMs;
    const left = (): number => Math.max(0, deadline - performance.now());
    const full = await injector
      .waitForEvent((m) => m.event === 'neighbor' && m.ifName === 'e0' && m.state === 'Full', ConvergeMs)
      .catch((error: unknown) => {
        // A side that is not Full in time has not converged; an injector that is gone is an error.
        if (injector.child.exitCode !== null || injector.child.signalCode !== null) throw error;
        return undefined;
      });
    // Every prefix of the area in the table, and no route change for 1.5 s.
    let held = w.count();
    for (; full !== undefined && held < prefixes && left() > 0; held = w.count()) await sleep(n > 10_000 ? 2000 : 250);
    const settled =
      held >= prefixes &&
      (await waitFor(
        'the routes to settle',
        () => {
          const last = w.events[w.events.length - 1];
          return last !== undefined && clock() - last.at > 1500 ? true : undefined;
        },
        left(),
        250,
      ).then(
        () => true,
        () => false,
      ));
    if (full === undefined || !settled) {
      const none = { convergenceMs: NaN, fullToRoutesMs: NaN, routesPerSecond: NaN, missed: NaN, spfRunsAtConvergence: NaN, withdrawalMs: [], lastSpfMs: [] };
      return { peer: p.name, converged: false, routes: w.count(), prefixes, idleRss, loadedRss: rss(), ...none };
    }
    const lastRoute = (w.events[w.events.length - 1] as { at: number }).at;
    const firstRoute = (w.events[from] as { at: number }).at;
    // Under load `ip monitor` may miss notifications (ENOBUFS); the last route it saw still ends the convergence.
    const missed = Math.max(0, prefixes - (w.events.length - from));
    const spfRunsAtConvergence = p.spf().runs;
    const routes = w.count();
    await sleep(3000);
    const loadedRss = rss();

    // Stub withdrawals: wait out the largest hold time (5 s) so each starts a quiet SPF throttle.
    await sleep(5500);
    const withdrawalMs: number[] = [];
    for (let i = 0; i < Withdrawals; i++) {
      const index = 1 + ((i * 7919 + 17) % (n - 1));
      const prefix = `${formatIpv4(stubOf(index))}/32`;
      const mark = w.events.length;
      const { at } = await injector.request('withdraw', { index }, 30_000);
      // A deletion `ip monitor` missed counts as no sample (NaN), once the route is seen gone.
      const gone = await w.next((e) => e.deleted && e.prefix === prefix, mark, 30_000).catch(() => undefined);
      if (gone === undefined) await waitFor(`${prefix} gone from the kernel`, () => (w.holds(prefix) ? undefined : true), 120_000, 500);
      withdrawalMs.push(gone === undefined ? Number.NaN : gone.at - Number(at));
      await sleep(1000);
    }

    const lastSpfMs: number[] = [];
    for (let i = 0; i < Changes; i++) {
      const before = p.spf().runs;
      await injector.request('change', { index: 1 + ((i * 104729) % (n - 1)) }, 30_000);
      await waitFor('an SPF run after a cost change', () => (p.spf().runs > before ? true : undefined), 120_000, 100);
      await sleep(1500); // no second run pending
      lastSpfMs.push(p.spf().lastMs ?? Number.NaN);
    }
    injector.child.stdin.end();
    return {
      peer: p.name,
      converged: true,
      routes,
      prefixes,
      idleRss,
      loadedRss,
      convergenceMs: lastRoute - Number(upAt),
      fullToRoutesMs: lastRoute - Number(full.at),
      routesPerSecond: (1000 * routes) / Math.max(1, lastRoute - firstRoute),
      missed,
      spfRunsAtConvergence,
      withdrawalMs,
      lastSpfMs,
    };
  } catch (error) {
    console.error(`${kind} output (last lines):\n${output.text}`);
    throw error;
  } finally {
    watch?.stop();
    await lab.teardown();
    peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const why = canRunNamespaces().ok ? frrBlocker() : canRunNamespaces().reason;
if (why !== undefined) {
  console.log(`at-scale: not run: ${why}`);
  process.exit(0);
}
const grSaved = existsSync(FrrGrState) ? readFileSync(FrrGrState, 'utf8') : null;
try {
  const sizes = process.env.AT_SCALE_SIZES?.split(',').filter((s) => s !== '').map(Number) ?? [10_000];
  const rounds = Number(process.env.AT_SCALE_RUNS ?? 3);
  // AT_SCALE_PEERS=ours (or frr) measures one side only, to compare builds or flags; the ratios then need both.
  const peers = (process.env.AT_SCALE_PEERS ?? 'frr,ours').split(',');
  console.log(`peer: ${frrVersion()}; ${rounds} rounds per size, FRR and ours alternating; load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  for (const n of sizes) {
    const runs: Record<'frr' | 'ours', Run[]> = { frr: [], ours: [] };
    for (let round = 0; round < rounds; round++) {
      const order: ('frr' | 'ours')[] = round % 2 === 0 ? ['frr', 'ours'] : ['ours', 'frr'];
      for (const kind of order.filter((k) => peers.includes(k))) {
        const run = await measure(kind, n, 20261207 + n);
        runs[kind].push(run);
        if (!run.converged) {
          console.log(
            `<!-- ${n} ${run.peer} round ${round + 1}: not converged within ${ConvergeMs / 1000} s, ${run.routes} of ${run.prefixes} routes in the kernel; RSS ${mb(run.idleRss)} → ${mb(run.loadedRss)} MB; load ${loadavg()[0]?.toFixed(1)} -->`,
          );
          continue;
        }
        console.log(
          `<!-- ${n} ${run.peer} round ${round + 1}: convergence ${ms(run.convergenceMs)} ms, Full → routes ${ms(run.fullToRoutesMs)} ms, ${run.routesPerSecond.toFixed(0)} routes/s (monitor missed ${run.missed}), ${run.spfRunsAtConvergence} SPF runs, ${run.routes} routes; ` +
            `RSS ${mb(run.idleRss)} → ${mb(run.loadedRss)} MB; withdrawal ms ${run.withdrawalMs.map(ms).join(', ')}; last SPF ms ${run.lastSpfMs.map(ms).join(', ')}; load ${loadavg()[0]?.toFixed(1)} -->`,
        );
      }
    }
    // Medians over the rounds that converged; a side with none shows how its rounds ended instead.
    const converged = (kind: 'frr' | 'ours'): Run[] => runs[kind].filter((r) => r.converged);
    const figure = (kind: 'frr' | 'ours', f: (r: Run) => number): number => median(converged(kind).map(f));
    const failed = (kind: 'frr' | 'ours'): Run | undefined => (runs[kind].length > 0 && converged(kind).length === 0 ? runs[kind][0] : undefined);
    // What a side with no converged round shows in a row instead of a figure: how it ended, its RSS, or nothing.
    const limit = (r: Run): string => `not converged within ${ConvergeMs / 1000} s: ${r.routes} of ${r.prefixes} routes in the kernel`;
    const rows: [string, (r: Run) => number, (v: number) => string, (r: Run) => string][] = [
      ['the link comes up → all routes in the kernel, ms', (r) => r.convergenceMs, ms, limit],
      ['the neighbour Full → all routes in the kernel, ms', (r) => r.fullToRoutesMs, ms, () => '–'],
      ['routes into the kernel per second, first route to last', (r) => r.routesPerSecond, (v) => v.toFixed(0), () => '–'],
      ['SPF runs until then', (r) => r.spfRunsAtConvergence, String, () => '–'],
      ['one stub /32 withdrawn → gone from the kernel, ms', (r) => median(r.withdrawalMs), ms, () => '–'],
      ["the daemon's own last SPF duration after a cost change, ms", (r) => median(r.lastSpfMs), ms, () => '–'],
      ['RSS idle (no neighbour), MB', (r) => r.idleRss, mb, (r) => mb(r.idleRss)],
      [`RSS with the ${n}-router area, MB`, (r) => r.loadedRss, mb, (r) => `${mb(r.loadedRss)} at the limit`],
      ['growth per router, KB', (r) => (r.loadedRss - r.idleRss) / n, (v) => (v / 1024).toFixed(2), () => '–'],
    ];
    const routesOf = (kind: 'frr' | 'ours'): number | string => converged(kind)[0]?.routes ?? '?';
    console.log(`\n${n} routers, ${routesOf('frr')} routes (FRR) / ${routesOf('ours')} (ospf-anycastd); medians of ${rounds} rounds\n`);
    console.log('| figure | FRR | ospf-anycastd | ours / FRR |');
    console.log('|---|---:|---:|---:|');
    const bothConverged = failed('frr') === undefined && failed('ours') === undefined;
    for (const [label, f, format, instead] of rows) {
      const frr = figure('frr', f);
      const ours = figure('ours', f);
      const cell = (kind: 'frr' | 'ours', value: number): string => {
        const run = failed(kind);
        return run === undefined ? format(value) : instead(run);
      };
      console.log(`| ${label} | ${cell('frr', frr)} | ${cell('ours', ours)} | ${bothConverged ? (ours / frr).toFixed(2) : '–'} |`);
    }
  }
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  if (grSaved === null) rmSync(FrrGrState, { force: true });
  else writeFileSync(FrrGrState, grSaved);
}
