// Joins the announcer to the engine: its decisions go in as advertisements
// (a stub prefix as an input, an external one through the engine's
// configuration), and each change is acknowledged back once the LSA that
// carries it is originated and every Full neighbour has it (RFC 2328 12.4,
// 13.6), which is when a drain resolves.

import type { Announcer, AnycastPrefixOptions, CheckEvent, CustomCheckOptions, PrefixStatus, StateChangeEvent } from '../anycast/index.js';
import { readPrefix } from '../control/addresses.js';
import type { Input, PrefixAdvertisement } from '../core/api.js';
import { toAnycastOptions, type DaemonConfig } from '../config/index.js';
import { formatPrefix, type Prefix } from '../lib/ipv4.js';
import { NoAnycastPrefixError } from './errors.js';
import type { Logger } from './logger.js';

/** What the link needs of the daemon. */
export interface AnycastLinkHost {
  logger: Logger;
  /** Hands an input to the instance (the loop's step). */
  step(input: Input): void;
  /** The external prefixes' modes changed: the engine's configuration follows. */
  refreshConfig(): void;
  /** The engine has originated our changes and every Full neighbour has acknowledged them. */
  ownChangesAcknowledged(): boolean;
  /** The daemon is stopping: nothing more is advertised. */
  stopping(): boolean;
  /** Health checks written as functions, by prefix text. */
  customChecks: Record<string, readonly CustomCheckOptions[]> | undefined;
  /** Where supervised proxies are recorded to outlive the daemon. */
  recordDirectory(): string | undefined;
  check(event: CheckEvent): void;
  state(event: StateChangeEvent): void;
}

/** A change waiting for every Full neighbour to acknowledge it. */
interface PendingAck {
  prefix: Prefix;
  mode: PrefixAdvertisement;
}

export class AnycastLink {
  /** How each external anycast prefix is advertised now (announce-as external). */
  readonly externalModes = new Map<string, PrefixAdvertisement>();
  private pendingAcks: PendingAck[] = [];
  private announcer: Announcer | undefined;

  constructor(private readonly host: AnycastLinkHost) {}

  /** Starts the announcer for the configuration's anycast blocks, or, when it runs, gives it the new ones. */
  async configure(config: DaemonConfig): Promise<void> {
    if (this.announcer !== undefined) {
      // Unchanged prefixes keep their state and their proxy keeps running.
      await this.announcer.reconfigure(this.options(config));
      return;
    }
    if (config.anycast.length === 0) return;
    // Loaded with the first anycast block: a router with none (the one in
    // front of the nodes) never loads the checks, the proxy supervisor or
    // the HTTP, TLS and UDP modules they need, which keeps its memory down.
    const [{ Announcer }, { netlinkAddressManager }] = await Promise.all([import('../anycast/announcer.js'), import('../io/addresses.js')]);
    if (this.host.stopping()) return;
    // A configure that ran meanwhile started it: this one is a reconfiguration.
    if (this.announcer !== undefined) return this.configure(config);
    const { logger } = this.host;
    const announcer = new Announcer({
      prefixes: this.options(config),
      advertise: (ad) => this.advertise(ad.prefix, ad.mode, ad.announceAs.kind),
      addressManager: netlinkAddressManager,
      awaitAcknowledgement: true,
      recordDirectory: this.host.recordDirectory(),
      log: (entry) => logger.log(entry.level === 'warn' ? 'warning' : entry.level, entry.message, { prefix: entry.prefix }),
    });
    announcer.on('check', (event) => this.host.check(event));
    announcer.on('state', (event) => {
      logger.notice(`anycast ${event.prefix}: ${event.from} -> ${event.to}`, { reason: event.reason, check: event.check });
      this.host.state(event);
    });
    this.announcer = announcer;
    await announcer.start();
  }

  /** Withdraws one anycast prefix ("a.b.c.d/len") or all; resolves once the neighbours have acknowledged it. */
  async drain(prefix: string | undefined, timeoutMs: number | undefined, source: 'cli' | 'library'): Promise<void> {
    if (this.announcer === undefined) throw new NoAnycastPrefixError();
    await this.announcer.drain(prefix === undefined ? undefined : readPrefix(prefix), { source, timeoutMs });
  }

  undrain(prefix: string | undefined, source: 'cli' | 'library'): void {
    if (this.announcer === undefined) throw new NoAnycastPrefixError();
    this.announcer.undrain(prefix === undefined ? undefined : readPrefix(prefix), source);
  }

  status(): PrefixStatus[] {
    return this.announcer?.status() ?? [];
  }

  /** Stops the checks; the proxies stop too, or keep running for the next daemon. */
  async stop(stopProxies: boolean): Promise<void> {
    await this.announcer?.stop({ stopProxies });
  }

  /** After each input: the changes the engine has now originated and had acknowledged go back to the announcer. */
  checkAcks(): void {
    if (this.pendingAcks.length === 0 || this.announcer === undefined) return;
    if (!this.host.ownChangesAcknowledged()) return;
    const done = this.pendingAcks;
    this.pendingAcks = [];
    for (const p of done) this.announcer.acknowledge(p.prefix, p.mode);
  }

  /** The announcer decided how a prefix is advertised: hand it to the engine. */
  private advertise(prefix: Prefix, mode: PrefixAdvertisement, announceAs: 'stub' | 'external'): void {
    if (this.host.stopping()) return;
    if (announceAs === 'stub') {
      this.host.step({ kind: 'advertise', prefix, mode });
    } else {
      this.externalModes.set(formatPrefix(prefix), mode);
      this.host.refreshConfig();
    }
    this.pendingAcks = this.pendingAcks.filter((p) => formatPrefix(p.prefix) !== formatPrefix(prefix));
    this.pendingAcks.push({ prefix, mode });
    this.checkAcks();
  }

  /** The anycast blocks as announcer options, with a library user's own checks added. */
  private options(config: DaemonConfig): AnycastPrefixOptions[] {
    return toAnycastOptions(config).map((p) => ({
      ...p,
      checks: [...p.checks, ...(this.host.customChecks?.[formatPrefix(p.prefix)] ?? [])],
    }));
  }
}
