// Soak: the seed lab (FRR in front of three ospf-anycastd nodes, each
// announcing the anycast /32 from an `anycast` block) with its health
// changing all the time, for a bounded time:
// - n1's `check exec` fails while a file exists, and the file comes and goes;
// - n2's supervised SIP responder (`check process`, with `check sip-options`)
//   is SIGKILLed, and its daemon starts it again;
// - n3 is drained and undrained through the CLI.
// Every daemon's resident memory (/proc/PID/status VmRSS) and open file
// descriptors (/proc/PID/fd) are sampled each second; the last quarter of
// the run must not stand above the first (tolerances below), and at the
// end FRR's route to the anycast /32 must go through every node again.
//
// It runs OSPF_ANYCAST_SOAK_SECONDS seconds (default 120, what CI runs):
//   OSPF_ANYCAST_SOAK_SECONDS=1800 CI=true npx vitest run test/faults/soak.ns.test.ts
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_BIN, interopGate } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ANYCAST, CONVERGE_MS, nodeConf, nodePriority } from '../interop/labs.js';
import { FAULT_NODES, useFaultLab, waitForSeedRoutes } from './faults.js';

const gate = interopGate('fault tests: soak', ['frr']);
const SOAK_MS = 1000 * Number(process.env.OSPF_ANYCAST_SOAK_SECONDS ?? 120);
const SAMPLE_MS = 1000;
/** Each node's health changes this often (the nodes take turns). */
const ACTION_MS = 2500;
const RESPONDER = join(dirname(DAEMON_BIN), '../lab/sip-responder.js');
/**
 * How far the last quarter's median RSS may stand above the first's. A
 * Node.js process's RSS moves by a few MiB as V8 grows and shrinks its
 * young generation and the old generation waits for its next mark-compact;
 * a leak shows as growth beyond that which keeps going: 8 MiB, or 25% of
 * the first quarter's RSS, whichever is more.
 */
const RSS_SLACK_KIB = 8 * 1024;
const RSS_SLACK_RATIO = 1.25;
/** A check's child process or socket may be open at the moment of a sample: pipes of an exec, a SIP probe's socket. */
const FD_SLACK = 4;

interface Sample {
  rssKiB: number;
  fds: number;
}

function sample(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (rss === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return { rssKiB: Number(rss), fds: readdirSync(`/proc/${pid}/fd`).length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The children of a process (every thread's), from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .split(' ')
      .filter((word) => word.trim() !== '')
      .map(Number),
  );
}

describe.skipIf(gate.skip)('soak: health checks flapping, drains and undrains', () => {
  let downFile = '';
  const { current, node } = useFaultLab('fs', {
    prepare: (s) => {
      downFile = join(s.lab.dir, 'n1-down');
      const address = ANYCAST.split('/')[0] as string;
      const blocks: Record<number, string> = {
        1: ` check exec interval 200 timeout 150 rise 1 fall 1 -- /usr/bin/test ! -e ${downFile}\n`,
        2: ` check process ${process.execPath} ${RESPONDER} --name n2 --listen ${address}:5060 --tag ${s.lab.net.tag}\n check sip-options ${address}:5060 interval 200 timeout 150 rise 2 fall 2\n`,
        3: '',
      };
      for (const n of s.nodes) n.daemon.writeConfig(`${nodeConf(n.i, nodePriority(n.i))}anycast ${ANYCAST}\n${blocks[n.i]}!\n`);
    },
  });

  it(`keeps memory and file descriptors flat over ${SOAK_MS / 1000} s of flapping health, and ends with every node announced`, async () => {
    const s = current();
    const samples = new Map<number, Sample[]>(s.nodes.map((n) => [n.i, []]));
    const actions = { checkToggles: 0, responderKills: 0, drains: 0, undrains: 0 };
    let drained = false;
    let turn = 0;
    const started = performance.now();
    let nextSample = started;
    let nextAction = started + ACTION_MS;
    while (performance.now() - started < SOAK_MS) {
      const now = performance.now();
      if (now >= nextSample) {
        for (const n of s.nodes) samples.get(n.i)?.push(sample(n.daemon.pid));
        nextSample += SAMPLE_MS;
      }
      if (now >= nextAction) {
        const which = (turn++ % FAULT_NODES) + 1;
        if (which === 1) {
          if (actions.checkToggles % 2 === 0) writeFileSync(downFile, '');
          else rmSync(downFile, { force: true });
          actions.checkToggles++;
        } else if (which === 2) {
          // The supervised responder (node running sip-responder.js); the daemon restarts it.
          for (const child of childrenOf(node(2).daemon.pid)) {
            if (readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('sip-responder')) {
              process.kill(child, 'SIGKILL');
              actions.responderKills++;
            }
          }
        } else {
          if (drained) {
            await node(3).daemon.cli('undrain');
            actions.undrains++;
          } else {
            await node(3).daemon.cli('drain', '--timeout', '10');
            actions.drains++;
          }
          drained = !drained;
        }
        nextAction += ACTION_MS / FAULT_NODES;
      }
      await sleep(Math.max(0, Math.min(nextSample, nextAction) - performance.now()));
    }
    rmSync(downFile, { force: true });
    if (drained) await node(3).daemon.cli('undrain');

    for (const n of s.nodes) expect(n.daemon.running, `n${n.i}'s daemon`).toBe(true);
    await waitFor('every node announcing again', async () => {
      const rows = await Promise.all(s.nodes.map((n) => n.daemon.cli<{ state: string }[]>('show', 'anycast')));
      return rows.every((r) => r[0]?.state === 'announced');
    }, { timeoutMs: CONVERGE_MS, detail: () => s.lab.report() });
    await waitForSeedRoutes(s);

    const report: string[] = [];
    for (const n of s.nodes) {
      const series = samples.get(n.i) ?? [];
      const quarter = Math.floor(series.length / 4);
      const first = series.slice(0, quarter);
      const last = series.slice(-quarter);
      const rss = { first: median(first.map((x) => x.rssKiB)), last: median(last.map((x) => x.rssKiB)) };
      const fds = { first: median(first.map((x) => x.fds)), last: median(last.map((x) => x.fds)) };
      report.push(`n${n.i}: RSS ${rss.first} -> ${rss.last} KiB, fds ${fds.first} -> ${fds.last}`);
      expect(quarter, 'samples per quarter').toBeGreaterThanOrEqual(5);
      expect(rss.last, `n${n.i}'s RSS in the last quarter (KiB)`).toBeLessThanOrEqual(Math.max(rss.first + RSS_SLACK_KIB, rss.first * RSS_SLACK_RATIO));
      expect(fds.last, `n${n.i}'s open file descriptors in the last quarter`).toBeLessThanOrEqual(fds.first + FD_SLACK);
    }
    console.info(`soak ${SOAK_MS / 1000} s: ${JSON.stringify(actions)}; ${report.join('; ')}`);
    expect(actions.checkToggles).toBeGreaterThan(2);
    expect(actions.responderKills).toBeGreaterThan(2);
    expect(actions.drains).toBeGreaterThan(1);
  }, SOAK_MS + 180_000);
});
