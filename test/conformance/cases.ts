// Replays the conformance cases of cases/<name>/: reads a case's recorded
// inputs (input.json), feeds them to a fresh engine through handle(),
// nextDeadline() and the view methods only, and renders what comes out in
// the plain-JSON form of expected.json (addresses dotted, packets as hex with
// a one-line reading beside them) so that a mismatch diffs field by field.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRouter, defaultRouterConfig, type CoreEvent, type Input, type InterfaceInfo, type Output, type RouterConfig } from '../../src/core/index.js';
import { decodeLsaBody, decodePacket, type Lsa, type LsaHeader, type OspfPacket } from '../../src/packet/index.js';

/** The cases beside this file; CONFORMANCE_CASES names them when this file runs compiled elsewhere (record.ts). */
export const CASES_DIR = process.env.CONFORMANCE_CASES ?? fileURLToPath(new URL('./cases/', import.meta.url));
/** Most timer inputs one step may take: a runaway deadline fails the case instead of hanging. */
const MAX_TIMER_ROUNDS = 10_000;

/** The configuration of input.json: RouterConfig with dotted addresses and "A.B.C.D/N" prefixes; absent fields take defaultRouterConfig's. */
export interface CaseConfig {
  routerId: string;
  networks?: string[];
  interfaces?: RouterConfig['interfaces'];
  externals?: { prefix: string; metric: number; metricType: 1 | 2; forwardingAddress?: string; tag?: number }[];
  minLsArrivalMs?: number;
  minLsIntervalMs?: number;
}

/** An Input of src/core/api.ts as input.json spells it. */
export type CaseInput =
  | { kind: 'packet'; ifName: string; src: string; dst: string; hex: string }
  | { kind: 'interface'; info: Omit<InterfaceInfo, 'addresses'> & { addresses: string[] } }
  | { kind: 'config'; config: CaseConfig }
  | { kind: 'shutdown' };

export type ViewName = 'interfaces' | 'neighbors' | 'lsdb';

/**
 * One step of a case at time `at` (ms), times never decreasing: first one
 * {kind:'timer'} input at each deadline the engine asks for up to `at`, as a
 * driver would, then the step's input if it has one. `views` are read after.
 */
export interface CaseStep {
  at: number;
  note: string;
  input?: CaseInput;
  views?: ViewName[];
}

export interface CaseFile {
  /** The RFC 2328 step the case checks, e.g. "10.5 Hello received". */
  rfc: string;
  description: string;
  /** Seed of the engine's random source (jitter, DD sequence numbers). */
  seed: number;
  config: CaseConfig;
  steps: CaseStep[];
}

/** An Output, rendered: `at` is the `now` of the handle() call that produced it. */
export type RenderedOutput = { at: number } & (
  | { kind: 'send'; ifName: string; dst: string; packet: string; hex: string }
  | { kind: 'membership'; ifName: string; group: string; join: boolean }
  | { kind: 'lsdb'; change: 'install' | 'remove'; lsa: string; selfOriginated: boolean }
  | { kind: 'event'; event: Record<string, unknown> }
);

export interface RenderedStep {
  at: number;
  note: string;
  outputs: RenderedOutput[];
  views?: Partial<Record<ViewName, unknown[]>>;
}

export interface ExpectedFile {
  /** Line by line, which sentence of the RFC step each expected output follows. */
  review: string[];
  steps: RenderedStep[];
}

export function caseNames(): string[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export function readCase(name: string): CaseFile {
  return JSON.parse(readFileSync(join(CASES_DIR, name, 'input.json'), 'utf8')) as CaseFile;
}

export function readExpected(name: string): ExpectedFile {
  return JSON.parse(readFileSync(join(CASES_DIR, name, 'expected.json'), 'utf8')) as ExpectedFile;
}

/** Feeds the case's inputs to a fresh engine and renders every step's outputs and views. */
export function replay(file: CaseFile): RenderedStep[] {
  const random = lcg(file.seed);
  const core = createRouter({ config: routerConfig(file.config), random });
  /** The latest `now` handed to the engine: a deadline already passed is run now, never in the past. */
  let clock = 0;
  return file.steps.map((step) => {
    if (step.at < clock) throw new Error(`${step.note}: at ${step.at} is before the previous step's ${clock}`);
    const outputs: RenderedOutput[] = [];
    for (let round = 0; ; round++) {
      const due = core.nextDeadline();
      if (due === undefined || due > step.at) break;
      if (round >= MAX_TIMER_ROUNDS) throw new Error(`${step.note}: still timers due after ${MAX_TIMER_ROUNDS} rounds`);
      clock = Math.max(clock, due);
      for (const o of core.handle({ kind: 'timer' }, clock)) outputs.push(renderOutput(o, clock));
    }
    clock = step.at;
    if (step.input !== undefined) {
      for (const o of core.handle(toInput(step.input), step.at)) outputs.push(renderOutput(o, step.at));
    }
    const rendered: RenderedStep = { at: step.at, note: step.note, outputs };
    if (step.views !== undefined) {
      const views: Partial<Record<ViewName, unknown[]>> = {};
      for (const view of step.views) {
        if (view === 'interfaces') {
          views.interfaces = core.interfaces().map((i) => ({ name: i.name, state: i.state, address: dotted(i.address), dr: dotted(i.dr), bdr: dotted(i.bdr) }));
        } else if (view === 'neighbors') {
          views.neighbors = core.neighbors().map((n) => ({
            ifName: n.ifName,
            routerId: dotted(n.routerId),
            address: dotted(n.address),
            state: n.state,
            retransmitCount: n.retransmitCount,
            requestCount: n.requestCount,
          }));
        } else {
          views.lsdb = core.lsdb(step.at).map((h) => {
            const lsa = core.lsa(h, step.at);
            return lsa === undefined ? describeLsaHeader(h) : describeLsa(lsa);
          });
        }
      }
      rendered.views = views;
    }
    return rendered;
  });
}

/** The engine's random source: a 32-bit LCG (Numerical Recipes), so a case needs nothing but its seed. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

function routerConfig(c: CaseConfig): RouterConfig {
  const config = defaultRouterConfig(ip(c.routerId));
  config.networks = (c.networks ?? []).map(prefix);
  config.interfaces = c.interfaces ?? {};
  config.externals = (c.externals ?? []).map((e) => ({
    prefix: prefix(e.prefix),
    metric: e.metric,
    metricType: e.metricType,
    forwardingAddress: ip(e.forwardingAddress ?? '0.0.0.0'),
    tag: e.tag ?? 0,
  }));
  if (c.minLsArrivalMs !== undefined) config.minLsArrivalMs = c.minLsArrivalMs;
  if (c.minLsIntervalMs !== undefined) config.minLsIntervalMs = c.minLsIntervalMs;
  return config;
}

function toInput(i: CaseInput): Input {
  switch (i.kind) {
    case 'packet':
      return { kind: 'packet', ifName: i.ifName, src: ip(i.src), dst: ip(i.dst), data: Uint8Array.from(Buffer.from(i.hex, 'hex')) };
    case 'interface':
      return {
        kind: 'interface',
        info: {
          ...i.info,
          addresses: i.info.addresses.map((cidr) => {
            const p = cidr.split('/');
            return { address: ip(p[0] as string), prefixLength: Number(p[1]) };
          }),
        },
      };
    case 'config':
      return { kind: 'config', config: routerConfig(i.config) };
    case 'shutdown':
      return { kind: 'shutdown' };
  }
}

function renderOutput(o: Output, at: number): RenderedOutput {
  switch (o.kind) {
    case 'send':
      return { at, kind: 'send', ifName: o.ifName, dst: dotted(o.dst), packet: describePacket(decodePacket(o.data)), hex: Buffer.from(o.data).toString('hex') };
    case 'membership':
      return { at, kind: 'membership', ifName: o.ifName, group: dotted(o.group), join: o.join };
    case 'lsdb':
      return { at, kind: 'lsdb', change: o.change, lsa: `type ${o.key.type} id ${dotted(o.key.lsId)} adv ${dotted(o.key.advRouter)}`, selfOriginated: o.selfOriginated };
    case 'event':
      return { at, kind: 'event', event: renderEvent(o.event) };
  }
}

/** A CoreEvent with its router IDs and addresses dotted. */
function renderEvent(e: CoreEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { ...e };
  for (const field of ['routerId', 'address', 'src'] as const) {
    if (field in e) out[field] = dotted((e as Record<string, unknown>)[field] as number);
  }
  return out;
}

const PacketNames = ['', 'Hello', 'DD', 'LSR', 'LSU', 'LSAck'];

/** One line for a packet: type, sender, and the fields RFC 2328 A.3 gives it. */
export function describePacket(p: OspfPacket): string {
  const head = `${PacketNames[p.type]} from ${dotted(p.routerId)} area ${dotted(p.areaId)}`;
  switch (p.type) {
    case 1:
      return `${head} mask ${dotted(p.networkMask)} hello ${p.helloInterval} dead ${p.deadInterval} options ${hex8(p.options)} priority ${p.priority} DR ${dotted(p.dr)} BDR ${dotted(p.bdr)} neighbors [${p.neighbors.map(dotted).join(', ')}]`;
    case 2: {
      const flags = [p.flags & 4 ? 'I' : '', p.flags & 2 ? 'M' : '', p.flags & 1 ? 'MS' : ''].filter(Boolean).join(',');
      return `${head} mtu ${p.mtu} options ${hex8(p.options)} flags [${flags}] seq ${p.ddSeq} headers [${p.lsaHeaders.map(describeLsaHeader).join('; ')}]`;
    }
    case 3:
      return `${head} requests [${p.requests.map((k) => `type ${k.type} id ${dotted(k.lsId)} adv ${dotted(k.advRouter)}`).join('; ')}]`;
    case 4:
      return `${head} lsas [${p.lsas.map(describeLsa).join('; ')}]`;
    case 5:
      return `${head} headers [${p.lsaHeaders.map(describeLsaHeader).join('; ')}]`;
  }
}

function describeLsaHeader(h: LsaHeader): string {
  return `type ${h.type} id ${dotted(h.lsId)} adv ${dotted(h.advRouter)} seq ${hex32(h.seq)} age ${h.age} options ${hex8(h.options)}`;
}

/** An LSA's header and body (RFC 2328 A.4) on one line. */
function describeLsa(lsa: Lsa): string {
  const body = decodeLsaBody(lsa);
  let text: string;
  switch (body.kind) {
    case 'router':
      text = `flags ${hex8(body.flags)} links {${body.links.map((l) => `type ${l.type} id ${dotted(l.linkId)} data ${dotted(l.linkData)} metric ${l.metric}`).join(', ')}}`;
      break;
    case 'network':
      text = `mask ${dotted(body.networkMask)} attached {${body.attachedRouters.map(dotted).join(', ')}}`;
      break;
    case 'summary':
      text = `mask ${dotted(body.networkMask)} metric ${body.metric}`;
      break;
    case 'external':
      text = `mask ${dotted(body.networkMask)} routes {${body.routes.map((r) => `${r.eBit ? 'E2' : 'E1'} metric ${r.metric} fwd ${dotted(r.forwardingAddress)} tag ${r.routeTag}`).join(', ')}}`;
      break;
    case 'opaque':
      text = `${body.data.length} opaque bytes`;
      break;
  }
  return `${describeLsaHeader(lsa)} ${text}`;
}

function hex8(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export function dotted(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function ip(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${text}`);
  return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
}

function prefix(text: string): { address: number; length: number } {
  const [address, length] = text.split('/');
  return { address: ip(address as string), length: Number(length) };
}
