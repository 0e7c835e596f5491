// The tcp check: a connection to HOST:PORT opens within the timeout.

import { connect } from 'node:net';
import type { CheckRunner, TcpCheckOptions } from '../types.js';

export function tcpRunner(opts: TcpCheckOptions): CheckRunner {
  return (signal) =>
    new Promise((resolve) => {
      const socket = connect({ host: opts.host, port: opts.port });
      let done = false;
      const finish = (ok: boolean, reason: string): void => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve({ ok, reason });
      };
      const onAbort = (): void => finish(false, 'connect did not complete');
      signal.addEventListener('abort', onAbort);
      socket.on('connect', () => finish(true, `connected to ${opts.host}:${opts.port}`));
      socket.on('error', (err: NodeJS.ErrnoException) =>
        finish(false, err.code === 'ECONNREFUSED' ? 'connection refused' : `${err.code ?? 'error'}: ${err.message}`),
      );
    });
}
