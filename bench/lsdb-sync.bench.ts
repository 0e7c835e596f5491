// LSDB synchronisation: how long a new router takes to reach Full with a
// neighbor that holds N LSAs (database exchange, RFC 2328 10.6–10.9, then
// the LS Requests and Updates), and what each LSA costs the new router in
// heap once stored. Two cores on one point-to-point link of the simulator,
// zero link delay, so all of the time measured is the engines' own work.
//
// The neighbor holds N AS-external-LSAs (36 bytes each on the wire) that it
// originates from its configuration. The new router starts once they are all
// in place; "engine ms" is the wall-clock time spent inside both cores'
// handle() from that start until both sides report the adjacency Full.
//
// Peer figure for a noisy machine: the same N LSAs built as bytes and stored
// in a Map by a plain loop, the floor any implementation pays.
import type { ExternalRouteConfig } from '../src/core/api.js';
import { createRouter } from '../src/core/index.js';
import { LsaType } from '../src/packet/types.js';
import { Simulator, TopologyBuilder } from '../src/sim/index.js';

const SIZES = [1_000, 10_000, 100_000];
const RUNS: Record<number, number> = { 1_000: 7, 10_000: 7, 100_000: 3 };

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');

function externals(n: number): ExternalRouteConfig[] {
  // 100.0.0.0/24, 100.0.1.0/24, …: N distinct /24s, no two sharing a Link State ID (RFC 2328 E).
  return Array.from({ length: n }, (_, i) => ({
    prefix: { address: (0x64000000 + i * 256) >>> 0, length: 24 },
    metric: 20,
    metricType: 2 as const,
    forwardingAddress: 0,
    tag: 0,
  }));
}

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

interface Sample {
  engineMs: number;
  /** Process CPU time (user + system) over the same span: less disturbed by other load than wall-clock time. */
  cpuMs: number;
  wallMs: number;
  virtualMs: number;
  /** Heap retained by the new router's core, per LSA it stores (freed when the core is dropped); measured when asked. */
  bytesPerLsa?: number;
}

function syncOnce(n: number, measureMemory: boolean): Sample {
  const b = new TopologyBuilder();
  const holder = b.addRouter({ externals: externals(n) });
  const fresh = b.addRouter();
  b.addP2p(holder, fresh);
  const full = new Set<number>();
  const sim = new Simulator({
    topology: b.build(),
    seed: n,
    createCore: createRouter,
    start: false,
    trace: false,
    faults: { minDelayMs: 0, maxDelayMs: 0 },
    observe: (router, output) => {
      if (output.kind === 'event' && output.event.type === 'neighbor-state' && output.event.to === 'Full') full.add(router);
    },
  });
  sim.startRouter(holder);
  const held = () => (sim.core(holder)?.lsdb(sim.now) ?? []).filter((h) => h.type === LsaType.AsExternal).length;
  sim.runFor(10_000);
  if (held() !== n) throw new Error(`the holder originated ${held()} of ${n} AS-external-LSAs`);

  // Collect the set-up's garbage first, so that its collection is not timed as synchronisation.
  heapAfterGc();
  const engineBefore = sim.stats.engineMs;
  const startedAt = sim.now;
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  sim.startRouter(fresh);
  if (!sim.runUntil(() => full.size === 2, 120_000)) throw new Error(`no Full adjacency with ${n} LSAs after 120 s of virtual time`);
  const cpu = process.cpuUsage(cpuStart);
  const sample: Sample = {
    engineMs: sim.stats.engineMs - engineBefore,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - wallStart,
    virtualMs: sim.now - startedAt,
  };
  const stored = sim.core(fresh)?.lsdb(sim.now).length ?? 0;
  if (stored < n + 2) throw new Error(`the new router holds ${stored} LSAs, expected ${n + 2}`);

  if (measureMemory) {
    // What the new router's core retains: the heap freed when it is dropped, once synchronised.
    sim.runFor(100);
    const heapSynced = heapAfterGc();
    sim.stopRouter(fresh);
    const heapReleased = heapAfterGc();
    sample.bytesPerLsa = (heapSynced - heapReleased) / stored;
  }
  return sample;
}

/** The peer: N external-LSA-sized byte strings stored in a Map under string keys by a plain loop. */
function plainLoop(n: number): number {
  const start = performance.now();
  const map = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const raw = new Uint8Array(36);
    const lsId = (0x64000000 + i * 256) >>> 0;
    new DataView(raw.buffer).setUint32(4, lsId);
    map.set(`5/${lsId}/1`, raw);
  }
  const ms = performance.now() - start;
  if (map.size !== n) throw new Error('plain loop lost entries');
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const sizes = process.env.LSDB_SIZES ? process.env.LSDB_SIZES.split(',').map(Number) : SIZES;
console.log('LSAs     | engine ms (median) | min–max        | CPU ms | sim wall ms | virtual ms | plain loop ms | bytes/LSA');
for (const n of sizes) {
  const runs = RUNS[n] ?? 3;
  for (let i = 0; i < 3; i++) syncOnce(Math.min(n, 1_000), false); // warm the JIT on small runs first
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(syncOnce(n, n === sizes[sizes.length - 1] && i === runs - 1));
  const engine = samples.map((s) => s.engineMs);
  const loop = median(Array.from({ length: runs }, () => plainLoop(n)));
  const memory = samples.find((s) => s.bytesPerLsa !== undefined)?.bytesPerLsa;
  console.log(
    [
      String(n).padEnd(8),
      `${median(engine).toFixed(1)} (${runs} runs)`.padEnd(18),
      `${Math.min(...engine).toFixed(1)}–${Math.max(...engine).toFixed(1)}`.padEnd(14),
      median(samples.map((s) => s.cpuMs)).toFixed(1).padEnd(6),
      median(samples.map((s) => s.wallMs)).toFixed(1).padEnd(11),
      median(samples.map((s) => s.virtualMs)).toFixed(0).padEnd(10),
      loop.toFixed(1).padEnd(13),
      memory === undefined ? '' : memory.toFixed(0),
    ].join(' | '),
  );
}
