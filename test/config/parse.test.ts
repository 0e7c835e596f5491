// parseConfig on whole files and on every statement it accepts.
import { describe, expect, it } from 'vitest';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { OSPF, parse } from './helpers.js';

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

const FRR8 = `frr version 8.4.4
frr defaults traditional
hostname sip1
log syslog informational
no ipv6 forwarding
service integrated-vtysh-config
!
interface eth0
 description uplink to core-1
 ip ospf area 0
 ip ospf dead-interval 40
 ip ospf hello-interval 10
 ip ospf network point-to-point
exit
!
interface eth1
 ip ospf cost 100
 ip ospf passive
exit
!
router ospf
 ospf router-id 10.0.0.11
 log-adjacency-changes
 passive-interface default
 no passive-interface eth0
exit
!
line vty
 exec-timeout 0 0
!
end
`;

describe('whole files', () => {
  it('reads the seed lab router configuration unchanged', () => {
    const cfg = parse(SEED_LAB, 'ospfd.conf');
    expect(cfg.hostname).toBe('router');
    expect(cfg.log.destinations).toEqual([{ kind: 'stdout', level: 'debugging' }]);
    expect(cfg.ospf.routerId).toBe(parseIpv4('10.205.205.254'));
    expect(cfg.ospf.redistributeConnected).toEqual({ metricType: 2 });
    expect(cfg.ospf.networks).toEqual([
      { prefix: parsePrefix('10.205.205.0/24'), area: 0 },
      { prefix: parsePrefix('10.206.206.1/32'), area: 0 },
    ]);
    expect(cfg.ospf.area).toBe(0);
    expect(cfg.anycast).toEqual([]);
    expect(cfg.interfaces).toEqual({});
  });

  it('reads an FRR 8 frr.conf with per-interface areas and exit lines', () => {
    const cfg = parse(FRR8, 'frr.conf');
    expect(cfg.hostname).toBe('sip1');
    expect(cfg.log.destinations).toEqual([{ kind: 'syslog', level: 'informational' }]);
    expect(cfg.interfaces.eth0).toEqual({
      description: 'uplink to core-1',
      area: 0,
      deadInterval: 40,
      helloInterval: 10,
      networkType: 'point-to-point',
      authentication: { keys: [] },
    });
    expect(cfg.interfaces.eth1).toEqual({ cost: 100, passive: true, authentication: { keys: [] } });
    expect(cfg.ospf.routerId).toBe(parseIpv4('10.0.0.11'));
    expect(cfg.ospf.logAdjacencyChanges).toBe('on');
    expect(cfg.ospf.passiveDefault).toBe(true);
    expect(cfg.ospf.passiveInterfaces).toEqual({ eth0: false });
  });

  it('applies defaults where the file says nothing', () => {
    const cfg = parse(OSPF);
    expect(cfg.log).toEqual({ destinations: [{ kind: 'stdout', level: 'informational' }], format: 'text', timestampPrecision: 0 });
    expect(cfg.ospf.maximumPaths).toBe(64);
    expect(cfg.ospf.spfThrottle).toEqual({ delayMs: 0, initialHoldMs: 50, maxHoldMs: 5000 });
    // FRR's effective default (OSPF_DEFAULT_REF_BANDWIDTH), not the 100 its documentation gives.
    expect(cfg.ospf.referenceBandwidth).toBe(100000);
    expect(cfg.ospf.logAdjacencyChanges).toBe('off');
    expect(cfg.ospf.multipath).toEqual({ group: { kind: 'resilient', buckets: 128, idleTimer: 0, unbalancedTimer: 0 }, hash: 'layer3' });
    expect(cfg.ospf.maxMetric).toEqual({ administrative: false });
    expect(cfg.controlSocket).toBe('/run/ospf-anycast/ospf-anycastd.sock');
    expect(cfg.kernelRoutes).toEqual({ metric: 20, table: 254 });
    expect(cfg.metricsListen).toBeUndefined();
    expect(cfg.hostname).toBeUndefined();
  });

  it('takes router-id as optional', () => {
    expect(parse('router ospf\n network 10.0.0.0/8 area 0\n').ospf.routerId).toBeUndefined();
  });

  it('ignores comments, blank lines, CRLF line ends and indentation', () => {
    const text = '# a comment\r\n\r\n   ! another\r\nrouter ospf\r\nnetwork 10.0.0.0/24 area 0\r\n        maximum-paths 4\r\n';
    const cfg = parse(text);
    expect(cfg.ospf.networks).toHaveLength(1);
    expect(cfg.ospf.maximumPaths).toBe(4);
  });

  it('returns to the top level on a top-level statement without exit', () => {
    const cfg = parse('interface eth0\n ip ospf cost 5\nrouter ospf\n network 10.0.0.0/24 area 0\ninterface eth1\n ip ospf cost 7\n');
    expect(cfg.interfaces.eth0?.cost).toBe(5);
    expect(cfg.interfaces.eth1?.cost).toBe(7);
  });

  it('closes sections with exit, exit-vrf, quit and end', () => {
    for (const close of ['exit', 'exit-vrf', 'quit', 'end']) {
      const cfg = parse(`interface eth0\n ip ospf cost 5\n${close}\n${OSPF}`);
      expect(cfg.interfaces.eth0?.cost, close).toBe(5);
    }
    // After exit, a section statement is no longer in a section.
    expect(() => parse(`interface eth0\nexit\n ip ospf cost 5\n${OSPF}`)).toThrow('unknown command "ip"');
  });

  it('merges a section given twice', () => {
    const cfg = parse(`${OSPF}interface eth0\n ip ospf cost 5\n!\ninterface eth0\n ip ospf priority 0\nrouter ospf\n maximum-paths 8\n`);
    expect(cfg.interfaces.eth0).toMatchObject({ cost: 5, priority: 0 });
    expect(cfg.ospf.maximumPaths).toBe(8);
    expect(cfg.ospf.networks).toHaveLength(1);
  });

  it('gives the same model for the same text (deterministic order)', () => {
    const text = `${OSPF}interface b\n ip ospf cost 2\ninterface a\n ip ospf cost 1\nip route 10.9.0.0/16 eth0\nip route 10.1.0.0/16 eth0\n`;
    const cfg = parse(text);
    expect(Object.keys(cfg.interfaces)).toEqual(['a', 'b']);
    expect(cfg.staticRoutes.map((r) => r.prefix.address)).toEqual([parseIpv4('10.1.0.0'), parseIpv4('10.9.0.0')]);
    expect(JSON.stringify(parse(text))).toBe(JSON.stringify(cfg));
  });
});

describe('top-level statements', () => {
  it('log destinations, levels, timestamp precision and format', () => {
    const cfg = parse(
      `log file /var/log/ospf.log warnings\nlog syslog\nlog stdout errors\nlog stdout notifications\nlog timestamp precision 3\nlog format json\n${OSPF}`,
    );
    expect(cfg.log).toEqual({
      destinations: [
        { kind: 'stdout', level: 'notifications' },
        { kind: 'syslog', level: 'debugging' },
        { kind: 'file', path: '/var/log/ospf.log', level: 'warnings' },
      ],
      format: 'json',
      timestampPrecision: 3,
    });
  });

  it('accepts FRR bookkeeping and vty statements with no effect', () => {
    const withExtras = `frr version 9.1\nfrr defaults datacenter\nservice password-encryption\npassword 8 abc\nenable password zebra\nip forwarding\nno ip forwarding\nipv6 forwarding\nno ipv6 forwarding\nline vty\n access-class vty\n no login\n exec-timeout 10\n${OSPF}`;
    expect(parse(withExtras)).toEqual(parse(OSPF));
  });

  it('ip route in prefix and mask forms, with gateway, interface, blackhole and distance', () => {
    const cfg = parse(
      `${OSPF}ip route 192.168.0.0/16 10.0.0.254\nip route 172.16.0.0 255.240.0.0 eth1\nip route 10.99.0.0/16 blackhole\nip route 10.98.0.0/16 Null0\nip route 10.97.0.0/16 reject\nip route 10.96.0.0/16 10.0.0.253 eth0 200\n`,
    );
    expect(cfg.staticRoutes).toEqual([
      { prefix: parsePrefix('10.96.0.0/16'), nexthop: { kind: 'gateway', address: parseIpv4('10.0.0.253'), ifName: 'eth0' }, distance: 200 },
      { prefix: parsePrefix('10.97.0.0/16'), nexthop: { kind: 'reject' }, distance: 1 },
      { prefix: parsePrefix('10.98.0.0/16'), nexthop: { kind: 'blackhole' }, distance: 1 },
      { prefix: parsePrefix('10.99.0.0/16'), nexthop: { kind: 'blackhole' }, distance: 1 },
      { prefix: parsePrefix('172.16.0.0/12'), nexthop: { kind: 'interface', ifName: 'eth1' }, distance: 1 },
      { prefix: parsePrefix('192.168.0.0/16'), nexthop: { kind: 'gateway', address: parseIpv4('10.0.0.254') }, distance: 1 },
    ]);
  });

  it("zebra's router-id at top level, in both spellings, apart from router ospf's", () => {
    const cfg = parse('router-id 9.9.9.9\nrouter ospf\n router-id 1.1.1.1\n network 10.0.0.0/8 area 0\n');
    expect(cfg.routerId).toBe(parseIpv4('9.9.9.9'));
    expect(cfg.ospf.routerId).toBe(parseIpv4('1.1.1.1'));
    expect(parse(`ip router-id 9.9.9.8\n${OSPF}`).routerId).toBe(parseIpv4('9.9.9.8'));
  });

  it('daemon settings: control socket, metrics, kernel route metric and table', () => {
    const cfg = parse(`${OSPF}control-socket /run/ospf.sock\nmetrics listen 127.0.0.1:9100\nroute metric 50\nroute table 100\n`);
    expect(cfg.controlSocket).toBe('/run/ospf.sock');
    expect(cfg.metricsListen).toEqual({ address: parseIpv4('127.0.0.1'), port: 9100 });
    expect(cfg.kernelRoutes).toEqual({ metric: 50, table: 100 });
    expect(cfg.user).toBeUndefined();
  });

  it('user NAME [group GROUP]: the account the daemon drops to', () => {
    expect(parse(`user ospf-anycast\n${OSPF}`).user).toEqual({ name: 'ospf-anycast' });
    expect(parse(`user nobody group nogroup\n${OSPF}`).user).toEqual({ name: 'nobody', group: 'nogroup' });
  });
});

describe('interface statements', () => {
  const iface = (body: string) => parse(`${OSPF}interface eth0\n${body}`).interfaces.eth0;

  it.each([
    ['ip ospf cost 1', { cost: 1 }],
    ['ip ospf cost 65535', { cost: 65535 }],
    ['ip ospf hello-interval 1', { helloInterval: 1 }],
    ['ip ospf dead-interval 65535', { deadInterval: 65535 }],
    ['ip ospf dead-interval minimal hello-multiplier 2', { helloMultiplier: 2 }],
    ['ip ospf dead-interval minimal hello-multiplier 20', { helloMultiplier: 20 }],
    ['ip ospf retransmit-interval 5', { retransmitInterval: 5 }],
    ['ip ospf transmit-delay 2', { transmitDelay: 2 }],
    ['ip ospf priority 0', { priority: 0 }],
    ['ip ospf priority 255', { priority: 255 }],
    ['ip ospf network point-to-point', { networkType: 'point-to-point' }],
    ['ip ospf network broadcast', { networkType: 'broadcast' }],
    ['ip ospf passive', { passive: true }],
    ['no ip ospf passive', { passive: false }],
    ['ip ospf mtu-ignore', { mtuIgnore: true }],
    ['ip ospf area 0.0.0.0', { area: 0 }],
    ['ip load-sharing per-packet', { loadSharing: 'per-packet' }],
    ['ip load-sharing per-flow', { loadSharing: 'per-flow' }],
    ['description  two  spaces kept', { description: 'two  spaces kept' }],
  ])('%s', (line, expected) => {
    expect(iface(` ${line}\n`)).toEqual({ authentication: { keys: [] }, ...expected });
  });

  it('keeps the reserved authentication statements', () => {
    expect(iface(' ip ospf authentication\n ip ospf authentication-key secret12\n')?.authentication).toEqual({
      type: 'simple',
      simpleKey: 'secret12',
      keys: [],
    });
    expect(
      iface(' ip ospf authentication message-digest\n ip ospf message-digest-key 2 md5 K2\n ip ospf message-digest-key 1 md5 K1\n')
        ?.authentication,
    ).toEqual({
      type: 'message-digest',
      keys: [
        { keyId: 1, algorithm: 'md5', key: 'K1' },
        { keyId: 2, algorithm: 'md5', key: 'K2' },
      ],
    });
    expect(iface(' ip ospf authentication null\n')?.authentication.type).toBe('null');
    expect(iface(' ip ospf message-digest-key 3 hmac-sha384 K3\n ip ospf message-digest-key 3 hmac-sha1 K4\n')?.authentication.keys).toEqual([
      { keyId: 3, algorithm: 'hmac-sha1', key: 'K4' },
    ]);
  });

  it('a later statement replaces an earlier one; dead-interval forms replace each other', () => {
    expect(iface(' ip ospf cost 5\n ip ospf cost 6\n')?.cost).toBe(6);
    expect(iface(' ip ospf dead-interval 40\n ip ospf dead-interval minimal hello-multiplier 4\n')).toEqual({
      helloMultiplier: 4,
      authentication: { keys: [] },
    });
    expect(iface(' ip ospf dead-interval minimal hello-multiplier 4\n ip ospf dead-interval 40\n')).toEqual({
      deadInterval: 40,
      authentication: { keys: [] },
    });
  });

  it('no ip ospf SETTING goes back to the default', () => {
    expect(iface(' ip ospf cost 5\n ip ospf mtu-ignore\n no ip ospf cost 5\n no ip ospf mtu-ignore\n')).toEqual({
      authentication: { keys: [] },
    });
    expect(iface(' ip ospf message-digest-key 1 md5 a\n no ip ospf message-digest-key 1\n')?.authentication.keys).toEqual([]);
  });

  it('accepts Quagga link-detect and FRR ipv6 nd suppress-ra, which ask for what the daemon does anyway', () => {
    expect(iface(' link-detect\n ipv6 nd suppress-ra\n')).toEqual({ authentication: { keys: [] } });
  });
});

describe('router ospf statements', () => {
  const ospf = (body: string) => parse(`router ospf\n network 10.0.0.0/24 area 0\n${body}`).ospf;

  it('router-id in both spellings', () => {
    expect(ospf(' router-id 1.2.3.4\n').routerId).toBe(parseIpv4('1.2.3.4'));
    expect(ospf(' ospf router-id 1.2.3.5\n').routerId).toBe(parseIpv4('1.2.3.5'));
  });

  it('network with integer and dotted areas, host bits cleared, duplicates dropped', () => {
    const cfg = parse('router ospf\n network 10.1.2.3/16 area 7\n network 10.1.0.0/16 area 0.0.0.7\n network 10.2.0.0/16 area 7\n').ospf;
    expect(cfg.networks).toEqual([
      { prefix: parsePrefix('10.1.0.0/16'), area: 7 },
      { prefix: parsePrefix('10.2.0.0/16'), area: 7 },
    ]);
    expect(cfg.area).toBe(7);
    expect(parse('router ospf\n network 10.0.0.0/8 area 4294967295\n').ospf.area).toBe(4294967295);
  });

  it('passive-interface NAME, default and no passive-interface', () => {
    const cfg = ospf(' passive-interface default\n passive-interface eth2\n no passive-interface eth0\n');
    expect(cfg.passiveDefault).toBe(true);
    expect(cfg.passiveInterfaces).toEqual({ eth0: false, eth2: true });
    expect(ospf(' passive-interface default\n no passive-interface default\n').passiveDefault).toBe(false);
  });

  it('redistribute with options in any order, and its removal', () => {
    expect(ospf(' redistribute static metric-type 1 metric 100\n').redistributeStatic).toEqual({ metric: 100, metricType: 1 });
    expect(ospf(' redistribute connected metric 0\n').redistributeConnected).toEqual({ metric: 0, metricType: 2 });
    expect(ospf(' redistribute connected\n no redistribute connected\n').redistributeConnected).toBeUndefined();
  });

  it('metrics, paths, timers, logging, auto-cost', () => {
    const cfg = ospf(
      ' default-metric 16777214\n maximum-paths 1\n timers throttle spf 10 100 10000\n timers throttle lsa all 0\n timers lsa min-arrival 50\n log-adjacency-changes detail\n auto-cost reference-bandwidth 100000\n',
    );
    expect(cfg.defaultMetric).toBe(16777214);
    expect(cfg.maximumPaths).toBe(1);
    expect(cfg.spfThrottle).toEqual({ delayMs: 10, initialHoldMs: 100, maxHoldMs: 10000 });
    expect(cfg.lsaIntervalMs).toBe(0);
    expect(cfg.lsaArrivalMs).toBe(50);
    expect(cfg.logAdjacencyChanges).toBe('detail');
    expect(cfg.referenceBandwidth).toBe(100000);
    expect(ospf(' log-adjacency-changes\n no log-adjacency-changes\n').logAdjacencyChanges).toBe('off');
  });

  it('multipath group and hash', () => {
    expect(ospf(' multipath group resilient\n').multipath.group).toEqual({ kind: 'resilient', buckets: 128, idleTimer: 0, unbalancedTimer: 0 });
    expect(ospf(' multipath group resilient buckets 64 unbalanced-timer 30 idle-timer 10\n multipath hash layer4\n').multipath).toEqual({
      group: { kind: 'resilient', buckets: 64, idleTimer: 10, unbalancedTimer: 30 },
      hash: 'layer4',
    });
    expect(ospf(' multipath group resilient\n multipath group hash-threshold\n').multipath.group).toEqual({ kind: 'hash-threshold' });
  });

  it('max-metric router-lsa administrative and on-startup N (RFC 6987), and their no forms as FRR writes them', () => {
    expect(ospf(' max-metric router-lsa administrative\n').maxMetric).toEqual({ administrative: true });
    expect(ospf(' max-metric router-lsa on-startup 600\n').maxMetric).toEqual({ administrative: false, onStartup: 600 });
    expect(ospf(' max-metric router-lsa on-startup 5\n max-metric router-lsa administrative\n').maxMetric).toEqual({ administrative: true, onStartup: 5 });
    expect(ospf(' max-metric router-lsa on-startup 86400\n max-metric router-lsa on-startup 30\n').maxMetric.onStartup).toBe(30);
    expect(ospf(' max-metric router-lsa administrative\n no max-metric router-lsa administrative\n').maxMetric).toEqual({ administrative: false });
    expect(ospf(' max-metric router-lsa on-startup 600\n no max-metric router-lsa on-startup\n').maxMetric).toEqual({ administrative: false });
    expect(ospf(' max-metric router-lsa on-startup 600\n no max-metric router-lsa on-startup 600\n').maxMetric).toEqual({ administrative: false });
    // on-shutdown is never set here, so removing it leaves the default.
    expect(ospf(' no max-metric router-lsa on-shutdown\n no max-metric router-lsa on-shutdown 30\n').maxMetric).toEqual({ administrative: false });
  });

  it('area authentication for the area in use', () => {
    expect(ospf(' area 0 authentication message-digest\n').areaAuthentication).toBe('message-digest');
    expect(ospf(' area 0.0.0.0 authentication\n').areaAuthentication).toBe('simple');
  });
});
