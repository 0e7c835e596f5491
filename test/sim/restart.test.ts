// A router that restarts with fresh state meets its own LSAs from before the
// restart in its neighbors' databases; RFC 2328 13.4 makes it take them back:
// it re-originates with a sequence number past theirs, or flushes the ones
// it no longer originates, and every LSDB ends up with its new instances.
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/index.js';
import { decodeLsaBody } from '../../src/packet/index.js';
import { LsaType, type LsaHeader } from '../../src/packet/types.js';
import { checkConvergence, describeState, Simulator, TopologyBuilder, type Topology } from '../../src/sim/index.js';
import { seeds } from '../helpers/seeds.js';

// r1 (priority 2, two externals) on lan1 with r2 and r3; a ring r1 – r4 – r2.
function network(): Topology {
  const b = new TopologyBuilder();
  const r1 = b.addRouter({
    externals: [
      { prefix: { address: 0xac100000, length: 24 }, metric: 20, metricType: 2, forwardingAddress: 0, tag: 0 },
      { prefix: { address: 0xac100100, length: 24 }, metric: 30, metricType: 2, forwardingAddress: 0, tag: 7 },
    ],
  });
  const [r2, r3, r4] = [b.addRouter(), b.addRouter(), b.addRouter()];
  b.addBroadcast([{ router: r1, priority: 2 }, r2, r3]);
  b.addP2p(r1, r4);
  b.addP2p(r4, r2);
  return b.build();
}

const R1 = 0;
const LAN = 0;
const R1_R4 = 1;

function settle(sim: Simulator, what: string): void {
  const result = sim.runUntilQuiet({ maxMs: 120_000 });
  expect(result.quiet, `seed ${sim.seed}: ${what}`).toBe(true);
  expect(checkConvergence(sim), `seed ${sim.seed}: ${what}\n${describeState(sim)}`).toEqual([]);
}

/** r1's LSAs as r2 holds them, by "type/lsId". */
function heldByR2(sim: Simulator): Map<string, LsaHeader> {
  const rid = sim.topology.routers[R1].routerId;
  const db = sim.core(1)?.lsdb(sim.now) ?? [];
  return new Map(db.filter((h) => h.advRouter === rid).map((h) => [`${h.type}/${h.lsId}`, h]));
}

/**
 * Brings the network up and pushes r1's sequence numbers well past the
 * initial one: its link to r4 flaps (new router-LSAs) and its external
 * metrics change at run time (new AS-external-LSAs), so the instances the
 * others hold differ from what r1 originates after a restart.
 */
function warmUp(seed: number): Simulator {
  const sim = new Simulator({ topology: network(), seed, createCore: createRouter });
  settle(sim, 'start');
  for (let i = 0; i < 3; i++) {
    sim.setPortUp(R1_R4, R1, false);
    sim.runFor(10_000);
    sim.setPortUp(R1_R4, R1, true);
    const config = structuredClone(sim.config(R1));
    config.externals = config.externals.map((e) => ({ ...e, metric: e.metric + 100 * (i + 1) }));
    sim.input(R1, { kind: 'config', config });
    settle(sim, `flap ${i + 1}`);
  }
  return sim;
}

const restartSeeds = seeds([1, 2, 3, 4, 5], 1);

describe('restart with fresh state (RFC 2328 13.4)', () => {
  it.each(restartSeeds)('seed %i: its new instances win over the stale ones its neighbors hold', (seed) => {
    const sim = warmUp(seed);
    const stale = heldByR2(sim);
    for (const h of stale.values()) expect(h.seq, `seed ${seed}`).toBeGreaterThan(-0x7fffffff);
    const routerKey = `${LsaType.Router}/${sim.topology.routers[R1].routerId}`;
    expect(stale.get(routerKey)?.seq, `seed ${seed}`).toBeGreaterThan(-0x7fffffff + 2);
    sim.restartRouter(R1);
    settle(sim, 'restart');
    const fresh = heldByR2(sim);
    // Same LSAs still wanted (router-LSA, externals, and the network-LSA if r1 is DR again)…
    for (const [key, old] of stale) {
      if (old.type === LsaType.Network && !fresh.has(key)) continue;
      // …each a newer instance than the one from before the restart.
      expect(fresh.get(key)?.seq, `seed ${seed} ${key}`).toBeGreaterThan(old.seq);
    }
    expect(fresh.get(routerKey)?.seq, `seed ${seed}`).toBeGreaterThan(stale.get(routerKey)?.seq ?? Infinity);
    // The externals carry the configured metrics again, not the run-time ones from before.
    for (const h of fresh.values()) {
      if (h.type !== LsaType.AsExternal) continue;
      const lsa = sim.core(2)?.lsa(h, sim.now);
      const body = lsa === undefined ? undefined : decodeLsaBody(lsa);
      const configured = sim.config(R1).externals.find((e) => e.prefix.address === h.lsId);
      expect(body?.kind === 'external' ? body.routes[0].metric : undefined, `seed ${seed}`).toBe(configured?.metric);
    }
  });

  it.each(restartSeeds)('seed %i: LSAs it no longer originates are flushed, not left to age (13.4)', (seed) => {
    const sim = warmUp(seed);
    const rid = sim.topology.routers[R1].routerId;
    const externalsBefore = [...heldByR2(sim).values()].filter((h) => h.type === LsaType.AsExternal);
    expect(externalsBefore.length, `seed ${seed}`).toBe(2);
    // Restart without redistribution and unable to become DR.
    const config = structuredClone(sim.config(R1));
    config.externals = [];
    const lan = sim.topology.segments[LAN].attachments.find((a) => a.router === R1);
    config.interfaces[lan?.ifName ?? ''] = { ...config.interfaces[lan?.ifName ?? ''], priority: 0 };
    sim.stopRouter(R1);
    sim.startRouter(R1, config);
    settle(sim, 'restart');
    for (let r = 0; r < sim.routerCount; r++) {
      const leftovers = (sim.core(r)?.lsdb(sim.now) ?? []).filter(
        (h) => h.advRouter === rid && (h.type === LsaType.AsExternal || h.type === LsaType.Network),
      );
      expect(leftovers, `seed ${seed} r${r + 1}`).toEqual([]);
    }
    expect(sim.now).toBeLessThan(300_000);
  });

  it.each(restartSeeds)('seed %i: a restart in the middle of faults still ends identical everywhere', (seed) => {
    const sim = warmUp(seed);
    sim.setFaults({ loss: 0.2, duplicate: 0.1, reorder: 0.2, minDelayMs: 1, maxDelayMs: 10, reorderDelayMs: 50 });
    sim.restartRouter(R1);
    sim.runFor(3_000);
    sim.restartRouter(R1);
    sim.runFor(20_000);
    sim.setFaults({ loss: 0, duplicate: 0, reorder: 0 });
    settle(sim, 'restarts under faults');
  });
});
