// The router-role lab shared by the multipath namespace tests: a router
// namespace on a bridge with three gateway namespaces (the SIP nodes), each
// carrying the anycast address on lo; the OSPF configuration of the router
// and the nodes; readers of the router's nexthop group and its buckets; the
// flow mapper that asks the router's kernel where each of many UDP flows to
// the anycast address goes; and per-node datagram counters.
//
//   client c 10.204.204.10 ── e9 10.204.204.1 (with { client: true })
//   router r  e0 10.92.0.1/24 ── bridge (namespace s) ──┬── g1 10.92.0.2   lo 10.206.206.1/32
//                                                       ├── g2 10.92.0.3
//                                                       └── g3 10.92.0.4
import { spawnSync } from 'node:child_process';
import { NetnsLab, namespaceGate } from '../helpers/netns.js';
import { interopGate, type InteropLab } from '../helpers/peers.js';

export const ANYCAST = '10.206.206.1';
export const GATEWAYS = ['10.92.0.2', '10.92.0.3', '10.92.0.4'] as const;

export interface RouterLab {
  lab: NetnsLab;
  router: string;
  gateways: string[];
  client?: string;
}

/** Build the lab in `lab` (a fresh NetnsLab, or an InteropLab's). */
export function buildRouterLab(lab: NetnsLab, options: { client?: boolean } = {}): RouterLab {
  const router = lab.namespace('r');
  const sw = lab.namespace('s');
  lab.veth(router, 'e0', sw, 'p0');
  const gateways: string[] = [];
  GATEWAYS.forEach((address, i) => {
    const g = lab.namespace(`g${i + 1}`);
    lab.veth(g, 'e0', sw, `p${i + 1}`);
    lab.address(g, 'e0', `${address}/24`);
    lab.up(g, 'e0');
    lab.address(g, 'lo', `${ANYCAST}/32`);
    gateways.push(g);
  });
  lab.bridge(sw, 'br0', ['p0', 'p1', 'p2', 'p3']);
  lab.address(router, 'e0', '10.92.0.1/24');
  lab.up(router, 'e0');
  // Layer-4 hashing, so that flows differing only in source port spread.
  lab.exec(router, 'sysctl', ['-q', '-w', 'net.ipv4.fib_multipath_hash_policy=1']);
  if (!options.client) return { lab, router, gateways };
  const client = lab.namespace('c');
  lab.veth(client, 'e0', router, 'e9');
  lab.address(client, 'e0', '10.204.204.10/24');
  lab.address(router, 'e9', '10.204.204.1/24');
  lab.up(client, 'e0');
  lab.up(router, 'e9');
  lab.exec(client, 'ip', ['route', 'add', 'default', 'via', '10.204.204.1']);
  lab.exec(router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  return { lab, router, gateways, client };
}

/** Fast OSPF timers for every interface of these labs. */
export const FAST_TIMERS = ' ip ospf hello-interval 1\n ip ospf dead-interval 3\n';

/**
 * The router: DR on the segment (priority 10), `ip load-sharing per-packet`
 * on it, layer-4 hashing and the given group kind (resilient with 120
 * buckets, so that three nodes hold 40 each).
 */
export function routerConf(group: 'resilient' | 'hash-threshold'): string {
  return `interface e0
${FAST_TIMERS} ip ospf priority 10
 ip load-sharing per-packet
!
router ospf
 ospf router-id 10.92.0.1
 network 10.92.0.0/24 area 0.0.0.0
 multipath group ${group === 'resilient' ? 'resilient buckets 120 idle-timer 0' : group}
 multipath hash layer4
!
`;
}

/** A SIP node at `address` announcing the anycast /32 from lo; ospf-anycastd and FRR ospfd read the same text. */
export function nodeConf(address: string, timers = FAST_TIMERS): string {
  return `interface e0
${timers} ip ospf priority 1
!
router ospf
 ospf router-id ${address}
 timers throttle spf 0 50 500
 network 10.92.0.0/24 area 0.0.0.0
 network ${ANYCAST}/32 area 0.0.0.0
!
`;
}

/** What a test needs of a node's OSPF speaker: FRR's stop() ends ospfd (zebra stays), start() brings it back. */
export interface SipNode {
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<string>;
}

/** The two kinds of SIP node the router-role tests run against, each with its gate (`what` names the test in the skip reason). */
export function nodeKinds(what: string): { kind: string; gate: { skip: boolean }; make: (lab: InteropLab, ns: string, label: string, conf: string) => SipNode }[] {
  return [
    { kind: 'FRR ospfd', gate: interopGate(`${what} with FRR nodes`, ['frr']), make: (lab, ns, label, conf) => lab.frr(ns, label, conf) },
    { kind: 'ospf-anycastd', gate: namespaceGate(`${what} with ospf-anycastd nodes`), make: (lab, ns, label, conf) => lab.anycastd(ns, label, conf) },
  ];
}

/** A nexthop object or group as `ip -j nexthop show` prints it. */
export interface IpNexthop {
  id: number;
  gateway?: string;
  dev?: string;
  protocol?: string;
  /** 'resilient' for a resilient group; absent for a hash-threshold (mpath) one. */
  type?: string;
  group?: { id: number }[];
  resilient_args?: { buckets: number; idle_timer: number; unbalanced_timer: number };
}

/** The nexthop objects and groups of protocol 188 in `ns`. */
export function ourNexthops(lab: NetnsLab, ns: string): IpNexthop[] {
  return lab.ipJson<IpNexthop[]>(ns, ['nexthop', 'show']).filter((n) => n.protocol === 'ospf' || n.protocol === '188');
}

/** The group the route to the anycast /32 names: its id, kind and its members' gateways, sorted; undefined without one. */
export function anycastGroup(lab: NetnsLab, ns: string): { id: number; kind: string; gateways: string[] } | undefined {
  const route = lab.ipJson<{ nhid?: number }[]>(ns, ['route', 'show', ANYCAST]).find((r) => r.nhid !== undefined);
  const all = ourNexthops(lab, ns);
  const group = all.find((n) => n.id === route?.nhid && n.group !== undefined);
  if (group === undefined) return undefined;
  const gateways = (group.group ?? []).map((m) => all.find((n) => n.id === m.id)?.gateway ?? '?').sort();
  return { id: group.id, kind: group.type ?? 'hash-threshold', gateways };
}

/** How many buckets of resilient group `id` each gateway holds, from `ip -j nexthop bucket show`. */
export function bucketShares(lab: NetnsLab, ns: string, id: number): Record<string, number> {
  const gateways = new Map(ourNexthops(lab, ns).map((n) => [n.id, n.gateway ?? '?']));
  const shares: Record<string, number> = {};
  for (const b of lab.ipJson<{ bucket: { nhid: number } }[]>(ns, ['nexthop', 'bucket', 'show', 'id', String(id)])) {
    const gateway = gateways.get(b.bucket.nhid) ?? '?';
    shares[gateway] = (shares[gateway] ?? 0) + 1;
  }
  return shares;
}

/**
 * The gateway the router's kernel picks for each of `count` UDP flows to the
 * anycast address (source ports 20000…, destination port 5060), by one
 * `ip -batch` of `route get` lookups.
 */
export function mapFlows(ns: string, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`route get ${ANYCAST} ipproto udp sport ${20000 + i} dport 5060`);
  const run = spawnSync('ip', ['-n', ns, '-o', '-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 20_000 });
  if (run.error || run.status !== 0) throw new Error(`ip -batch route get failed (${run.status ?? 'timeout'}): ${run.error?.message ?? run.stderr}`);
  const result = run.stdout;
  const vias = result
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => /\bvia (\d+\.\d+\.\d+\.\d+)/.exec(line)?.[1] ?? 'none');
  if (vias.length !== count) throw new Error(`expected ${count} route lookups, got ${vias.length}: ${result.slice(0, 500)}`);
  return vias;
}

/** How the flows of `after` differ from `before`. */
export function compareMaps(before: string[], after: string[]): { moved: number; movedFrom: Map<string, number>; movedTo: Map<string, number> } {
  const movedFrom = new Map<string, number>();
  const movedTo = new Map<string, number>();
  let moved = 0;
  before.forEach((via, i) => {
    const now = after[i] as string;
    if (now === via) return;
    moved++;
    movedFrom.set(via, (movedFrom.get(via) ?? 0) + 1);
    movedTo.set(now, (movedTo.get(now) ?? 0) + 1);
  });
  return { moved, movedFrom, movedTo };
}

/** Count UDP packets to port 5060 arriving in a namespace: an nft counter in its input hook. */
export function countUdp(lab: NetnsLab, ns: string): void {
  lab.exec(ns, 'nft', ['add table ip cnt; add chain ip cnt in { type filter hook input priority 0; }; add rule ip cnt in udp dport 5060 counter']);
}

/** The packets counted by countUdp(), read with `nft -j`. */
export function udpCount(lab: NetnsLab, ns: string): number {
  const listing = JSON.parse(lab.exec(ns, 'nft', ['-j', 'list', 'table', 'ip', 'cnt'])) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] };
  for (const item of listing.nftables) for (const e of item.rule?.expr ?? []) if (e.counter) return e.counter.packets;
  throw new Error(`no counter in ${ns}`);
}

/** Send `count` UDP datagrams from one socket in `ns` to the anycast address, port 5060. */
export function sendUdp(lab: NetnsLab, ns: string, count: number): void {
  const script = `const s=require('node:dgram').createSocket('udp4');let n=0;const next=()=>{if(n===${count})return s.close();n++;s.send('x',5060,'${ANYCAST}',next);};next();`;
  lab.exec(ns, process.execPath, ['-e', script], 20_000);
}

/** What the per-packet spreader leaves in `ns`: nft tables, fwmark rules (priority 1880) and protocol-188 routes of any table. */
export function leftovers(lab: NetnsLab, ns: string): { nft: string; rules: unknown[]; routes: unknown[] } {
  return {
    nft: lab.exec(ns, 'nft', ['list', 'tables']).trim(),
    rules: lab.ipJson<{ priority: number }[]>(ns, ['rule', 'show']).filter((r) => r.priority === 1880),
    routes: lab.ipJson<unknown[]>(ns, ['route', 'show', 'table', 'all', 'proto', '188']),
  };
}

/** Send `count` datagrams of one flow from the client and return how many each gateway counted (countUdp() first). */
export function spreadOver(rl: RouterLab, count: number): number[] {
  if (rl.client === undefined) throw new Error('the router lab was built without a client');
  const before = rl.gateways.map((g) => udpCount(rl.lab, g));
  sendUdp(rl.lab, rl.client, count);
  return rl.gateways.map((g, i) => udpCount(rl.lab, g) - (before[i] as number));
}
