// An FRR router restarting its OSPF gracefully (RFC 3623) in front of three
// ospf-anycastd nodes: `graceful-restart prepare ip ospf` floods grace-LSAs,
// ospfd is killed and started again, as FRR's documentation describes. The
// nodes, helpers by default (RFC 3623 3), keep the adjacency and the router's
// LSAs through the restart, so the client subnet behind the router never
// leaves their kernels, watched by `ip monitor route`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { interopGate, sleep, waitFor, type FrrRouter } from '../helpers/peers.js';
import { RouteWatch } from '../helpers/route-watch.js';
import { CLIENT_NET, CONVERGE_MS, ROUTER_ADDRESS, ROUTER_ID, reportOnFailure, seedLab, startSeedLab, type SeedLab } from './labs.js';
import type { NeighborRowView } from '../../src/control/views.js';

const gate = interopGate('graceful restart interop tests', ['frr']);
/** FRR's grace period, seconds: the time a restart without helpers leaves the nodes without the router's routes. */
const GRACE_PERIOD_S = 60;
/** How long the grace-LSAs may take to reach every node after `graceful-restart prepare`. */
const HELPERS_MS = 10_000;

describe.skipIf(gate.skip)('an FRR router restarting gracefully in front of ospf-anycastd nodes', () => {
  let seed: SeedLab | undefined;
  const current = (): SeedLab => {
    if (seed === undefined) throw new Error('the lab was not built');
    return seed;
  };
  const detail = (): Promise<string> => current().lab.report();
  /** The node's view of the router as a neighbor (show neighbors --json). */
  const routerSeenBy = async (i: number): Promise<NeighborRowView | undefined> => {
    const node = current().nodes.find((n) => n.i === i);
    if (node === undefined) throw new Error(`no node n${i}`);
    const rows = await node.daemon.cli<NeighborRowView[]>('show', 'neighbors');
    return rows.find((r) => r.routerId === ROUTER_ID);
  };

  beforeAll(async () => {
    seed = seedLab('gr', 'frr', 3, {
      routerConf: (conf) => conf.replace(' redistribute connected', ` capability opaque\n graceful-restart grace-period ${GRACE_PERIOD_S}\n redistribute connected`),
    });
    await startSeedLab(seed);
    for (const { ns, i } of seed.nodes) {
      await waitFor(`${CLIENT_NET} on n${i}`, () => current().lab.gateways(ns, CLIENT_NET, 'ospf').length === 1, { timeoutMs: CONVERGE_MS, detail });
    }
  }, 120_000);

  afterAll(async () => {
    await seed?.lab.teardown();
  });

  beforeEach(() => reportOnFailure(() => seed?.lab));

  it('RFC 3623 3: the nodes help the restarting router, and its client subnet never leaves their kernels', async () => {
    const { lab, nodes } = current();
    const frr = current().router.peer as FrrRouter;
    const watches = nodes.map((n) => new RouteWatch(lab.net, n.ns, CLIENT_NET, true));
    try {
      await Promise.all(watches.map((w) => w.ready()));
      // A restart is prepared on a quiet network: every flooded LSA acknowledged.
      await waitFor(
        'nothing left to retransmit on the nodes',
        async () => {
          const rows = await Promise.all(nodes.map((n) => n.daemon.cli<NeighborRowView[]>('show', 'neighbors')));
          return rows.every((r) => r.every((n) => n.retransmitCount === 0));
        },
        { timeoutMs: CONVERGE_MS, intervalMs: 200, detail },
      );
      frr.vtysh('graceful-restart prepare ip ospf');
      // Every node takes up helping on the grace-LSA, before ospfd goes.
      const helping = new Set<number>();
      const until: Record<number, string> = {};
      await waitFor(
        'every node helping the router',
        async () => {
          for (const { i } of nodes) {
            const seen = await routerSeenBy(i);
            if (seen?.helper !== undefined) {
              helping.add(i);
              until[i] = seen.helper.until;
            }
          }
          return helping.size === nodes.length;
        },
        { timeoutMs: HELPERS_MS, intervalMs: 100 },
      ).catch(() => false);
      console.info(`helpers before the restart: ${[...helping].map((i) => `n${i} until ${until[i]}`).join(', ') || 'none'}`);
      await frr.stop('SIGKILL');
      await frr.start();
      // The restart is over for the nodes once the router is Full with each and none helps any more
      // (its flushed grace-LSA, RFC 3623 3.2), or, without helpers, once the grace period is over.
      await waitFor(
        'the router Full with every node, no node helping, the client subnet on every node',
        async () => {
          const full = current().router.neighbors().filter((n) => n.state === 'Full').length === nodes.length;
          const seen = await Promise.all(nodes.map((n) => routerSeenBy(n.i)));
          const routes = nodes.every((n) => lab.gateways(n.ns, CLIENT_NET, 'ospf').length === 1);
          return full && routes && seen.every((s) => s?.state === 'Full' && s.helper === undefined);
        },
        { timeoutMs: (GRACE_PERIOD_S + 30) * 1000, intervalMs: 200, detail },
      );
      // A withdrawal caused by the restart's end would come within the SPF hold: let it show.
      await sleep(2000);
      const gaps = watches.map((w) => w.longestGapMs());
      console.info(`${CLIENT_NET} absent from the nodes' kernels during the router's graceful restart: ${gaps.map((ms, k) => `n${k + 1} ${ms} ms`).join(', ')}`);
      expect([...helping].sort()).toEqual(nodes.map((n) => n.i));
      expect(gaps).toEqual(nodes.map(() => 0));
      for (const { ns } of nodes) expect(lab.gateways(ns, CLIENT_NET, 'ospf')).toEqual([ROUTER_ADDRESS]);
    } finally {
      for (const w of watches) w.stop();
    }
  }, (GRACE_PERIOD_S + 120) * 1000);
});
