// The seeded scenario the convergence and determinism tests share: a random
// topology, faults on every link, and failures during a chaos window.
import { createRouter } from '../../src/core/index.js';
import { createPrng, type Prng } from '../../src/lib/prng.js';
import { randomTopology, Simulator, type Topology } from '../../src/sim/index.js';

export const CHAOS_MS = 30_000;
export const FAULTS = { loss: 0.05, duplicate: 0.03, reorder: 0.1, minDelayMs: 1, maxDelayMs: 5, reorderDelayMs: 40 };
export const CALM = { loss: 0, duplicate: 0, reorder: 0, minDelayMs: 1, maxDelayMs: 5 };

/** Every eighth seed a large network (45–60 routers), the others 2–30. */
export function topologyFor(seed: number, prng: Prng): Topology {
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

/**
 * Builds the seed's network, runs the chaos window with faults on, then
 * turns the faults off and returns the simulator for the calm phase.
 */
export function chaoticRun(seed: number): Simulator {
  const prng = createPrng(seed);
  const topology = topologyFor(seed, prng.fork());
  const sim = new Simulator({ topology, seed, createCore: createRouter, faults: FAULTS });
  scheduleChaos(sim, prng.fork());
  sim.runFor(CHAOS_MS);
  sim.setFaults(CALM);
  return sim;
}
