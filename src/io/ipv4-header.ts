// The IPv4 header on received OSPF packets: a bounds-checked decoder and the
// RFC 2328 8.2 acceptance checks a receiving interface applies before the
// OSPF core sees the packet. Pure functions; drops are values.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version|  IHL  |Type of Service|          Total Length         |
//   |         Identification        |Flags|      Fragment Offset    |
//   |  Time to Live |    Protocol   |         Header Checksum       |
//   |                       Source Address                          |
//   |                    Destination Address                        |
//   |                    Options (IHL > 5)                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//                        (RFC 791 3.1)

import type { InterfaceAddress, NetworkType } from '../core/api.js';
import { AllDRouters, AllSPFRouters } from '../core/api.js';
import { maskFromLength } from '../lib/ipv4.js';

/** IP protocol number of OSPF (RFC 2328 A.1). */
export const IPPROTO_OSPF = 89;

/** The fields of a received IPv4 header. Addresses are host-order numbers. */
export interface Ipv4Header {
  headerLength: number;
  tos: number;
  totalLength: number;
  identification: number;
  /** The 3 flag bits (reserved, DF, MF). */
  flags: number;
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: number;
  dst: number;
}

/** Why a received IP packet was not handed to the core. */
export type IpDropReason =
  | 'truncated' // fewer than 20 bytes, or fewer than the header claims
  | 'bad-version' // not IPv4
  | 'bad-header-length' // IHL below 5 or beyond the packet
  | 'bad-total-length' // Total Length below the header or beyond the bytes received
  | 'bad-checksum'
  | 'fragment' // the kernel reassembles; a fragment here is a bug upstream
  | 'not-ospf' // protocol field is not 89
  | 'bad-destination' // not our interface address, AllSPFRouters or AllDRouters
  | 'own-packet' // sent by this router (a looped-back multicast)
  | 'source-off-subnet'; // source not on the interface's network

export type Ipv4Decode =
  | { ok: true; header: Ipv4Header; payload: Uint8Array }
  | { ok: false; reason: IpDropReason };

const MF = 0x1;

/** Decode and check an IPv4 header. Never throws; the payload is a view into `bytes`. */
export function decodeIpv4(bytes: Uint8Array): Ipv4Decode {
  if (bytes.length < 20) return { ok: false, reason: 'truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.getUint8(0);
  if (first >> 4 !== 4) return { ok: false, reason: 'bad-version' };
  const headerLength = (first & 0x0f) * 4;
  if (headerLength < 20) return { ok: false, reason: 'bad-header-length' };
  if (headerLength > bytes.length) return { ok: false, reason: 'truncated' };
  // Linux hands raw sockets the header as it came off the wire (network
  // order, Total Length including the header), unlike the BSDs.
  const totalLength = view.getUint16(2);
  if (totalLength < headerLength) return { ok: false, reason: 'bad-total-length' };
  if (totalLength > bytes.length) return { ok: false, reason: 'truncated' };
  if (internetChecksum(bytes.subarray(0, headerLength)) !== 0) return { ok: false, reason: 'bad-checksum' };
  const flagsAndOffset = view.getUint16(6);
  const header: Ipv4Header = {
    headerLength,
    tos: view.getUint8(1),
    totalLength,
    identification: view.getUint16(4),
    flags: flagsAndOffset >> 13,
    fragmentOffset: flagsAndOffset & 0x1fff,
    ttl: view.getUint8(8),
    protocol: view.getUint8(9),
    checksum: view.getUint16(10),
    src: view.getUint32(12),
    dst: view.getUint32(16),
  };
  if (header.fragmentOffset !== 0 || (header.flags & MF) !== 0) return { ok: false, reason: 'fragment' };
  return { ok: true, header, payload: bytes.subarray(headerLength, totalLength) };
}

/** The one's complement sum of RFC 1071; 0 over a header whose checksum is right. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (bytes.length % 2 === 1) sum += (bytes[bytes.length - 1] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** What a receiving interface knows when it checks a packet. */
export interface ReceiveContext {
  networkType: NetworkType;
  /** The interface's IPv4 addresses. */
  addresses: readonly InterfaceAddress[];
}

export type ReceiveVerdict =
  | { ok: true; header: Ipv4Header; src: number; dst: number; data: Uint8Array }
  | { ok: false; reason: IpDropReason; src?: number };

/** Decode a packet read from an OSPF raw socket and apply the interface checks. */
export function checkReceived(bytes: Uint8Array, context: ReceiveContext): ReceiveVerdict {
  const decoded = decodeIpv4(bytes);
  if (!decoded.ok) return decoded;
  const { header, payload } = decoded;
  const { src, dst } = header;
  if (header.protocol !== IPPROTO_OSPF) return { ok: false, reason: 'not-ospf', src };
  // RFC 2328 8.2: the destination is the receiving interface's address,
  // AllSPFRouters or AllDRouters. Whether AllDRouters is acceptable in the
  // interface's state is the core's decision.
  const ours = context.addresses.some((a) => a.address === dst);
  if (!ours && dst !== AllSPFRouters && dst !== AllDRouters) return { ok: false, reason: 'bad-destination', src };
  // RFC 2328 8.2: locally originated packets are not passed on to OSPF.
  if (context.addresses.some((a) => a.address === src)) return { ok: false, reason: 'own-packet', src };
  // RFC 2328 8.2: the source must be on the receiving interface's network,
  // a check not made on point-to-point networks.
  if (context.networkType !== 'point-to-point') {
    const onSubnet = context.addresses.some((a) => {
      const mask = maskFromLength(a.prefixLength);
      return a.prefixLength < 32 && ((a.address & mask) >>> 0) === ((src & mask) >>> 0);
    });
    if (!onSubnet) return { ok: false, reason: 'source-off-subnet', src };
  }
  return { ok: true, header, src, dst, data: payload };
}
