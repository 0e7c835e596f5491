// The parts of dropping privileges that need no root: looking the user and
// group up, finding setpriv, the arguments it gets, the refusals, and how
// ospf-anycastd reports them (one line, exit 1, nothing started).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDaemonArgs } from '../../src/daemon/main.js';
import { findSetpriv, lookupAccount, prepareSocketDirectory, PrivilegeError, setprivArgs } from '../../src/daemon/privileges.js';

const DAEMON = 'dist/src/bin/ospf-anycastd.js';
const dir = mkdtempSync(join(tmpdir(), 'ospf-anycastd-privileges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('user and group lookup', () => {
  it('gives the numeric ids; the group, when named, is the primary group and the socket group', () => {
    expect(lookupAccount({ name: 'nobody' })).toEqual({ user: 'nobody', uid: 65534, gid: 65534 });
    expect(lookupAccount({ name: 'root', group: 'nogroup' })).toEqual({ user: 'root', uid: 0, gid: 65534, socketGroup: 65534 });
  });

  it('refuses an unknown user or group by name', () => {
    expect(() => lookupAccount({ name: 'no-such-user-oa' })).toThrow(new PrivilegeError('unknown user "no-such-user-oa" (see /etc/passwd; create it with useradd --system)'));
    expect(() => lookupAccount({ name: 'nobody', group: 'no-such-group-oa' })).toThrow(
      new PrivilegeError('unknown group "no-such-group-oa" (see /etc/group; create it with groupadd --system)'),
    );
  });
});

describe('setpriv', () => {
  it('is found on PATH, and its absence says what to do instead', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'setpriv'), '#!/bin/sh\n');
    chmodSync(join(bin, 'setpriv'), 0o755);
    expect(findSetpriv(`/nonexistent:${bin}`)).toBe(join(bin, 'setpriv'));
    expect(() => findSetpriv('/nonexistent')).toThrow(/^setpriv \(util-linux\) is not installed, so the daemon cannot drop to its user/);
  });

  it('keeps CAP_NET_RAW and CAP_NET_ADMIN in every set setpriv can change, and nothing else', () => {
    const args = setprivArgs({ user: 'nobody', uid: 65534, gid: 65534 });
    expect(args).toEqual([
      '--reuid=65534',
      '--regid=65534',
      '--init-groups',
      '--inh-caps=-all,+net_raw,+net_admin',
      '--ambient-caps=-all,+net_raw,+net_admin',
      '--bounding-set=-all,+net_raw,+net_admin',
      '--pdeathsig=TERM',
    ]);
  });
});

describe('the control socket directory', () => {
  it('is a directory, and one that can be made', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const account = { user: 'nobody', uid: 65534, gid: 65534 };
    expect(() => prepareSocketDirectory(file, account)).toThrow(
      new PrivilegeError(`cannot prepare the control socket directory ${file}: EEXIST: file already exists, mkdir '${file}'`),
    );
    expect(() => prepareSocketDirectory(join(file, 'run'), account)).toThrow(/^cannot prepare the control socket directory .*\/plain-file\/run: ENOTDIR/);
  });

  it('is never a shared directory such as /tmp', () => {
    expect(() => prepareSocketDirectory(tmpdir(), { user: 'nobody', uid: 65534, gid: 65534 })).toThrow(
      `${tmpdir()} is a shared directory (sticky bit): give the control socket a directory of its own (control-socket PATH)`,
    );
  });
});

describe('ospf-anycastd --user', () => {
  it('reads --user and --group, replacing the file', () => {
    expect(parseDaemonArgs(['-f', 'x.conf', '--user', 'ospf', '--group', 'ospfvty'])).toMatchObject({ user: { name: 'ospf', group: 'ospfvty' } });
    expect(parseDaemonArgs(['-f', 'x.conf', '--user', 'ospf'])).toMatchObject({ user: { name: 'ospf' } });
    expect(() => parseDaemonArgs(['-f', 'x.conf', '--group', 'ospfvty'])).toThrow('--group needs --user');
  });

  it('an unknown user stops the start with one line and exit 1', () => {
    const conf = join(dir, 'unknown-user.conf');
    writeFileSync(conf, `user no-such-user-oa\ncontrol-socket ${join(dir, 'never', 'x.sock')}\nrouter ospf\n network 10.0.0.0/8 area 0\n`);
    const result = spawnSync(process.execPath, [DAEMON, '-f', conf], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('ospf-anycastd: cannot start: unknown user "no-such-user-oa" (see /etc/passwd; create it with useradd --system)\n');
    // Nothing was prepared: the socket directory was never made.
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
