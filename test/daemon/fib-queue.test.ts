// The FIB queue (src/daemon/fib-queue.ts) against a stand-in installer: a
// job hands every change it has to the installer at once, each route the
// kernel refused is still logged on its own, and an SPF result that comes
// while a job runs is applied after it.
import { describe, expect, it } from 'vitest';
import type { InterfaceInfo } from '../../src/core/api.js';
import { FibQueue, type RouteInstaller } from '../../src/daemon/fib-queue.js';
import { Logger } from '../../src/daemon/logger.js';
import { RouteInstallError } from '../../src/io/errors.js';
import type { KernelRoute } from '../../src/io/kernel-route.js';
import type { SyncResult } from '../../src/io/routes.js';
import type { Prefix } from '../../src/lib/ipv4.js';
import type { Route, RouteChange, RouteTableView } from '../../src/spf/index.js';

const e0: InterfaceInfo = { name: 'e0', ifIndex: 7, up: true, loopback: false, mtu: 1500, addresses: [] };
const nextHops = [{ address: 0x0a000002, ifName: 'e0' }];

/** /32s from 10.1.0.0 up, all through one gateway, as the SPF shares one next-hop list. */
function routes(count: number, gateway = nextHops): Route[] {
  return Array.from({ length: count }, (_, i) => ({ prefix: { address: 0x0a010000 + i, length: 32 }, pathType: 'intra-area', cost: 10, type2Cost: 0, nextHops: gateway }));
}

function view(table: Map<number, Route>): RouteTableView {
  return {
    get size() {
      return table.size;
    },
    get: (p: Prefix) => table.get(p.address),
    routes: () => [...table.values()],
    routerRoutes: () => [],
  };
}

const added = (list: Route[]): RouteChange[] => list.map((route) => ({ kind: 'add', prefix: route.prefix, route }));

function result(routes: readonly KernelRoute[], failed: RouteInstallError[] = []): SyncResult {
  return { added: routes.filter((r) => !failed.some((f) => f.route === r)).map((r) => r.prefix), replaced: [], removed: [], unchanged: 0, failed };
}

/** An installer that records its calls; `update` answers with what `answer` makes of them. */
function installer(answer: (routes: readonly KernelRoute[]) => Promise<SyncResult> = async (routes) => result(routes)) {
  const updates: { routes: readonly KernelRoute[]; removed: readonly Prefix[] }[] = [];
  const fake: RouteInstaller = {
    sweep: async () => [],
    inherit: async () => [],
    sync: async (desired) => result(desired),
    update: (routes, removed) => {
      updates.push({ routes, removed });
      return answer(routes);
    },
    refresh: async () => result([]),
    removeAll: async () => result([]),
    installed: () => [],
    installedRoute: () => undefined,
    close: () => undefined,
  };
  return { fake, updates };
}

function queue(table: Map<number, Route>, routes: RouteInstaller, lines: string[] = [], held = () => false): FibQueue {
  const logger = new Logger({ level: 'debug', format: 'text', write: (l) => lines.push(l) });
  return new FibQueue({ routes, table: () => view(table), interfaces: () => [e0], held, logger });
}

describe('FibQueue', () => {
  it('hands a large change set to the installer in one update', async () => {
    const list = routes(20_000);
    const table = new Map(list.map((r) => [r.prefix.address, r]));
    const { fake, updates } = installer();
    const fib = queue(table, fake);
    fib.sync(added(list));
    await fib.settled();
    expect(updates).toHaveLength(1);
    expect(updates[0]?.routes.map((r) => r.prefix)).toEqual(list.map((r) => r.prefix));
    // One next-hop list for all, as the SPF gave it.
    expect(new Set(updates[0]?.routes.map((r) => r.nextHops)).size).toBe(1);
  });

  it('logs each route the kernel refused on its own', async () => {
    const list = routes(10_000);
    const table = new Map(list.map((r) => [r.prefix.address, r]));
    const refused = [17, 9_000, 9_999];
    const { fake } = installer(async (routes) =>
      result(
        routes,
        refused.map((i) => new RouteInstallError('add', 17, 'EEXIST', routes[i] as KernelRoute, `route ${i} refused`)),
      ),
    );
    const lines: string[] = [];
    const fib = queue(table, fake, lines);
    fib.sync(added(list));
    await fib.settled();
    expect(lines.filter((l) => l.includes('kernel refused a route')).map((l) => /route (\d+) refused/.exec(l)?.[1])).toEqual(refused.map(String));
    expect(lines.some((l) => l.includes('kernel routes updated') && l.includes('added=9997'))).toBe(true);
  });

  it('applies an SPF result that comes while a job runs after that job, as the table has it then', async () => {
    const first = routes(3);
    const table = new Map(first.map((r) => [r.prefix.address, r]));
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const { fake, updates } = installer(async (routes) => {
      if (updates.length === 1) await blocked;
      return result(routes);
    });
    const fib = queue(table, fake);
    fib.sync(added(first));
    await Promise.resolve();
    // The second route moves to another gateway twice while the first job waits on the kernel: the last state wins.
    const moved = routes(3, [{ address: 0x0a000006, ifName: 'e0' }])[1] as Route;
    table.set(moved.prefix.address, moved);
    fib.sync([{ kind: 'replace', prefix: moved.prefix, route: moved, previous: first[1] as Route }]);
    fib.sync([{ kind: 'replace', prefix: moved.prefix, route: moved, previous: first[1] as Route }]);
    release();
    await fib.settled();
    expect(updates.map((u) => u.routes.length)).toEqual([3, 1]);
    expect(updates[1]?.routes[0]?.nextHops).toEqual([{ gateway: 0x0a000006, ifIndex: 7 }]);
  });

  it('leaves the kernel alone while held (graceful restart)', async () => {
    const list = routes(2);
    const { fake, updates } = installer();
    const fib = queue(new Map(list.map((r) => [r.prefix.address, r])), fake, [], () => true);
    fib.sync(added(list));
    await fib.settled();
    expect(updates).toHaveLength(0);
  });
});
