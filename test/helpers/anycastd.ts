// ospf-anycastd in an interop lab: the daemon built into dist/, in a
// namespace, configured from a file the tests may rewrite, read through its
// control socket and the CLI.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '../../src/control/protocol.js';
import type { ControlRequest } from '../../src/control/requests.js';
import type { DatabaseRowView, InterfaceRowView, NeighborRowView, OspfSummaryView, RouteRowView } from '../../src/control/views.js';
import { COMMAND_TIMEOUT_MS, PeerProcess, normalSeq, tail, type LabHost, type LabPeer, type LsaKey, type NeighborView } from './peer-process.js';
import { WaitAborted, waitFor } from './wait.js';

export type { DatabaseRowView, InterfaceRowView, NeighborRowView, OspfSummaryView, RouteRowView };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The daemon and the CLI as built into dist/ by the tests' global setup. */
export const DAEMON_BIN = join(repoRoot, 'dist/src/bin/ospf-anycastd.js');
export const CLI_BIN = join(repoRoot, 'dist/src/bin/ospf-anycast.js');


/**
 * ospf-anycastd from dist/, its configuration in a file the tests may rewrite.
 * Queries go straight to the control socket (what `ospf-anycast --json`
 * prints); cli() runs the real CLI binary.
 */
export class AnycastDaemon implements LabPeer {
  readonly confPath: string;
  readonly socket: string;
  private process: PeerProcess | undefined;

  constructor(
    private readonly lab: LabHost,
    readonly ns: string,
    readonly label: string,
    dir: string,
    conf: string,
  ) {
    this.confPath = join(dir, 'ospf-anycastd.conf');
    this.socket = join(dir, 'ospf-anycastd.sock');
    this.writeConfig(conf);
  }

  writeConfig(conf: string): void {
    writeFileSync(this.confPath, `hostname ${this.label}\nlog stdout informational\n${conf}`);
  }

  /** Start the daemon; resolves when it answers `show ospf` on its control socket. */
  async start(timeoutMs = 20_000): Promise<void> {
    const args = [DAEMON_BIN, '-f', this.confPath, '--socket', this.socket];
    this.process = new PeerProcess(`${this.label} ospf-anycastd`, this.lab.net.spawn(this.ns, process.execPath, args));
    await waitFor(
      `${this.label} ospf-anycastd answering on ${this.socket}`,
      async () => {
        if (!this.running) throw new WaitAborted(`ospf-anycastd ended (${await this.process?.exited})`);
        return (await this.ospf()).routerId !== undefined;
      },
      { timeoutMs, intervalMs: 100, detail: () => this.report() },
    );
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** The daemon's process id (the `ip netns exec` process execs node). */
  get pid(): number {
    const pid = this.process?.child.pid;
    if (pid === undefined) throw new Error(`${this.label}: ospf-anycastd was never started`);
    return pid;
  }

  /** Re-read the configuration file, as an operator would: SIGHUP. */
  reload(): void {
    process.kill(this.pid, 'SIGHUP');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<string> {
    if (this.process === undefined) throw new Error(`${this.label}: ospf-anycastd was never started`);
    return this.process.stop(signal, timeoutMs);
  }

  async stopAll(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }

  output(): string {
    return this.process?.output() ?? '';
  }

  /** `ospf-anycast --socket SOCK --json ARGS…`, parsed. */
  cli<T>(...args: string[]): Promise<T> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [CLI_BIN, '--socket', this.socket, '--json', ...args], { timeout: COMMAND_TIMEOUT_MS }, (err, stdout, stderr) => {
        if (err) reject(new Error(`ospf-anycast ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else {
          try {
            resolve(JSON.parse(stdout) as T);
          } catch {
            reject(new Error(`ospf-anycast ${args.join(' ')} printed no JSON: ${stdout.slice(0, 500)}`));
          }
        }
      });
    });
  }

  /** A `show` request on the control socket, as the CLI sends it. */
  async show<T>(what: string, args: Record<string, unknown> = {}): Promise<T> {
    return (await controlRequest(this.socket, { command: 'show', args: { what, ...args } } as ControlRequest, COMMAND_TIMEOUT_MS)) as T;
  }

  ospf(): Promise<OspfSummaryView> {
    return this.show('ospf');
  }

  interfaces(): Promise<InterfaceRowView[]> {
    return this.show('interfaces');
  }

  routes(): Promise<RouteRowView[]> {
    return this.show('routes');
  }

  /** `show database [TYPE [LSID]]`; with an LSID each row carries the decoded body. */
  database(type?: string, lsId?: string): Promise<{ areaId: string; lsas: DatabaseRowView[] }> {
    return this.show('database', { type, lsId });
  }

  async lsdb(): Promise<LsaKey[]> {
    const { lsas } = await this.database();
    return lsas.map((l) => ({ type: l.type, lsId: l.lsId, advRouter: l.advRouter, seq: normalSeq(l.seq) }));
  }

  rawNeighbors(): Promise<NeighborRowView[]> {
    return this.show('neighbors');
  }

  /** Neighbors in the shared shape; the role comes from the interface's DR and BDR. */
  async neighbors(): Promise<NeighborView[]> {
    const [rows, interfaces] = await Promise.all([this.rawNeighbors(), this.interfaces()]);
    return rows.map((n) => {
      const i = interfaces.find((x) => x.name === n.ifName);
      const broadcast = i !== undefined && i.networkType !== 'point-to-point';
      const role = !broadcast ? '' : i.dr === n.address ? 'DR' : i.bdr === n.address ? 'Backup' : 'DROther';
      return { routerId: n.routerId, state: n.state, role, address: n.address, ifName: n.ifName };
    });
  }

  async report(): Promise<string> {
    let state: string;
    try {
      state = JSON.stringify({ neighbors: await this.rawNeighbors(), routes: await this.routes(), lsdb: await this.show('database') });
    } catch (err) {
      state = `(cli: ${err instanceof Error ? err.message : String(err)})`;
    }
    return `${state}\n-- ospf-anycastd output:\n${tail(this.output())}`;
  }
}

