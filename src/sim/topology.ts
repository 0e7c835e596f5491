// Simulated networks: routers with a loopback /32, broadcast segments (a /24
// each, several routers) and point-to-point links (a /30 each), built by hand
// with TopologyBuilder or at random, connected, by randomTopology().
//
// Address plan (all inside 10.0.0.0/8, which every router's `networks` covers):
//   router i          loopback and router id 10.255.x.y = 10.255.0.0 + i + 1
//   broadcast seg k   10.1.0.0/24 + k·256, members .1, .2, … in joining order
//   p2p link k        10.128.0.0/30 + k·4, ends .1 and .2

import type { ExternalRouteConfig, NetworkType } from '../core/api.js';
import type { Prng } from '../lib/prng.js';
import type { Prefix } from '../lib/ipv4.js';
import { TopologyError } from './errors.js';

export interface RouterSpec {
  index: number;
  /** r1, r2, … (index + 1), used in messages. */
  name: string;
  /** The router id, equal to the loopback address. */
  routerId: number;
  loopback: number;
  /** AS-external routes this router redistributes (RFC 2328 12.4.4). */
  externals: ExternalRouteConfig[];
}

/** One router's interface on a segment. */
export interface Attachment {
  router: number;
  ifName: string;
  ifIndex: number;
  address: number;
  /** Router priority on this interface (RFC 2328 9.4); ignored on point-to-point. */
  priority: number;
  cost: number;
}

export interface SegmentSpec {
  id: number;
  /** lan1, p2p2, … in creation order, used in messages. */
  name: string;
  kind: NetworkType;
  prefix: Prefix;
  mtu: number;
  attachments: Attachment[];
}

export interface Topology {
  routers: RouterSpec[];
  segments: SegmentSpec[];
}

export interface MemberOptions {
  router: number;
  priority?: number;
  cost?: number;
}

export interface SegmentOptions {
  mtu?: number;
}

const LOOPBACK_BASE = 0x0aff0000; // 10.255.0.0
const BROADCAST_BASE = 0x0a010000; // 10.1.0.0
const BROADCAST_LIMIT = 0x0a400000; // up to 10.63.255.0/24
const P2P_BASE = 0x0a800000; // 10.128.0.0
const P2P_LIMIT = 0x0aff0000; // up to 10.254.255.252/30
export const LOOPBACK_IFNAME = 'lo';
const DEFAULT_MTU = 1500;

/** Builds a Topology one router and one segment at a time. */
export class TopologyBuilder {
  private readonly routers: RouterSpec[] = [];
  private readonly segments: SegmentSpec[] = [];
  private readonly ifCount: number[] = [];
  private broadcastCount = 0;
  private p2pCount = 0;

  /** Adds a router and returns its index. */
  addRouter(options: { externals?: ExternalRouteConfig[] } = {}): number {
    const index = this.routers.length;
    if (index + 1 >= 0xffff) throw new TopologyError('too many routers for the 10.255.0.0/16 loopback plan');
    const loopback = (LOOPBACK_BASE + index + 1) >>> 0;
    this.routers.push({ index, name: `r${index + 1}`, routerId: loopback, loopback, externals: options.externals ?? [] });
    this.ifCount.push(0);
    return index;
  }

  /** Adds a broadcast segment (a /24) joining the given routers; returns its id. */
  addBroadcast(members: (number | MemberOptions)[], options: SegmentOptions = {}): number {
    if (members.length > 253) throw new TopologyError('a broadcast segment holds at most 253 routers');
    const base = BROADCAST_BASE + this.broadcastCount * 256;
    if (base >= BROADCAST_LIMIT) throw new TopologyError('too many broadcast segments for the 10.1.0.0–10.63.255.0 plan');
    this.broadcastCount++;
    const id = this.segments.length;
    const segment: SegmentSpec = {
      id,
      name: `lan${id + 1}`,
      kind: 'broadcast',
      prefix: { address: base >>> 0, length: 24 },
      mtu: options.mtu ?? DEFAULT_MTU,
      attachments: [],
    };
    this.segments.push(segment);
    for (const member of members) this.join(id, member);
    return id;
  }

  /** Adds a router to an existing broadcast segment. */
  join(segmentId: number, member: number | MemberOptions): void {
    const segment = this.segments[segmentId];
    if (segment === undefined || segment.kind !== 'broadcast') throw new TopologyError(`no broadcast segment ${segmentId}`);
    const m = typeof member === 'number' ? { router: member } : member;
    if (segment.attachments.some((a) => a.router === m.router)) {
      throw new TopologyError(`router ${m.router} is already on ${segment.name}`);
    }
    if (segment.attachments.length >= 253) throw new TopologyError(`${segment.name} is full`);
    const address = (segment.prefix.address + segment.attachments.length + 1) >>> 0;
    segment.attachments.push(this.attachment(m, address));
  }

  /** Adds a point-to-point link (a /30) between two routers; returns its id. */
  addP2p(a: number | MemberOptions, b: number | MemberOptions, options: SegmentOptions = {}): number {
    const base = P2P_BASE + this.p2pCount * 4;
    if (base >= P2P_LIMIT) throw new TopologyError('too many point-to-point links for the 10.128.0.0/9 plan');
    const ma = typeof a === 'number' ? { router: a } : a;
    const mb = typeof b === 'number' ? { router: b } : b;
    if (ma.router === mb.router) throw new TopologyError('a point-to-point link needs two different routers');
    this.p2pCount++;
    const id = this.segments.length;
    this.segments.push({
      id,
      name: `p2p${id + 1}`,
      kind: 'point-to-point',
      prefix: { address: base >>> 0, length: 30 },
      mtu: options.mtu ?? DEFAULT_MTU,
      attachments: [this.attachment(ma, (base + 1) >>> 0), this.attachment(mb, (base + 2) >>> 0)],
    });
    return id;
  }

  build(): Topology {
    return structuredClone({ routers: this.routers, segments: this.segments });
  }

  private attachment(member: MemberOptions, address: number): Attachment {
    if (this.routers[member.router] === undefined) throw new TopologyError(`no router ${member.router}`);
    const priority = member.priority ?? 1;
    const cost = member.cost ?? 10;
    if (!Number.isInteger(priority) || priority < 0 || priority > 255) throw new TopologyError(`bad priority ${priority}`);
    if (!Number.isInteger(cost) || cost < 1 || cost > 65535) throw new TopologyError(`bad cost ${cost}`);
    const n = this.ifCount[member.router]++;
    // ifIndex 1 is the loopback.
    return { router: member.router, ifName: `eth${n}`, ifIndex: n + 2, address, priority, cost };
  }
}

export interface RandomTopologyOptions {
  routers: number;
  /** Share of links that are broadcast segments rather than point-to-point (0..1). */
  broadcastShare?: number;
  /** Most routers on one broadcast segment. */
  maxSegmentSize?: number;
  /** Links added beyond the spanning tree, making loops and parallel paths. */
  extraLinks?: number;
  /** Broadcast segments with a single router (stub networks). */
  stubSegments?: number;
  /** Draw priorities 0..3 on broadcast segments (at least one eligible router per segment). */
  randomPriorities?: boolean;
  /** Share of routers redistributing 1–3 external routes. */
  externalsShare?: number;
  /** MTUs to draw each segment's from (default 1500 only). */
  mtus?: number[];
}

/**
 * A random connected topology: each router after the first joins the part
 * already built by a point-to-point link or a broadcast segment, then extra
 * links and stub segments are added. Same Prng state, same topology.
 */
export function randomTopology(prng: Prng, options: RandomTopologyOptions): Topology {
  const n = options.routers;
  if (!Number.isInteger(n) || n < 1) throw new TopologyError(`bad router count ${n}`);
  const broadcastShare = options.broadcastShare ?? 0.4;
  const maxSize = Math.max(2, options.maxSegmentSize ?? 6);
  const extraLinks = options.extraLinks ?? Math.floor(n / 4);
  const stubs = options.stubSegments ?? 0;
  const externalsShare = options.externalsShare ?? 0;
  const mtus = options.mtus ?? [DEFAULT_MTU];
  if (mtus.length === 0 || mtus.some((m) => !Number.isInteger(m) || m < 576 || m > 65535)) {
    throw new TopologyError(`bad MTU choices ${mtus.join(', ')} (whole numbers in 576..65535)`);
  }

  // Membership first, addresses after: the builder numbers members in joining order.
  const lans: number[][] = [];
  const p2ps: [number, number][] = [];
  for (let r = 1; r < n; r++) {
    const peer = prng.int(0, r - 1);
    if (prng.chance(broadcastShare)) {
      const open = lans.filter((members) => members.length < maxSize);
      if (open.length > 0 && prng.chance(0.6)) prng.pick(open).push(r);
      else lans.push([peer, r]);
    } else {
      p2ps.push([peer, r]);
    }
  }
  for (let k = 0; k < extraLinks && n > 1; k++) {
    const open = lans.filter((members) => members.length < maxSize && members.length < n);
    if (open.length > 0 && prng.chance(broadcastShare)) {
      const lan = prng.pick(open);
      const outside = range(n).filter((r) => !lan.includes(r));
      lan.push(prng.pick(outside));
    } else {
      const a = prng.int(0, n - 1);
      let b = prng.int(0, n - 2);
      if (b >= a) b++;
      p2ps.push([a, b]);
    }
  }
  for (let k = 0; k < stubs; k++) lans.push([prng.int(0, n - 1)]);

  let externalNet = 0xac100000; // 172.16.0.0, one /24 per external route
  const builder = new TopologyBuilder();
  for (let r = 0; r < n; r++) {
    const externals: ExternalRouteConfig[] = [];
    if (prng.chance(externalsShare)) {
      const count = prng.int(1, 3);
      for (let e = 0; e < count; e++) {
        externals.push({
          prefix: { address: externalNet >>> 0, length: 24 },
          metric: prng.int(1, 100),
          metricType: prng.chance(0.5) ? 1 : 2,
          forwardingAddress: 0,
          tag: 0,
        });
        externalNet += 256;
      }
    }
    builder.addRouter({ externals });
  }
  // Interleave the two kinds so interface numbering does not follow link kind.
  const order = [...lans.map((m) => ({ lan: m })), ...p2ps.map((p) => ({ p2p: p }))];
  shuffle(prng, order);
  for (const link of order) {
    if ('lan' in link) {
      const priorities = link.lan.map(() => (options.randomPriorities ? prng.int(0, 3) : 1));
      if (!priorities.some((p) => p > 0)) priorities[0] = 1;
      const members = link.lan.map((router, i) => ({ router, priority: priorities[i], cost: prng.int(1, 20) }));
      builder.addBroadcast(members, { mtu: prng.pick(mtus) });
    } else {
      const ends = [link.p2p[0], link.p2p[1]].map((router) => ({ router, cost: prng.int(1, 20) }));
      builder.addP2p(ends[0], ends[1], { mtu: prng.pick(mtus) });
    }
  }
  return builder.build();
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function shuffle<T>(prng: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}
