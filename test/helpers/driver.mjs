// The line protocol the namespace tests' drivers speak on stdin and stdout:
// one JSON request per line ({id, cmd, …}), one JSON reply per request
// ({id, ok: true, …} or {id, ok: false, error}), and events ({event, …}).
/* global process */
import { createInterface } from 'node:readline';

/** Writes one message as a line of JSON. */
export const out = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

/**
 * Answers every request line with what `handle` resolves to, or with its
 * error: "Name: message", or the message alone when `errorName` is false.
 */
export function serve(handle, { errorName = true } = {}) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const req = JSON.parse(line);
    handle(req).then(
      (reply) => out({ id: req.id, ok: true, ...reply }),
      (error) => out({ id: req.id, ok: false, error: errorName ? `${error?.name}: ${error?.message ?? error}` : String(error?.message ?? error) }),
    );
  });
}
