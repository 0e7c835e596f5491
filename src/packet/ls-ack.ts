// The Link State Acknowledgment packet (RFC 2328 A.3.6): acknowledges
// flooded LSAs by their headers.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          (OSPF header, 24 bytes, type 5)                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                                                               |
//  +-                                                             -+
//  |                             An LSA Header                     |
//  +-                                                             -+
//  |                              ...                              |

import type { Reader, Writer } from './bytes.js';
import { LsaHeaderLength } from './constants.js';
import { readLsaHeaders } from './db-description.js';
import { writeLsaHeader } from './lsa-header.js';
import { PacketType, type LsAckPacket, type LsaHeader, type PacketCommon } from './types.js';

export function decodeLsAck(r: Reader, c: PacketCommon): LsAckPacket {
  const lsaHeaders = readLsaHeaders(r);
  return { version: c.version, routerId: c.routerId, areaId: c.areaId, checksum: c.checksum, auType: c.auType, auth: c.auth, trailer: c.trailer, type: PacketType.LsAck, lsaHeaders };
}

export function lsAckBodyLength(p: LsAckPacket): number {
  return LsaHeaderLength * p.lsaHeaders.length;
}

export function writeLsAck(w: Writer, p: LsAckPacket): void {
  const headers = p.lsaHeaders;
  // Indexed: a for-of here allocated an iterator result per header (seen in allocation profiles).
  for (let i = 0; i < headers.length; i++) writeLsaHeader(w, headers[i] as LsaHeader);
}
