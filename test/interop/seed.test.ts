// The seed's lab against each real router: FRR ospfd, then BIRD, in front of
// three SIP nodes running ospf-anycastd on one broadcast segment. The router
// must end with one route to the anycast /32 with a next hop per node, each
// node with the router's external route in its kernel table, and everyone
// agreeing on DR, BDR and the link-state database.
import { beforeAll, describe, expect, it } from 'vitest';
import { interopGate, sortLsas, type LsaKey, type RouteRowView } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import {
  ANYCAST,
  CLIENT_NET,
  CONVERGE_MS,
  ROUTER_ADDRESS,
  ROUTER_ID,
  ROUTE_PROTOCOL,
  nodeAddress,
  nodeRouterId,
  seedSuite,
} from './labs.js';

const gate = interopGate('seed lab interop tests', ['frr', 'bird']);
const NODES = 3;
const allNodeAddresses = Array.from({ length: NODES }, (_, k) => nodeAddress(k + 1)).sort();

describe.skipIf(gate.skip).each(['frr', 'bird'] as const)('seed lab with %s as the router', (kind) => {
  let startedAt = 0;
  beforeAll(() => {
    startedAt = performance.now();
  });
  const { current, detail } = seedSuite(`s${kind[0]}`, kind, NODES);

  it('installs one route to the anycast /32 with a next hop per node on the router', async () => {
    const { lab, routerNs } = current();
    const protocol = ROUTE_PROTOCOL[kind];
    await waitFor(`${NODES} next hops to ${ANYCAST} on the router`, () => lab.gateways(routerNs, ANYCAST, protocol).length === NODES, {
      timeoutMs: CONVERGE_MS,
      detail,
    });
    console.info(`${kind}: ${NODES} next hops to ${ANYCAST} ${Math.round(performance.now() - startedAt)} ms after the lab started`);
    const routes = lab.routes(routerNs, ANYCAST);
    expect(routes).toHaveLength(1);
    expect(lab.gateways(routerNs, ANYCAST, protocol)).toEqual(allNodeAddresses);
  });

  it('installs the router\'s external route to the client subnet on every node, as protocol 188', async () => {
    const { lab, nodes } = current();
    for (const node of nodes) {
      await waitFor(`${CLIENT_NET} in n${node.i}'s kernel table`, () => lab.gateways(node.ns, CLIENT_NET, 'ospf').length > 0, { timeoutMs: CONVERGE_MS, detail });
      expect(lab.gateways(node.ns, CLIENT_NET, 'ospf')).toEqual([ROUTER_ADDRESS]);
      const row = (await node.daemon.routes()).find((r) => r.prefix === CLIENT_NET);
      expect(row).toMatchObject({ pathType: 'external-2', nextHops: [{ address: ROUTER_ADDRESS, ifName: 'lan0' }] });
      // The operator CLI prints the same table.
      expect((await node.daemon.cli<RouteRowView[]>('show', 'routes')).find((r) => r.prefix === CLIENT_NET)).toEqual(row);
      // The anycast /32 is the node's own stub: nothing to install for it.
      expect(lab.gateways(node.ns, ANYCAST, 'ospf')).toEqual([]);
    }
  });

  it('elects the router DR and n1 BDR; the BDR is adjacent to all, two DROthers stay 2-Way', async () => {
    const { router, nodes } = current();
    expect(router.interfaceState()).toBe('DR');
    const seenByRouter = router.neighbors().map((n) => [n.routerId, n.state, n.role]);
    expect(seenByRouter.sort()).toEqual([
      [nodeRouterId(1), 'Full', 'Backup'],
      [nodeRouterId(2), 'Full', 'DROther'],
      [nodeRouterId(3), 'Full', 'DROther'],
    ]);
    for (const node of nodes) {
      const lan0 = (await node.daemon.interfaces()).find((i) => i.name === 'lan0');
      expect(lan0, `n${node.i} lan0`).toMatchObject({ state: node.i === 1 ? 'Backup' : 'DROther', dr: ROUTER_ADDRESS, bdr: nodeAddress(1) });
      const states = (await node.daemon.neighbors()).map((n) => [n.routerId, n.state, n.role]).sort();
      const expected = [[ROUTER_ID, 'Full', 'DR']];
      for (const other of nodes) {
        if (other.i === node.i) continue;
        const adjacent = node.i === 1 || other.i === 1;
        expected.push([nodeRouterId(other.i), adjacent ? 'Full' : '2-Way', other.i === 1 ? 'Backup' : 'DROther']);
      }
      expect(states, `n${node.i}'s neighbors`).toEqual(expected.sort());
    }
  });

  it('holds the same link-state database on the router and on every node', async () => {
    const { router, nodes } = current();
    const routerDb = (): LsaKey[] => sortLsas(router.peer.lsdb());
    for (const node of nodes) {
      await waitFor(
        `n${node.i}'s database to match the router's`,
        async () => JSON.stringify(sortLsas(await node.daemon.lsdb())) === JSON.stringify(routerDb()),
        { timeoutMs: CONVERGE_MS, detail: async () => `router: ${JSON.stringify(routerDb())}\nn${node.i}: ${JSON.stringify(sortLsas(await node.daemon.lsdb()))}` },
      );
    }
    const db = routerDb();
    // Four router-LSAs, the DR's network-LSA, the external for the client subnet.
    expect(db.filter((l) => l.type === 1).map((l) => l.advRouter).sort()).toEqual([ROUTER_ID, nodeRouterId(1), nodeRouterId(2), nodeRouterId(3)].sort());
    expect(db.filter((l) => l.type === 2)).toMatchObject([{ lsId: ROUTER_ADDRESS, advRouter: ROUTER_ID }]);
    // BIRD may pick another Link State ID inside the prefix (see test/fixtures/README.md).
    expect(db.filter((l) => l.type === 5 && l.advRouter === ROUTER_ID && l.lsId.startsWith('10.204.204.'))).toHaveLength(1);
    const n1 = nodes.find((n) => n.i === 1);
    const summary = await (n1 as (typeof nodes)[number]).daemon.ospf();
    expect(summary).toMatchObject({ routerId: nodeRouterId(1), neighbors: { total: NODES, full: NODES } });
    console.info(`${kind}: n1 ran SPF ${summary.spf.runs} times (${summary.spf.fullRuns} full), the last in ${summary.spf.lastDurationUs} µs`);
  });
});
