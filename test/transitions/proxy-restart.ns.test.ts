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
// measured (`ip monitor route`) and printed, not asserted. With
// `graceful-restart grace-period 60` on the node (RFC 3623 2), SIGTERM sends
// a grace-LSA that FRR, a helper by default, acknowledges and acts on: its
// route to the /32 never leaves while the daemon restarts (asserted), and
// FRR says it helped.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KAMAILIO_FILES, kamailioPids } from '../../src/lab/kamailio.js';
import { missing, peerGate } from '../helpers/gates.js';
import { interopGate, type AnycastDaemon, type FrrRouter } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { RouteWatch } from '../helpers/route-watch.js';
import { ANYCAST, CLIENT_NET, CONVERGE_MS, FOLLOW_MS, seedSuite } from '../interop/labs.js';
import { PROXY_ADDRESS, kamailioConfPath, proxyCommand, proxyDirectory, proxyNodeConf } from './proxy-node.js';

const gate = interopGate('the proxy restart test', ['frr']);
// Kamailio when installed; under CI=true its absence fails the file (peerGate).
const withKamailio = !gate.skip && !peerGate('Kamailio in the proxy restart test (the built-in responder stands in)', missing(KAMAILIO_FILES)).skip;

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

for (const graceful of [false, true]) {
  describe.skipIf(gate.skip)(`ospf-anycastd restarts${graceful ? ' gracefully' : ''} under a running ${withKamailio ? 'Kamailio' : 'SIP responder'}`, () => {
    // Kamailio's configuration and run files; the responder's label among other runs' processes.
    const proxyDir = proxyDirectory('oa-px-proxy-');
    const tag = `px${graceful ? 'g' : ''}-${process.pid}`;
    const { current, detail } = seedSuite(graceful ? 'pxg' : 'px', 'frr', 1, {
      tuning: {
        // FRR 8.4 helps once told to (its helper mode is off by default) and once it takes opaque LSAs (RFC 5250).
        routerConf: (conf) => (graceful ? conf.replace(' redistribute connected', ' capability opaque\n graceful-restart helper enable\n redistribute connected') : conf),
        nodeConf: (text) => proxyNodeConf(text, graceful, proxyCommand(withKamailio, proxyDir(), tag)),
      },
      ready: () => waitFor('FRR routing the anycast /32 to n1', routed, { timeoutMs: CONVERGE_MS, detail }),
    });
    const node = (): AnycastDaemon => current().nodes[0]?.daemon as AnycastDaemon;
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
      const pids = kamailioPids(kamailioConfPath(proxyDir()));
      const parents = new Set(pids);
      return pids.filter((pid) => !parents.has(ppid(pid)));
    };
    const probers: Prober[] = [];
    const prober = (ns: string): Prober => {
      const child = current().lab.net.spawn(ns, process.execPath, ['-e', PROBER, `${PROXY_ADDRESS}:5060`]);
      const p = new Prober(() => child.kill('SIGKILL'), child);
      probers.push(p);
      return p;
    };

    afterAll(() => {
      for (const p of probers) p.stop();
    });

    /** The ids of the protocol-188 nexthop objects in a namespace. */
    const nexthopIds = (ns: string): number[] => {
      const out = current().lab.net.execResult(ns, 'ip', ['-j', 'nexthop', 'show', 'protocol', '188']).stdout;
      return (JSON.parse(out || '[]') as { id: number }[]).map((o) => o.id).sort((a, b) => a - b);
    };

    /** Stops the daemon with `signal` and starts it again, probing the proxy and watching FRR's route throughout; prints the figures. */
    async function restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
      const before = await proxyPid();
      expect(before).toBeDefined();
      expect(proxyMains()).toEqual([before]);
      const local = prober(current().nodes[0]?.ns as string);
      const remote = prober(current().routerNs);
      const watch = new RouteWatch(current().lab.net, current().routerNs, PROXY_ADDRESS, true);
      // The node's own route back to the clients (protocol 188), which a graceful restart leaves in the kernel (RFC 3623 2.2).
      await waitFor(`${CLIENT_NET} on n1`, () => current().lab.gateways(current().nodes[0]?.ns as string, CLIENT_NET, 'ospf').length === 1, { timeoutMs: CONVERGE_MS, detail });
      const back = new RouteWatch(current().lab.net, current().nodes[0]?.ns as string, CLIENT_NET, true);
      await Promise.all([watch.ready(), back.ready()]);
      await waitFor('both probers answered', () => local.results.some((r) => r.ok) && remote.results.some((r) => r.ok), { timeoutMs: 5000, detail });
      const objectsBefore = nexthopIds(current().nodes[0]?.ns as string);
      const from = Date.now();
      await node().stop(signal);
      const stopped = node().output();
      // The proxy outlived its daemon.
      expect(proxyMains()).toEqual([before]);
      // RFC 3623 2.1: the grace-LSA went out and was acknowledged; FRR helps (RFC 3623 3) while the daemon is down.
      const helper = graceful ? (current().router.peer as FrrRouter).vtysh('show ip ospf graceful-restart helper detail') : '';
      if (graceful) expect(stopped).toContain('every Full neighbour acknowledged the grace-LSA');
      const startedAt = Date.now();
      await node().start();
      await waitFor('the restarted daemon reporting the proxy', async () => (await proxyPid()) !== undefined, { timeoutMs: 10_000, detail });
      expect(await proxyPid()).toBe(before);
      expect(node().output()).toMatch(new RegExp(`adopted the running proxy \\(pid ${before}, started `));
      await waitFor('FRR routing the anycast /32 to n1 again', routed, { timeoutMs: FOLLOW_MS, intervalMs: 20, detail });
      const routedAt = Date.now();
      if (graceful) {
        // RFC 3623 2.3: the restart ends once the adjacency with FRR is Full again; then the LSAs go out anew.
        await waitFor('the node out of restarting mode', async () => (await node().show<{ gracefulRestart: { restartingUntil: string | null } }>('ospf')).gracefulRestart.restartingUntil === null, {
          timeoutMs: 60_000,
          intervalMs: 100,
          detail,
        });
        expect(node().output()).toMatch(/graceful restart: restarting mode over \(adjacencies-full\)/);
      }
      // Probes keep going a while after: FRR's route may settle only after a second change.
      await sleep(2000);
      const to = Date.now() - 500;
      local.stop();
      remote.stop();
      watch.stop();
      back.stop();
      // Adopted, not duplicated: the same single main process.
      expect(proxyMains()).toEqual([before]);
      const inNode = local.between(from, to);
      const viaFrr = remote.between(from, to);
      console.log(
        `${signal} then start: proxy pid ${before} unchanged; OPTIONS inside the node ${inNode.sent - inNode.lost}/${inNode.sent} answered; ` +
          `through FRR ${viaFrr.sent - viaFrr.lost}/${viaFrr.sent}; FRR's route to ${ANYCAST} absent ${absentMs(watch)} ms ` +
          `(${watch.absences().length} absence(s), the longest ${watch.longestGapMs()} ms); daemon start to route back ${routedAt - startedAt} ms; ` +
          `the node's route to ${CLIENT_NET} absent ${absentMs(back)} ms`,
      );
      expect(inNode.sent).toBeGreaterThan(10);
      expect(inNode.lost, 'OPTIONS to the proxy unanswered while its daemon restarted').toBe(0);
      if (graceful) {
        const neighbor = (current().router.peer as FrrRouter).vtysh('show ip ospf neighbor detail');
        console.log(`FRR while the node restarted:\n${helper}\nFRR after it:\n${neighbor}`);
        expect(helper).toMatch(/Number of Active neighbours in graceful restart: 1/);
        expect(neighbor).toMatch(/Graceful Restart HELPER Status : None/);
        // FRR's route to the /32 never left, nor did the node's next hop.
        expect(watch.absences()).toEqual([]);
        expect(current().lab.gateways(current().routerNs, ANYCAST, 'ospf')).toHaveLength(1);
        // Nor did the node's route back to the clients: kept through the restart, replaced in place after it.
        expect(back.absences()).toEqual([]);
        expect(current().lab.gateways(current().nodes[0]?.ns as string, CLIENT_NET, 'ospf')).toHaveLength(1);
        // The previous run's nexthop objects went once the route no longer named them.
        const objectsAfter = nexthopIds(current().nodes[0]?.ns as string);
        expect(objectsBefore.length).toBeGreaterThan(0);
        expect(objectsAfter.length).toBeGreaterThan(0);
        expect(objectsAfter.filter((id) => objectsBefore.includes(id))).toEqual([]);
      }
    }

    it(`SIGTERM then start: the same proxy keeps answering and is adopted${graceful ? ", and FRR's route to the /32 stays (RFC 3623)" : ''}`, async () => {
      await restart('SIGTERM');
    }, 90_000);

    // Each variant registers only the cases that concern it (none is skipped).
    if (graceful) {
      it('a corrupt restart record is a log line and a normal start', async () => {
        await node().stop('SIGKILL');
        writeFileSync(join(dirname(node().socket), 'graceful-restart.json'), '{"at": "yesterday"');
        await node().start();
        await waitFor('the log line', () => /graceful restart record ignored, starting normally: .*graceful-restart\.json is not JSON/.test(node().output()), { timeoutMs: 5000, detail });
        expect(node().output()).not.toMatch(/restarting mode until/);
        expect((await node().show<{ gracefulRestart: { restartingUntil: string | null } }>('ospf')).gracefulRestart.restartingUntil).toBeNull();
        await waitFor('FRR routing the anycast /32 to n1', routed, { timeoutMs: FOLLOW_MS, detail });
      }, 60_000);
    } else {
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
    }
  });

}

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
