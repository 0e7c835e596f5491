// Command-line grammar of `ospf-anycast`, the operator CLI. Parsing is pure:
// argv in, a command (or a UsageError with one clear line) out.

import { readIpv4, readPrefix } from '../control/addresses.js';
import { DefaultControlSocket } from '../control/protocol.js';
import { DatabaseTypes, type DatabaseType, type ShowRequest } from '../control/requests.js';
import { AddressParseError } from '../lib/ipv4.js';
import { readCommandLine } from '../lib/command-line.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | ({ kind: 'show' } & ShowRequest)
  | { kind: 'drain' | 'undrain'; prefix?: string; timeoutSec: number }
  | { kind: 'reload' }
  | { kind: 'stop'; withProxy: boolean };

export interface CliInvocation {
  socket: string;
  json: boolean;
  command: CliCommand;
}

export const usage = `usage: ospf-anycast [--socket PATH] [--json] COMMAND
commands:
  show ospf                                  router id, SPF statistics, LSA counts
  show interfaces                            OSPF interfaces and their state
  show neighbors                             neighbors and adjacency state
  show database [router|network|summary|asbr-summary|external] [LSID]
  show routes                                the OSPF routing table (ECMP next hops)
  show anycast                               anycast prefixes, state and checks
  show topology --dot                        the area as a Graphviz graph
  drain [PREFIX] [--timeout SEC]             withdraw anycast prefixes for maintenance
  undrain [PREFIX]                           announce them again
  reload                                     re-read the configuration file
  stop [--with-proxy]                        withdraw and stop the daemon; the SIP proxy keeps
                                             running unless --with-proxy
options:
  --socket PATH   control socket (default ${DefaultControlSocket})
  --json          print JSON instead of tables
  -h, --help      this text
  --version       print the version`;

const options = {
  socket: { type: 'string' },
  json: { type: 'boolean' },
  dot: { type: 'boolean' },
  'with-proxy': { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const usageError = (message: string): never => {
  throw new UsageError(message);
};

export function parseArgs(argv: readonly string[]): CliInvocation {
  const { values, positionals } = readCommandLine(argv, options, usageError);
  const socket = values.socket ?? DefaultControlSocket;
  const json = values.json === true;
  if (values.help === true) return { socket, json, command: { kind: 'help' } };
  if (values.version === true) return { socket, json, command: { kind: 'version' } };
  const dot = values.dot === true;
  const withProxy = values['with-proxy'] === true;
  const timeoutSec = values.timeout === undefined ? undefined : parseTimeout(values.timeout);
  if (socket === '') throw new UsageError('--socket needs a path');
  const command = parseCommand(positionals, dot, timeoutSec, withProxy);
  if (dot && !(command.kind === 'show' && command.what === 'topology')) throw new UsageError('--dot goes with "show topology"');
  if (timeoutSec !== undefined && command.kind !== 'drain') throw new UsageError('--timeout goes with "drain"');
  if (withProxy && command.kind !== 'stop') throw new UsageError('--with-proxy goes with "stop"');
  return { socket, json, command };
}

function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds <= 0 || seconds > 3600) throw new UsageError(`--timeout takes seconds between 0 and 3600, not "${text}"`);
  return seconds;
}

function parseCommand(words: string[], dot: boolean, timeoutSec: number | undefined, withProxy: boolean): CliCommand {
  const [verb, ...rest] = words;
  switch (verb) {
    case undefined:
      throw new UsageError('no command given (try "ospf-anycast --help")');
    case 'help':
      return { kind: 'help' };
    case 'show':
      return parseShow(rest, dot);
    case 'drain':
    case 'undrain': {
      if (rest.length > 1) throw new UsageError(`${verb} takes at most one prefix`);
      const prefix = rest[0];
      if (prefix !== undefined) checkPrefix(prefix);
      return { kind: verb, prefix, timeoutSec: timeoutSec ?? 30 };
    }
    case 'reload':
      if (rest.length > 0) throw new UsageError('reload takes no arguments');
      return { kind: 'reload' };
    case 'stop':
      if (rest.length > 0) throw new UsageError(`stop takes no arguments besides --with-proxy, got "${rest.join(' ')}"`);
      return { kind: 'stop', withProxy };
    default:
      throw new UsageError(`unknown command "${verb}" (try "ospf-anycast --help")`);
  }
}

function parseShow(rest: string[], dot: boolean): CliCommand {
  const [what, ...more] = rest;
  switch (what) {
    case 'ospf':
    case 'interfaces':
    case 'neighbors':
    case 'routes':
    case 'anycast':
      if (more.length > 0) throw new UsageError(`"show ${what}" takes no arguments, got "${more.join(' ')}"`);
      return { kind: 'show', what };
    case 'database': {
      if (more.length > 2) throw new UsageError('"show database" takes at most a type and a link state id');
      const [type, lsId] = more;
      if (type !== undefined && !(DatabaseTypes as readonly string[]).includes(type)) {
        throw new UsageError(`unknown LSA type "${type}" (one of ${DatabaseTypes.join(', ')})`);
      }
      if (lsId !== undefined) {
        try {
          readIpv4(lsId);
        } catch {
          throw new UsageError(`link state id must be an IPv4 address, not "${lsId}"`);
        }
      }
      return { kind: 'show', what: 'database', type: type as DatabaseType | undefined, lsId };
    }
    case 'topology':
      if (more.length > 0) throw new UsageError('"show topology" takes no arguments besides --dot');
      if (!dot) throw new UsageError('"show topology" prints Graphviz: add --dot');
      return { kind: 'show', what: 'topology', dot };
    case undefined:
      throw new UsageError('show what? (ospf, interfaces, neighbors, database, routes, anycast, topology)');
    default:
      throw new UsageError(`cannot show "${what}" (ospf, interfaces, neighbors, database, routes, anycast, topology)`);
  }
}

function checkPrefix(text: string): void {
  try {
    readPrefix(text);
  } catch (err) {
    if (err instanceof AddressParseError) throw new UsageError(err.message);
    throw err;
  }
}
