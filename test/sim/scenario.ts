// The seeded scenario the convergence and determinism tests share: a random
// topology, faults on every link, failures during a chaos window, and the
// check that runs once the faults stop.
import { expect } from 'vitest';
import { createRouter } from '../../src/core/index.js';
import { createPrng, type Prng } from '../../src/lib/prng.js';
import {
  checkConvergence,
  describeState,
  randomTopology,
  Simulator,
  type LinkFaults,
  type SimulatorOptions,
  type Topology,
} from '../../src/sim/index.js';
import { firstSeeds, replay, seeds } from '../helpers/seeds.js';

export const CHAOS_MS = 30_000;

/** Fault rates for the chaos window, heavier for some seeds than others. */
export function faultsFor(prng: Prng): Partial<LinkFaults> {
  return {
    loss: prng.int(0, 20) / 100,
    duplicate: prng.int(0, 10) / 100,
    reorder: prng.int(0, 30) / 100,
    minDelayMs: 1,
    maxDelayMs: prng.int(1, 20),
    reorderDelayMs: 40,
  };
}

/** Once the chaos window ends: no loss, no duplicates, a fixed 1 ms delay, so no reordering either. */
export const CALM = { loss: 0, duplicate: 0, reorder: 0, minDelayMs: 1, maxDelayMs: 1 };

/**
 * A few routers, one of them redistributing 1,000–3,000 routes: database
 * exchange and flooding of a large LSDB through the same faults.
 */
export function bulkTopologyFor(_seed: number, prng: Prng): Topology {
  const topology = randomTopology(prng, { routers: prng.int(3, 8), mtus: [576, 1500] });
  const count = prng.int(1_000, 3_000);
  topology.routers[prng.int(0, topology.routers.length - 1)].externals = Array.from({ length: count }, (_, i) => ({
    prefix: { address: (0x64000000 + i * 256) >>> 0, length: 24 }, // 100.0.0.0/24 onwards
    metric: 1 + (i % 100),
    metricType: 2 as const,
    forwardingAddress: 0,
    tag: 0,
  }));
  return topology;
}

/** Every eighth seed a large network (45–60 routers), the others 2–30. */
export function topologyFor(seed: number, prng: Prng): Topology {
  const routers = seed % 8 === 0 ? prng.int(45, 60) : prng.int(2, 30);
  return randomTopology(prng, {
    routers,
    randomPriorities: true,
    stubSegments: prng.int(0, 2),
    externalsShare: 0.2,
    mtus: [576, 1500, 1500, 1500, 9000],
  });
}

/**
 * Failures during the chaos window, each undone before it ends: a segment
 * cut (carrier lost) or blackholed (carrier kept, detected by the dead
 * interval), a port unplugged, a router crash and restart with fresh state,
 * a graceful shutdown (flushing its LSAs) and a later start, a loopback
 * withdrawn and announced again; and a redistributed route added or removed,
 * which stays. Some end just before the faults stop, so the calm phase has
 * work to do.
 */
function scheduleChaos(sim: Simulator, prng: Prng): void {
  const topology = sim.topology;
  const count = prng.int(0, 3 + Math.floor(topology.routers.length / 8));
  for (let i = 0; i < count; i++) {
    const at = prng.int(1_000, CHAOS_MS - 1_000);
    const lasting = prng.int(500, Math.min(9_000, CHAOS_MS - at));
    const segment = prng.pick(topology.segments);
    switch (prng.int(0, 6)) {
      case 0:
      case 1: {
        const state = prng.chance(0.5) ? 'down' : 'blackhole';
        sim.schedule(at, () => sim.setSegmentState(segment.id, state));
        sim.schedule(at + lasting, () => sim.setSegmentState(segment.id, 'up'));
        break;
      }
      case 2: {
        const router = prng.pick(segment.attachments).router;
        sim.schedule(at, () => sim.setPortUp(segment.id, router, false));
        sim.schedule(at + lasting, () => sim.setPortUp(segment.id, router, true));
        break;
      }
      case 3: {
        const router = prng.int(0, topology.routers.length - 1);
        sim.schedule(at, () => {
          if (sim.isRunning(router)) sim.restartRouter(router);
        });
        break;
      }
      case 4: {
        const router = prng.int(0, topology.routers.length - 1);
        sim.schedule(at, () => {
          if (sim.isRunning(router)) sim.stopRouter(router, { graceful: true });
        });
        sim.schedule(at + lasting, () => {
          if (!sim.isRunning(router)) sim.startRouter(router);
        });
        break;
      }
      case 5: {
        const router = prng.int(0, topology.routers.length - 1);
        const prefix = { address: (0xc0a80000 + i * 256) >>> 0, length: 24 }; // 192.168.i.0/24, one per event
        const remove = prng.chance(0.5);
        sim.schedule(at, () => {
          const config = structuredClone(sim.config(router));
          if (remove && config.externals.length > 0) config.externals.splice(0, 1);
          else config.externals.push({ prefix, metric: 10, metricType: 2, forwardingAddress: 0, tag: i });
          sim.reconfigure(router, config);
        });
        break;
      }
      case 6: {
        const router = prng.int(0, topology.routers.length - 1);
        const prefix = { address: topology.routers[router].loopback, length: 32 };
        const mode = prng.chance(0.5) ? 'withdraw' : 'max-cost';
        sim.schedule(at, () => {
          if (sim.isRunning(router)) sim.input(router, { kind: 'advertise', prefix, mode });
        });
        sim.schedule(at + lasting, () => {
          if (sim.isRunning(router)) sim.input(router, { kind: 'advertise', prefix, mode: 'announce' });
        });
        break;
      }
    }
  }
}

/**
 * Builds the seed's network, runs the chaos window with faults on, then
 * turns the faults off and returns the simulator for the calm phase.
 */
export function chaoticRun(
  seed: number,
  build: (seed: number, prng: Prng) => Topology = topologyFor,
  observe?: SimulatorOptions['observe'],
): Simulator {
  const prng = createPrng(seed);
  const topology = build(seed, prng.fork());
  const sim = new Simulator({ topology, seed, createCore: createRouter, faults: faultsFor(prng.fork()), observe });
  scheduleChaos(sim, prng.fork());
  sim.runFor(CHAOS_MS);
  sim.setFaults(CALM);
  return sim;
}

/** The seeds to sweep (test/helpers/seeds.ts): 1 … the CI or local count as regressions, and `fresh` new ones. */
export function sweepSeeds(ciCount: number, localCount: number, fresh: number): number[] {
  return seeds(firstSeeds(process.env.CI === 'true' ? ciCount : localCount), fresh);
}

/** Lets the calm phase run until quiet and fails with every problem, the seed and how to rerun it. */
export function expectConverged(sim: Simulator, file: string): void {
  const topology = sim.topology;
  const result = sim.runUntilQuiet({ maxMs: 300_000 });
  const problems = [
    ...(result.quiet ? [] : [`not quiet after ${result.now - CHAOS_MS} ms without faults`]),
    ...checkConvergence(sim),
    ...sim.violations.map((v) => `${v.router} at ${v.now} ms: ${v.what}`),
  ];
  if (problems.length > 0) {
    const header = `seed ${sim.seed} (${topology.routers.length} routers, ${topology.segments.length} links); rerun: ${replay(sim.seed)} npx vitest run test/sim/${file}.test.ts`;
    expect.fail([header, ...problems.slice(0, 30), describeState(sim)].join('\n'));
  }
  expect(problems).toEqual([]);
}
