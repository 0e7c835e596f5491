// Random packets and LSAs of every type for the property and fuzz tests,
// drawn from the seeded PRNG so that a seed names one exact case.

import type { Prng } from '../../src/lib/prng.js';
import {
  AuType,
  LsaType,
  PacketType,
  buildLsa,
  type ExternalRoute,
  type Lsa,
  type LsaBody,
  type LsaHeader,
  type OspfPacket,
  type PacketCommon,
  type TosMetric,
} from '../../src/packet/index.js';

const u32 = (rng: Prng): number => rng.int(0, 0xffffffff);
const u16 = (rng: Prng): number => rng.int(0, 0xffff);
const u8 = (rng: Prng): number => rng.int(0, 0xff);
const i32 = (rng: Prng): number => rng.int(-0x80000000, 0x7fffffff);

function bytes(rng: Prng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = u8(rng);
  return out;
}

function list<T>(rng: Prng, max: number, make: () => T): T[] {
  const count = rng.int(0, max);
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(make());
  return out;
}

function tosList(rng: Prng, metricMax: number): TosMetric[] {
  return list(rng, rng.chance(0.8) ? 0 : 3, () => ({ tos: u8(rng), metric: rng.int(0, metricMax) }));
}

/** The LSA types generated: every decoded body kind, opaque ones and an unknown type. */
export const generatedLsaTypes = [
  LsaType.Router,
  LsaType.Network,
  LsaType.SummaryNetwork,
  LsaType.SummaryAsbr,
  LsaType.AsExternal,
  LsaType.Nssa,
  LsaType.OpaqueLink,
  LsaType.OpaqueArea,
  LsaType.OpaqueAs,
  6,
  200,
] as const;

export function randomLsaBody(rng: Prng, type: number): LsaBody {
  switch (type) {
    case LsaType.Router:
      return {
        kind: 'router',
        flags: u8(rng),
        links: list(rng, 12, () => ({ linkId: u32(rng), linkData: u32(rng), type: rng.int(1, 4), metric: u16(rng), tos: tosList(rng, 0xffff) })),
      };
    case LsaType.Network:
      return { kind: 'network', networkMask: u32(rng), attachedRouters: list(rng, 10, () => u32(rng)) };
    case LsaType.SummaryNetwork:
    case LsaType.SummaryAsbr:
      return { kind: 'summary', networkMask: u32(rng), metric: rng.int(0, 0xffffff), tos: tosList(rng, 0xffffff) };
    case LsaType.AsExternal:
    case LsaType.Nssa: {
      const route = (): ExternalRoute => ({
        eBit: rng.chance(0.5),
        tos: rng.int(0, 0x7f),
        metric: rng.int(0, 0xffffff),
        forwardingAddress: u32(rng),
        routeTag: u32(rng),
      });
      return { kind: 'external', networkMask: u32(rng), routes: [{ ...route(), tos: 0 }, ...list(rng, rng.chance(0.8) ? 0 : 2, route)] };
    }
    default:
      return { kind: 'opaque', data: bytes(rng, 4 * rng.int(0, 16) + (rng.chance(0.1) ? rng.int(1, 3) : 0)) };
  }
}

export function randomLsa(rng: Prng, type = rng.pick(generatedLsaTypes)): { lsa: Lsa; body: LsaBody } {
  const body = randomLsaBody(rng, type);
  const lsa = buildLsa({ age: rng.chance(0.1) ? 3600 : rng.int(0, 0xffff), options: u8(rng), type, lsId: u32(rng), advRouter: u32(rng), seq: i32(rng) }, body);
  return { lsa, body };
}

function randomLsaHeader(rng: Prng): LsaHeader {
  return { age: u16(rng), options: u8(rng), type: u8(rng), lsId: u32(rng), advRouter: u32(rng), seq: i32(rng), checksum: u16(rng), length: u16(rng) };
}

function randomCommon(rng: Prng): PacketCommon {
  const auType = rng.pick([AuType.Null, AuType.Null, AuType.Simple, AuType.Cryptographic, u16(rng)]);
  const trailerLength = auType === AuType.Cryptographic ? rng.pick([16, 20, 32, 64]) : rng.chance(0.1) ? rng.int(1, 40) : 0;
  return { version: 2, routerId: u32(rng), areaId: u32(rng), checksum: 0, auType, auth: bytes(rng, 8), trailer: bytes(rng, trailerLength) };
}

export const packetTypes = [PacketType.Hello, PacketType.DbDescription, PacketType.LsRequest, PacketType.LsUpdate, PacketType.LsAck] as const;

/** A random packet of the given type; LS Updates carry up to maxLsas LSAs of mixed types. */
export function randomPacket(rng: Prng, type = rng.pick(packetTypes), maxLsas = 20): OspfPacket {
  const common = randomCommon(rng);
  switch (type) {
    case PacketType.Hello:
      return {
        ...common,
        type,
        networkMask: u32(rng),
        helloInterval: u16(rng),
        options: u8(rng),
        priority: u8(rng),
        deadInterval: u32(rng),
        dr: u32(rng),
        bdr: u32(rng),
        neighbors: list(rng, 20, () => u32(rng)),
      };
    case PacketType.DbDescription:
      return { ...common, type, mtu: u16(rng), options: u8(rng), flags: u8(rng), ddSeq: u32(rng), lsaHeaders: list(rng, 20, () => randomLsaHeader(rng)) };
    case PacketType.LsRequest:
      return { ...common, type, requests: list(rng, 20, () => ({ type: u32(rng), lsId: u32(rng), advRouter: u32(rng) })) };
    case PacketType.LsUpdate:
      return { ...common, type, lsas: list(rng, maxLsas, () => randomLsa(rng).lsa) };
    case PacketType.LsAck:
      return { ...common, type, lsaHeaders: list(rng, 20, () => randomLsaHeader(rng)) };
  }
}
