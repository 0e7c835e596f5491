// The Database Description packet (RFC 2328 A.3.3): the LSA headers of the
// database, exchanged while forming an adjacency.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          (OSPF header, 24 bytes, type 2)                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         Interface MTU         |    Options    |0|0|0|0|0|I|M|MS
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     DD sequence number                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                                                               |
//  +-                                                             -+
//  |                             An LSA Header                     |
//  +-                                                             -+
//  |                              ...                              |

import type { Reader, Writer } from './bytes.js';
import { LsaHeaderLength } from './constants.js';
import { DecodeError } from './errors.js';
import { readLsaHeader, writeLsaHeader } from './lsa-header.js';
import { PacketType, type DbDescriptionPacket, type LsaHeader, type PacketCommon } from './types.js';

const FixedLength = 8;

/** LSA headers filling r[pos, end) exactly (DD and LS Acknowledgment bodies). */
export function readLsaHeaders(r: Reader): LsaHeader[] {
  if (r.remaining % LsaHeaderLength !== 0) throw new DecodeError('bad-length', r.pos, 'LSA header list is not whole 20-byte headers');
  const headers: LsaHeader[] = [];
  for (; r.pos < r.end; r.pos += LsaHeaderLength) headers.push(readLsaHeader(r.view, r.pos));
  return headers;
}

export function decodeDbDescription(r: Reader, c: PacketCommon): DbDescriptionPacket {
  const mtu = r.u16();
  const options = r.u8();
  // The whole flags octet is kept, reserved bits too, so re-encoding is exact.
  const flags = r.u8();
  const ddSeq = r.u32();
  const lsaHeaders = readLsaHeaders(r);
  return { version: c.version, routerId: c.routerId, areaId: c.areaId, checksum: c.checksum, auType: c.auType, auth: c.auth, trailer: c.trailer, type: PacketType.DbDescription, mtu, options, flags, ddSeq, lsaHeaders };
}

export function dbDescriptionBodyLength(p: DbDescriptionPacket): number {
  return FixedLength + LsaHeaderLength * p.lsaHeaders.length;
}

export function writeDbDescription(w: Writer, p: DbDescriptionPacket): void {
  w.u16(p.mtu, 'Interface MTU');
  w.u8(p.options, 'Options');
  w.u8(p.flags, 'DD flags');
  w.u32(p.ddSeq, 'DD sequence number');
  const headers = p.lsaHeaders;
  // Indexed: a for-of here allocated an iterator result per header (seen in allocation profiles).
  for (let i = 0; i < headers.length; i++) writeLsaHeader(w, headers[i] as LsaHeader);
}
