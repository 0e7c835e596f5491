// The http check: GET the URL and expect one of the status codes (default 2xx).

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { codeMatches, formatCodes } from '../options.js';
import type { CheckRunner, CodeList, HttpCheckOptions } from '../types.js';

const DEFAULT_STATUS: CodeList = ['2xx'];

export function httpRunner(opts: HttpCheckOptions): CheckRunner {
  const url = new URL(opts.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const accepted = opts.status === undefined || opts.status.length === 0 ? DEFAULT_STATUS : opts.status;
  return (signal) =>
    new Promise((resolve) => {
      let done = false;
      const finish = (ok: boolean, reason: string): void => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        req.destroy();
        resolve({ ok, reason });
      };
      const onAbort = (): void => finish(false, 'no response');
      const req = request(url, { method: 'GET', headers: { 'user-agent': 'ospf-anycast', connection: 'close' } });
      signal.addEventListener('abort', onAbort);
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        // The body is not needed; drain it so the socket can close cleanly.
        res.resume();
        const text = `HTTP ${status} ${res.statusMessage ?? ''}`.trim();
        finish(codeMatches(accepted, status), codeMatches(accepted, status) ? text : `${text}, expected ${formatCodes(accepted)}`);
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish(false, err.code === 'ECONNREFUSED' ? 'connection refused' : `${err.code ?? 'error'}: ${err.message}`),
      );
      req.end();
    });
}
