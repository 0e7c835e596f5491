// Inputs the core cannot run with are refused with CoreConfigError before
// anything changes; defaults follow FRR.
import { describe, expect, it } from 'vitest';
import { CoreConfigError, createRouter, defaultInterfaceSettings, defaultRouterConfig } from '../../src/core/index.js';
import type { RouterConfig } from '../../src/core/api.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';

const random = (): number => 0.5;

describe('defaults (FRR ospfd)', () => {
  it('hello 10 s, dead 40 s, retransmit 5 s, transmit-delay 1, priority 1, cost 10, broadcast, not passive', () => {
    expect(defaultInterfaceSettings()).toEqual({
      networkType: 'broadcast',
      passive: false,
      cost: 10,
      helloIntervalMs: 10_000,
      deadIntervalMs: 40_000,
      retransmitIntervalMs: 5_000,
      transmitDelay: 1,
      priority: 1,
      mtuIgnore: false,
      auth: { type: 'null' },
    });
    expect(defaultRouterConfig(parseIpv4('1.2.3.4'))).toMatchObject({ routerId: parseIpv4('1.2.3.4'), areaId: 0, networks: [], externals: [] });
  });
});

describe('CoreConfigError', () => {
  const base = (): RouterConfig => ({ ...defaultRouterConfig(parseIpv4('1.1.1.1')), networks: [parsePrefix('10.0.0.0/8')] });
  const bad: [string, (c: RouterConfig) => void][] = [
    ['Router ID 0.0.0.0', (c) => (c.routerId = 0)],
    ['a hello interval of 0', (c) => (c.interfaces.eth0 = { helloIntervalMs: 0 })],
    ['a dead interval not above the hello interval', (c) => (c.interfaces.eth0 = { helloIntervalMs: 10_000, deadIntervalMs: 10_000 })],
    ['cost 0', (c) => (c.interfaces.eth0 = { cost: 0 })],
    ['priority 256', (c) => (c.interfaces.eth0 = { priority: 256 })],
    ['an unknown network type', (c) => (c.interfaces.eth0 = { networkType: 'nbma' as 'broadcast' })],
    ['a simple password over 8 bytes (RFC 2328 D.3)', (c) => (c.interfaces.eth0 = { auth: { type: 'simple', password: '123456789' } })],
    ['an MD5 key over 16 bytes', (c) => (c.interfaces.eth0 = { auth: { type: 'cryptographic', keys: [{ keyId: 1, algorithm: 'md5', key: 'k'.repeat(17) }] } })],
    ['an HMAC-SHA-256 key over 32 bytes', (c) => (c.interfaces.eth0 = { auth: { type: 'cryptographic', keys: [{ keyId: 1, algorithm: 'hmac-sha256', key: 'k'.repeat(33) }] } })],
    ['Key ID 256', (c) => (c.interfaces.eth0 = { auth: { type: 'cryptographic', keys: [{ keyId: 256, algorithm: 'md5', key: 'k' }] } })],
    ['a Key ID listed twice', (c) => (c.interfaces.eth0 = { auth: { type: 'cryptographic', keys: [{ keyId: 1, algorithm: 'md5', key: 'a' }, { keyId: 1, algorithm: 'hmac-sha1', key: 'b' }] } })],
    ['an unknown digest algorithm', (c) => (c.interfaces.eth0 = { auth: { type: 'cryptographic', keys: [{ keyId: 1, algorithm: 'sha3' as 'md5', key: 'k' }] } })],
    ['an unknown authentication type', (c) => (c.interfaces.eth0 = { auth: { type: 'kerberos' } as unknown as { type: 'null' } })],
    ['a prefix length of 33', (c) => (c.networks = [{ address: 0, length: 33 }])],
    ['a negative minLsIntervalMs', (c) => (c.minLsIntervalMs = -1)],
    ['an external metric over 24 bits', (c) => c.externals.push({ prefix: parsePrefix('192.0.2.0/24'), metric: 0x1000000, metricType: 2, forwardingAddress: 0, tag: 0 })],
  ];
  for (const [what, change] of bad) {
    it(`refuses ${what} at construction and as a config input, leaving the router as it was`, () => {
      const config = base();
      change(config);
      expect(() => createRouter({ config, random })).toThrow(CoreConfigError);
      const router = createRouter({ config: base(), random });
      expect(() => router.handle({ kind: 'config', config }, 0)).toThrow(CoreConfigError);
      const out = router.handle({ kind: 'interface', info: { name: 'eth0', ifIndex: 2, up: true, loopback: false, mtu: 1500, addresses: [{ address: parseIpv4('10.0.0.1'), prefixLength: 24 }] } }, 0);
      expect(out.some((o) => o.kind === 'send')).toBe(true);
    });
  }

  it('refuses malformed interface reports and advertise inputs', () => {
    const router = createRouter({ config: base(), random });
    expect(() => router.handle({ kind: 'interface', info: { name: '', ifIndex: 1, up: true, loopback: false, mtu: 1500, addresses: [] } }, 0)).toThrow(CoreConfigError);
    expect(() => router.handle({ kind: 'interface', info: { name: 'x', ifIndex: 1, up: true, loopback: false, mtu: 1500, addresses: [{ address: -1, prefixLength: 24 }] } }, 0)).toThrow(CoreConfigError);
    expect(() => router.handle({ kind: 'advertise', prefix: { address: 0, length: 40 }, mode: 'announce' }, 0)).toThrow(CoreConfigError);
    expect(() => router.handle({ kind: 'advertise', prefix: parsePrefix('10.0.0.1/32'), mode: 'loud' as 'announce' }, 0)).toThrow(CoreConfigError);
    expect(() => router.handle({ kind: 'timer' }, Number.NaN)).toThrow(CoreConfigError);
  });
});
