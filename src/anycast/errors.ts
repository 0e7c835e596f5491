// The errors the anycast announcer throws or rejects with.

/** Options that cannot work (bad port, rise 0, duplicate prefix…); `path` points at the field. */
export class AnycastConfigError extends Error {
  override name = 'AnycastConfigError';
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

/** A prefix that the announcer does not manage. */
export class UnknownPrefixError extends Error {
  override name = 'UnknownPrefixError';
}

/** A drain whose withdrawal was not confirmed in time; the prefix stays drained. */
export class DrainTimeoutError extends Error {
  override name = 'DrainTimeoutError';
  readonly prefix: string;

  constructor(prefix: string, timeoutMs: number) {
    super(`withdrawal of ${prefix} not confirmed within ${timeoutMs} ms`);
    this.prefix = prefix;
  }
}

/** start() on an announcer that has been stopped; make a new one instead. */
export class AnnouncerStoppedError extends Error {
  override name = 'AnnouncerStoppedError';
}

/** A drain that was overtaken by an undrain or by stop() before it was confirmed. */
export class DrainCancelledError extends Error {
  override name = 'DrainCancelledError';
}

/** Malformed SIP message text; `reason` is a short stable code. */
export class SipParseError extends Error {
  override name = 'SipParseError';
  readonly reason: string;

  constructor(reason: string, detail?: string) {
    super(detail === undefined ? reason : `${reason}: ${detail}`);
    this.reason = reason;
  }
}

/** The injected address manager failed to add or remove the anycast address. */
export class AddressManagementError extends Error {
  override name = 'AddressManagementError';
}
