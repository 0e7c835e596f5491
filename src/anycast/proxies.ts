// The supervised proxies of an announcer: one ProcessSupervisor per proxy
// (command, directory, environment), shared by every prefix whose process
// check runs it, with the checks that use it.

import type { LogEntry } from './announcer-api.js';
import type { CheckRuntime, PrefixRuntime, SupervisedProcess } from './runtime.js';
import { ProcessSupervisor, proxyIdentity, retireUnclaimed, type ExitInfo, type SpawnInfo } from './supervisor.js';
import type { ProcessCheckOptions } from './types.js';

/** What the announcer does when a proxy logs, starts or exits. */
export interface ProxyHooks {
  log(level: LogEntry['level'], message: string): void;
  spawned(proc: SupervisedProcess, info: SpawnInfo): void;
  exited(proc: SupervisedProcess, info: ExitInfo): void;
}

export class ProxyPool {
  /** By proxyIdentity(), which also names the proxy's record file. */
  private readonly processes = new Map<string, SupervisedProcess>();

  constructor(
    /** The announcer's record directory: proxies recorded there outlive it unless stopOnExit. */
    private readonly recordDirectory: string | undefined,
    private readonly hooks: ProxyHooks,
  ) {}

  /**
   * Makes `cr` a user of its proxy: a new supervisor, or the one already
   * running it, retuned to `opts`; a running proxy reused by a
   * reconfiguration is healthy as it is.
   */
  supervise(rt: PrefixRuntime, cr: CheckRuntime, opts: ProcessCheckOptions, now: number): void {
    const key = proxyIdentity(opts);
    let proc = this.processes.get(key);
    if (proc === undefined) {
      const directory = this.recordDirectory;
      const record = directory === undefined ? undefined : { directory, outlive: opts.stopOnExit !== true };
      const supervisor = new ProcessSupervisor(opts, `[${cr.resolved.name}] `, record);
      const created: SupervisedProcess = { supervisor, users: [] };
      supervisor.on('output', (line, stream) => this.hooks.log(stream === 'stderr' ? 'warn' : 'info', line));
      supervisor.on('log', (level, message) => this.hooks.log(level, `${cr.resolved.name}: ${message}`));
      supervisor.on('spawn', (info) => this.hooks.spawned(created, info));
      supervisor.on('exit', (info) => this.hooks.exited(created, info));
      this.processes.set(key, created);
      proc = created;
    } else {
      proc.supervisor.retune(opts);
      const pid = proc.supervisor.pid;
      if (pid !== undefined) {
        cr.healthy = true;
        cr.reason = `running (pid ${pid})`;
        cr.process = { pid, starts: proc.supervisor.startCount, since: now };
      }
    }
    proc.users.push({ rt, check: cr });
  }

  /** Stops the proxies that no prefix needs any more (`stop`); the others keep the users among `current` only. */
  release(stop: readonly ProcessCheckOptions[], current: readonly PrefixRuntime[]): Promise<void>[] {
    const stops = stop.map((proxy) => {
      const key = proxyIdentity(proxy);
      const proc = this.processes.get(key) as SupervisedProcess;
      this.processes.delete(key);
      return proc.supervisor.stop();
    });
    for (const proc of this.processes.values()) proc.users = proc.users.filter((u) => current.includes(u.rt));
    return stops;
  }

  /** Starts (or adopts) every proxy that is not running yet. */
  start(): void {
    for (const proc of this.processes.values()) proc.supervisor.start();
  }

  /** Stops the proxies recorded by an earlier announcer that none of ours is (the configuration changed meanwhile). */
  async retireUnclaimed(): Promise<void> {
    const directory = this.recordDirectory;
    if (directory === undefined) return;
    // A proxy under stopOnExit left by a crashed daemon is stopped too: ours starts afresh.
    const claimed = new Set([...this.processes.values()].flatMap((p) => (p.supervisor.outlives ? (p.supervisor.recordPath ?? []) : [])));
    for (const line of await retireUnclaimed(directory, claimed)) this.hooks.log('warn', line);
  }

  /** Stops every proxy, or leaves running those recorded to outlive the announcer (unless `stopProxies` or their stopOnExit). */
  shutdown(stopProxies: boolean): Promise<void>[] {
    return [...this.processes.values()].map((proc) => (stopProxies || stopsOnExit(proc) ? proc.supervisor.stop() : proc.supervisor.detach()));
  }
}

/** Whether any prefix using the proxy asks for it to be stopped with the announcer. */
function stopsOnExit(proc: SupervisedProcess): boolean {
  return proc.users.some(({ check }) => check.resolved.options.kind === 'process' && check.resolved.options.stopOnExit === true);
}
