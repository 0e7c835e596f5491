// What the daemon logs of the engine's events, and how loudly: adjacency
// changes as FRR's log-adjacency-changes, graceful restart phases at notice,
// and the policy for dropped packets — counted always, logged rate-limited,
// an authentication failure once per source, a duplicate router id once an
// hour. Logging only: the daemon applies the events' other effects.

import type { CoreEvent, NeighborState } from '../core/api.js';
import type { DaemonConfig } from '../config/index.js';
import { formatIpv4 } from '../lib/ipv4.js';
import type { Logger } from './logger.js';
import { restartReasonName } from './show-answers.js';

/** Sources whose authentication failures are each logged once; beyond them (spoofed sources), a rate-limited line per reason. */
const AuthLogSources = 1024;

/** What the log lines depend on in the running configuration. */
export interface EventLogSettings {
  routerId: number;
  logAdjacencyChanges: DaemonConfig['ospf']['logAdjacencyChanges'];
}

export class EventLog {
  /** Authentication failures already logged, by "source reason" (see authFailure). */
  private readonly authFailuresLogged = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly settings: () => EventLogSettings,
  ) {}

  log(event: CoreEvent): void {
    switch (event.type) {
      case 'graceful-restart':
        this.restart(event);
        return;
      case 'graceful-restart-helper':
        this.helper(event);
        return;
      case 'neighbor-state':
        this.neighborState(event);
        return;
      case 'interface-state':
        this.logger.info(`interface ${event.ifName}: ${event.from} -> ${event.to}`, { ifName: event.ifName });
        return;
      case 'drop':
        this.drop(event);
        return;
    }
  }

  private drop(event: Extract<CoreEvent, { type: 'drop' }>): void {
    if (event.reason.startsWith('auth-')) {
      this.authFailure(event.ifName, event.reason, event.src);
    } else if (event.reason === 'duplicate-router-id') {
      // A misconfiguration, not a race: said at error level, once an hour per sender; every packet is counted.
      const src = formatIpv4(event.src);
      this.logger.limited(
        `duplicate-router-id:${event.ifName}:${src}`,
        'error',
        `Duplicate Router ID: ${src} on ${event.ifName} uses our router id ${formatIpv4(this.settings().routerId)}; no adjacency is formed with it`,
        { ifName: event.ifName, src },
        3_600_000,
      );
    } else {
      // Counted by the engine; most are ordinary protocol races (MinLSArrival, a DD before 2-Way).
      this.logger.limited(`drop:${event.ifName}:${event.reason}`, 'debug', 'dropped an OSPF packet', {
        ifName: event.ifName,
        reason: event.reason,
        src: formatIpv4(event.src),
      });
    }
  }

  /**
   * A packet that failed authentication (wrong key, password, type, or a
   * replay): a warning the first time a source address fails for a reason,
   * then only the engine's counter grows, so a misconfigured or hostile
   * neighbour cannot flood the log. Past AuthLogSources sources the
   * rate-limited log per reason takes over.
   */
  private authFailure(ifName: string, reason: string, src: number): void {
    const key = `${formatIpv4(src)} ${reason}`;
    const fields = { ifName, reason, src: formatIpv4(src) };
    if (this.authFailuresLogged.has(key)) return;
    if (this.authFailuresLogged.size >= AuthLogSources) {
      this.logger.limited(`auth:${reason}`, 'warning', 'OSPF authentication failed', fields);
      return;
    }
    this.authFailuresLogged.add(key);
    this.logger.warning('OSPF authentication failed; further failures of this neighbour for this reason are only counted', fields);
  }

  /** RFC 3623 2: the phases of our own graceful restart. */
  private restart(e: Extract<CoreEvent, { type: 'graceful-restart' }>): void {
    const until = new Date(performance.timeOrigin + e.until).toISOString();
    if (e.action === 'prepare') this.logger.notice(`graceful restart: grace-LSAs sent; the neighbours keep us until ${until}`);
    else if (e.action === 'enter') this.logger.notice(`graceful restart: restarting mode until ${until}: no LSA of ours originated, kernel routes untouched`);
    else this.logger.notice(`graceful restart: restarting mode over (${e.why ?? 'unknown'}); our LSAs originated anew, kernel routes replaced after the next SPF run`);
  }

  /** RFC 3623 3: helping a restarting neighbor, said at notice level as FRR does. */
  private helper(e: Extract<CoreEvent, { type: 'graceful-restart-helper' }>): void {
    const who = `neighbor ${formatIpv4(e.routerId)} on ${e.ifName}`;
    const until = new Date(performance.timeOrigin + e.until).toISOString();
    const fields = { neighbor: formatIpv4(e.routerId), address: formatIpv4(e.address), ifName: e.ifName };
    if (e.action === 'enter') {
      this.logger.notice(`graceful restart: helping ${who} until ${until} (${restartReasonName(e.restartReason)})`, { ...fields, until });
    } else if (e.action === 'exit') {
      this.logger.notice(`graceful restart: stopped helping ${who} (${e.why ?? 'unknown'})`, fields);
    } else {
      this.logger.warning(`graceful restart: not helping ${who} (${e.why ?? 'unknown'})`, fields);
    }
  }

  private neighborState(e: Extract<CoreEvent, { type: 'neighbor-state' }>): void {
    const mode = this.settings().logAdjacencyChanges;
    const important = (s: NeighborState): boolean => s === 'Full' || s === 'Down';
    const text = `neighbor ${formatIpv4(e.routerId)} on ${e.ifName}: ${e.from} -> ${e.to} (${e.reason})`;
    const fields = { neighbor: formatIpv4(e.routerId), address: formatIpv4(e.address), ifName: e.ifName };
    // FRR logs Full/Down transitions with log-adjacency-changes, every one with "detail";
    // without either, those two still go out at info, the rest at debug.
    const major = important(e.from) || important(e.to);
    if (mode === 'detail' || (mode === 'on' && major)) this.logger.notice(text, fields);
    else if (major) this.logger.info(text, fields);
    else this.logger.debug(text, fields);
  }
}
