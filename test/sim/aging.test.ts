// A router that leaves: after a crash its LSAs stay until they reach MaxAge
// and are then flushed everywhere (RFC 2328 14); after a graceful shutdown it
// flushes them itself by premature aging (RFC 2328 14.1), within seconds.
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/index.js';
import { formatIpv4 } from '../../src/lib/ipv4.js';
import { checkConvergence, describeState, Simulator, TopologyBuilder, type Topology } from '../../src/sim/index.js';
import { seeds } from '../helpers/seeds.js';

const MAX_AGE_MS = 3600_000;
/** How late past MaxAge a flush may complete: the aging tick and one retransmission. */
const FLUSH_SLACK_MS = 30_000;

// r1 –p2p– r2 ==lan{r2,r3,r4}== r4 –p2p– r5, r5 redistributing two routes.
function line(): Topology {
  const b = new TopologyBuilder();
  const r = [0, 1, 2, 3].map(() => b.addRouter());
  const r5 = b.addRouter({
    externals: [
      { prefix: { address: 0xac100000, length: 24 }, metric: 20, metricType: 2, forwardingAddress: 0, tag: 0 },
      { prefix: { address: 0xac100100, length: 24 }, metric: 20, metricType: 1, forwardingAddress: 0, tag: 0 },
    ],
  });
  b.addP2p(r[0], r[1]);
  b.addBroadcast([r[1], r[2], r[3]]);
  b.addP2p(r[3], r5);
  return b.build();
}

interface Removal {
  router: number;
  key: string;
  now: number;
}

function start(seed: number): { sim: Simulator; removals: Removal[] } {
  const removals: Removal[] = [];
  const sim = new Simulator({
    topology: line(),
    seed,
    createCore: createRouter,
    observe: (router, output, now) => {
      if (output.kind === 'lsdb' && output.change === 'remove') {
        const k = output.key;
        removals.push({ router, key: `${k.type}/${formatIpv4(k.lsId)}/${formatIpv4(k.advRouter)}`, now });
      }
    },
  });
  const settled = sim.runUntilQuiet({ maxMs: 120_000 });
  expect(settled.quiet, `seed ${seed}`).toBe(true);
  expect(checkConvergence(sim), `seed ${seed}\n${describeState(sim)}`).toEqual([]);
  return { sim, removals };
}

const R5 = 4;
const keyOf = (h: { type: number; lsId: number; advRouter: number }): string => `${h.type}/${formatIpv4(h.lsId)}/${formatIpv4(h.advRouter)}`;

describe('a router that leaves the network', () => {
  it.each(seeds([1, 2, 3], 1))('seed %i: after a crash its LSAs live until MaxAge, then are flushed from every LSDB (RFC 2328 14)', (seed) => {
    const { sim, removals } = start(seed);
    sim.runFor(100_000);
    const rid = sim.topology.routers[R5].routerId;
    const held = (r: number) => (sim.core(r)?.lsdb(sim.now) ?? []).filter((h) => h.advRouter === rid);
    const before = held(0);
    // A router-LSA and two AS-external-LSAs.
    expect(before.map((h) => h.type).sort(), `seed ${seed}`).toEqual([1, 5, 5]);
    // When each of r5's LSAs reaches MaxAge, as seen from r1 (every copy ages alike).
    const expiry = new Map(before.map((h) => [keyOf(h), sim.now + (3600 - h.age) * 1000]));
    const first = Math.min(...expiry.values());
    const last = Math.max(...expiry.values());

    sim.stopRouter(R5);
    removals.length = 0;
    expect(sim.runUntilQuiet({ maxMs: 120_000 }).quiet, `seed ${seed}`).toBe(true);
    expect(checkConvergence(sim), `seed ${seed}\n${describeState(sim)}`).toEqual([]);

    // Nobody may flush another router's LSA before it is MaxAge old.
    sim.runFor(first - 2_000 - sim.now);
    for (const r of [0, 1, 2, 3]) expect(held(r).map(keyOf).sort(), `seed ${seed} r${r + 1}`).toEqual([...expiry.keys()].sort());
    expect(removals.filter((x) => expiry.has(x.key)), `seed ${seed}`).toEqual([]);

    sim.runFor(last + FLUSH_SLACK_MS - sim.now);
    for (const r of [0, 1, 2, 3]) expect(held(r), `seed ${seed} r${r + 1}`).toEqual([]);
    const flushed = removals.filter((x) => expiry.has(x.key));
    expect(flushed.length, `seed ${seed}`).toBe(4 * expiry.size);
    for (const x of flushed) {
      const at = expiry.get(x.key) ?? 0;
      expect(x.now, `seed ${seed} ${x.key} at r${x.router + 1}`).toBeGreaterThanOrEqual(at - 1_000);
      expect(x.now, `seed ${seed} ${x.key} at r${x.router + 1}`).toBeLessThanOrEqual(at + FLUSH_SLACK_MS);
    }
    // Everyone else refreshed their own LSAs meanwhile (RFC 2328 12.4, LSRefreshTime) and still agrees.
    expect(sim.runUntilQuiet({ maxMs: 120_000 }).quiet, `seed ${seed}`).toBe(true);
    expect(checkConvergence(sim), `seed ${seed}\n${describeState(sim)}`).toEqual([]);
    expect(sim.now, `seed ${seed}`).toBeGreaterThan(MAX_AGE_MS);
  });

  it.each(seeds([1, 2, 3], 1))('seed %i: after a graceful shutdown its LSAs are flushed within seconds (RFC 2328 14.1)', (seed) => {
    const { sim } = start(seed);
    const rid = sim.topology.routers[R5].routerId;
    const stoppedAt = sim.now;
    sim.stopRouter(R5, { graceful: true });
    const gone = sim.runUntil(() => [0, 1, 2, 3].every((r) => !(sim.core(r)?.lsdb(sim.now) ?? []).some((h) => h.advRouter === rid)), 30_000);
    expect(gone, `seed ${seed}\n${describeState(sim)}`).toBe(true);
    expect(sim.now - stoppedAt).toBeLessThan(30_000);
    expect(sim.runUntilQuiet({ maxMs: 120_000 }).quiet, `seed ${seed}`).toBe(true);
    expect(checkConvergence(sim), `seed ${seed}\n${describeState(sim)}`).toEqual([]);
  });
});
