// OSPF authentication (RFC 2328 D, RFC 5709): the digests against packets
// FRR and BIRD sent (test/fixtures, keys from capture.sh), and two cores
// authenticating each other: matching keys reach Full, wrong ones never do,
// replays are dropped, and keys roll over without losing the adjacency.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAuth, signPacket } from '../../src/core/auth.js';
import type { AuthKey, InterfaceAuth, InterfaceSettings, Output, RouterConfig } from '../../src/core/api.js';
import { createRouter, defaultRouterConfig } from '../../src/core/index.js';
import { AuType, PacketType, decodePacket, encodePacket, type OspfPacket } from '../../src/packet/index.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { readOspfPackets } from '../helpers/pcap.js';
import { toHex } from '../packet/helpers.js';
import { TestNet } from './harness.js';

/** capture.sh: keyed MD5 key id 1 (FRR r1 ⇄ BIRD r3), HMAC-SHA-256 key id 2 (BIRD r3 ⇄ BIRD r6), simple password (r2 ⇄ r4). */
const labMd5: InterfaceAuth = { type: 'cryptographic', keys: [{ keyId: 1, algorithm: 'md5', key: 'labmd5key' }] };
const labSha: InterfaceAuth = { type: 'cryptographic', keys: [{ keyId: 2, algorithm: 'hmac-sha256', key: 'labsha256key' }] };
const labSimple: InterfaceAuth = { type: 'simple', password: 'labpass' };

function captured(name: string): { payload: Uint8Array; packet: OspfPacket }[] {
  const file = new Uint8Array(readFileSync(new URL(`../fixtures/${name}.pcap`, import.meta.url)));
  return readOspfPackets(file).map((p) => ({ payload: p.payload, packet: decodePacket(p.payload) }));
}

/** The packet as the core encodes it before authentication: AuType 0, zero field, no trailer. */
function unauthenticated(packet: OspfPacket): Uint8Array {
  return encodePacket({ ...packet, auType: AuType.Null, auth: new Uint8Array(8), trailer: new Uint8Array(0) });
}

const seqOf = (p: OspfPacket): number => new DataView(p.auth.buffer, p.auth.byteOffset, 8).getUint32(4);

describe('RFC 2328 D.4, RFC 5709: digests of packets FRR and BIRD sent', () => {
  const cases = [
    { name: 'p2p-md5', auth: labMd5, what: 'keyed MD5, FRR and BIRD' },
    { name: 'p2p-sha', auth: labSha, what: 'HMAC-SHA-256, BIRD' },
    { name: 'area1-simple', auth: labSimple, what: 'simple password, FRR and BIRD' },
  ];
  for (const { name, auth, what } of cases) {
    it(`${what}: every captured packet is accepted, and signing it again gives the captured bytes`, () => {
      const packets = captured(name);
      expect(packets.length).toBeGreaterThan(10);
      for (const [i, { payload, packet }] of packets.entries()) {
        const check = checkAuth(auth, payload, packet);
        expect(check.ok, `${name} #${i}`).toBe(true);
        const seq = auth.type === 'cryptographic' ? seqOf(packet) : 0;
        if (auth.type === 'cryptographic') expect(check).toEqual({ ok: true, seq });
        expect(toHex(signPacket(unauthenticated(packet), auth, seq)), `${name} #${i}`).toBe(toHex(payload));
      }
    });
  }

  it('the MD5 capture holds packets from both FRR (10.0.13.1) and BIRD (10.0.13.2)', () => {
    const file = new Uint8Array(readFileSync(new URL('../fixtures/p2p-md5.pcap', import.meta.url)));
    const sources = new Set(readOspfPackets(file).map((p) => p.src));
    expect([...sources].sort()).toEqual([parseIpv4('10.0.13.1'), parseIpv4('10.0.13.2')].sort());
  });

  it('D.5: a wrong key, Key ID, password or AuType is refused, each with its reason', () => {
    const md5 = captured('p2p-md5')[0] as { payload: Uint8Array; packet: OspfPacket };
    const otherKey: InterfaceAuth = { type: 'cryptographic', keys: [{ keyId: 1, algorithm: 'md5', key: 'wrongkey' }] };
    expect(checkAuth(otherKey, md5.payload, md5.packet)).toEqual({ ok: false, reason: 'auth-digest' });
    const otherId: InterfaceAuth = { type: 'cryptographic', keys: [{ keyId: 7, algorithm: 'md5', key: 'labmd5key' }] };
    expect(checkAuth(otherId, md5.payload, md5.packet)).toEqual({ ok: false, reason: 'auth-key-id' });
    // Same Key ID, but configured as HMAC-SHA-256: Auth Data Len 16 is not its 32.
    const otherAlgorithm: InterfaceAuth = { type: 'cryptographic', keys: [{ keyId: 1, algorithm: 'hmac-sha256', key: 'labmd5key' }] };
    expect(checkAuth(otherAlgorithm, md5.payload, md5.packet)).toEqual({ ok: false, reason: 'auth-digest' });
    expect(checkAuth({ type: 'null' }, md5.payload, md5.packet)).toEqual({ ok: false, reason: 'auth-mismatch' });
    expect(checkAuth(labSimple, md5.payload, md5.packet)).toEqual({ ok: false, reason: 'auth-mismatch' });
    const tampered = md5.payload.slice();
    tampered[30] = (tampered[30] as number) ^ 1;
    expect(checkAuth(labMd5, tampered, decodePacket(tampered))).toEqual({ ok: false, reason: 'auth-digest' });

    const simple = captured('area1-simple')[0] as { payload: Uint8Array; packet: OspfPacket };
    expect(checkAuth({ type: 'simple', password: 'labpas' }, simple.payload, simple.packet)).toEqual({ ok: false, reason: 'auth-password' });
    expect(checkAuth(labMd5, simple.payload, simple.packet)).toEqual({ ok: false, reason: 'auth-mismatch' });
  });

  it('RFC 5709 3.3: every HMAC-SHA length signs and checks with its own digest length', () => {
    const base = unauthenticated((captured('p2p-sha')[0] as { packet: OspfPacket }).packet);
    for (const [algorithm, length] of [['hmac-sha1', 20], ['hmac-sha256', 32], ['hmac-sha384', 48], ['hmac-sha512', 64]] as const) {
      const auth: InterfaceAuth = { type: 'cryptographic', keys: [{ keyId: 9, algorithm, key: 'k'.repeat(length) }] };
      const signed = signPacket(base, auth, 77);
      expect(signed.length - base.length, algorithm).toBe(length);
      expect(checkAuth(auth, signed, decodePacket(signed)), algorithm).toEqual({ ok: true, seq: 77 });
    }
  });
});

// ---- two cores on a point-to-point link ----

const key = (keyId: number, algorithm: AuthKey['algorithm'], secret: string): AuthKey => ({ keyId, algorithm, key: secret });
const crypto = (...keys: AuthKey[]): InterfaceAuth => ({ type: 'cryptographic', keys });

function p2p(auth: InterfaceAuth): Partial<InterfaceSettings> {
  return { networkType: 'point-to-point', helloIntervalMs: 1000, deadIntervalMs: 4000, retransmitIntervalMs: 1000, auth };
}

function pair(authA: InterfaceAuth, authB: InterfaceAuth): TestNet {
  const net = new TestNet();
  net.addRouter('a', '1.1.1.1', (c) => (c.interfaces.eth0 = p2p(authA)));
  net.addRouter('b', '2.2.2.2', (c) => (c.interfaces.eth0 = p2p(authB)));
  net.link('ab', [
    ['a', 'eth0', '10.0.0.1/30'],
    ['b', 'eth0', '10.0.0.2/30'],
  ]);
  return net;
}

/** Gives a router new authentication on eth0, as a SIGHUP would. */
function rekey(net: TestNet, router: string, auth: InterfaceAuth): void {
  const config = structuredClone(net.nodes.get(router)?.config) as RouterConfig;
  config.interfaces.eth0 = p2p(auth);
  (net.nodes.get(router) as { config: RouterConfig }).config = config;
  net.input(router, { kind: 'config', config });
}

describe('RFC 2328 D: two cores authenticating each other', () => {
  const matching: [string, InterfaceAuth][] = [
    ['simple password', { type: 'simple', password: 'secret' }],
    ['keyed MD5', crypto(key(1, 'md5', 'md5secret'))],
    ['HMAC-SHA-1', crypto(key(3, 'hmac-sha1', 'sha1secret'))],
    ['HMAC-SHA-256', crypto(key(4, 'hmac-sha256', 'sha256secret'))],
    ['HMAC-SHA-384', crypto(key(5, 'hmac-sha384', 'sha384secret'))],
    ['HMAC-SHA-512', crypto(key(6, 'hmac-sha512', 'sha512secret'))],
  ];
  for (const [what, auth] of matching) {
    it(`${what}: matching keys reach Full with identical LSDBs and no drop`, () => {
      const net = pair(auth, auth);
      net.run(20_000);
      expect(net.state('a', '2.2.2.2')).toBe('Full');
      expect(net.state('b', '1.1.1.1')).toBe('Full');
      expect(net.lsdbText('a')).toEqual(net.lsdbText('b'));
      const drops = net.core('a').stats().drops;
      expect(drops['auth-mismatch'] + drops['auth-password'] + drops['auth-key-id'] + drops['auth-digest'] + drops['auth-replay']).toBe(0);
      for (const s of net.sent) expect(s.packet.auType).toBe(auth.type === 'simple' ? AuType.Simple : AuType.Cryptographic);
    });
  }

  it('HMAC-SHA-1 on a broadcast link: three routers elect DR and BDR and reach Full with the DR', () => {
    const auth = crypto(key(1, 'md5', 'retired'), key(7, 'hmac-sha1', 'lan'));
    const net = new TestNet();
    const lan = { helloIntervalMs: 1000, deadIntervalMs: 4000, retransmitIntervalMs: 1000, auth };
    for (const [name, id] of [['a', '1.1.1.1'], ['b', '2.2.2.2'], ['c', '3.3.3.3']]) net.addRouter(name as string, id as string, (c) => (c.interfaces.eth0 = lan));
    net.link('lan', [
      ['a', 'eth0', '10.0.0.1/24'],
      ['b', 'eth0', '10.0.0.2/24'],
      ['c', 'eth0', '10.0.0.3/24'],
    ]);
    net.run(30_000);
    expect(net.core('c').interfaces()[0]?.state).toBe('DR');
    expect(net.core('b').interfaces()[0]?.state).toBe('Backup');
    expect(net.state('a', '3.3.3.3')).toBe('Full');
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.lsdbText('a')).toEqual(net.lsdbText('c'));
    // Sent with the highest Key ID only.
    expect(new Set(net.sent.map((s) => `${s.packet.auth[2]}/${s.packet.auth[3]}`))).toEqual(new Set(['7/20']));
  });

  const mismatched: [string, InterfaceAuth, InterfaceAuth, string][] = [
    ['different MD5 keys', crypto(key(1, 'md5', 'one')), crypto(key(1, 'md5', 'two')), 'auth-digest'],
    ['different Key IDs', crypto(key(1, 'md5', 'same')), crypto(key(2, 'md5', 'same')), 'auth-key-id'],
    ['MD5 against HMAC-SHA-256 under one Key ID', crypto(key(1, 'md5', 'same')), crypto(key(1, 'hmac-sha256', 'same')), 'auth-digest'],
    ['different passwords', { type: 'simple', password: 'one' }, { type: 'simple', password: 'two' }, 'auth-password'],
    ['MD5 against Null', crypto(key(1, 'md5', 'same')), { type: 'null' }, 'auth-mismatch'],
  ];
  for (const [what, authA, authB, reason] of mismatched) {
    it(`${what}: never leave Down, every Hello dropped as ${reason}`, () => {
      const net = pair(authA, authB);
      net.run(20_000);
      expect(net.core('a').neighbors()).toEqual([]);
      expect(net.core('b').neighbors()).toEqual([]);
      const hellosFromB = net.sentBy('b', PacketType.Hello).length;
      expect(hellosFromB).toBeGreaterThan(10);
      // Every Hello b sent, but the last one still on its way.
      expect(net.core('a').stats().drops[reason as 'auth-digest']).toBeGreaterThanOrEqual(hellosFromB - 1);
    });
  }

  it('D.5.2: a packet replayed after newer ones is dropped as auth-replay; the adjacency stays', () => {
    const auth = crypto(key(1, 'hmac-sha256', 'replay'));
    const net = pair(auth, auth);
    net.run(20_000);
    const old = net.sentBy('b', PacketType.Hello)[0];
    if (old === undefined) throw new Error('b sent no Hello');
    const replay = signPacket(unauthenticated(old.packet), auth, seqOf(old.packet));
    expect(net.core('a').stats().drops['auth-replay']).toBe(0);
    net.input('a', { kind: 'packet', ifName: 'eth0', src: parseIpv4('10.0.0.2'), dst: parseIpv4('224.0.0.5'), data: replay });
    expect(net.core('a').stats().drops['auth-replay']).toBe(1);
    net.advance(10_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
  });

  it('D.4.3: sequence numbers sent rise by one a packet and never fall; a restart goes on above them', () => {
    const auth = crypto(key(1, 'md5', 'seq'));
    const net = pair(auth, auth);
    net.run(20_000);
    const seqs = net.sent.filter((s) => s.from === 'a').map((s) => seqOf(s.packet));
    expect(seqs.length).toBeGreaterThan(20);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);

    // The daemon passes wall-clock seconds: started at 1_700_000_000, restarted 60 s later.
    const config: RouterConfig = { ...defaultRouterConfig(parseIpv4('1.1.1.1')), networks: [parsePrefix('10.0.0.0/30')] };
    config.interfaces.eth0 = p2p(auth);
    const info = { name: 'eth0', ifIndex: 2, up: true, loopback: false, mtu: 1500, addresses: [{ address: parseIpv4('10.0.0.1'), prefixLength: 30 }] };
    const sentSeqs = (base: number, start: number, ms: number): number[] => {
      const core = createRouter({ config, random: () => 0.5, authSequenceBase: base });
      const out = [...core.handle({ kind: 'interface', info }, start)];
      for (let t = start; t <= start + ms; t += 250) out.push(...core.handle({ kind: 'timer' }, t));
      return out.flatMap((o) => (o.kind === 'send' ? [seqOf(decodePacket(o.data))] : []));
    };
    const first = sentSeqs(1_700_000_000, 5_000, 30_000);
    expect(first[0]).toBe(1_700_000_000);
    // A Hello a second: the numbers keep up with the clock.
    expect(first.at(-1)).toBeGreaterThanOrEqual(1_700_000_029);
    const second = sentSeqs(1_700_000_060, 123, 1_000);
    expect(second[0]).toBeGreaterThan(first.at(-1) as number);
  });

  it('D.4.3: an interface that goes away and comes back goes on above the numbers it sent', () => {
    const config: RouterConfig = { ...defaultRouterConfig(parseIpv4('1.1.1.1')), networks: [parsePrefix('10.0.0.0/30')] };
    // Fast hellos, five a second: the numbers run ahead of the clock.
    config.interfaces.eth0 = { ...p2p(crypto(key(1, 'md5', 'seq'))), helloIntervalMs: 200, deadIntervalMs: 1000 };
    const info = { name: 'eth0', ifIndex: 2, up: true, loopback: false, mtu: 1500, addresses: [{ address: parseIpv4('10.0.0.1'), prefixLength: 30 }] };
    const core = createRouter({ config, random: () => 0.5, authSequenceBase: 1000 });
    const seqs = (outputs: Output[]): number[] => outputs.flatMap((o) => (o.kind === 'send' ? [seqOf(decodePacket(o.data))] : []));
    const before = seqs(core.handle({ kind: 'interface', info }, 0));
    for (let t = 100; t <= 10_000; t += 100) before.push(...seqs(core.handle({ kind: 'timer' }, t)));
    expect(before.at(-1)).toBeGreaterThan(1000 + 10 + 20);
    core.handle({ kind: 'interface', info: { ...info, up: false, addresses: [] } }, 10_050);
    expect(core.interfaces()).toEqual([]);
    const after = seqs(core.handle({ kind: 'interface', info }, 10_100));
    expect(after[0]).toBe((before.at(-1) as number) + 1);
  });

  it('key rollover: a new key added on one side, then the other, keeps the adjacency Full throughout', () => {
    const old = key(1, 'md5', 'oldkey');
    const next = key(2, 'hmac-sha256', 'newkey');
    const net = pair(crypto(old), crypto(old));
    net.run(20_000);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    const changes: string[] = [];
    for (const r of ['a', 'b']) net.on(r, 'neighbor-state', (e) => changes.push(`${r}: ${e.from}->${e.to}`));

    // b sends with Key ID 2 at once; a does not know it yet and drops those packets for a moment.
    rekey(net, 'b', crypto(old, next));
    net.advance(1_500);
    expect(net.core('a').stats().drops['auth-key-id']).toBeGreaterThan(0);
    rekey(net, 'a', crypto(old, next));
    net.advance(20_000);
    // The old key retired on both sides.
    rekey(net, 'a', crypto(next));
    rekey(net, 'b', crypto(next));
    const idsBefore = net.mark();
    net.advance(20_000);

    expect(changes).toEqual([]);
    expect(net.state('a', '2.2.2.2')).toBe('Full');
    expect(net.state('b', '1.1.1.1')).toBe('Full');
    const lastIds = net.sent.slice(idsBefore).map((s) => s.packet.auth[2]);
    expect(new Set(lastIds)).toEqual(new Set([2]));
  });
});
