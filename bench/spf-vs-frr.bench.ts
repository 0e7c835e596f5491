// SPF side by side with FRR ospfd on the same link state database. Two
// namespaces joined by a veth pair (point-to-point on both sides): FRR 8
// zebra + ospfd in one, in the other our topology injector
// (bench/spf-vs-frr/injector.ts: our core on the raw-socket transport),
// which floods a synthetic area of N routers (random graph, average degree
// 6, a stub per router) to FRR. Once FRR is Full and its SPF has settled,
// the injector re-floods one router-LSA with a link cost changed (a higher
// sequence number), several times. After each run FRR reports, the benchmark
// reads FRR's own figures: "Last SPF duration" (`show ip ospf json`,
// spfLastDurationMsecs), the "SPF Time" it logs under `debug ospf event`
// (Dijkstra and intra-area routes, before zebra) and the CPU time of its SPF
// task (`show thread cpu`). Ours: our Spf (src/spf) fed every LSA of the
// injector's LSDB — the LSAs FRR holds — rooted at FRR's router id with
// FRR's interface, full calculations from scratch (every route, as FRR does)
// and after cost changes, on the wall clock and in CPU time. Prints a
// markdown table. Needs root, FRR and network namespaces; otherwise prints
// why and exits 0.
// Run: npm run bench -- spf-vs-frr   (SPF_VS_FRR_SIZES=100,1000,10000,50000 by default)

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonLineChild, NetnsLab, canRunNamespaces, type DriverMessage } from '../src/lab/netns.js';
import { frrBlocker, FrrGrState, frrVersion, startFrr, waitFor, type FrrUnderTest } from './at-scale/peers.js';

const FrrId = '192.0.2.1';
const FrrAddress = '10.255.0.1';
/** Cost changes measured per size. */
const Changes = 9;
/** Our calculations per size and kind. */
const OurRuns = 15;
/** Hello interval on the link, ms (see the README for why not sub-second). */
const HelloMs = 1000;
/**
 * Dead interval on the link, ms: ospfd reads no Hello while it runs an SPF,
 * which takes up to a second at 10,000 routers and 10–50 s at 50,000 (route
 * installation included) on this machine under load, and while 50,000 LSAs
 * arrive it runs one SPF after another with the Hellos queued behind LS
 * Updates: at a load average of 20 it dropped the adjacency after 60 s and
 * after 180 s of that.
 */
function deadMs(routers: number): number {
  return routers > 10_000 ? 600_000 : 10_000;
}

const here = dirname(fileURLToPath(import.meta.url));

interface FrrOspf {
  routerId?: string;
  spfLastDurationMsecs?: number;
  areas?: Record<string, { spfExecutedCounter: number; lsaNumber: number; nbrFullAdjacentCounter: number }>;
}

/**
 * ospfd's totals for its SPF task from `show thread cpu`: CPU milliseconds
 * (user + system, the Runtime column) and calls. ospf_spf_calculate_schedule_worker
 * is the whole SPF run that "Last SPF duration" times: Dijkstra, the routing
 * table, and the routes handed to zebra.
 */
function frrSpfCpu(frr: FrrUnderTest): { cpuMs: number; calls: number } {
  const out = frr.vtysh('show thread cpu');
  const ospfd = out.slice(out.indexOf('Thread statistics for ospfd'));
  const line = ospfd.split('\n').find((l) => l.trim().endsWith('ospf_spf_calculate_schedule_worker'));
  if (line === undefined) return { cpuMs: 0, calls: 0 };
  const [, runtime, calls] = line.trim().split(/\s+/);
  return { cpuMs: Number(runtime), calls: Number(calls) };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Why this benchmark cannot run here, or undefined. */
function blocker(): string | undefined {
  const ns = canRunNamespaces();
  return ns.ok ? frrBlocker() : ns.reason;
}

interface Row {
  routers: number;
  lsas: number;
  routes: number;
  frr: number[];
  frrCpu: number[];
  frrSpf: number[];
  ours: DriverMessage;
}

async function measure(n: number, seed: number): Promise<Row> {
  const lab = new NetnsLab('svf');
  const dir = mkdtempSync(join('/tmp', `${lab.prefix}-`));
  const dead = deadMs(n);
  chmodSync(dir, 0o755); // FRR reads its configuration as user frr
  let injector: JsonLineChild | undefined;
  const output = { text: '' };
  let frr: FrrUnderTest | undefined;
  /** ospfd's "SPF Time" of each run, µs: Dijkstra and the intra-area routes, before anything goes to zebra. */
  const spfTimesUs: number[] = [];
  try {
    const frrNs = lab.namespace('frr');
    const injNs = lab.namespace('inj');
    lab.veth(frrNs, 'e0', injNs, 'e0');
    lab.address(frrNs, 'e0', `${FrrAddress}/30`);
    lab.address(injNs, 'e0', '10.255.0.2/30');
    lab.up(frrNs, 'e0');
    lab.up(injNs, 'e0');

    frr = await startFrr({
      lab,
      ns: frrNs,
      dir,
      output,
      config: [
        'hostname frr',
        // ospfd logs each SPF run's parts (SPF Time, RouteInstall, …) at this debug level.
        'log stdout informational',
        'debug ospf event',
        'interface e0',
        ' ip ospf network point-to-point',
        ` ip ospf hello-interval ${HelloMs / 1000}`,
        ` ip ospf dead-interval ${dead / 1000}`,
        '!',
        'router ospf',
        ` ospf router-id ${FrrId}`,
        ' timers throttle spf 0 50 1000',
        ' network 10.255.0.0/30 area 0',
        '!',
        '',
      ].join('\n'),
      onLine: (line) => {
        const match = /SPF Time: (\d+)/.exec(line);
        if (match !== null) spfTimesUs.push(Number(match[1]));
      },
    });
    const peer = frr;
    const show = (): FrrOspf => {
      try {
        return JSON.parse(peer.vtysh('show ip ospf json')) as FrrOspf;
      } catch {
        return {};
      }
    };

    injector = new JsonLineChild(
      lab.spawn(injNs, process.execPath, [join(here, 'spf-vs-frr', 'injector.js'), 'e0', String(n), String(seed), String(HelloMs), String(dead)]),
    );
    const inj = injector;
    await inj.waitForEvent((m) => m.event === 'neighbor' && m.ifName === 'e0' && m.state === 'Full', 60_000);
    await inj.waitForEvent((m) => m.event === 'neighbor' && m.ifName === 'fake0' && m.state === 'Full', 60_000);
    // RFC 2328 13 (5a): A drops a new instance of F's router-LSA that comes within MinLSArrival (1 s) of the last.
    await sleep(2000);
    await inj.request('load', {}, 120_000);
    const expected = n + 2; // the synthetic routers, the injector and FRR: router-LSAs only
    const area = (): NonNullable<FrrOspf['areas']>[string] | undefined => show().areas?.['0.0.0.0'];
    // ospfd runs an SPF after every few LS Updates while they arrive: 4–9 s each at 50,000 routers on a loaded machine.
    await waitFor(`FRR holding ${expected} LSAs`, () => ((area()?.lsaNumber ?? 0) >= expected ? true : undefined), n > 10_000 ? 900_000 : 300_000, 500);
    // Settled: no SPF for two seconds.
    let counter = area()?.spfExecutedCounter ?? 0;
    await waitFor(
      "FRR's SPF to settle",
      () => {
        const now = area()?.spfExecutedCounter ?? 0;
        const quiet = now === counter;
        counter = now;
        return quiet ? true : undefined;
      },
      120_000,
      2000,
    );

    const frrMs: number[] = [];
    const frrCpuMs: number[] = [];
    const frrSpfMs: number[] = [];
    for (let i = 0; i < Changes; i++) {
      const logged = spfTimesUs.length;
      const before = area()?.spfExecutedCounter ?? 0;
      const cpuBefore = frrSpfCpu(peer);
      await inj.request('change', { index: 1 + ((i * 7919) % (n - 1)) }, 30_000);
      await waitFor('FRR to run SPF after a cost change', () => ((area()?.spfExecutedCounter ?? 0) > before ? true : undefined), 120_000, 100);
      // The SPF ran; make sure no second one is pending before reading the duration.
      await sleep(1500);
      const state = show();
      if (state.areas?.['0.0.0.0'].nbrFullAdjacentCounter !== 1) throw new Error('FRR lost its adjacency with the injector during the measurement');
      frrMs.push(state.spfLastDurationMsecs ?? Number.NaN);
      const cpuAfter = frrSpfCpu(peer);
      frrCpuMs.push((cpuAfter.cpuMs - cpuBefore.cpuMs) / Math.max(1, cpuAfter.calls - cpuBefore.calls));
      frrSpfMs.push(spfTimesUs.length > logged ? spfTimesUs[spfTimesUs.length - 1] / 1000 : Number.NaN);
    }
    const ours = await inj.request('ours', { rootId: FrrId, rootAddress: FrrAddress, runs: OurRuns }, 300_000);
    return { routers: n, lsas: Number(ours.lsas), routes: Number(ours.routes), frr: frrMs, frrCpu: frrCpuMs, frrSpf: frrSpfMs, ours };
  } catch (error) {
    console.error(`FRR output (last lines):\n${output.text}`);
    throw error;
  } finally {
    injector?.child.stdin.end();
    await lab.teardown();
    frr?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const why = blocker();
if (why !== undefined) {
  console.log(`spf-vs-frr: not run: ${why}`);
  process.exit(0);
}
const grSaved = existsSync(FrrGrState) ? readFileSync(FrrGrState, 'utf8') : null;
try {
  const sizes = process.env.SPF_VS_FRR_SIZES?.split(',').filter((s) => s !== '').map(Number) ?? [100, 1_000, 10_000, 50_000];
  console.log(`peer: ${frrVersion()}; load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(
    '| routers | LSAs | routes | FRR last SPF ms | FRR SPF Time ms | FRR run CPU ms | ours ms | ours CPU ms | ours / FRR last SPF | ours / FRR SPF Time | ours CPU / FRR CPU | ours, cost change ms |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of sizes) {
    const r = await measure(n, 20261125 + n);
    const frr = median(r.frr);
    const frrSpf = median(r.frrSpf);
    const frrCpu = median(r.frrCpu);
    const ours = Number(r.ours.scratchWallMs);
    const oursCpu = Number(r.ours.scratchCpuMs);
    const ms = (v: number): string => v.toFixed(2);
    const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;
    console.log(
      `| ${n} | ${r.lsas} | ${r.routes} | ${frr} | ${ms(frrSpf)} | ${ms(frrCpu)} | ${ms(ours)} | ${ms(oursCpu)} | ${pct(ours, frr)} | ${pct(ours, frrSpf)} | ${pct(oursCpu, frrCpu)} | ${ms(Number(r.ours.costWallMs))} |`,
    );
    console.log(`<!-- ${n}: FRR last SPF ms ${r.frr.join(', ')}; FRR SPF Time ms ${r.frrSpf.map(ms).join(', ')}; FRR CPU ms ${r.frrCpu.map(ms).join(', ')}; our cost changes: ${String(r.ours.costRuns)} full, ${String(r.ours.costSkipped)} needing none -->`);
  }
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  if (grSaved === null) rmSync(FrrGrState, { force: true });
  else writeFileSync(FrrGrState, grSaved);
}
