// The seed lab (FRR in front of three ospf-anycastd nodes) on lossy links:
// every node link, both ways, drops a fifth of the packets, doubles a fifth
// and holds three quarters back in a slow lane that the others overtake
// (what `netem loss 20% duplicate 20% reorder 25% delay` does; see
// impair() in faults.ts), while the adjacencies form and for a while after. They must
// form and then stay Full, and once the links are clean again FRR's ECMP
// route must be right and every speaker hold the same LSAs, instance for
// instance (sequence number and checksum).
//
// Hellos every second, dead interval 10 s here (3 s elsewhere): with 20%
// loss a 3 s dead interval would see three hellos in a row lost every few
// minutes somewhere in the lab, a flap the protocol calls correct; ten in a
// row (1e-7) never happens, so any flap seen is ours.
import { describe, expect, it } from 'vitest';
import { interopGate } from '../helpers/peers.js';
import { sleep } from '../helpers/wait.js';
import { ROUTER_ID, nodeAddress, nodeConf, nodePriority, startSeedLab } from '../interop/labs.js';
import { FAULT_NODES, adjacencyChanges, impair, nodeLinkEnds, repair, useFaultLab, waitForIdenticalDatabases, waitForSeedRoutes, type Impairment } from './faults.js';

const gate = interopGate('fault tests: lossy links', ['frr']);
/** Each direction of each node link: a fifth lost, a fifth doubled, three quarters through a 64 kbit/s lane the rest overtake. */
const FAULTS: Impairment = { lossPercent: 20, duplicatePercent: 20, slowPercent: 75, slowRate: '64kbit' };
/** How long the faults stay on once every adjacency is Full. */
const FAULTY_AFTER_FULL_MS = 20_000;
const SAMPLE_MS = 250;
const slowDead = (conf: string): string => conf.replace('dead-interval 3', 'dead-interval 10');

describe.skipIf(gate.skip)('lossy, duplicating, reordering node links', () => {
  const { current } = useFaultLab('fn', {
    tuning: { routerConf: slowDead },
    prepare: (seed) => {
      for (const node of seed.nodes) node.daemon.writeConfig(slowDead(nodeConf(node.i, nodePriority(node.i))));
    },
    start: false,
  });

  it('adjacencies form and stay Full on lossy links; afterwards the ECMP route and every LSDB agree', async () => {
    const s = current();
    const ends = s.nodes.flatMap((n) => nodeLinkEnds(s, n.i));
    for (const end of ends) impair(s, end.ns, end.ifName, FAULTS);
    await startSeedLab(s);
    const fullAt = performance.now();
    const fullAtWall = Date.now();

    // While the faults last, FRR must see every node Full at every sample.
    const lapses: string[] = [];
    let samples = 0;
    while (performance.now() - fullAt < FAULTY_AFTER_FULL_MS) {
      const seen = s.router.neighbors();
      samples++;
      for (const node of s.nodes) {
        const state = seen.find((n) => n.address === nodeAddress(node.i))?.state ?? 'absent';
        if (state !== 'Full') lapses.push(`${Math.round(performance.now() - fullAt)} ms: FRR sees n${node.i} ${state}`);
      }
      await sleep(SAMPLE_MS);
    }
    const done = ends.map((end) => ({ end: `${end.ns} ${end.ifName}`, ...repair(s, end.ns, end.ifName) }));

    // At least a sample every two seconds, however slowly vtysh answers on a loaded machine.
    expect(samples).toBeGreaterThanOrEqual(FAULTY_AFTER_FULL_MS / 2000);
    expect(lapses).toEqual([]);
    // The faults were there: every link end lost, doubled and slowed packets.
    for (const d of done) {
      expect(Math.min(d.dropped, d.duplicated, d.slowed), `what ${d.end} did: ${JSON.stringify(d)}`).toBeGreaterThan(0);
    }
    // Once FRR had every node Full, no node saw an adjacency leave Full: not with the router,
    // not with n1 (the BDR). Before, while the DR and BDR are being elected, a Hello held back
    // in the slow lane longer than a Hello interval can arrive after a newer one and briefly
    // change a node's election (RFC 2328 9.4); the protocol then tears an adjacency down and
    // builds it again, as it must.
    for (const node of s.nodes) {
      const changes = adjacencyChanges(node.daemon);
      expect(changes.some((c) => c.neighbor === ROUTER_ID && c.to === 'Full'), `n${node.i} logged its adjacency to the router`).toBe(true);
      expect(
        changes.filter((c) => c.from === 'Full' && c.at >= fullAtWall),
        `n${node.i}'s adjacencies leaving Full`,
      ).toEqual([]);
    }

    await waitForSeedRoutes(s);
    const db = await waitForIdenticalDatabases(s);
    console.info(`lossy links: ${samples} samples over ${FAULTY_AFTER_FULL_MS} ms, all Full; ${JSON.stringify(done)}; ${db.length} LSAs identical on FRR and ${FAULT_NODES} nodes`);
  }, 180_000);
});
