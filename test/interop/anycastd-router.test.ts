// ospf-anycastd as the router in front of a mixed cluster: real FRR and BIRD
// as SIP nodes, and one ospf-anycastd node, each announcing the anycast /32
// from lo. Our kernel table must hold the /32 with all three as equal-cost
// next hops, and the nodes must install our redistributed client subnet.
import { describe, expect, it } from 'vitest';
import { InteropLab, interopGate, sortLsas, type AnycastDaemon, type BirdRouter, type FrrRouter } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import {
  ANYCAST,
  CLIENT_NET,
  CONVERGE_MS,
  LAN,
  ROUTER_ADDRESS,
  ROUTER_ID,
  birdNodeConf,
  frrNodeConf,
  nodeAddress,
  nodeConf,
  nodeRouterId,
  labSuite,
  LAB_TIMERS,
} from './labs.js';

const gate = interopGate('ospf-anycastd-as-router interop tests', ['frr', 'bird']);

const routerConf = `interface lan0
${LAB_TIMERS} ip ospf priority 200
!
router ospf
 ospf router-id ${ROUTER_ID}
 log-adjacency-changes detail
 timers throttle spf 0 50 500
 redistribute connected
 network ${LAN} area 0
!
`;

describe.skipIf(gate.skip)('ospf-anycastd as the router, FRR and BIRD as nodes', () => {
  let routerNs: string;
  let frrNs: string;
  let birdNs: string;
  let oursNs: string;
  let router: AnycastDaemon;
  let ours: AnycastDaemon;
  let frr: FrrRouter;
  let bird: BirdRouter;
  const { current, detail } = labSuite(
    () => {
      const lab = new InteropLab('ar');
      routerNs = lab.namespace('r');
      frrNs = lab.namespace('nf');
      birdNs = lab.namespace('nb');
      oursNs = lab.namespace('no');
      lab.segment('sw', [
        { ns: routerNs, ifName: 'lan0', cidr: `${ROUTER_ADDRESS}/24` },
        { ns: frrNs, ifName: 'lan0', cidr: `${nodeAddress(1)}/24` },
        { ns: birdNs, ifName: 'lan0', cidr: `${nodeAddress(2)}/24` },
        { ns: oursNs, ifName: 'lan0', cidr: `${nodeAddress(3)}/24` },
      ]);
      lab.stubNetwork(routerNs, 'client0', '10.204.204.1/24');
      lab.loopback(routerNs, `${ROUTER_ID}/32`);
      for (const ns of [frrNs, birdNs, oursNs]) lab.loopback(ns, ANYCAST);
      router = lab.anycastd(routerNs, 'r', routerConf);
      frr = lab.frr(frrNs, 'nf', frrNodeConf('lan0', nodeRouterId(1), 100));
      bird = lab.bird(birdNs, 'nb', birdNodeConf('lan0', nodeRouterId(2), 0));
      ours = lab.anycastd(oursNs, 'no', nodeConf(3, 0));
      return { lab };
    },
    async () => {
      // The router first, so that it is DR however slowly the nodes come up.
      await router.start();
      await Promise.all([frr.start(), bird.start(), ours.start()]);
      await waitFor('the three nodes Full with the router', async () => (await router.neighbors()).filter((n) => n.state === 'Full').length === 3, {
        timeoutMs: CONVERGE_MS,
        detail,
      });
    },
  );

  it('installs the anycast /32 with an ECMP next hop per node in our kernel table', async () => {
    const live = current().lab;
    await waitFor(`FRR's and BIRD's next hops to ${ANYCAST}`, () => live.gateways(routerNs, ANYCAST, 'ospf').length >= 2, { timeoutMs: CONVERGE_MS, detail });
    expect(live.routes(routerNs, ANYCAST)).toHaveLength(1);
    const all = [nodeAddress(1), nodeAddress(2), nodeAddress(3)];
    await waitFor(`three next hops to ${ANYCAST}`, () => live.gateways(routerNs, ANYCAST, 'ospf').length === 3, { timeoutMs: 5000, detail });
    expect(live.gateways(routerNs, ANYCAST, 'ospf')).toEqual(all);
    const row = (await router.routes()).find((r) => r.prefix === ANYCAST);
    expect(row).toMatchObject({ pathType: 'intra-area' });
    expect(row?.nextHops.map((h) => h.address).sort()).toEqual(all);
  });

  it('hears the anycast /32 from every node as a host route of cost 0 (RFC 2328 12.4.1.1)', async () => {
    const stubMetrics = async (routerId: string): Promise<number[]> => {
      const [lsa] = (await router.database('router', routerId)).lsas;
      const body = lsa?.body as { links: { type: number; linkId: string; linkData: string; metric: number }[] } | undefined;
      return (body?.links ?? []).filter((l) => l.type === 3 && l.linkId === '10.206.206.1' && l.linkData === '255.255.255.255').map((l) => l.metric);
    };
    expect({ frr: await stubMetrics(nodeRouterId(1)), bird: await stubMetrics(nodeRouterId(2)), ours: await stubMetrics(nodeRouterId(3)) }).toEqual({
      frr: [0],
      bird: [0],
      ours: [0],
    });
    // Its own /32 is always nearer to our node than the other nodes' copies: no route for it.
    expect((await ours.routes()).find((r) => r.prefix === ANYCAST)?.nextHops).toEqual([{ address: '0.0.0.0', ifName: 'lo' }]);
    expect(current().lab.gateways(oursNs, ANYCAST, 'ospf')).toEqual([]);
  });

  it('is DR, FRR is BDR, BIRD and our node DROthers, seen alike from all', async () => {
    expect((await router.interfaces()).find((i) => i.name === 'lan0')).toMatchObject({ state: 'DR', dr: ROUTER_ADDRESS, bdr: nodeAddress(1), adjacent: 3 });
    expect((await router.neighbors()).map((n) => [n.routerId, n.state, n.role]).sort()).toEqual([
      [nodeRouterId(1), 'Full', 'Backup'],
      [nodeRouterId(2), 'Full', 'DROther'],
      [nodeRouterId(3), 'Full', 'DROther'],
    ]);
    expect(frr.interfaces().lan0).toMatchObject({ state: 'Backup', drAddress: ROUTER_ADDRESS, drId: ROUTER_ID });
    expect(frr.neighbors().find((n) => n.routerId === ROUTER_ID)).toMatchObject({ state: 'Full', role: 'DR' });
    await waitFor('BIRD\'s lan0 in state DROther', () => bird.interfaceState('lan0') === 'DROther', { timeoutMs: 5000, detail });
    expect(bird.neighbors().find((n) => n.routerId === ROUTER_ID)).toMatchObject({ state: 'Full', role: 'DR' });
    expect((await ours.neighbors()).find((n) => n.routerId === ROUTER_ID)).toMatchObject({ state: 'Full', role: 'DR' });
  });

  it('gets its redistributed client subnet into both nodes\' kernel tables', async () => {
    const live = current().lab;
    await waitFor(`${CLIENT_NET} on the FRR node`, () => live.gateways(frrNs, CLIENT_NET, 'ospf').length > 0, { timeoutMs: CONVERGE_MS, detail });
    expect(live.gateways(frrNs, CLIENT_NET, 'ospf')).toEqual([ROUTER_ADDRESS]);
    await waitFor(`${CLIENT_NET} on the BIRD node`, () => live.gateways(birdNs, CLIENT_NET, 'bird').length > 0, { timeoutMs: CONVERGE_MS, detail });
    expect(live.gateways(birdNs, CLIENT_NET, 'bird')).toEqual([ROUTER_ADDRESS]);
    await waitFor(`${CLIENT_NET} on our node`, () => live.gateways(oursNs, CLIENT_NET, 'ospf').length > 0, { timeoutMs: CONVERGE_MS, detail });
    expect(live.gateways(oursNs, CLIENT_NET, 'ospf')).toEqual([ROUTER_ADDRESS]);
    const externals = (await router.database()).lsas.filter((l) => l.type === 5);
    expect(externals.map((l) => l.lsId)).toContain('10.204.204.0');
    // Only connected networks outside OSPF are redistributed: not the segment itself.
    expect(externals.map((l) => l.lsId)).not.toContain('10.205.205.0');
  });

  it('holds the same link-state database as FRR, BIRD and our node', async () => {
    const want = async (): Promise<string> => JSON.stringify(sortLsas(await router.lsdb()));
    await waitFor('identical databases', async () => {
      const mine = await want();
      return mine === JSON.stringify(sortLsas(frr.lsdb())) && mine === JSON.stringify(sortLsas(bird.lsdb())) && mine === JSON.stringify(sortLsas(await ours.lsdb()));
    }, {
      timeoutMs: CONVERGE_MS,
      detail: async () => `ours: ${await want()}\nFRR: ${JSON.stringify(sortLsas(frr.lsdb()))}\nBIRD: ${JSON.stringify(sortLsas(bird.lsdb()))}`,
    });
    const network = (await router.database()).lsas.filter((l) => l.type === 2);
    expect(network).toMatchObject([{ lsId: ROUTER_ADDRESS, advRouter: ROUTER_ID }]);
  });
});
