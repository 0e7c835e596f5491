// `ip load-sharing per-packet` in a router namespace between a client and
// three gateway namespaces: 300 UDP datagrams from one client socket to the
// anycast address arrive 100 ± 15 at each gateway (nft counters in the
// gateways); after one gateway leaves none reach it and the other two share
// evenly; a crashed run's table, rules and routes are swept at start and
// nothing is left after removeAll().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, namespaceGate, type JsonLineChild } from '../helpers/netns.js';
import { ANYCAST, GATEWAYS, buildRouterLab, countUdp, leftovers, spreadOver, type RouterLab } from './topology.js';

const gate = namespaceGate('per-packet load-sharing namespace tests');

const hop = (gateway: string): { gateway: string; ifName: string } => ({ gateway, ifName: 'e0' });
const anycastRoute = (gateways: readonly string[]): object => ({ prefix: `${ANYCAST}/32`, nextHops: gateways.map(hop) });

describe.skipIf(gate.skip)('per-packet spreading in a namespace', () => {
  let rl: RouterLab;
  let spreader: JsonLineChild;

  beforeAll(async () => {
    rl = buildRouterLab(new NetnsLab('pp'), { client: true });
    for (const g of rl.gateways) countUdp(rl.lab, g);
    // The per-flow route the main table holds (the installer's job in the daemon).
    rl.lab.exec(rl.router, 'ip', ['route', 'add', ANYCAST, ...GATEWAYS.flatMap((g) => ['nexthop', 'via', g, 'dev', 'e0'])]);
    // What a crashed run leaves: the nft table, a rule and a per-next-hop route.
    rl.lab.exec(rl.router, 'nft', ['add table ip ospf_anycast']);
    rl.lab.exec(rl.router, 'ip', ['rule', 'add', 'pref', '1880', 'fwmark', '0x0bc00007', 'table', '18807', 'protocol', '188']);
    rl.lab.exec(rl.router, 'ip', ['route', 'add', ANYCAST, 'via', GATEWAYS[0], 'table', '18807', 'proto', '188']);
    spreader = rl.lab.spawnJson(rl.router, process.execPath, ['test/multipath/per-packet-driver.mjs']);
    await spreader.waitForEvent((m) => m.event === 'ready', 10_000);
  });

  afterAll(async () => {
    await rl?.lab.teardown();
  });

  it('sweep() removes the nft table, fwmark rules and per-next-hop routes of a previous run', async () => {
    await spreader.request('check');
    await spreader.request('sweep');
    expect(leftovers(rl.lab, rl.router)).toEqual({ nft: '', rules: [], routes: [] });
  });

  it('300 datagrams of one flow arrive 100 ± 15 at each of three gateways', async () => {
    await spreader.request('sync', { routes: [anycastRoute(GATEWAYS)] });
    const got = spreadOver(rl, 300);
    console.log(`per-packet, 3 gateways, 300 datagrams: ${got.join('/')}`);
    expect(got.reduce((a, b) => a + b, 0)).toBe(300);
    for (const n of got) expect(Math.abs(n - 100)).toBeLessThanOrEqual(15);
  });

  it('a gateway that leaves receives nothing; the other two share evenly', async () => {
    await spreader.request('sync', { routes: [anycastRoute(GATEWAYS.slice(0, 2))] });
    rl.lab.exec(rl.router, 'ip', ['route', 'replace', ANYCAST, ...GATEWAYS.slice(0, 2).flatMap((g) => ['nexthop', 'via', g, 'dev', 'e0'])]);
    const got = spreadOver(rl, 300);
    console.log(`per-packet, 2 gateways, 300 datagrams: ${got.join('/')}`);
    expect(got[2]).toBe(0);
    expect(Math.abs((got[0] as number) - 150)).toBeLessThanOrEqual(15);
    expect(Math.abs((got[1] as number) - 150)).toBeLessThanOrEqual(15);
  });

  it('removeAll() leaves no nft table, rule or per-next-hop table', async () => {
    await spreader.request('removeAll');
    expect(leftovers(rl.lab, rl.router)).toEqual({ nft: '', rules: [], routes: [] });
    await spreader.request('close');
  });
});
