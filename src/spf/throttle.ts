// SPF throttling with exponential back-off, as FRR's
// `timers throttle spf DELAY INITIAL-HOLD MAX-HOLD` (ospfd/ospf_spf.c,
// ospf_spf_calculate_schedule). Pure: the caller passes the time in.
//
//   request(now) ──▶ runAt (already scheduled? the same runAt)
//   at runAt the caller runs the SPF, then ran(now)
//
// A request within the hold time of the previous run waits out the rest of
// the hold time (at least DELAY) and grows the hold time by one INITIAL-HOLD
// step, up to MAX-HOLD; a request after a quiet hold time runs after DELAY
// and sets the hold time back to INITIAL-HOLD.
//
// While a neighbour sends us the database (RFC 2328 10.1, Exchange and
// Loading), every LSA it delivers would undo the SPF run before it: the
// caller says so (`loading`), and the pending run waits, without growing the
// hold time, until the loading ends (the caller requests again, then) or
// MAX-HOLD after it was first requested, whichever comes first. The initial
// load then costs one SPF, run as soon as the database is complete.
//
//   request(now, loading)  ──▶ deferred: due at first request + MAX-HOLD
//   request(now)           ──▶ a deferred run is rescheduled by the rule above

import type { SpfThrottle } from '../core/api.js';
import { SpfConfigError } from './errors.js';

/** FRR's defaults: `timers throttle spf 0 50 5000`. */
export const defaultSpfThrottle: SpfThrottle = { delayMs: 0, initialHoldMs: 50, maxHoldMs: 5000 };

function check(settings: SpfThrottle): SpfThrottle {
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0) throw new SpfConfigError(`SPF throttle ${name} must be a non-negative number of ms, not ${value}`);
  }
  return { ...settings };
}

export class SpfScheduler {
  private settings: SpfThrottle;
  /** When the last SPF finished; undefined before the first one. */
  private lastRun: number | undefined;
  /** The hold time is initialHoldMs × multiplier, capped at maxHoldMs. */
  private multiplier = 1;
  private due: number | undefined;
  /** The pending run waits for a neighbour's database to load (due is the MAX-HOLD bound). */
  private deferred = false;
  /** When the pending run was first requested. */
  private requestedAt = 0;

  constructor(settings: SpfThrottle = defaultSpfThrottle) {
    this.settings = check(settings);
  }

  /** When a requested SPF is due, or undefined when none is pending. */
  get pending(): number | undefined {
    return this.due;
  }

  /** The current hold time in ms (FRR's `show ip ospf` "Adaptive hold time"). */
  get holdMs(): number {
    return Math.min(this.settings.initialHoldMs * this.multiplier, this.settings.maxHoldMs);
  }

  /**
   * New timers; as FRR, the back-off starts over. The same timers again (any
   * other setting of the router changed) keep it: otherwise every interface
   * change that reconfigures the router would undo the throttle. A pending
   * run keeps its time.
   */
  configure(settings: SpfThrottle): void {
    const next = check(settings);
    const same = next.delayMs === this.settings.delayMs && next.initialHoldMs === this.settings.initialHoldMs && next.maxHoldMs === this.settings.maxHoldMs;
    this.settings = next;
    if (!same) this.multiplier = 1;
  }

  /**
   * Something changed at `now`: returns when the SPF should run. `loading`:
   * a neighbour is still sending its database, so the run waits for the end
   * of the load (at most MAX-HOLD).
   */
  request(now: number, loading = false): number {
    const { delayMs, maxHoldMs } = this.settings;
    if (this.due === undefined) this.requestedAt = now;
    if (loading) {
      this.due = this.requestedAt + maxHoldMs;
      this.deferred = true;
      return this.due;
    }
    if (this.due !== undefined && !this.deferred) return this.due;
    // A run deferred for a load keeps its bound.
    const bound = this.due ?? Infinity;
    this.deferred = false;
    const hold = this.holdMs;
    const elapsed = this.lastRun === undefined ? Infinity : now - this.lastRun;
    let delay: number;
    if (elapsed < hold) {
      // Within the hold time of the last run: back off further, unless already at the maximum.
      if (hold < maxHoldMs) this.multiplier++;
      delay = Math.max(hold - elapsed, delayMs);
    } else {
      // Quiet for a whole hold time: run after the initial delay, hold time back to its start.
      delay = delayMs;
      this.multiplier = 1;
    }
    this.due = Math.min(now + delay, bound);
    return this.due;
  }

  /** The SPF ran (finished) at `now`. */
  ran(now: number): void {
    this.lastRun = now;
    this.due = undefined;
    this.deferred = false;
  }
}
