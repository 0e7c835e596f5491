// The CLI against a control server that answers like the daemon: tables,
// JSON, and the one-line failures an operator sees.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOspf } from '../../src/cli/format.js';
import { runCli } from '../../src/cli/main.js';
import { ControlServer, controlRequest, ControlError } from '../../src/control/protocol.js';
import type { ControlRequest } from '../../src/control/requests.js';
import type { AnycastRowView, NeighborRowView, OspfSummaryView, RouteRowView } from '../../src/control/views.js';

const summary: OspfSummaryView = {
  routerId: '10.205.205.1',
  areaId: '0.0.0.0',
  uptimeSec: 42,
  spf: { runs: 7, fullRuns: 5, partialRuns: 2, lastDurationUs: 183, lastKind: 'partial', lastAt: '2026-11-25T12:00:00.000Z', throttle: { delayMs: 0, initialHoldMs: 50, maxHoldMs: 5000 } },
  maximumPaths: 64,
  lsaCounts: { router: 4, network: 1, summary: 0, asbrSummary: 0, external: 2, other: 0, total: 7 },
  interfaces: 2,
  neighbors: { total: 3, full: 2 },
  drops: { malformed: 0, 'duplicate-router-id': 12, 'hello-interval-mismatch': 3 },
  stubRouter: { administrative: true, onStartupSec: 600, active: true, startupRemainingSec: 558 },
  gracefulRestart: { gracePeriodSec: 60, restartingUntil: '2026-12-07T12:00:00.000Z' },
};
const neighbors: NeighborRowView[] = [
  { routerId: '10.205.205.254', priority: 1, state: 'Full', address: '10.205.205.254', ifName: 'eth0', retransmitCount: 0, requestCount: 0 },
  { routerId: '10.205.205.2', priority: 1, state: '2-Way', address: '10.205.205.2', ifName: 'eth0', retransmitCount: 0, requestCount: 0 },
];
const routes: RouteRowView[] = [
  {
    prefix: '10.206.206.1/32',
    pathType: 'intra-area',
    cost: 20,
    multipath: { group: 'resilient', groupId: 188000001, perPacket: false, nextHops: ['10.205.205.1', '10.205.205.2'] },
    nextHops: [
      { address: '10.205.205.1', ifName: 'eth0' },
      { address: '10.205.205.2', ifName: 'eth0' },
    ],
  },
];
const anycastRow = (prefix: string, iface: string, addressOn: string[]): AnycastRowView => ({
  prefix,
  interface: iface,
  addressOn,
  state: 'announced',
  since: '2026-11-25T12:00:00.000Z',
  reason: 'all checks pass',
  advertised: 'announce',
  checks: [],
});
const anycast: AnycastRowView[] = [
  anycastRow('10.206.206.1/32', 'dummy0', ['dummy0']),
  anycastRow('10.206.206.2/32', 'lo', []),
  anycastRow('10.206.206.3/32', 'lo', ['eth1']),
];

let dir: string;
let server: ControlServer;
const seen: ControlRequest[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ospf-anycast-cli-'));
  server = await ControlServer.listen(join(dir, 'ctl.sock'), async (request) => {
    seen.push(request);
    if (request.command === 'show' && request.args.what === 'ospf') return summary;
    if (request.command === 'show' && request.args.what === 'neighbors') return neighbors;
    if (request.command === 'show' && request.args.what === 'routes') return routes;
    if (request.command === 'show' && request.args.what === 'anycast') return anycast;
    if (request.command === 'drain') throw new Error(`no anycast prefix ${String(request.args.prefix)}`);
    if (request.command === 'stop') return { message: request.args.stopProxies === true ? 'proxy stopped' : 'proxy left running' };
    throw new Error(`unexpected request ${request.command}`);
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('ospf-anycast CLI', () => {
  it('prints show ospf as text with the SPF figures', async () => {
    const r = await cli('--socket', server.path, 'show', 'ospf');
    expect(r.status).toBe(0);
    expect(r.out).toContain('Router ID: 10.205.205.1');
    expect(r.out).toContain('SPF algorithm executed 7 times (5 full, 2 partial)');
    expect(r.out).toContain('Last SPF duration 183 usecs (partial)');
    // Only the reasons seen, with their total: the RFC 2328 8.2 / 10.5 checks that discarded packets.
    expect(r.out).toContain(' Dropped packets: 15 (duplicate-router-id 12, hello-interval-mismatch 3)');
  });

  it("prints the stub router state (RFC 6987) in vtysh's show ip ospf words, and nothing of it when off", async () => {
    const r = await cli('--socket', server.path, 'show', 'ospf');
    expect(r.out).toContain(
      [
        ' Stub router advertisement is configured',
        '   Enabled for 600s after start-up',
        ' Originating stub / maximum-distance Router-LSA',
        '   Administratively activated (indefinitely)',
        '   Active from startup, 558s remaining',
      ].join('\n'),
    );
    const ended = formatOspf({ ...summary, stubRouter: { administrative: false, onStartupSec: 600, active: false, startupRemainingSec: null } });
    expect(ended).toContain('   Enabled for 600s after start-up');
    expect(ended).not.toContain('Originating stub');
    const off = formatOspf({ ...summary, stubRouter: { administrative: false, onStartupSec: null, active: false, startupRemainingSec: null } });
    expect(off).not.toMatch(/[Ss]tub/);
  });

  it('prints the graceful restart setting and a restart under way (RFC 3623 2), and nothing of it when off', async () => {
    const r = await cli('--socket', server.path, 'show', 'ospf');
    expect(r.out).toContain(' Graceful restart on SIGTERM, grace period 60 s\n Restarting gracefully until 2026-12-07T12:00:00.000Z');
    const done = formatOspf({ ...summary, gracefulRestart: { gracePeriodSec: 60, restartingUntil: null } });
    expect(done).not.toContain('Restarting gracefully');
    const off = formatOspf({ ...summary, gracefulRestart: { gracePeriodSec: null, restartingUntil: null } });
    expect(off).not.toMatch(/[Gg]raceful/);
  });

  it('passes the daemon answer through with --json', async () => {
    const r = await cli('--socket', server.path, '--json', 'show', 'ospf');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out)).toEqual(summary);
  });

  it('prints neighbors as an aligned table', async () => {
    const r = await cli('--socket', server.path, 'show', 'neighbors');
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^Neighbor ID\s+Pri\s+State\s+Address\s+Interface\s+RXmtL\s+RqstL$/);
    expect(lines[1]).toMatch(/^10\.205\.205\.254\s+1\s+Full\s+10\.205\.205\.254\s+eth0\s+0\s+0$/);
    // Columns line up: "State" starts at the same offset in every row.
    const at = lines[0]!.indexOf('State');
    expect(lines[1]!.slice(at, at + 4)).toBe('Full');
    expect(lines[2]!.slice(at, at + 5)).toBe('2-Way');
  });

  it('prints every ECMP next hop of a route', async () => {
    const r = await cli('--socket', server.path, 'show', 'routes');
    expect(r.out).toContain('via 10.205.205.1, eth0');
    expect(r.out).toContain('via 10.205.205.2, eth0');
    expect(r.out).toMatch(/10\.206\.206\.1\/32\s+intra-area\s+20\s+resilient #188000001\s+via 10\.205\.205\.1, eth0/);
  });

  it('names the interface of each anycast prefix, and where the kernel has the address when that differs', async () => {
    const lines = (await cli('--socket', server.path, 'show', 'anycast')).out.split('\n');
    expect(lines[0]).toMatch(/^Prefix\s+Interface\s+State\s+Advertised\s+Since\s+Reason$/);
    expect(lines[1]).toMatch(/^10\.206\.206\.1\/32\s+dummy0\s+announced\s+announce\s/);
    expect(lines[2]).toMatch(/^10\.206\.206\.2\/32\s+lo \(no address\)\s+announced/);
    expect(lines[3]).toMatch(/^10\.206\.206\.3\/32\s+lo \(address on eth1\)\s+announced/);
  });

  it('asks the daemon to stop, and to stop the proxy only with --with-proxy', async () => {
    expect(await cli('--socket', server.path, 'stop')).toEqual({ status: 0, out: 'proxy left running', err: '' });
    expect(seen.at(-1)).toMatchObject({ command: 'stop', args: { stopProxies: false } });
    expect(await cli('--socket', server.path, 'stop', '--with-proxy')).toEqual({ status: 0, out: 'proxy stopped', err: '' });
    expect(seen.at(-1)).toMatchObject({ command: 'stop', args: { stopProxies: true } });
  });

  it('shows the daemon refusing a request as one line and exit 1', async () => {
    const r = await cli('--socket', server.path, 'drain', '10.9.9.9/32', '--timeout', '1');
    expect(r.status).toBe(1);
    expect(r.err).toBe('ospf-anycast: no anycast prefix 10.9.9.9/32');
    expect(seen.at(-1)).toMatchObject({ command: 'drain', args: { prefix: '10.9.9.9/32', timeoutMs: 1000 } });
  });

  it('says clearly when no daemon listens', async () => {
    const r = await cli('--socket', join(dir, 'absent.sock'), 'show', 'ospf');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^ospf-anycast: cannot reach ospf-anycastd: no daemon listening on .*absent\.sock$/);
  });

  it('exits 2 with one line on a usage error', async () => {
    const r = await cli('show', 'nothing');
    expect(r.status).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
  });

  it('the installed binary fails without a stack trace when the daemon is down', () => {
    const r = spawnSync(process.execPath, ['dist/src/bin/ospf-anycast.js', '--socket', join(dir, 'absent.sock'), 'show', 'ospf'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/** One line written to the control socket as it is, and the first answer read back. */
function rawReply(line: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = createConnection(server.path, () => socket.write(line + '\n'));
    socket.setEncoding('utf8');
    socket.once('data', (d: string) => {
      socket.destroy();
      resolve(d);
    });
    socket.once('error', reject);
  });
}

describe('control socket', () => {
  it('is a socket file only its owner can open (mode 0600)', () => {
    expect(statSync(server.path).mode & 0o777).toBe(0o600);
  });

  it('refuses to start over a live daemon', async () => {
    await expect(ControlServer.listen(server.path, async () => ({ message: 'second daemon' }))).rejects.toThrow(/already listening/);
  });

  it('replaces a socket file left by a dead daemon', async () => {
    const path = join(dir, 'stale.sock');
    writeFileSync(path, '');
    const other = await ControlServer.listen(path, async () => ({ message: 'pong' }));
    await expect(controlRequest(path, { command: 'reload', args: {} })).resolves.toEqual({ message: 'pong' });
    await other.close();
  });

  it('answers garbage with an error and keeps serving', async () => {
    expect(JSON.parse(await rawReply('this is not json'))).toEqual({ id: -1, ok: false, error: 'request is not valid JSON' });
    await expect(controlRequest(server.path, { command: 'show', args: { what: 'ospf' } })).resolves.toEqual(summary);
  });

  it('refuses a malformed request with its id, without asking the daemon', async () => {
    const before = seen.length;
    expect(JSON.parse(await rawReply('{"id":7,"command":"show","args":{"what":"bogus"}}'))).toEqual({ id: 7, ok: false, error: 'cannot show "bogus"' });
    expect(seen.length).toBe(before);
  });

  it('times out on a daemon that does not answer', async () => {
    const path = join(dir, 'silent.sock');
    const silent = await ControlServer.listen(path, () => new Promise(() => undefined));
    const err = await controlRequest(path, { command: 'show', args: { what: 'ospf' } }, 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as ControlError).code).toBe('timeout');
    await silent.close();
  });
});
