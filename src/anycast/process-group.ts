// Process groups of the children we start (proxies, exec checks): each child
// leads its own group, so one signal reaches everything it forked. Groups
// still alive when this process exits are killed on the way out, so a crash
// or process.exit() of the daemon leaves no orphans behind.

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
}

/** Send a signal to a whole process group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Remember a group to kill if this process exits before it is released. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!exitHookInstalled) {
    process.on('exit', killAllOnExit);
    exitHookInstalled = true;
  }
}

/** Forget a group (its leader has exited and the rest were killed). */
export function releaseGroup(pgid: number): void {
  liveGroups.delete(pgid);
  if (liveGroups.size === 0 && exitHookInstalled) {
    process.off('exit', killAllOnExit);
    exitHookInstalled = false;
  }
}

/**
 * Splits a byte stream into lines; a final partial line comes out on flush().
 * A line longer than maxBytes comes out cut at maxBytes and the rest of it is
 * dropped, so a child printing without newlines cannot grow our memory.
 */
export class LineSplitter {
  private partial = '';
  /** Inside an over-long line whose head has already been emitted. */
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes = 4096,
  ) {}

  push(chunk: Buffer | string): void {
    const lines = (this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'))).split('\n');
    this.partial = lines.pop() as string;
    for (const line of lines) {
      if (this.skipping) this.skipping = false;
      else this.onLine(line.replace(/\r$/, '').slice(0, this.maxBytes));
    }
    if (this.partial.length > this.maxBytes) {
      if (!this.skipping) this.onLine(this.partial.slice(0, this.maxBytes));
      this.skipping = true;
      this.partial = '';
    }
  }

  flush(): void {
    if (this.partial !== '' && !this.skipping) this.onLine(this.partial.replace(/\r$/, ''));
    this.partial = '';
    this.skipping = false;
  }
}
