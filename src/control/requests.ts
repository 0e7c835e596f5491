// What the control socket carries: every request as a discriminated union
// shared by the CLI, the daemon and library users, the answer each gets
// (views.ts), and the check of a request read off the wire. On the wire a
// request is {"id":N,"command":"…","args":{…}} (protocol.ts).

import { AddressParseError } from '../lib/ipv4.js';
import { readIpv4, readPrefix } from './addresses.js';
import type { MessageView, ShowAnswers } from './views.js';

export const DatabaseTypes = ['router', 'network', 'summary', 'asbr-summary', 'external'] as const;
export type DatabaseType = (typeof DatabaseTypes)[number];

const ShowWhats = ['ospf', 'interfaces', 'neighbors', 'database', 'routes', 'anycast', 'topology'] as const;

/** `show …`: what to show, and for the database which LSAs. */
export type ShowRequest =
  | { what: 'ospf' | 'interfaces' | 'neighbors' | 'routes' | 'anycast' }
  | { what: 'database'; type?: DatabaseType; lsId?: string }
  | { what: 'topology'; dot?: boolean };

export type ControlRequest =
  | { command: 'show'; args: ShowRequest }
  /** Withdraw one anycast prefix ("a.b.c.d/len") or all, waiting up to timeoutMs for the acknowledgements. */
  | { command: 'drain'; args: { prefix?: string; timeoutMs?: number } }
  | { command: 'undrain'; args: { prefix?: string } }
  | { command: 'reload'; args: Record<string, never> }
  | { command: 'stop'; args: { stopProxies?: boolean } };

/** The answer to a request: a view for `show`, one line for the others. */
export type ControlAnswer<R extends ControlRequest = ControlRequest> = R extends { command: 'show'; args: { what: infer W extends keyof ShowAnswers } }
  ? ShowAnswers[W]
  : MessageView;

/** A request the daemon cannot take: an unknown command, a missing or malformed argument. */
export class ControlRequestError extends Error {
  override name = 'ControlRequestError';
}

/** Checks a request's command and arguments as read from JSON; a ControlRequestError says what is wrong. */
export function parseControlRequest(command: string, args: Record<string, unknown>): ControlRequest {
  switch (command) {
    case 'show':
      return { command, args: parseShow(args) };
    case 'drain':
      return { command, args: { prefix: prefixArg(args.prefix), timeoutMs: optional(args.timeoutMs, 'number', 'timeoutMs') } };
    case 'undrain':
      return { command, args: { prefix: prefixArg(args.prefix) } };
    case 'reload':
      return { command, args: {} };
    case 'stop':
      return { command, args: { stopProxies: optional(args.stopProxies, 'boolean', 'stopProxies') } };
    default:
      throw new ControlRequestError(`unknown command "${command}"`);
  }
}

function parseShow(args: Record<string, unknown>): ShowRequest {
  const what = args.what;
  if (!isOneOf(what, ShowWhats)) throw new ControlRequestError(`cannot show "${String(what)}"`);
  switch (what) {
    case 'database': {
      const type = optional(args.type, 'string', 'type');
      if (type !== undefined && !isOneOf(type, DatabaseTypes)) {
        throw new ControlRequestError(`unknown LSA type "${type}" (one of ${DatabaseTypes.join(', ')})`);
      }
      const lsId = optional(args.lsId, 'string', 'lsId');
      if (lsId !== undefined) addressArg(() => readIpv4(lsId));
      return { what, type, lsId };
    }
    case 'topology':
      return { what, dot: optional(args.dot, 'boolean', 'dot') };
    default:
      return { what };
  }
}

function prefixArg(value: unknown): string | undefined {
  const prefix = optional(value, 'string', 'prefix');
  if (prefix !== undefined) addressArg(() => readPrefix(prefix));
  return prefix;
}

/** An address argument's AddressParseError as the request's error. */
function addressArg(read: () => unknown): void {
  try {
    read();
  } catch (err) {
    if (err instanceof AddressParseError) throw new ControlRequestError(err.message);
    throw err;
  }
}

function optional<T extends 'string' | 'number' | 'boolean'>(
  value: unknown,
  type: T,
  name: string,
): ({ string: string; number: number; boolean: boolean }[T]) | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw new ControlRequestError(`${name} must be a ${type}`);
  return value as { string: string; number: number; boolean: boolean }[T];
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}
