// Named errors of the Linux adapters (raw-socket transport, rtnetlink
// monitor and route installer). Protocol drops are not errors: see
// ipv4-header.ts for those.

import type { KernelRoute } from './kernel-route.js';

/** An OSPF socket could not be set up or changed (socket, setsockopt). */
export class TransportSetupError extends Error {
  override name = 'TransportSetupError';
  constructor(
    readonly ifName: string,
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${ifName}: ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The kernel refused to send an OSPF packet (sendto). */
export class TransportSendError extends Error {
  override name = 'TransportSendError';
  constructor(
    readonly ifName: string,
    readonly dst: string,
    cause: unknown,
  ) {
    super(`${ifName}: send to ${dst}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Use of an interface socket that is closed or was never opened. */
export class TransportClosedError extends Error {
  override name = 'TransportClosedError';
}

/** An rtnetlink request failed: the kernel's errno, or a local failure (timeout). */
export class NetlinkRequestError extends Error {
  override name = 'NetlinkRequestError';
  constructor(
    readonly operation: string,
    /** Positive errno (e.g. 17 for EEXIST); 0 when the failure was not the kernel's. */
    readonly errno: number,
    /** Symbolic errno ('EEXIST'), or a short description. */
    readonly code: string,
    message?: string,
  ) {
    super(message ?? `${operation}: ${code}`);
  }
}

/** The kernel rejected a route change; carries the route and the errno. */
export class RouteInstallError extends NetlinkRequestError {
  override name = 'RouteInstallError';
  constructor(
    operation: 'add' | 'replace' | 'delete',
    errno: number,
    code: string,
    readonly route: KernelRoute,
    description: string,
  ) {
    super(operation, errno, code, `${operation} ${description}: ${code}`);
  }
}

/** Turn a failure from the netlink package into a NetlinkRequestError. */
export function wrapNetlinkError(operation: string, error: unknown): NetlinkRequestError {
  if (error instanceof NetlinkRequestError) return error;
  const e = error as { errno?: unknown; code?: unknown; message?: unknown };
  const errno = typeof e?.errno === 'number' ? Math.abs(e.errno) : 0;
  const code = typeof e?.code === 'string' ? e.code : String(e?.message ?? error);
  return new NetlinkRequestError(operation, errno, code);
}

/**
 * Run event listeners from inside a package's socket callback. An exception
 * thrown by a listener is re-thrown on a later tick, where it surfaces as an
 * ordinary uncaught exception with its stack: left to unwind, it would close
 * a raw-socket socket (which treats it as a receive error) or abort the
 * process (netlink's native callback cannot take exceptions).
 */
export function deliverSafely(deliver: () => void): void {
  try {
    deliver();
  } catch (error) {
    setImmediate(() => {
      throw error;
    });
  }
}
