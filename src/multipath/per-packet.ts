// `ip load-sharing per-packet`: packets to prefixes whose next hops leave
// through such an interface are spread packet by packet, round robin, over
// those next hops, instead of flow by flow.
//
//   nftables table ip ospf_anycast (owned whole by the daemon):
//     prerouting (forwarded) and output (local) chains, one rule per next-hop set:
//       ip daddr { prefixes } meta mark set numgen inc mod N map { 0 : M(hop0), 1 : M(hop1), … }
//   per next hop h:  ip rule pref 1880 fwmark M(h) lookup T(h) protocol 188
//                    table T(h): every spread prefix through h, via h only (RouteInstaller)
//
// Each next hop has a slot i: mark markBase+i, table tableBase+i. An update
// first gives new next hops their table and rule, then swaps the whole nft
// table in one transaction (`nft -f -`: add, delete, define), then removes
// the tables and rules of next hops that left: a next hop that leaves stops
// receiving packets in the update that drops it, and one that joins has its
// table before any packet is marked for it. The output chain is a `route`
// chain, so a locally sent packet is routed again after its mark is set.

import { execFile } from 'node:child_process';
import { ROUTE_PROTOCOL_OSPF, type KernelNextHop, type KernelRoute } from '../io/kernel-route.js';
import { RouteInstaller } from '../io/routes.js';
import { formatPrefix } from '../lib/ipv4.js';

export const NFT_TABLE = 'ospf_anycast';

export interface PerPacketOptions {
  /** fwmark of slot 0 (default 0x0bc00000). */
  markBase?: number;
  /** Routing table of slot 0 (default 18800). */
  tableBase?: number;
  /** Priority of the fwmark rules (default 1880, ahead of the main table's 32766). */
  rulePriority?: number;
  /** Metric of the per-next-hop routes (default 20). */
  metric?: number;
  /** Limit for each command, in milliseconds (default 5000). */
  timeoutMs?: number;
}

/** nft or ip is missing or refused a change. */
export class PerPacketError extends Error {
  override name = 'PerPacketError';
}

/** At most this many next hops take part in per-packet spreading at once. */
export const MAX_SLOTS = 256;

interface Slot {
  index: number;
  hop: KernelNextHop;
  routes: RouteInstaller;
}

/** Keeps the nft table, fwmark rules and per-next-hop tables in step with the spread routes. */
export class PerPacketSpreader {
  private readonly markBase: number;
  private readonly tableBase: number;
  private readonly rulePriority: number;
  private readonly metric: number;
  private readonly timeoutMs: number;
  private readonly slots = new Map<string, Slot>();
  private queue: Promise<unknown> = Promise.resolve();
  private ruleset = '';

  constructor(options: PerPacketOptions = {}) {
    this.markBase = options.markBase ?? 0x0bc00000;
    this.tableBase = options.tableBase ?? 18800;
    this.rulePriority = options.rulePriority ?? 1880;
    this.metric = options.metric ?? 20;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Fails with PerPacketError when `nft` cannot be run. */
  async check(): Promise<void> {
    await this.run('nft', ['--version']);
  }

  /** Remove what a previous run left: the nft table, our fwmark rules, the routes of our tables. */
  sweep(): Promise<void> {
    return this.serial(async () => {
      await this.nft(`table ip ${NFT_TABLE}\ndelete table ip ${NFT_TABLE}\n`);
      const rules = JSON.parse((await this.run('ip', ['-j', 'rule', 'show'])) || '[]') as { priority?: number; table?: string; fwmark?: string; protocol?: string }[];
      for (const rule of rules) {
        if (rule.priority !== this.rulePriority || !isOurs(rule.protocol) || rule.fwmark === undefined) continue;
        await this.run('ip', ['rule', 'del', 'pref', String(this.rulePriority), 'fwmark', rule.fwmark, 'table', String(rule.table)]);
      }
      const routes = JSON.parse((await this.run('ip', ['-j', 'route', 'show', 'table', 'all', 'proto', String(ROUTE_PROTOCOL_OSPF)])) || '[]') as { table?: string }[];
      const tables = new Set(routes.map((r) => Number(r.table)).filter((t) => t >= this.tableBase && t < this.tableBase + MAX_SLOTS));
      for (const table of tables) await this.run('ip', ['route', 'flush', 'table', String(table), 'proto', String(ROUTE_PROTOCOL_OSPF)]);
    });
  }

  /**
   * Spread `routes` (each with two or more next hops) packet by packet; any
   * route not given goes back to the kernel's per-flow hashing.
   * Rejects with PerPacketError.
   */
  sync(routes: readonly KernelRoute[]): Promise<void> {
    const spread = routes.filter((r) => r.nextHops.length >= 2);
    return this.serial(async () => {
      const wanted = new Map<string, KernelNextHop>();
      for (const route of spread) for (const hop of route.nextHops) wanted.set(hopKey(hop), hop);
      const used = new Set([...this.slots.values()].map((s) => s.index));
      // 1. next hops that join: a slot, its table's routes and its rule, before any packet is marked for them.
      for (const [key, hop] of [...wanted].sort((x, y) => x[0].localeCompare(y[0]))) {
        if (this.slots.has(key)) continue;
        let index = 0;
        while (used.has(index)) index++;
        if (index >= MAX_SLOTS) throw new PerPacketError(`more than ${MAX_SLOTS} next hops to spread over`);
        used.add(index);
        const slot: Slot = { index, hop, routes: new RouteInstaller({ table: this.tableBase + index, metric: this.metric, timeoutMs: this.timeoutMs }) };
        this.slots.set(key, slot);
        await this.run('ip', ['rule', 'add', 'pref', String(this.rulePriority), 'fwmark', hex(this.markBase + index), 'table', String(this.tableBase + index), 'protocol', String(ROUTE_PROTOCOL_OSPF)]);
      }
      for (const [key, slot] of this.slots) {
        if (!wanted.has(key)) continue;
        const result = await slot.routes.sync(spread.filter((r) => r.nextHops.some((h) => hopKey(h) === key)).map((r) => ({ prefix: r.prefix, nextHops: [slot.hop] })));
        if (result.failed.length > 0) throw new PerPacketError(`per-next-hop table ${this.tableBase + slot.index}: ${result.failed.map((f) => f.message).join('; ')}`);
      }
      // 2. the marking rules, swapped in one nft transaction.
      const ruleset = this.render(spread);
      if (ruleset !== this.ruleset) {
        await this.nft(ruleset);
        this.ruleset = ruleset;
      }
      // 3. next hops that left: nothing is marked for them any more.
      for (const [key, slot] of [...this.slots]) {
        if (wanted.has(key)) continue;
        await this.release(key, slot);
      }
    });
  }

  /** Put back per-next-hop routes the kernel flushed (their interface went down and came back). */
  refresh(): Promise<void> {
    return this.serial(async () => {
      for (const slot of this.slots.values()) {
        const result = await slot.routes.refresh();
        if (result.failed.length > 0) throw new PerPacketError(`per-next-hop table ${this.tableBase + slot.index}: ${result.failed.map((f) => f.message).join('; ')}`);
      }
    });
  }

  /** Remove the nft table, the rules and the tables (clean shutdown). */
  removeAll(): Promise<void> {
    return this.serial(async () => {
      await this.nft(`table ip ${NFT_TABLE}\ndelete table ip ${NFT_TABLE}\n`);
      this.ruleset = '';
      for (const [key, slot] of [...this.slots]) await this.release(key, slot);
    });
  }

  private async release(key: string, slot: Slot): Promise<void> {
    await this.run('ip', ['rule', 'del', 'pref', String(this.rulePriority), 'fwmark', hex(this.markBase + slot.index), 'table', String(this.tableBase + slot.index)]);
    const result = await slot.routes.removeAll();
    slot.routes.close();
    this.slots.delete(key);
    if (result.failed.length > 0) throw new PerPacketError(`per-next-hop table ${this.tableBase + slot.index}: ${result.failed.map((f) => f.message).join('; ')}`);
  }

  /** The whole nft table: one marking rule per distinct next-hop set, in both chains. */
  private render(routes: readonly KernelRoute[]): string {
    const bySet = new Map<string, { hops: KernelNextHop[]; prefixes: string[] }>();
    for (const route of routes) {
      const key = route.nextHops.map(hopKey).join(',');
      const entry = bySet.get(key) ?? { hops: route.nextHops, prefixes: [] };
      entry.prefixes.push(formatPrefix(route.prefix));
      bySet.set(key, entry);
    }
    const rules = [...bySet.entries()]
      .sort((x, y) => x[0].localeCompare(y[0]))
      .map(([, { hops, prefixes }]) => {
        const map = hops.map((hop, i) => `${i} : ${hex(this.markBase + (this.slots.get(hopKey(hop)) as Slot).index)}`).join(', ');
        return `ip daddr { ${prefixes.sort().join(', ')} } counter meta mark set numgen inc mod ${hops.length} map { ${map} }`;
      });
    const chain = (name: string, type: string, hook: string): string =>
      [`  chain ${name} {`, `    type ${type} hook ${hook} priority mangle; policy accept;`, ...rules.map((r) => `    ${r}`), '  }'].join('\n');
    return [
      `table ip ${NFT_TABLE}`,
      `delete table ip ${NFT_TABLE}`,
      `table ip ${NFT_TABLE} {`,
      chain('prerouting', 'filter', 'prerouting'),
      chain('output', 'route', 'output'),
      '}',
      '',
    ].join('\n');
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private nft(script: string): Promise<string> {
    return this.run('nft', ['-f', '-'], script);
  }

  private run(cmd: string, args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(cmd, args, { timeout: this.timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') reject(new PerPacketError(`"${cmd}" is not installed; ip load-sharing per-packet needs it (Debian: apt-get install ${cmd === 'nft' ? 'nftables' : 'iproute2'})`));
        else reject(new PerPacketError(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }
}

function isOurs(protocol: string | undefined): boolean {
  return protocol === 'ospf' || protocol === String(ROUTE_PROTOCOL_OSPF);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function hopKey(hop: KernelNextHop): string {
  return `${hop.gateway}/${hop.ifIndex}`;
}
