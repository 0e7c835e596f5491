// The example configuration files in examples/ parse and map onto a RouterConfig.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toRouterConfig } from '../../src/config/index.js';
import { formatPrefix, parseIpv4 } from '../../src/lib/ipv4.js';
import { parse } from './helpers.js';

const dir = join(import.meta.dirname, '../../examples');
const read = (name: string) => parse(readFileSync(join(dir, name), 'utf8'), name);

const nodeInterfaces = (address: string) => [
  { name: 'lo', ifIndex: 1, up: true, loopback: true, mtu: 65536, addresses: [{ address: parseIpv4('127.0.0.1'), prefixLength: 8 }, { address: parseIpv4('10.206.206.1'), prefixLength: 32 }] },
  { name: 'eth0', ifIndex: 2, up: true, loopback: false, mtu: 1500, addresses: [{ address: parseIpv4(address), prefixLength: 24 }] },
];

describe('examples/*.conf', () => {
  it('every example file is covered here', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.conf')).sort();
    expect(files).toEqual(['lab-router.conf', 'sip-node-kamailio.conf', 'sip-node-opensips.conf']);
  });

  it('sip-node-kamailio.conf', () => {
    const cfg = read('sip-node-kamailio.conf');
    expect(cfg.anycast.map((a) => formatPrefix(a.prefix))).toEqual(['10.206.206.1/32']);
    expect(cfg.anycast[0]?.checks.map((c) => c.kind)).toEqual(['process', 'sip-options']);
    const rc = toRouterConfig(cfg, nodeInterfaces('10.205.205.11'));
    expect(rc.networks.map(formatPrefix)).toEqual(['10.205.205.0/24', '10.206.206.1/32']);
    expect(rc.interfaces).toEqual({
      eth0: { helloIntervalMs: 250, deadIntervalMs: 1000, passive: false, cost: 10 },
      lo: { passive: true },
    });
  });

  it('sip-node-opensips.conf', () => {
    const cfg = read('sip-node-opensips.conf');
    const block = cfg.anycast[0];
    expect(block?.onFailure).toBe('max-cost');
    expect(block?.checks.map((c) => c.kind)).toEqual(['process', 'sip-options', 'exec']);
    expect(cfg.log.format).toBe('json');
    const rc = toRouterConfig(cfg, nodeInterfaces('10.205.205.21'));
    expect(rc.routerId).toBe(parseIpv4('10.205.205.21'));
    expect(rc.networks.map(formatPrefix)).toEqual(['10.205.205.0/24', '10.206.206.1/32']);
    expect(rc.interfaces.eth0).toEqual({ helloIntervalMs: 1000, deadIntervalMs: 3000, cost: 10 });
  });

  it('lab-router.conf', () => {
    const cfg = read('lab-router.conf');
    expect(cfg.anycast).toEqual([]);
    const rc = toRouterConfig(cfg, [
      { name: 'eth0', ifIndex: 2, up: true, loopback: false, mtu: 1500, addresses: [{ address: parseIpv4('10.205.205.254'), prefixLength: 24 }] },
      { name: 'eth1', ifIndex: 3, up: true, loopback: false, mtu: 1500, addresses: [{ address: parseIpv4('198.51.100.1'), prefixLength: 24 }] },
    ]);
    expect(rc.maximumPaths).toBe(16);
    expect(rc.externals.map((e) => formatPrefix(e.prefix))).toEqual(['198.51.100.0/24']);
  });
});
