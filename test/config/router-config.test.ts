// toRouterConfig and pickRouterId: the configuration as the core sees it on a given machine.
import { describe, expect, it } from 'vitest';
import type { InterfaceInfo, RouterConfig } from '../../src/core/api.js';
import {
  MAX_EXTERNAL_METRIC,
  RouterIdError,
  anycastExternal,
  configuredRouterId,
  interfaceCost,
  pickRouterId,
  toRouterConfig,
  type AnycastConfig,
} from '../../src/config/index.js';
import { formatPrefix, parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { parse } from './helpers.js';

let nextIndex = 1;
/** An interface from "name", "10.0.0.1/24" style addresses; up unless told otherwise, of unknown speed unless given. */
function iface(name: string, addresses: string[], opts: { up?: boolean; loopback?: boolean; speedMbps?: number } = {}): InterfaceInfo {
  return {
    name,
    ifIndex: nextIndex++,
    up: opts.up ?? true,
    loopback: opts.loopback ?? name === 'lo',
    mtu: 1500,
    addresses: addresses.map((a) => {
      const [addr, len] = a.split('/');
      return { address: parseIpv4(addr as string), prefixLength: Number(len) };
    }),
    ...(opts.speedMbps === undefined ? {} : { speedMbps: opts.speedMbps }),
  };
}

const SEED_LAB = `hostname router
password zebra
log stdout
!
router ospf
 ospf router-id 10.205.205.254
 redistribute connected
 network 10.205.205.0/24 area 0.0.0.0
 network 10.206.206.1/32 area 0.0.0.0
!
`;

const prefixes = (list: { prefix: { address: number; length: number } }[]) => list.map((e) => formatPrefix(e.prefix));

describe('pickRouterId (FRR: highest loopback address, else highest interface address)', () => {
  it('prefers the highest loopback address over higher addresses elsewhere', () => {
    const id = pickRouterId([
      iface('eth0', ['192.168.1.1/24']),
      iface('lo', ['127.0.0.1/8', '10.0.0.1/32', '10.0.0.9/32']),
    ]);
    expect(id).toBe(parseIpv4('10.0.0.9'));
  });

  it('falls back to the highest address of any up interface', () => {
    const id = pickRouterId([
      iface('lo', ['127.0.0.1/8']),
      iface('eth0', ['10.0.0.1/24']),
      iface('eth1', ['10.0.1.1/24']),
      iface('eth2', ['10.9.9.9/24'], { up: false }),
      iface('eth3', ['169.254.1.1/16']),
    ]);
    expect(id).toBe(parseIpv4('10.0.1.1'));
  });

  it('never takes an anycast address, which every node shares', () => {
    const interfaces = [iface('lo', ['127.0.0.1/8', '10.206.206.1/32']), iface('eth0', ['10.205.205.11/24'])];
    expect(pickRouterId(interfaces)).toBe(parseIpv4('10.206.206.1'));
    expect(pickRouterId(interfaces, [parsePrefix('10.206.206.1/32')])).toBe(parseIpv4('10.205.205.11'));
  });

  it('is undefined when nothing qualifies', () => {
    expect(pickRouterId([iface('lo', ['127.0.0.1/8'])])).toBeUndefined();
    expect(pickRouterId([])).toBeUndefined();
  });
});

describe('toRouterConfig', () => {
  it('maps the seed lab router configuration', () => {
    const cfg = parse(SEED_LAB, 'ospfd.conf');
    const rc = toRouterConfig(cfg, [
      iface('lo', ['127.0.0.1/8']),
      iface('eth0', ['10.205.205.254/24'], { speedMbps: 1000 }),
      iface('eth1', ['192.168.50.1/24', '169.254.7.1/16']),
      iface('eth2', ['172.16.0.1/30'], { up: false, speedMbps: 10000 }),
    ]);
    expect(rc).toEqual({
      routerId: parseIpv4('10.205.205.254'),
      areaId: 0,
      networks: [parsePrefix('10.205.205.0/24'), parsePrefix('10.206.206.1/32')],
      // FRR's costs without auto-cost: 100 Gbit/s over the speed, 10 Gbit/s where it is unknown.
      interfaces: { eth0: { cost: 100 }, eth1: { cost: 10 }, eth2: { cost: 10 } },
      // eth0 is inside an OSPF network; lo is 127/8; link-local is never redistributed; eth2 is down.
      externals: [{ prefix: parsePrefix('192.168.50.0/24'), metric: 20, metricType: 2, forwardingAddress: 0, tag: 0 }],
      maximumPaths: 64,
      spfThrottle: { delayMs: 0, initialHoldMs: 50, maxHoldMs: 5000 },
      // RFC 3623 3: helper mode is on for every neighbor unless the file says otherwise.
      gracefulRestartHelper: { enabled: true, neighbors: [], strictLsaChecking: true, supportedGraceTime: 1800, plannedOnly: false },
    });
  });

  it('passes max-lsa to the core, and leaves it out (the core default) when the file has none', () => {
    const interfaces = [iface('eth0', ['10.205.205.254/24'])];
    expect(toRouterConfig(parse(SEED_LAB.replace('router ospf\n', 'router ospf\n max-lsa 5000\n'), 'ospfd.conf'), interfaces).maxLsa).toBe(5000);
    expect('maxLsa' in toRouterConfig(parse(SEED_LAB, 'ospfd.conf'), interfaces)).toBe(false);
    expect(() => parse('router ospf\n max-lsa 0\n', 'ospfd.conf')).toThrow(/0 is out of range for max-lsa \(expected 1-10000000\)/);
  });

  it('passes max-metric router-lsa to the core as its stub router setting (RFC 6987), seconds as ms', () => {
    const interfaces = [iface('eth0', ['10.205.205.254/24'])];
    const withLines = (lines: string): RouterConfig => toRouterConfig(parse(SEED_LAB.replace('router ospf\n', `router ospf\n${lines}`), 'ospfd.conf'), interfaces);
    expect(withLines(' max-metric router-lsa administrative\n').stubRouter).toEqual({ administrative: true });
    expect(withLines(' max-metric router-lsa on-startup 600\n').stubRouter).toEqual({ administrative: false, onStartupMs: 600_000 });
    expect(withLines(' max-metric router-lsa on-startup 5\n max-metric router-lsa administrative\n').stubRouter).toEqual({ administrative: true, onStartupMs: 5_000 });
    expect('stubRouter' in withLines('')).toBe(false);
  });

  it('takes the router id from the interfaces when the file has none, skipping anycast addresses', () => {
    const cfg = parse('router ospf\n network 10.0.0.0/24 area 0\nanycast 10.206.206.1/32\n');
    const rc = toRouterConfig(cfg, [iface('lo', ['127.0.0.1/8', '10.206.206.1/32']), iface('eth0', ['10.0.0.7/24'])]);
    expect(rc.routerId).toBe(parseIpv4('10.0.0.7'));
    expect(() => toRouterConfig(cfg, [iface('lo', ['10.206.206.1/32'])])).toThrow(RouterIdError);
  });

  it("falls back to zebra's router-id before looking at the interfaces", () => {
    const cfg = parse('ip router-id 10.9.9.9\nrouter ospf\n network 10.0.0.0/24 area 0\n');
    expect(toRouterConfig(cfg, [iface('eth0', ['10.0.0.7/24'])]).routerId).toBe(parseIpv4('10.9.9.9'));
    expect(configuredRouterId(cfg)).toBe(parseIpv4('10.9.9.9'));
    expect(configuredRouterId(parse('ip router-id 10.9.9.9\nrouter ospf\n ospf router-id 1.1.1.1\n'))).toBe(parseIpv4('1.1.1.1'));
  });

  it('maps interface settings, with fast hellos from the hello multiplier', () => {
    const cfg = parse(`router ospf
 router-id 1.1.1.1
 network 10.0.0.0/8 area 0
interface eth0
 ip ospf cost 10
 ip ospf hello-interval 2
 ip ospf dead-interval 8
 ip ospf retransmit-interval 3
 ip ospf transmit-delay 2
 ip ospf priority 0
 ip ospf network point-to-point
 ip ospf mtu-ignore
interface eth1
 ip ospf dead-interval minimal hello-multiplier 4
interface eth2
 ip ospf dead-interval minimal hello-multiplier 3
interface eth3
 description only a description
`);
    const rc = toRouterConfig(cfg, []);
    expect(rc.interfaces).toEqual({
      eth0: {
        cost: 10,
        helloIntervalMs: 2000,
        deadIntervalMs: 8000,
        retransmitIntervalMs: 3000,
        transmitDelay: 2,
        priority: 0,
        networkType: 'point-to-point',
        mtuIgnore: true,
      },
      eth1: { helloIntervalMs: 250, deadIntervalMs: 1000 },
      eth2: { helloIntervalMs: 333, deadIntervalMs: 1000 },
    });
  });

  it('resolves passive: ip ospf passive, then passive-interface NAME, then passive-interface default', () => {
    const cfg = parse(`router ospf
 network 10.0.0.0/8 area 0
 passive-interface default
 no passive-interface eth0
 passive-interface eth1
interface eth1
 no ip ospf passive
interface eth2
 ip ospf cost 5
`);
    const rc = toRouterConfig(cfg, [iface('lo', ['10.1.1.1/32']), iface('eth0', []), iface('eth1', []), iface('eth2', []), iface('eth3', [])]);
    expect(rc.interfaces).toEqual({
      eth0: { passive: false, cost: 10 },
      eth1: { passive: false, cost: 10 },
      eth2: { cost: 5, passive: true },
      eth3: { passive: true, cost: 10 },
      lo: { passive: true },
    });
    const noDefault = parse('router ospf\n router-id 1.1.1.1\n network 10.0.0.0/8 area 0\n passive-interface eth3\n');
    expect(toRouterConfig(noDefault, [iface('eth0', []), iface('eth3', [])]).interfaces).toEqual({ eth0: { cost: 10 }, eth3: { passive: true, cost: 10 } });
  });

  it("RFC 2328 D.3: authentication is the interface's type, else the area's, with the interface's keys", () => {
    const cfg = parse(`router ospf
 ospf router-id 1.1.1.1
 network 10.0.0.0/8 area 0
 area 0 authentication message-digest
interface eth0
 ip ospf message-digest-key 2 hmac-sha256 newer
 ip ospf message-digest-key 1 md5 older
interface eth1
 ip ospf authentication
 ip ospf authentication-key pass
interface eth2
 ip ospf authentication null
`);
    const rc = toRouterConfig(cfg, [iface('eth0', []), iface('eth1', []), iface('eth2', []), iface('eth3', [])]);
    expect(rc.interfaces).toEqual({
      eth0: {
        auth: {
          type: 'cryptographic',
          keys: [
            { keyId: 1, algorithm: 'md5', key: 'older' },
            { keyId: 2, algorithm: 'hmac-sha256', key: 'newer' },
          ],
        },
        cost: 10,
      },
      eth1: { auth: { type: 'simple', password: 'pass' }, cost: 10 },
      eth2: { cost: 10 },
      // FRR: message-digest with no key sends Key ID 0 with an empty key.
      eth3: { auth: { type: 'cryptographic', keys: [] }, cost: 10 },
    });
    // Without an area default, keys alone authenticate nothing (FRR: the type must be set).
    const keysOnly = parse('router ospf\n router-id 1.1.1.1\n network 10.0.0.0/8 area 0\ninterface eth0\n ip ospf message-digest-key 1 md5 k\n');
    expect(toRouterConfig(keysOnly, [iface('eth0', [])]).interfaces).toEqual({ eth0: { cost: 10 } });
  });

  it('runs OSPF on the subnets of interfaces with ip ospf area, and does not redistribute them', () => {
    const cfg = parse('interface eth0\n ip ospf area 0.0.0.1\nrouter ospf\n redistribute connected\n');
    const rc = toRouterConfig(cfg, [iface('eth0', ['10.1.0.5/24', '10.2.0.5/25']), iface('eth1', ['10.3.0.1/24'])]);
    expect(rc.areaId).toBe(1);
    expect(rc.networks.map(formatPrefix)).toEqual(['10.1.0.0/24', '10.2.0.0/25']);
    expect(prefixes(rc.externals)).toEqual(['10.3.0.0/24']);
  });

  it('adds stub anycast prefixes to the networks and never redistributes them as connected', () => {
    const cfg = parse(`router ospf
 network 10.0.0.0/24 area 0
 redistribute connected
anycast 10.206.206.1/32
anycast 10.207.0.0/28
`);
    const rc = toRouterConfig(cfg, [
      iface('lo', ['127.0.0.1/8', '10.206.206.1/32', '10.207.0.1/32', '10.250.0.1/32']),
      iface('eth0', ['10.0.0.2/24']),
    ]);
    expect(rc.networks.map(formatPrefix)).toEqual(['10.0.0.0/24', '10.206.206.1/32', '10.207.0.0/28']);
    expect(prefixes(rc.externals)).toEqual(['10.250.0.1/32']);
  });

  it('does not add an anycast prefix a network statement already covers', () => {
    const cfg = parse('router ospf\n router-id 1.1.1.1\n network 10.206.206.0/24 area 0\nanycast 10.206.206.1/32\n');
    expect(toRouterConfig(cfg, [], {}).networks.map(formatPrefix)).toEqual(['10.206.206.0/24']);
  });

  it('originates external anycast prefixes by their current mode, withdrawn until told otherwise', () => {
    const cfg = parse('router ospf\n network 10.0.0.0/24 area 0\n router-id 1.1.1.1\nanycast 10.206.206.1/32\n announce-as external metric 30 metric-type 1\n');
    const key = '10.206.206.1/32';
    expect(toRouterConfig(cfg, []).externals).toEqual([]);
    expect(toRouterConfig(cfg, []).networks.map(formatPrefix)).toEqual(['10.0.0.0/24']);
    const announced = toRouterConfig(cfg, [], { anycastModes: new Map([[key, 'announce']]) });
    expect(announced.externals).toEqual([{ prefix: parsePrefix(key), metric: 30, metricType: 1, forwardingAddress: 0, tag: 0 }]);
    const last = toRouterConfig(cfg, [], { anycastModes: new Map([[key, 'max-cost']]) });
    expect(last.externals[0]?.metric).toBe(MAX_EXTERNAL_METRIC);
    expect(anycastExternal(cfg.anycast[0] as AnycastConfig, 'withdraw')).toBeUndefined();
  });

  it('stub anycast blocks have no external route in any mode', () => {
    const cfg = parse('router ospf\n network 10.0.0.0/24 area 0\nanycast 10.206.206.1/32\n');
    expect(anycastExternal(cfg.anycast[0] as AnycastConfig, 'announce')).toBeUndefined();
  });

  it('redistributes installable static routes with their metric; connected wins a tie', () => {
    const cfg = parse(`router ospf
 router-id 1.1.1.1
 network 10.0.0.0/24 area 0
 redistribute static metric 200 metric-type 1
 redistribute connected metric 5
ip route 192.168.0.0/16 10.0.0.254
ip route 172.16.0.0/12 eth1
ip route 172.20.0.0/16 eth9
ip route 10.99.0.0/16 blackhole
ip route 10.98.0.0/16 10.50.0.1
ip route 10.97.0.0/16 10.60.0.1 eth1
ip route 10.96.0.0/16 10.60.0.1 eth2
ip route 10.2.0.0/24 eth0
ip route 127.1.0.0/16 blackhole
ip route 0.0.0.0/0 10.0.0.254
ip route 232.0.0.0/8 blackhole
`);
    const rc = toRouterConfig(cfg, [iface('eth0', ['10.0.0.1/24']), iface('eth1', ['10.2.0.1/24']), iface('eth2', [], { up: false })]);
    expect(rc.externals.map((e) => [formatPrefix(e.prefix), e.metric, e.metricType])).toEqual([
      ['10.2.0.0/24', 5, 2],
      ['10.97.0.0/16', 200, 1],
      ['10.99.0.0/16', 200, 1],
      ['172.16.0.0/12', 200, 1],
      ['192.168.0.0/16', 200, 1],
    ]);
  });

  it('uses default-metric when the redistribute statement gives none', () => {
    const cfg = parse('router ospf\n router-id 1.1.1.1\n default-metric 77\n redistribute connected\n');
    expect(toRouterConfig(cfg, [iface('eth0', ['10.0.0.1/24'])]).externals[0]?.metric).toBe(77);
  });

  it('carries maximum-paths and the SPF throttle', () => {
    const cfg = parse('router ospf\n router-id 1.1.1.1\n maximum-paths 4\n timers throttle spf 5 10 20\n');
    const rc = toRouterConfig(cfg, []);
    expect(rc.maximumPaths).toBe(4);
    expect(rc.spfThrottle).toEqual({ delayMs: 5, initialHoldMs: 10, maxHoldMs: 20 });
    expect(rc.minLsIntervalMs).toBeUndefined();
    expect(rc.minLsArrivalMs).toBeUndefined();
  });

  it("carries FRR's LSA timers as MinLSInterval and MinLSArrival", () => {
    const rc = toRouterConfig(parse('router ospf\n router-id 1.1.1.1\n timers throttle lsa all 200\n timers lsa min-arrival 100\n'), []);
    expect(rc.minLsIntervalMs).toBe(200);
    expect(rc.minLsArrivalMs).toBe(100);
  });
});

describe('interface cost from auto-cost reference-bandwidth (FRR ospf_if_get_output_cost)', () => {
  it('is the reference over the speed, rounded, within 1–65535; an unknown speed counts as 10 Gbit/s', () => {
    // The first two and the fourth are what FRR 8.4 shows for a veth (10000 Mbit/s) with no auto-cost, 100000 and 100.
    expect(interfaceCost(100_000, 10_000)).toBe(10);
    expect(interfaceCost(100_000, 1000)).toBe(100);
    expect(interfaceCost(100_000, 25_000)).toBe(4);
    expect(interfaceCost(100, 10_000)).toBe(1);
    expect(interfaceCost(100, 40)).toBe(3); // 2.5 rounds up
    expect(interfaceCost(100_000, undefined)).toBe(10);
    expect(interfaceCost(4_294_967, 10)).toBe(65535);
  });

  it('sets the cost of every interface without ip ospf cost, loopbacks aside', () => {
    const cfg = parse(`router ospf
 router-id 1.1.1.1
 auto-cost reference-bandwidth 1000000
 network 10.0.0.0/8 area 0
interface eth1
 ip ospf cost 7
`);
    const rc = toRouterConfig(cfg, [
      iface('lo', ['10.1.1.1/32']),
      iface('eth0', ['10.0.0.1/24'], { speedMbps: 10_000 }),
      iface('eth1', ['10.0.1.1/24'], { speedMbps: 10_000 }),
      iface('eth2', ['10.0.2.1/24']),
    ]);
    expect(rc.interfaces).toEqual({ eth0: { cost: 100 }, eth1: { cost: 7 }, eth2: { cost: 100 } });
  });
});
