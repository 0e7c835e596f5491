// ospf-anycastd on real interfaces, two daemons in two namespaces: one runs
// as root, the other as an unprivileged user keeping only CAP_NET_RAW and
// CAP_NET_ADMIN (what the systemd unit in examples/ grants). Both reach
// Full, each installs the other's loopback over netlink, and a SIGTERM on
// one makes the other drop its route at once (premature aging, RFC 2328
// 14.1) instead of after the dead interval. Interface costs come from the
// veth's speed (10000 Mbit/s) as in FRR: b sets auto-cost reference-bandwidth.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, linkedPair, namespaceGate } from '../helpers/netns.js';

const gate = namespaceGate('daemon namespace tests');
const DAEMON = 'dist/src/bin/ospf-anycastd.js';
const CLI = 'dist/src/bin/ospf-anycast.js';

function config(id: number, ifName: string): string {
  return `${id === 1 ? 'metrics listen 127.0.0.1:19187\n' : ''}interface ${ifName}
 ip ospf hello-interval 1
 ip ospf dead-interval 4
!
router ospf
 ospf router-id 10.255.0.${id}
${id === 2 ? ' auto-cost reference-bandwidth 1000000\n' : ''} network 10.9.0.0/24 area 0
 network 10.255.0.${id}/32 area 0
!
`;
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe.skipIf(gate.skip)('ospf-anycastd in namespaces', () => {
  let lab: NetnsLab;
  let dir: string;
  let a: string;
  let b: string;
  const logs: Record<string, string> = { a: '', b: '' };
  let daemonB: ChildProcessWithoutNullStreams;

  const routeTo = (ns: string, prefix: string): { gateway?: string; protocol?: string } | undefined =>
    lab.ipJson<{ gateway?: string; protocol?: string }[]>(ns, ['route', 'show', prefix])[0];

  beforeAll(() => {
    lab = new NetnsLab('dmn');
    dir = mkdtempSync(join(tmpdir(), 'ospf-anycastd-ns-'));
    chmodSync(dir, 0o755);
    ({ a, b } = linkedPair(lab, 0));
    lab.address(a, 'lo', '10.255.0.1/32');
    lab.address(b, 'lo', '10.255.0.2/32');
    writeFileSync(join(dir, 'a.conf'), config(1, 'e0'));
    writeFileSync(join(dir, 'b.conf'), config(2, 'e0'));
    const daemonA = lab.spawn(a, process.execPath, [DAEMON, '-f', join(dir, 'a.conf'), '--socket', join(dir, 'a.sock')]);
    // B drops to nobody with only the two capabilities the daemon needs.
    const sockDir = join(dir, 'b-run');
    lab.exec(a, 'install', ['-d', '-o', 'nobody', '-m', '700', sockDir]);
    daemonB = lab.spawn(b, 'setpriv', [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      '--inh-caps=-all,+net_raw,+net_admin',
      '--ambient-caps=-all,+net_raw,+net_admin',
      '--bounding-set=-all,+net_raw,+net_admin',
      process.execPath,
      DAEMON,
      '-f',
      join(dir, 'b.conf'),
      '--socket',
      join(sockDir, 'b.sock'),
    ]);
    daemonA.stdout.on('data', (d: Buffer) => (logs.a += d.toString()));
    daemonA.stderr.on('data', (d: Buffer) => (logs.a += d.toString()));
    daemonB.stdout.on('data', (d: Buffer) => (logs.b += d.toString()));
    daemonB.stderr.on('data', (d: Buffer) => (logs.b += d.toString()));
  });

  afterAll(async () => {
    await lab?.teardown();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('forms a Full adjacency and installs routes, one side unprivileged', async () => {
    await until(`a route to 10.255.0.2 in a (logs: ${logs.a} ${logs.b})`, 30_000, () => routeTo(a, '10.255.0.2'));
    await until('a route to 10.255.0.1 in b', 30_000, () => routeTo(b, '10.255.0.1'));
    expect(routeTo(a, '10.255.0.2')).toMatchObject({ gateway: '10.9.0.2', protocol: 'ospf' });
    expect(routeTo(b, '10.255.0.1')).toMatchObject({ gateway: '10.9.0.1', protocol: 'ospf' });
    const neighbors = spawnSync(process.execPath, [CLI, '--socket', join(dir, 'a.sock'), '--json', 'show', 'neighbors'], { encoding: 'utf8' });
    expect(JSON.parse(neighbors.stdout)).toEqual([expect.objectContaining({ routerId: '10.255.0.2', state: 'Full', ifName: 'e0' })]);
    // B really runs without root: `ip netns exec` and setpriv exec into node, so the child's pid is the daemon's.
    const owner = lab.exec(b, 'ps', ['-o', 'user=', '-p', String(daemonB.pid)]).trim();
    expect(owner).toBe('nobody');
    const caps = lab.exec(b, 'grep', ['^CapEff', `/proc/${daemonB.pid}/status`]);
    // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13: 0x3000 and nothing else.
    expect(caps.trim()).toBe('CapEff:\t0000000000003000');
  });

  it('reports router id, SPF runs and duration and LSA counts in show ospf --json', () => {
    const out = spawnSync(process.execPath, [CLI, '--socket', join(dir, 'a.sock'), '--json', 'show', 'ospf'], { encoding: 'utf8' });
    const summary = JSON.parse(out.stdout) as { routerId: string; spf: { runs: number; lastDurationUs: number }; lsaCounts: { router: number } };
    expect(summary.routerId).toBe('10.255.0.1');
    expect(summary.spf.runs).toBeGreaterThan(0);
    expect(summary.spf.lastDurationUs).toBeGreaterThan(0);
    expect(summary.lsaCounts.router).toBe(2);
  });

  it('answers the CLI with vtysh-like tables from the running daemon', () => {
    const cli = (...args: string[]): string => spawnSync(process.execPath, [CLI, '--socket', join(dir, 'a.sock'), ...args], { encoding: 'utf8' }).stdout;
    expect(cli('show', 'neighbors')).toMatch(/^10\.255\.0\.2\s+1\s+Full\s+10\.9\.0\.2\s+e0\s+\d+\s+\d+$/m);
    expect(cli('show', 'interfaces')).toMatch(/^e0\s+(DR|Backup)\s+10\.9\.0\.1\/24\s+broadcast\s+10\s+no\s/m);
    expect(cli('show', 'routes')).toMatch(/^10\.255\.0\.2\/32\s+intra-area\s+10\s.*via 10\.9\.0\.2, e0$/m);
    expect(cli('show', 'database')).toContain('Router Link States (Area 0.0.0.0)');
    expect(cli('show', 'database', 'router', '10.255.0.2')).toContain('Advertising Router: 10.255.0.2');
    expect(cli('show', 'topology', '--dot')).toContain('"R 10.255.0.1" [shape=box, style=filled');
  });

  it('costs each interface the reference bandwidth over its speed, as FRR does', () => {
    const show = (socket: string, what: string): string => spawnSync(process.execPath, [CLI, '--socket', socket, '--json', 'show', what], { encoding: 'utf8' }).stdout;
    const e0Cost = (socket: string): number | undefined => (JSON.parse(show(socket, 'interfaces')) as { name: string; cost: number }[]).find((i) => i.name === 'e0')?.cost;
    const bSocket = join(dir, 'b-run', 'b.sock');
    // a without auto-cost: FRR's 100 Gbit/s reference over 10 Gbit/s; b with 1000000 Mbit/s.
    expect(e0Cost(join(dir, 'a.sock'))).toBe(10);
    expect(e0Cost(bSocket)).toBe(100);
    const routes = JSON.parse(show(bSocket, 'routes')) as { prefix: string; cost: number }[];
    expect(routes.find((r) => r.prefix === '10.255.0.1/32')?.cost).toBe(100);
  });

  it('serves Prometheus metrics: neighbor states, LSA counts, SPF runs, drops', () => {
    const text = lab.exec(a, process.execPath, ['-e', "fetch('http://127.0.0.1:19187/metrics').then(r => r.text()).then(t => process.stdout.write(t))"]);
    expect(text).toContain('ospf_neighbor_state{ifname="e0",neighbor="10.255.0.2",address="10.9.0.2"} 7');
    expect(text).toContain('ospf_lsas{type="router"} 2');
    expect(text).toMatch(/^ospf_spf_runs_total\{kind="full"\} [1-9]\d*$/m);
    expect(text).toMatch(/^ospf_adjacency_changes_total\{ifname="e0",to="Full"\} 1$/m);
    expect(text).toMatch(/^ospf_packets_total\{direction="received"\} [1-9]\d*$/m);
    expect(text).toContain('ospf_packet_drops_total{reason="malformed"} 0');
  });

  it('SIGTERM: the peer drops the route within a second, and the stopped side removes its own', async () => {
    const started = performance.now();
    daemonB.kill('SIGTERM');
    await until('a to lose its route to 10.255.0.2', 1000, () => (routeTo(a, '10.255.0.2') === undefined ? true : undefined));
    const ms = performance.now() - started;
    console.log(`SIGTERM → peer route gone in ${ms.toFixed(0)} ms (dead interval 4 s)`);
    await until('daemon b to exit', 5000, () => (daemonB.exitCode !== null ? true : undefined));
    expect(daemonB.exitCode).toBe(0);
    expect(routeTo(b, '10.255.0.1')).toBeUndefined();
  });
});
