// `ospf-anycast drain` returns only once the router has the withdrawal: the
// router-LSA instance without the anycast /32 is originated, however long
// MinLSInterval holds it back after the previous change (RFC 2328 12.4), and
// acknowledged by every Full neighbor (13.6). FRR in front of two
// ospf-anycastd nodes; node 1 is undrained and drained again within its
// min-interval, round after round, and at the moment drain returns FRR's
// LSDB must already hold the instance that withdraws it.
//
// `DRAIN_ROUNDS=N` sets the number of rounds (5 by default); each round
// prints how long drain took and when FRR's kernel dropped the node.
import { describe, expect, it } from 'vitest';
import { interopGate } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ANYCAST, CONVERGE_MS, FOLLOW_MS, nodeAddress, nodeRouterId, seedSuite } from '../interop/labs.js';

const gate = interopGate('drain against FRR', ['frr']);
const ROUNDS = Math.max(1, Number(process.env.DRAIN_ROUNDS ?? 5));
const ANYCAST_ADDRESS = ANYCAST.split('/')[0] as string;

describe.skipIf(gate.skip)('drain returns once FRR holds the withdrawal, also right after an undrain', () => {
  const { current, detail } = seedSuite('dr', 'frr', 2, {
    tuning: {
      nodeConf: (conf) => `${conf}anycast ${ANYCAST}
 check exec interval 200 timeout 150 rise 1 fall 1 -- /bin/true
!
`,
    },
    ready: () => waitFor('both nodes announcing', () => kernelHops().length === 2, { timeoutMs: CONVERGE_MS, detail }),
  });
  const frr = (): { lsdb(): { type: number; lsId: string; advRouter: string; seq?: string; age: number }[] } => {
    const peer = current().router.peer;
    if (!('json' in peer)) throw new Error('the router is not FRR');
    return peer;
  };
  const kernelHops = (): string[] => current().lab.gateways(current().routerNs, ANYCAST, 'ospf');
  /** Node 1's router-LSA as node 1 itself holds it: sequence number and whether it carries the anycast /32. */
  const ownRouterLsa = async (): Promise<{ seq: string; announces: boolean }> => {
    const node1 = current().nodes[0]?.daemon;
    if (node1 === undefined) throw new Error('no node 1');
    const { lsas } = await node1.database('router', nodeRouterId(1));
    const row = lsas[0];
    if (row === undefined) throw new Error('node 1 holds no router-LSA of its own');
    // As FRR's sequence numbers are read (test/helpers/peers.ts): eight hex digits, no 0x.
    return { seq: row.seq.replace(/^0x/i, '').toLowerCase().padStart(8, '0'), announces: JSON.stringify(row.body).includes(ANYCAST_ADDRESS) };
  };
  /** The sequence number of node 1's router-LSA in FRR's LSDB. */
  const frrSeq = (): string | undefined => frr().lsdb().find((l) => l.type === 1 && l.advRouter === nodeRouterId(1))?.seq;

  it(`in ${ROUNDS} rounds of undrain then drain within min-interval, FRR has the withdrawing instance when drain returns`, async () => {
    const node1 = current().nodes[0]?.daemon;
    if (node1 === undefined) throw new Error('no node 1');
    const figures: string[] = [];
    const late: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await node1.cli('undrain');
      await waitFor(`round ${round + 1}: node 1 announcing at FRR`, async () => {
        const own = await ownRouterLsa();
        return own.announces && frrSeq() === own.seq && kernelHops().includes(nodeAddress(1));
      }, { timeoutMs: FOLLOW_MS, intervalMs: 50, detail });
      // Inside the 1 s min-interval (and MinLSInterval) of the undrain's origination.
      await sleep(100 + Math.floor(Math.random() * 700));
      const started = performance.now();
      const out = await node1.cli<{ message: string }>('drain', '--timeout', '10');
      const returned = performance.now();
      const atReturn = frrSeq();
      const inKernelAtReturn = kernelHops().includes(nodeAddress(1));
      expect(out.message).toMatch(/acknowledged by every neighbor$/);
      await waitFor(`round ${round + 1}: FRR's kernel without node 1`, () => !kernelHops().includes(nodeAddress(1)), { timeoutMs: FOLLOW_MS, intervalMs: 10, detail });
      const fibAfter = Math.round(performance.now() - returned);
      const own = await ownRouterLsa();
      if (own.announces || atReturn !== own.seq) late.push(`round ${round + 1}: drain returned with FRR at ${atReturn ?? 'none'}, the withdrawal is ${own.seq}`);
      figures.push(`drain ${Math.round(returned - started)} ms, FRR's kernel ${inKernelAtReturn ? `${fibAfter} ms after` : 'already without it'}`);
    }
    console.log(`drain within min-interval of an undrain, ${ROUNDS} rounds: ${figures.join('; ')}`);
    await node1.cli('undrain');
    expect(late, 'rounds in which drain returned before FRR held the withdrawing instance').toEqual([]);
  }, 60_000 + ROUNDS * 20_000);
});
