// A tiny in-test network for driving a few cores directly, on the
// deterministic simulator (src/sim), which delivers the packets and runs the
// timers: routers added by name, interfaces on shared links, packets delivered
// after a fixed delay to the link members whose interface is up (AllDRouters:
// only to those that joined it), through a per-packet filter. Events due at
// the same instant: deliveries first, then timers by router name.

import { createRouter, defaultRouterConfig, type OspfRouter } from '../../src/core/index.js';
import { AllSPFRouters, type CoreEvent, type CoreOptions, type Input, type InterfaceInfo, type Output, type RouterConfig } from '../../src/core/api.js';
import { PacketType, decodePacket, encodePacket, type HelloPacket, type OspfPacket, type PacketCommon } from '../../src/packet/index.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';
import { Simulator, type Attachment } from '../../src/sim/index.js';

export interface SentPacket {
  /** Position in TestNet.sent, for mark(). */
  index: number;
  at: number;
  from: string;
  ifName: string;
  dst: number;
  packet: OspfPacket;
}

/** What the tests read of a router: its core, configuration, interfaces as last set, outputs and listeners. */
interface Node {
  name: string;
  /** The router's index in the simulator, kept when it is added again under its name. */
  index: number;
  core: OspfRouter;
  config: RouterConfig;
  infos: Map<string, InterfaceInfo>;
  outputs: Output[];
  listeners: Listener[];
}

/** What TestNet.on() delivers: each event type of the core's 'event' outputs, and its 'lsdb' outputs. */
export type Observed = { [T in CoreEvent['type']]: Extract<CoreEvent, { type: T }> } & { lsdb: Extract<Output, { kind: 'lsdb' }> };

type Listener = { [K in keyof Observed]: { kind: K; fn: (e: Observed[K]) => void } }[keyof Observed];

type SendOutput = Extract<Output, { kind: 'send' }>;

/** Decides whether a packet is delivered (true/false), or returns the packet to deliver instead. */
export type PacketFilter = (p: SentPacket, to: string) => boolean | OspfPacket;

export class TestNet {
  readonly nodes = new Map<string, Node>();
  readonly sent: SentPacket[] = [];
  filter: PacketFilter = () => true;
  private readonly sim: Simulator;
  /** Simulator index by router name, and name by index. */
  private readonly indexes = new Map<string, number>();
  private readonly names: string[] = [];
  /** The segment of each linked interface, by `${router} ${ifName}`. */
  private readonly ports = new Map<string, number>();
  /** The record of each send output, made when it is first filtered or observed. */
  private readonly records = new WeakMap<SendOutput, SentPacket>();
  /** Random source and options for the core the simulator creates next. */
  private starting: { random: () => number; options: Pick<CoreOptions, 'gracefulRestart'> } | undefined;

  constructor() {
    this.sim = new Simulator({
      topology: { routers: [], segments: [] },
      seed: 1,
      createCore: ({ config }) => {
        if (this.starting === undefined) throw new Error('router started outside addRouter');
        return createRouter({ ...this.starting.options, config, random: this.starting.random });
      },
      start: false,
      trace: false,
      interfaces: 'manual',
      sameTime: 'packets-first',
      observe: (router, output) => this.observe(router, output),
      filter: (sender, send, receiver) => this.pass(sender, send, receiver),
    });
  }

  /** Virtual time, milliseconds. */
  get now(): number {
    return this.sim.now;
  }

  /** Delay of every delivery, milliseconds (default 1). */
  set delayMs(ms: number) {
    this.sim.setFaults({ minDelayMs: ms, maxDelayMs: ms });
  }

  /** `options`: core options beyond configuration and random source (a graceful restart's, say). */
  addRouter(name: string, routerId: string, tweak: (c: RouterConfig) => void = () => undefined, seed = 1, options: Pick<CoreOptions, 'gracefulRestart'> = {}): OspfRouter {
    const config = defaultRouterConfig(parseIpv4(routerId));
    config.networks = [parsePrefix('0.0.0.0/0')];
    tweak(config);
    const prng = createPrng(seed + this.nodes.size * 7919);
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = this.sim.addRouter({ name, routerId: config.routerId, loopback: config.routerId, externals: [] }, config);
      this.indexes.set(name, index);
      this.names[index] = name;
    } else {
      if (this.sim.isRunning(index)) this.sim.stopRouter(index);
      // A router added again knows none of its interfaces until they are set.
      for (const [key, segment] of this.ports) if (key.startsWith(`${name} `)) this.sim.setPortUp(segment, index, false);
    }
    this.starting = { random: () => prng.next(), options };
    this.sim.startRouter(index, config);
    this.starting = undefined;
    const core = this.sim.core(index) as OspfRouter;
    this.nodes.set(name, { name, index, core, config, infos: new Map(), outputs: [], listeners: [] });
    return core;
  }

  core(name: string): OspfRouter {
    return this.node(name).core;
  }

  /**
   * Calls fn with each output of the router as it runs now (a router added
   * again under the name later is not followed): its events of one type, or
   * its 'lsdb' changes, in output order.
   */
  on<K extends keyof Observed>(router: string, kind: K, fn: (e: Observed[K]) => void): void {
    this.node(router).listeners.push({ kind, fn } as Listener);
  }

  /** Puts interfaces of several routers on one link: [router, ifName, "10.0.0.1/24"]. */
  link(name: string, members: [string, string, string][], mtu = 1500): void {
    const attachments: Attachment[] = [];
    for (const [router, ifName, cidr] of members) {
      const slash = cidr.indexOf('/');
      const address = parseIpv4(cidr.slice(0, slash));
      const prefixLength = Number(cidr.slice(slash + 1));
      attachments.push({ router: this.node(router).index, ifName, ifIndex: 1, address, priority: 1, cost: 10 });
      this.setInterface(router, { name: ifName, ifIndex: 1, up: true, loopback: false, mtu, addresses: [{ address, prefixLength }] });
    }
    const first = members[0]?.[2].split('/') ?? ['0.0.0.0', '0'];
    const length = Number(first[1]);
    const prefix = { address: length === 0 ? 0 : (parseIpv4(first[0] as string) & (~0 << (32 - length))) >>> 0, length };
    const segment = this.sim.addSegment({ name, kind: 'broadcast', prefix, mtu, attachments });
    for (const [router, ifName] of members) this.ports.set(`${router} ${ifName}`, segment);
  }

  loopback(router: string, ifName: string, cidrs: string[]): void {
    const addresses = cidrs.map((c) => {
      const slash = c.indexOf('/');
      return { address: parseIpv4(c.slice(0, slash)), prefixLength: Number(c.slice(slash + 1)) };
    });
    this.setInterface(router, { name: ifName, ifIndex: 1, up: true, loopback: true, mtu: 65536, addresses });
  }

  /** Tells a router about an interface; on a link, packets reach it while the interface is up. */
  setInterface(router: string, info: InterfaceInfo): void {
    const node = this.node(router);
    node.infos.set(info.name, info);
    const segment = this.ports.get(`${router} ${info.name}`);
    if (segment !== undefined) this.sim.setPortUp(segment, node.index, info.up);
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
    const node = this.nodes.get(router);
    if (node === undefined) return;
    this.nodes.delete(router);
    this.sim.stopRouter(node.index);
  }

  /** Hands an input to a router now and processes what it outputs. */
  input(router: string, input: Input): Output[] {
    const node = this.nodes.get(router);
    if (node === undefined) return [];
    return this.sim.input(node.index, input);
  }

  /** Runs events until `until` (ms of virtual time). */
  run(until: number): void {
    this.sim.runFor(until - this.now);
  }

  /** Runs `ms` more milliseconds. */
  advance(ms: number): void {
    this.sim.runFor(ms);
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

  private node(name: string): Node {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no router ${name}`);
    return node;
  }

  /** Every output of a running router: recorded, sends in `sent`, and handed to the listeners. */
  private observe(router: number, output: Output): void {
    const node = this.nodes.get(this.names[router] as string);
    if (node === undefined) return;
    if (output.kind === 'send') this.record(router, output);
    node.outputs.push(output);
    const kind = output.kind === 'lsdb' ? 'lsdb' : output.kind === 'event' ? output.event.type : undefined;
    if (kind === undefined) return;
    const observed = output.kind === 'lsdb' ? output : (output as Extract<Output, { kind: 'event' }>).event;
    for (const l of node.listeners) if (l.kind === kind) (l.fn as (e: Observed[keyof Observed]) => void)(observed);
  }

  /** The simulator's filter: this.filter's verdict on one receiver of a sent packet. */
  private pass(sender: number, send: SendOutput, receiver: number): boolean | Uint8Array {
    const verdict = this.filter(this.record(sender, send), this.names[receiver] as string);
    return typeof verdict === 'boolean' ? verdict : encodePacket(verdict);
  }

  private record(sender: number, send: SendOutput): SentPacket {
    let sent = this.records.get(send);
    if (sent === undefined) {
      sent = { index: this.sent.length, at: this.now, from: this.names[sender] as string, ifName: send.ifName, dst: send.dst, packet: decodePacket(send.data) };
      this.sent.push(sent);
      this.records.set(send, sent);
    }
    return sent;
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
