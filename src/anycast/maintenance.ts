// The maintenance file: while it exists the prefix is drained. Changes are
// seen at once through fs.watch on the file's directory, and within a second
// through a stat poll that covers what fs.watch misses (network file
// systems, the directory being created later, watcher errors).

import { watch, statSync, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export const MAINTENANCE_POLL_MS = 1000;

function existsNow(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export class MaintenanceFileWatcher {
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private present = false;
  private checking = false;
  private recheck = false;
  private active = false;

  constructor(
    readonly path: string,
    private readonly onChange: (present: boolean) => void,
    private readonly pollMs = MAINTENANCE_POLL_MS,
  ) {}

  /** Start watching; returns whether the file is there now (no onChange for the initial state). */
  start(): boolean {
    if (this.active) return this.present;
    this.active = true;
    this.present = existsNow(this.path);
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: true }, (_event, filename) => {
        if (filename === null || filename === name) this.check();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      // No directory yet, or no inotify: the poll alone notices the file.
      this.watcher = undefined;
    }
    this.poll = setInterval(() => this.check(), this.pollMs);
    return this.present;
  }

  stop(): void {
    this.active = false;
    this.closeWatcher();
    if (this.poll !== undefined) clearInterval(this.poll);
    this.poll = undefined;
  }

  get isPresent(): boolean {
    return this.present;
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Stat the file; one stat at a time, with one more after if events came in meanwhile. */
  private check(): void {
    if (!this.active) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    void stat(this.path).then(
      () => this.settle(true),
      () => this.settle(false),
    );
  }

  private settle(present: boolean): void {
    this.checking = false;
    if (!this.active) return;
    if (present !== this.present) {
      this.present = present;
      this.onChange(present);
    }
    if (this.recheck) {
      this.recheck = false;
      this.check();
    }
  }
}
