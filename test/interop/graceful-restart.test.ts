// The router in front of three ospf-anycastd nodes restarts its OSPF
// gracefully (RFC 3623): FRR 8.4 with `graceful-restart prepare ip ospf`,
// SIGKILL and a new ospfd, as FRR's documentation describes; BIRD with
// `birdc graceful restart` and a start with -R. The nodes, helpers by
// default (RFC 3623 3), keep the adjacency and the router's LSAs through the
// restart, so the client subnet behind the router never leaves their
// kernels, watched by `ip monitor route`.
import { describe, expect, it } from 'vitest';
import { interopGate, type BirdRouter, type FrrRouter } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { RouteWatch } from '../helpers/route-watch.js';
import { CLIENT_NET, CONVERGE_MS, ROUTER_ADDRESS, ROUTER_ID, type SeedLab, type SeedTuning, seedSuite } from './labs.js';
import type { NeighborRowView } from '../../src/control/views.js';

/** The grace period the router asks for, seconds: how long a restart without helpers may leave the nodes without its routes. */
const GRACE_PERIOD_S = 60;
/** How long the grace-LSAs may take to reach every node. */
const HELPERS_MS = 10_000;

interface RestartingRouter {
  kind: 'frr' | 'bird';
  gate: { skip: boolean };
  tuning: SeedTuning;
  /** Announces the restart (the grace-LSAs go out) and restarts the router's OSPF. */
  announce(seed: SeedLab): Promise<void>;
  restart(seed: SeedLab): Promise<void>;
}

const routers: RestartingRouter[] = [
  {
    kind: 'frr',
    gate: interopGate('graceful restart interop tests with FRR', ['frr']),
    tuning: {
      routerConf: (conf) => conf.replace(' redistribute connected', ` capability opaque\n graceful-restart grace-period ${GRACE_PERIOD_S}\n redistribute connected`),
    },
    announce: async (seed) => {
      (seed.router.peer as FrrRouter).vtysh('graceful-restart prepare ip ospf');
    },
    restart: async (seed) => {
      const frr = seed.router.peer as FrrRouter;
      await frr.stop('SIGKILL');
      await frr.start();
    },
  },
  {
    kind: 'bird',
    gate: interopGate('graceful restart interop tests with BIRD', ['bird']),
    tuning: {
      routerConf: (conf) => conf.replace('  ecmp yes limit 16;', `  ecmp yes limit 16;\n  graceful restart yes;\n  graceful restart time ${GRACE_PERIOD_S};`),
    },
    // BIRD sends its grace-LSAs and exits on the one command.
    announce: async (seed) => {
      (seed.router.peer as BirdRouter).birdc('graceful restart');
    },
    restart: async (seed) => {
      const bird = seed.router.peer as BirdRouter;
      await bird.stop('SIGTERM').catch(() => undefined);
      await bird.start(15_000, true);
    },
  },
];

for (const router of routers) {
  describe.skipIf(router.gate.skip)(`${router.kind} restarting gracefully in front of ospf-anycastd nodes`, () => {
    const { current, detail } = seedSuite(`gr${router.kind[0]}`, router.kind, 3, {
      tuning: router.tuning,
      ready: async (seed) => {
        for (const { ns, i } of seed.nodes) {
          await waitFor(`${CLIENT_NET} on n${i}`, () => seed.lab.gateways(ns, CLIENT_NET, 'ospf').length === 1, { timeoutMs: CONVERGE_MS, detail });
        }
      },
    });
    /** Each node's neighbors (show neighbors --json). */
    const neighborsOf = (): Promise<NeighborRowView[][]> => Promise.all(current().nodes.map((n) => n.daemon.cli<NeighborRowView[]>('show', 'neighbors')));
    const routerIn = (rows: NeighborRowView[]): NeighborRowView | undefined => rows.find((r) => r.routerId === ROUTER_ID);

    it('RFC 3623 3: the nodes help the restarting router, and its client subnet never leaves their kernels', async () => {
      const { lab, nodes } = current();
      const watches = nodes.map((n) => new RouteWatch(lab.net, n.ns, CLIENT_NET, true));
      try {
        await Promise.all(watches.map((w) => w.ready()));
        // A restart is prepared on a quiet network: every flooded LSA acknowledged.
        await waitFor('nothing left to retransmit on the nodes', async () => (await neighborsOf()).every((rows) => rows.every((n) => n.retransmitCount === 0)), {
          timeoutMs: CONVERGE_MS,
          intervalMs: 200,
          detail,
        });
        await router.announce(current());
        // Every node takes up helping on the grace-LSA.
        const helping = new Map<number, string>();
        await waitFor(
          'every node helping the router',
          async () => {
            (await neighborsOf()).forEach((rows, k) => {
              const until = routerIn(rows)?.helper?.until;
              if (until !== undefined) helping.set(nodes[k]?.i ?? 0, until);
            });
            return helping.size === nodes.length;
          },
          { timeoutMs: HELPERS_MS, intervalMs: 100 },
        ).catch(() => false);
        console.info(`${router.kind}: helpers: ${[...helping].map(([i, until]) => `n${i} until ${until}`).join(', ') || 'none'}`);
        await router.restart(current());
        // The restart is over for the nodes once the router is Full with each and none helps any more
        // (its flushed grace-LSA, RFC 3623 3.2), or, without helpers, once the grace period is over.
        await waitFor(
          'the router Full with every node, no node helping, the client subnet on every node',
          async () => {
            const full = current().router.neighbors().filter((n) => n.state === 'Full').length === nodes.length;
            const seen = (await neighborsOf()).map(routerIn);
            const routes = nodes.every((n) => lab.gateways(n.ns, CLIENT_NET, 'ospf').length === 1);
            return full && routes && seen.every((s) => s?.state === 'Full' && s.helper === undefined);
          },
          { timeoutMs: (GRACE_PERIOD_S + 30) * 1000, intervalMs: 200, detail },
        );
        // A withdrawal caused by the restart's end would come within the SPF hold: let it show.
        await sleep(2000);
        const gaps = watches.map((w) => w.longestGapMs());
        console.info(`${router.kind}: ${CLIENT_NET} absent from the nodes' kernels during the router's graceful restart: ${gaps.map((ms, k) => `n${k + 1} ${ms} ms`).join(', ')}`);
        expect([...helping.keys()].sort()).toEqual(nodes.map((n) => n.i));
        expect(gaps).toEqual(nodes.map(() => 0));
        for (const { ns } of nodes) expect(lab.gateways(ns, CLIENT_NET, 'ospf')).toEqual([ROUTER_ADDRESS]);
      } finally {
        for (const w of watches) w.stop();
      }
    }, (GRACE_PERIOD_S + 120) * 1000);
  });
}
