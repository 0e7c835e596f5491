// The rtnetlink interface monitor in a network namespace: the start-up dump,
// then address and link changes reported as InterfaceInfo updates, with the
// delay from the change to the report measured.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, namespaceGate, type DriverMessage, type JsonLineChild } from '../helpers/netns.js';

const gate = namespaceGate('netlink monitor namespace tests');

interface Info {
  name: string;
  ifIndex: number;
  up: boolean;
  loopback: boolean;
  mtu: number;
  addresses: string[];
}

describe.skipIf(gate.skip)('interface monitor in a namespace', () => {
  let lab: NetnsLab;
  let ns: string;
  let mon: JsonLineChild;
  const delays: Record<string, number> = {};

  /**
   * Have the driver make a change over rtnetlink and wait for the update it
   * causes; records the delay from just before the request to the report.
   */
  async function change(label: string, cmd: 'address' | 'link', args: Record<string, unknown>, match: (info: Info) => boolean): Promise<Info> {
    const from = mon.events.length;
    const { t0 } = await mon.request(cmd, args);
    const msg = await mon.waitForEvent((m: DriverMessage) => m.event === 'interface' && match(m.info as Info), 2000, from);
    delays[label] = (msg.at as number) - (t0 as number);
    return msg.info as Info;
  }

  /** Run a command in the namespace and wait for the update it causes (no timing). */
  async function command(cmd: string[], match: (info: Info) => boolean): Promise<Info> {
    const from = mon.events.length;
    lab.exec(ns, cmd[0] as string, cmd.slice(1));
    const msg = await mon.waitForEvent((m: DriverMessage) => m.event === 'interface' && match(m.info as Info), 2000, from);
    return msg.info as Info;
  }

  beforeAll(async () => {
    lab = new NetnsLab('nl');
    ns = lab.namespace('m');
    lab.veth(ns, 'e1', ns, 'e2');
    lab.address(ns, 'e1', '10.88.0.1/24');
    mon = lab.spawnJson(ns, process.execPath, ['test/io/links-driver.mjs']);
    await mon.waitForEvent((m) => m.event === 'ready', 10_000);
  });

  afterAll(async () => {
    console.info(`netlink monitor: change → report delays (ms): ${JSON.stringify(delays)}`);
    await lab?.teardown();
  });

  it('reports links and IPv4 addresses at start', async () => {
    const ready = mon.events.find((m) => m.event === 'ready') as DriverMessage;
    const list = ready.interfaces as Info[];
    const lo = list.find((i) => i.name === 'lo');
    const e1 = list.find((i) => i.name === 'e1');
    expect(lo).toMatchObject({ up: true, loopback: true, addresses: ['127.0.0.1/8'] });
    expect(e1).toMatchObject({ up: false, loopback: false, mtu: 1500, addresses: ['10.88.0.1/24'] });
    expect(list.map((i) => i.ifIndex)).toEqual([...list.map((i) => i.ifIndex)].sort((x, y) => x - y));
  });

  it('reports a /32 added to and removed from lo at once', async () => {
    const added = await change('lo /32 added', 'address', { op: 'add', ifName: 'lo', cidr: '10.206.206.1/32' }, (i) => i.name === 'lo' && i.addresses.includes('10.206.206.1/32'));
    expect(added.addresses).toEqual(['10.206.206.1/32', '127.0.0.1/8']);
    const removed = await change('lo /32 removed', 'address', { op: 'del', ifName: 'lo', cidr: '10.206.206.1/32' }, (i) => i.name === 'lo' && !i.addresses.includes('10.206.206.1/32'));
    expect(removed.addresses).toEqual(['127.0.0.1/8']);
    expect(delays['lo /32 added']).toBeLessThan(100);
    expect(delays['lo /32 removed']).toBeLessThan(100);
  });

  it('reports our side (IFA_LOCAL) of a point-to-point address, not the peer', async () => {
    const added = await command(['ip', 'addr', 'add', '10.89.0.1', 'peer', '10.89.0.2/32', 'dev', 'e1'], (i) => i.name === 'e1' && i.addresses.length === 2);
    expect(added.addresses).toEqual(['10.88.0.1/24', '10.89.0.1/32']);
    const removed = await command(['ip', 'addr', 'del', '10.89.0.1', 'peer', '10.89.0.2/32', 'dev', 'e1'], (i) => i.name === 'e1' && i.addresses.length === 1);
    expect(removed.addresses).toEqual(['10.88.0.1/24']);
  });

  it('reports a link coming up (carrier on both veth ends) and going down', async () => {
    // e2 administratively up has no carrier yet: no change to report.
    lab.up(ns, 'e2');
    const up = await change('e1 up', 'link', { ifName: 'e1', up: true }, (i) => i.name === 'e1' && i.up);
    expect(up.addresses).toEqual(['10.88.0.1/24']);
    const down = await change('e1 down', 'link', { ifName: 'e1', up: false }, (i) => i.name === 'e1' && !i.up);
    expect(down.addresses).toEqual(['10.88.0.1/24']);
    await change('e1 up again', 'link', { ifName: 'e1', up: true }, (i) => i.name === 'e1' && i.up);
    // Carrier loss at the far end takes the link down too (IFF_RUNNING).
    await change('peer down', 'link', { ifName: 'e2', up: false }, (i) => i.name === 'e1' && !i.up);
    await change('peer up', 'link', { ifName: 'e2', up: true }, (i) => i.name === 'e1' && i.up);
    for (const label of ['e1 up', 'e1 down', 'e1 up again', 'peer down', 'peer up']) expect(delays[label]).toBeLessThan(100);
  });

  it('reports a removed interface with up=false and no addresses, and a new one', async () => {
    const created = await command(['ip', 'link', 'add', 'x0', 'type', 'veth', 'peer', 'name', 'x1'], (i) => i.name === 'x0');
    expect(created).toMatchObject({ up: false, addresses: [] });
    const gone = await command(['ip', 'link', 'del', 'x0'], (i) => i.name === 'x0' && i.ifIndex === created.ifIndex && i.mtu === 0);
    expect(gone).toMatchObject({ up: false, loopback: false, addresses: [] });
    const list = (await mon.request('list')).interfaces as Info[];
    expect(list.map((i) => i.name)).not.toContain('x0');
    expect(list.map((i) => i.name)).not.toContain('x1');
  });

  it('does not mistake leaving a bridge (AF_BRIDGE RTM_DELLINK) for removal', async () => {
    await command(['ip', 'addr', 'add', '10.88.0.2/24', 'dev', 'e2'], (i) => i.name === 'e2' && i.addresses.includes('10.88.0.2/24'));
    const from = mon.events.length;
    lab.bridge(ns, 'br0', ['e2']);
    lab.exec(ns, 'ip', ['link', 'set', 'e2', 'nomaster']);
    lab.exec(ns, 'ip', ['link', 'del', 'br0']);
    await mon.waitForEvent((m) => m.event === 'interface' && (m.info as Info).name === 'br0' && (m.info as Info).mtu === 0, 2000, from);
    const e2Gone = mon.events.slice(from).filter((m) => m.event === 'interface' && (m.info as Info).name === 'e2' && (m.info as Info).mtu === 0);
    expect(e2Gone).toEqual([]);
    const list = (await mon.request('list')).interfaces as Info[];
    expect(list.find((i) => i.name === 'e2')?.addresses).toEqual(['10.88.0.2/24']);
  });

  it('keeps every change of a burst that arrives while the event loop is busy', async () => {
    const ready = mon.events.find((m) => m.event === 'ready') as DriverMessage;
    console.info(`netlink monitor: notification socket receive buffer ${String(ready.receiveBufferBytes)} bytes`);
    const batch = join(tmpdir(), `${lab.prefix}-batch`);
    const addresses = Array.from({ length: 300 }, (_, i) => `10.99.${i >> 8}.${i & 255}/32`);
    const sorted = [...addresses].sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
    try {
      // 300 notifications pile up in the socket while the driver is blocked for 1.5 s.
      const blocked = mon.request('block', { ms: 1500 }, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      writeFileSync(batch, addresses.map((a) => `addr add ${a} dev lo`).join('\n') + '\n');
      lab.exec(ns, 'ip', ['-batch', batch]);
      await blocked;
      const ours = (m: DriverMessage): string[] => (m.event === 'interface' && (m.info as Info).name === 'lo' ? (m.info as Info).addresses.filter((a) => a.startsWith('10.99.')) : []);
      const last = await mon.waitForEvent((m) => ours(m).length === 300, 5000);
      expect((last.info as Info).addresses.filter((a) => a.startsWith('10.99.'))).toEqual(sorted);
      // A refresh finds nothing to report: the notifications told it all.
      const from = mon.events.length;
      await mon.request('refresh');
      expect(await mon.collect((m) => m.event === 'interface', 200, from)).toEqual([]);
      writeFileSync(batch, addresses.map((a) => `addr del ${a} dev lo`).join('\n') + '\n');
      lab.exec(ns, 'ip', ['-batch', batch]);
      await mon.waitForEvent((m) => m.event === 'interface' && (m.info as Info).name === 'lo' && (m.info as Info).addresses.length === 1, 5000, from);
    } finally {
      rmSync(batch, { force: true });
    }
  });
});
