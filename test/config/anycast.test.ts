// The anycast block: the exact block operators use, every statement and check, and its errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePrefixes } from '../../src/anycast/index.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { toAnycastOptions, type AnycastConfig, type HealthCheck } from '../../src/config/index.js';
import { OSPF, issueOf, issuesOf, parse } from './helpers.js';

const KAMAILIO_BLOCK = `anycast 10.206.206.1/32
 check process /usr/sbin/kamailio -DD -E -f /etc/kamailio/kamailio.cfg
 check sip-options 10.206.206.1:5060 interval 200 timeout 150 rise 2 fall 2
 maintenance-file /etc/ospf-anycast/drain
 on-failure withdraw
`;

const block = (body: string): AnycastConfig => {
  const cfg = parse(`${OSPF}anycast 10.206.206.1/32\n${body}`);
  expect(cfg.anycast).toHaveLength(1);
  return cfg.anycast[0] as AnycastConfig;
};
const check = (line: string): HealthCheck => {
  const checks = block(` check ${line}\n`).checks;
  expect(checks).toHaveLength(1);
  return checks[0] as HealthCheck;
};

describe('anycast block', () => {
  it('accepts exactly the documented Kamailio block', () => {
    const cfg = parse(`${OSPF}${KAMAILIO_BLOCK}`);
    expect(cfg.anycast).toEqual([
      {
        prefix: parsePrefix('10.206.206.1/32'),
        checks: [
          {
            kind: 'process',
            argv: ['/usr/sbin/kamailio', '-DD', '-E', '-f', '/etc/kamailio/kamailio.cfg'],
          },
          {
            kind: 'sip-options',
            host: parseIpv4('10.206.206.1'),
            port: 5060,
            transport: 'udp',
            codes: [{ min: 200, max: 699 }],
            interval: 200,
            timeout: 150,
            rise: 2,
            fall: 2,
            fastInterval: 0,
          },
        ],
        maintenanceFile: '/etc/ospf-anycast/drain',
        onFailure: 'withdraw',
        announceAs: { kind: 'stub' },
        minInterval: 1000,
        manageAddress: { enabled: false, removeOnWithdraw: false },
        interface: 'lo',
        proxyStopOnExit: false,
      },
    ]);
  });

  it('accepts the block before router ospf, and a network statement covering the anycast prefix', () => {
    const cfg = parse(`${KAMAILIO_BLOCK}router ospf\n network 10.206.206.1/32 area 0\n network 10.0.0.0/24 area 0\n`);
    expect(cfg.anycast).toHaveLength(1);
    expect(cfg.ospf.networks).toHaveLength(2);
  });

  it('keeps several blocks, sorted by prefix', () => {
    const cfg = parse(`${OSPF}anycast 10.206.206.2/32\n check tcp 10.206.206.2:5060\n${KAMAILIO_BLOCK}`);
    expect(cfg.anycast.map((a) => a.prefix.address)).toEqual([parseIpv4('10.206.206.1'), parseIpv4('10.206.206.2')]);
  });

  it('other statements', () => {
    expect(
      block(' on-failure max-cost\n announce-as external metric 50 metric-type 1\n min-interval 0\n manage-address remove-on-withdraw\n interface dummy0\n'),
    ).toMatchObject({
      onFailure: 'max-cost',
      announceAs: { kind: 'external', metric: 50, metricType: 1 },
      minInterval: 0,
      manageAddress: { enabled: true, removeOnWithdraw: true },
      interface: 'dummy0',
    });
    expect(block(' announce-as external\n manage-address\n')).toMatchObject({
      announceAs: { kind: 'external', metric: 20, metricType: 2 },
      manageAddress: { enabled: true, removeOnWithdraw: false },
    });
    expect(block(' announce-as external\n announce-as stub\n').announceAs).toEqual({ kind: 'stub' });
    expect(block(' maintenance-file /var/lib/my drain file\n').maintenanceFile).toBe('/var/lib/my drain file');
    expect(block(' proxy stop-on-exit\n').proxyStopOnExit).toBe(true);
  });

  it('proxy takes only stop-on-exit, and says so', () => {
    expect(() => block(' proxy\n')).toThrow(/proxy setting/);
    expect(() => block(' proxy keep\n')).toThrow(/stop-on-exit/);
    expect(() => block(' proxy stop-on-exit now\n')).toThrow(/now/);
  });

  it('an indented interface line belongs to the block; an unindented one opens an interface section', () => {
    const cfg = parse(`${OSPF}anycast 10.206.206.1/32\n interface dummy0\ninterface eth0\n ip ospf cost 9\n`);
    expect(cfg.anycast[0]?.interface).toBe('dummy0');
    expect(cfg.interfaces.eth0?.cost).toBe(9);
  });
});

describe('checks', () => {
  it('sip-options with every option, codes merged and sorted', () => {
    expect(check('sip-options 10.0.0.5:5070 transport tcp codes 404,2xx,486-488,487 fall 3 rise 1 timeout 100 interval 300 fast-interval 40')).toEqual({
      kind: 'sip-options',
      host: parseIpv4('10.0.0.5'),
      port: 5070,
      transport: 'tcp',
      codes: [
        { min: 200, max: 299 },
        { min: 404, max: 404 },
        { min: 486, max: 488 },
      ],
      interval: 300,
      timeout: 100,
      rise: 1,
      fall: 3,
      fastInterval: 40,
    });
  });

  it('the default timeout shrinks to a shorter interval', () => {
    expect(check('tcp 127.0.0.1:5060 interval 100')).toMatchObject({ interval: 100, timeout: 100 });
  });

  it('tcp and http with defaults', () => {
    expect(check('tcp 127.0.0.1:5060')).toEqual({ kind: 'tcp', host: parseIpv4('127.0.0.1'), port: 5060, interval: 1000, timeout: 500, rise: 2, fall: 2, fastInterval: 0 });
    expect(check('http http://127.0.0.1:8080/health')).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:8080/health',
      codes: [{ min: 200, max: 299 }],
      interval: 1000,
      timeout: 500,
      rise: 2,
      fall: 2,
      fastInterval: 0,
    });
    expect(check('http https://127.0.0.1/ok status 200,503 interval 2000 timeout 1000')).toMatchObject({
      codes: [
        { min: 200, max: 200 },
        { min: 503, max: 503 },
      ],
      interval: 2000,
      timeout: 1000,
    });
  });

  it('exec: the whole rest, or options then -- then the command, split like a shell; process: the whole rest', () => {
    expect(check(`exec /usr/local/bin/probe --host "a b" 'c d' e\\ f`)).toMatchObject({
      kind: 'exec',
      argv: ['/usr/local/bin/probe', '--host', 'a b', 'c d', 'e f'],
      interval: 1000,
    });
    expect(check('exec interval 5000 timeout 4000 fall 1 -- /bin/sh -c "kamcmd core.uptime > /dev/null"')).toEqual({
      kind: 'exec',
      argv: ['/bin/sh', '-c', 'kamcmd core.uptime > /dev/null'],
      interval: 5000,
      timeout: 4000,
      rise: 2,
      fall: 1,
      fastInterval: 0,
    });
    expect(check('process -- opensips -f /etc/opensips/opensips.cfg')).toEqual({
      kind: 'process',
      argv: ['opensips', '-f', '/etc/opensips/opensips.cfg'],
    });
    expect(check('process interval 100')).toEqual({ kind: 'process', argv: ['interval', '100'] });
    expect(check('process pidfile /run/kamailio/kamailio.pid -- /usr/sbin/kamailio -P /run/kamailio/kamailio.pid')).toEqual({
      kind: 'process',
      argv: ['/usr/sbin/kamailio', '-P', '/run/kamailio/kamailio.pid'],
      pidfile: '/run/kamailio/kamailio.pid',
    });
    expect(check('exec /bin/echo "say \\"hi\\"" -- x')).toMatchObject({ argv: ['/bin/echo', 'say "hi"', '--', 'x'] });
  });
});

describe('anycast errors', () => {
  it('duplicate anycast prefix, naming the first', () => {
    const issue = issueOf(`${OSPF}${KAMAILIO_BLOCK}!\nanycast 10.206.206.1/32\n check tcp 10.206.206.1:5060\n`);
    expect(issue.line).toBe(10);
    expect(issue.message).toBe('duplicate anycast prefix 10.206.206.1/32 (first at line 4)');
  });

  it.each([
    ['check', 'missing check type'],
    ['check ping 10.0.0.1', 'expected check type (sip-options|tcp|http|exec|process)'],
    ['check sip-options 10.0.0.1', 'is not HOST:PORT'],
    ['check sip-options sip.example.com:5060', 'not an IPv4 address'],
    ['check sip-options 10.0.0.1:70000', 'out of range for port'],
    ['check sip-options 10.0.0.1:5060 transport tls', 'expected transport (udp|tcp)'],
    ['check sip-options 10.0.0.1:5060 codes 1xx', 'outside the codes range 200-699'],
    ['check sip-options 10.0.0.1:5060 codes 20', 'not a response code'],
    ['check sip-options 10.0.0.1:5060 codes 300-200', 'not a response code'],
    ['check sip-options 10.0.0.1:5060 interval 5', 'out of range for interval (ms)'],
    ['check sip-options 10.0.0.1:5060 rise 0', 'out of range for rise'],
    ['check sip-options 10.0.0.1:5060 fall 101', 'out of range for fall'],
    ['check sip-options 10.0.0.1:5060 interval 100 timeout 200', 'timeout 200 ms is longer than the interval 100 ms'],
    ['check sip-options 10.0.0.1:5060 timeout 1500', 'timeout 1500 ms is longer than the interval 1000 ms'],
    ['check tcp 10.0.0.1:5060 interval 100 fast-interval 150', 'fast-interval 150 ms is longer than the interval 100 ms'],
    ['check sip-options 10.0.0.1:5060 rise 2 rise 3', '"rise" given twice'],
    ['check sip-options 10.0.0.1:5060 retries 3', '"retries" is not valid here'],
    ['check tcp 10.0.0.1:22 codes 2xx', '"codes" is not valid here'],
    ['check http ftp://10.0.0.1/', 'not an http or https URL'],
    ['check http not-a-url', 'not a valid URL'],
    ['check exec interval 100', 'missing "--" and the command'],
    ['check exec interval 100 --', 'missing command'],
    ['check process', 'missing command'],
    ['check process pidfile', 'missing pidfile path'],
    ['check process pidfile run/k.pid -- /usr/sbin/kamailio', 'the pidfile must be an absolute path, not "run/k.pid"'],
    ['check process pidfile /run/k.pid', 'missing "--" and the command'],
    ['check process pidfile /run/k.pid /usr/sbin/kamailio', 'expected "--" before the command, not "/usr/sbin/kamailio"'],
    ['check process pidfile /run/k.pid --', 'missing command'],
    ['check exec /bin/true "unterminated', 'unterminated double quote'],
    ["check exec /bin/true 'unterminated", 'unterminated single quote'],
    ['on-failure drain', 'expected on-failure action (withdraw|max-cost)'],
    ['announce-as nssa', 'expected announce-as type (stub|external)'],
    ['announce-as external metric 16777215', 'out of range for metric'],
    ['announce-as external metric-type 3', 'out of range for metric-type'],
    ['min-interval 3600001', 'out of range for min-interval (ms)'],
    ['manage-address always', 'expected manage-address option (remove-on-withdraw)'],
    ['maintenance-file', 'missing maintenance file path'],
    ['withdraw-on-failure', 'unknown command "withdraw-on-failure"'],
  ])('%s', (line, message) => {
    const issue = issueOf(`${OSPF}anycast 10.206.206.1/32\n ${line}\n`);
    expect(issue.line).toBe(5);
    expect(issue.message).toContain(message);
  });

  it('refuses a second process check and a check given twice', () => {
    const two = issueOf(`${OSPF}anycast 10.1.1.1/32\n check process /bin/a\n check process /bin/b\n`);
    expect([two.line, two.column]).toEqual([6, 2]);
    expect(two.message).toContain('only one "check process" per anycast block');
    const same = issueOf(`${OSPF}anycast 10.1.1.1/32\n check tcp 10.1.1.1:5060\n check tcp 10.1.1.1:5060 interval 300\n`);
    expect(same.message).toBe('the same check twice in one anycast block ("tcp 10.1.1.1:5060")');
    expect(issueOf(`${OSPF}anycast 10.1.1.1/32\n check exec "" x\n`).message).toBe('empty command');
  });

  it('reports an error in each of several blocks', () => {
    const issues = issuesOf(`${OSPF}anycast 10.1.1.1/32\n check tcp 10.1.1.1:0\nanycast 10.1.1.2/32\n check tcp 10.1.1.2:1 rise 0\n`);
    expect(issues.map((i) => i.line)).toEqual([5, 7]);
  });
});

describe('toAnycastOptions', () => {
  it('hands the announcer the block with every default filled in', () => {
    const cfg = parse(`${OSPF}${KAMAILIO_BLOCK}anycast 10.206.206.2/32
 check tcp 10.206.206.2:5060
 check http http://127.0.0.1:8080/ status 2xx
 check exec -- /bin/true
 announce-as external
 manage-address remove-on-withdraw
 interface dummy0
`);
    expect(toAnycastOptions(cfg)).toEqual([
      {
        prefix: parsePrefix('10.206.206.1/32'),
        checks: [
          { kind: 'process', command: ['/usr/sbin/kamailio', '-DD', '-E', '-f', '/etc/kamailio/kamailio.cfg'], stopOnExit: false },
          {
            kind: 'sip-options',
            host: '10.206.206.1',
            port: 5060,
            transport: 'udp',
            codes: [{ min: 200, max: 699 }],
            intervalMs: 200,
            timeoutMs: 150,
            rise: 2,
            fall: 2,
            fastIntervalMs: 0,
          },
        ],
        maintenanceFile: '/etc/ospf-anycast/drain',
        onFailure: 'withdraw',
        announceAs: { kind: 'stub' },
        minIntervalMs: 1000,
        manageAddress: false,
        removeOnWithdraw: false,
        interface: 'lo',
      },
      {
        prefix: parsePrefix('10.206.206.2/32'),
        checks: [
          { kind: 'tcp', host: '10.206.206.2', port: 5060, intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, fastIntervalMs: 0 },
          { kind: 'http', url: 'http://127.0.0.1:8080/', status: [{ min: 200, max: 299 }], intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, fastIntervalMs: 0 },
          { kind: 'exec', command: ['/bin/true'], intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, fastIntervalMs: 0 },
        ],
        onFailure: 'withdraw',
        announceAs: { kind: 'external', metric: 20, metricType: 2 },
        minIntervalMs: 1000,
        manageAddress: true,
        removeOnWithdraw: true,
        interface: 'dummy0',
      },
    ]);
  });
});

describe('the announcer accepts what the parser accepts', () => {
  it('resolvePrefixes takes every example block without complaint', () => {
    for (const file of ['sip-node-kamailio.conf', 'sip-node-opensips.conf']) {
      const cfg = parse(readFileSync(join(import.meta.dirname, '../../examples', file), 'utf8'), file);
      const resolved = resolvePrefixes(toAnycastOptions(cfg));
      expect(resolved.map((r) => r.key)).toEqual(['10.206.206.1/32']);
    }
  });
});
