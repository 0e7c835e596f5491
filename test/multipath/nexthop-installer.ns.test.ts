// The nexthop-group installer in a router namespace with three gateway
// namespaces on a bridge: the start-up sweep of protocol-188 objects, one
// resilient group shared by the prefixes of one next-hop set, members
// replaced in place when a gateway leaves and returns (flows of the other
// gateways never move; on return only the returning gateway's share moves),
// hash-threshold groups, garbage collection and removal of everything.
// Verified with `ip -j nexthop` / `ip -j route` and 1,000 `ip route get` lookups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, namespaceGate, type JsonLineChild } from '../helpers/netns.js';
import { ANYCAST, GATEWAYS, buildRouterLab, compareMaps, mapFlows, type IpNexthop, type RouterLab } from './topology.js';

const gate = namespaceGate('nexthop installer namespace tests');

interface IpRoute {
  dst: string;
  protocol: string;
  nhid?: number;
  nexthops?: { gateway: string; dev: string }[];
}

interface SyncReply {
  added: string[];
  replaced: string[];
  removed: string[];
  unchanged: number;
  failed: string[];
}

const FLOWS = 1000;
const hop = (gateway: string): { gateway: string; ifName: string } => ({ gateway, ifName: 'e0' });
const allHops = GATEWAYS.map(hop);
const isOspf = (p: string | undefined): boolean => p === 'ospf' || p === '188';

describe.skipIf(gate.skip)('nexthop-group installer in a namespace', () => {
  let rl: RouterLab;
  let inst: JsonLineChild;

  const nexthops = (): IpNexthop[] => rl.lab.ipJson<IpNexthop[]>(rl.router, ['nexthop', 'show']);
  const ours = (): IpNexthop[] => nexthops().filter((n) => isOspf(n.protocol));
  const routeTo = (dst: string): IpRoute | undefined => rl.lab.ipJson<IpRoute[]>(rl.router, ['route', 'show']).find((r) => r.dst === dst.replace(/\/32$/, '') && isOspf(r.protocol));
  const sync = async (child: JsonLineChild, routes: unknown[]): Promise<SyncReply> => (await child.request('sync', { routes })).result as SyncReply;
  const start = async (options: object): Promise<JsonLineChild> => {
    const child = rl.lab.spawnJson(rl.router, process.execPath, ['test/multipath/nexthop-installer-driver.mjs', JSON.stringify(options)]);
    await child.waitForEvent((m) => m.event === 'ready', 10_000);
    return child;
  };

  beforeAll(async () => {
    rl = buildRouterLab(new NetnsLab('nh'));
    // Left by a crashed run (protocol 188), and objects that are not ours.
    rl.lab.exec(rl.router, 'ip', ['nexthop', 'add', 'id', '7001', 'via', GATEWAYS[0], 'dev', 'e0', 'proto', '188']);
    rl.lab.exec(rl.router, 'ip', ['nexthop', 'add', 'id', '7002', 'group', '7001', 'proto', '188']);
    rl.lab.exec(rl.router, 'ip', ['route', 'add', '10.50.0.0/24', 'nhid', '7002', 'proto', '188', 'metric', '20']);
    rl.lab.exec(rl.router, 'ip', ['nexthop', 'add', 'id', '7101', 'via', GATEWAYS[1], 'dev', 'e0', 'proto', 'static']);
    inst = await start({ group: { kind: 'resilient', buckets: 120, idleTimer: 0, unbalancedTimer: 0 } });
  });

  afterAll(async () => {
    await rl?.lab.teardown();
  });

  it('sweep() deletes protocol-188 routes, groups and nexthops of a previous run, and nothing else', async () => {
    const reply = await inst.request('sweep');
    expect(reply.removed).toEqual(['10.50.0.0/24']);
    expect(ours()).toEqual([]);
    expect(nexthops().map((n) => n.id)).toEqual([7101]);
  });

  it('installs the anycast /32 as a route naming one resilient group of three members', async () => {
    const result = await sync(inst, [{ prefix: `${ANYCAST}/32`, nextHops: allHops }]);
    expect(result).toMatchObject({ added: [`${ANYCAST}/32`], failed: [] });
    const route = routeTo(ANYCAST);
    const group = ours().find((n) => n.id === route?.nhid);
    expect(group).toMatchObject({ type: 'resilient', resilient_args: { buckets: 120, idle_timer: 0, unbalanced_timer: 0 } });
    const members = (group?.group ?? []).map((m) => ours().find((n) => n.id === m.id)?.gateway);
    expect(members.sort()).toEqual([...GATEWAYS]);
  });

  it('prefixes with the same next-hop set share one group', async () => {
    await sync(inst, [
      { prefix: `${ANYCAST}/32`, nextHops: allHops },
      { prefix: '10.207.0.0/24', nextHops: [...allHops].reverse() },
    ]);
    expect(routeTo('10.207.0.0/24')?.nhid).toBe(routeTo(ANYCAST)?.nhid);
    expect(ours().filter((n) => n.group !== undefined)).toHaveLength(1);
  });

  it('a gateway leaving moves none of the other gateways flows; its return moves only its own share back', async () => {
    const groupId = routeTo(ANYCAST)?.nhid;
    const before = mapFlows(rl.router, FLOWS);
    for (const g of GATEWAYS) expect(before.filter((v) => v === g).length).toBeGreaterThan(FLOWS / 3 - 100);

    const two = allHops.slice(0, 2);
    const down = await sync(inst, [
      { prefix: `${ANYCAST}/32`, nextHops: two },
      { prefix: '10.207.0.0/24', nextHops: two },
    ]);
    expect(down).toMatchObject({ replaced: [`${ANYCAST}/32`, '10.207.0.0/24'], failed: [] });
    // Replaced in place: the routes still name the same group.
    expect(routeTo(ANYCAST)?.nhid).toBe(groupId);
    const during = mapFlows(rl.router, FLOWS);
    const failed = GATEWAYS[2];
    const leave = compareMaps(before, during);
    expect([...leave.movedFrom.keys()]).toEqual([failed]);
    expect(leave.moved).toBe(before.filter((v) => v === failed).length);
    expect(during).not.toContain(failed);

    await sync(inst, [
      { prefix: `${ANYCAST}/32`, nextHops: allHops },
      { prefix: '10.207.0.0/24', nextHops: allHops },
    ]);
    expect(routeTo(ANYCAST)?.nhid).toBe(groupId);
    const after = mapFlows(rl.router, FLOWS);
    const back = compareMaps(during, after);
    // Every flow that moved went to the returning gateway, and no more than its share of buckets did.
    expect([...back.movedTo.keys()]).toEqual([failed]);
    expect(back.moved).toBeGreaterThan(FLOWS / 3 - 100);
    expect(back.moved).toBeLessThan(FLOWS / 3 + 100);
    console.log(`resilient, 3 gateways, ${FLOWS} flows: ${leave.moved} moved on failure (all of the failed gateway), ${back.moved} moved on return`);
  });

  it('moving one prefix to another set leaves the group of the others alone, and unused objects are deleted', async () => {
    const groupId = routeTo(ANYCAST)?.nhid;
    await sync(inst, [
      { prefix: `${ANYCAST}/32`, nextHops: allHops },
      { prefix: '10.207.0.0/24', nextHops: [allHops[0]] },
    ]);
    expect(routeTo(ANYCAST)?.nhid).toBe(groupId);
    expect(routeTo('10.207.0.0/24')?.nhid).not.toBe(groupId);
    expect(ours().filter((n) => n.group !== undefined)).toHaveLength(2);
    await sync(inst, [{ prefix: `${ANYCAST}/32`, nextHops: allHops }]);
    expect(routeTo('10.207.0.0/24')).toBeUndefined();
    expect(ours().filter((n) => n.group !== undefined).map((n) => n.id)).toEqual([groupId]);
    expect(ours().filter((n) => n.group === undefined)).toHaveLength(3);
  });

  it('refresh() after the interface went down and up puts back the nexthops, group and route the kernel flushed', async () => {
    rl.lab.down(rl.router, 'e0');
    expect(ours()).toEqual([]);
    expect(routeTo(ANYCAST)).toBeUndefined();
    rl.lab.up(rl.router, 'e0');
    const reply = (await inst.request('refresh')).result as SyncReply;
    expect(reply).toMatchObject({ added: [`${ANYCAST}/32`], failed: [] });
    const group = ours().find((n) => n.id === routeTo(ANYCAST)?.nhid);
    expect(group).toMatchObject({ type: 'resilient' });
    expect(group?.group).toHaveLength(3);
  });

  it('removeAll() leaves no protocol-188 route, group or nexthop', async () => {
    const reply = await inst.request('removeAll');
    expect(reply.result).toMatchObject({ removed: [`${ANYCAST}/32`], failed: [] });
    expect(ours()).toEqual([]);
    expect(routeTo(ANYCAST)).toBeUndefined();
    await inst.request('close');
  });

  it('hash-threshold: the route names a group of that kind', async () => {
    const child = await start({ group: { kind: 'hash-threshold' } });
    await child.request('sweep');
    await sync(child, [{ prefix: `${ANYCAST}/32`, nextHops: allHops }]);
    const group = ours().find((n) => n.id === routeTo(ANYCAST)?.nhid);
    expect(group?.group).toHaveLength(3);
    expect(group?.type ?? 'mpath').toBe('mpath');
    const groups = (await child.request('groups')).groups;
    expect(groups).toEqual([{ id: group?.id, kind: 'hash-threshold', gateways: [...GATEWAYS] }]);
    await child.request('removeAll');
    expect(ours()).toEqual([]);
    await child.request('close');
  });

  it('without nexthop objects (kernels before 5.3, forced by nexthopObjects false): an RTA_MULTIPATH route, no object, and a warning logged', async () => {
    const child = await start({ fib: true, group: { kind: 'resilient', buckets: 120, idleTimer: 0, unbalancedTimer: 0 }, nexthopObjects: false });
    await child.request('sweep');
    const result = await sync(child, [{ prefix: `${ANYCAST}/32`, nextHops: allHops }]);
    expect(result).toMatchObject({ added: [`${ANYCAST}/32`], failed: [] });
    const route = routeTo(ANYCAST);
    expect(route?.nhid).toBeUndefined();
    expect(route?.nexthops?.map((h) => [h.gateway, h.dev])).toEqual(GATEWAYS.map((g) => [g, 'e0']));
    expect(ours()).toEqual([]);
    const warnings = child.events.filter((e) => e.event === 'log' && e.level === 'warning').map((e) => e.message);
    expect(warnings).toEqual(['nexthop objects turned off (nexthopObjects: false); routes use RTA_MULTIPATH and the kernel\'s hash-threshold spreading']);
    expect((await child.request('multipath', { prefix: `${ANYCAST}/32` })).view).toEqual({ group: 'rta-multipath', perPacket: false, nextHops: [...GATEWAYS] });
    await child.request('removeAll');
    expect(routeTo(ANYCAST)).toBeUndefined();
    await child.request('close');
  });

  it('update() touches only the prefixes it is given, many to a datagram, and a refused route is reported alone', async () => {
    const child = await start({ group: { kind: 'resilient', buckets: 120, idleTimer: 0, unbalancedTimer: 0 } });
    await child.request('sweep');
    // Another protocol's route where one of ours would go: NLM_F_EXCL makes the kernel refuse ours (EEXIST).
    rl.lab.exec(rl.router, 'ip', ['route', 'add', '10.208.0.77/32', 'via', GATEWAYS[0], 'dev', 'e0', 'proto', 'static', 'metric', '20']);
    const update = async (routes: unknown[], removed: string[]): Promise<SyncReply> => (await child.request('update', { routes, removed })).result as SyncReply;
    const many = Array.from({ length: 300 }, (_, i) => ({ prefix: `10.208.${i >> 8}.${i & 255}/32`, nextHops: [allHops[0]] }));
    const added = await update(many, []);
    expect(added.added).toHaveLength(299);
    expect(added.failed).toHaveLength(1);
    expect(added.failed[0]).toContain('10.208.0.77/32');
    expect(added.failed[0]).toContain('EEXIST');
    const ospfRoutes = (): IpRoute[] => rl.lab.ipJson<IpRoute[]>(rl.router, ['route', 'show']).filter((r) => isOspf(r.protocol));
    expect(ospfRoutes()).toHaveLength(299);

    // The refused route is retried by the next update, which now succeeds.
    rl.lab.exec(rl.router, 'ip', ['route', 'del', '10.208.0.77/32', 'proto', 'static']);
    expect(await update([], ['10.208.0.5/32'])).toMatchObject({ added: ['10.208.0.77/32'], replaced: [], removed: ['10.208.0.5/32'], failed: [] });
    expect(ospfRoutes()).toHaveLength(299);
    const shared = routeTo('10.208.0.7/32')?.nhid;
    expect(routeTo('10.208.0.6/32')?.nhid).toBe(shared);

    // One prefix to a set of its own: a new group for it; the others keep theirs.
    await update([{ prefix: '10.208.0.6/32', nextHops: allHops }], []);
    const own = routeTo('10.208.0.6/32')?.nhid;
    expect(own).not.toBe(shared);
    expect(routeTo('10.208.0.7/32')?.nhid).toBe(shared);
    // Every user of that group to another set: the group is changed in place, the route not rewritten.
    const moved = await update([{ prefix: '10.208.0.6/32', nextHops: [allHops[1], allHops[2]] }], []);
    expect(moved).toMatchObject({ replaced: ['10.208.0.6/32'], failed: [] });
    expect(routeTo('10.208.0.6/32')?.nhid).toBe(own);
    expect(ours().find((n) => n.id === own)?.group).toHaveLength(2);

    await child.request('removeAll');
    expect(ospfRoutes()).toEqual([]);
    expect(ours()).toEqual([]);
    await child.request('close');
  });
});
