// What the fault tests share: loss, duplication and reordering on a lab's links, each speaker's LSDB
// with sequence numbers and checksums (FRR's `show ip ospf database json`,
// our `show database`), the adjacency changes a daemon logged, and the
// checks on the seed lab's end state (the router's ECMP route, the nodes'
// route to the client subnet, no stale route of ours in a node's kernel).

import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { type AnycastDaemon, type FrrRouter } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import {
  ANYCAST,
  CLIENT_NET,
  CONVERGE_MS,
  ROUTER_ADDRESS,
  nodeAddress,
  seedLab,
  startSeedLab,
  type SeedLab,
  type SeedTuning,
  labSuite,
} from '../interop/labs.js';

export const FAULT_NODES = 3;

export interface FaultLabOptions {
  tuning?: SeedTuning;
  /** Runs on the built lab before anything starts (rewrite a node's configuration, …). */
  prepare?: (seed: SeedLab) => void;
  /** Start the lab and wait for its routes in beforeAll (default true). */
  start?: boolean;
}

/** The seed lab of a describe block, with FRR as the router (labSuite: built before, reported when a test fails, torn down after). */
export function useFaultLab(
  label: string,
  options: FaultLabOptions = {},
): { current: () => SeedLab; node: (i: number) => SeedLab['nodes'][number]; detail: () => Promise<string> } {
  const { current, detail } = labSuite(
    () => seedLab(label, 'frr', FAULT_NODES, options.tuning),
    async (seed) => {
      options.prepare?.(seed);
      if (options.start === false) return;
      await startSeedLab(seed);
      await waitForSeedRoutes(seed);
    },
  );
  return {
    current,
    node: (i) => {
      const found = current().nodes.find((n) => n.i === i);
      if (found === undefined) throw new Error(`no node n${i}`);
      return found;
    },
    detail,
  };
}

/** One LSA instance: its key, sequence number and checksum as lowercase hex without 0x. */
export interface LsaInstance {
  type: number;
  lsId: string;
  advRouter: string;
  seq: string;
  checksum: string;
}

const hexOf = (text: string, digits: number): string => text.replace(/^0x/i, '').toLowerCase().padStart(digits, '0');

function sorted(lsas: LsaInstance[]): LsaInstance[] {
  const key = (l: LsaInstance): string => `${l.type} ${l.lsId} ${l.advRouter}`;
  return lsas.sort((a, b) => key(a).localeCompare(key(b)));
}

/** RFC 2328 B: an LSA of this age is being flushed; FRR lists it until its MaxAge remover runs, up to a minute later. */
const MAX_AGE = 3600;

/** FRR's database, area 0 and AS-external, as LSA instances; those being flushed (MaxAge) left out. */
export function frrDatabase(frr: FrrRouter): LsaInstance[] {
  type Row = { lsId: string; advertisedRouter: string; sequenceNumber: string; checksum: string; lsaAge: number };
  type Lists = Record<string, Row[] | number>;
  const db = frr.json<{ areas: Record<string, Lists>; asExternalLinkStates?: Row[] }>('show ip ospf database json');
  const lists: [number, Row[] | number | undefined][] = [];
  for (const area of Object.values(db.areas)) {
    lists.push([1, area.routerLinkStates], [2, area.networkLinkStates], [3, area.summaryLinkStates], [4, area.asbrSummaryLinkStates]);
  }
  lists.push([5, db.asExternalLinkStates]);
  return sorted(
    lists.flatMap(([type, rows]) =>
      Array.isArray(rows)
        ? rows.filter((r) => r.lsaAge < MAX_AGE).map((r) => ({ type, lsId: r.lsId, advRouter: r.advertisedRouter, seq: hexOf(r.sequenceNumber, 8), checksum: hexOf(r.checksum, 4) }))
        : [],
    ),
  );
}

/** ospf-anycastd's database (`ospf-anycast show database --json`), as LSA instances; those being flushed left out. */
export async function anycastdDatabase(daemon: AnycastDaemon): Promise<LsaInstance[]> {
  const { lsas } = await daemon.database();
  return sorted(lsas.filter((l) => l.age < MAX_AGE).map((l) => ({ type: l.type, lsId: l.lsId, advRouter: l.advRouter, seq: hexOf(l.seq, 8), checksum: hexOf(l.checksum, 4) })));
}

/** Waits until FRR and every node hold the same LSAs, instance for instance; returns FRR's database. */
export async function waitForIdenticalDatabases(seed: SeedLab, timeoutMs = CONVERGE_MS): Promise<LsaInstance[]> {
  const frr = seed.router.peer as FrrRouter;
  const all = async (): Promise<string[]> => [JSON.stringify(frrDatabase(frr)), ...(await Promise.all(seed.nodes.map(async (n) => JSON.stringify(await anycastdDatabase(n.daemon)))))];
  await waitFor('identical databases on FRR and every node', async () => new Set(await all()).size === 1, {
    timeoutMs,
    detail: async () => (await all()).map((db, k) => `${k === 0 ? 'frr' : `n${k}`}: ${db}`).join('\n'),
  });
  return frrDatabase(frr);
}

/** How a link end mistreats what it sends: percentages of packets lost, doubled and sent through the slow lane. */
export interface Impairment {
  lossPercent: number;
  duplicatePercent: number;
  slowPercent: number;
  /** The slow lane's rate: a packet waits behind those queued there (a 100-byte packet costs 12.5 ms at 64 kbit/s). */
  slowRate: string;
  /** An nftables match naming the packets impaired (say, one OSPF packet type); all of them when absent. */
  only?: string;
}

/**
 * netem's loss, duplicate and reorder on a link end's egress, built from
 * what kernels with nftables have (many are built without sch_netem): an nftables netdev
 * egress chain drops and duplicates at random and sends a share of the
 * packets to the slow class of an HTB qdisc, where they queue while the
 * others overtake them (delay and reordering within bursts).
 */
export function impair(seed: Pick<SeedLab, 'lab'>, ns: string, ifName: string, how: Impairment): void {
  const tc = (args: string[]): string => seed.lab.net.exec(ns, 'tc', args);
  tc(['qdisc', 'replace', 'dev', ifName, 'root', 'handle', '1:', 'htb', 'default', '10', 'r2q', '1000']);
  tc(['class', 'add', 'dev', ifName, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '1gbit']);
  tc(['class', 'add', 'dev', ifName, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', how.slowRate, 'ceil', how.slowRate, 'burst', '1', 'cburst', '1']);
  // `numgen random mod 100 < P` holds for P% of the packets; 0% needs no rule, 100% no condition.
  const only = how.only === undefined ? '' : `${how.only} `;
  const share = (percent: number, action: string): string[] =>
    percent <= 0 ? [] : [percent >= 100 ? `${only}counter ${action}` : `${only}numgen random mod 100 < ${percent} counter ${action}`];
  const rules = [...share(how.lossPercent, 'drop'), ...share(how.duplicatePercent, `dup to "${ifName}"`), ...share(how.slowPercent, 'meta priority set 1:20')];
  const chain = `table netdev faults_${ifName} {
  chain egress {
    type filter hook egress device "${ifName}" priority 0;
${rules.map((r) => `    ${r}\n`).join('')}  }
}
`;
  const result = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: chain, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`nft in ${ns} refused the impairment of ${ifName}: ${result.stderr ?? result.error?.message}`);
}

/** How many packets a link end dropped, doubled and slowed while impaired. */
export interface ImpairmentCounts {
  dropped: number;
  duplicated: number;
  slowed: number;
}

/** Takes away what impair() put on a link end; returns what its rules did (their nftables counters). */
export function repair(seed: Pick<SeedLab, 'lab'>, ns: string, ifName: string): ImpairmentCounts {
  type Expr = { counter?: { packets: number }; drop?: null; dup?: unknown; mangle?: unknown };
  const listing = seed.lab.net.exec(ns, 'nft', ['-j', 'list', 'table', 'netdev', `faults_${ifName}`]);
  const rules = (JSON.parse(listing) as { nftables: { rule?: { expr: Expr[] } }[] }).nftables.flatMap((item) => (item.rule === undefined ? [] : [item.rule.expr]));
  const counted = (action: keyof Expr): number =>
    rules.filter((expr) => expr.some((e) => action in e)).reduce((sum, expr) => sum + (expr.find((e) => e.counter !== undefined)?.counter?.packets ?? 0), 0);
  const counts = { dropped: counted('drop'), duplicated: counted('dup'), slowed: counted('mangle') };
  seed.lab.net.exec(ns, 'nft', ['delete', 'table', 'netdev', `faults_${ifName}`]);
  seed.lab.net.exec(ns, 'tc', ['qdisc', 'del', 'dev', ifName, 'root']);
  return counts;
}

/** Both ends of node `i`'s link to the bridge: its lan0, and port pI in the bridge's namespace. */
export function nodeLinkEnds(seed: SeedLab, i: number): { ns: string; ifName: string }[] {
  const node = seed.nodes.find((n) => n.i === i);
  if (node === undefined) throw new Error(`no node n${i}`);
  return [
    { ns: node.ns, ifName: 'lan0' },
    { ns: seed.switchNs, ifName: `p${i}` },
  ];
}

/** An adjacency change as `log-adjacency-changes detail` logs it. */
export interface AdjacencyChange {
  /** When the daemon logged it (epoch ms). */
  at: number;
  neighbor: string;
  from: string;
  to: string;
}

/** The neighbor state changes the daemon logged, in order. */
export function adjacencyChanges(daemon: AnycastDaemon): AdjacencyChange[] {
  const changes: AdjacencyChange[] = [];
  for (const m of daemon.output().matchAll(/^(\S+Z) +\S+ +neighbor (\d+\.\d+\.\d+\.\d+) on \S+: (\S+) -> (\S+) \(/gm)) {
    changes.push({ at: Date.parse(m[1] as string), neighbor: m[2] as string, from: m[3] as string, to: m[4] as string });
  }
  return changes;
}

/** The seed lab's end state: FRR's route with a next hop per node, each node's route to the client subnet. */
export async function waitForSeedRoutes(seed: SeedLab, timeoutMs = CONVERGE_MS, addressOf: (i: number) => string = nodeAddress): Promise<void> {
  const { lab, routerNs, nodes } = seed;
  const want = nodes.map((n) => addressOf(n.i)).sort();
  const detail = (): Promise<string> => lab.report();
  await waitFor(`FRR's route to ${ANYCAST} through ${want.join(', ')}`, () => JSON.stringify(lab.gateways(routerNs, ANYCAST, 'ospf')) === JSON.stringify(want), {
    timeoutMs,
    detail,
  });
  for (const node of nodes) {
    await waitFor(`${CLIENT_NET} through the router in n${node.i}'s kernel`, () => lab.gateways(node.ns, CLIENT_NET, 'ospf')[0] === ROUTER_ADDRESS, { timeoutMs, detail });
  }
  expect(lab.routes(routerNs, ANYCAST)).toHaveLength(1);
}

/** The routes of protocol 188 in a node's kernel: exactly what the daemon's own table puts there. */
export async function expectOnlyOwnKernelRoutes(seed: SeedLab, i: number): Promise<void> {
  const node = seed.nodes.find((n) => n.i === i);
  if (node === undefined) throw new Error(`no node n${i}`);
  const own = (await node.daemon.routes()).filter((r) => r.nextHops.some((h) => h.address !== '0.0.0.0')).map((r) => r.prefix);
  const kernel = seed.lab.routesBy(node.ns, 'ospf').map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`));
  expect(kernel.sort(), `n${i}'s protocol-188 routes`).toEqual(own.sort());
}
