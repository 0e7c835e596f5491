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

/** Splits a byte stream into lines; a final partial line comes out on flush(). Lines are capped at maxBytes. */
export class LineSplitter {
  private partial = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes = 4096,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const lines = text.split('\n');
    this.partial = lines.pop() as string;
    if (this.partial.length > this.maxBytes) {
      this.onLine(this.partial.slice(0, this.maxBytes));
      this.partial = '';
    }
    for (const line of lines) this.onLine(line.replace(/\r$/, '').slice(0, this.maxBytes));
  }

  flush(): void {
    if (this.partial !== '') this.onLine(this.partial.replace(/\r$/, ''));
    this.partial = '';
  }
}
