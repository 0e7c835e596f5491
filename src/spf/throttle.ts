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

  /** Something changed at `now`: returns when the SPF should run. */
  request(now: number): number {
    if (this.due !== undefined) return this.due;
    const { delayMs, maxHoldMs } = this.settings;
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
    this.due = now + delay;
    return this.due;
  }

  /** The SPF ran (finished) at `now`. */
  ran(now: number): void {
    this.lastRun = now;
    this.due = undefined;
  }
}
