// The queue of kernel route jobs: brings the kernel in line with the OSPF
// routing table, one job at a time, the latest state winning. With the SPF's
// changes only their prefixes are touched; without, every route is compared
// (an interface changed, the periodic check). Multipath reconfiguration
// waits its turn in the same queue.
//
// A job hands the installer every change it has at once: the installer plans
// them in one pass and sends them as one batch, several datagrams in flight
// and the event loop free between datagrams (src/io/netlink.ts), so Hellos
// still go out while tens of thousands of routes go in; each route that the
// kernel refuses is still reported on its own.

import type { InterfaceInfo } from '../core/api.js';
import type { SyncResult } from '../io/routes.js';
import { prefixKey } from '../io/kernel-route.js';
import type { Prefix } from '../lib/ipv4.js';
import type { FibInstaller, MultipathFib, MultipathSettings } from '../multipath/index.js';
import type { RouteChange, RouteTableView } from '../spf/index.js';
import { ReloadRefusedError } from './errors.js';
import { kernelChanges, kernelRoutes } from './fib.js';
import type { Logger } from './logger.js';

/** How often the kernel is re-read for routes it lost behind our back. */
const KernelCheckMs = 60_000;

export type RouteInstaller = FibInstaller & Partial<Pick<MultipathFib, 'multipath' | 'reconfigure'>>;

export interface FibQueueSource {
  routes: RouteInstaller;
  table(): RouteTableView;
  interfaces(): readonly InterfaceInfo[];
  /** No job now: the daemon is stopping, or restarting gracefully (RFC 3623 2.2: the kernel keeps the routes of before). */
  held(): boolean;
  logger: Logger;
}

export class FibQueue {
  private queue: Promise<void> = Promise.resolve();
  private dirty = false;
  /** The next job brings every route to the table (an interface changed, a periodic check): not only the changed ones. */
  private full = false;
  /** Prefixes whose route changed since the last job, by prefixKey(). */
  private readonly changed = new Map<number, Prefix>();
  /** The kernel may have dropped routes behind our back (an interface went down): re-read it on the next job. */
  private kernelCheck = false;
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(private readonly source: FibQueueSource) {}

  /** Once a minute, make sure the kernel still holds what we installed. */
  startPeriodicCheck(): void {
    this.checkTimer = setInterval(() => {
      this.kernelCheck = true;
      // No route changed: the check re-reads the kernel and plans only what it lost.
      this.sync([]);
    }, KernelCheckMs);
    this.checkTimer.unref();
  }

  /** An interface went down: the kernel deleted the routes through it; re-read it on the next job. */
  checkKernel(): void {
    this.kernelCheck = true;
  }

  /** Queues a job for these route changes, or, without, for every route. */
  sync(changes?: readonly RouteChange[]): void {
    if (this.source.held()) return;
    if (changes === undefined) this.full = true;
    else for (const change of changes) this.changed.set(prefixKey(change.prefix), change.prefix);
    if (this.dirty) return;
    this.dirty = true;
    this.queue = this.queue.then(() => this.run());
  }

  /**
   * New multipath settings go to the kernel after any job under way: OSPF
   * is not touched, adjacencies and the routing table stay, the routes move
   * to groups of the new kind.
   */
  async reconfigure(settings: MultipathSettings): Promise<void> {
    const routes = this.source.routes;
    if (routes.reconfigure === undefined) throw new ReloadRefusedError('the route installer cannot change multipath settings: restart the daemon to apply them');
    const run = this.queue.then(() => routes.reconfigure?.(settings));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    const result = await run;
    for (const failure of result?.failed ?? []) this.source.logger.warning('kernel refused a route', { error: failure.message });
  }

  /** No more periodic checks. */
  close(): void {
    if (this.checkTimer !== undefined) clearInterval(this.checkTimer);
  }

  /** Resolves once the jobs queued so far are done. */
  settled(): Promise<void> {
    return this.queue;
  }

  private async run(): Promise<void> {
    this.dirty = false;
    if (this.source.held()) return;
    const { routes, logger } = this.source;
    const byName = new Map(this.source.interfaces().map((i) => [i.name, i]));
    const full = this.full;
    const changed = [...this.changed.values()];
    this.full = false;
    this.changed.clear();
    const table = this.source.table();
    const install = (): Promise<SyncResult> => {
      if (full) return routes.sync(kernelRoutes(table.routes(), byName));
      if (changed.length === 0) return Promise.resolve({ added: [], replaced: [], removed: [], unchanged: 0, failed: [] });
      const { routes: changedRoutes, removed } = kernelChanges(changed, table, byName);
      return routes.update(changedRoutes, removed);
    };
    try {
      let result = await install();
      if (this.kernelCheck) {
        this.kernelCheck = false;
        const repaired = await routes.refresh();
        result = { ...repaired, failed: [...result.failed, ...repaired.failed] };
      }
      for (const failure of result.failed) logger.warning('kernel refused a route', { error: failure.message });
      if (result.added.length + result.replaced.length + result.removed.length > 0) {
        logger.info('kernel routes updated', { added: result.added.length, replaced: result.replaced.length, removed: result.removed.length });
      }
    } catch (err) {
      logger.error('cannot update kernel routes', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
