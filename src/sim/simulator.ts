// A deterministic network simulator for OSPF cores: N routers on broadcast
// segments and point-to-point links, a virtual clock driven by one event
// queue (packet deliveries, core deadlines, scheduled actions), and seeded
// faults per link (loss, duplication, delay, reordering), link failures and
// router restarts. Same topology, options and seed → the same run, event for
// event; traceHash() digests every delivery to show it. The core tests' small
// networks (test/core/harness.ts) run on it too, grown as they go.
//
//   core.handle() ──send──▶ transmit(): receivers by destination, faults drawn
//        ▲                        │ per receiver from the segment's stream
//        │                        ▼
//   deliver / timer ◀──── EventQueue (time, sameTime rank, insertion order)

import { createHash, type Hash } from 'node:crypto';
import { AllDRouters, AllSPFRouters, type Input, type InterfaceInfo, type OspfCore, type Output, type RouterConfig } from '../core/api.js';
import { createPrng, type Prng } from '../lib/prng.js';
import { CoreFailureError, SimulationError, SimulationLimitError, TopologyError } from './errors.js';
import { EventQueue } from './queue.js';
import {
  FAST_TIMERS,
  NO_FAULTS,
  validateFaults,
  type LinkFaults,
  type LoggedEvent,
  type QuietResult,
  type SegmentState,
  type SimStats,
  type SimulatorOptions,
  type Violation,
} from './options.js';
import { buildConfig, loopbackInfo } from './router-config.js';
import type { Attachment, RouterSpec, SegmentSpec, Topology } from './topology.js';

type SimEvent =
  | { kind: 'deliver'; router: number; ifName: string; segment: number; src: number; dst: number; data: Uint8Array }
  | { kind: 'timer'; router: number; token: number }
  | { kind: 'action'; run: () => void };

interface RouterRuntime {
  spec: RouterSpec;
  config: RouterConfig;
  core: OspfCore | undefined;
  /** Forked once per start, so every incarnation gets its own random stream. */
  stream: Prng;
  timerToken: number;
  timerAt: number | undefined;
  /** `${ifName} ${group}` for each multicast group joined. */
  groups: Set<string>;
  ports: Map<string, { segment: SegmentSpec; attachment: Attachment }>;
  engineMs: number;
  sameTimeTimers: number;
  lastTimerAt: number;
}

interface SegmentRuntime {
  spec: SegmentSpec;
  state: SegmentState;
  faults: LinkFaults;
  stream: Prng;
  /** Carrier of each attachment's port, by router index. */
  portUp: Map<number, boolean>;
}

const HISTORY_LIMIT = 400;
const SAME_TIME_TIMER_LIMIT = 10_000;
const HELLO = 1; // RFC 2328 A.3.1 packet type

export class Simulator {
  readonly topology: Topology;
  readonly seed: number;
  private readonly options: SimulatorOptions;
  private readonly queue: EventQueue<SimEvent>;
  /** Forks the random streams of routers and segments, those added later too. */
  private readonly root: Prng;
  /** Faults a segment added later starts with. */
  private faults: LinkFaults;
  private readonly routers: RouterRuntime[];
  private readonly segments: SegmentRuntime[];
  private readonly hash: Hash | undefined;
  private readonly history: LoggedEvent[] = [];
  private readonly maxEvents: number;
  private clock = 0;
  private lastActivity = 0;
  readonly stats: SimStats = { events: 0, sends: 0, deliveries: 0, dropped: {}, engineMs: 0 };
  readonly violations: Violation[] = [];

  constructor(options: SimulatorOptions) {
    this.options = options;
    this.topology = options.topology;
    this.seed = options.seed;
    this.maxEvents = options.maxEvents ?? 20_000_000;
    this.hash = options.trace === false ? undefined : createHash('sha256');
    this.queue = new EventQueue<SimEvent>(options.sameTime === 'packets-first' ? (a, b) => this.packetsFirst(a, b) : undefined);
    this.root = createPrng(options.seed);
    const startPrng = this.root.fork();
    this.routers = this.topology.routers.map((spec, index) => {
      if (spec.index !== index) throw new TopologyError(`router ${spec.name} has index ${spec.index}, expected ${index}`);
      return this.newRouter(spec, buildConfig(this.topology, options, spec));
    });
    this.faults = { ...NO_FAULTS, ...options.faults };
    validateFaults(this.faults);
    this.segments = this.topology.segments.map((spec) => this.newSegment(spec));
    if (options.start !== false) {
      const jitter = options.startJitterMs ?? 1000;
      for (let i = 0; i < this.routers.length; i++) {
        const at = jitter > 0 ? startPrng.int(0, jitter) : 0;
        this.schedule(at, () => this.startRouter(i));
      }
    }
  }

  /** Virtual time, milliseconds. */
  get now(): number {
    return this.clock;
  }

  get routerCount(): number {
    return this.routers.length;
  }

  /** The running core of a router, or undefined while it is stopped. */
  core(router: number): OspfCore | undefined {
    return this.runtime(router).core;
  }

  isRunning(router: number): boolean {
    return this.runtime(router).core !== undefined;
  }

  /** The configuration a router starts with: built from the topology, or as last given to startRouter() or reconfigure(). */
  config(router: number): RouterConfig {
    return this.runtime(router).config;
  }

  /** Wall-clock milliseconds this router's cores have spent in handle(). */
  engineMs(router: number): number {
    return this.runtime(router).engineMs;
  }

  segmentState(segment: number): SegmentState {
    return this.segmentRuntime(segment).state;
  }

  /** Whether a router's port on a segment has carrier (the segment itself may still be down). */
  portUp(segment: number, router: number): boolean {
    return this.segmentRuntime(segment).portUp.get(router) === true;
  }

  /** True when packets can flow between a running router's port and the segment. */
  linkWorks(segment: number, router: number): boolean {
    const seg = this.segmentRuntime(segment);
    return seg.state === 'up' && seg.portUp.get(router) === true && this.isRunning(router);
  }

  /** Whether a router joined a multicast group on an interface (through 'membership' outputs). */
  joined(router: number, ifName: string, group: number): boolean {
    return this.runtime(router).groups.has(`${ifName} ${group}`);
  }

  /** The last core events (state changes, drops), oldest first. */
  recentEvents(): readonly LoggedEvent[] {
    return this.history;
  }

  /** A hex digest of every delivery so far (time, receiver, interface, addresses, bytes). */
  traceHash(): string {
    if (this.hash === undefined) throw new SimulationError('tracing is off (trace: false)');
    return this.hash.copy().digest('hex');
  }

  /** Runs `action` at now + delayMs, after everything already due at that time. */
  schedule(delayMs: number, action: () => void): void {
    if (!(delayMs >= 0)) throw new SimulationError(`bad delay ${delayMs}`);
    this.queue.push(this.clock + delayMs, { kind: 'action', run: action });
  }

  /** Changes the faults of one segment, or of every segment and those added later. */
  setFaults(faults: Partial<LinkFaults>, segment?: number): void {
    if (segment === undefined) {
      const next = { ...this.faults, ...faults };
      validateFaults(next);
      this.faults = next;
    }
    const targets = segment === undefined ? this.segments : [this.segmentRuntime(segment)];
    for (const seg of targets) {
      const next = { ...seg.faults, ...faults };
      validateFaults(next);
      seg.faults = next;
    }
  }

  /** Adds a stopped router to the topology with the configuration it starts with; returns its index. */
  addRouter(spec: Omit<RouterSpec, 'index'>, config: RouterConfig): number {
    const index = this.routers.length;
    const full = { ...spec, index };
    this.topology.routers.push(full);
    this.routers.push(this.newRouter(full, config));
    return index;
  }

  /** Adds a segment, every port on it up, to the topology; returns its id. */
  addSegment(spec: Omit<SegmentSpec, 'id'>): number {
    const full = { ...spec, id: this.segments.length };
    this.topology.segments.push(full);
    this.segments.push(this.newSegment(full));
    return full.id;
  }

  /** Starts a stopped router with a fresh core (a new process: empty LSDB, no neighbors). */
  startRouter(router: number, config?: RouterConfig): void {
    const rt = this.runtime(router);
    if (rt.core !== undefined) throw new SimulationError(`${rt.spec.name} is already running`);
    if (config !== undefined) rt.config = config;
    const stream = rt.stream.fork();
    rt.core = this.options.createCore({ config: rt.config, random: () => stream.next() });
    rt.groups.clear();
    rt.timerAt = undefined;
    rt.timerToken++;
    if (this.options.interfaces === 'manual') return;
    this.input(router, { kind: 'interface', info: loopbackInfo(rt.spec) });
    for (const { attachment } of [...rt.ports.values()].sort((a, b) => a.attachment.ifIndex - b.attachment.ifIndex)) {
      this.input(router, { kind: 'interface', info: this.portInfo(router, attachment.ifName) });
    }
  }

  /**
   * Stops a router. graceful: it first handles 'shutdown' and its flushes go
   * out; otherwise it vanishes at once, as a crash or power loss.
   */
  stopRouter(router: number, options: { graceful?: boolean } = {}): void {
    const rt = this.runtime(router);
    if (rt.core === undefined) throw new SimulationError(`${rt.spec.name} is not running`);
    if (options.graceful === true) this.input(router, { kind: 'shutdown' });
    rt.core = undefined;
    rt.groups.clear();
    rt.timerAt = undefined;
    rt.timerToken++;
  }

  /** Crash and start again with fresh state (and optionally a new configuration). */
  restartRouter(router: number, config?: RouterConfig): void {
    this.stopRouter(router);
    this.startRouter(router, config);
  }

  setSegmentState(segment: number, state: SegmentState): void {
    const seg = this.segmentRuntime(segment);
    const before = seg.spec.attachments.map((a) => this.carrier(seg, a.router));
    seg.state = state;
    seg.spec.attachments.forEach((a, i) => {
      if (before[i] !== this.carrier(seg, a.router)) this.notifyPort(a.router, a.ifName);
    });
  }

  /** Plugs or unplugs one router's port on a segment. */
  setPortUp(segment: number, router: number, up: boolean): void {
    const seg = this.segmentRuntime(segment);
    const attachment = seg.spec.attachments.find((a) => a.router === router);
    if (attachment === undefined) throw new SimulationError(`r${router + 1} is not on ${seg.spec.name}`);
    const before = this.carrier(seg, router);
    seg.portUp.set(router, up);
    if (before !== this.carrier(seg, router)) this.notifyPort(router, attachment.ifName);
  }

  /**
   * Replaces a router's configuration: kept for its next start, and handed to
   * the running core now as a 'config' input.
   */
  reconfigure(router: number, config: RouterConfig): void {
    const rt = this.runtime(router);
    rt.config = config;
    if (rt.core !== undefined) this.input(router, { kind: 'config', config });
  }

  /** Feeds one input to a running router now, acts on its outputs and returns them. */
  input(router: number, input: Input): Output[] {
    const rt = this.runtime(router);
    const core = rt.core;
    if (core === undefined) throw new SimulationError(`${rt.spec.name} is not running`);
    const started = performance.now();
    let outputs: Output[];
    try {
      outputs = core.handle(input, this.clock);
    } catch (cause) {
      throw new CoreFailureError(
        `${rt.spec.name} threw on '${input.kind}' at ${this.clock} ms (seed ${this.seed}): ${String(cause)}`,
        rt.spec.name,
        this.clock,
        { cause },
      );
    } finally {
      const spent = performance.now() - started;
      rt.engineMs += spent;
      this.stats.engineMs += spent;
    }
    for (const output of outputs) {
      this.act(router, output);
      this.options.observe?.(router, output, this.clock);
    }
    this.reschedule(router);
    return outputs;
  }

  /** Runs every event due in the next `ms` of virtual time. */
  runFor(ms: number): void {
    if (!(ms >= 0)) throw new SimulationError(`bad duration ${ms}`);
    const until = this.clock + ms;
    this.runLoop(until, undefined);
    this.clock = until;
  }

  /**
   * Runs until `done()` holds (checked after every event) or maxMs of virtual
   * time pass; returns whether it held.
   */
  runUntil(done: () => boolean, maxMs: number): boolean {
    const until = this.clock + maxMs;
    if (done()) return true;
    const reached = this.runLoop(until, done);
    if (!reached) this.clock = until;
    return reached;
  }

  /**
   * Runs until nothing but Hellos has happened for quietMs: no other packet
   * sent, no LSDB change, no interface or neighbor state change. Gives up
   * after maxMs of virtual time. The default window outlasts a dead interval
   * and a few retransmissions.
   */
  runUntilQuiet(options: { quietMs?: number; maxMs?: number } = {}): QuietResult {
    const settings = { ...FAST_TIMERS, ...this.options.interfaceSettings };
    const quietMs =
      options.quietMs ??
      Math.max(3 * (settings.retransmitIntervalMs ?? 5000), (settings.deadIntervalMs ?? 40000) + 2 * (settings.helloIntervalMs ?? 10000));
    const until = this.clock + (options.maxMs ?? 600_000);
    this.lastActivity = Math.max(this.lastActivity, this.clock);
    for (;;) {
      const quietAt = this.lastActivity + quietMs;
      const next = this.queue.peekTime();
      if (next === undefined || next > quietAt) {
        if (quietAt > until) {
          this.clock = until;
          return { quiet: false, now: until };
        }
        this.clock = Math.max(this.clock, quietAt);
        return { quiet: true, now: this.clock };
      }
      if (next > until) {
        this.clock = until;
        return { quiet: false, now: until };
      }
      this.step();
    }
  }

  // ---- internals ----

  private runLoop(until: number, done: (() => boolean) | undefined): boolean {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > until) return false;
      this.step();
      if (done !== undefined && done()) return true;
    }
  }

  private step(): void {
    const popped = this.queue.pop();
    if (popped === undefined) return;
    if (++this.stats.events > this.maxEvents) {
      throw new SimulationLimitError(`more than ${this.maxEvents} events (seed ${this.seed}, at ${this.clock} ms)`);
    }
    this.clock = Math.max(this.clock, popped.time);
    const event = popped.item;
    switch (event.kind) {
      case 'action':
        event.run();
        return;
      case 'timer': {
        const rt = this.routers[event.router];
        if (rt.core === undefined || event.token !== rt.timerToken) return;
        rt.timerAt = undefined;
        if (rt.lastTimerAt === this.clock) {
          if (++rt.sameTimeTimers > SAME_TIME_TIMER_LIMIT) {
            throw new SimulationLimitError(`${rt.spec.name} asked for its timer ${SAME_TIME_TIMER_LIMIT} times at ${this.clock} ms (seed ${this.seed})`);
          }
        } else {
          rt.lastTimerAt = this.clock;
          rt.sameTimeTimers = 0;
        }
        this.input(event.router, { kind: 'timer' });
        return;
      }
      case 'deliver': {
        if (!this.linkWorks(event.segment, event.router)) {
          this.drop('receiver-down');
          return;
        }
        this.stats.deliveries++;
        if (this.hash !== undefined) this.digest(event);
        this.input(event.router, { kind: 'packet', ifName: event.ifName, src: event.src, dst: event.dst, data: event.data });
        return;
      }
    }
  }

  private act(router: number, output: Output): void {
    const rt = this.routers[router];
    switch (output.kind) {
      case 'send':
        if (output.data.length < 2 || output.data[1] !== HELLO) this.lastActivity = this.clock;
        this.transmit(router, output);
        return;
      case 'membership': {
        const key = `${output.ifName} ${output.group}`;
        if (output.join) rt.groups.add(key);
        else rt.groups.delete(key);
        return;
      }
      case 'lsdb':
        this.lastActivity = this.clock;
        return;
      case 'event':
        if (output.event.type !== 'drop') this.lastActivity = this.clock;
        this.history.push({ now: this.clock, router: rt.spec.name, event: output.event });
        if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
        return;
    }
  }

  /** Hands a sent packet to the receivers its destination selects, through the link's faults. */
  private transmit(router: number, send: Extract<Output, { kind: 'send' }>): void {
    const { ifName, dst, data } = send;
    const rt = this.routers[router];
    this.stats.sends++;
    const port = rt.ports.get(ifName);
    if (port === undefined) {
      this.violations.push({ router: rt.spec.name, now: this.clock, what: `sent on unknown interface ${ifName}` });
      return;
    }
    const seg = this.segments[port.segment.id];
    // RFC 2328 A.1: OSPF packets must fit the interface MTU with the 20-byte IP header.
    if (data.length + 20 > seg.spec.mtu) {
      this.violations.push({
        router: rt.spec.name,
        now: this.clock,
        what: `${data.length}-byte packet on ${ifName} exceeds MTU ${seg.spec.mtu} with its IP header`,
      });
    }
    if (seg.state === 'down' || seg.portUp.get(router) !== true) return this.drop('sender-link-down');
    if (seg.state === 'blackhole') return this.drop('blackhole');
    const receivers = seg.spec.attachments.filter((a) => {
      if (a.router === router || !this.isRunning(a.router) || seg.portUp.get(a.router) !== true) return false;
      if (dst === AllSPFRouters) return true;
      // RFC 2328 A.1: only the DR and BDR listen on AllDRouters.
      if (dst === AllDRouters) return this.joined(a.router, a.ifName, AllDRouters);
      return a.address === dst;
    });
    if (receivers.length === 0) return this.drop('no-receiver');
    const src = port.attachment.address;
    const f = seg.faults;
    for (const receiver of receivers) {
      const verdict = this.options.filter?.(router, send, receiver.router) ?? true;
      if (verdict === false) {
        this.drop('filtered');
        continue;
      }
      const bytes = verdict === true ? data : verdict;
      if (f.loss > 0 && seg.stream.chance(f.loss)) {
        this.drop('loss');
        continue;
      }
      const copies = f.duplicate > 0 && seg.stream.chance(f.duplicate) ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        let delay = f.maxDelayMs > f.minDelayMs ? seg.stream.int(f.minDelayMs, f.maxDelayMs) : f.minDelayMs;
        if (f.reorder > 0 && seg.stream.chance(f.reorder)) delay += seg.stream.int(0, f.reorderDelayMs);
        this.queue.push(this.clock + delay, {
          kind: 'deliver',
          router: receiver.router,
          ifName: receiver.ifName,
          segment: seg.spec.id,
          src,
          dst,
          data: bytes.slice(),
        });
      }
    }
  }

  private reschedule(router: number): void {
    const rt = this.routers[router];
    if (rt.core === undefined) return;
    const deadline = rt.core.nextDeadline();
    if (deadline === undefined) {
      rt.timerAt = undefined;
      rt.timerToken++;
      return;
    }
    const at = Math.max(deadline, this.clock);
    if (rt.timerAt === at) return;
    rt.timerAt = at;
    rt.timerToken++;
    this.queue.push(at, { kind: 'timer', router, token: rt.timerToken });
  }

  private digest(event: Extract<SimEvent, { kind: 'deliver' }>): void {
    const head = Buffer.alloc(24);
    head.writeDoubleBE(this.clock, 0);
    head.writeUInt32BE(event.router, 8);
    head.writeUInt32BE(event.segment, 12);
    head.writeUInt32BE(event.src >>> 0, 16);
    head.writeUInt32BE(event.dst >>> 0, 20);
    this.hash?.update(head);
    this.hash?.update(event.data);
  }

  private drop(reason: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
  }

  private carrier(seg: SegmentRuntime, router: number): boolean {
    return seg.state !== 'down' && seg.portUp.get(router) === true;
  }

  private notifyPort(router: number, ifName: string): void {
    if (this.isRunning(router) && this.options.interfaces !== 'manual') this.input(router, { kind: 'interface', info: this.portInfo(router, ifName) });
  }

  private portInfo(router: number, ifName: string): InterfaceInfo {
    const port = this.routers[router].ports.get(ifName);
    if (port === undefined) throw new SimulationError(`r${router + 1} has no ${ifName}`);
    const seg = this.segments[port.segment.id];
    return {
      name: ifName,
      ifIndex: port.attachment.ifIndex,
      up: this.carrier(seg, router),
      loopback: false,
      mtu: seg.spec.mtu,
      addresses: [{ address: port.attachment.address, prefixLength: seg.spec.prefix.length }],
    };
  }

  private newRouter(spec: RouterSpec, config: RouterConfig): RouterRuntime {
    return {
      spec,
      config,
      core: undefined,
      stream: this.root.fork(),
      timerToken: 0,
      timerAt: undefined,
      groups: new Set<string>(),
      ports: new Map(),
      engineMs: 0,
      sameTimeTimers: 0,
      lastTimerAt: -1,
    };
  }

  private newSegment(spec: SegmentSpec): SegmentRuntime {
    const portUp = new Map<number, boolean>();
    for (const attachment of spec.attachments) {
      const router = this.routers[attachment.router];
      if (router === undefined) throw new TopologyError(`${spec.name} names unknown router ${attachment.router}`);
      if (router.ports.has(attachment.ifName)) throw new TopologyError(`${router.spec.name} has two ${attachment.ifName}`);
      router.ports.set(attachment.ifName, { segment: spec, attachment });
      portUp.set(attachment.router, true);
    }
    return { spec, state: 'up', faults: { ...this.faults }, stream: this.root.fork(), portUp };
  }

  /** sameTime 'packets-first': deliveries and actions before timers, timers by router name. */
  private packetsFirst(a: SimEvent, b: SimEvent): number {
    if (a.kind !== 'timer' || b.kind !== 'timer') return (a.kind === 'timer' ? 1 : 0) - (b.kind === 'timer' ? 1 : 0);
    const x = this.routers[a.router].spec.name;
    const y = this.routers[b.router].spec.name;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  private runtime(router: number): RouterRuntime {
    const rt = this.routers[router];
    if (rt === undefined) throw new SimulationError(`no router ${router}`);
    return rt;
  }

  private segmentRuntime(segment: number): SegmentRuntime {
    const seg = this.segments[segment];
    if (seg === undefined) throw new SimulationError(`no segment ${segment}`);
    return seg;
  }
}
