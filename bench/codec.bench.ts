// Codec throughput: decodePacket + verifyLsa (the checksum read in place in
// the packet, as the engine's receive path does) over Link State Update
// packets of 1, 10, 100 and 1000 LSAs (mixed types, and router-LSAs only),
// beside a plain Fletcher-checksum loop (verifyLsaChecksum) over the same
// LSAs, already split, and the checksum alone over one large LSA. Medians of several runs; prints a markdown table.
// Time is this process's CPU time (process.cpuUsage), not wall time, so that
// the figures hold on a shared machine where other processes take the cores.
// Run: npm run bench -- codec

import { createPrng, type Prng } from '../src/lib/prng.js';
import {
  LsaType,
  PacketType,
  buildLsa,
  decodePacket,
  encodePacket,
  verifyLsa,
  verifyLsaChecksum,
  type Lsa,
  type LsaBody,
  type LsUpdatePacket,
} from '../src/packet/index.js';

/** Rounds per packet: one run of the subject and one of the peer each, the order swapped every round. */
const Runs = 41;
/** Each timed run lasts at least this much CPU time, so that timer resolution does not matter. */
const RunMs = 30;

let sink = 0;

function routerBody(rng: Prng): LsaBody {
  const links = [];
  for (let i = rng.int(2, 4); i > 0; i--) {
    links.push({ linkId: rng.int(0, 0xffffffff), linkData: rng.int(0, 0xffffffff), type: rng.int(1, 3), metric: rng.int(1, 100), tos: [] });
  }
  return { kind: 'router', flags: 0, links };
}

function bodyFor(rng: Prng, type: number): LsaBody {
  switch (type) {
    case LsaType.Router:
      return routerBody(rng);
    case LsaType.Network:
      return { kind: 'network', networkMask: 0xffffff00, attachedRouters: [rng.int(1, 1e9), rng.int(1, 1e9), rng.int(1, 1e9)] };
    case LsaType.SummaryNetwork:
    case LsaType.SummaryAsbr:
      return { kind: 'summary', networkMask: 0xffffff00, metric: rng.int(1, 1000), tos: [] };
    default:
      return { kind: 'external', networkMask: 0xffffffff, routes: [{ eBit: true, tos: 0, metric: 20, forwardingAddress: 0, routeTag: 0 }] };
  }
}

const mixedTypes = [LsaType.Router, LsaType.Network, LsaType.SummaryNetwork, LsaType.SummaryAsbr, LsaType.AsExternal, LsaType.Nssa];

function updatePacket(rng: Prng, count: number, types: readonly number[]): Uint8Array {
  const lsas: Lsa[] = [];
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length];
    lsas.push(buildLsa({ age: rng.int(0, 3000), options: 0x02, type, lsId: rng.int(0, 0xffffffff), advRouter: rng.int(0, 0xffffffff), seq: rng.int(-0x7fffffff, 0x7fffffff) }, bodyFor(rng, type)));
  }
  const packet: LsUpdatePacket = {
    version: 2,
    type: PacketType.LsUpdate,
    routerId: 0x0a000001,
    areaId: 0,
    checksum: 0,
    auType: 0,
    auth: new Uint8Array(8),
    trailer: new Uint8Array(0),
    lsas,
  };
  return encodePacket(packet);
}

/** CPU time of this process in milliseconds. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Work done per CPU second by `once` (which returns its units of work), over
 * one run of RunMs; `batch` calls go between two reads of the clock, which is
 * a system call, so that reading it costs next to nothing.
 */
function rate(once: () => number, batch: number): number {
  let units = 0;
  const start = cpuMs();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) units += once();
    elapsed = cpuMs() - start;
  } while (elapsed < RunMs);
  return units / (elapsed / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/**
 * Runs `subject` and `peer` alternately, Runs times each, so that both see
 * the same machine: subject then peer in even rounds, peer then subject in
 * odd ones, so that neither always runs first after the other; returns their
 * median rates and the median of the round-by-round ratios subject / peer.
 */
function measurePair(subject: () => number, peer: () => number, batch: number): { subject: number; peer: number; ratio: number } {
  const subjects: number[] = [];
  const peers: number[] = [];
  const ratios: number[] = [];
  for (let run = 0; run < Runs; run++) {
    let s: number;
    let p: number;
    if (run % 2 === 0) {
      s = rate(subject, batch);
      p = rate(peer, batch);
    } else {
      p = rate(peer, batch);
      s = rate(subject, batch);
    }
    subjects.push(s);
    peers.push(p);
    ratios.push(s / p);
  }
  return { subject: median(subjects), peer: median(peers), ratio: median(ratios) };
}

interface Row {
  name: string;
  lsas: number;
  bytes: number;
  decodeLsasPerS: number;
  decodeMBps: number;
  checksumLsasPerS: number;
  ratio: number;
}

function benchPacket(name: string, bytes: Uint8Array): Row {
  const decoded = decodePacket(bytes) as LsUpdatePacket;
  const count = decoded.lsas.length;
  // The same LSAs as separate views, for the checksum-only loop.
  const raws = decoded.lsas.map((lsa) => lsa.raw);
  const decodeAndVerify = (): number => {
    const packet = decodePacket(bytes) as LsUpdatePacket;
    const lsas = packet.lsas;
    let good = 0;
    for (let i = 0; i < lsas.length; i++) if (verifyLsa(lsas[i])) good++;
    sink += good;
    return lsas.length;
  };
  const checksumOnly = (): number => {
    let good = 0;
    for (let i = 0; i < raws.length; i++) if (verifyLsaChecksum(raws[i])) good++;
    sink += good;
    return raws.length;
  };
  // Warm both paths before timing either.
  for (let i = 0; i < 2000; i++) {
    decodeAndVerify();
    checksumOnly();
  }
  const { subject: decodeLsasPerS, peer: checksumLsasPerS, ratio } = measurePair(decodeAndVerify, checksumOnly, Math.ceil(20000 / count));
  return { name, lsas: count, bytes: bytes.length, decodeLsasPerS, decodeMBps: ((decodeLsasPerS / count) * bytes.length) / 1e6, checksumLsasPerS, ratio };
}

function checksumGBps(): number {
  // The largest LSA there can be: one opaque LSA of 65532 bytes.
  const rng = createPrng(7);
  const data = new Uint8Array(65532 - 20);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
  const lsa = buildLsa({ age: 1, options: 0x42, type: LsaType.OpaqueArea, lsId: 0x04000000, advRouter: 1, seq: 1 }, { kind: 'opaque', data });
  const once = (): number => {
    sink += verifyLsaChecksum(lsa.raw) ? 1 : 0;
    return lsa.raw.length;
  };
  for (let i = 0; i < 500; i++) once();
  const rates: number[] = [];
  for (let run = 0; run < Runs; run++) rates.push(rate(once, 16));
  return median(rates) / 1e9;
}

function fmt(value: number, digits = 1): string {
  return value >= 1e6 ? `${(value / 1e6).toFixed(digits)} M` : value.toFixed(digits);
}

const rng = createPrng(2328);
const rows: Row[] = [];
for (const count of [1, 10, 100, 1000]) rows.push(benchPacket(`mixed, ${count} LSA${count === 1 ? '' : 's'}`, updatePacket(rng, count, mixedTypes)));
for (const count of [1, 10, 100, 1000]) rows.push(benchPacket(`router-LSAs, ${count}`, updatePacket(rng, count, [LsaType.Router])));
const gbps = checksumGBps();

console.log('| LSU packet | bytes | decode + verify LSAs/s | decode + verify MB/s | checksum-only LSAs/s | ratio |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${row.bytes} | ${fmt(row.decodeLsasPerS, 2)} | ${row.decodeMBps.toFixed(0)} | ${fmt(row.checksumLsasPerS, 2)} | ${(row.ratio * 100).toFixed(0)}% |`,
  );
}
console.log(`\nFletcher checksum alone (verifyLsaChecksum, one 65532-byte LSA): ${gbps.toFixed(2)} GB/s`);
if (sink === 0) console.log('(no checksum verified: the benchmark is broken)');
