// ospf-anycastd's command line and what it says about a file it cannot use:
// usage errors exit 2 with the usage text, configuration errors exit 1 with
// every problem as FILE:LINE:COLUMN, and nothing is started either way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonUsageError, parseDaemonArgs } from '../../src/daemon/main.js';
import { DAEMON_BIN } from '../helpers/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'ospf-anycastd-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function daemon(...argv: string[]) {
  return spawnSync(process.execPath, [DAEMON_BIN, ...argv], { encoding: 'utf8', timeout: 10_000 });
}

describe('ospf-anycastd arguments', () => {
  it('reads the file, socket, log level and --check', () => {
    expect(parseDaemonArgs(['-f', 'a.conf', '--socket', '/run/x.sock', '--log-level', 'debug', '--check'])).toEqual({
      configPath: 'a.conf',
      socket: '/run/x.sock',
      logLevel: 'debug',
      check: true,
    });
    expect(parseDaemonArgs(['--help'])).toBe('help');
    expect(parseDaemonArgs(['--config=a.conf', '--socket=/run/x.sock'])).toEqual({ configPath: 'a.conf', socket: '/run/x.sock', check: false });
  });

  it.each([
    [[], 'a configuration file is required (-f FILE)'],
    [['-f'], '-f needs a value'],
    [['-f', '--check'], '-f needs a value'],
    [['-f', 'a.conf', '--log-level', 'loud'], 'unknown log level "loud"'],
    [['-f', 'a.conf', '--user'], '--user needs a value'],
    [['-f', 'a.conf', '--frob'], 'unknown argument "--frob"'],
    [['-f', 'a.conf', 'extra'], 'unknown argument "extra"'],
    [['-f', 'a.conf', '--check=yes'], '--check takes no value'],
  ])('%j: %s', (argv, message) => {
    expect(() => parseDaemonArgs(argv)).toThrow(new DaemonUsageError(message));
  });

  it('a usage error is one line, the usage text and exit 2', () => {
    const result = daemon('-f', 'a.conf', '--frob');
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('ospf-anycastd: unknown argument "--frob"');
    expect(result.stderr).toContain('usage: ospf-anycastd -f FILE');
  });
});

describe('ospf-anycastd with a file it cannot use', () => {
  it('--check reports every error by file, line and column and exits 1', () => {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'router ospf\n network 10.0.0.0/8 area 0\n maximum-paths 65\ninterface eth0\n ip ospf cost 0\nuser 0day\n');
    const result = daemon('-f', file, '--check');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        'ospf-anycastd: configuration not loaded, nothing started:',
        `${file}:3:16: 65 is out of range for maximum-paths (expected 1-64)`,
        `${file}:5:15: 0 is out of range for ip ospf cost (expected 1-65535)`,
        `${file}:6:6: "0day" is not a user or group name (a letter or _, then up to 31 letters, digits, ".", "_" or "-")`,
        '',
      ].join('\n'),
    );
  });

  it('says a missing file is missing', () => {
    const file = join(dir, 'absent.conf');
    const result = daemon('-f', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`ospf-anycastd: configuration not loaded, nothing started:\n${file}:0:0: cannot read: ENOENT: no such file or directory\n`);
  });

  it('--check accepts a good file without starting anything', () => {
    const file = join(dir, 'good.conf');
    writeFileSync(file, 'user nobody group nogroup\nrouter ospf\n network 10.0.0.0/8 area 0\n');
    const result = daemon('-f', file, '--check');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${file}: configuration OK\n`);
  });
});
