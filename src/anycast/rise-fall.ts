// Rise/fall hysteresis of one check: a verdict changes only after `rise`
// consecutive successes or `fall` consecutive failures. It starts unhealthy,
// so nothing is announced before its checks have passed `rise` times.
//
//   unhealthy ──rise successes in a row──▶ healthy
//   healthy   ──fall failures in a row───▶ unhealthy
//   any       ──reset()──────────────────▶ unhealthy (counters cleared)
//   unhealthy ──trustFirstSuccess(), then one success──▶ healthy

export interface Verdict {
  healthy: boolean;
  /** True when this result flipped the verdict. */
  changed: boolean;
}

export class RiseFall {
  private healthyNow = false;
  private successes = 0;
  private failures = 0;
  /** The next success alone makes the check healthy (see trustFirstSuccess). */
  private quickRise = false;

  constructor(
    readonly rise: number,
    readonly fall: number,
    /** Start healthy: a check carried over by a reconfiguration with new rise/fall. */
    initiallyHealthy = false,
  ) {
    this.healthyNow = initiallyHealthy;
  }

  get healthy(): boolean {
    return this.healthyNow;
  }

  get consecutiveSuccesses(): number {
    return this.successes;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Count one result and say whether the verdict changed. */
  record(ok: boolean): Verdict {
    if (ok) {
      this.successes += 1;
      this.failures = 0;
      if (!this.healthyNow && (this.successes >= this.rise || this.quickRise)) {
        this.healthyNow = true;
        this.quickRise = false;
        return { healthy: true, changed: true };
      }
    } else {
      this.failures += 1;
      this.successes = 0;
      this.quickRise = false;
      if (this.healthyNow && this.failures >= this.fall) {
        this.healthyNow = false;
        return { healthy: false, changed: true };
      }
    }
    return { healthy: this.healthyNow, changed: false };
  }

  /**
   * Let the next result decide alone: one success makes the check healthy,
   * a failure puts it back on the full rise. For a proxy adopted already
   * running after a daemon restart: rise exists to let a proxy that has just
   * started settle, and this one was serving before the daemon restarted, so
   * waiting `rise` intervals would only keep its prefix withdrawn longer.
   */
  trustFirstSuccess(): void {
    if (!this.healthyNow) this.quickRise = true;
  }

  /** Back to the initial state: unhealthy until `rise` new successes (e.g. the proxy restarted). */
  reset(): Verdict {
    const changed = this.healthyNow;
    this.healthyNow = false;
    this.successes = 0;
    this.failures = 0;
    this.quickRise = false;
    return { healthy: false, changed };
  }
}
