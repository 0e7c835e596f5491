// The injectors' side of their JSON-lines conversation with the benchmark or
// test that runs them: one request a line on stdin, one answer or event a
// line on stdout, and an exit when stdin closes.
import { createInterface } from 'node:readline';

/** A request: its id, its command and the command's own fields. */
export interface InjectorRequest {
  id: number;
  cmd: string;
  [key: string]: unknown;
}

/** Writes one message as a line of JSON on stdout. */
export function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Reports an error on stderr and exits: the injector cannot go on. */
export function fail(error: unknown): void {
  process.stderr.write(`injector: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

/**
 * Answers each request line with `{id, ok: true, ...reply}` or
 * `{id, ok: false, error}`; when stdin ends, calls `close` and exits.
 */
export function serveRequests(handle: (request: InjectorRequest) => Promise<Record<string, unknown>>, close: () => void): void {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const request = JSON.parse(line) as InjectorRequest;
    handle(request).then(
      (reply) => emit({ id: request.id, ok: true, ...reply }),
      (error: unknown) => emit({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.stdin.on('end', () => {
    close();
    process.exit(0);
  });
}
