// A tiny in-test network for driving a few cores directly: routers with
// interfaces on shared links, packets delivered after a fixed delay to every
// member of the link (multicast: only to those that joined the group), core
// deadlines honoured, all in virtual time. Deterministic: one event queue
// ordered by time, then by insertion.

import { createRouter, defaultRouterConfig, type OspfRouter } from '../../src/core/index.js';
import { AllSPFRouters, type CoreEvent, type CoreOptions, type Input, type InterfaceInfo, type Output, type RouterConfig } from '../../src/core/api.js';
import { PacketType, decodePacket, encodePacket, type HelloPacket, type OspfPacket, type PacketCommon } from '../../src/packet/index.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';

export interface Attachment {
  router: string;
  ifName: string;
  address: number;
  prefixLength: number;
}

export interface SentPacket {
  /** Position in TestNet.sent, for mark(). */
  index: number;
  at: number;
  from: string;
  ifName: string;
  dst: number;
  packet: OspfPacket;
}

interface Node {
  name: string;
  core: OspfRouter;
  config: RouterConfig;
  infos: Map<string, InterfaceInfo>;
  groups: Set<string>; // `${ifName}|${group}`
  outputs: Output[];
  listeners: Listener[];
}

/** What TestNet.on() delivers: each event type of the core's 'event' outputs, and its 'lsdb' outputs. */
export type Observed = { [T in CoreEvent['type']]: Extract<CoreEvent, { type: T }> } & { lsdb: Extract<Output, { kind: 'lsdb' }> };

type Listener = { [K in keyof Observed]: { kind: K; fn: (e: Observed[K]) => void } }[keyof Observed];

interface Pending {
  at: number;
  order: number;
  router: string;
  input: Input;
}

/** Decides whether a packet is delivered (true/false), or returns the packet to deliver instead. */
export type PacketFilter = (p: SentPacket, to: string) => boolean | OspfPacket;

export class TestNet {
  now = 0;
  readonly nodes = new Map<string, Node>();
  private links = new Map<string, Attachment[]>();
  private queue: Pending[] = [];
  private order = 0;
  readonly sent: SentPacket[] = [];
  filter: PacketFilter = () => true;
  delayMs = 1;

  /** `options`: core options beyond configuration and random source (a graceful restart's, say). */
  addRouter(name: string, routerId: string, tweak: (c: RouterConfig) => void = () => undefined, seed = 1, options: Pick<CoreOptions, 'gracefulRestart'> = {}): OspfRouter {
    const config = defaultRouterConfig(parseIpv4(routerId));
    config.networks = [parsePrefix('0.0.0.0/0')];
    tweak(config);
    const prng = createPrng(seed + this.nodes.size * 7919);
    const core = createRouter({ ...options, config, random: () => prng.next() });
    this.nodes.set(name, { name, core, config, infos: new Map(), groups: new Set(), outputs: [], listeners: [] });
    return core;
  }

  core(name: string): OspfRouter {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no router ${name}`);
    return node.core;
  }

  /**
   * Calls fn with each output of the router as it runs now (a router added
   * again under the name later is not followed): its events of one type, or
   * its 'lsdb' changes, in output order.
   */
  on<K extends keyof Observed>(router: string, kind: K, fn: (e: Observed[K]) => void): void {
    const node = this.nodes.get(router);
    if (node === undefined) throw new Error(`no router ${router}`);
    node.listeners.push({ kind, fn } as Listener);
  }

  /** Puts interfaces of several routers on one link: [router, ifName, "10.0.0.1/24"]. */
  link(name: string, members: [string, string, string][], mtu = 1500): void {
    const attachments: Attachment[] = [];
    for (const [router, ifName, cidr] of members) {
      const slash = cidr.indexOf('/');
      const address = parseIpv4(cidr.slice(0, slash));
      const prefixLength = Number(cidr.slice(slash + 1));
      attachments.push({ router, ifName, address, prefixLength });
      this.setInterface(router, { name: ifName, ifIndex: 1, up: true, loopback: false, mtu, addresses: [{ address, prefixLength }] });
    }
    this.links.set(name, attachments);
  }

  loopback(router: string, ifName: string, cidrs: string[]): void {
    const addresses = cidrs.map((c) => {
      const slash = c.indexOf('/');
      return { address: parseIpv4(c.slice(0, slash)), prefixLength: Number(c.slice(slash + 1)) };
    });
    this.setInterface(router, { name: ifName, ifIndex: 1, up: true, loopback: true, mtu: 65536, addresses });
  }

  setInterface(router: string, info: InterfaceInfo): void {
    const node = this.nodes.get(router);
    if (node === undefined) throw new Error(`no router ${router}`);
    node.infos.set(info.name, info);
    this.input(router, { kind: 'interface', info });
  }

  /** Takes an interface down (carrier lost). */
  down(router: string, ifName: string): void {
    const info = this.nodes.get(router)?.infos.get(ifName);
    if (info === undefined) throw new Error(`no interface ${router}/${ifName}`);
    this.setInterface(router, { ...info, up: false });
  }

  /** Stops a router without a word (power cut): it no longer receives or sends. */
  crash(router: string): void {
    this.nodes.delete(router);
  }

  /** Hands an input to a router now and processes what it outputs. */
  input(router: string, input: Input): Output[] {
    const node = this.nodes.get(router);
    if (node === undefined) return [];
    const outputs = node.core.handle(input, this.now);
    node.outputs.push(...outputs);
    if (node.listeners.length > 0) for (const o of outputs) this.notify(node, o);
    for (const o of outputs) this.onOutput(node, o);
    return outputs;
  }

  private notify(node: Node, o: Output): void {
    const kind = o.kind === 'lsdb' ? 'lsdb' : o.kind === 'event' ? o.event.type : undefined;
    if (kind === undefined) return;
    const observed = o.kind === 'lsdb' ? o : (o as Extract<Output, { kind: 'event' }>).event;
    for (const l of node.listeners) if (l.kind === kind) (l.fn as (e: Observed[keyof Observed]) => void)(observed);
  }

  private onOutput(node: Node, o: Output): void {
    if (o.kind === 'membership') {
      const key = `${o.ifName}|${o.group}`;
      if (o.join) node.groups.add(key);
      else node.groups.delete(key);
      return;
    }
    if (o.kind !== 'send') return;
    const packet = decodePacket(o.data);
    const sent: SentPacket = { index: this.sent.length, at: this.now, from: node.name, ifName: o.ifName, dst: o.dst, packet };
    this.sent.push(sent);
    const link = [...this.links.values()].find((l) => l.some((a) => a.router === node.name && a.ifName === o.ifName));
    if (link === undefined) return;
    const self = link.find((a) => a.router === node.name && a.ifName === o.ifName) as Attachment;
    for (const a of link) {
      if (a === self) continue;
      const peer = this.nodes.get(a.router);
      if (peer === undefined) continue;
      const info = peer.infos.get(a.ifName);
      if (info === undefined || !info.up) continue;
      const multicast = o.dst >>> 28 === 0xe;
      if (multicast && !peer.groups.has(`${a.ifName}|${o.dst}`)) continue;
      if (!multicast && o.dst !== a.address) continue;
      const verdict = this.filter(sent, a.router);
      if (verdict === false) continue;
      const data = verdict === true ? o.data : encodePacket(verdict);
      this.schedule(this.now + this.delayMs, a.router, { kind: 'packet', ifName: a.ifName, src: self.address, dst: o.dst, data });
    }
  }

  private schedule(at: number, router: string, input: Input): void {
    this.queue.push({ at, order: this.order++, router, input });
  }

  /** Runs events until `until` (ms of virtual time). */
  run(until: number): void {
    for (;;) {
      let best: Pending | undefined;
      let bestIndex = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const p = this.queue[i] as Pending;
        if (best === undefined || p.at < best.at || (p.at === best.at && p.order < best.order)) {
          best = p;
          bestIndex = i;
        }
      }
      let timerAt = Infinity;
      let timerRouter: string | undefined;
      for (const node of [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const d = node.core.nextDeadline();
        if (d !== undefined && d < timerAt) {
          timerAt = d;
          timerRouter = node.name;
        }
      }
      if (best !== undefined && best.at <= timerAt && best.at <= until) {
        this.queue.splice(bestIndex, 1);
        this.now = Math.max(this.now, best.at);
        this.input(best.router, best.input);
      } else if (timerRouter !== undefined && timerAt <= until) {
        this.now = Math.max(this.now, timerAt);
        this.input(timerRouter, { kind: 'timer' });
      } else {
        this.now = until;
        return;
      }
    }
  }

  /** Runs `ms` more milliseconds. */
  advance(ms: number): void {
    this.run(this.now + ms);
  }

  state(router: string, neighborId: string): string | undefined {
    const id = parseIpv4(neighborId);
    return this.core(router)
      .neighbors()
      .find((n) => n.routerId === id)?.state;
  }

  /** The LSDBs of the routers as comparable text (key, seq, checksum), ages left out. */
  lsdbText(router: string): string[] {
    return this.core(router)
      .lsdb(this.now)
      .map((h) => `${h.type}/${h.lsId}/${h.advRouter}#${h.seq}/${h.checksum}`);
  }

  /** A position in the record of sent packets, for sentBy(…, since). */
  mark(): number {
    return this.sent.length;
  }

  /** Packets of one type sent by a router, from position `since` (see mark()) on. */
  sentBy(router: string, type: number, since = 0): SentPacket[] {
    return this.sent.filter((s) => s.index >= since && s.from === router && s.packet.type === type);
  }

  outputsOf(router: string): Output[] {
    return this.nodes.get(router)?.outputs ?? [];
  }
}

export const AllSpf = AllSPFRouters;

/** The common header fields of a packet from routerId in area 0, no authentication. */
/** Routers a (1.1.1.1, 10.0.0.1) and b (`bId`, 10.0.0.2) on the broadcast link `lan`, run for a minute. */
export function twoOnLan(bId = '2.2.2.2'): TestNet {
  const net = new TestNet();
  net.addRouter('a', '1.1.1.1');
  net.addRouter('b', bId);
  net.link('lan', [
    ['a', 'eth0', '10.0.0.1/24'],
    ['b', 'eth0', '10.0.0.2/24'],
  ]);
  net.run(60_000);
  return net;
}

/**
 * dr (3.3.3.3, priority 3), bdr (2.2.2.2, 2) and other (1.1.1.1, 1) on one
 * LAN, eth0 10.0.0.N/24, default timers (Hello 10 s, Dead 40 s), settled;
 * `tweak` changes each router's configuration further.
 */
export function threeOnLan(tweak: (c: RouterConfig) => void = () => undefined): TestNet {
  const net = new TestNet();
  const configure = (p: number) => (c: RouterConfig) => {
    c.interfaces = { eth0: { priority: p } };
    tweak(c);
  };
  net.addRouter('dr', '3.3.3.3', configure(3));
  net.addRouter('bdr', '2.2.2.2', configure(2));
  net.addRouter('other', '1.1.1.1', configure(1));
  net.link('lan', [
    ['dr', 'eth0', '10.0.0.3/24'],
    ['bdr', 'eth0', '10.0.0.2/24'],
    ['other', 'eth0', '10.0.0.1/24'],
  ]);
  net.run(120_000);
  return net;
}

export function fromRouter(routerId: string): PacketCommon {
  return { version: 2, routerId: parseIpv4(routerId), areaId: 0, checksum: 0, auType: 0, auth: new Uint8Array(8), trailer: new Uint8Array(0) };
}

/** A Hello from 2.2.2.2 with FRR's defaults on a /24 (10 s, 40 s, E-bit, priority 1), fields overridden by `over`. */
export function helloFrom2(over: Partial<HelloPacket> = {}): HelloPacket {
  return {
    ...fromRouter('2.2.2.2'),
    type: PacketType.Hello,
    networkMask: parseIpv4('255.255.255.0'),
    helloInterval: 10,
    options: 0x02,
    priority: 1,
    deadInterval: 40,
    dr: 0,
    bdr: 0,
    neighbors: [],
    ...over,
  };
}

/** Hands a crafted packet to a router as if received on ifName from src. */
export function inject(net: TestNet, router: string, ifName: string, src: string, packet: OspfPacket, dst = AllSPFRouters): Output[] {
  return net.input(router, { kind: 'packet', ifName, src: parseIpv4(src), dst, data: encodePacket(packet) });
}
