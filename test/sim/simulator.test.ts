// The simulator's own rules, with scripted cores: who receives a packet,
// what faults do, when timers fire, how failures surface, and that a seed
// fixes the whole run.
import { describe, expect, it } from 'vitest';
import { AllDRouters, AllSPFRouters, type Output } from '../../src/core/api.js';
import { defaultRouterConfig } from '../../src/core/index.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import {
  CoreFailureError,
  SimulationError,
  SimulationLimitError,
  Simulator,
  TopologyBuilder,
  type LinkFaults,
  type SimulatorOptions,
  type Topology,
} from '../../src/sim/index.js';
import { ScriptedCore, scriptedFactory, type Script } from './scripted-core.js';

// r1, r2, r3 on lan1 (10.1.0.1-3, eth0); r1–r2 also on p2p2 (10.128.0.1-2, eth1).
function threeRouters(): Topology {
  const b = new TopologyBuilder();
  const r = [b.addRouter(), b.addRouter(), b.addRouter()];
  b.addBroadcast(r);
  b.addP2p(r[0], r[1]);
  return b.build();
}

const LAN = 0;

/** Outputs queued by the test, returned on the next timer input. */
const outboxScript: Script = (core, input) => (input.kind === 'timer' ? outbox(core).splice(0) : []);
const outboxes = new WeakMap<ScriptedCore, Output[]>();
function outbox(core: ScriptedCore): Output[] {
  let box = outboxes.get(core);
  if (box === undefined) outboxes.set(core, (box = []));
  return box;
}

function setup(topology = threeRouters(), faults?: Partial<LinkFaults>, script: Script = outboxScript) {
  const factory = scriptedFactory(script);
  const sim = new Simulator({ topology, seed: 1, createCore: factory.create, startJitterMs: 0, faults });
  sim.runFor(0);
  const core = (r: number): ScriptedCore => {
    const list = factory.cores.get(topology.routers[r].routerId) ?? [];
    return list[list.length - 1];
  };
  const emit = (r: number, ...outputs: Output[]): void => {
    outbox(core(r)).push(...outputs);
    sim.input(r, { kind: 'timer' });
  };
  return { sim, core, emit, factory };
}

function packet(type: number, marker: number, length = 24): Uint8Array {
  const data = new Uint8Array(length);
  data[0] = 2;
  data[1] = type;
  data[2] = marker >> 8;
  data[3] = marker & 0xff;
  return data;
}
const marker = (data: Uint8Array): number => (data[2] << 8) | data[3];

describe('delivery by destination (RFC 2328 A.1)', () => {
  it('AllSPFRouters reaches every other router on the segment, from the sender interface address', () => {
    const { sim, core, emit } = setup();
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(1, 7) });
    sim.runFor(10);
    expect(core(0).received).toEqual([]);
    for (const r of [1, 2]) {
      expect(core(r).received.map((p) => [p.now, p.ifName, p.src, p.dst, marker(p.data)])).toEqual([
        [1, 'eth0', parseIpv4('10.1.0.1'), AllSPFRouters, 7],
      ]);
    }
  });

  it('AllDRouters reaches only routers that joined it on that interface', () => {
    const { sim, core, emit } = setup();
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllDRouters, data: packet(4, 1) });
    sim.runFor(10);
    expect(sim.stats.dropped['no-receiver']).toBe(1);
    emit(1, { kind: 'membership', ifName: 'eth0', group: AllDRouters, join: true });
    emit(2, { kind: 'membership', ifName: 'eth1', group: AllDRouters, join: true });
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllDRouters, data: packet(4, 2) });
    sim.runFor(10);
    expect(core(1).received.map((p) => marker(p.data))).toEqual([2]);
    expect(core(2).received).toEqual([]);
    emit(1, { kind: 'membership', ifName: 'eth0', group: AllDRouters, join: false });
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllDRouters, data: packet(4, 3) });
    sim.runFor(10);
    expect(core(1).received.map((p) => marker(p.data))).toEqual([2]);
  });

  it('a unicast packet reaches only the owner of the address on that segment', () => {
    const { sim, core, emit } = setup();
    emit(0, { kind: 'send', ifName: 'eth0', dst: parseIpv4('10.1.0.3'), data: packet(2, 1) });
    emit(0, { kind: 'send', ifName: 'eth1', dst: parseIpv4('10.128.0.2'), data: packet(2, 2) });
    // 10.1.0.2 does not live on p2p2: nobody gets it.
    emit(0, { kind: 'send', ifName: 'eth1', dst: parseIpv4('10.1.0.2'), data: packet(2, 3) });
    sim.runFor(10);
    expect(core(2).received.map((p) => [p.ifName, marker(p.data)])).toEqual([['eth0', 1]]);
    expect(core(1).received.map((p) => [p.ifName, p.src, marker(p.data)])).toEqual([['eth1', parseIpv4('10.128.0.1'), 2]]);
    expect(sim.stats.dropped['no-receiver']).toBe(1);
  });

  it('records a packet that would not fit the MTU with its IP header, and a send on an unknown interface', () => {
    const { sim, emit } = setup();
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(4, 1, 1480) });
    expect(sim.violations).toEqual([]);
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(4, 2, 1481) });
    emit(0, { kind: 'send', ifName: 'eth9', dst: AllSPFRouters, data: packet(4, 3) });
    expect(sim.violations.map((v) => v.what)).toEqual([
      '1481-byte packet on eth0 exceeds MTU 1500 with its IP header',
      'sent on unknown interface eth9',
    ]);
  });
});

describe('interfaces and link state', () => {
  it('tells each core about its loopback and its ports, with the planned addresses', () => {
    const { core } = setup();
    expect(core(0).interfaceInputs.map((i) => [i.name, i.ifIndex, i.up, i.loopback, i.addresses])).toEqual([
      ['lo', 1, true, true, [{ address: parseIpv4('10.255.0.1'), prefixLength: 32 }]],
      ['eth0', 2, true, false, [{ address: parseIpv4('10.1.0.1'), prefixLength: 24 }]],
      ['eth1', 3, true, false, [{ address: parseIpv4('10.128.0.1'), prefixLength: 30 }]],
    ]);
    expect(core(0).options.config.interfaces['eth1']).toMatchObject({ networkType: 'point-to-point', helloIntervalMs: 1000 });
    expect(core(2).options.config.routerId).toBe(parseIpv4('10.255.0.3'));
  });

  it('an unplugged port tells its core and stops traffic; a segment failure tells every attached core once', () => {
    const { sim, core, emit } = setup();
    sim.setPortUp(LAN, 2, false);
    expect(core(2).interfaceInputs.at(-1)).toMatchObject({ name: 'eth0', up: false });
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(1, 1) });
    sim.runFor(10);
    expect(core(1).received.length).toBe(1);
    expect(core(2).received.length).toBe(0);
    sim.setSegmentState(LAN, 'down');
    expect(core(0).interfaceInputs.at(-1)).toMatchObject({ name: 'eth0', up: false });
    expect(core(2).interfaceInputs.filter((i) => i.name === 'eth0').map((i) => i.up)).toEqual([true, false]);
    sim.setSegmentState(LAN, 'up');
    expect(core(2).interfaceInputs.at(-1)).toMatchObject({ name: 'eth0', up: false });
    expect(core(1).interfaceInputs.at(-1)).toMatchObject({ name: 'eth0', up: true });
  });

  it('a blackholed segment keeps carrier but delivers nothing, including packets already in flight', () => {
    const { sim, core, emit } = setup(threeRouters(), { minDelayMs: 5, maxDelayMs: 5 });
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(1, 1) });
    const inputsBefore = core(1).interfaceInputs.length;
    sim.setSegmentState(LAN, 'blackhole');
    emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(1, 2) });
    sim.runFor(20);
    expect(core(1).received).toEqual([]);
    expect(core(1).interfaceInputs.length).toBe(inputsBefore);
    expect(sim.stats.dropped).toMatchObject({ 'receiver-down': 2, blackhole: 1 });
  });

  it('a restarted router gets a fresh core that has joined no group', () => {
    const { sim, core, emit, factory } = setup();
    emit(1, { kind: 'membership', ifName: 'eth0', group: AllDRouters, join: true });
    expect(sim.joined(1, 'eth0', AllDRouters)).toBe(true);
    const before = core(1);
    sim.restartRouter(1);
    expect(core(1)).not.toBe(before);
    expect(factory.cores.get(parseIpv4('10.255.0.2'))?.length).toBe(2);
    expect(sim.joined(1, 'eth0', AllDRouters)).toBe(false);
    expect(core(1).interfaceInputs.map((i) => i.name)).toEqual(['lo', 'eth0', 'eth1']);
    // The two incarnations draw from different random streams.
    expect(before.options.random()).not.toBe(core(1).options.random());
  });

  it('a stopped router receives nothing and cannot be given input', () => {
    const { sim, emit } = setup();
    sim.stopRouter(2);
    emit(0, { kind: 'send', ifName: 'eth0', dst: parseIpv4('10.1.0.3'), data: packet(1, 1) });
    expect(sim.stats.dropped['no-receiver']).toBe(1);
    expect(() => sim.input(2, { kind: 'timer' })).toThrow(SimulationError);
    expect(() => sim.stopRouter(2)).toThrow(SimulationError);
  });
});

describe('faults', () => {
  function p2pPair(faults: Partial<LinkFaults>) {
    const b = new TopologyBuilder();
    b.addP2p(b.addRouter(), b.addRouter());
    return setup(b.build(), faults);
  }

  it('loses about the configured share of packets', () => {
    const { sim, core, emit } = p2pPair({ loss: 0.2 });
    for (let i = 0; i < 5000; i++) emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(4, i) });
    sim.runFor(10);
    const got = core(1).received.length;
    expect(got).toBeGreaterThan(0.77 * 5000);
    expect(got).toBeLessThan(0.83 * 5000);
    expect(got + sim.stats.dropped['loss']).toBe(5000);
  });

  it('duplicates about the configured share of packets', () => {
    const { sim, core, emit } = p2pPair({ duplicate: 0.1 });
    for (let i = 0; i < 5000; i++) emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(4, i) });
    sim.runFor(10);
    const extra = core(1).received.length - 5000;
    expect(extra).toBeGreaterThan(0.08 * 5000);
    expect(extra).toBeLessThan(0.12 * 5000);
  });

  it('keeps order on a fixed delay and lets later packets overtake delayed ones with reordering on', () => {
    const order = (faults: Partial<LinkFaults>): number[] => {
      const { sim, core, emit } = p2pPair(faults);
      for (let i = 0; i < 200; i++) {
        emit(0, { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(4, i) });
        sim.runFor(1);
      }
      sim.runFor(100);
      return core(1).received.map((p) => marker(p.data));
    };
    const inOrder = order({ minDelayMs: 3, maxDelayMs: 3 });
    expect(inOrder).toEqual([...inOrder].sort((a, b) => a - b));
    const shuffled = order({ minDelayMs: 3, maxDelayMs: 3, reorder: 0.3, reorderDelayMs: 20 });
    expect(shuffled.length).toBe(200);
    expect(shuffled).not.toEqual([...shuffled].sort((a, b) => a - b));
  });

  it('rejects impossible fault settings', () => {
    const { sim } = setup();
    expect(() => sim.setFaults({ loss: 1.5 })).toThrow(SimulationError);
    expect(() => sim.setFaults({ minDelayMs: 5, maxDelayMs: 2 })).toThrow(SimulationError);
    expect(() => sim.setFaults({ reorderDelayMs: 0.5 })).toThrow(SimulationError);
  });
});

describe('virtual clock', () => {
  it('calls a core at its deadline, not at a deadline it has since moved', () => {
    const script: Script = (core, input, now) => {
      if (input.kind === 'interface' && input.info.name === 'lo') core.deadline = now + 1234.5;
      if (input.kind === 'advertise') core.deadline = now + 5000;
      if (input.kind === 'timer') core.deadline = undefined;
      return [];
    };
    const { sim, core } = setup(threeRouters(), {}, script);
    sim.runFor(2000);
    expect(core(0).timerCalls).toEqual([1234.5]);
    sim.input(1, { kind: 'advertise', prefix: { address: 0, length: 32 }, mode: 'announce' });
    sim.runFor(10_000);
    expect(core(1).timerCalls).toEqual([1234.5, 7000]);
  });

  it('runUntilQuiet stops once only Hellos go round, and not while other packets keep going', () => {
    let chatterUntil = 0;
    const script: Script = (core, input, now) => {
      if (input.kind !== 'timer' && !(input.kind === 'interface' && input.info.name === 'lo')) return [];
      core.deadline = now + 1000;
      const type = now < chatterUntil ? 4 : 1;
      return [{ kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(type, 0) }];
    };
    chatterUntil = 30_000;
    const { sim } = setup(threeRouters(), {}, script);
    const result = sim.runUntilQuiet({ quietMs: 5000, maxMs: 120_000 });
    expect(result.quiet).toBe(true);
    // The last non-Hello went out at 29 s (timers at whole seconds), quiet 5 s later.
    expect(result.now).toBe(34_000);
    chatterUntil = Infinity;
    const busy = sim.runUntilQuiet({ quietMs: 5000, maxMs: 20_000 });
    expect(busy).toEqual({ quiet: false, now: 54_000 });
  });

  it('stops a core that keeps asking for its timer at the same instant', () => {
    const script: Script = (core, _input, now) => {
      core.deadline = now;
      return [];
    };
    const factory = scriptedFactory(script);
    const sim = new Simulator({ topology: threeRouters(), seed: 1, createCore: factory.create, startJitterMs: 0 });
    expect(() => sim.runFor(10)).toThrow(/r1 asked for its timer 10000 times at 0 ms \(seed 1\)/);
  });

  it('bounds the number of events of a run', () => {
    const script: Script = (core, _input, now) => {
      core.deadline = now + 1;
      return [];
    };
    const factory = scriptedFactory(script);
    const sim = new Simulator({ topology: threeRouters(), seed: 1, createCore: factory.create, maxEvents: 1000 });
    expect(() => sim.runFor(60_000)).toThrow(SimulationLimitError);
  });

  it('reports a core that throws with the router, the input and the seed', () => {
    const script: Script = (_core, input) => {
      if (input.kind === 'timer') throw new RangeError('boom');
      return [];
    };
    const { sim } = setup(threeRouters(), {}, script);
    let error: unknown;
    try {
      sim.input(2, { kind: 'timer' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoreFailureError);
    expect((error as CoreFailureError).router).toBe('r3');
    expect((error as CoreFailureError).message).toMatch(/r3 threw on 'timer' at 0 ms \(seed 1\): RangeError: boom/);
  });
});

describe('determinism', () => {
  // Each core sends random packets to random destinations at random times.
  const chatter: Script = (core, input, now) => {
    if (input.kind !== 'timer' && input.kind !== 'interface') return [];
    const random = core.options.random;
    core.deadline = now + 1 + Math.floor(random() * 50);
    if (input.kind !== 'timer') return [];
    const ifName = random() < 0.5 ? 'eth0' : 'eth1';
    const dst = random() < 0.7 ? AllSPFRouters : ifName === 'eth0' ? parseIpv4('10.1.0.2') : parseIpv4('10.128.0.2');
    return [{ kind: 'send', ifName, dst, data: packet(4, Math.floor(random() * 65536)) }];
  };
  const faults = { loss: 0.1, duplicate: 0.05, reorder: 0.2, minDelayMs: 1, maxDelayMs: 4, reorderDelayMs: 30 };

  function run(seed: number): { hash: string; deliveries: number } {
    const factory = scriptedFactory(chatter);
    const sim = new Simulator({ topology: threeRouters(), seed, createCore: factory.create, faults });
    sim.runFor(5000);
    sim.setPortUp(LAN, 1, false);
    sim.runFor(1000);
    sim.restartRouter(0);
    sim.setPortUp(LAN, 1, true);
    sim.runFor(5000);
    return { hash: sim.traceHash(), deliveries: sim.stats.deliveries };
  }

  it('the same seed gives the same trace, byte for byte', () => {
    const a = run(42);
    expect(a.deliveries).toBeGreaterThan(500);
    expect(run(42)).toEqual(a);
  });

  it('different seeds give different traces', () => {
    const hashes = new Set([1, 2, 3, 4, 5].map((seed) => run(seed).hash));
    expect(hashes.size).toBe(5);
  });

  it('refuses a trace hash when tracing is off', () => {
    const factory = scriptedFactory(chatter);
    const sim = new Simulator({ topology: threeRouters(), seed: 1, createCore: factory.create, trace: false });
    expect(() => sim.traceHash()).toThrow(SimulationError);
  });
});

describe('a network grown as it runs, interfaces handed in by the caller (as the core tests use it)', () => {
  /** Routers named by `names` (router ids 1.1.1.N in that order) on one segment 10.0.0.0/24, every one started. */
  function grown(names: string[], options: Partial<SimulatorOptions> = {}, delayMs?: number) {
    const log: string[] = [];
    const factory = scriptedFactory((core, input, now) => {
      log.push(`${names[(core.options.config.routerId & 0xff) - 1]}:${input.kind}`);
      if (input.kind === 'timer' && core.deadline !== undefined && now >= core.deadline) core.deadline = undefined;
      return input.kind === 'timer' ? outbox(core).splice(0) : [];
    });
    const sim = new Simulator({ topology: { routers: [], segments: [] }, seed: 1, createCore: factory.create, start: false, trace: false, interfaces: 'manual', ...options });
    if (delayMs !== undefined) sim.setFaults({ minDelayMs: delayMs, maxDelayMs: delayMs });
    const ids = names.map((name, i) => {
      const routerId = parseIpv4(`1.1.1.${i + 1}`);
      return sim.addRouter({ name, routerId, loopback: routerId, externals: [] }, defaultRouterConfig(routerId));
    });
    const attachments = ids.map((router) => ({ router, ifName: 'eth0', ifIndex: 1, address: parseIpv4(`10.0.0.${router + 1}`), priority: 1, cost: 10 }));
    const segment = sim.addSegment({ name: 'lan', kind: 'broadcast', prefix: { address: parseIpv4('10.0.0.0'), length: 24 }, mtu: 1500, attachments });
    for (const r of ids) sim.startRouter(r);
    const core = (r: number): ScriptedCore => factory.cores.get(parseIpv4(`1.1.1.${r + 1}`))?.at(-1) as ScriptedCore;
    return { sim, core, log, segment };
  }

  it('adds routers and segments, tells no core about interfaces, applies later-added faults, and returns the outputs of input()', () => {
    const { sim, core, segment } = grown(['a', 'b'], {}, 3);
    expect([core(0).interfaceInputs, core(1).interfaceInputs]).toEqual([[], []]);
    expect(sim.topology.routers.map((r) => [r.index, r.name])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    const send: Output = { kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(1, 9) };
    outbox(core(0)).push(send);
    expect(sim.input(0, { kind: 'timer' })).toEqual([send]);
    sim.runFor(10);
    expect(core(1).received.map((p) => [p.now, p.src, marker(p.data)])).toEqual([[3, parseIpv4('10.0.0.1'), 9]]);
    sim.setPortUp(segment, 1, false);
    expect(core(1).interfaceInputs).toEqual([]);
    outbox(core(0)).push(send);
    sim.input(0, { kind: 'timer' });
    sim.runFor(10);
    expect(core(1).received).toHaveLength(1);
  });

  it('a filter drops a packet for one receiver and hands another different bytes, before the faults', () => {
    const rewritten = packet(1, 2);
    const { sim, core } = grown(['a', 'b', 'c'], { filter: (_sender, _send, receiver) => (receiver === 1 ? false : receiver === 2 ? rewritten : true) });
    outbox(core(0)).push({ kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(1, 1) });
    sim.input(0, { kind: 'timer' });
    sim.runFor(10);
    expect(core(1).received).toEqual([]);
    expect(core(2).received.map((p) => marker(p.data))).toEqual([2]);
    expect(sim.stats.dropped.filtered).toBe(1);
  });

  it("sameTime 'packets-first' runs deliveries due at an instant before its timers, and timers by router name; 'fifo' as scheduled", () => {
    const run = (sameTime: SimulatorOptions['sameTime']): string[] => {
      const { sim, core, log } = grown(['b', 'a', 'c'], { sameTime });
      for (const r of [0, 1]) {
        core(r).deadline = 5;
        sim.input(r, { kind: 'timer' });
      }
      sim.runFor(4);
      outbox(core(2)).push({ kind: 'send', ifName: 'eth0', dst: AllSPFRouters, data: packet(1, 3) });
      sim.input(2, { kind: 'timer' });
      log.length = 0;
      sim.runFor(1);
      return log;
    };
    expect(run('packets-first')).toEqual(['b:packet', 'a:packet', 'a:timer', 'b:timer']);
    expect(run('fifo')).toEqual(['b:timer', 'a:timer', 'b:packet', 'a:packet']);
  });
});
