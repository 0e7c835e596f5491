// Every kind of error parseConfig reports: where, which word, and what was expected.
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, parseConfig } from '../../src/config/index.js';
import { OSPF, issueOf, issuesOf } from './helpers.js';

describe('error reports', () => {
  it('names file, line, column and the unknown command, with a suggestion', () => {
    const text = `${OSPF}!\ninterface eth0\n  ip ospf hello-interva 5\n`;
    const issues = issuesOf(text, 'ospfd.conf');
    expect(issues).toEqual([
      {
        file: 'ospfd.conf',
        line: 6,
        column: 3,
        word: 'ip ospf hello-interva',
        message: 'unknown command "ip ospf hello-interva" (did you mean "ip ospf hello-interval"?)',
      },
    ]);
    expect(formatIssue(issues[0]!)).toMatch(/^ospfd\.conf:6:3: unknown command "ip ospf hello-interva"/);
  });

  it('collects every error of a file, in line order, one line each in the message', () => {
    const text = [
      'hostnam x', // 1
      'router ospf', // 2
      ' network 10.0.0.0/24 area 0', // 3
      ' maximum-paths 65', // 4
      ' area 0 nssa', // 5
      'interface eth0', // 6
      ' ip ospf cost', // 7
      ' ip ospf priority 256', // 8
      'anycast 10.1.1.1/32', // 9
      ' check tcp 10.1.1.1', // 10
    ].join('\n');
    let error: ConfigError | undefined;
    try {
      parseConfig(text, 'frr.conf');
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.name).toBe('ConfigError');
    expect(error?.errors.map((e) => e.line)).toEqual([1, 4, 5, 7, 8, 10]);
    const lines = error?.message.split('\n') ?? [];
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^frr\.conf:1:1: unknown command "hostnam" \(did you mean "hostname"\?\)$/);
    expect(lines[1]).toBe('frr.conf:4:16: 65 is out of range for maximum-paths (expected 1-64)');
    expect(lines[2]).toBe('frr.conf:5:2: not supported: "area 0 nssa": NSSA areas are not implemented');
    expect(lines[3]).toBe('frr.conf:7:14: missing ip ospf cost (1-65535) after "ip ospf cost"');
    expect(lines[4]).toBe('frr.conf:8:19: 256 is out of range for ip ospf priority (expected 0-255)');
    expect(lines[5]).toBe('frr.conf:10:12: "10.1.1.1" is not HOST:PORT');
  });

  it('treats names of object properties as the unknown words they are', () => {
    for (const word of ['constructor', 'toString', '__proto__']) {
      expect(issueOf(`${word}\n${OSPF}`).message).toBe(`unknown command "${word}"`);
      expect(issueOf(`${OSPF} ${word}\n`).message).toBe(`unknown command "${word}"`);
      expect(issueOf(`${OSPF}interface e\n ip ospf ${word}\n`).message).toBe(`unknown command "ip ospf ${word}"`);
      expect(issueOf(`${OSPF} area 0 ${word}\n`).message).toBe(`unknown command "area 0 ${word}"`);
    }
  });

  it('reports a file without router ospf', () => {
    const issue = issueOf('hostname x\nlog stdout\n');
    expect(issue.message).toMatch(/missing "router ospf" section/);
  });
});

describe('values out of range', () => {
  it.each([
    ['interface e\n ip ospf cost 0', '0', 'ip ospf cost (expected 1-65535)'],
    ['interface e\n ip ospf cost 65536', '65536', 'ip ospf cost (expected 1-65535)'],
    ['interface e\n ip ospf hello-interval 0', '0', 'hello-interval'],
    ['interface e\n ip ospf dead-interval 70000', '70000', 'dead-interval'],
    ['interface e\n ip ospf dead-interval minimal hello-multiplier 1', '1', 'hello-multiplier (expected 2-20)'],
    ['interface e\n ip ospf dead-interval minimal hello-multiplier 21', '21', 'hello-multiplier (expected 2-20)'],
    ['interface e\n ip ospf retransmit-interval 0', '0', 'retransmit-interval'],
    ['interface e\n ip ospf transmit-delay 65536', '65536', 'transmit-delay'],
    ['router ospf\n maximum-paths 0', '0', 'maximum-paths (expected 1-64)'],
    ['router ospf\n default-metric 16777215', '16777215', 'default-metric (expected 0-16777214)'],
    ['router ospf\n timers throttle spf 0 50 600001', '600001', 'SPF maximum hold'],
    ['router ospf\n timers throttle lsa all 5001', '5001', 'LSA minimum interval (ms) (expected 0-5000)'],
    ['router ospf\n timers lsa min-arrival 600001', '600001', 'LSA minimum arrival (ms) (expected 0-600000)'],
    ['router ospf\n redistribute connected metric 16777215', '16777215', 'metric (expected 0-16777214)'],
    ['router ospf\n redistribute static metric-type 3', '3', 'metric-type (expected 1-2)'],
    ['router ospf\n network 10.0.0.0/8 area 4294967296', '4294967296', 'area id (expected 0-4294967295)'],
    ['router ospf\n auto-cost reference-bandwidth 0', '0', 'reference bandwidth'],
    ['log timestamp precision 7', '7', 'timestamp precision (expected 0-6)'],
    ['metrics listen 127.0.0.1:0', '0', 'port (expected 1-65535)'],
    ['metrics listen 127.0.0.1:65536', '65536', 'port (expected 1-65535)'],
    ['route metric 4294967296', '4294967296', 'route metric (expected 0-4294967295)'],
    ['route table 0', '0', 'route table (expected 1-4294967295)'],
    ['ip route 10.0.0.0/8 eth0 256', '256', 'distance (expected 1-255)'],
    ['anycast 10.1.1.1/32\n min-interval 3600001', '3600001', 'min-interval (ms) (expected 0-3600000)'],
    ['anycast 10.1.1.1/32\n check tcp 10.1.1.1:80 interval 5', '5', 'interval (ms) (expected 10-3600000)'],
    ['anycast 10.1.1.1/32\n check tcp 10.1.1.1:80 rise 101', '101', 'rise (expected 1-100)'],
    ['anycast 10.1.1.1/32\n announce-as external metric 16777215', '16777215', 'metric (expected 0-16777214)'],
  ])('%s', (text, bad, fragment) => {
    const issue = issueOf(`${text}\n${text.startsWith('router') ? ' network 10.0.0.0/8 area 0\n' : OSPF}`);
    const lines = text.split('\n');
    const last = lines[lines.length - 1] as string;
    expect(issue.line).toBe(lines.length);
    expect(issue.column).toBe(last.lastIndexOf(bad) + 1);
    expect(issue.word).toBe(bad);
    expect(issue.message).toContain(fragment);
    expect(issue.message).toContain('out of range');
  });

  it('refuses words where numbers belong', () => {
    const issue = issueOf(`${OSPF}interface e\n ip ospf cost ten\n`);
    expect(issue.message).toBe('"ten" is not a number: expected ip ospf cost (1-65535)');
    expect(issue.word).toBe('ten');
  });

  it('refuses names Linux cannot give an interface', () => {
    for (const line of ['interface eth0:1', 'interface averyveryverylongname', 'interface a/b', 'router ospf\n passive-interface __proto__', 'ip route 10.0.0.0/8 ..']) {
      expect(issueOf(`${OSPF}${line}\n`).message).toContain('is not a valid interface name');
    }
    expect(issueOf(`${OSPF}anycast 10.1.1.1/32\n interface lo:anycast\n`).message).toContain('is not a valid interface name');
  });

  it('refuses bad addresses and prefixes', () => {
    expect(issueOf('router ospf\n ospf router-id 10.0.0.256\n network 10.0.0.0/8 area 0\n').message).toContain(
      'not an IPv4 address',
    );
    expect(issueOf('router ospf\n network 10.0.0.0/33 area 0\n').message).toContain('bad prefix length');
    expect(issueOf(`${OSPF}anycast 10.206.206.1/24\n`).message).toContain('host bits set');
    expect(issueOf(`${OSPF}ip route 10.0.0.0 255.0.255.0 eth0\n`).message).toContain('not a contiguous netmask');
  });

  it('says what is wrong with an address or prefix, read with ip-address', () => {
    const routerId = (id: string): string => issueOf(`router ospf\n ospf router-id ${id}\n network 10.0.0.0/8 area 0\n`).message;
    expect(routerId('10.0.0.256')).toBe('"10.0.0.256" is not an IPv4 address: has octet 256, out of range (0-255); expected router id (A.B.C.D)');
    expect(routerId('10.0.1')).toBe('"10.0.1" is not an IPv4 address: has 3 parts, not the 4 of A.B.C.D; expected router id (A.B.C.D)');
    expect(routerId('10.0..1')).toContain('has an empty octet');
    expect(routerId('10.0.0.1/32')).toContain('has a prefix length (/32)');
    expect(routerId('010.0.0.1')).toContain('has octet "010" with a leading zero');
    expect(issueOf('router ospf\n network 10.0.0.0/33 area 0\n')).toMatchObject({
      line: 2,
      column: 10,
      word: '10.0.0.0/33',
      message: '"10.0.0.0/33" is not a valid network prefix: bad prefix length "/33" (expected /0 to /32)',
    });
    expect(issueOf('router ospf\n network 10.0.x.0/8 area 0\n').message).toBe('"10.0.x.0/8" is not a valid network prefix: the address has "x", not a decimal octet');
    expect(issueOf(`${OSPF}anycast 10.206.206.1/24\n`)).toMatchObject({
      line: 4,
      word: '10.206.206.1/24',
      message: '"10.206.206.1/24" is not a valid anycast prefix: host bits set in prefix "10.206.206.1/24" (the network is 10.206.206.0/24)',
    });
    expect(issueOf(`${OSPF}anycast 10.206.206.1\n`).message).toBe('"10.206.206.1" is not a valid anycast prefix: missing the prefix length (/M)');
    expect(issueOf('router ospf\n network 10.0.0.0/8 area 0.0.0.256\n').message).toContain('has octet 256, out of range (0-255); expected area id');
    expect(issueOf(`${OSPF}anycast 10.1.1.1/32\n check sip-options 10.1.1.1.1:5060\n`)).toMatchObject({ line: 5, word: '10.1.1.1.1' });
    expect(issueOf(`${OSPF}route table 255\n`).message).toContain("kernel's local table");
  });
});

describe('missing arguments and stray words', () => {
  it.each([
    ['interface', 'missing interface name after "interface"'],
    ['router ospf\n network 10.0.0.0/8', 'missing "area" after "network 10.0.0.0/8"'],
    ['router ospf\n network 10.0.0.0/8 area', 'missing area id'],
    ['router ospf\n passive-interface', 'missing interface name or "default"'],
    ['router ospf\n timers throttle spf 1 2', 'missing SPF maximum hold (ms) (0-600000)'],
    ['log', 'missing log setting'],
    ['frr version', 'missing value after "frr version"'],
    ['frr', 'missing frr setting (version|defaults)'],
    ['interface e\n ip ospf network', 'missing network type'],
    ['interface e\n ip ospf message-digest-key 1 md5', 'missing MD5 key'],
    ['interface e\n description', 'missing description text'],
    ['ip route 10.0.0.0/8', 'missing next hop'],
    ['anycast', 'missing anycast prefix'],
  ])('%s', (text, message) => {
    const issue = issueOf(`${text}\n${text.startsWith('router') ? ' network 10.0.0.0/8 area 0\n' : OSPF}`);
    expect(issue.message).toContain(message);
    expect(issue.word).toBe('');
  });

  it('reports words after a complete statement', () => {
    const issue = issueOf(`${OSPF}interface e\n ip ospf cost 10 20\n`);
    expect(issue.message).toBe('unexpected "20" after "ip ospf cost 10"');
    expect(issue.column).toBe(18);
  });

  it('reports keywords that are not among the choices', () => {
    expect(issueOf(`${OSPF}log stdout verbose\n`).message).toContain('"verbose" is not valid here: expected log level');
    expect(issueOf(`${OSPF}interface e\n ip ospf network ptp\n`).message).toContain('expected network type');
    expect(issueOf('router ospf\n network 10.0.0.0/8 area 0\n redistribute connected metrix 5\n').message).toContain(
      'expected metric, metric-type',
    );
  });

  it('refuses over-long authentication keys (RFC 2328 D.3)', () => {
    expect(issueOf(`${OSPF}interface e\n ip ospf authentication-key 123456789\n`).message).toContain('longer than 8');
    expect(issueOf(`${OSPF}interface e\n ip ospf message-digest-key 1 md5 12345678901234567\n`).message).toContain(
      'longer than 16',
    );
  });

  it('refuses bad message-digest keys: Key ID, algorithm, key longer than the hash (RFC 5709)', () => {
    const at = (line: string): { line: number; message: string } => {
      const issue = issueOf(`${OSPF}interface e\n ${line}\n`);
      return { line: issue.line, message: issue.message };
    };
    expect(at('ip ospf message-digest-key 0 md5 k')).toEqual({ line: 5, message: '0 is out of range for message-digest key id (expected 1-255)' });
    expect(at('ip ospf message-digest-key 256 md5 k').message).toContain('out of range');
    expect(at('ip ospf message-digest-key 1 sha256 k').message).toBe(
      '"sha256" is not valid here: expected digest algorithm (md5|hmac-sha1|hmac-sha256|hmac-sha384|hmac-sha512)',
    );
    expect(at(`ip ospf message-digest-key 1 hmac-sha1 ${'k'.repeat(21)}`).message).toBe('HMAC-SHA1 key is longer than 20 characters');
    expect(at(`ip ospf message-digest-key 1 hmac-sha512 ${'k'.repeat(65)}`).message).toBe('HMAC-SHA512 key is longer than 64 characters');
    const longest = parseConfig(`${OSPF}interface e\n ip ospf message-digest-key 1 hmac-sha512 ${'k'.repeat(64)}\n`, 'test.conf');
    expect(longest.interfaces.e?.authentication.keys[0]?.key).toHaveLength(64);
  });

  it('refuses a dead interval not longer than the hello interval', () => {
    const issue = issueOf(`${OSPF}interface e\n ip ospf hello-interval 10\n ip ospf dead-interval 10\n`);
    expect(issue.line).toBe(4);
    expect(issue.message).toContain('dead-interval 10 must be longer than hello-interval 10');
  });
});

describe('max-metric router-lsa: the line and word of each mistake', () => {
  const at = (statement: string): { line: number; column: number; message: string } => {
    const { line, column, message } = issueOf(`${OSPF} ${statement}\n`);
    return { line, column, message };
  };

  it('refuses on-startup seconds outside FRR\'s 5-86400, and a missing or wordy value', () => {
    expect(at('max-metric router-lsa on-startup 4')).toEqual({ line: 4, column: 35, message: '4 is out of range for on-startup (seconds) (expected 5-86400)' });
    expect(at('max-metric router-lsa on-startup 86401').message).toBe('86401 is out of range for on-startup (seconds) (expected 5-86400)');
    expect(at('max-metric router-lsa on-startup').message).toBe('missing on-startup (seconds) (5-86400) after "max-metric router-lsa on-startup"');
    expect(at('max-metric router-lsa on-startup soon').message).toBe('"soon" is not a number: expected on-startup (seconds) (5-86400)');
    expect(at('no max-metric router-lsa on-startup 1').message).toBe('1 is out of range for on-startup (seconds) (expected 5-86400)');
  });

  it('refuses an unknown condition, a missing router-lsa and words after the statement', () => {
    expect(at('max-metric router-lsa always')).toEqual({
      line: 4,
      column: 24,
      message: '"always" is not valid here: expected when to advertise the maximum metric (administrative|on-startup|on-shutdown)',
    });
    expect(at('max-metric administrative').message).toBe('"administrative" is not valid here: expected "router-lsa"');
    expect(at('max-metric router-lsa administrative 10')).toMatchObject({ column: 39, message: 'unexpected "10" after "max-metric router-lsa administrative"' });
  });

  it('refuses on-shutdown with the reason, naming the statement', () => {
    expect(at('max-metric router-lsa on-shutdown 30')).toEqual({
      line: 4,
      column: 2,
      message:
        'not supported: "max-metric router-lsa on-shutdown": stub router advertisement before shutdown is not implemented: at SIGTERM the daemon flushes its LSAs at once (RFC 2328 14.1), so neighbours route around it without waiting (with graceful-restart, it asks them to keep it instead)',
    });
  });
});

describe('unsupported features are refused by name', () => {
  it.each([
    ['router ospf\n area 0 virtual-link 1.1.1.1', 'virtual links'],
    ['router ospf\n area 0 nssa', 'NSSA'],
    ['router ospf\n area 0 stub', 'stub areas'],
    ['router ospf\n area 0 range 10.0.0.0/8', 'area ranges'],
    ['router ospf\n redistribute connected route-map X', 'route maps'],
    ['router ospf\n redistribute bgp', 'only connected and static'],
    ['router ospf\n default-information originate', 'default route'],
    ['router ospf\n max-metric router-lsa on-shutdown 30', 'flushes its LSAs at once (RFC 2328 14.1)'],
    ['router ospf\n ospf abr-type cisco', 'not implemented'],
    ['router ospf\n passive-interface eth0 10.0.0.1', 'per-address'],
    ['router ospf 2', 'OSPF instances'],
    ['router ospf vrf red', 'VRFs'],
    ['router bgp 65000', 'only OSPFv2'],
    ['interface eth0 vrf red', 'VRFs'],
    ['interface e\n ip ospf network non-broadcast', 'broadcast and point-to-point'],
    ['interface e\n ip ospf network point-to-multipoint', 'broadcast and point-to-point'],
    ['interface e\n ip ospf bfd', 'BFD'],
    ['interface e\n ip ospf cost 10 10.0.0.1', 'per-address'],
    ['interface e\n ip address 10.0.0.1/24', 'configured on the system'],
    ['interface e\n ipv6 ospf6 area 0', 'OSPFv3'],
    ['route-map X permit 10', 'route maps'],
    ['ipv6 route ::/0 eth0', 'IPv6'],
    ['debug ospf event', 'debug'],
  ])('%s', (text, reason) => {
    const issue = issueOf(`${text}\n${OSPF}`);
    expect(issue.message).toMatch(/^not supported: /);
    expect(issue.message).toContain(reason);
  });

  it('refuses a second area wherever it appears, naming the first', () => {
    const issues = issuesOf(
      'router ospf\n network 10.0.0.0/24 area 0\n network 10.1.0.0/24 area 1\ninterface e\n ip ospf area 0.0.0.2\n',
    );
    expect(issues.map((i) => [i.line, i.column])).toEqual([
      [3, 27],
      [5, 15],
    ]);
    expect(issues[0]?.message).toBe(
      'not supported: a second area 0.0.0.1: this router runs in one area, 0.0.0.0 (line 2)',
    );
  });

  it('does not report the body of a refused section again', () => {
    const issues = issuesOf(`router bgp 65000\n neighbor 10.0.0.2 remote-as 65001\n address-family ipv4\n${OSPF}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.line).toBe(1);
  });

  it('names the refused interface statement in full', () => {
    expect(issueOf(`${OSPF}interface e\n ip ospf bfd\n`).message).toBe('not supported: "ip ospf bfd": BFD is not implemented');
  });

  it('tells where ip ospf statements belong', () => {
    expect(issueOf('router ospf\n network 10.0.0.0/8 area 0\n ip ospf cost 10\n').message).toContain(
      'belongs in an "interface NAME" section',
    );
  });

  it('refuses user and group names that are not names, and a stray word for group', () => {
    expect(issueOf(`${OSPF}user 65534\n`).message).toBe(
      '"65534" is not a user or group name (a letter or _, then up to 31 letters, digits, ".", "_" or "-")',
    );
    expect(issueOf(`${OSPF}user ospf group -x\n`)).toMatchObject({ column: 17, word: '-x' });
    expect(issueOf(`${OSPF}user ospf groups staff\n`).message).toBe('"groups" is not valid here: expected "group"');
    expect(issueOf(`${OSPF}user ospf group\n`).message).toContain('missing group name');
    expect(issueOf(`${OSPF}user\n`).message).toContain('missing user name');
    expect(issueOf(`${OSPF}user ospf group staff extra\n`).message).toBe('unexpected "extra" after "user ospf group staff"');
  });

  it('refuses a relative control socket path', () => {
    expect(issueOf(`${OSPF}control-socket run/ospf.sock\n`)).toMatchObject({
      line: 4,
      column: 16,
      message: 'control socket path "run/ospf.sock" must be absolute',
    });
  });

  it('still reports an unknown command after a bad top-level statement', () => {
    const issues = issuesOf(`${OSPF}log bogus\n ip ospf cost 5\n`);
    expect(issues.map((i) => i.line)).toEqual([4, 5]);
  });
});
