// `ospf-anycast`: parses the command line, asks the daemon over the control
// socket, prints a table or JSON. Every failure is one line on stderr and a
// non-zero exit: 2 for a usage error, 1 when the daemon cannot be reached or
// refuses the request.

import { createRequire } from 'node:module';
import { controlRequest, ControlError } from '../control/protocol.js';
import type {
  AnycastRowView,
  DatabaseRowView,
  InterfaceRowView,
  NeighborRowView,
  OspfSummaryView,
  RouteRowView,
} from '../control/views.js';
import { parseArgs, usage, UsageError, type CliCommand } from './args.js';
import { formatAnycast, formatDatabase, formatInterfaces, formatNeighbors, formatOspf, formatRoutes } from './format.js';

export interface CliStreams {
  out: (text: string) => void;
  err: (text: string) => void;
}

function version(): string {
  const require = createRequire(import.meta.url);
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      return (require(path) as { version: string }).version;
    } catch {
      // Layout differs between src/ (tests) and dist/src/ (installed); try the next.
    }
  }
  return 'unknown';
}

/** Runs one CLI invocation and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliStreams): Promise<number> {
  let invocation;
  try {
    invocation = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`ospf-anycast: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const { command, socket, json } = invocation;
  if (command.kind === 'help') {
    io.out(usage);
    return 0;
  }
  if (command.kind === 'version') {
    io.out(`ospf-anycast ${version()}`);
    return 0;
  }
  try {
    const { name, args, timeoutMs } = request(command);
    const result = await controlRequest(socket, name, args, timeoutMs);
    io.out(json ? JSON.stringify(result, null, 2) : render(command, result));
    return 0;
  } catch (err) {
    if (err instanceof ControlError) {
      io.err(`ospf-anycast: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function request(command: Exclude<CliCommand, { kind: 'help' | 'version' }>): {
  name: string;
  args: Record<string, unknown>;
  timeoutMs: number;
} {
  switch (command.kind) {
    case 'show': {
      const { kind: _kind, ...args } = command;
      return { name: 'show', args, timeoutMs: 5000 };
    }
    case 'drain':
    case 'undrain':
      // The daemon waits up to timeoutSec for the acknowledgements; give it a little more.
      return { name: command.kind, args: { prefix: command.prefix, timeoutMs: command.timeoutSec * 1000 }, timeoutMs: command.timeoutSec * 1000 + 2000 };
    case 'reload':
      return { name: 'reload', args: {}, timeoutMs: 10_000 };
    case 'stop':
      // The daemon answers once the proxy has stopped: up to its 5 s grace after the LSAs' flush.
      return { name: 'stop', args: { stopProxies: command.withProxy }, timeoutMs: 20_000 };
  }
}

function render(command: CliCommand, result: unknown): string {
  if (command.kind !== 'show') {
    const message = (result as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? message : 'ok';
  }
  switch (command.what) {
    case 'ospf':
      return formatOspf(result as OspfSummaryView);
    case 'interfaces':
      return formatInterfaces(result as InterfaceRowView[]);
    case 'neighbors':
      return formatNeighbors(result as NeighborRowView[]);
    case 'database': {
      const { areaId, lsas } = result as { areaId: string; lsas: DatabaseRowView[] };
      return formatDatabase(lsas, areaId);
    }
    case 'routes':
      return formatRoutes(result as RouteRowView[]);
    case 'anycast':
      return formatAnycast(result as AnycastRowView[]);
    case 'topology':
      return String(result);
  }
}
