// `ospf-anycast`: parses the command line, asks the daemon over the control
// socket, prints a table or JSON. Every failure is one line on stderr and a
// non-zero exit: 2 for a usage error, 1 when the daemon cannot be reached or
// refuses the request.

import { createRequire } from 'node:module';
import { controlRequest, ControlError } from '../control/protocol.js';
import type { ControlAnswer, ControlRequest } from '../control/requests.js';
import type { MessageView } from '../control/views.js';
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
    io.out(await answer(socket, command, json));
    return 0;
  } catch (err) {
    if (err instanceof ControlError) {
      io.err(`ospf-anycast: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

type Ask = <R extends ControlRequest>(request: R, timeoutMs: number, text: (answer: ControlAnswer<R>) => string) => Promise<string>;

/** Asks the daemon and prints its answer: as JSON, or as a table or line for people. */
function answer(socket: string, command: Exclude<CliCommand, { kind: 'help' | 'version' }>, json: boolean): Promise<string> {
  const ask: Ask = async (request, timeoutMs, text) => {
    const result = await controlRequest(socket, request, timeoutMs);
    return json ? JSON.stringify(result, null, 2) : text(result);
  };
  const message = (answer: MessageView): string => answer.message;
  switch (command.kind) {
    case 'show':
      return show(ask, command);
    case 'drain':
      // The daemon waits up to timeoutSec for the acknowledgements; give it a little more.
      return ask({ command: 'drain', args: { prefix: command.prefix, timeoutMs: command.timeoutSec * 1000 } }, command.timeoutSec * 1000 + 2000, message);
    case 'undrain':
      return ask({ command: 'undrain', args: { prefix: command.prefix } }, command.timeoutSec * 1000 + 2000, message);
    case 'reload':
      return ask({ command: 'reload', args: {} }, 10_000, message);
    case 'stop':
      // The daemon answers once the proxy has stopped: up to its 5 s grace after the LSAs' flush.
      return ask({ command: 'stop', args: { stopProxies: command.withProxy } }, 20_000, message);
  }
}

function show(ask: Ask, command: Extract<CliCommand, { kind: 'show' }>): Promise<string> {
  const timeoutMs = 5000;
  switch (command.what) {
    case 'ospf':
      return ask({ command: 'show', args: { what: 'ospf' } }, timeoutMs, formatOspf);
    case 'interfaces':
      return ask({ command: 'show', args: { what: 'interfaces' } }, timeoutMs, formatInterfaces);
    case 'neighbors':
      return ask({ command: 'show', args: { what: 'neighbors' } }, timeoutMs, formatNeighbors);
    case 'database':
      return ask({ command: 'show', args: { what: 'database', type: command.type, lsId: command.lsId } }, timeoutMs, (d) => formatDatabase(d.lsas, d.areaId));
    case 'routes':
      return ask({ command: 'show', args: { what: 'routes' } }, timeoutMs, formatRoutes);
    case 'anycast':
      return ask({ command: 'show', args: { what: 'anycast' } }, timeoutMs, formatAnycast);
    case 'topology':
      return ask({ command: 'show', args: { what: 'topology', dot: command.dot } }, timeoutMs, (dot) => dot);
  }
}
