// Two configuration mistakes on a running network, as FRR treats them:
// - a neighbour configured with our router id: one "Duplicate Router ID"
//   error line, every packet counted, never an adjacency (RFC 2328 8.2, 10.5);
// - an `interface NAME` the kernel does not have: a warning at start and at
//   reload, and its settings apply when it appears.
import { rmSync, mkdtempSync, chmodSync, writeFileSync } from 'node:fs';
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, linkedPair, namespaceGate } from '../helpers/netns.js';
import { CLI_BIN, DAEMON_BIN } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { collectOutput, kernelRoute, type KernelRouteView } from './helpers.js';

const gate = namespaceGate('misconfiguration namespace tests');
const FAST = ' ip ospf dead-interval minimal hello-multiplier 4\n';

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe.skipIf(gate.skip)('ospf-anycastd facing a duplicate router id and missing interfaces', () => {
  let lab: NetnsLab;
  let dir: string;
  let a: string;
  let b: string;
  let c: string;
  const logs: Record<string, string> = { a: '', b: '', c: '' };
  const children: ChildProcessWithoutNullStreams[] = [];
  const aConf = `metrics listen 127.0.0.1:19188
interface e0
${FAST}!
interface e1
${FAST}!
router ospf
 ospf router-id 10.255.2.1
 network 10.9.2.0/24 area 0
 network 10.9.3.0/24 area 0
 network 10.255.2.1/32 area 0
!
`;
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI_BIN, '--socket', join(dir, 'a.sock'), ...args], { encoding: 'utf8', timeout: 10_000 });

  beforeAll(() => {
    lab = new NetnsLab('mis');
    dir = mkdtempSync(join(tmpdir(), 'ospf-anycastd-misconfig-'));
    chmodSync(dir, 0o755);
    ({ a, b } = linkedPair(lab, 2));
    c = lab.namespace('c');
    lab.address(a, 'lo', '10.255.2.1/32');
    lab.address(c, 'lo', '10.255.2.3/32');
    writeFileSync(join(dir, 'a.conf'), aConf);
    // B copies A's router id by mistake.
    writeFileSync(join(dir, 'b.conf'), `interface e0\n${FAST}!\nrouter ospf\n ospf router-id 10.255.2.1\n network 10.9.2.0/24 area 0\n!\n`);
    writeFileSync(join(dir, 'c.conf'), `interface e1\n${FAST}!\nrouter ospf\n ospf router-id 10.255.2.3\n network 10.9.3.0/24 area 0\n network 10.255.2.3/32 area 0\n!\n`);
    for (const [name, ns] of [['a', a], ['b', b], ['c', c]] as const) {
      const child = lab.spawn(ns, process.execPath, [DAEMON_BIN, '-f', join(dir, `${name}.conf`), '--socket', join(dir, `${name}.sock`)]);
      collectOutput(child, logs, name);
      children.push(child);
    }
  });

  afterAll(async () => {
    await lab?.teardown();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('warns at start about an interface that does not exist, and waits for it', async () => {
    const warning = 'warning interface e1 is configured but does not exist: its settings apply when it appears ifName=e1';
    await waitFor('the missing-interface warning', () => logs.a.includes(warning), { timeoutMs: 20_000, detail: () => logs.a });
    expect(count(logs.a, 'is configured but does not exist')).toBe(1);
  });

  it('logs a neighbour using our router id once, at error level, counts it and never forms an adjacency', async () => {
    const line = 'error   Duplicate Router ID: 10.9.2.2 on e0 uses our router id 10.255.2.1; no adjacency is formed with it';
    await waitFor('the duplicate router id error in a', () => logs.a.includes(line), { timeoutMs: 20_000, detail: () => logs.a });
    await waitFor('the duplicate router id error in b', () => logs.b.includes('Duplicate Router ID: 10.9.2.1 on e0'), { timeoutMs: 20_000, detail: () => logs.b });
    // Fast hellos: a dozen more arrive in three seconds, none logged again.
    await new Promise((r) => setTimeout(r, 3000));
    expect(count(logs.a, 'Duplicate Router ID')).toBe(1);
    const neighbors = cli('--json', 'show', 'neighbors');
    expect(JSON.parse(neighbors.stdout)).toEqual([]);
    const metrics = lab.exec(a, process.execPath, ['-e', "fetch('http://127.0.0.1:19188/metrics').then(r => r.text()).then(t => process.stdout.write(t))"]);
    const counted = Number(/^ospf_packet_drops_total\{reason="duplicate-router-id"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(counted).toBeGreaterThanOrEqual(12);
    const summary = JSON.parse(cli('--json', 'show', 'ospf').stdout) as { drops: Record<string, number> };
    expect(summary.drops['duplicate-router-id']).toBeGreaterThanOrEqual(counted);
    expect(summary.drops['own-packet']).toBe(0);
  });

  it('uses the interface once it appears: adjacency and route through it', async () => {
    lab.veth(a, 'e1', c, 'e1');
    lab.address(a, 'e1', '10.9.3.1/24');
    lab.address(c, 'e1', '10.9.3.3/24');
    lab.up(a, 'e1');
    lab.up(c, 'e1');
    const route = (): KernelRouteView | undefined => kernelRoute(lab, a, '10.255.2.3');
    await waitFor('a route to 10.255.2.3 through e1', route, { timeoutMs: 30_000, detail: () => `${logs.a}\n${logs.c}` });
    expect(route()).toMatchObject({ gateway: '10.9.3.3', dev: 'e1' });
    expect(logs.a).toContain('notice  configured interface e1 appeared ifName=e1');
    expect(JSON.parse(cli('--json', 'show', 'neighbors').stdout)).toEqual([expect.objectContaining({ routerId: '10.255.2.3', state: 'Full', ifName: 'e1' })]);
  });

  it('warns again at reload for an interface the new file adds that does not exist', async () => {
    writeFileSync(join(dir, 'a.conf'), `${aConf}interface e7\n ip ospf cost 5\n!\n`);
    const reload = cli('reload');
    expect(reload.status, reload.stderr).toBe(0);
    expect(reload.stdout).toMatch(/^reloaded: 1 interface\(s\)/);
    const warning = 'warning interface e7 is configured but does not exist: its settings apply when it appears ifName=e7';
    await waitFor('the reload warning', () => logs.a.includes(warning), { timeoutMs: 5000, detail: () => logs.a });
    // e1 exists now: not reported again.
    expect(count(logs.a, 'interface e1 is configured but does not exist')).toBe(1);
  });
});
