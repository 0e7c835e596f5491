// The router role through node departures: ospf-anycastd in front of three
// SIP nodes (FRR ospfd, then ospf-anycastd) on one segment, Hello 1 s, Dead
// 4 s, retransmissions every second. A node's OSPF speaker stops gracefully, flushing its LSAs (RFC 2328
// 14.1), while the router is DR, and, after the router's own restart has left
// a node as the segment's DR (the election is not pre-emptive, 9.4), while the
// router is Backup or DROther and the stopping node is the DR. In every case,
// per flow and per packet, the anycast /32 must stay in the router's kernel
// throughout with the surviving nodes, watched by `ip monitor route`.
//
// `TRANSITION_ROUNDS=N` repeats the DR-node departure N times per mode and
// prints each gap (the figures of the closing measurements).
import { describe, expect, it } from 'vitest';
import { InteropLab, type AnycastDaemon } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { RouteWatch } from '../helpers/route-watch.js';
import { ANYCAST, GATEWAYS, anycastGroup, buildRouterLab, nodeConf, nodeKinds, type RouterLab, type SipNode } from '../multipath/topology.js';
import { labSuite } from '../interop/labs.js';

const TIMERS = ' ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf retransmit-interval 1\n';
const DEAD_MS = 4000;
const CONVERGE_MS = 30_000;
const ROUNDS = Math.max(1, Number(process.env.TRANSITION_ROUNDS ?? 1));

type Mode = 'per-flow' | 'per-packet';

/** The router: priority 200, a resilient group; `ip load-sharing per-packet` on the segment in that mode. */
function routerConf(mode: Mode): string {
  return `interface e0
${TIMERS} ip ospf priority 200
${mode === 'per-packet' ? ' ip load-sharing per-packet\n' : ''}!
router ospf
 ospf router-id 10.92.0.1
 timers throttle spf 0 50 500
 network 10.92.0.0/24 area 0.0.0.0
 multipath group resilient buckets 120 idle-timer 0
!
`;
}

for (const { kind, gate, make } of nodeKinds('node departures')) {
  describe.skipIf(gate.skip)(`ospf-anycastd routing to three ${kind} nodes while one leaves`, () => {
    let rl: RouterLab;
    let router: AnycastDaemon;
    let nodes: SipNode[];
    const { detail } = labSuite(
      () => {
        const lab = new InteropLab('drd');
        rl = buildRouterLab(lab.net);
        nodes = rl.gateways.map((ns, i) => make(lab, ns, `node${i + 1}`, nodeConf(GATEWAYS[i] as string, TIMERS)));
        router = lab.anycastd(rl.router, 'router', routerConf('per-flow'));
        return { lab };
      },
      async () => {
        await router.start();
        // The router first, so that it is DR (RFC 2328 9.4: the first router up with the highest priority).
        await waitFor('the router past Waiting', async () => (await routerState()).state === 'DR', { timeoutMs: CONVERGE_MS, detail });
        await Promise.all(nodes.map((n) => n.start()));
        await waitMembers('three nodes in the group', 3);
      },
    );
    const members = (): string[] => anycastGroup(rl.lab, rl.router)?.gateways ?? [];
    const waitMembers = (what: string, count: number): Promise<boolean> =>
      waitFor(what, () => members().length === count, { timeoutMs: CONVERGE_MS, detail });
    const routerState = async (): Promise<{ state: string; dr: string }> => {
      const iface = (await router.interfaces()).find((i) => i.name === 'e0');
      return { state: iface?.state ?? 'none', dr: iface?.dr.split('/')[0] ?? '' };
    };

    /** Stops node `index` gracefully and returns the longest absence of the anycast route meanwhile; brings it back in any case. */
    async function departure(index: number, label: string): Promise<number> {
      const node = nodes[index] as SipNode;
      const watch = new RouteWatch(rl.lab, rl.router, ANYCAST, members().length > 0);
      await watch.ready();
      let stopped = false;
      try {
        await node.stop();
        stopped = true;
        await waitMembers(`${label}: the stopped node out of the group`, 2);
        // Past the dead interval: the election that the RFC leaves to it has run too.
        await sleep(DEAD_MS + 1500);
        expect(members(), `${label}: the survivors`).toEqual(GATEWAYS.filter((_, i) => i !== index));
      } finally {
        watch.stop();
        console.log(`${kind} nodes, ${label}: the anycast route was absent for ${watch.longestGapMs()} ms at most`);
        if (stopped) {
          await node.start();
          await waitMembers(`${label}: the node back`, 3);
        }
      }
      return watch.longestGapMs();
    }

    /** Restarts the router's daemon with `mode`, until a node is DR; returns that node's index. */
    async function routerRestartLeavingNodeDr(mode: Mode): Promise<number> {
      await router.stop();
      router.writeConfig(routerConf(mode));
      await router.start();
      await waitMembers('three nodes after the router restart', 3);
      const { state, dr } = await routerState();
      const index = GATEWAYS.indexOf(dr as (typeof GATEWAYS)[number]);
      expect(index, `after its restart the router is ${state} and the DR is ${dr}, a node`).toBeGreaterThanOrEqual(0);
      // Every adjacency of the router Full, so the departure starts from a settled segment.
      await waitFor('the router Full with the DR and BDR', async () => (await router.neighbors()).filter((n) => n.state === 'Full').length >= 2, {
        timeoutMs: CONVERGE_MS,
        detail,
      });
      return index;
    }

    for (const mode of ['per-flow', 'per-packet'] as const) {
      it(`${mode}: the router DR, the BDR node stops: the other two stay`, async () => {
        router.writeConfig(routerConf(mode));
        router.reload();
        const { state } = await routerState();
        expect(state).toBe('DR');
        const bdr = (await router.interfaces()).find((i) => i.name === 'e0')?.bdr.split('/')[0] ?? '';
        const index = GATEWAYS.indexOf(bdr as (typeof GATEWAYS)[number]);
        expect(index, `the BDR ${bdr} is a node`).toBeGreaterThanOrEqual(0);
        expect(await departure(index, `${mode}, router DR, BDR node stops`)).toBe(0);
      }, 120_000);
    }

    for (const mode of ['per-packet', 'per-flow'] as const) {
      it(`${mode}: a node DR after the router's restart, the DR node stops: the other two stay`, { timeout: 120_000 * ROUNDS }, async () => {
        const gaps: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const index = await routerRestartLeavingNodeDr(mode);
          const { state } = await routerState();
          gaps.push(await departure(index, `${mode}, router ${state}, DR node stops (round ${round + 1}/${ROUNDS})`));
        }
        console.log(`${kind} nodes, ${mode}, DR node stops: gaps ${gaps.join(', ')} ms`);
        expect(Math.max(...gaps)).toBe(0);
      });
    }
  });
}
