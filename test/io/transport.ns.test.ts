// The raw-socket transport between two network namespaces joined by a veth
// pair: multicast and unicast delivery with TTL 1 and TOS 0xC0, AllDRouters
// membership, and the RFC 2328 8.2 receive checks on packets the kernel
// lets through. Each side runs transport-driver.mjs under `ip netns exec`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, namespaceGate, type JsonLineChild } from '../helpers/netns.js';

const gate = namespaceGate('transport namespace tests');

// The bytes of an OSPF Hello (checksum left zero) as a payload: the transport does not parse it.
const HELLO = '0201002c0a4d000100000000000000000000000000000000ffffff00000a0201000000280000000000000000';

describe.skipIf(gate.skip)('OSPF transport in namespaces', () => {
  let lab: NetnsLab;
  let a: JsonLineChild;
  let b: JsonLineChild;
  let nsA: string;
  let nsB: string;

  beforeAll(async () => {
    lab = new NetnsLab('tr');
    nsA = lab.namespace('a');
    nsB = lab.namespace('b');
    lab.veth(nsA, 'e0', nsB, 'e0');
    lab.address(nsA, 'e0', '10.77.0.1/24');
    lab.address(nsB, 'e0', '10.77.0.2/24');
    lab.up(nsA, 'e0');
    lab.up(nsB, 'e0');
    // An address of b that is not on e0, reachable from a through e0.
    lab.address(nsB, 'lo', '10.255.0.2/32');
    lab.exec(nsA, 'ip', ['route', 'add', '10.255.0.2/32', 'via', '10.77.0.2']);
    const driver = 'test/io/transport-driver.mjs';
    a = lab.spawnJson(nsA, process.execPath, [driver, JSON.stringify({ interfaces: [{ ifName: 'e0', networkType: 'broadcast', addresses: ['10.77.0.1/24'] }] })]);
    b = lab.spawnJson(nsB, process.execPath, [driver, JSON.stringify({ interfaces: [{ ifName: 'e0', networkType: 'broadcast', addresses: ['10.77.0.2/24'] }] })]);
    await a.waitForEvent((m) => m.event === 'ready', 10_000);
    await b.waitForEvent((m) => m.event === 'ready', 10_000);
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('RFC 2328 A.1: a packet to AllSPFRouters arrives with TTL 1 and TOS 0xC0, not looped back', async () => {
    const fromA = a.events.length;
    const from = b.events.length;
    await a.request('send', { ifName: 'e0', dst: '224.0.0.5', hex: HELLO });
    const got = await b.waitForEvent((m) => m.event === 'packet', 2000, from);
    expect(got).toMatchObject({ ifName: 'e0', src: '10.77.0.1', dst: '224.0.0.5', hex: HELLO, ttl: 1, tos: 0xc0, headerLength: 20 });
    expect(await a.collect((m) => m.event === 'packet', 200, fromA)).toEqual([]);
  });

  it('RFC 2328 A.1: AllDRouters traffic arrives only while the group is joined', async () => {
    let from = b.events.length;
    await a.request('send', { ifName: 'e0', dst: '224.0.0.6', hex: HELLO });
    expect(await b.collect((m) => m.event === 'packet', 300, from)).toEqual([]);

    const joined = await b.request('membership', { ifName: 'e0', group: '224.0.0.6', join: true });
    expect(joined.groups).toEqual(['224.0.0.5', '224.0.0.6']);
    from = b.events.length;
    await a.request('send', { ifName: 'e0', dst: '224.0.0.6', hex: HELLO });
    const got = await b.waitForEvent((m) => m.event === 'packet', 2000, from);
    expect(got).toMatchObject({ src: '10.77.0.1', dst: '224.0.0.6', ttl: 1, tos: 0xc0 });

    const left = await b.request('membership', { ifName: 'e0', group: '224.0.0.6', join: false });
    expect(left.groups).toEqual(['224.0.0.5']);
    from = b.events.length;
    await a.request('send', { ifName: 'e0', dst: '224.0.0.6', hex: HELLO });
    expect(await b.collect((m) => m.event === 'packet', 300, from)).toEqual([]);
  });

  it('unicast to the neighbor interface address arrives with TTL 1 and TOS 0xC0', async () => {
    const from = b.events.length;
    await a.request('send', { ifName: 'e0', dst: '10.77.0.2', hex: HELLO });
    const got = await b.waitForEvent((m) => m.event === 'packet', 2000, from);
    expect(got).toMatchObject({ ifName: 'e0', src: '10.77.0.1', dst: '10.77.0.2', hex: HELLO, ttl: 1, tos: 0xc0 });
  });

  it('RFC 2328 8.2: a source off the interface subnet is dropped and counted', async () => {
    const before = (await b.request('counters', { ifName: 'e0' })).counters as { dropped: Record<string, number> };
    const from = b.events.length;
    await a.request('rawsend', { ifName: 'e0', src: '198.51.100.7', dst: '224.0.0.5', protocol: 89, ttl: 1, tos: 0xc0, hex: HELLO });
    const drop = await b.waitForEvent((m) => m.event === 'drop', 2000, from);
    expect(drop).toMatchObject({ ifName: 'e0', reason: 'source-off-subnet', src: '198.51.100.7' });
    const after = (await b.request('counters', { ifName: 'e0' })).counters as { dropped: Record<string, number> };
    expect((after.dropped['source-off-subnet'] ?? 0) - (before.dropped['source-off-subnet'] ?? 0)).toBe(1);
    expect(b.events.slice(from).filter((m) => m.event === 'packet')).toEqual([]);
  });

  it('RFC 2328 8.2: a unicast destination that is not the interface address is dropped', async () => {
    const from = b.events.length;
    await a.request('send', { ifName: 'e0', dst: '10.255.0.2', hex: HELLO });
    const drop = await b.waitForEvent((m) => m.event === 'drop', 2000, from);
    expect(drop).toMatchObject({ reason: 'bad-destination', src: '10.77.0.1' });
  });

  it('RFC 791 3.1: a header with options is skipped by its IHL', async () => {
    const from = b.events.length;
    // Four NOP options: IHL 6.
    await a.request('rawsend', { ifName: 'e0', src: '10.77.0.1', dst: '224.0.0.5', protocol: 89, ttl: 1, tos: 0xc0, options: '01010101', hex: HELLO });
    const got = await b.waitForEvent((m) => m.event === 'packet', 2000, from);
    expect(got).toMatchObject({ headerLength: 24, hex: HELLO, src: '10.77.0.1' });
  });

  it('keeps its group memberships across a link flap', async () => {
    lab.down(nsB, 'e0');
    lab.up(nsB, 'e0');
    // veth carrier and IPv4 multicast come back within a moment; retry the send until one arrives.
    const from = b.events.length;
    for (let attempt = 0; attempt < 20; attempt++) {
      await a.request('send', { ifName: 'e0', dst: '224.0.0.5', hex: HELLO }).catch(() => undefined);
      if (b.events.slice(from).some((m) => m.event === 'packet')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const got = await b.waitForEvent((m) => m.event === 'packet', 1000, from);
    expect(got).toMatchObject({ src: '10.77.0.1', dst: '224.0.0.5' });
  });

  it('puts a packet on the wire in the turn that sent it, not at the next poll', async () => {
    const from = b.events.length;
    // Bytes of its own (the Hello with another Router ID), so that a straggler of another test does not count.
    const hello = HELLO.replace('0a4d0001', '0a4d0009');
    const { withinTurn, total } = await a.request('send-now', { ifName: 'e0', dst: '224.0.0.5', hex: hello, count: 3 });
    expect({ withinTurn, total }).toEqual({ withinTurn: 3, total: 3 });
    const arrived = await b.collect((m) => m.event === 'packet' && m.hex === hello, 500, from);
    expect(arrived).toHaveLength(3);
  });

  it('carries a burst of 1000 multicast packets without loss', async () => {
    const count = 1000;
    const from = b.events.length;
    const before = (await b.request('counters', { ifName: 'e0' })).counters as { accepted: number };
    const { elapsedMs } = await a.request('burst', { ifName: 'e0', dst: '224.0.0.5', hex: HELLO, count }, 30_000);
    const arrived = await b.collect((m) => m.event === 'packet', 2000, from);
    const after = (await b.request('counters', { ifName: 'e0' })).counters as { accepted: number };
    const rate = Math.round(count / ((elapsedMs as number) / 1000));
    console.info(`transport: ${count} packets sent in ${(elapsedMs as number).toFixed(1)} ms (${rate} packets/s); ${arrived.length} reported, accepted ${after.accepted - before.accepted}`);
    // None lost; a straggler of an earlier test's traffic may be counted too.
    expect(arrived.filter((m) => m.hex === HELLO).length).toBeGreaterThanOrEqual(count);
    expect(arrived.every((m) => m.ttl === 1 && m.tos === 0xc0)).toBe(true);
  });

  // Last: it replaces the link the other tests use.
  it('follows an interface deleted and created again under the same name', async () => {
    lab.exec(nsB, 'ip', ['link', 'del', 'e0']);
    lab.veth(nsA, 'e1', nsB, 'e0');
    lab.address(nsA, 'e1', '10.78.0.1/24');
    lab.address(nsB, 'e0', '10.78.0.2/24');
    lab.up(nsA, 'e1');
    lab.up(nsB, 'e0');
    const { ifIndex } = await b.request('update', { ifName: 'e0', address: '10.78.0.2/24' });
    expect(ifIndex).toBe(lab.ipJson<{ ifindex: number }[]>(nsB, ['link', 'show', 'dev', 'e0'])[0]?.ifindex);
    // A sends from a plain raw socket on its new link (its transport knows only the old one).
    const from = b.events.length;
    for (let attempt = 0; attempt < 20 && !b.events.slice(from).some((m) => m.event === 'packet'); attempt++) {
      await a.request('rawsend', { ifName: 'e1', src: '10.78.0.1', dst: '224.0.0.5', protocol: 89, ttl: 1, tos: 0xc0, hex: HELLO });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const got = await b.waitForEvent((m) => m.event === 'packet', 1000, from);
    expect(got).toMatchObject({ ifName: 'e0', src: '10.78.0.1', dst: '224.0.0.5' });
  });
});
