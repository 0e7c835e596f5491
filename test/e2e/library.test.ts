// examples/library.ts as a process in a namespace: a service embedding the
// daemon, its health check an async function (a TCP connection to its
// backend), against an ospf-anycastd peer on a point-to-point veth. Checks
// the typed events it reports, the drain promise (resolved once the peer has
// acknowledged: the peer's kernel route is gone), undrain and a clean stop.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InteropLab, type AnycastDaemon } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { namespaceGate, type DriverMessage, type JsonLineChild } from '../helpers/netns.js';
import { labSuite } from '../interop/labs.js';

const gate = namespaceGate('the library example test');
const EXAMPLE_JS = fileURLToPath(new URL('../../dist/examples/library.js', import.meta.url));
const ANYCAST = '10.206.206.1/32';
const BACKEND_PORT = 7070;

/** The point-to-point link of both ends, Hello 1 s, Dead 3 s. */
const E0 = `interface e0
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 3
!
`;

const serviceConf = `hostname svc
log stdout informational
${E0}router ospf
 ospf router-id 10.255.0.1
 timers throttle spf 0 50 500
 network 10.207.0.0/24 area 0
 network ${ANYCAST} area 0
!
anycast ${ANYCAST}
!
`;

const peerConf = `${E0}router ospf
 ospf router-id 10.255.0.2
 timers throttle spf 0 50 500
 network 10.207.0.0/24 area 0
 network 10.255.0.2/32 area 0
!
`;

describe.skipIf(gate.skip)('the library example: a service embedding the daemon', () => {
  let svcNs: string;
  let peerNs: string;
  let peer: AnycastDaemon;
  let service: JsonLineChild;
  let backend: ChildProcess | undefined;
  const { current } = labSuite(
    () => {
      const lab = new InteropLab('lib');
      svcNs = lab.namespace('svc');
      peerNs = lab.namespace('peer');
      lab.link({ ns: svcNs, ifName: 'e0', cidr: '10.207.0.1/24' }, { ns: peerNs, ifName: 'e0', cidr: '10.207.0.2/24' });
      lab.loopback(svcNs, ANYCAST);
      lab.loopback(peerNs, '10.255.0.2/32');
      return { lab };
    },
    async ({ lab }) => {
      startBackend();
      peer = lab.anycastd(peerNs, 'peer', peerConf);
      await peer.start();
      const confPath = join(lab.dir, 'service.conf');
      writeFileSync(confPath, serviceConf);
      service = lab.net.spawnJson(svcNs, process.execPath, [EXAMPLE_JS, '--config', confPath, '--backend', `127.0.0.1:${BACKEND_PORT}`]);
      await service.waitForEvent((e) => e.event === 'started', 20_000);
    },
    60_000,
  );
  const live = (): InteropLab => current().lab;
  /** The service's dependency: a TCP listener in its namespace. */
  const startBackend = (): void => {
    backend = live().net.spawn(svcNs, process.execPath, ['-e', `require('node:net').createServer((s) => s.end()).listen(${BACKEND_PORT}, '127.0.0.1')`]);
  };
  const peerHops = (): string => live().gateways(peerNs, ANYCAST, 'ospf').join();
  const detail = async (): Promise<string> => `${await live().report()}\nservice events: ${JSON.stringify(service?.events ?? [])}`;
  const event = (name: string, match: (e: DriverMessage) => boolean, from: number, timeoutMs = 15_000): Promise<DriverMessage> =>
    service.waitForEvent((e) => e.event === name && match(e), timeoutMs, from);
  const peerRoute = (want: string, what: string, timeoutMs = 15_000): Promise<boolean> =>
    waitFor(what, () => peerHops() === want, { timeoutMs, intervalMs: 20, detail });

  it('reports the adjacency, the peer\'s route and the announcement as typed events', async () => {
    await event('neighbor-state', (e) => e.routerId === '10.255.0.2' && e.to === 'Full', 0, 20_000);
    const routes = await event('routes', (e) => (e.changes as { prefix: string }[]).some((c) => c.prefix === '10.255.0.2/32'), 0);
    expect((routes.changes as { prefix: string }[]).find((c) => c.prefix === '10.255.0.2/32')).toEqual({ kind: 'add', prefix: '10.255.0.2/32', nextHops: ['10.207.0.2'] });
    await event('prefix-state', (e) => e.to === 'announced' && e.prefix === ANYCAST, 0);
    await peerRoute('10.207.0.1', 'the peer\'s kernel route to the anycast /32 via the service');
  });

  it('withdraws when the async health check fails (backend gone) and announces again when it passes', async () => {
    const from = service.events.length;
    backend?.kill('SIGKILL');
    const down = await event('prefix-state', (e) => e.to === 'withdrawn-by-health', from);
    expect(down).toMatchObject({ from: 'announced', check: 'backend' });
    await peerRoute('', 'the peer to drop the anycast route');
    startBackend();
    await event('prefix-state', (e) => e.from === 'withdrawn-by-health' && e.to === 'announced', from);
    await peerRoute('10.207.0.1', 'the anycast route back at the peer');
  });

  it('drain resolves once the peer has the withdrawal; undrain announces again', async () => {
    const from = service.events.length;
    process.kill(service.child.pid as number, 'SIGUSR1');
    await event('prefix-state', (e) => e.to === 'drained', from);
    const drained = await event('drained', () => true, from);
    console.log(`library drain resolved after ${String(drained.ms)} ms`);
    // Acknowledged by the peer: its SPF and kernel route follow within its SPF delay.
    await peerRoute('', 'the peer to drop the drained route', 1000);
    process.kill(service.child.pid as number, 'SIGUSR2');
    await event('undrained', () => true, from);
    await event('prefix-state', (e) => e.from === 'drained' && e.to === 'announced', from);
    await peerRoute('10.207.0.1', 'the undrained route back at the peer');
  });

  it('stops cleanly on SIGTERM: drained, neighbours told, exit 0', async () => {
    const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
    const from = service.events.length;
    process.kill(service.child.pid as number, 'SIGTERM');
    await event('stopped', () => true, from);
    expect(await exited).toBe(0);
    await peerRoute('', 'the peer to drop the route of the stopped service', 2000);
    await waitFor('the peer to drop the adjacency', async () => (await peer.neighbors()).length === 0, { timeoutMs: 5000, detail });
  });
});
