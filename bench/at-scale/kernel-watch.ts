// Watches one namespace's OSPF routes (protocol 188) from the outside:
// `ip -ts monitor route` stamps every route the kernel adds, replaces or
// deletes with the time it was read, and `ip route show proto ospf` counts
// what the table holds. Times are ms on performance.timeOrigin + now, the
// clock the injector's replies use.

import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { NetnsLab } from '../../src/lab/netns.js';

export interface RouteEvent {
  at: number;
  deleted: boolean;
  prefix: string;
}

/** "[2026-12-07T07:50:45.344671] Deleted 10.128.0.7 nhid 5 via … proto ospf …" (local time, run under TZ=UTC). */
export function parseMonitorLine(line: string): RouteEvent | undefined {
  const match = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?\] (Deleted )?(\S+) .*proto ospf/.exec(line);
  if (match === null) return undefined;
  const at = Date.parse(`${match[1]}Z`) + Number(match[2] ?? '0') * 1000;
  const prefix = match[4].includes('/') ? match[4] : `${match[4]}/32`;
  return { at, deleted: match[3] !== undefined, prefix };
}

export class KernelWatch {
  readonly events: RouteEvent[] = [];
  private child: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly lab: NetnsLab,
    private readonly ns: string,
  ) {
    this.child = this.listen();
  }

  /** `ip monitor` again whenever it ends (it gives up on a receive error such as ENOBUFS). */
  private listen(): ChildProcessWithoutNullStreams {
    // A 4 MiB receive buffer (net.core.rmem_max here) so that a burst of 100,000 routes is not dropped.
    const child = this.lab.spawn(this.ns, 'env', ['TZ=UTC', 'ip', '-ts', '-rcvbuf', '4194304', 'monitor', 'route']);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = parseMonitorLine(line);
      if (event === undefined) return;
      this.events.push(event);
      for (const wake of this.waiters) wake();
    });
    child.on('exit', () => {
      if (!this.stopped) this.child = this.listen();
    });
    return child;
  }

  /** The routes of protocol 188 the table holds now. */
  count(): number {
    // Counted in the namespace: the listing of 100,000 routes is more than a spawnSync buffer. Next-hop lines start with a blank.
    const result = this.lab.execResult(this.ns, 'sh', ['-c', "ip -4 route show proto ospf | grep -c '^[^[:space:]]'"], 60_000);
    return Number(result.stdout.trim());
  }

  /** Whether the table holds a route to `prefix` ("a.b.c.d/len"). */
  holds(prefix: string): boolean {
    return this.lab.execResult(this.ns, 'ip', ['-4', 'route', 'show', prefix, 'proto', 'ospf']).stdout.trim() !== '';
  }

  /** The first event after index `from` that matches, or a timeout. */
  next(match: (e: RouteEvent) => boolean, from: number, timeoutMs: number): Promise<RouteEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.slice(from).find(match);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching route event within ${timeoutMs} ms`));
      }, timeoutMs);
      const wake = (): void => void check();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
      check();
    });
  }

  stop(): void {
    this.stopped = true;
    this.child.kill('SIGTERM');
  }
}
