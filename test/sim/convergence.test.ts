// Seed-swept convergence: random topologies of up to 60 routers, run through
// loss, duplication, reordering, link failures and router restarts; once the
// faults stop and the network goes quiet, every adjacency is as RFC 2328
// 9.4 and 10.4 require, every LSDB is identical, nothing waits for
// retransmission and every router originates what it should.
//
// CI=true sweeps 200 seeds; locally 12 (SIM_SEEDS=n for more). A failure
// prints its seed; SIM_SEED=n runs that seed alone.
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/index.js';
import { createPrng, type Prng } from '../../src/lib/prng.js';
import { checkConvergence, describeState, randomTopology, Simulator, type Topology } from '../../src/sim/index.js';

const CHAOS_MS = 30_000;
const FAULTS = { loss: 0.05, duplicate: 0.03, reorder: 0.1, minDelayMs: 1, maxDelayMs: 5, reorderDelayMs: 40 };
const CALM = { loss: 0, duplicate: 0, reorder: 0, minDelayMs: 1, maxDelayMs: 5 };

function seeds(): number[] {
  if (process.env.SIM_SEED !== undefined) return [Number(process.env.SIM_SEED)];
  const count = Number(process.env.SIM_SEEDS ?? (process.env.CI === 'true' ? 200 : 12));
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** Every eighth seed a large network (45–60 routers), the others 2–30. */
function topologyFor(seed: number, prng: Prng): Topology {
  const routers = seed % 8 === 0 ? prng.int(45, 60) : prng.int(2, 30);
  return randomTopology(prng, {
    routers,
    randomPriorities: true,
    stubSegments: prng.int(0, 2),
    externalsShare: 0.2,
  });
}

/**
 * Failures during the chaos window, each undone before it ends: a segment
 * cut (carrier lost) or blackholed (carrier kept, detected by the dead
 * interval), a port unplugged, a router crash and restart with fresh state.
 * Some end just before the faults stop, so the calm phase has work to do.
 */
function scheduleChaos(sim: Simulator, prng: Prng): void {
  const topology = sim.topology;
  const count = prng.int(0, 3 + Math.floor(topology.routers.length / 8));
  for (let i = 0; i < count; i++) {
    const at = prng.int(1_000, CHAOS_MS - 1_000);
    const lasting = prng.int(500, Math.min(9_000, CHAOS_MS - at));
    const segment = prng.pick(topology.segments);
    switch (prng.int(0, 3)) {
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
    }
  }
}

describe('convergence under faults (RFC 2328 10, 13)', () => {
  it.each(seeds())('seed %i', (seed) => {
    const prng = createPrng(seed);
    const topology = topologyFor(seed, prng.fork());
    const sim = new Simulator({ topology, seed, createCore: createRouter, faults: FAULTS });
    scheduleChaos(sim, prng.fork());
    sim.runFor(CHAOS_MS);
    sim.setFaults(CALM);
    const result = sim.runUntilQuiet({ maxMs: 300_000 });
    const problems = [
      ...(result.quiet ? [] : [`not quiet after ${result.now - CHAOS_MS} ms without faults`]),
      ...checkConvergence(sim),
      ...sim.violations.map((v) => `${v.router} at ${v.now} ms: ${v.what}`),
    ];
    if (problems.length > 0) {
      const header = `seed ${seed} (${topology.routers.length} routers, ${topology.segments.length} links); rerun: SIM_SEED=${seed} npx vitest run test/sim/convergence.test.ts`;
      expect.fail([header, ...problems.slice(0, 30), describeState(sim)].join('\n'));
    }
    expect(problems).toEqual([]);
  });
});
