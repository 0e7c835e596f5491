// A link flap storm in the seed lab (FRR in front of three ospf-anycastd
// nodes): n1's link (the BDR's) goes down and up several times a second for
// a few seconds. Its daemon must stay up, run SPF far less often than its
// link changes (the throttle at work), and end with the right
// routes: FRR's ECMP route to the anycast /32 through every node, the
// client subnet in n1's kernel, nothing else of ours there, and n1's LSDB
// the same as everyone's.
import { describe, expect, it } from 'vitest';
import { interopGate } from '../helpers/peers.js';
import { nodeConf, nodePriority } from '../interop/labs.js';
import { expectOnlyOwnKernelRoutes, useFaultLab, waitForIdenticalDatabases, waitForSeedRoutes } from './faults.js';

const gate = interopGate('fault tests: link flap storm', ['frr']);
const STORM_MS = 5000;
/** Down for this long, then up for this long, over and over. */
const HALF_PERIOD_MS = 20;

describe.skipIf(gate.skip)('a link flap storm on a node', () => {
  // The throttle holds SPF back only for changes within its hold time of the last run: n1's initial
  // hold is 500 ms here, so that a change every 20-300 ms (as fast as `ip link` toggles on a loaded
  // machine) falls inside it. With 50 ms, as elsewhere in the lab, each change could run its own SPF.
  const { current, node } = useFaultLab('ff', {
    prepare: (seed) => seed.nodes.find((n) => n.i === 1)?.daemon.writeConfig(nodeConf(1, nodePriority(1)).replace('timers throttle spf 0 50 500', 'timers throttle spf 0 500 5000')),
  });

  it('n1 survives its link flapping for seconds, SPF throttled, and ends with the right routes', async () => {
    const s = current();
    const n1 = node(1);
    const before = await n1.daemon.ospf();
    // One shell in n1's namespace toggles the link, so that no process start of the test's own slows the storm down.
    const storm = `end=$(( $(date +%s%N) / 1000000 + ${STORM_MS} )); n=0
while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do
  ip link set lan0 down; sleep ${HALF_PERIOD_MS / 1000}; ip link set lan0 up; sleep ${HALF_PERIOD_MS / 1000}; n=$((n + 2))
done; echo $n`;
    const started = performance.now();
    const flaps = Number(s.lab.net.exec(n1.ns, 'sh', ['-c', storm], STORM_MS + 10_000).trim());
    const stormMs = performance.now() - started;
    const after = await n1.daemon.ospf();
    expect(n1.daemon.running).toBe(true);

    const runs = after.spf.runs - before.spf.runs;
    console.info(`flap storm: ${flaps} link changes in ${Math.round(stormMs)} ms, n1 ran SPF ${runs} times (throttle ${JSON.stringify(after.spf.throttle)})`);
    expect(runs).toBeGreaterThan(0);
    // Hold times of 500, 1000, 1500, … ms let about six runs through in five seconds, whatever the number of changes.
    expect(runs * 3).toBeLessThan(flaps);

    await waitForSeedRoutes(s);
    await waitForIdenticalDatabases(s);
    for (const n of s.nodes) await expectOnlyOwnKernelRoutes(s, n.i);
    expect((await n1.daemon.interfaces()).find((i) => i.name === 'lan0')?.state).toBe('Backup');
  }, 120_000);
});
