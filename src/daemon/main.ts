// `ospf-anycastd -f FILE [--socket PATH]`: reads the configuration, drops
// to its user when one is configured (privileges.ts), starts the daemon, and
// maps signals: SIGTERM/SIGINT stop it cleanly (premature aging of our LSAs,
// kernel routes removed) and leave the supervised SIP proxy running for the
// next daemon to adopt; with `graceful-restart` configured, SIGTERM is a
// planned graceful restart instead (RFC 3623 2.1: grace-LSAs, LSAs and kernel
// routes left in place). SIGHUP reloads the file. `ospf-anycast stop
// [--with-proxy]` always withdraws and stops, then the proxy as well if asked.

import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, parseConfig, type DaemonConfig } from '../config/index.js';
import { DaemonStartError, OspfAnycastDaemon } from './daemon.js';
import { readCommandLine } from '../lib/command-line.js';
import { Logger, parseLogLevel, type LogLevel } from './logger.js';
import { findSetpriv, lookupAccount, prepareSocketDirectory, PrivilegeError, runAs, type Account } from './privileges.js';

export const daemonUsage = `usage: ospf-anycastd -f FILE [--socket PATH] [--log-level LEVEL] [--user NAME [--group GROUP]] [--check]
  -f, --config FILE   FRR-style configuration (ospfd.conf syntax plus anycast blocks)
  --socket PATH       control socket for the ospf-anycast CLI (overrides control-socket)
  --log-level LEVEL   debug, info, notice, warning or error (overrides the file's log level)
  --user NAME         started as root, run as NAME with only CAP_NET_RAW and CAP_NET_ADMIN (overrides user)
  --group GROUP       with --user: NAME's group, whose members may use the control socket
  --check             parse and check the configuration, then exit
  -h, --help          this text`;

export interface DaemonArgs {
  configPath: string;
  socket?: string;
  logLevel?: LogLevel;
  /** `--user NAME [--group GROUP]`, replacing the file's `user` statement. */
  user?: { name: string; group?: string };
  check: boolean;
}

export class DaemonUsageError extends Error {
  override name = 'DaemonUsageError';
}

const options = {
  config: { type: 'string', short: 'f' },
  socket: { type: 'string' },
  'log-level': { type: 'string' },
  user: { type: 'string' },
  group: { type: 'string' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const usageError = (message: string): never => {
  throw new DaemonUsageError(message);
};

export function parseDaemonArgs(argv: readonly string[]): DaemonArgs | 'help' {
  const { values, positionals } = readCommandLine(argv, options, usageError, 'argument');
  if (values.help === true) return 'help';
  const [stray] = positionals;
  if (stray !== undefined) throw new DaemonUsageError(`unknown argument "${stray}"`);
  const { config: configPath, user, group, 'log-level': levelText } = values;
  const logLevel = levelText === undefined ? undefined : parseLogLevel(levelText);
  if (levelText !== undefined && logLevel === undefined) throw new DaemonUsageError(`unknown log level "${levelText}"`);
  if (configPath === undefined) throw new DaemonUsageError('a configuration file is required (-f FILE)');
  if (group !== undefined && user === undefined) throw new DaemonUsageError('--group needs --user');
  const args: DaemonArgs = { configPath, socket: values.socket, logLevel, check: values.check === true };
  if (user !== undefined) args.user = group === undefined ? { name: user } : { name: user, group };
  return args;
}

export async function loadConfig(path: string): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // "ENOENT: no such file or directory": the code and what it means, without the path said twice.
    const reason = err instanceof Error ? (err.message.split(',')[0] as string) : String(err);
    throw new ConfigError([{ file: path, line: 0, column: 0, word: '', message: `cannot read: ${reason}` }]);
  }
  return parseConfig(text, path);
}

/** The logger the configuration asks for: its stdout/file level and text or JSON. */
function loggerFor(config: DaemonConfig, override: LogLevel | undefined): Logger {
  const destination = config.log.destinations.find((d) => d.kind === 'stdout') ?? config.log.destinations[0];
  const level = override ?? parseLogLevel(destination?.level ?? 'informational') ?? 'info';
  return new Logger({ level, format: config.log.format, write: (line) => process.stdout.write(line + '\n') });
}

/** Runs the daemon until a signal stops it; returns the exit status. */
export async function runDaemon(argv: readonly string[]): Promise<number> {
  let args: DaemonArgs | 'help';
  try {
    args = parseDaemonArgs(argv);
  } catch (err) {
    if (err instanceof DaemonUsageError) {
      process.stderr.write(`ospf-anycastd: ${err.message}\n${daemonUsage}\n`);
      return 2;
    }
    throw err;
  }
  if (args === 'help') {
    process.stdout.write(daemonUsage + '\n');
    return 0;
  }
  let config: DaemonConfig;
  try {
    config = await loadConfig(args.configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ospf-anycastd: configuration not loaded, nothing started:\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (args.check) {
    process.stdout.write(`${args.configPath}: configuration OK\n`);
    return 0;
  }
  const socketPath = args.socket ?? config.controlSocket;
  const user = args.user ?? config.user;
  let account: Account | undefined;
  if (user !== undefined) {
    try {
      account = lookupAccount(user);
      const uid = process.getuid?.();
      if (uid !== account.uid) {
        if (uid !== 0) throw new PrivilegeError(`started as uid ${uid}: only root can become user "${account.user}"; start the daemon as root or as that user`);
        const setpriv = findSetpriv();
        prepareSocketDirectory(dirname(socketPath), account);
        return await runAs(account, setpriv, argv);
      }
    } catch (err) {
      if (err instanceof PrivilegeError) {
        process.stderr.write(`ospf-anycastd: cannot start: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }
  const logger = loggerFor(config, args.logLevel);
  const configPath = args.configPath;
  let daemon: OspfAnycastDaemon;
  try {
    daemon = await OspfAnycastDaemon.start({
      config,
      logger,
      load: () => loadConfig(configPath),
      controlSocket: args.socket,
      controlSocketGroup: account?.socketGroup,
    });
  } catch (err) {
    if (err instanceof DaemonStartError) {
      logger.error(`cannot start: ${err.message}`);
      return 1;
    }
    throw err;
  }
  return new Promise<number>((resolve) => {
    // `ospf-anycast stop` over the control socket.
    daemon.once('stopped', () => resolve(0));
    const stop = (signal: string): void => {
      const graceful = signal === 'SIGTERM' && daemon.gracefulRestartConfigured();
      logger.notice(
        graceful
          ? `${signal} received: restarting gracefully (RFC 3623): grace-LSAs out, LSAs and kernel routes left for the next start`
          : `${signal} received: withdrawing and stopping (a supervised SIP proxy keeps running unless its block says proxy stop-on-exit)`,
      );
      daemon.stop({ gracefulRestart: graceful }).then(
        () => resolve(0),
        (err: unknown) => {
          logger.error('unclean stop', { error: err instanceof Error ? err.message : String(err) });
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      daemon.reload().then(
        (summary) => logger.notice(`SIGHUP: ${summary}`),
        (err: unknown) => logger.error('SIGHUP: configuration not applied, the running one stays', { error: err instanceof Error ? err.message : String(err) }),
      );
    });
  });
}
