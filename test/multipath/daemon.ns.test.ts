// ospf-anycastd as the router in front of three ospf-anycastd SIP nodes that
// each announce the anycast /32, with `multipath group resilient buckets 120
// idle-timer 0`, `multipath hash layer4` and `ip load-sharing per-packet`:
// the kernel route names a resilient group of three members and `show
// routes` says so; one node stopping moves none of the other nodes' flows,
// its return moves only its share; 300 datagrams of one client flow arrive
// evenly; the daemon's exit leaves no group, nft table or rule and puts the
// hash policy back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceGate } from '../helpers/netns.js';
import { InteropLab, waitFor, type AnycastDaemon, type RouteRowView } from '../helpers/peers.js';
import {
  ANYCAST,
  FAST_TIMERS,
  GATEWAYS,
  anycastGroup,
  anycastdNodeConf,
  buildRouterLab,
  compareMaps,
  countUdp,
  mapFlows,
  ospfNexthops,
  sendUdp,
  udpCount,
  type IpNexthop,
  type RouterLab,
} from './topology.js';

const gate = namespaceGate('router-role daemon namespace tests');

const FLOWS = 1000;
const CONVERGE_MS = 30_000;

const routerConf = `interface e0
${FAST_TIMERS} ip ospf priority 10
 ip load-sharing per-packet
!
router ospf
 ospf router-id 10.92.0.1
 network 10.92.0.0/24 area 0.0.0.0
 multipath group resilient buckets 120 idle-timer 0
 multipath hash layer4
!
`;

describe.skipIf(gate.skip)('ospf-anycastd as the router: resilient groups and per-packet spreading', () => {
  let lab: InteropLab;
  let rl: RouterLab;
  let router: AnycastDaemon;
  let nodes: AnycastDaemon[];

  const ours = (): IpNexthop[] => ospfNexthops(rl.lab, rl.router);
  /** The gateways of the group the /32 names, sorted; [] when there is no such route. */
  const members = (): string[] => anycastGroup(rl.lab, rl.router)?.gateways ?? [];
  const detail = async (): Promise<string> => `router:\n${router.output().slice(-3000)}`;

  beforeAll(async () => {
    lab = new InteropLab('mpd');
    rl = buildRouterLab(lab.net, { client: true });
    // The daemon is to set layer4 itself, and put this back at exit.
    rl.lab.exec(rl.router, 'sysctl', ['-q', '-w', 'net.ipv4.fib_multipath_hash_policy=0']);
    for (const g of rl.gateways) countUdp(rl.lab, g);
    nodes = rl.gateways.map((ns, i) => lab.anycastd(ns, `node${i + 1}`, anycastdNodeConf(GATEWAYS[i] as string)));
    router = lab.anycastd(rl.router, 'router', routerConf);
    await Promise.all([router.start(), ...nodes.map((n) => n.start())]);
    await waitFor('a resilient group of three nodes for the anycast /32', () => members().length === 3, { timeoutMs: CONVERGE_MS, detail });
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('the route names a resilient group of the three nodes, and show routes tells it', async () => {
    expect(members()).toEqual([...GATEWAYS]);
    const route = rl.lab.ipJson<{ nhid: number }[]>(rl.router, ['route', 'show', ANYCAST])[0];
    expect(ours().find((n) => n.id === route?.nhid)?.type).toBe('resilient');
    expect(rl.lab.exec(rl.router, 'sysctl', ['-n', 'net.ipv4.fib_multipath_hash_policy']).trim()).toBe('1');
    const row = (await router.routes()).find((r: RouteRowView) => r.prefix === `${ANYCAST}/32`);
    expect(row?.multipath).toEqual({ group: 'resilient', groupId: route?.nhid, perPacket: true, nextHops: [...GATEWAYS] });
  });

  it('300 datagrams of one client flow arrive 100 ± 15 at each node', () => {
    const before = rl.gateways.map((g) => udpCount(rl.lab, g));
    sendUdp(rl.lab, rl.client as string, 300);
    const got = rl.gateways.map((g, i) => udpCount(rl.lab, g) - (before[i] as number));
    console.log(`daemon per-packet, 3 nodes, 300 datagrams: ${got.join('/')}`);
    for (const n of got) expect(Math.abs(n - 100)).toBeLessThanOrEqual(15);
  });

  it('a node that stops moves none of the others flows; its return moves only its share', async () => {
    const before = mapFlows(rl.router, FLOWS);
    const third = nodes[2] as AnycastDaemon;
    await third.stop('SIGTERM');
    await waitFor('the stopped node out of the group', () => members().length === 2, { timeoutMs: CONVERGE_MS, detail });
    const during = mapFlows(rl.router, FLOWS);
    const leave = compareMaps(before, during);
    expect([...leave.movedFrom.keys()]).toEqual([GATEWAYS[2]]);

    const sent = rl.gateways.map((g) => udpCount(rl.lab, g));
    sendUdp(rl.lab, rl.client as string, 300);
    const got = rl.gateways.map((g, i) => udpCount(rl.lab, g) - (sent[i] as number));
    expect(got[2]).toBe(0);
    for (const n of got.slice(0, 2)) expect(Math.abs(n - 150)).toBeLessThanOrEqual(15);

    await third.start();
    await waitFor('the node back in the group', () => members().length === 3, { timeoutMs: CONVERGE_MS, detail });
    const after = mapFlows(rl.router, FLOWS);
    const back = compareMaps(during, after);
    expect([...back.movedTo.keys()]).toEqual([GATEWAYS[2]]);
    expect(back.moved).toBeLessThan(FLOWS / 3 + 100);
    console.log(`daemon resilient, 3 nodes: ${leave.moved}/${FLOWS} moved on failure (all of the failed node), ${back.moved} on return`);
  });

  it('the router stopping leaves no group, nft table or fwmark rule, and the old hash policy', async () => {
    await router.stop('SIGTERM');
    expect(ours()).toEqual([]);
    expect(rl.lab.exec(rl.router, 'nft', ['list', 'tables']).trim()).toBe('');
    expect(rl.lab.ipJson<{ priority: number }[]>(rl.router, ['rule', 'show']).filter((r) => r.priority === 1880)).toEqual([]);
    expect(rl.lab.ipJson<unknown[]>(rl.router, ['route', 'show', 'table', 'all', 'proto', '188'])).toEqual([]);
    expect(rl.lab.exec(rl.router, 'sysctl', ['-n', 'net.ipv4.fib_multipath_hash_policy']).trim()).toBe('0');
  });
});
