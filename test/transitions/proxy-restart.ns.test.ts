// Restarting ospf-anycastd leaves its SIP proxy running: FRR in front of one
// node whose ospf-anycastd supervises Kamailio (the built-in responder where
// Kamailio is not installed; under CI=true Kamailio must be there) on the
// anycast address. SIGTERM then start, as `systemctl restart` does, and
// SIGKILL then start, as after a crash: the new daemon adopts the same
// proxy (same pid, one main process) and announces again once its first
// OPTIONS probe passes, while OPTIONS sent to the proxy inside the node are
// answered throughout. `ospf-anycast stop --with-proxy` stops the proxy too.
//
// Without graceful restart the adjacency drops with the daemon, so FRR's
// route to the /32 goes away until the new daemon is Full again: that gap is
// measured (`ip monitor route`) and printed, not asserted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KAMAILIO_FILES, kamailioCommand, kamailioConfig, kamailioPids } from '../../src/lab/kamailio.js';
import { missing, peerGate } from '../helpers/gates.js';
import { interopGate, waitFor, type AnycastDaemon } from '../helpers/peers.js';
import { RouteWatch } from '../helpers/route-watch.js';
import { ANYCAST, CONVERGE_MS, FOLLOW_MS, reportOnFailure, seedLab, startSeedLab, type SeedLab } from '../interop/labs.js';

const gate = interopGate('the proxy restart test', ['frr']);
// Kamailio when installed; under CI=true its absence fails the file (peerGate).
const withKamailio = !gate.skip && !peerGate('Kamailio in the proxy restart test (the built-in responder stands in)', missing(KAMAILIO_FILES)).skip;
const ADDRESS = ANYCAST.split('/')[0] as string;
const RESPONDER = join(process.cwd(), 'dist/src/lab/sip-responder.js');

/**
 * Sends an OPTIONS to TARGET every 100 ms from one socket and prints one JSON
 * line per request: when it went and whether a final answer came within 400 ms.
 */
const PROBER = `
const dgram = require('node:dgram');
const [host, port] = process.argv[1].split(':');
const sock = dgram.createSocket('udp4');
const waiting = new Map();
let n = 0;
sock.on('message', (msg) => {
  const id = (/^Call-ID: (.*)$/mi.exec(msg.toString()) || [])[1];
  const at = waiting.get(id && id.trim());
  if (at === undefined) return;
  waiting.delete(id.trim());
  process.stdout.write(JSON.stringify({ at, ok: true }) + '\\n');
});
sock.bind(0, () => {
  setInterval(() => {
    const id = 'probe-' + process.pid + '-' + (++n);
    const at = Date.now();
    const me = sock.address();
    waiting.set(id, at);
    sock.send(['OPTIONS sip:' + host + ':' + port + ' SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:' + me.port + ';branch=z9hG4bK' + id + ';rport',
      'Max-Forwards: 70', 'From: <sip:probe@127.0.0.1>;tag=' + n, 'To: <sip:' + host + '>', 'Call-ID: ' + id, 'CSeq: 1 OPTIONS',
      'Content-Length: 0', '', ''].join('\\r\\n'), Number(port), host);
    setTimeout(() => { if (waiting.delete(id)) process.stdout.write(JSON.stringify({ at, ok: false }) + '\\n'); }, 400);
  }, 100);
});
`;

/** A prober running in a namespace, its results kept. */
class Prober {
  readonly results: { at: number; ok: boolean }[] = [];
  private buffer = '';
  constructor(private readonly stopIt: () => void, child: { stdout: NodeJS.ReadableStream }) {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (this.buffer + chunk.toString()).split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) this.results.push(JSON.parse(line) as { at: number; ok: boolean });
    });
  }
  /** Results of requests sent in [from, to]. */
  between(from: number, to: number): { sent: number; lost: number } {
    const inside = this.results.filter((r) => r.at >= from && r.at <= to);
    return { sent: inside.length, lost: inside.filter((r) => !r.ok).length };
  }
  stop(): void {
    this.stopIt();
  }
}

describe.skipIf(gate.skip)(`ospf-anycastd restarts under a running ${withKamailio ? 'Kamailio' : 'SIP responder'}`, () => {
  let seed: SeedLab | undefined;
  // Kamailio's configuration and run files; the responder's label among other runs' processes.
  const proxyDir = mkdtempSync('/tmp/oa-px-proxy-');
  const kamailioConf = join(proxyDir, 'kamailio.cfg');
  const tag = `px-${process.pid}`;
  const current = (): SeedLab => {
    if (seed === undefined) throw new Error('the lab was not built');
    return seed;
  };
  const node = (): AnycastDaemon => current().nodes[0]?.daemon as AnycastDaemon;
  const detail = (): Promise<string> => current().lab.report();
  const routed = (): boolean => current().lab.gateways(current().routerNs, ANYCAST, 'ospf').length === 1;
  /** The proxy's main process as the daemon reports it (`show anycast`: "running (pid N)"). */
  const proxyPid = async (): Promise<number | undefined> => {
    const rows = await node().show<{ checks: { name: string; healthy: boolean; lastReason: string }[] }[]>('anycast');
    const reason = rows[0]?.checks.find((c) => c.name.startsWith('process'))?.lastReason ?? '';
    const m = /running \(pid (\d+)\)/.exec(reason);
    return m === null ? undefined : Number(m[1]);
  };
  /** Main processes of the proxy in the node (Kamailio's workers are its children). */
  const proxyMains = (): number[] => {
    if (!withKamailio) {
      const out = current().lab.net.execResult(current().nodes[0]?.ns as string, 'pgrep', ['-f', '--', `--tag ${tag}$`]).stdout;
      return out.split('\n').filter(Boolean).map(Number);
    }
    const pids = kamailioPids(kamailioConf);
    const parents = new Set(pids);
    return pids.filter((pid) => !parents.has(ppid(pid)));
  };
  const probers: Prober[] = [];
  const prober = (ns: string): Prober => {
    const child = current().lab.net.spawn(ns, process.execPath, ['-e', PROBER, `${ADDRESS}:5060`]);
    const p = new Prober(() => child.kill('SIGKILL'), child);
    probers.push(p);
    return p;
  };

  beforeAll(async () => {
    seed = seedLab('px', 'frr', 1, {
      nodeConf: (conf) => {
        let command: string;
        if (withKamailio) {
          writeFileSync(kamailioConf, kamailioConfig({ listen: `${ADDRESS}:5060`, server: 'n1' }));
          command = kamailioCommand(kamailioConf, proxyDir).join(' ');
        } else {
          command = `${process.execPath} ${RESPONDER} --name n1 --listen ${ADDRESS}:5060 --tag ${tag}`;
        }
        return `${conf}anycast ${ANYCAST}
 check process ${command}
 check sip-options ${ADDRESS}:5060 interval 200 timeout 150 rise 3 fall 2
!
`;
      },
    });
    await startSeedLab(seed);
    await waitFor('FRR routing the anycast /32 to n1', routed, { timeoutMs: CONVERGE_MS, detail });
  }, 120_000);

  afterAll(async () => {
    for (const p of probers) p.stop();
    await seed?.lab.teardown();
    rmSync(proxyDir, { recursive: true, force: true });
  });

  beforeEach(() => reportOnFailure(() => seed?.lab));

  /** Stops the daemon with `signal` and starts it again, probing the proxy and watching FRR's route throughout; prints the figures. */
  async function restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const before = await proxyPid();
    expect(before).toBeDefined();
    expect(proxyMains()).toEqual([before]);
    const local = prober(current().nodes[0]?.ns as string);
    const remote = prober(current().routerNs);
    const watch = new RouteWatch(current().lab.net, current().routerNs, ADDRESS, true);
    await watch.ready();
    await waitFor('both probers answered', () => local.results.some((r) => r.ok) && remote.results.some((r) => r.ok), { timeoutMs: 5000, detail });
    const from = Date.now();
    await node().stop(signal);
    // The proxy outlived its daemon.
    expect(proxyMains()).toEqual([before]);
    const startedAt = Date.now();
    await node().start();
    await waitFor('the restarted daemon reporting the proxy', async () => (await proxyPid()) !== undefined, { timeoutMs: 10_000, detail });
    expect(await proxyPid()).toBe(before);
    expect(node().output()).toMatch(new RegExp(`adopted the running proxy \\(pid ${before}, started `));
    await waitFor('FRR routing the anycast /32 to n1 again', routed, { timeoutMs: FOLLOW_MS, intervalMs: 20, detail });
    const routedAt = Date.now();
    // Probes keep going a while after: FRR's route may settle only after a second change.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const to = Date.now() - 500;
    local.stop();
    remote.stop();
    watch.stop();
    // Adopted, not duplicated: the same single main process.
    expect(proxyMains()).toEqual([before]);
    const inNode = local.between(from, to);
    const viaFrr = remote.between(from, to);
    console.log(
      `${signal} then start: proxy pid ${before} unchanged; OPTIONS inside the node ${inNode.sent - inNode.lost}/${inNode.sent} answered; ` +
        `through FRR ${viaFrr.sent - viaFrr.lost}/${viaFrr.sent}; FRR's route to ${ANYCAST} absent ${absentMs(watch)} ms ` +
        `(${watch.absences().length} absence(s), the longest ${watch.longestGapMs()} ms); daemon start to route back ${routedAt - startedAt} ms`,
    );
    expect(inNode.sent).toBeGreaterThan(10);
    expect(inNode.lost, 'OPTIONS to the proxy unanswered while its daemon restarted').toBe(0);
  }

  it('SIGTERM then start: the same proxy keeps answering and is adopted', async () => {
    await restart('SIGTERM');
  }, 90_000);

  it('SIGKILL then start: the proxy is adopted, not started twice', async () => {
    await restart('SIGKILL');
  }, 90_000);

  it('ospf-anycast stop --with-proxy stops the proxy with the daemon', async () => {
    const pid = await proxyPid();
    expect(pid).toBeDefined();
    const out = await node().cli<{ message: string }>('stop', '--with-proxy');
    expect(out.message).toBe('withdrawn; the SIP proxy is stopped; the daemon exits');
    await waitFor('the daemon gone', () => !node().running, { timeoutMs: 10_000, detail });
    expect(proxyMains()).toEqual([]);
    await waitFor('FRR without the route', () => !routed(), { timeoutMs: FOLLOW_MS, detail });
  }, 60_000);
});

/** How long the route was absent in all, an absence still open counting up to now. */
function absentMs(watch: RouteWatch): number {
  const now = Date.now();
  return watch.absences().reduce((sum, gap) => sum + (gap.to ?? now) - gap.from, 0);
}

/** The parent of a process, 0 once it is gone. */
function ppid(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  } catch {
    return 0;
  }
}
