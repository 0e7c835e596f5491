// The topology injector of the SPF side-by-side benchmark, run inside its
// network namespace as a child of bench/spf-vs-frr.bench.ts and driven by
// JSON lines on stdin (replies and events on stdout).
//
//   FRR ospfd ──veth (raw socket, OspfTransport)── core A ──fake0 (in process)── core F
//
// A is our core (src/core) on the real link to FRR. F, a second core in this
// process, is A's only other neighbour; its router id is synthetic router 0.
// Once A and F are Full, LS Updates carrying the whole synthetic area — F's
// router-LSA included, forged with a higher sequence number so that it links
// to the other synthetic routers — are handed to A as if F had sent them.
// A floods them to FRR (RFC 2328 13.3). F never hears of the forged copy:
// from then on only Hellos go from A to F, so F does not fight it (13.4).
//
// Requests: {cmd:'load'} floods the area; {cmd:'change', index} floods a
// cost change of one router; {cmd:'withdraw', index} floods that router's
// LSA without its /32 stub; {cmd:'ours', ...} runs our Spf on A's LSDB
// rooted at FRR's router and returns the medians; {cmd:'status'} reports.
// With START 'on-request' the link to the peer stays out of A until
// {cmd:'up'}: the area is loaded first, and the peer then learns all of it
// in one database exchange (RFC 2328 10.8), as from a neighbour that starts.
// Replies to 'up', 'change' and 'withdraw' carry `at`, the time the packet
// was handed to A (performance.timeOrigin + now, comparable across
// processes). Events: {event:'neighbor', ifName, state, at}.

import { readFileSync } from 'node:fs';
import { createRouter, defaultRouterConfig, type OspfRouter } from '../../src/core/index.js';
import type { Input, Output } from '../../src/core/api.js';
import { OspfTransport } from '../../src/io/transport.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';
import { encodePacket, PacketType, type Lsa } from '../../src/packet/index.js';
import { Spf } from '../../src/spf/index.js';
import { changeCost, randomArea, routerLsa, stubPrefixCount, withdrawStub, type SyntheticArea } from './topology.js';
import { emit, fail, serveRequests, type InjectorRequest } from '../injector-stdio.js';

const [, , ifName = 'e0', sizeArg = '1000', seedArg = '1', helloArg = '1000', deadArg = '10000', startArg = 'now'] = process.argv;
const InjectorId = parseIpv4('192.0.2.2');
const OwnAddress = parseIpv4('10.255.0.2'); // on the veth; FRR is 10.255.0.1
const FakeA = parseIpv4('10.255.1.1');
const FakeF = parseIpv4('10.255.1.2');
/** LSAs per injected LS Update: below a 1500-byte MTU for router-LSAs of up to ~60 links. */
const LsasPerUpdate = 6;

const area: SyntheticArea = randomArea(Number(sizeArg), 6, Number(seedArg), {
  injectorId: InjectorId,
  address: FakeF,
  network: parseIpv4('10.255.1.0'),
});

const p2p = { networkType: 'point-to-point' as const, helloIntervalMs: Number(helloArg), deadIntervalMs: Number(deadArg), mtuIgnore: true };
const prng = createPrng(Number(seedArg));
const configA = defaultRouterConfig(InjectorId);
configA.networks = [parsePrefix('10.255.0.0/16')];
configA.interfaces = { [ifName]: p2p, fake0: p2p };
// A's router-LSA changes twice as its link comes up: the link as a stub, then
// the adjacency once Full, about a second later. With RFC 2328's MinLSInterval
// of 5 s the second, the one that makes the area reachable, would wait until
// 5 s after link up, a floor under every router's convergence. 1 s, the
// least that receivers take (MinLSArrival, 13 (5a)), as a neighbour with FRR's
// `timers throttle lsa all 1000` or ospf-anycastd's announcer sends it.
configA.minLsIntervalMs = 1000;
const a = createRouter({ config: configA, random: () => prng.next() });
const configF = defaultRouterConfig(area.routers[0].id);
configF.networks = [parsePrefix('10.255.0.0/16')];
configF.interfaces = { fake0: p2p };
const f = createRouter({ config: configF, random: () => prng.next() });

const transport = new OspfTransport();
let loaded = false;
const timers = new Map<OspfRouter, NodeJS.Timeout>();

/** Milliseconds on a clock every process of the machine shares. */
function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** Hand one input to a core, carry out its outputs and re-arm its timer. */
function feed(core: OspfRouter, input: Input): void {
  const outputs = core.handle(input, performance.now());
  for (const out of outputs) carry(core, out);
  const deadline = core.nextDeadline();
  clearTimeout(timers.get(core));
  if (deadline !== undefined) {
    timers.set(
      core,
      setTimeout(() => feed(core, { kind: 'timer' }), Math.max(0, deadline - performance.now())),
    );
  }
}

function carry(core: OspfRouter, out: Output): void {
  if (out.kind === 'event' && out.event.type === 'neighbor-state' && core === a) {
    emit({ event: 'neighbor', ifName: out.event.ifName, state: out.event.to, at: clock() });
  }
  if (out.kind !== 'send') {
    if (out.kind === 'membership' && out.ifName === ifName) transport.carryOut(out).catch(fail);
    return;
  }
  if (core === f) {
    const data = out.data;
    setImmediate(() => feed(a, { kind: 'packet', ifName: 'fake0', src: FakeF, dst: out.dst, data }));
  } else if (out.ifName === 'fake0') {
    // After the load, F must not see A's copy of its own router-LSA: Hellos only.
    if (loaded && out.data[1] !== PacketType.Hello) return;
    const data = out.data;
    setImmediate(() => feed(f, { kind: 'packet', ifName: 'fake0', src: FakeA, dst: out.dst, data }));
  } else {
    transport.carryOut(out).catch(fail);
  }
}

/** Hand LSAs to A as LS Updates from F on fake0, a few at a time, yielding to the sockets between packets. */
async function injectFromF(lsas: Lsa[]): Promise<void> {
  for (let i = 0; i < lsas.length; i += LsasPerUpdate) {
    const data = encodePacket({
      version: 2,
      routerId: area.routers[0].id,
      areaId: 0,
      checksum: 0,
      auType: 0,
      auth: new Uint8Array(8),
      trailer: new Uint8Array(0),
      type: PacketType.LsUpdate,
      lsas: lsas.slice(i, i + LsasPerUpdate),
    });
    feed(a, { kind: 'packet', ifName: 'fake0', src: FakeF, dst: parseIpv4('224.0.0.5'), data });
    if ((i / LsasPerUpdate) % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
  }
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Our SPF on A's LSDB (every LSA FRR holds), rooted at FRR's router with
 * FRR's interface: `runs` from scratch (new interfaces: every route
 * recomputed, as FRR does on each run) and up to `runs` full calculations
 * after a cost change (the event FRR measured).
 */
function ours(rootId: number, rootAddress: number, runs: number): Record<string, unknown> {
  const now = performance.now();
  const spf = new Spf({ routerId: rootId, areaId: 0 });
  spf.setInterfaces([{ name: 'e0', address: rootAddress, prefixLength: 30, networkType: 'point-to-point', up: true }]);
  const headers = a.lsdb(now);
  for (const h of headers) {
    const lsa = a.lsa(h, now);
    if (lsa !== undefined) spf.lsaChanged(lsa, lsa.raw);
  }
  const first = spf.calculate();
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // Cost changes that the Spf answers with a full run; a change that moves no
  // shortest path may need none, and is counted apart.
  const costWall: number[] = [];
  const costCpu: number[] = [];
  let skipped = 0;
  for (let i = 0; costWall.length < runs && i < 4 * runs; i++) {
    const lsa = changeCost(area, 1 + ((i * 7919) % (area.routers.length - 1)));
    const w0 = performance.now();
    const c0 = cpu();
    spf.lsaChanged(lsa, lsa.raw);
    const result = spf.calculate();
    if (result.kind !== 'full') {
      skipped++;
      continue;
    }
    costCpu.push(cpu() - c0);
    costWall.push(performance.now() - w0);
  }
  const scratchWall: number[] = [];
  const scratchCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const w0 = performance.now();
    const c0 = cpu();
    spf.setInterfaces([{ name: 'e0', address: rootAddress, prefixLength: 30, networkType: 'point-to-point', up: true }]);
    spf.calculate();
    scratchCpu.push(cpu() - c0);
    scratchWall.push(performance.now() - w0);
  }
  return {
    lsas: headers.length,
    routes: first.table.size,
    costRuns: costWall.length,
    costSkipped: skipped,
    costWallMs: median(costWall),
    costCpuMs: median(costCpu),
    scratchWallMs: median(scratchWall),
    scratchCpuMs: median(scratchCpu),
  };
}

async function handleRequest(request: InjectorRequest): Promise<Record<string, unknown>> {
  switch (request.cmd) {
    case 'load': {
      loaded = true;
      await injectFromF(area.routers.map(routerLsa));
      return { lsas: area.routers.length, prefixes: stubPrefixCount(area) };
    }
    case 'up': {
      const at = clock();
      linkUp();
      return { at };
    }
    case 'change': {
      const lsa = changeCost(area, Number(request.index));
      const at = clock();
      await injectFromF([lsa]);
      return { seq: lsa.seq, at };
    }
    case 'withdraw': {
      const lsa = withdrawStub(area, Number(request.index));
      const at = clock();
      await injectFromF([lsa]);
      return { seq: lsa.seq, at };
    }
    case 'ours':
      return ours(parseIpv4(String(request.rootId)), parseIpv4(String(request.rootAddress)), Number(request.runs));
    case 'status':
      return { lsdb: a.lsdb(performance.now()).length, neighbors: a.neighbors().map((n) => ({ ifName: n.ifName, state: n.state, retransmit: n.retransmitCount })) };
    default:
      throw new Error(`unknown request ${request.cmd}`);
  }
}

const ifIndex = Number(readFileSync(`/sys/class/net/${ifName}/ifindex`, 'utf8').trim());
const ownAddresses = [{ address: OwnAddress, prefixLength: 30 }];
transport.open({ ifName, ifIndex, networkType: 'point-to-point', addresses: ownAddresses });
transport.on('packet', (input) => feed(a, input));
transport.on('error', fail);
feed(f, { kind: 'interface', info: { name: 'fake0', ifIndex: 1000, up: true, loopback: false, mtu: 1500, addresses: [{ address: FakeF, prefixLength: 30 }] } });
feed(a, { kind: 'interface', info: { name: 'fake0', ifIndex: 1000, up: true, loopback: false, mtu: 1500, addresses: [{ address: FakeA, prefixLength: 30 }] } });
/** The link to the peer comes into A: Hellos start, and with them the adjacency. */
function linkUp(): void {
  feed(a, { kind: 'interface', info: { name: ifName, ifIndex, up: true, loopback: false, mtu: 1500, addresses: ownAddresses } });
}
if (startArg !== 'on-request') linkUp();

serveRequests(handleRequest, () => transport.closeAll());
