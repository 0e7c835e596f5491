// BIRD 2 in an interop lab: in the foreground in a namespace, configured
// from text, read through birdc.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PeerProcess, alive, run, tail, type LabHost, type LabPeer, type LsaKey, type NeighborView } from './peer-process.js';
import { waitFor } from './wait.js';
export const BIRD_BIN = '/usr/sbin/bird';

/** BIRD 2, in the foreground, with its own control socket. */
export class BirdRouter implements LabPeer {
  private process: PeerProcess | undefined;
  private readonly confPath: string;
  readonly socket: string;

  constructor(
    private readonly lab: LabHost,
    readonly ns: string,
    readonly label: string,
    private readonly dir: string,
    conf: string,
  ) {
    this.confPath = join(dir, 'bird.conf');
    this.socket = join(dir, 'bird.ctl');
    writeFileSync(this.confPath, `log stderr all;\n${conf}`);
  }

  /**
   * Start BIRD; resolves when it answers on its control socket. `recovery`:
   * after `birdc graceful restart`, BIRD's `-R` (graceful restart recovery).
   */
  async start(timeoutMs = 15_000, recovery = false): Promise<void> {
    const args = ['-f', '-c', this.confPath, '-s', this.socket, '-P', join(this.dir, 'bird.pid'), ...(recovery ? ['-R'] : [])];
    const bird = new PeerProcess(`${this.label} bird`, this.lab.net.spawn(this.ns, BIRD_BIN, args));
    this.process = bird;
    await waitFor(`${this.label} BIRD answering birdc`, () => alive(bird) && this.birdc('show status').includes('Daemon is up'), {
      timeoutMs,
      intervalMs: 100,
      detail: () => this.report(),
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<string> {
    if (this.process === undefined) throw new Error(`${this.label}: BIRD was never started`);
    return this.process.stop(signal);
  }

  async stopAll(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }

  birdc(command: string): string {
    return run('birdc', ['-s', this.socket, ...command.split(' ')]);
  }

  /** `show ospf neighbors`: "Router ID  Pri  State  DTime  Interface  Router IP" rows. */
  neighbors(): NeighborView[] {
    const rows: NeighborView[] = [];
    for (const line of this.birdc('show ospf neighbors').split('\n')) {
      const m = /^(\d+\.\d+\.\d+\.\d+)\s+\d+\s+([^/\s]+)\/(\S+)\s+[\d.]+\s+(\S+)\s+(\S+)/.exec(line.trim());
      if (m === null) continue;
      const role = { DR: 'DR', BDR: 'Backup', Other: 'DROther' }[m[3] as string] ?? '';
      rows.push({ routerId: m[1] as string, state: m[2] as string, role, ifName: m[4] as string, address: m[5] as string });
    }
    return rows;
  }

  /** `show ospf lsadb`: " Type   LS ID   Router   Sequence   Age  Checksum" rows. */
  lsdb(): (LsaKey & { age: number })[] {
    const rows: (LsaKey & { age: number })[] = [];
    for (const line of this.birdc('show ospf lsadb').split('\n')) {
      const m = /^\s*([0-9a-f]{4})\s+(\S+)\s+(\S+)\s+([0-9a-f]{8})\s+(\d+)\s+[0-9a-f]{4}\s*$/.exec(line);
      if (m !== null) rows.push({ type: parseInt(m[1] as string, 16), lsId: m[2] as string, advRouter: m[3] as string, seq: m[4] as string, age: Number(m[5]) });
    }
    return rows;
  }

  /** The OSPF state of one interface: "DR", "Backup", "DROther", "Waiting", "PtP", … */
  interfaceState(ifName: string): string {
    const text = this.birdc(`show ospf interface "${ifName}"`);
    return /^\s*State:\s+(\S+)/m.exec(text)?.[1] ?? 'absent';
  }

  /** What BIRD logged so far (`log stderr all`; its `debug` traces too). */
  output(): string {
    return this.process?.output() ?? '';
  }

  async report(): Promise<string> {
    let state: string;
    try {
      state = this.birdc('show ospf neighbors') + this.birdc('show route');
    } catch (err) {
      state = `(birdc: ${err instanceof Error ? err.message : String(err)})`;
    }
    return `${state}\n-- bird output:\n${tail(this.process?.output() ?? '')}`;
  }
}
