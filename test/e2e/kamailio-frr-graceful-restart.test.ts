// The seed's lab with Kamailio on three ospf-anycastd nodes and FRR ospfd as
// the router, which restarts gracefully (RFC 3623): `graceful-restart
// prepare ip ospf`, SIGKILL, start, as FRR's documentation describes. The
// nodes help it (RFC 3623 3), so the route back to the client never leaves
// their kernels and SIP OPTIONS from the client are answered throughout.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { CLIENT_SUBNET, KamailioCluster, missingTools, nodeAddress, until } from '../../bench/failover/cluster.js';
import { peerGate } from '../helpers/gates.js';
import { namespaceGate } from '../helpers/netns.js';
import { RouteWatch } from '../helpers/route-watch.js';
import type { NeighborRowView } from '../../src/control/views.js';
import { sleep } from '../helpers/wait.js';

const ns = namespaceGate('the Kamailio + FRR graceful restart test');
const skip = ns.skip || peerGate('the Kamailio + FRR graceful restart test', missingTools()).skip;

const ALL = [nodeAddress(1), nodeAddress(2), nodeAddress(3)];
const ROUTER_ID = '10.255.0.254';
const GRACE_PERIOD_S = 60;

describe.skipIf(skip)('Kamailio behind ospf-anycastd while the FRR router restarts gracefully', () => {
  let cluster: KamailioCluster | undefined;
  const live = (): KamailioCluster => cluster as KamailioCluster;
  /** Node i's view of the router (show neighbors --json). */
  const routerSeenBy = (i: number): NeighborRowView | undefined =>
    (JSON.parse(live().cli(i, ['--json', 'show', 'neighbors'])) as NeighborRowView[]).find((n) => n.routerId === ROUTER_ID);

  beforeAll(async () => {
    cluster = new KamailioCluster('egr', ['anycastd', 'anycastd', 'anycastd'], ['capability opaque', `graceful-restart grace-period ${GRACE_PERIOD_S}`]);
    await cluster.startRouter();
    await cluster.startNodes();
    try {
      await until('every node announcing', () => JSON.stringify(cluster?.gateways()) === JSON.stringify(ALL), 60_000);
      await until('every node routing back to the client', () => cluster?.nodesRoutingToClient() === ALL.length, 30_000);
      // A restart is prepared on a quiet network: every flooded LSA acknowledged.
      await until('nothing left to retransmit on the nodes', () => [1, 2, 3].every((i) => routerSeenBy(i)?.retransmitCount === 0), 30_000);
    } catch (err) {
      console.error(cluster.report());
      throw err;
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('no OPTIONS reply lost and no node without the client subnet during the restart', async () => {
    onTestFailed(() => console.error(cluster?.report()));
    const c = live();
    // The router's first packets to each node wait on ARP; one round settles that.
    await c.probeAsync(6);
    const watches = c.nodes.map((n) => new RouteWatch(c.net, n.ns, CLIENT_SUBNET, true));
    const answers: (string | null)[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) answers.push(...(await c.probeAsync(3)));
    })();
    try {
      await Promise.all(watches.map((w) => w.ready()));
      c.vtysh('graceful-restart prepare ip ospf');
      await until('every node helping the router', () => [1, 2, 3].every((i) => routerSeenBy(i)?.helper !== undefined), 10_000);
      const restartedAt = performance.now();
      await c.restartRouterOspfd();
      await until(
        'the restart over: every node Full with the router and helping no more, three next hops on the router',
        () => [1, 2, 3].every((i) => {
          const seen = routerSeenBy(i);
          return seen?.state === 'Full' && seen.helper === undefined;
        }) && JSON.stringify(c.gateways()) === JSON.stringify(ALL),
        (GRACE_PERIOD_S + 30) * 1000,
      );
      console.log(`FRR's graceful restart over ${(performance.now() - restartedAt).toFixed(0)} ms after ospfd was killed`);
      // Whatever the end of the restart would withdraw shows within the SPF hold.
      await sleep(2000);
    } finally {
      probing = false;
      await prober;
      for (const w of watches) w.stop();
    }
    const gaps = watches.map((w) => w.longestGapMs());
    const lost = answers.filter((a) => a === null).length;
    console.log(`${answers.length} OPTIONS during the restart, ${lost} unanswered; ${CLIENT_SUBNET} absent on the nodes: ${gaps.join(', ')} ms`);
    expect(answers.length).toBeGreaterThan(10);
    expect(lost).toBe(0);
    expect(gaps).toEqual([0, 0, 0]);
  }, (GRACE_PERIOD_S + 120) * 1000);
});
