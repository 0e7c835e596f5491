// The kernel route installer in a network namespace: ECMP install, replace
// in place, untouched routes of other protocols and tables, the start-up
// sweep of stale protocol-188 routes, kernel errors as named errors, and
// removal of everything at shutdown. Verified with `ip -j route`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, namespaceGate, type JsonLineChild } from '../helpers/netns.js';

const gate = namespaceGate('route installer namespace tests');

interface IpRoute {
  dst: string;
  protocol: string;
  scope?: string;
  metric?: number;
  gateway?: string;
  dev?: string;
  nexthops?: { gateway: string; dev: string }[];
}

interface SyncReply {
  added: string[];
  replaced: string[];
  removed: string[];
  unchanged: number;
  failed: { name: string; errno: number; code: string; message: string; prefix: string }[];
}

const isOspf = (r: IpRoute): boolean => r.protocol === 'ospf' || r.protocol === '188';
const ANYCAST = '10.206.206.1/32';
const hops3 = [
  { gateway: '10.91.1.2', ifName: 'e1' },
  { gateway: '10.91.2.2', ifName: 'e2' },
  { gateway: '10.91.3.2', ifName: 'e3' },
];

describe.skipIf(gate.skip)('route installer in a namespace', () => {
  let lab: NetnsLab;
  let ns: string;
  let inst: JsonLineChild;

  const routes = (table = 'main'): IpRoute[] => lab.ipJson<IpRoute[]>(ns, ['route', 'show', 'table', table]);
  const route = (dst: string, proto: (r: IpRoute) => boolean = isOspf, table = 'main'): IpRoute | undefined =>
    routes(table).find((r) => r.dst === dst.replace(/\/32$/, '') && proto(r));
  const sync = async (list: unknown[]): Promise<SyncReply> => (await inst.request('sync', { routes: list })).result as SyncReply;

  beforeAll(async () => {
    lab = new NetnsLab('rt');
    ns = lab.namespace('r');
    const peer = lab.namespace('n');
    for (const i of [1, 2, 3]) {
      lab.veth(ns, `e${i}`, peer, `f${i}`);
      lab.address(ns, `e${i}`, `10.91.${i}.1/24`);
      lab.address(peer, `f${i}`, `10.91.${i}.2/24`);
      lab.up(ns, `e${i}`);
      lab.up(peer, `f${i}`);
    }
    // Stale routes of a previous run (protocol 188), and routes that are not ours.
    lab.exec(ns, 'ip', ['route', 'add', '10.50.0.0/24', 'via', '10.91.1.2', 'proto', '188', 'metric', '20']);
    lab.exec(ns, 'ip', ['route', 'add', '10.50.1.0/24', 'via', '10.91.2.2', 'proto', '188', 'metric', '100']);
    lab.exec(ns, 'ip', ['route', 'add', '10.50.2.0/24', 'via', '10.91.1.2', 'proto', '188', 'table', '100']);
    lab.exec(ns, 'ip', ['route', 'add', ANYCAST, 'via', '10.91.1.2', 'proto', 'static', 'metric', '200']);
    lab.exec(ns, 'ip', ['route', 'add', '10.80.0.0/24', 'via', '10.91.3.2', 'proto', 'static', 'metric', '20']);
    inst = lab.spawnJson(ns, process.execPath, ['test/io/routes-driver.mjs', JSON.stringify({ metric: 20 })]);
    await inst.waitForEvent((m) => m.event === 'ready', 10_000);
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('sweep() deletes stale protocol-188 routes of its table only', async () => {
    const reply = await inst.request('sweep');
    expect(reply.removed).toEqual(['10.50.0.0/24', '10.50.1.0/24']);
    expect(routes().filter(isOspf)).toEqual([]);
    expect(route('10.50.2.0/24', isOspf, '100')).toBeDefined();
    expect(route(ANYCAST, (r) => r.protocol === 'static')).toMatchObject({ metric: 200, gateway: '10.91.1.2' });
  });

  it('installs a /32 with three ECMP next hops as one RTA_MULTIPATH route', async () => {
    const result = await sync([{ prefix: ANYCAST, nextHops: hops3 }]);
    expect(result).toMatchObject({ added: [ANYCAST], replaced: [], removed: [], failed: [] });
    const r = route(ANYCAST);
    expect(r).toMatchObject({ metric: 20 });
    expect(r?.nexthops?.map((h) => ({ gateway: h.gateway, dev: h.dev }))).toEqual([
      { gateway: '10.91.1.2', dev: 'e1' },
      { gateway: '10.91.2.2', dev: 'e2' },
      { gateway: '10.91.3.2', dev: 'e3' },
    ]);
  });

  it('replaces it with two next hops in place: no RTM_DELROUTE in between', async () => {
    const monitor = lab.spawn(ns, 'ip', ['monitor', 'route']);
    let seen = '';
    monitor.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const result = await sync([{ prefix: ANYCAST, nextHops: hops3.slice(1) }]);
    expect(result).toMatchObject({ added: [], replaced: [ANYCAST], removed: [], failed: [] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    monitor.kill();
    expect(seen).toContain('10.206.206.1');
    expect(seen).not.toMatch(/^Deleted/m);
    expect(route(ANYCAST)?.nexthops?.map((h) => h.gateway)).toEqual(['10.91.2.2', '10.91.3.2']);
    expect(route(ANYCAST, (r) => r.protocol === 'static')).toMatchObject({ metric: 200 });
  });

  it('touches nothing when the desired routes have not changed (next-hop order aside)', async () => {
    const result = await sync([{ prefix: ANYCAST, nextHops: [...hops3.slice(1)].reverse() }]);
    expect(result).toEqual({ added: [], replaced: [], removed: [], unchanged: 1, failed: [] });
  });

  it('installs a single path as RTA_GATEWAY + RTA_OIF', async () => {
    const result = await sync([
      { prefix: ANYCAST, nextHops: hops3.slice(1) },
      { prefix: '10.70.0.0/24', nextHops: [hops3[2]] },
    ]);
    expect(result).toMatchObject({ added: ['10.70.0.0/24'], unchanged: 1, failed: [] });
    expect(route('10.70.0.0/24')).toMatchObject({ gateway: '10.91.3.2', dev: 'e3', metric: 20 });
  });

  it('takes interface-only paths, alone or mixed with gateways', async () => {
    const result = await sync([
      { prefix: ANYCAST, nextHops: hops3.slice(1) },
      { prefix: '10.70.0.0/24', nextHops: [hops3[2]] },
      { prefix: '10.72.0.0/24', nextHops: [{ ifName: 'e1' }] },
      { prefix: '10.73.0.0/24', nextHops: [{ gateway: '10.91.2.2', ifName: 'e2' }, { ifName: 'e1' }] },
    ]);
    expect(result).toMatchObject({ added: ['10.72.0.0/24', '10.73.0.0/24'], failed: [] });
    expect(route('10.72.0.0/24')).toMatchObject({ dev: 'e1', scope: 'link' });
    expect(route('10.73.0.0/24')?.nexthops?.map((h) => [h.gateway, h.dev])).toEqual([
      [undefined, 'e1'],
      ['10.91.2.2', 'e2'],
    ]);
    const back = await sync([
      { prefix: ANYCAST, nextHops: hops3.slice(1) },
      { prefix: '10.70.0.0/24', nextHops: [hops3[2]] },
    ]);
    expect(back).toMatchObject({ removed: ['10.72.0.0/24', '10.73.0.0/24'], failed: [] });
  });

  it("never overwrites another protocol's route with the same metric: EEXIST as a RouteInstallError", async () => {
    const result = await sync([
      { prefix: ANYCAST, nextHops: hops3.slice(1) },
      { prefix: '10.70.0.0/24', nextHops: [hops3[2]] },
      { prefix: '10.80.0.0/24', nextHops: [hops3[0]] },
    ]);
    expect(result.failed).toEqual([expect.objectContaining({ name: 'RouteInstallError', errno: 17, code: 'EEXIST', prefix: '10.80.0.0/24' })]);
    expect(route('10.80.0.0/24', (r) => r.protocol === 'static')).toMatchObject({ gateway: '10.91.3.2', metric: 20 });
  });

  it('reports a route the kernel rejects with its errno and keeps the others', async () => {
    const result = await sync([
      { prefix: ANYCAST, nextHops: hops3.slice(1) },
      { prefix: '10.70.0.0/24', nextHops: [hops3[2]] },
      { prefix: '10.71.0.0/24', nextHops: [{ gateway: '192.0.2.1', ifName: 'e1' }] },
    ]);
    expect(result.unchanged).toBe(2);
    expect(result.failed).toEqual([expect.objectContaining({ name: 'RouteInstallError', errno: 101, code: 'ENETUNREACH', prefix: '10.71.0.0/24' })]);
    expect(result.failed[0]?.message).toContain('via 192.0.2.1');
    expect(route('10.71.0.0/24')).toBeUndefined();
  });

  it('refresh() puts back routes the kernel flushed or an operator deleted', async () => {
    const desired = [
      { prefix: ANYCAST, nextHops: hops3.slice(1) },
      { prefix: '10.70.0.0/24', nextHops: [hops3[2]] },
      { prefix: '10.74.0.0/24', nextHops: [hops3[1]] },
    ];
    expect((await sync(desired)).added).toEqual(['10.74.0.0/24']);
    // Taking e2 down makes the kernel delete the single-path route through it
    // (the ECMP route only loses that path for a while); an operator deletes another.
    lab.down(ns, 'e2');
    lab.up(ns, 'e2');
    lab.exec(ns, 'ip', ['route', 'del', '10.70.0.0/24', 'proto', '188']);
    expect(route('10.74.0.0/24')).toBeUndefined();
    expect(route('10.70.0.0/24')).toBeUndefined();
    // A plain sync cannot know…
    expect(await sync(desired)).toMatchObject({ added: [], unchanged: 3 });
    // …refresh() reads the kernel and repairs.
    const repaired = (await inst.request('refresh')).result as SyncReply;
    expect(repaired).toMatchObject({ added: ['10.70.0.0/24', '10.74.0.0/24'], replaced: [], removed: [], unchanged: 1, failed: [] });
    expect(route('10.74.0.0/24')).toMatchObject({ gateway: '10.91.2.2', dev: 'e2' });
    expect(route(ANYCAST)?.nexthops?.map((h) => h.gateway)).toEqual(['10.91.2.2', '10.91.3.2']);
    expect(route('10.70.0.0/24')).toMatchObject({ gateway: '10.91.3.2', dev: 'e3' });
    expect((await sync(desired.slice(0, 2))).removed).toEqual(['10.74.0.0/24']);
  });

  it('removeAll() deletes exactly what it installed', async () => {
    const result = (await inst.request('removeAll')).result as SyncReply;
    expect(result).toMatchObject({ removed: ['10.70.0.0/24', ANYCAST], failed: [] });
    expect(routes().filter(isOspf)).toEqual([]);
    expect(route(ANYCAST, (r) => r.protocol === 'static')).toBeDefined();
    expect(route('10.80.0.0/24', (r) => r.protocol === 'static')).toBeDefined();
    expect(route('10.50.2.0/24', isOspf, '100')).toBeDefined();
  });

  it('update() adds and deletes the prefixes it is given; the routes of the last sync stay', async () => {
    await sync([{ prefix: ANYCAST, nextHops: hops3 }]);
    const update = async (list: unknown[], removed: string[]): Promise<SyncReply> => (await inst.request('update', { routes: list, removed })).result as SyncReply;
    expect(await update([{ prefix: '10.71.0.0/24', nextHops: [hops3[0]] }], [])).toMatchObject({ added: ['10.71.0.0/24'], removed: [], failed: [] });
    expect(route(ANYCAST)).toBeDefined();
    expect(await update([], [ANYCAST])).toMatchObject({ added: [], removed: [ANYCAST], failed: [] });
    expect(route(ANYCAST)).toBeUndefined();
    expect(route('10.71.0.0/24')).toBeDefined();
    expect((await inst.request('removeAll')).result).toMatchObject({ removed: ['10.71.0.0/24'], failed: [] });
  });

  it('works in a table above 255 (RTA_TABLE)', async () => {
    const other = lab.spawnJson(ns, process.execPath, ['test/io/routes-driver.mjs', JSON.stringify({ table: 1000, metric: 30 })]);
    await other.waitForEvent((m) => m.event === 'ready', 10_000);
    const result = (await other.request('sync', { routes: [{ prefix: ANYCAST, nextHops: hops3 }] })).result as SyncReply;
    expect(result).toMatchObject({ added: [ANYCAST], failed: [] });
    expect(route(ANYCAST, isOspf, '1000')?.nexthops).toHaveLength(3);
    expect(route(ANYCAST, isOspf, 'main')).toBeUndefined();
    expect(((await other.request('sweep')).removed as string[])).toEqual([ANYCAST]);
    expect(routes('1000').filter(isOspf)).toEqual([]);
  });

  it('syncs 1000 ECMP routes, replaces them all, removes them all (timed)', async () => {
    const n = 1000;
    const prefixes = Array.from({ length: n }, (_, i) => `10.120.${i >> 8}.${i & 255}/32`);
    const add = await inst.request('sync', { routes: prefixes.map((prefix) => ({ prefix, nextHops: hops3 })) }, 60_000);
    expect((add.result as SyncReply).added).toHaveLength(n);
    expect((add.result as SyncReply).failed).toEqual([]);
    expect(routes().filter(isOspf)).toHaveLength(n);
    const replace = await inst.request('sync', { routes: prefixes.map((prefix) => ({ prefix, nextHops: hops3.slice(1) })) }, 60_000);
    expect((replace.result as SyncReply).replaced).toHaveLength(n);
    const same = await inst.request('sync', { routes: prefixes.map((prefix) => ({ prefix, nextHops: hops3.slice(1) })) }, 60_000);
    expect((same.result as SyncReply).unchanged).toBe(n);
    const remove = await inst.request('removeAll', {}, 60_000);
    expect((remove.result as SyncReply).removed).toHaveLength(n);
    expect(routes().filter(isOspf)).toEqual([]);
    const ms = (reply: Record<string, unknown>): string => (reply.elapsedMs as number).toFixed(0);
    console.info(`route installer, ${n} /32 routes: add (3 paths) ${ms(add)} ms, replace (2 paths) ${ms(replace)} ms, unchanged sync ${ms(same)} ms, remove ${ms(remove)} ms`);
  });
});
