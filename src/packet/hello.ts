// The Hello packet (RFC 2328 A.3.2): discovers neighbors and elects the DR.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          (OSPF header, 24 bytes, type 1)                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                        Network Mask                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         HelloInterval         |    Options    |    Rtr Pri    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     RouterDeadInterval                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Designated Router                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                   Backup Designated Router                    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Neighbor                             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                              ...                              |

import type { Reader, Writer } from './bytes.js';
import { DecodeError } from './errors.js';
import { PacketType, type HelloPacket, type PacketCommon } from './types.js';

const FixedLength = 20;

/** The Hello body in r[pos, end): fixed part, then neighbors filling the rest. */
export function decodeHello(r: Reader, c: PacketCommon): HelloPacket {
  const networkMask = r.u32();
  const helloInterval = r.u16();
  const options = r.u8();
  const priority = r.u8();
  const deadInterval = r.u32();
  const dr = r.u32();
  const bdr = r.u32();
  if (r.remaining % 4 !== 0) throw new DecodeError('bad-length', r.pos, 'neighbor list is not whole 4-byte router ids');
  const neighbors: number[] = [];
  while (r.remaining > 0) neighbors.push(r.u32());
  // Fields written out rather than spread: object spread is many times slower here.
  return { version: c.version, routerId: c.routerId, areaId: c.areaId, checksum: c.checksum, auType: c.auType, auth: c.auth, trailer: c.trailer, type: PacketType.Hello, networkMask, helloInterval, options, priority, deadInterval, dr, bdr, neighbors };
}

export function helloBodyLength(p: HelloPacket): number {
  return FixedLength + 4 * p.neighbors.length;
}

export function writeHello(w: Writer, p: HelloPacket): void {
  w.u32(p.networkMask, 'Network Mask');
  w.u16(p.helloInterval, 'HelloInterval');
  w.u8(p.options, 'Options');
  w.u8(p.priority, 'Rtr Pri');
  w.u32(p.deadInterval, 'RouterDeadInterval');
  w.u32(p.dr, 'Designated Router');
  w.u32(p.bdr, 'Backup Designated Router');
  for (const neighbor of p.neighbors) w.u32(neighbor, 'Neighbor');
}
