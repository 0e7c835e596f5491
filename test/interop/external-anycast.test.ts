// `announce-as external` against FRR: two ospf-anycastd nodes announce the
// anycast /32 as an AS-external-LSA (RFC 2328 12.4.4) instead of a stub link
// of their router-LSA, although their `network` statements cover it. FRR must
// hold one E2 route with both nodes as next hops and no intra-area route;
// a failing health check must flush that node's external LSA, and a drain
// must return only once FRR has the flush.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interopGate } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ANYCAST, CONVERGE_MS, FOLLOW_MS, nodeAddress, nodeRouterId, seedSuite } from './labs.js';

const gate = interopGate('announce-as external interop tests', ['frr']);
const BOTH = [nodeAddress(1), nodeAddress(2)];

/** FRR's `show ip ospf route json` entry of one prefix. */
interface FrrOspfRoute {
  routeType: string;
  nexthops: { ip: string }[];
}

describe.skipIf(gate.skip)('announce-as external: the anycast /32 as an AS-external-LSA, with FRR as the router', () => {
  let dir = '';
  const downFile = (i: number): string => join(dir, `n${i}-down`);
  // The nodes' configurations name the down files: the directory comes first.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anycast-external-'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  const { current, detail } = seedSuite('ex', 'frr', 2, {
    tuning: {
      nodeConf: (conf, i) => `${conf}anycast ${ANYCAST}
 announce-as external metric 30 metric-type 2
 min-interval 0
 check exec interval 100 timeout 80 rise 1 fall 1 -- /usr/bin/test ! -e ${downFile(i)}
!
`,
    },
  });
  const frr = (): { json<T>(command: string): T; lsdb(): { type: number; lsId: string; advRouter: string; age: number }[] } => {
    const peer = current().router.peer;
    if (!('json' in peer)) throw new Error('the router is not FRR');
    return peer;
  };
  const frrRoute = (): FrrOspfRoute | undefined => frr().json<Record<string, FrrOspfRoute>>('show ip ospf route json')[ANYCAST];
  const kernelHops = (): string[] => current().lab.gateways(current().routerNs, ANYCAST, 'ospf');
  /** The nodes' external LSAs for the anycast /32 that FRR holds and has not flushed. */
  const liveExternals = (): string[] =>
    frr()
      .lsdb()
      .filter((l) => l.type === 5 && l.lsId === ANYCAST.split('/')[0] && l.age < 3600)
      .map((l) => l.advRouter)
      .sort();
  const follow = (what: string, hops: string[]): Promise<unknown> =>
    waitFor(`${what}: ${ANYCAST} via ${hops.join(', ') || 'nothing'}`, () => JSON.stringify(kernelHops()) === JSON.stringify(hops), { timeoutMs: FOLLOW_MS, intervalMs: 50, detail });

  it('FRR holds one E2 route with both nodes as next hops, and no stub link for it', async () => {
    await follow('both nodes announcing', BOTH);
    const route = frrRoute();
    expect(route?.routeType).toBe('N E2');
    expect(route?.nexthops.map((h) => h.ip).sort()).toEqual(BOTH);
    expect(liveExternals()).toEqual([nodeRouterId(1), nodeRouterId(2)]);
    // The `network` statement covers the /32, yet no router-LSA carries it as a stub link.
    for (const { i, daemon } of current().nodes) {
      const { lsas } = await daemon.database('router', nodeRouterId(i));
      expect(lsas).toHaveLength(1);
      expect(JSON.stringify(lsas)).not.toContain(ANYCAST.split('/')[0]);
    }
  });

  it('a failing check flushes that node\'s external LSA; passing again brings it back', async () => {
    writeFileSync(downFile(2), '');
    await follow('n2 unhealthy', [nodeAddress(1)]);
    await waitFor('n2\'s external LSA flushed from FRR', () => JSON.stringify(liveExternals()) === JSON.stringify([nodeRouterId(1)]), { timeoutMs: FOLLOW_MS, detail });
    expect(frrRoute()?.routeType).toBe('N E2');
    unlinkSync(downFile(2));
    await follow('n2 healthy again', BOTH);
  });

  it('drain returns once FRR has the flush, and undrain announces again', async () => {
    const node1 = current().nodes[0]?.daemon;
    if (node1 === undefined) throw new Error('no node 1');
    // min-interval 0, but FRR takes one instance per MinLSArrival (1 s): let the last change settle.
    await waitFor('both externals live', () => liveExternals().length === 2, { timeoutMs: CONVERGE_MS, detail });
    await sleep(1100);
    const out = await node1.cli<{ message: string }>('drain', '--timeout', '10');
    expect(out.message).toMatch(/^drained .*acknowledged by every neighbor$/);
    // Acknowledged means FRR's LSDB has the flushed instance; its route follows at once (no SPF for an external).
    expect(liveExternals()).toEqual([nodeRouterId(2)]);
    await follow('n1 drained', [nodeAddress(2)]);
    await sleep(1100);
    await node1.cli('undrain');
    await follow('n1 undrained', BOTH);
  });
});
