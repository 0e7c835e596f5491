// Harness for the lab and the tests that run in Linux network namespaces: run-unique names,
// namespaces, veth pairs, bridges, addresses, commands and child processes
// inside a namespace, and a teardown that always runs and is bounded in time.
//
//   const lab = new NetnsLab('tr');               // names carry a run-unique prefix
//   const a = lab.namespace('a'), b = lab.namespace('b');
//   lab.veth(a, 'e0', b, 'e0');                   // e0 in a ⇄ e0 in b
//   lab.address(a, 'e0', '10.0.0.1/24'); lab.up(a, 'e0');
//   const child = lab.spawnJson(a, process.execPath, ['test/io/driver.mjs']);
//   …
//   await lab.teardown();                          // also runs on process exit
//
// Convention for every namespace test (see namespaceGate): when not root or
// namespaces are unavailable, skip with a printed reason — unless CI=true,
// where the tests run and fail instead.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

/** Thrown when a command run by the harness fails or times out. */
export class NetnsCommandError extends Error {
  override name = 'NetnsCommandError';
  constructor(
    readonly command: string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`command failed (${status ?? 'timeout'}): ${command.join(' ')}: ${stderr.trim()}`);
  }
}

/** Thrown when a JSON-lines child does not answer or emit in time, or dies. */
export class ChildTimeoutError extends Error {
  override name = 'ChildTimeoutError';
}

const COMMAND_TIMEOUT_MS = 10_000;
const TEARDOWN_BUDGET_MS = 10_000;

/** Can this process create network namespaces? Root and a working `ip netns`. */
export function canRunNamespaces(): { ok: boolean; reason?: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'not running as root' };
  const probe = `nsprobe${process.pid}${randomBytes(2).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  if (add.error) return { ok: false, reason: `cannot run ip: ${add.error.message}` };
  if (add.status !== 0) return { ok: false, reason: `ip netns add failed: ${add.stderr.trim()}` };
  spawnSync('ip', ['netns', 'del', probe], { timeout: COMMAND_TIMEOUT_MS });
  return { ok: true };
}

/**
 * Decide whether namespace tests run. Returns skip=true (and prints why) when
 * namespaces are unavailable and CI is not 'true'; under CI=true it never
 * skips, so a missing capability fails the tests instead of hiding them.
 */
export function namespaceGate(what: string): { skip: boolean; reason?: string } {
  const check = canRunNamespaces();
  if (check.ok) return { skip: false };
  if (process.env.CI === 'true') return { skip: false, reason: check.reason };
  console.warn(`skipping ${what}: ${check.reason}`);
  return { skip: true, reason: check.reason };
}

/** A short run-unique tag: interface names must stay within 15 characters. */
function runTag(): string {
  return `${(process.pid % 46656).toString(36).padStart(3, '0')}${randomBytes(2).toString('hex').slice(0, 3)}`;
}

// Every lab still alive when the process exits is torn down synchronously.
const liveLabs = new Set<NetnsLab>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lab of liveLabs) lab.teardownSync();
  });
}

export interface ExecResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One test's set of namespaces, links and child processes. */
export class NetnsLab {
  /** Run-unique prefix carried by every namespace name of this lab. */
  readonly prefix: string;
  /** Run-unique short tag for interface names (ifName(…) adds it). */
  readonly tag: string;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcessWithoutNullStreams>();
  private torn = false;
  private vethCount = 0;

  constructor(label: string) {
    this.tag = runTag();
    this.prefix = `oa-${label}-${this.tag}`;
    liveLabs.add(this);
    installExitHook();
  }

  /** Create a namespace; returns its full name. Loopback is brought up. */
  namespace(short: string): string {
    const name = `${this.prefix}-${short}`;
    run(['ip', 'netns', 'add', name]);
    this.namespaces.push(name);
    run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    // Namespace tests spoof sources on purpose; keep the kernel from filtering them.
    run(['ip', 'netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0']);
    run(['ip', 'netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv4.conf.default.rp_filter=0']);
    return name;
  }

  /** A veth pair with one end in each namespace (both ends down). */
  veth(nsA: string, ifA: string, nsB: string, ifB: string): void {
    const n = this.vethCount++;
    const tmpA = `v${this.tag}a${n}`;
    const tmpB = `v${this.tag}b${n}`;
    run(['ip', 'link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB]);
    run(['ip', 'link', 'set', tmpA, 'netns', nsA, 'name', ifA]);
    run(['ip', 'link', 'set', tmpB, 'netns', nsB, 'name', ifB]);
  }

  /** A bridge inside a namespace with the given ports enslaved, all up. */
  bridge(ns: string, name: string, ports: string[]): void {
    run(['ip', '-n', ns, 'link', 'add', name, 'type', 'bridge']);
    for (const port of ports) {
      run(['ip', '-n', ns, 'link', 'set', port, 'master', name]);
      run(['ip', '-n', ns, 'link', 'set', port, 'up']);
    }
    run(['ip', '-n', ns, 'link', 'set', name, 'up']);
  }

  address(ns: string, ifName: string, cidr: string): void {
    run(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', ifName]);
  }

  up(ns: string, ifName: string): void {
    run(['ip', '-n', ns, 'link', 'set', ifName, 'up']);
  }

  down(ns: string, ifName: string): void {
    run(['ip', '-n', ns, 'link', 'set', ifName, 'down']);
  }

  /** Run a command inside a namespace; throws NetnsCommandError when it fails. */
  exec(ns: string, cmd: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): string {
    return run(['ip', 'netns', 'exec', ns, cmd, ...args], timeoutMs);
  }

  /** Run a command inside a namespace and return its outcome, failing or not. */
  execResult(ns: string, cmd: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): ExecResult {
    const result = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: timeoutMs });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  }

  /** `ip -j …` inside a namespace, parsed. */
  ipJson<T = unknown>(ns: string, args: string[]): T {
    const text = run(['ip', '-n', ns, '-j', ...args]);
    return JSON.parse(text.trim() === '' ? '[]' : text) as T;
  }

  /** Start a long-running process inside a namespace; it is killed at teardown. */
  spawn(ns: string, cmd: string, args: string[]): ChildProcessWithoutNullStreams {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Start a JSON-lines driver inside a namespace (see JsonLineChild). */
  spawnJson(ns: string, cmd: string, args: string[]): JsonLineChild {
    return new JsonLineChild(this.spawn(ns, cmd, args));
  }

  /** Kill children and delete namespaces (their veths and bridges go with them). */
  async teardown(): Promise<void> {
    if (this.torn) return;
    const deadline = Date.now() + TEARDOWN_BUDGET_MS;
    const exits = [...this.children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    );
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, Math.min(3000, deadline - Date.now())))]);
    this.teardownSync();
  }

  /** Synchronous teardown, for the process 'exit' hook. Idempotent. */
  teardownSync(): void {
    if (this.torn) return;
    this.torn = true;
    liveLabs.delete(this);
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of this.namespaces.reverse()) {
      // What our children left running in the namespace (a SIP proxy outlives its daemon) goes too.
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
      for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
    }
  }
}

function run(argv: string[], timeoutMs = COMMAND_TIMEOUT_MS): string {
  const [cmd, ...args] = argv;
  // Route listings of large labs run to megabytes: no cap below what memory allows.
  const result = spawnSync(cmd as string, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 30 });
  if (result.error || result.status !== 0) {
    throw new NetnsCommandError(argv, result.status, result.error ? result.error.message : (result.stderr ?? ''));
  }
  return result.stdout ?? '';
}

/** A message written by a driver: a reply ({id, ok, …}) or an event ({event, …}). */
export type DriverMessage = Record<string, unknown> & { id?: number; event?: string; ok?: boolean };

/**
 * A child process that takes JSON-lines requests on stdin and writes JSON
 * lines on stdout: replies carry the request's id, events carry `event`.
 */
export class JsonLineChild {
  /** Every event line received so far, in order. */
  readonly events: (DriverMessage & { receivedAt: number })[] = [];
  private readonly pending = new Map<number, (msg: DriverMessage) => void>();
  private readonly waiters = new Set<() => void>();
  private nextId = 1;
  private stderr = '';
  private exited: string | undefined;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => this.onLine(line));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      this.exited = `exited with ${code ?? signal}; stderr: ${this.stderr.trim()}`;
      for (const wake of this.waiters) wake();
    });
  }

  private onLine(line: string): void {
    let msg: DriverMessage;
    try {
      msg = JSON.parse(line) as DriverMessage;
    } catch {
      this.stderr += `\nunparsable stdout line: ${line}`;
      return;
    }
    if (typeof msg.id === 'number' && this.pending.has(msg.id)) {
      const resolve = this.pending.get(msg.id) as (m: DriverMessage) => void;
      this.pending.delete(msg.id);
      resolve(msg);
      return;
    }
    this.events.push({ ...msg, receivedAt: performance.now() });
    for (const wake of this.waiters) wake();
  }

  /** Send a request and wait for its reply; rejects when the reply says ok:false. */
  request(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<DriverMessage> {
    if (this.exited) return Promise.reject(new ChildTimeoutError(`driver ${this.exited}`));
    const id = this.nextId++;
    return new Promise<DriverMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ChildTimeoutError(`no reply to ${cmd} within ${timeoutMs} ms (${this.exited ?? 'running'}; stderr: ${this.stderr.trim()})`));
      }, timeoutMs);
      this.pending.set(id, (msg) => {
        clearTimeout(timer);
        if (msg.ok === false) reject(new Error(`${cmd} failed in driver: ${String(msg.error)}`));
        else resolve(msg);
      });
      this.child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  /** Wait until an event after index `from` satisfies the predicate; returns it. */
  waitForEvent(predicate: (msg: DriverMessage) => boolean, timeoutMs: number, from = 0): Promise<DriverMessage & { receivedAt: number }> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.slice(from).find(predicate);
        if (found) {
          cleanup();
          resolve(found);
          return true;
        }
        if (this.exited) {
          cleanup();
          reject(new ChildTimeoutError(`driver ${this.exited}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new ChildTimeoutError(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(from)).slice(0, 2000)}`));
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

  /** Wait for `timeoutMs` and return the events after `from` that match (for "nothing arrived" checks). */
  async collect(predicate: (msg: DriverMessage) => boolean, timeoutMs: number, from = 0): Promise<DriverMessage[]> {
    await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    return this.events.slice(from).filter(predicate);
  }
}
