// FRR in an interop lab: zebra and ospfd in a namespace, in a pathspace of
// their own, configured from text, read through vtysh's JSON.
import { chownSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_TIMEOUT_MS, PeerProcess, alive, normalSeq, run, tail, type LabHost, type LabPeer, type LsaKey, type NeighborView } from './peer-process.js';
import { waitFor } from './wait.js';
export const FRR_LIBEXEC = '/usr/lib/frr';
export const FRR_RUN = '/var/run/frr';
/** ospfd keeps graceful-restart records here whatever its pathspace (-N). */
export const FRR_GR_STATE = join(FRR_RUN, 'ospfd-gr.json');

let frrIds: { uid: number; gid: number } | undefined;
export function frrUid(): { uid: number; gid: number } {
  frrIds ??= { uid: Number(run('id', ['-u', 'frr']).trim()), gid: Number(run('id', ['-g', 'frr']).trim()) };
  return frrIds;
}


/** The FRR ospfd figures the tests read from `show ip ospf json`. */
export interface FrrOspf {
  routerId: string;
  spfLastExecutedMsecs?: number;
  spfLastDurationMsecs?: number;
  spfScheduleDelayMsecs: number;
  holdtimeMinMsecs: number;
  holdtimeMaxMsecs: number;
  areas: Record<string, { nbrFullAdjacentCounter: number; spfExecutedCounter: number; lsaNumber: number; lsaRouterNumber: number; lsaNetworkNumber: number }>;
  lsaExternalCounter: number;
}

export interface FrrInterface {
  ifUp: boolean;
  state: string;
  cost: number;
  drId?: string;
  drAddress?: string;
  bdrId?: string;
  bdrAddress?: string;
  nbrCount: number;
  nbrAdjacentCount: number;
}

/** FRR: one zebra and one ospfd, in pathspace `name` (`-N`), run directory /var/run/frr/NAME. */
export class FrrRouter implements LabPeer {
  readonly runDir: string;
  private zebra: PeerProcess | undefined;
  private ospfd: PeerProcess | undefined;
  private readonly confPath: string;

  constructor(
    private readonly lab: LabHost,
    readonly ns: string,
    readonly label: string,
    private readonly dir: string,
    readonly name: string,
    ospfdConf: string,
  ) {
    this.runDir = join(FRR_RUN, name);
    this.confPath = join(dir, 'ospfd.conf');
    this.writeFile('zebra.conf', `hostname ${label}\n`);
    this.writeFile('ospfd.conf', `hostname ${label}\nlog stdout informational\n${ospfdConf}`);
  }

  private writeFile(file: string, text: string): void {
    const path = join(this.dir, file);
    writeFileSync(path, text, { mode: 0o644 });
    chownSync(path, frrUid().uid, frrUid().gid);
  }

  /** Start zebra (once) and ospfd; resolves when ospfd answers vtysh. */
  async start(timeoutMs = 15_000): Promise<void> {
    if (this.zebra === undefined || !this.zebra.running) {
      // ospfd writes to /var/run/frr itself (the restart record): it must belong to frr, as the package has it.
      if (!existsSync(FRR_RUN)) run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', FRR_RUN]);
      run('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '755', this.runDir]);
      const zebra = this.spawn('zebra', join(this.dir, 'zebra.conf'));
      this.zebra = zebra;
      await waitFor(`${this.label} zebra's zserv.api`, () => alive(zebra) && existsSync(join(this.runDir, 'zserv.api')), {
        timeoutMs,
        intervalMs: 50,
        detail: () => this.report(),
      });
    }
    const ospfd = this.spawn('ospfd', this.confPath);
    this.ospfd = ospfd;
    await waitFor(`${this.label} ospfd answering vtysh`, () => alive(ospfd) && this.json<FrrOspf>('show ip ospf json').routerId !== undefined, {
      timeoutMs,
      intervalMs: 100,
      detail: () => this.report(),
    });
  }

  private spawn(daemon: 'zebra' | 'ospfd', conf: string): PeerProcess {
    const args = ['-N', this.name, '-f', conf, '-i', join(this.runDir, `${daemon}.pid`), '-P', '0'];
    return new PeerProcess(`${this.label} ${daemon}`, this.lab.net.spawn(this.ns, join(FRR_LIBEXEC, daemon), args));
  }

  /** Stop ospfd (zebra stays, and withdraws ospfd's routes as it goes). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<string> {
    if (this.ospfd === undefined) throw new Error(`${this.label}: ospfd was never started`);
    return this.ospfd.stop(signal);
  }

  async stopAll(): Promise<void> {
    await this.ospfd?.stop('SIGTERM');
    await this.zebra?.stop('SIGTERM');
  }

  /** A vtysh command's output; `timeoutMs` for the long answers of large LSDBs (ospfd answers only between SPF runs). */
  vtysh(command: string, timeoutMs = COMMAND_TIMEOUT_MS): string {
    // vtysh warns on stderr that /etc/frr/NAME/vtysh.conf is missing; that file is optional.
    return run('vtysh', ['-N', this.name, '-c', command], timeoutMs);
  }

  /** What ospfd logged (`log stdout informational`; the last 64 KB). */
  output(): string {
    return this.ospfd?.output() ?? '';
  }

  json<T>(command: string, timeoutMs = COMMAND_TIMEOUT_MS): T {
    return JSON.parse(this.vtysh(command, timeoutMs)) as T;
  }

  ospf(): FrrOspf {
    return this.json<FrrOspf>('show ip ospf json');
  }

  interfaces(): Record<string, FrrInterface> {
    return this.json<{ interfaces: Record<string, FrrInterface> }>('show ip ospf interface json').interfaces;
  }

  /** `show ip ospf database json`: area 0's LSAs and the AS-external ones, with their age in seconds. */
  lsdb(timeoutMs = COMMAND_TIMEOUT_MS): (LsaKey & { age: number })[] {
    type Row = { lsId: string; advertisedRouter: string; sequenceNumber: string; lsaAge: number };
    const db = this.json<{ areas: Record<string, Record<string, Row[] | number>>; asExternalLinkStates?: Row[] }>('show ip ospf database json', timeoutMs);
    const lists: [number, Row[] | number | undefined][] = [];
    for (const area of Object.values(db.areas)) {
      lists.push([1, area.routerLinkStates], [2, area.networkLinkStates], [3, area.summaryLinkStates], [4, area.asbrSummaryLinkStates]);
    }
    lists.push([5, db.asExternalLinkStates]);
    return lists.flatMap(([type, rows]) =>
      Array.isArray(rows) ? rows.map((r) => ({ type, lsId: r.lsId, advRouter: r.advertisedRouter, seq: normalSeq(r.sequenceNumber), age: r.lsaAge })) : [],
    );
  }

  neighbors(): NeighborView[] {
    type Row = { nbrState: string; role?: string; address: string; ifaceName: string };
    const { neighbors } = this.json<{ neighbors: Record<string, Row[]> }>('show ip ospf neighbor json');
    return Object.entries(neighbors).flatMap(([routerId, rows]) =>
      rows.map((row) => {
        const [state, role = ''] = row.nbrState.split('/');
        return { routerId, state: state as string, role: role === 'DROther' || role === 'Backup' || role === 'DR' ? role : '', address: row.address, ifName: row.ifaceName.split(':')[0] as string };
      }),
    );
  }

  async report(): Promise<string> {
    let state: string;
    try {
      state = this.vtysh('show ip ospf neighbor') + this.vtysh('show ip ospf route') + this.vtysh('show ip ospf database');
    } catch (err) {
      state = `(vtysh: ${err instanceof Error ? err.message : String(err)})`;
    }
    return `${state}\n-- ospfd output:\n${tail(this.ospfd?.output() ?? '')}\n-- zebra output:\n${tail(this.zebra?.output() ?? '', 10)}`;
  }
}
