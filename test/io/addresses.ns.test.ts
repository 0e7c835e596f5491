// The anycast address manager in a network namespace: RTM_NEWADDR and
// RTM_DELADDR put a /32 on `lo` and take it off; adding it twice or
// removing it twice is no error (EEXIST, EADDRNOTAVAIL), a missing
// interface is an AddressChangeError. Verified with `ip -j address`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, namespaceGate, type JsonLineChild } from '../helpers/netns.js';

const gate = namespaceGate('address manager namespace tests');

interface IpAddress {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

describe.skipIf(gate.skip)('address manager in a namespace', () => {
  let lab: NetnsLab;
  let ns: string;
  let driver: JsonLineChild;

  const onLo = (): string[] =>
    lab
      .ipJson<IpAddress[]>(ns, ['address', 'show', 'dev', 'lo'])
      .flatMap((i) => i.addr_info)
      .filter((a) => a.family === 'inet')
      .map((a) => `${a.local}/${a.prefixlen}`);

  beforeAll(async () => {
    lab = new NetnsLab('ad');
    ns = lab.namespace('r');
    lab.up(ns, 'lo');
    driver = lab.spawnJson(ns, process.execPath, ['test/io/addresses-driver.mjs']);
    await driver.waitForEvent((m) => m.event === 'ready', 10_000);
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('adds the anycast /32 to lo, and adding it again is no error', async () => {
    expect(await driver.request('add', { prefix: '10.206.206.1/32', ifName: 'lo' })).not.toHaveProperty('error');
    expect(onLo()).toContain('10.206.206.1/32');
    expect(await driver.request('add', { prefix: '10.206.206.1/32', ifName: 'lo' })).not.toHaveProperty('error');
    expect(onLo().filter((a) => a === '10.206.206.1/32')).toHaveLength(1);
  });

  it('removes it, and removing it again is no error', async () => {
    expect(await driver.request('remove', { prefix: '10.206.206.1/32', ifName: 'lo' })).not.toHaveProperty('error');
    expect(onLo()).not.toContain('10.206.206.1/32');
    expect(await driver.request('remove', { prefix: '10.206.206.1/32', ifName: 'lo' })).not.toHaveProperty('error');
  });

  it('a missing interface is an AddressChangeError naming it', async () => {
    const reply = await driver.request('add', { prefix: '10.206.206.1/32', ifName: 'nosuch0' });
    expect(reply.error).toEqual({ name: 'AddressChangeError', message: 'cannot add 10.206.206.1/32 to nosuch0: no such interface' });
  });
});
