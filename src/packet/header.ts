// The 24-byte OSPF packet header (RFC 2328 A.3.1) and its checksum.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Version #   |     Type      |         Packet length         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Router ID                            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           Area ID                             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           Checksum            |             AuType            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       Authentication                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       Authentication                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import { foldSum, onesSum } from './checksum.js';
import { EncodeError, DecodeError } from './errors.js';
import { OspfHeaderLength } from './constants.js';
import { AuType, type PacketCommon } from './types.js';

/** A shared empty trailer: most packets have none, and a view per packet costs an allocation. */
const NoTrailer = new Uint8Array(0);

/**
 * Reads and checks the header (RFC 2328 8.2 as far as it concerns the bytes):
 * version 2, a packet length that covers the header and fits the data, and
 * the IP checksum over the packet without the authentication field, unless
 * AuType is cryptographic (RFC 2328 D.4.3). Returns the packet length; the
 * body is data[24, length).
 */
export function checkHeader(data: Uint8Array, view: DataView): number {
  if (data.length < OspfHeaderLength) throw new DecodeError('truncated', data.length, 'shorter than the OSPF header');
  const version = data[0];
  if (version !== 2) throw new DecodeError('bad-version', 0, `version ${version}`);
  const length = view.getUint16(2);
  if (length < OspfHeaderLength) throw new DecodeError('bad-length', 2, `packet length ${length}`);
  if (length > data.length) throw new DecodeError('truncated', data.length, `packet length ${length}, ${data.length} bytes`);
  if (view.getUint16(14) !== AuType.Cryptographic) {
    // RFC 2328 D.4.1/D.4.2: the sum over everything but the 64-bit
    // authentication field, checksum included, is all ones when right.
    const sum = foldSum(onesSum(view, OspfHeaderLength, length, onesSum(view, 0, 16, 0)));
    if (sum !== 0xffff) throw new DecodeError('bad-checksum', 12, `packet checksum 0x${view.getUint16(12).toString(16)}`);
  }
  return length;
}

/** The fields shared by every packet, from a header that checkHeader accepted. */
export function readCommon(data: Uint8Array, view: DataView, length: number): PacketCommon {
  return {
    version: 2,
    routerId: view.getUint32(4),
    areaId: view.getUint32(8),
    checksum: view.getUint16(12),
    auType: view.getUint16(14),
    auth: new Uint8Array(data.buffer, data.byteOffset + 16, 8),
    trailer: length === data.length ? NoTrailer : new Uint8Array(data.buffer, data.byteOffset + length, data.length - length),
  };
}

/** Writes the header of a packet of `length` bytes with the checksum field zero; sealHeader fills it in. */
export function writeHeader(view: DataView, type: number, length: number, p: PacketCommon): void {
  if (p.version !== 2) throw new EncodeError(`version ${p.version}: only OSPFv2 is encoded`);
  if (length > 0xffff) throw new EncodeError(`packet length ${length} exceeds 65535`);
  if (!(p.auth instanceof Uint8Array) || p.auth.length !== 8) throw new EncodeError('the authentication field must be 8 bytes');
  if (!Number.isInteger(p.auType) || p.auType < 0 || p.auType > 0xffff) throw new EncodeError(`AuType out of range: ${p.auType}`);
  for (const [name, value] of [['Router ID', p.routerId], ['Area ID', p.areaId]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new EncodeError(`${name} out of range: ${value}`);
  }
  view.setUint8(0, 2);
  view.setUint8(1, type);
  view.setUint16(2, length);
  view.setUint32(4, p.routerId);
  view.setUint32(8, p.areaId);
  view.setUint16(12, 0);
  view.setUint16(14, p.auType);
  new Uint8Array(view.buffer, view.byteOffset + 16, 8).set(p.auth);
}

/**
 * Computes the checksum of the packet in view[0, length) (RFC 2328 D.4.1,
 * D.4.2: the authentication field excluded; D.4.3: 0 when cryptographic).
 * The authentication field must already hold its value.
 */
export function sealHeader(view: DataView, length: number, auType: number): void {
  if (auType === AuType.Cryptographic) {
    view.setUint16(12, 0);
    return;
  }
  const sum = foldSum(onesSum(view, OspfHeaderLength, length, onesSum(view, 0, 16, 0)));
  view.setUint16(12, ~sum & 0xffff);
}
