// A database exchange that spans several Hello intervals, with FRR as it
// is by default, not opaque-capable (no `capability opaque`):
//
//   node (ospf-anycastd) ethf ── 10.207.1.0/30, point-to-point ── ethn FRR (600 AS-external-LSAs)
//
// FRR redistributes 600 kernel routes, and its Database Description packets
// leave through a 24 kbit/s lane (impair() of faults.ts), half a second for
// each full one (72 LSA headers in 1,500 bytes): the exchange takes several
// seconds while Hellos go every second. FRR ORs the options of every Hello
// heard into the neighbor's options and, in Exchange, compares each DD's
// options with them, after clearing the O-bit of the DD as it is not
// opaque-capable itself. A Hello of ours with the O-bit arriving during the
// exchange would make every later DD an "options mismatch" (SeqNumberMismatch,
// back to ExStart), and an exchange longer than a Hello interval would never
// end. RFC 5250 3 tells opaque capability in DD packets only: our Hellos
// carry E alone, and the adjacency must reach Full with no mismatch logged.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InteropLab, interopGate, type AnycastDaemon, type FrrRouter } from '../helpers/peers.js';
import { run } from '../helpers/peer-process.js';
import { waitFor } from '../helpers/wait.js';
import { CONVERGE_MS, P2P, P2P_TIMERS, labSuite } from '../interop/labs.js';
import { impair, repair } from './faults.js';

const gate = interopGate('fault tests: a long database exchange with FRR', ['frr']);

/** AS-external-LSAs FRR originates: its kernel routes 10.220.0.0 to 10.220.2.87, each a /32. */
const EXTERNALS = 600;
/** LSA headers in a full DD at MTU 1500: (1500 - 20 IP - 24 OSPF - 8 DD) / 20. */
const HEADERS_PER_DD = 72;
/** FRR's DDs, and nothing else, through the slow lane: OSPF (IP protocol 89), packet type 2. */
const SLOW_DDS = { lossPercent: 0, duplicatePercent: 0, slowPercent: 100, slowRate: '24kbit', only: 'ip protocol 89 @th,8,8 2' };
/** The exchange needs about 600 / 72 × 0.5 s, 4.5 s; the rest is room for a loaded machine. */
const FULL_WITHIN_MS = 20_000;

const frrConf = `interface ethn
${P2P_TIMERS}!
router ospf
 ospf router-id ${P2P.frrId}
 redistribute kernel
 network 10.207.1.0/30 area 0
!
`;

const nodeConf = `interface ethf
${P2P_TIMERS}!
router ospf
 ospf router-id ${P2P.nodeId}
 log-adjacency-changes detail
 network 10.207.1.0/30 area 0
!
`;

interface Lab {
  lab: InteropLab;
  frrNs: string;
  frr: FrrRouter;
  node: AnycastDaemon;
}

describe.skipIf(gate.skip)('a database exchange longer than a Hello interval, with FRR not opaque-capable', () => {
  const { current, detail } = labSuite<Lab>(
    () => {
      const lab = new InteropLab('lx');
      const nodeNs = lab.namespace('n');
      const frrNs = lab.namespace('f');
      lab.link({ ns: nodeNs, ifName: 'ethf', cidr: `${P2P.nodeToFrr}/30` }, { ns: frrNs, ifName: 'ethn', cidr: `${P2P.frrToNode}/30` });
      // Blackhole routes in FRR's kernel table, read by zebra at its start and redistributed by ospfd.
      const batch = join(lab.dir, 'externals.batch');
      writeFileSync(batch, Array.from({ length: EXTERNALS }, (_, k) => `route add blackhole 10.220.${k >> 8}.${k & 255}/32\n`).join(''));
      run('ip', ['-n', frrNs, '-batch', batch]);
      return { lab, frrNs, frr: lab.frr(frrNs, 'f', frrConf), node: lab.anycastd(nodeNs, 'n', nodeConf) };
    },
    async ({ frr }) => {
      await frr.start();
      await waitFor(`FRR's ${EXTERNALS} AS-external-LSAs`, () => frr.ospf().lsaExternalCounter >= EXTERNALS, { timeoutMs: CONVERGE_MS, detail: () => frr.report() });
    },
  );

  it('RFC 5250 3: no O-bit in our Hellos, so FRR sees no options mismatch and the adjacency reaches Full', async () => {
    const { lab, frrNs, frr, node } = current();
    impair({ lab }, frrNs, 'ethn', SLOW_DDS);
    const started = performance.now();
    await node.start();
    const full = await waitFor('FRR with the node Full', () => frr.neighbors().some((n) => n.routerId === P2P.nodeId && n.state === 'Full'), {
      timeoutMs: FULL_WITHIN_MS,
      detail,
    }).then(
      () => Math.round(performance.now() - started),
      (err: Error) => err.message,
    );
    const slowed = repair({ lab }, frrNs, 'ethn').slowed;

    expect(frr.output().split('\n').filter((line) => line.includes('options mismatch'))).toEqual([]);
    // The time to Full in ms, or why the wait gave up.
    expect(full).toEqual(expect.any(Number));
    // The slow lane stretched the exchange: every full DD of FRR's went through it.
    expect(slowed).toBeGreaterThanOrEqual(Math.ceil(EXTERNALS / HEADERS_PER_DD));
    const externals = async (): Promise<number> => (await node.database()).lsas.filter((l) => l.type === 5).length;
    await waitFor(`the node holding FRR's ${EXTERNALS} AS-external-LSAs`, async () => (await externals()) >= EXTERNALS, { timeoutMs: FULL_WITHIN_MS, detail });
    console.info(`long exchange: FRR had the node Full ${full} ms after its start; ${slowed} DDs of FRR's went through the 24 kbit/s lane`);
  }, 60_000);
});
