// Watches one kernel route of the main table in a namespace through `ip monitor route`, so
// that a test can tell exactly when, and for how long, the route was absent:
// every add, replace and delete of the prefix is seen with the kernel's
// notification, not sampled by polling.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { NetnsLab } from '../../src/lab/netns.js';

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
    this.started = new Promise((resolve) => setTimeout(resolve, 200));
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
