// Bounded waiting for the tests: polling with a deadline that says what it
// waited for, a plain sleep, and a free TCP port.
import { createServer } from 'node:net';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** More context for the failure message (daemon output, neighbor tables). */
  detail?: () => string | Promise<string>;
}

/** Thrown by a waitFor probe to end the wait at once: what it waits for can no longer happen. */
export class WaitAborted extends Error {
  override name = 'WaitAborted';
}

/**
 * Poll `probe` until it returns something truthy, and return that. A probe
 * that throws counts as not yet (WaitAborted ends the wait); after
 * `timeoutMs` the wait fails with the last value or error seen and the detail.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | false | null | undefined | Promise<T | false | null | undefined>,
  options: WaitOptions,
): Promise<T> {
  const interval = options.intervalMs ?? 200;
  const deadline = performance.now() + options.timeoutMs;
  let last = 'no probe finished';
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = `last value: ${JSON.stringify(value)}`;
    } catch (err) {
      if (err instanceof WaitAborted) {
        const detail = options.detail ? `\n${await options.detail()}` : '';
        throw new Error(`gave up waiting for ${what}: ${err.message}${detail}`);
      }
      last = `last error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (performance.now() >= deadline) break;
    await sleep(Math.min(interval, Math.max(0, deadline - performance.now())));
  }
  const detail = options.detail ? `\n${await options.detail()}` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}; ${last}${detail}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port on 127.0.0.1 that is free now (the kernel's pick; Kamailio takes the same number for UDP). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
