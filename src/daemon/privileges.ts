// Running as an unprivileged user (`user NAME [group GROUP]`, `--user`).
// Started as root, the daemon does what needs root — the control socket's
// directory, created and given to the user — and then runs itself again
// through util-linux setpriv as that user, keeping only CAP_NET_RAW (raw
// sockets for IP protocol 89) and CAP_NET_ADMIN (routes, multicast
// membership, SO_BINDTODEVICE), ambient too, so the `ip` and `nft` commands
// it runs and the SIP proxy it supervises inherit them:
//
//   root process: config → user and group looked up → socket directory
//       → setpriv --reuid --regid --init-groups … node ospf-anycastd ARGS
//       → becomes the user itself (no capabilities) and relays signals
//   setpriv'd process: the same ARGS, already the user → the daemon proper
//
// Node 20 cannot execve(), so the first process stays as the relay of
// SIGTERM, SIGINT and SIGHUP and exits with the daemon's status.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdirSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';

/** The user or group does not exist, setpriv is missing, or the process cannot become the user. */
export class PrivilegeError extends Error {
  override name = 'PrivilegeError';
}

/** The user the daemon runs as, with its numeric ids. */
export interface Account {
  user: string;
  uid: number;
  /** The primary group: GROUP when given, else the user's own. */
  gid: number;
  /** GROUP's id when the configuration names one: its members may use the control socket. */
  socketGroup?: number;
}

/** The capabilities the daemon keeps, in setpriv's spelling. */
const Capabilities = '-all,+net_raw,+net_admin';

/** One entry of the system's user or group database (getent, so NSS sources count too). */
function getent(database: 'passwd' | 'group', name: string): string[] | undefined {
  const result = spawnSync('getent', [database, name], { encoding: 'utf8', timeout: 10_000 });
  if (result.error !== undefined) throw new PrivilegeError(`cannot look up ${database === 'passwd' ? 'user' : 'group'} "${name}": ${result.error.message}`);
  // getent exits 2 for a key that is not found.
  if (result.status !== 0) return undefined;
  return result.stdout.trim().split(':');
}

/** Looks up `user NAME [group GROUP]`; a name that does not exist is a PrivilegeError. */
export function lookupAccount(user: { name: string; group?: string }): Account {
  const passwd = getent('passwd', user.name);
  if (passwd === undefined) throw new PrivilegeError(`unknown user "${user.name}" (see /etc/passwd; create it with useradd --system)`);
  const account: Account = { user: user.name, uid: Number(passwd[2]), gid: Number(passwd[3]) };
  if (user.group !== undefined) {
    const group = getent('group', user.group);
    if (group === undefined) throw new PrivilegeError(`unknown group "${user.group}" (see /etc/group; create it with groupadd --system)`);
    account.gid = Number(group[2]);
    account.socketGroup = account.gid;
  }
  return account;
}

/** setpriv's path from PATH, or a PrivilegeError saying what to do without it. */
export function findSetpriv(path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'setpriv');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: try the next.
    }
  }
  throw new PrivilegeError(
    'setpriv (util-linux) is not installed, so the daemon cannot drop to its user: install util-linux, ' +
      'or start the daemon as the user with CAP_NET_RAW and CAP_NET_ADMIN (examples/ospf-anycastd.service)',
  );
}

/**
 * Creates the control socket's directory if it is missing and gives it to
 * the daemon's user: mode 0750 with GROUP as its group, so GROUP's members
 * reach the socket, else 0700. A shared directory (sticky bit, as /tmp) is
 * refused: it cannot be given away.
 */
export function prepareSocketDirectory(dir: string, account: Account): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = statSync(dir);
    if ((stat.mode & 0o1000) !== 0) {
      throw new PrivilegeError(`${dir} is a shared directory (sticky bit): give the control socket a directory of its own (control-socket PATH)`);
    }
    chownSync(dir, account.uid, account.socketGroup ?? account.gid);
    chmodSync(dir, account.socketGroup === undefined ? 0o700 : 0o750);
  } catch (err) {
    if (err instanceof PrivilegeError) throw err;
    throw new PrivilegeError(`cannot prepare the control socket directory ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** setpriv's arguments: become the user, keep exactly the two capabilities everywhere they can be kept. */
export function setprivArgs(account: Account): string[] {
  return [
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    // The user's supplementary groups (setpriv needs the name for initgroups).
    `--init-groups`,
    `--inh-caps=${Capabilities}`,
    `--ambient-caps=${Capabilities}`,
    `--bounding-set=${Capabilities}`,
    // If the relay is killed outright, the daemon still stops cleanly.
    '--pdeathsig=TERM',
  ];
}

/**
 * Runs the daemon again as `account` (argv as given to this process) and
 * relays signals to it; resolves to its exit status. This process becomes
 * the user as soon as the daemon is started.
 */
export function runAs(account: Account, setpriv: string, argv: readonly string[]): Promise<number> {
  const { setgroups, setgid, setuid } = process;
  if (setgroups === undefined || setgid === undefined || setuid === undefined) {
    return Promise.reject(new PrivilegeError('this platform has no POSIX users: the user statement needs Linux'));
  }
  const script = process.argv[1] as string;
  // Its own process group: a Ctrl-C reaches the daemon once, through the relay.
  const child = spawn(setpriv, [...setprivArgs(account), process.execPath, ...process.execArgv, script, ...argv], { stdio: 'inherit', detached: true });
  return new Promise<number>((resolve, reject) => {
    const relay = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
    for (const signal of signals) process.on(signal, relay);
    child.once('error', (err) => reject(new PrivilegeError(`cannot run ${setpriv}: ${err.message}`)));
    child.once('spawn', () => {
      // The relay needs no privilege, nor the user's other groups: the same user may signal the daemon.
      setgroups([account.gid]);
      setgid(account.gid);
      setuid(account.uid);
    });
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, relay);
      // A daemon killed by a signal: the shell's convention, 128 + its number.
      resolve(code ?? 128 + (signal === null ? 0 : osConstants.signals[signal]));
    });
  });
}
