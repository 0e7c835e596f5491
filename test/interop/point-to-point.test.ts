// Point-to-point links between ospf-anycastd (a SIP node), FRR and BIRD, in a
// triangle so that every route has a second way round:
//
//            ethf 10.207.1.0/30 ethn
//      node ─────────────────────────── FRR ── client0 10.204.204.0/24 (redistributed)
//  (ospf-anycastd)                       │ethb
//        │ethb                           │ 10.207.3.0/30
//        └──────── 10.207.2.0/30 ─────── BIRD
//                                  ethn   ethf
//
// Every link costs 10 both ways. The routes must follow a cost change applied
// with SIGHUP, a link going down and up, and BIRD restarting, each within
// the configured timers (Hello 1 s, Dead 3 s, SPF throttle 0/50/500 ms).
import { describe, expect, it } from 'vitest';
import { interopGate, type InteropLab } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { ANYCAST, CLIENT_NET, CONVERGE_MS, DEAD_INTERVAL_MS, FOLLOW_MS, P2P, P2P_TIMERS, triangleLab, trioSuite, birdNodeOspf, triangleFrrConf } from './labs.js';

const gate = interopGate('point-to-point interop tests', ['frr', 'bird']);

const { nodeId: NODE_ID, frrId: FRR_ID, birdId: BIRD_ID, nodeToFrr: NODE_TO_FRR, frrToNode: FRR_TO_NODE, nodeToBird: NODE_TO_BIRD, birdToNode: BIRD_TO_NODE, birdToFrr: BIRD_TO_FRR } = P2P;
/** RFC 2328 MinLSInterval: a router originates an LSA at most once per 5 s. */
const MIN_LS_INTERVAL_MS = 5000;
function nodeConf(costToBird: number): string {
  const iface = (name: string, cost: number): string => `interface ${name}
${P2P_TIMERS} ip ospf cost ${cost}
!
`;
  return `${iface('ethf', 10)}${iface('ethb', costToBird)}router ospf
 ospf router-id ${NODE_ID}
 log-adjacency-changes detail
 timers throttle spf 0 50 500
 network 10.207.1.0/30 area 0
 network 10.207.2.0/30 area 0
 network ${ANYCAST} area 0
 network ${NODE_ID}/32 area 0
!
`;
}

const frrConf = triangleFrrConf(10, true);

const birdConf = birdNodeOspf(BIRD_ID, ['interface "ethn", "ethf" { type ptp; cost 10; hello 1; dead 3; retransmit 2; };', `interface "lo" ${BIRD_ID}/32 { stub yes; };`]);

describe.skipIf(gate.skip)('point-to-point links: ospf-anycastd, FRR and BIRD in a triangle', () => {
  const { current, detail } = trioSuite(() => triangleLab('pp'), { node: nodeConf(10), frr: frrConf, bird: birdConf });
  const live = (): InteropLab => current().lab;
  const nodeGateways = (prefix: string): string[] => live().gateways(current().nodeNs, prefix, 'ospf');
  /** Waits until the kernel route to `prefix` in `ns` goes through exactly `gateways`; returns the time taken. */
  const follow = async (what: string, ns: string, prefix: string, protocol: string, gateways: string[]): Promise<number> => {
    const started = performance.now();
    await waitFor(`${what}: ${prefix} via ${gateways.join(', ') || 'nothing'}`, () => JSON.stringify(live().gateways(ns, prefix, protocol)) === JSON.stringify(gateways), {
      timeoutMs: FOLLOW_MS,
      intervalMs: 50,
      detail,
    });
    const ms = Math.round(performance.now() - started);
    console.info(`${what}: ${prefix} via ${gateways.join(', ') || 'nothing'} after ${ms} ms`);
    return ms;
  };

  it('converges: Full point-to-point adjacencies, shortest paths in every kernel table', async () => {
    await waitFor('the node Full with FRR and BIRD', async () => (await current().node.neighbors()).filter((n) => n.state === 'Full').length === 2, {
      timeoutMs: CONVERGE_MS,
      detail,
    });
    expect((await current().node.neighbors()).map((n) => [n.routerId, n.state, n.role, n.ifName]).sort()).toEqual([
      [FRR_ID, 'Full', '', 'ethf'],
      [BIRD_ID, 'Full', '', 'ethb'],
    ]);
    for (const i of await current().node.interfaces()) {
      if (i.name === 'ethf' || i.name === 'ethb') expect(i, i.name).toMatchObject({ state: 'PointToPoint', networkType: 'point-to-point', cost: 10 });
    }
    expect(current().frr.neighbors().find((n) => n.routerId === NODE_ID)).toMatchObject({ state: 'Full', role: '', ifName: 'ethn' });
    expect(current().bird.neighbors().find((n) => n.routerId === NODE_ID)).toMatchObject({ state: 'Full', ifName: 'ethn' });
    await follow('converged', current().nodeNs, `${FRR_ID}/32`, 'ospf', [FRR_TO_NODE]);
    await follow('converged', current().nodeNs, `${BIRD_ID}/32`, 'ospf', [BIRD_TO_NODE]);
    // Two equal ways to the FRR–BIRD link: 10 + 10 through either.
    await follow('converged', current().nodeNs, '10.207.3.0/30', 'ospf', [FRR_TO_NODE, BIRD_TO_NODE]);
    await follow('converged', current().nodeNs, CLIENT_NET, 'ospf', [FRR_TO_NODE]);
    await follow('converged', current().frrNs, ANYCAST, 'ospf', [NODE_TO_FRR]);
    await follow('converged', current().birdNs, ANYCAST, 'bird', [NODE_TO_BIRD]);
  });

  it('follows a cost change applied with SIGHUP, without dropping the adjacency', async () => {
    current().node.writeConfig(nodeConf(100));
    current().node.reload();
    // BIRD's loopback: 100 direct, 10 + 10 through FRR.
    // Our router-LSA changes within MinLSInterval of the previous one, then SPF runs.
    const ms = await follow('cost 100 on ethb', current().nodeNs, `${BIRD_ID}/32`, 'ospf', [FRR_TO_NODE]);
    expect(ms).toBeLessThan(MIN_LS_INTERVAL_MS + 2000);
    expect(nodeGateways('10.207.3.0/30')).toEqual([FRR_TO_NODE]);
    expect((await current().node.interfaces()).find((i) => i.name === 'ethb')).toMatchObject({ cost: 100 });
    expect((await current().node.neighbors()).filter((n) => n.state === 'Full')).toHaveLength(2);
    expect(current().node.output()).not.toMatch(/neighbor \S+ on ethb: Full -> /);
    current().node.writeConfig(nodeConf(10));
    current().node.reload();
    await follow('cost 10 on ethb again', current().nodeNs, `${BIRD_ID}/32`, 'ospf', [BIRD_TO_NODE]);
  });

  it('routes around a link that goes down, and back when it comes up', async () => {
    live().net.down(current().nodeNs, 'ethf');
    await follow('ethf down', current().nodeNs, `${FRR_ID}/32`, 'ospf', [BIRD_TO_NODE]);
    await follow('ethf down', current().nodeNs, CLIENT_NET, 'ospf', [BIRD_TO_NODE]);
    await follow('ethf down', current().frrNs, ANYCAST, 'ospf', [BIRD_TO_FRR]);
    live().net.up(current().nodeNs, 'ethf');
    await follow('ethf up', current().nodeNs, `${FRR_ID}/32`, 'ospf', [FRR_TO_NODE]);
    await follow('ethf up', current().frrNs, ANYCAST, 'ospf', [NODE_TO_FRR]);
    expect((await current().node.neighbors()).filter((n) => n.state === 'Full')).toHaveLength(2);
  });

  it('stops routing through a restarting BIRD within the timers and learns its routes again', async () => {
    await current().bird.stop('SIGTERM');
    const started = performance.now();
    await waitFor('no route through BIRD', () => !nodeGateways(`${BIRD_ID}/32`).includes(BIRD_TO_NODE), { timeoutMs: FOLLOW_MS, intervalMs: 50, detail });
    const ms = Math.round(performance.now() - started);
    console.info(`BIRD stopped: no route through it after ${ms} ms`);
    // The adjacency ends at once (BIRD's last Hello lists no neighbor) or after the dead
    // interval; our router-LSA follows within MinLSInterval, then SPF.
    expect(ms).toBeLessThan(DEAD_INTERVAL_MS + MIN_LS_INTERVAL_MS + 1000);
    // BIRD's loopback disappears once FRR has noticed too; the FRR–BIRD link stays
    // reachable through FRR, whose side of it is still up.
    await follow('BIRD stopped, FRR noticed', current().nodeNs, `${BIRD_ID}/32`, 'ospf', []);
    expect(nodeGateways('10.207.3.0/30')).toEqual([FRR_TO_NODE]);
    await current().bird.start();
    await follow('BIRD restarted', current().nodeNs, `${BIRD_ID}/32`, 'ospf', [BIRD_TO_NODE]);
    await follow('BIRD restarted', current().birdNs, ANYCAST, 'bird', [NODE_TO_BIRD]);
    await waitFor('the node Full with BIRD again', async () => (await current().node.neighbors()).some((n) => n.routerId === BIRD_ID && n.state === 'Full'), {
      timeoutMs: CONVERGE_MS,
      detail,
    });
  });
});
