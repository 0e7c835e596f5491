// The Link State Request packet (RFC 2328 A.3.4): asks a neighbor for the
// LSAs found newer in its Database Description packets.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          (OSPF header, 24 bytes, type 3)                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          LS type                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       Link State ID                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     Advertising Router                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                              ...                              |

import type { Reader, Writer } from './bytes.js';
import { DecodeError } from './errors.js';
import { PacketType, type LsaKey, type LsRequestPacket, type PacketCommon } from './types.js';

const EntryLength = 12;

export function decodeLsRequest(r: Reader, c: PacketCommon): LsRequestPacket {
  if (r.remaining % EntryLength !== 0) throw new DecodeError('bad-length', r.pos, 'request list is not whole 12-byte entries');
  const requests: LsaKey[] = [];
  // The LS type is a full 32-bit field here (RFC 2328 A.3.4).
  while (r.remaining > 0) requests.push({ type: r.u32(), lsId: r.u32(), advRouter: r.u32() });
  return { version: c.version, routerId: c.routerId, areaId: c.areaId, checksum: c.checksum, auType: c.auType, auth: c.auth, trailer: c.trailer, type: PacketType.LsRequest, requests };
}

export function lsRequestBodyLength(p: LsRequestPacket): number {
  return EntryLength * p.requests.length;
}

export function writeLsRequest(w: Writer, p: LsRequestPacket): void {
  const requests = p.requests;
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i] as LsaKey;
    w.u32(request.type, 'LS type');
    w.u32(request.lsId, 'Link State ID');
    w.u32(request.advRouter, 'Advertising Router');
  }
}
