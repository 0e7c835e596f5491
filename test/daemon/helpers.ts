// Shared by the daemon's namespace tests: a kernel route as `ip -j route show
// PREFIX` reports it, and a daemon's output collected for assertions.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { NetnsLab } from '../helpers/netns.js';

export interface KernelRouteView {
  gateway?: string;
  dev?: string;
  protocol?: string;
}

export function kernelRoute(lab: NetnsLab, ns: string, prefix: string): KernelRouteView | undefined {
  return lab.ipJson<KernelRouteView[]>(ns, ['route', 'show', prefix])[0];
}

/** Appends everything `child` writes, stdout and stderr, to logs[key]. */
export function collectOutput(child: ChildProcessWithoutNullStreams, logs: Record<string, string>, key: string): void {
  child.stdout.on('data', (d: Buffer) => (logs[key] += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs[key] += d.toString()));
}
