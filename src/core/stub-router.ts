// Stub router advertisement (RFC 6987): whether the router-LSA we want now
// describes our transit links at MaxLinkMetric, from the configuration and
// the on-startup period. No clock: the period opens at the first input's
// `now` and ends when the router's 'stub-router' timer fires.
//
//   first input ──▶ period open (if configured) ──timer──▶ period over
//                        │
//                        └── a configuration without on-startup ends it at once

import type { StubRouterConfig, StubRouterView } from './api.js';

export class StubRouter {
  private administrative: boolean;
  private readonly startupMs: number | undefined;
  private startupEndsAt: number | undefined;

  /** `config`: the one the core starts with, the only one that can open the on-startup period (as FRR). */
  constructor(config: StubRouterConfig | undefined) {
    this.administrative = config?.administrative ?? false;
    this.startupMs = config?.onStartupMs;
  }

  /** The first input, at `now`: the on-startup period begins. Returns when it ends, if one was configured. */
  start(now: number): number | undefined {
    if (this.startupMs === undefined) return undefined;
    this.startupEndsAt = now + this.startupMs;
    return this.startupEndsAt;
  }

  /** A new configuration: `administrative` follows it; without on-startup, a running period ends. */
  configure(config: StubRouterConfig | undefined): void {
    this.administrative = config?.administrative ?? false;
    if (config?.onStartupMs === undefined) this.startupEndsAt = undefined;
  }

  /** The 'stub-router' timer fired: the on-startup period is over. */
  expire(): void {
    this.startupEndsAt = undefined;
  }

  /** Whether an on-startup period runs (its timer is wanted). */
  inStartup(): boolean {
    return this.startupEndsAt !== undefined;
  }

  /** RFC 6987 section 2: a stub router while configured so administratively or during the on-startup period. */
  active(): boolean {
    return this.administrative || this.startupEndsAt !== undefined;
  }

  view(now: number): StubRouterView {
    return {
      active: this.active(),
      administrative: this.administrative,
      ...(this.startupEndsAt === undefined ? {} : { startupRemainingMs: Math.max(0, this.startupEndsAt - now) }),
    };
  }
}
