// ospf-anycastd started as root with `user nobody group nogroup`: it gives
// the control socket's directory to nobody, runs itself again through
// setpriv as nobody with only CAP_NET_RAW and CAP_NET_ADMIN, and still forms
// an adjacency, installs kernel routes, adds the anycast address with `ip`
// and supervises its proxy (which runs as nobody too). The control socket
// serves root and members of nogroup and refuses everyone else.
import { mkdtempSync, chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, linkedPair, namespaceGate } from '../helpers/netns.js';
import { CLI_BIN as CLI, DAEMON_BIN as DAEMON } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { collectOutput, kernelRoute, type KernelRouteView } from './helpers.js';

const gate = namespaceGate('privilege namespace tests');
const NOBODY = 65534;
const NOGROUP = 65534;
/** Users and a group that exist nowhere: setpriv takes numbers, so nothing is added to /etc/passwd. */
const OUTSIDER = 4242;
const MEMBER = 4243;

/** Fast hellos (4 a second, dead after 1 s) so the adjacency forms in a few seconds. */
const ospf = (id: number): string =>
  `interface e0\n ip ospf dead-interval minimal hello-multiplier 4\n!\nrouter ospf\n ospf router-id 10.255.1.${id}\n network 10.9.1.0/24 area 0\n network 10.255.1.${id}/32 area 0\n!\n`;

/** A field of /proc/PID/status ("Uid", "CapEff", …), as written there. */
function status(pid: number, field: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s*(.*)$`, 'm'))?.[1];
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The CLI as uid/gid with exactly `groups` as supplementary groups. */
function cliAs(uid: number, groups: number[], socket: string, ...args: string[]) {
  const ids = [`--reuid=${uid}`, `--regid=${uid}`, groups.length === 0 ? '--clear-groups' : `--groups=${groups.join(',')}`];
  return spawnSync('setpriv', [...ids, process.execPath, CLI, '--socket', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
}

describe.skipIf(gate.skip)('ospf-anycastd dropping to its user', () => {
  let lab: NetnsLab;
  let dir: string;
  let a: string;
  let b: string;
  let runDir: string;
  let socket: string;
  const logs: Record<string, string> = { a: '', b: '' };
  let daemonB: ChildProcessWithoutNullStreams;
  const routeTo = (ns: string, prefix: string): KernelRouteView | undefined => kernelRoute(lab, ns, prefix);

  beforeAll(() => {
    lab = new NetnsLab('prv');
    dir = mkdtempSync(join(tmpdir(), 'ospf-anycastd-priv-'));
    chmodSync(dir, 0o755);
    runDir = join(dir, 'run');
    socket = join(runDir, 'b.sock');
    ({ a, b } = linkedPair(lab, 1));
    lab.address(a, 'lo', '10.255.1.1/32');
    lab.address(b, 'lo', '10.255.1.2/32');
    writeFileSync(join(dir, 'a.conf'), ospf(1), { mode: 0o644 });
    // B's proxy is a sleep the daemon supervises; manage-address makes it run `ip address add` as nobody.
    const anycast = `anycast 10.206.1.1/32\n check process /bin/sleep 600\n manage-address\n!\n`;
    writeFileSync(join(dir, 'b.conf'), `user nobody group nogroup\ncontrol-socket ${socket}\n${ospf(2)}${anycast}`, { mode: 0o644 });
    const daemonA = lab.spawn(a, process.execPath, [DAEMON, '-f', join(dir, 'a.conf'), '--socket', join(dir, 'a.sock')]);
    daemonB = lab.spawn(b, process.execPath, [DAEMON, '-f', join(dir, 'b.conf')]);
    collectOutput(daemonA, logs, 'a');
    collectOutput(daemonB, logs, 'b');
  });

  afterAll(async () => {
    await lab?.teardown();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('runs as nobody with CapEff exactly CAP_NET_RAW|CAP_NET_ADMIN, the relay as nobody with none', async () => {
    const relay = daemonB.pid as number;
    const daemon = await waitFor(
      `the daemon under pid ${relay}`,
      () => children(relay).find((pid) => commandLine(pid).includes(DAEMON) && status(pid, 'Uid')?.startsWith(`${NOBODY}\t`)),
      { timeoutMs: 20_000, intervalMs: 50, detail: () => logs.b },
    );
    // Real, effective, saved and filesystem uid all nobody; CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13.
    expect(status(daemon, 'Uid')).toBe(`${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`);
    expect(status(daemon, 'Gid')).toBe(`${NOGROUP}\t${NOGROUP}\t${NOGROUP}\t${NOGROUP}`);
    for (const set of ['CapEff', 'CapPrm', 'CapAmb', 'CapBnd']) expect(status(daemon, set), set).toBe('0000000000003000');
    await waitFor('the relay to become nobody', () => status(relay, 'Uid')?.startsWith(`${NOBODY}\t`), { timeoutMs: 5000, intervalMs: 50 });
    expect(status(relay, 'Uid')).toBe(`${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`);
    expect(status(relay, 'CapEff')).toBe('0000000000000000');
  });

  it('forms the adjacency, installs kernel routes, adds the anycast address and runs the proxy, all as nobody', async () => {
    await waitFor('a route to 10.255.1.1 in b', () => routeTo(b, '10.255.1.1'), { timeoutMs: 30_000, detail: () => logs.b });
    expect(routeTo(b, '10.255.1.1')).toMatchObject({ gateway: '10.9.1.1', protocol: 'ospf' });
    await waitFor('a route to the anycast address in a', () => routeTo(a, '10.206.1.1'), { timeoutMs: 30_000, detail: () => logs.b });
    expect(routeTo(a, '10.206.1.1')).toMatchObject({ gateway: '10.9.1.2', protocol: 'ospf' });
    const addresses = lab.ipJson<{ addr_info: { local: string }[] }[]>(b, ['address', 'show', 'dev', 'lo']);
    expect(addresses[0]?.addr_info.map((i) => i.local)).toContain('10.206.1.1');
    const daemon = children(daemonB.pid as number).find((pid) => commandLine(pid).includes(DAEMON)) as number;
    const proxy = children(daemon).find((pid) => commandLine(pid) === '/bin/sleep 600');
    expect(proxy, `children of ${daemon}: ${children(daemon).map(commandLine).join(', ')}`).toBeDefined();
    expect(status(proxy as number, 'Uid')).toBe(`${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`);
    expect(status(proxy as number, 'CapEff')).toBe('0000000000003000');
  });

  it('gives the socket to nobody:nogroup, mode 0660, in a 0750 directory of its own', () => {
    const sock = statSync(socket);
    expect(sock.isSocket()).toBe(true);
    expect([sock.uid, sock.gid, sock.mode & 0o777]).toEqual([NOBODY, NOGROUP, 0o660]);
    const run = statSync(runDir);
    expect([run.uid, run.gid, run.mode & 0o777]).toEqual([NOBODY, NOGROUP, 0o750]);
  });

  it('serves a member of the group and root; refuses anyone else with one line and exit 1', () => {
    const member = cliAs(MEMBER, [NOGROUP], socket, '--json', 'show', 'ospf');
    expect(member.status, member.stderr).toBe(0);
    expect(JSON.parse(member.stdout)).toMatchObject({ routerId: '10.255.1.2' });
    const root = spawnSync(process.execPath, [CLI, '--socket', socket, 'show', 'neighbors'], { encoding: 'utf8', timeout: 10_000 });
    expect(root.stdout).toMatch(/^10\.255\.1\.1\s+1\s+Full\s/m);
    const outsider = cliAs(OUTSIDER, [], socket, 'show', 'ospf');
    expect(outsider.status).toBe(1);
    expect(outsider.stdout).toBe('');
    expect(outsider.stderr).toBe(
      `ospf-anycast: permission denied on ${socket}: run as root, as the daemon's user or as a member of its group\n`,
    );
  });

  it('refuses to start as another user than root or the configured one', () => {
    const result = spawnSync('setpriv', [`--reuid=${OUTSIDER}`, `--regid=${OUTSIDER}`, '--clear-groups', process.execPath, DAEMON, '-f', join(dir, 'b.conf')], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `ospf-anycastd: cannot start: started as uid ${OUTSIDER}: only root can become user "nobody"; start the daemon as root or as that user\n`,
    );
  });

  it('SIGHUP to the relay reaches the daemon, which rereads its file as nobody', async () => {
    daemonB.kill('SIGHUP');
    await waitFor('the reload', () => logs.b.includes('notice  SIGHUP: configuration unchanged'), { timeoutMs: 10_000, intervalMs: 50, detail: () => logs.b });
    expect(daemonB.exitCode).toBeNull();
  });

  it('refuses a reload that changes the user: only a restart can', () => {
    const file = join(dir, 'b.conf');
    writeFileSync(file, readFileSync(file, 'utf8').replace('user nobody group nogroup', 'user nobody'));
    const reload = spawnSync(process.execPath, [CLI, '--socket', socket, 'reload'], { encoding: 'utf8', timeout: 10_000 });
    expect(reload.status).toBe(1);
    expect(reload.stderr).toBe('ospf-anycast: the user statement changed: restart the daemon to apply it\n');
  });

  it('SIGTERM to the relay stops the daemon cleanly and removes its routes', async () => {
    daemonB.kill('SIGTERM');
    await waitFor('daemon b to exit', () => daemonB.exitCode !== null, { timeoutMs: 10_000, intervalMs: 50 });
    expect(daemonB.exitCode, logs.b).toBe(0);
    expect(logs.b).toContain('ospf-anycastd stopped');
    expect(routeTo(b, '10.255.1.1')).toBeUndefined();
  });
});
