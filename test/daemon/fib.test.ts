// The kernel's side of the prefixes an SPF run changed (src/daemon/fib.ts):
// each becomes the route the table has now, or a removal.
import { describe, expect, it } from 'vitest';
import type { InterfaceInfo } from '../../src/core/api.js';
import { kernelChanges } from '../../src/daemon/fib.js';
import { parseIpv4, parsePrefix, type Prefix } from '../../src/lib/ipv4.js';
import type { Route, RouteTableView } from '../../src/spf/index.js';

function table(routes: Route[]): RouteTableView {
  const byKey = new Map(routes.map((r) => [`${r.prefix.address}/${r.prefix.length}`, r]));
  return {
    size: routes.length,
    get: (p: Prefix) => byKey.get(`${p.address}/${p.length}`),
    routes: () => routes,
    routerRoutes: () => [],
  };
}

function route(prefix: string, hops: [string, string][]): Route {
  return { prefix: parsePrefix(prefix), pathType: 'intra-area', cost: 10, type2Cost: 0, nextHops: hops.map(([address, ifName]) => ({ address: parseIpv4(address), ifName })) };
}

const interfaces = new Map<string, InterfaceInfo>([
  ['e0', { name: 'e0', ifIndex: 7, up: true, loopback: false, mtu: 1500, addresses: [] }],
  ['e1', { name: 'e1', ifIndex: 8, up: false, loopback: false, mtu: 1500, addresses: [] }],
]);

describe('kernelChanges', () => {
  it('turns changed prefixes into routes to install and prefixes to delete', () => {
    const now = table([
      route('10.1.0.0/24', [['10.0.0.2', 'e0']]),
      // Directly attached: the kernel's connected route serves it.
      route('10.0.0.0/30', [['0.0.0.0', 'e0']]),
      // Only through an interface that is down.
      route('10.2.0.0/24', [['10.0.1.2', 'e1']]),
      route('10.3.0.0/24', [['10.0.0.2', 'e0']]),
    ]);
    const changed = ['10.1.0.0/24', '10.0.0.0/30', '10.2.0.0/24', '10.9.0.0/24'].map((p) => parsePrefix(p));
    const { routes, removed } = kernelChanges(changed, now, interfaces);
    expect(routes).toEqual([{ prefix: parsePrefix('10.1.0.0/24'), nextHops: [{ gateway: parseIpv4('10.0.0.2'), ifIndex: 7 }] }]);
    expect(removed).toEqual(['10.0.0.0/30', '10.2.0.0/24', '10.9.0.0/24'].map((p) => parsePrefix(p)));
  });
});
