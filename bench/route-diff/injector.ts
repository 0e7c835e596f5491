// The scripted neighbour of the routing-table comparison: run inside its
// own network namespace, facing one router under test (the DUT) over real
// links, driven by JSON lines on stdin (replies and events on stdout).
//
//   DUT ──p1, p2── A ──fake0 (in process)── F
//   DUT ──lan0───── A (DR) ── S1, S2, S3 (in process, on lan0 as A sees it)
//
// A is our core (src/core) on the raw-socket transport. F and S1..S3 are
// cores in this process that only A hears: they make A list them in its
// router-LSA and in its network-LSA for lan0, so that the forged LSAs of
// the area (bench/route-diff/area.ts) hang off A and lan0. Once every
// adjacency is Full, F and S1..S3 hear only Hellos from A: the LS Updates
// A floods to them are acknowledged on their behalf, so they never see
// forged copies of their own LSAs and never fight them (RFC 2328 13.4).
// Forged LSAs reach A as LS Updates from F; A floods them to the DUT (13.3).
//
// Requests: {cmd:'area', seed, routers} replaces the area with a new
// random one (LSAs no longer in it flushed at MaxAge, 14.1); {cmd:'change',
// seed} applies one random change; {cmd:'status'}. Each area or change
// answers with the forged LSAs the DUT must now hold and those it must not.
// Events: {event:'neighbor', ifName, routerId, state}.
// Arguments: Hello interval, dead interval and retransmission interval, ms.

import { readFileSync } from 'node:fs';
import { AllDRouters, AllSPFRouters, type Input, type Output } from '../../src/core/api.js';
import { createRouter, defaultRouterConfig, type OspfRouter } from '../../src/core/index.js';
import { OspfTransport } from '../../src/io/transport.js';
import { formatIpv4, parsePrefix } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';
import { buildLsa, decodeLsaBody, decodePacket, encodePacket, PacketType, type Lsa, type OspfPacket } from '../../src/packet/index.js';
import { LsaType, RouterLinkType } from '../../src/packet/types.js';
import { applyChange, Lab, lanAddress, LanRouters, lsasOf, randomArea, routerId, type AreaModel, type LsaSpec } from './area.js';
import { emit, fail, serveRequests, type InjectorRequest } from '../injector-stdio.js';

const [, , helloArg = '1000', deadArg = '8000', retransmitArg = '2000'] = process.argv;
/** LSAs per forged LS Update: below a 1500-byte MTU for router-LSAs of up to ~60 links. */
const LsasPerUpdate = 6;
/** Sequence numbers of forged LSAs start above anything F or S1..S3 originate themselves. */
const FirstSeq = -0x7fffffff + 0x1000;
const MaxAge = 3600;

const hello = Number(helloArg);
const dead = Number(deadArg);
// Retransmissions every 2 s by default: BIRD drops an instance arriving within a second of the last (RFC 2328 13 (5a)).
const retransmit = Number(retransmitArg);
const p2p = { networkType: 'point-to-point' as const, helloIntervalMs: hello, deadIntervalMs: dead, retransmitIntervalMs: retransmit, mtuIgnore: true };
const lan = { networkType: 'broadcast' as const, helloIntervalMs: hello, deadIntervalMs: dead, retransmitIntervalMs: retransmit, mtuIgnore: true };
const prng = createPrng(1);
const random = (): number => prng.next();
const network = [parsePrefix('10.254.0.0/16')];

const aConfig = defaultRouterConfig(Lab.injectorId);
aConfig.networks = network;
aConfig.minLsArrivalMs = 0;
// A's router-LSA and its network-LSA for lan0 follow its adjacencies at once.
aConfig.minLsIntervalMs = 0;
aConfig.interfaces = { p1: { ...p2p, cost: 10 }, p2: { ...p2p, cost: 10 }, lan0: { ...lan, cost: 10, priority: 255 }, fake0: { ...p2p, cost: 1 } };
const a = createRouter({ config: aConfig, random });
const fConfig = defaultRouterConfig(routerId(0));
fConfig.networks = network;
fConfig.interfaces = { fake0: p2p };
const f = createRouter({ config: fConfig, random });
/** S1..S3: priority 0, so A is DR and there is no BDR. */
const lanCores = Array.from({ length: LanRouters }, (_, k) => {
  const config = defaultRouterConfig(routerId(k + 1));
  config.networks = network;
  config.interfaces = { lan0: { ...lan, priority: 0 } };
  return createRouter({ config, random });
});
const fakeAddress = { a: Lab.fake + 1, f: Lab.fake + 2 };
const realInterfaces = ['p1', 'p2', 'lan0'] as const;

const transport = new OspfTransport();
/** Set once every adjacency is Full: from then on F and S1..S3 hear Hellos only. */
let sealed = false;
const timers = new Map<OspfRouter, NodeJS.Timeout>();

/** Hand one input to a core, carry out its outputs and re-arm its timer. */
function feed(core: OspfRouter, input: Input): void {
  const outputs = core.handle(input, performance.now());
  for (const out of outputs) carry(core, out);
  const deadline = core.nextDeadline();
  clearTimeout(timers.get(core));
  if (deadline !== undefined) timers.set(core, setTimeout(() => feed(core, { kind: 'timer' }), Math.max(0, deadline - performance.now())));
}

function later(core: OspfRouter, input: Input): void {
  setImmediate(() => feed(core, input));
}

function carry(core: OspfRouter, out: Output): void {
  if (out.kind === 'event' && out.event.type === 'neighbor-state' && core === a) {
    emit({ event: 'neighbor', ifName: out.event.ifName, routerId: formatIpv4(out.event.routerId), state: out.event.to });
  }
  if (out.kind === 'membership') {
    if (core === a && out.ifName !== 'fake0') transport.carryOut(out).catch(fail);
    return;
  }
  if (out.kind !== 'send') return;
  if (core === f) {
    if (!sealed || out.data[1] === PacketType.Hello) later(a, { kind: 'packet', ifName: 'fake0', src: fakeAddress.f, dst: out.dst, data: out.data });
    return;
  }
  const s = lanCores.indexOf(core);
  if (s >= 0) {
    if (!sealed || out.data[1] === PacketType.Hello) later(a, { kind: 'packet', ifName: 'lan0', src: lanAddress(s + 1), dst: out.dst, data: out.data });
    return;
  }
  // From A.
  if (out.ifName === 'fake0') {
    toFake(f, 'fake0', fakeAddress.a, fakeAddress.f, AllSPFRouters, out);
    return;
  }
  if (out.ifName === 'lan0') {
    lanCores.forEach((c, k) => {
      if (out.dst === lanAddress(k + 1) || out.dst === AllSPFRouters || out.dst === AllDRouters) toFake(c, 'lan0', Lab.injectorLan, lanAddress(k + 1), AllDRouters, out);
    });
    // Unicast to S1..S3 stays in this process: there is no one at their address on the wire.
    if (lanCores.some((_, k) => out.dst === lanAddress(k + 1))) return;
  }
  transport.carryOut(out).catch(fail);
}

/**
 * A packet from A to one of the in-process cores: delivered while the
 * adjacencies form; once sealed, Hellos are delivered and LS Updates are
 * acknowledged in the core's name (RFC 2328 13.5), the rest dropped.
 */
function toFake(core: OspfRouter, ifName: string, from: number, own: number, ackTo: number, out: Extract<Output, { kind: 'send' }>): void {
  const type = out.data[1];
  if (!sealed || type === PacketType.Hello) {
    later(core, { kind: 'packet', ifName, src: from, dst: out.dst, data: out.data });
    return;
  }
  if (type !== PacketType.LsUpdate) return;
  const update = decodePacket(out.data);
  if (update.type !== PacketType.LsUpdate) return;
  const ack: OspfPacket = { ...common(core === f ? routerId(0) : routerId(lanCores.indexOf(core) + 1)), type: PacketType.LsAck, lsaHeaders: update.lsas.map(({ raw: _raw, ...h }) => h) };
  later(a, { kind: 'packet', ifName, src: own, dst: ackTo, data: encodePacket(ack) });
}

function common(id: number): Omit<OspfPacket, 'type' | 'lsas' | 'lsaHeaders'> {
  return { version: 2, routerId: id, areaId: 0, checksum: 0, auType: 0, auth: new Uint8Array(8), trailer: new Uint8Array(0) };
}

/** Hand LSAs to A as LS Updates from F, a few at a time, yielding to the sockets between packets. */
async function injectFromF(lsas: Lsa[]): Promise<void> {
  for (let i = 0; i < lsas.length; i += LsasPerUpdate) {
    const data = encodePacket({ ...common(routerId(0)), type: PacketType.LsUpdate, lsas: lsas.slice(i, i + LsasPerUpdate) });
    feed(a, { kind: 'packet', ifName: 'fake0', src: fakeAddress.f, dst: AllSPFRouters, data });
    if ((i / LsasPerUpdate) % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
  }
}

// ---- The forged LSDB: what the DUT holds of the area, by key ----

interface Sent {
  seq: number;
  body: string;
  spec: LsaSpec;
  flushed: boolean;
}
const sent = new Map<string, Sent>();
let model: AreaModel | undefined;
let changePrng = createPrng(0);

const hex = (seq: number): string => (seq >>> 0).toString(16).padStart(8, '0');

/** Flood what differs between the LSDB sent so far and the model: new instances, and MaxAge copies of what is gone (RFC 2328 14.1). */
async function sync(next: AreaModel): Promise<Record<string, unknown>> {
  const wanted = lsasOf(next);
  const out: Lsa[] = [];
  const counts = { router: 0, network: 0, summary: 0, asbrSummary: 0, external: 0, flushed: 0, sent: 0 };
  const kinds = ['', 'router', 'network', 'summary', 'asbrSummary', 'external'] as const;
  for (const [key, spec] of wanted) {
    counts[kinds[spec.type] as keyof typeof counts]++;
    const body = JSON.stringify([spec.options, spec.body]);
    const old = sent.get(key);
    if (old !== undefined && !old.flushed && old.body === body) continue;
    const seq = old === undefined ? FirstSeq : old.seq + 1;
    out.push(buildLsa({ age: 1, options: spec.options, type: spec.type, lsId: spec.lsId, advRouter: spec.advRouter, seq }, spec.body));
    sent.set(key, { seq, body, spec, flushed: false });
  }
  for (const [key, old] of sent) {
    if (old.flushed || wanted.has(key)) continue;
    old.seq++;
    old.flushed = true;
    counts.flushed++;
    out.push(buildLsa({ age: MaxAge, options: old.spec.options, type: old.spec.type, lsId: old.spec.lsId, advRouter: old.spec.advRouter, seq: old.seq }, old.spec.body));
  }
  counts.sent = out.length;
  await injectFromF(out);
  model = next;
  const expected: string[] = [];
  const gone: string[] = [];
  for (const [key, s] of sent) (s.flushed ? gone : expected).push(`${key}/${hex(s.seq)}`);
  return { counts, expected, gone };
}

/**
 * A's own LSAs as "type/lsId/advRouter/seq", once they describe every
 * adjacency: its router-LSA with links to the DUT (twice), F and lan0 as a
 * transit network, its network-LSA listing the DUT, S1..S3 and itself;
 * with the DUT's router-LSA once it lists both links and lan0 as transit.
 */
function ownLsas(): string[] | undefined {
  const now = performance.now();
  const router = a.lsa({ type: LsaType.Router, lsId: Lab.injectorId, advRouter: Lab.injectorId }, now);
  const net = a.lsa({ type: LsaType.Network, lsId: Lab.injectorLan, advRouter: Lab.injectorId }, now);
  if (router === undefined || net === undefined) return undefined;
  const routerBody = decodeLsaBody(router);
  const netBody = decodeLsaBody(net);
  if (routerBody.kind !== 'router' || netBody.kind !== 'network') return undefined;
  const topology = routerBody.links.filter((l) => l.type === RouterLinkType.PointToPoint || l.type === RouterLinkType.Transit);
  if (topology.length !== 4 || netBody.attachedRouters.length !== LanRouters + 2) return undefined;
  // The DUT's router-LSA as A holds it: two point-to-point links to A and lan0 as a transit network.
  const dut = a.lsa({ type: LsaType.Router, lsId: Lab.dutId, advRouter: Lab.dutId }, now);
  if (dut === undefined) return undefined;
  const dutBody = decodeLsaBody(dut);
  if (dutBody.kind !== 'router' || dutBody.links.filter((l) => l.type === RouterLinkType.PointToPoint || l.type === RouterLinkType.Transit).length !== 3) return undefined;
  return [router, net, dut].map((l) => `${l.type}/${l.lsId >>> 0}/${l.advRouter >>> 0}/${hex(l.seq)}`);
}

async function handleRequest(request: InjectorRequest): Promise<Record<string, unknown>> {
  switch (request.cmd) {
    case 'area': {
      const seed = Number(request.seed);
      changePrng = createPrng(seed ^ 0x5bd1e995);
      return sync(randomArea(seed, Number(request.routers)));
    }
    case 'change': {
      if (model === undefined) throw new Error('no area loaded');
      const what = applyChange(model, changePrng);
      return { what, ...(await sync(model)) };
    }
    case 'seal':
      sealed = true;
      return {};
    case 'status':
      return { own: ownLsas(), neighbors: a.neighbors().map((n) => ({ ifName: n.ifName, routerId: formatIpv4(n.routerId), state: n.state, retransmit: n.retransmitCount })) };
    default:
      throw new Error(`unknown request ${request.cmd}`);
  }
}

const info = (name: string, ifIndex: number, address: number, prefixLength: number): Input => ({
  kind: 'interface',
  info: { name, ifIndex, up: true, loopback: false, mtu: 1500, addresses: [{ address, prefixLength }] },
});
const injectorAddress = { p1: Lab.p2p[0] + 2, p2: Lab.p2p[1] + 2, lan0: Lab.injectorLan };
for (const ifName of realInterfaces) {
  const ifIndex = Number(readFileSync(`/sys/class/net/${ifName}/ifindex`, 'utf8').trim());
  const prefixLength = ifName === 'lan0' ? 24 : 30;
  const addresses = [{ address: injectorAddress[ifName], prefixLength }];
  transport.open({ ifName, ifIndex, networkType: ifName === 'lan0' ? 'broadcast' : 'point-to-point', addresses });
  feed(a, info(ifName, ifIndex, injectorAddress[ifName], prefixLength));
}
transport.on('packet', (input) => feed(a, input));
transport.on('error', fail);
feed(f, info('fake0', 1000, fakeAddress.f, 30));
feed(a, info('fake0', 1000, fakeAddress.a, 30));
lanCores.forEach((core, k) => feed(core, info('lan0', 1001, lanAddress(k + 1), 24)));

serveRequests(handleRequest, () => transport.closeAll());
