// The daemon's failures, one named Error per kind: what start(), drain(),
// reload() and a control request can refuse with.

/** start() could not bring the daemon up; nothing is left half-configured. */
export class DaemonStartError extends Error {
  override name = 'DaemonStartError';
}

/** drain or undrain on a daemon without anycast blocks. */
export class NoAnycastPrefixError extends Error {
  override name = 'NoAnycastPrefixError';
  constructor() {
    super('no anycast prefix is configured');
  }
}

/** A reload that cannot be applied to the running daemon; the running configuration stays. */
export class ReloadRefusedError extends Error {
  override name = 'ReloadRefusedError';
}

/** A second stop while the daemon is already stopping. */
export class AlreadyStoppingError extends Error {
  override name = 'AlreadyStoppingError';
  constructor() {
    super('the daemon is already stopping');
  }
}
