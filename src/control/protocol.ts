// The control socket: how the CLI (and anything else local) talks to the
// daemon. One JSON object per line over a Unix stream socket; each request
// gets exactly one response carrying the same id. There is no network
// listener for control, on purpose: access is the socket file's mode and
// owner, as FRR's vtysh sockets (Node cannot read SO_PEERCRED): 0600 for the
// daemon's user (and root) alone, 0660 when a group may use it too.
//
//   client → {"id":1,"command":"show","args":{"what":"ospf"}}
//   daemon → {"id":1,"ok":true,"result":{…}}   or   {"id":1,"ok":false,"error":"…"}
//
// What a request may say and what it is answered with: requests.ts, views.ts.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, chownSync, mkdirSync, unlinkSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ControlRequestError, parseControlRequest, type ControlAnswer, type ControlRequest } from './requests.js';

export const DefaultControlSocket = '/run/ospf-anycast/ospf-anycastd.sock';

/** Longest request or response line accepted, so a bad peer cannot make us buffer without bound. */
const MaxLine = 16 * 1024 * 1024;

/** A response line: the request's id with its answer, or why there is none (id -1 when the request had no readable id). */
export type ControlResponse = { id: number; ok: true; result: ControlAnswer } | { id: number; ok: false; error: string };

export type ControlErrorCode = 'not-running' | 'permission' | 'timeout' | 'protocol' | 'daemon';

/** Why a control request failed, on the client side. */
export class ControlError extends Error {
  override name = 'ControlError';
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ControlHandler = (request: ControlRequest) => Promise<ControlAnswer>;

/** Splits a byte stream into lines, bounded by MaxLine. */
function lineReader(socket: Socket, onLine: (line: string) => void, onTooLong: () => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() !== '') onLine(line);
    }
    if (buffer.length > MaxLine) {
      buffer = '';
      onTooLong();
    }
  });
}

/** A request line as its id and checked request, or the error response it gets. */
function parseRequest(line: string): { id: number; request: ControlRequest } | ControlResponse {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { id: -1, ok: false, error: 'request is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null) return { id: -1, ok: false, error: 'request is not an object' };
  const { id, command, args } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isInteger(id)) return { id: -1, ok: false, error: 'request has no integer id' };
  if (typeof command !== 'string') return { id, ok: false, error: 'request has no command' };
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) return { id, ok: false, error: 'request args must be an object' };
  try {
    return { id, request: parseControlRequest(command, (args as Record<string, unknown> | undefined) ?? {}) };
  } catch (err) {
    if (err instanceof ControlRequestError) return { id, ok: false, error: err.message };
    throw err;
  }
}

export class ControlServer {
  private constructor(
    private readonly server: Server,
    readonly path: string,
  ) {}

  /**
   * Listen on `path`: mode 0600, or 0660 with `group` as its group. A socket
   * file left by a daemon that died is replaced; one that answers means
   * another daemon runs, and that is an error.
   */
  static async listen(path: string, handler: ControlHandler, access: { group?: number } = {}): Promise<ControlServer> {
    // A directory made here is as closed as the socket (an existing one keeps its mode: privileges.ts sets it).
    mkdirSync(dirname(path), { recursive: true, mode: access.group === undefined ? 0o700 : 0o750 });
    if (existsSync(path)) {
      if (await answers(path)) throw new ControlError('daemon', `another daemon is already listening on ${path}`);
      unlinkSync(path);
    }
    const server = createServer((socket) => serve(socket, handler));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      if (access.group !== undefined) chownSync(path, -1, access.group);
      chmodSync(path, access.group === undefined ? 0o600 : 0o660);
    } catch (err) {
      server.close();
      throw new ControlError('permission', `cannot set the owner and mode of ${path}: ${(err as Error).message}`);
    }
    return new ControlServer(server, path);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}

function serve(socket: Socket, handler: ControlHandler): void {
  const send = (response: ControlResponse): void => {
    if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n');
  };
  socket.on('error', () => socket.destroy());
  lineReader(
    socket,
    (line) => {
      const parsed = parseRequest(line);
      if ('ok' in parsed) {
        send(parsed);
        return;
      }
      handler(parsed.request).then(
        (result) => send({ id: parsed.id, ok: true, result }),
        (err: unknown) => send({ id: parsed.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
    },
    () => {
      send({ id: -1, ok: false, error: 'request too long' });
      socket.destroy();
    },
  );
}

/** True when something accepts connections on the socket path. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Send one request and wait for its answer. */
export function controlRequest<R extends ControlRequest>(path: string, request: R, timeoutMs = 5000): Promise<ControlAnswer<R>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const id = 1;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new ControlError('timeout', `no answer from the daemon on ${path} within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.once('error', (err: NodeJS.ErrnoException) => {
      finish(() => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
          reject(new ControlError('not-running', `cannot reach ospf-anycastd: no daemon listening on ${path}`));
        } else if (err.code === 'EACCES' || err.code === 'EPERM') {
          reject(new ControlError('permission', `permission denied on ${path}: run as root, as the daemon's user or as a member of its group`));
        } else {
          reject(new ControlError('protocol', `cannot talk to the daemon on ${path}: ${err.message}`));
        }
      });
    });
    socket.once('connect', () => socket.write(JSON.stringify({ id, command: request.command, args: request.args }) + '\n'));
    socket.once('close', () => finish(() => reject(new ControlError('protocol', `the daemon closed the connection on ${path} without answering`))));
    lineReader(
      socket,
      (line) => {
        let response: ControlResponse;
        try {
          response = JSON.parse(line) as ControlResponse;
        } catch {
          finish(() => reject(new ControlError('protocol', 'the daemon sent something that is not JSON')));
          return;
        }
        // The daemon answers a request with the view its command names (requests.ts).
        if (response.ok) finish(() => resolve(response.result as ControlAnswer<R>));
        else finish(() => reject(new ControlError('daemon', response.error)));
      },
      () => finish(() => reject(new ControlError('protocol', 'the daemon sent an over-long answer'))),
    );
  });
}
