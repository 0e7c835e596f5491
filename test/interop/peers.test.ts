// The interop harness on its own, FRR and BIRD without ospf-anycastd: an FRR
// router in front of a BIRD node on a broadcast segment. When this fails, the
// lab or the peers are at fault, not the daemon.
import { describe, expect, it } from 'vitest';
import { InteropLab, interopGate, type BirdRouter, type FrrRouter } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import {
  ANYCAST,
  CLIENT_NET,
  CONVERGE_MS,
  LAN,
  ROUTER_ADDRESS,
  ROUTER_ID,
  birdNodeConf,
  frrRouterConf,
  nodeAddress,
  nodeRouterId,
  labSuite,
} from './labs.js';

const gate = interopGate('interop harness tests (FRR and BIRD)', ['frr', 'bird']);

describe.skipIf(gate.skip)('interop harness: FRR router, BIRD node', () => {
  let frr: FrrRouter;
  let bird: BirdRouter;
  let routerNs: string;
  let nodeNs: string;
  const { current } = labSuite(
    () => {
      const lab = new InteropLab('hx');
      routerNs = lab.namespace('r');
      nodeNs = lab.namespace('n');
      lab.segment('sw', [
        { ns: routerNs, ifName: 'lan0', cidr: `${ROUTER_ADDRESS}/24` },
        { ns: nodeNs, ifName: 'lan0', cidr: `${nodeAddress(1)}/24` },
      ]);
      lab.stubNetwork(routerNs, 'client0', '10.204.204.1/24');
      lab.loopback(nodeNs, ANYCAST);
      frr = lab.frr(routerNs, 'r', frrRouterConf('lan0', 200));
      bird = lab.bird(nodeNs, 'n', birdNodeConf('lan0', nodeRouterId(1), 100));
      return { lab };
    },
    async () => {
      await Promise.all([frr.start(), bird.start()]);
    },
    60_000,
  );

  it('forms a Full adjacency with FRR as DR and BIRD as BDR', async () => {
    const live = current().lab;
    await waitFor('FRR and BIRD Full', () => frr.neighbors().some((n) => n.state === 'Full') && bird.neighbors().some((n) => n.state === 'Full'), {
      timeoutMs: CONVERGE_MS,
      detail: () => live.report(),
    });
    expect(frr.neighbors()).toEqual([{ routerId: nodeRouterId(1), state: 'Full', role: 'Backup', address: nodeAddress(1), ifName: 'lan0' }]);
    expect(bird.neighbors()).toEqual([{ routerId: ROUTER_ID, state: 'Full', role: 'DR', address: ROUTER_ADDRESS, ifName: 'lan0' }]);
    expect(frr.interfaces().lan0).toMatchObject({ state: 'DR', drAddress: ROUTER_ADDRESS, bdrAddress: nodeAddress(1) });
    // BIRD reports its own interface state a moment after its Hellos carry it.
    await waitFor('BIRD\'s lan0 in state Backup', () => bird.interfaceState('lan0') === 'Backup', { timeoutMs: 5000, detail: () => live.report() });
  });

  it('installs the node\'s anycast /32 on the router and the router\'s external on the node', async () => {
    const live = current().lab;
    const detail = (): Promise<string> => live.report();
    await waitFor('the anycast /32 via BIRD in FRR\'s kernel table', () => live.gateways(routerNs, ANYCAST, 'ospf').length === 1, { timeoutMs: CONVERGE_MS, detail });
    expect(live.gateways(routerNs, ANYCAST, 'ospf')).toEqual([nodeAddress(1)]);
    await waitFor('the client subnet via FRR in BIRD\'s kernel table', () => live.gateways(nodeNs, CLIENT_NET, 'bird').length === 1, { timeoutMs: CONVERGE_MS, detail });
    expect(live.gateways(nodeNs, CLIENT_NET, 'bird')).toEqual([ROUTER_ADDRESS]);
    const ospf = frr.ospf();
    expect(ospf.areas['0.0.0.0']).toMatchObject({ nbrFullAdjacentCounter: 1, lsaNetworkNumber: 1, lsaRouterNumber: 2 });
    expect(ospf.spfLastDurationMsecs).toBeGreaterThanOrEqual(0);
    console.info(`FRR: ${ospf.areas['0.0.0.0']?.spfExecutedCounter} SPF runs, last took ${ospf.spfLastDurationMsecs} ms; segment ${LAN}`);
  });
});
