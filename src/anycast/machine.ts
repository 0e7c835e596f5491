// The announcer state machine of one prefix, without I/O or clock: inputs
// (a check's verdict, a drain source on/off, time passing) come with `now`
// and return what to do (state-change events, advertisement changes).
//
//                 all checks healthy, not drained
//   withdrawn-by-health ─────────────────────────────▶ announced
//          ▲  ◀────────── a check unhealthy ──────────────┘ │
//          │                                               │ drain (cli, library, file)
//          └── undrain, a check unhealthy ── drained ◀─────┘
//                        (drain wins over health from any state)
//
// Advertisement pacing: the mode follows the state (announced → 'announce',
// withdrawn-by-health → the on-failure mode, drained → 'withdraw'). The first
// change after a quiet period goes out at once; a change within minInterval
// of the previous one waits until minInterval has passed and then sends the
// latest mode only (a flap that settles back sends nothing). RFC 2328 13
// (5a): a router discards an LSA instance arriving within MinLSArrival of the
// previous one, so faster changes would be lost until retransmission.

import type { PrefixAdvertisement } from '../core/api.js';
import type { DrainSource, OnFailure, PrefixState, StateChangeEvent } from './types.js';

export type MachineOutput =
  | { kind: 'state'; event: StateChangeEvent }
  | { kind: 'advertise'; mode: PrefixAdvertisement; at: number };

export interface PrefixMachineOptions {
  /** The prefix as text, for events. */
  prefix: string;
  /** Check names in configuration order; the first unhealthy one is reported. */
  checks: readonly string[];
  onFailure: OnFailure;
  minIntervalMs: number;
}

export interface PrefixMachineView {
  state: PrefixState;
  since: number;
  reason: string;
  failingCheck: string | undefined;
  drainedBy: DrainSource[];
  advertised: PrefixAdvertisement;
  pending: PrefixAdvertisement | undefined;
}

interface CheckVerdict {
  healthy: boolean;
  reason: string;
}

const DRAIN_ORDER: readonly DrainSource[] = ['cli', 'library', 'file'];

export class PrefixMachine {
  private readonly verdicts = new Map<string, CheckVerdict>();
  private readonly drains = new Set<DrainSource>();
  private current: PrefixState;
  private since: number;
  private reason: string;
  private failingCheck: string | undefined;
  private advertised: PrefixAdvertisement | undefined;
  /** When the last paced advertisement went out; undefined = quiet, the next goes at once. */
  private lastAdvertisedAt: number | undefined;
  private stopped = false;

  constructor(
    private readonly options: PrefixMachineOptions,
    now: number,
  ) {
    for (const name of options.checks) {
      this.verdicts.set(name, { healthy: false, reason: 'has not passed yet' });
    }
    const derived = this.derive('no checks configured');
    this.current = derived.state;
    this.reason = derived.reason;
    this.failingCheck = derived.check;
    this.since = now;
  }

  /**
   * Take over from the machine of the same prefix under the previous
   * configuration: its drains, its state and since, what it advertised and
   * when (so pacing goes on), and the verdicts of the checks that carried
   * over unchanged. Returns what the new configuration changes: a state
   * event if the state differs, an advertisement if the mode does.
   */
  takeOver(previous: PrefixMachine, carried: ReadonlyMap<string, { healthy: boolean; reason: string }>, now: number): MachineOutput[] {
    for (const [name, verdict] of carried) {
      if (this.verdicts.has(name)) this.verdicts.set(name, { healthy: verdict.healthy, reason: verdict.reason });
    }
    for (const source of previous.drains) this.drains.add(source);
    this.current = previous.current;
    this.since = previous.since;
    this.reason = previous.reason;
    this.failingCheck = previous.failingCheck;
    this.advertised = previous.advertised;
    this.lastAdvertisedAt = previous.lastAdvertisedAt;
    return this.update('configuration changed', now);
  }

  /**
   * The initial advertisement, handed over before the core originates
   * anything, so it does not open a pacing window: the first real change
   * still goes out at once.
   */
  start(): MachineOutput[] {
    const mode = this.desiredMode();
    this.advertised = mode;
    return [{ kind: 'advertise', mode, at: this.since }];
  }

  /** A check's verdict changed (or its reason did, while unhealthy). */
  setCheck(name: string, healthy: boolean, reason: string, now: number): MachineOutput[] {
    const verdict = this.verdicts.get(name);
    if (verdict === undefined || this.stopped) return [];
    verdict.healthy = healthy;
    verdict.reason = reason;
    return this.update(healthy ? `${name}: ${reason}` : '', now);
  }

  /** A drain source turned on or off. */
  setDrain(source: DrainSource, drained: boolean, now: number): MachineOutput[] {
    if (this.stopped) return [];
    if (drained) this.drains.add(source);
    else this.drains.delete(source);
    return this.update(drained ? '' : `undrained by ${source}`, now);
  }

  /** Time has reached `now`: send a paced advertisement that has become due. */
  tick(now: number): MachineOutput[] {
    return this.stopped ? [] : this.pace(now);
  }

  /** When tick() next has something to do. */
  nextDeadline(): number | undefined {
    if (this.stopped || this.advertised === undefined || this.desiredMode() === this.advertised) return undefined;
    return this.lastAdvertisedAt === undefined ? undefined : this.lastAdvertisedAt + this.options.minIntervalMs;
  }

  /**
   * The announcer is stopping: withdraw now, without pacing (there will be no
   * later change to coalesce with), and ignore further inputs.
   */
  stop(now: number): MachineOutput[] {
    if (this.stopped) return [];
    this.stopped = true;
    if (this.advertised === 'withdraw') return [];
    this.advertised = 'withdraw';
    this.lastAdvertisedAt = now;
    return [{ kind: 'advertise', mode: 'withdraw', at: now }];
  }

  view(): PrefixMachineView {
    const desired = this.desiredMode();
    return {
      state: this.current,
      since: this.since,
      reason: this.reason,
      failingCheck: this.failingCheck,
      drainedBy: DRAIN_ORDER.filter((s) => this.drains.has(s)),
      advertised: this.advertised ?? desired,
      pending: this.advertised !== undefined && desired !== this.advertised && !this.stopped ? desired : undefined,
    };
  }

  /** The state the inputs call for; drain wins over health. */
  private derive(healthyCause: string): { state: PrefixState; reason: string; check: string | undefined } {
    if (this.drains.size > 0) {
      const by = DRAIN_ORDER.filter((s) => this.drains.has(s)).join(', ');
      return { state: 'drained', reason: `drained by ${by}`, check: undefined };
    }
    for (const name of this.options.checks) {
      const verdict = this.verdicts.get(name) as CheckVerdict;
      if (!verdict.healthy) return { state: 'withdrawn-by-health', reason: `${name}: ${verdict.reason}`, check: name };
    }
    return { state: 'announced', reason: healthyCause === '' ? 'all checks healthy' : healthyCause, check: undefined };
  }

  private desiredMode(): PrefixAdvertisement {
    switch (this.current) {
      case 'announced':
        return 'announce';
      case 'withdrawn-by-health':
        return this.options.onFailure;
      case 'drained':
        return 'withdraw';
    }
  }

  /** The one place where state changes take effect: event, then pacing. */
  private update(cause: string, now: number): MachineOutput[] {
    const out: MachineOutput[] = [];
    const next = this.derive(cause);
    if (next.state !== this.current) {
      const event: StateChangeEvent = { prefix: this.options.prefix, from: this.current, to: next.state, reason: next.reason, at: now };
      if (next.check !== undefined) event.check = next.check;
      out.push({ kind: 'state', event });
      this.current = next.state;
      this.since = now;
      this.reason = next.reason;
      this.failingCheck = next.check;
    } else if (next.state !== 'announced') {
      // Same state, fresher explanation (another check failing, another drain source).
      this.reason = next.reason;
      this.failingCheck = next.check;
    }
    out.push(...this.pace(now));
    return out;
  }

  private pace(now: number): MachineOutput[] {
    if (this.advertised === undefined) return [];
    const mode = this.desiredMode();
    if (mode === this.advertised) return [];
    if (this.lastAdvertisedAt !== undefined && now < this.lastAdvertisedAt + this.options.minIntervalMs) return [];
    this.advertised = mode;
    this.lastAdvertisedAt = now;
    return [{ kind: 'advertise', mode, at: now }];
  }
}
