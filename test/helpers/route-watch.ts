// Watches one kernel route of the main table in a namespace through `ip monitor route`, so
// that a test can tell exactly when, and for how long, the route was absent:
// every add, replace and delete of the prefix is seen with the kernel's
// notification, not sampled by polling.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { NetnsLab } from '../../src/lab/netns.js';
import { sleep } from './wait.js';

/** One absence of the route: from its deletion to its return (or to `until` when it has not returned). */
export interface RouteGap {
  from: number;
  to: number | undefined;
}

export class RouteWatch {
  private readonly child: ChildProcessWithoutNullStreams;
  private present: boolean;
  private gapStart: number | undefined;
  private readonly gaps: RouteGap[] = [];
  private buffer = '';
  private readonly started: Promise<void>;

  /** Starts watching `prefix` (e.g. '10.206.206.1') in `ns`; `present` is whether the route is there now. */
  constructor(lab: NetnsLab, ns: string, private readonly prefix: string, present: boolean) {
    this.present = present;
    if (!present) this.gapStart = Date.now();
    this.child = lab.spawn(ns, 'ip', ['monitor', 'route']);
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk.toString()));
    // `ip monitor` prints nothing when it is ready; a short pause lets it subscribe.
    this.started = sleep(200);
  }

  ready(): Promise<void> {
    return this.started;
  }

  private onData(text: string): void {
    this.buffer += text;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    const now = Date.now();
    for (const line of lines) {
      const deleted = line.startsWith('Deleted ');
      const rest = deleted ? line.slice('Deleted '.length) : line;
      const dst = rest.split(' ')[0];
      if (dst !== this.prefix && dst !== `${this.prefix}/32`) continue;
      // The main table only: `ip monitor` names any other (per-packet spreading keeps one per next hop).
      if (/ table (?!main\b)/.test(rest)) continue;
      if (deleted && this.present) {
        this.present = false;
        this.gapStart = now;
      } else if (!deleted && !this.present) {
        this.present = true;
        this.gaps.push({ from: this.gapStart ?? now, to: now });
        this.gapStart = undefined;
      }
    }
  }

  /** The absences seen so far, the current one included (open-ended). */
  absences(): RouteGap[] {
    return this.gapStart === undefined ? [...this.gaps] : [...this.gaps, { from: this.gapStart, to: undefined }];
  }

  /** The longest absence in ms (an open one counts up to now); 0 when the route never went. */
  longestGapMs(): number {
    const now = Date.now();
    return Math.max(0, ...this.absences().map((g) => (g.to ?? now) - g.from));
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

/** How many next hops the route had from `at` on (0: absent). */
export interface NexthopCount {
  at: number;
  count: number;
}

/**
 * The next hops of one main-table route as `ip monitor route` reports them:
 * every notification of the prefix is counted (one `nexthop via` line per
 * next hop of a multipath route, `via` on the line itself for a single one,
 * a deletion as none). With nexthop objects the kernel (nexthop_compat_mode,
 * on by default) notifies the routes that use a group when the group changes.
 */
export class NexthopCounts {
  private readonly counts: NexthopCount[];
  /** Whether the notification being read (its continuation lines) is of the prefix. */
  private inOurs = false;
  private buffer = '';

  /** `prefix` (e.g. '10.206.206.1') has `count` next hops at `at`. */
  constructor(private readonly prefix: string, count: number, at: number) {
    this.counts = [{ at, count }];
  }

  /** Reads `text`, a piece of `ip monitor route` output that arrived at `now`. */
  feed(text: string, now: number): void {
    this.buffer += text;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (/^\s/.test(line)) {
        // A continuation line: one next hop of the notification being read.
        if (this.inOurs && /^\s+nexthop\b.*\bvia /.test(line)) {
          const last = this.counts[this.counts.length - 1] as NexthopCount;
          last.count = (last.count === -1 ? 0 : last.count) + 1;
        }
        continue;
      }
      const deleted = line.startsWith('Deleted ');
      const rest = deleted ? line.slice('Deleted '.length) : line;
      const dst = rest.split(' ')[0];
      this.inOurs = (dst === this.prefix || dst === `${this.prefix}/32`) && !/ table (?!main\b)/.test(rest);
      if (!this.inOurs) continue;
      // -1 until its `nexthop` lines are read: a multipath notification lists them on the lines that follow.
      const count = deleted ? 0 : / via /.test(rest) ? 1 : -1;
      this.counts.push({ at: now, count });
      if (deleted) this.inOurs = false;
    }
  }

  /** Every count seen, the first being the one given at the start. */
  history(): NexthopCount[] {
    return this.counts.map((c) => ({ at: c.at, count: Math.max(c.count, 0) }));
  }

  /** The fewest next hops seen. */
  fewest(): number {
    return Math.min(...this.history().map((c) => c.count));
  }

  /** How long in all, up to `now`, the route had fewer than `count` next hops, in ms. */
  msBelow(count: number, now: number): number {
    const h = this.history();
    return h.reduce((sum, c, k) => (c.count < count ? sum + ((h[k + 1]?.at ?? now) - c.at) : sum), 0);
  }
}

/** NexthopCounts of a route in a namespace, fed by `ip monitor route` as the kernel notifies. */
export class NexthopWatch {
  private readonly child: ChildProcessWithoutNullStreams;
  readonly counts: NexthopCounts;
  private readonly started: Promise<void>;

  /** Starts watching `prefix` (e.g. '10.206.206.1') in `ns`, which has `count` next hops now. */
  constructor(lab: NetnsLab, ns: string, prefix: string, count: number) {
    this.counts = new NexthopCounts(prefix, count, Date.now());
    this.child = lab.spawn(ns, 'ip', ['monitor', 'route']);
    this.child.stdout.on('data', (chunk: Buffer) => this.counts.feed(chunk.toString(), Date.now()));
    // `ip monitor` prints nothing when it is ready; a short pause lets it subscribe.
    this.started = sleep(200);
  }

  ready(): Promise<void> {
    return this.started;
  }

  /** How long in all the route had fewer than `count` next hops (an interval still open counting up to now), in ms. */
  msBelow(count: number): number {
    return this.counts.msBelow(count, Date.now());
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
