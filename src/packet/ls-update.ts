// The Link State Update packet (RFC 2328 A.3.5): floods whole LSAs. The
// LSAs come back as PacketLsa objects whose raw bytes are views into the
// received buffer, made on first use; their bodies are decoded only on
// demand (decodeLsaBody).
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          (OSPF header, 24 bytes, type 4)                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                            # LSAs                             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                                                               |
//  +-                                                            +-+
//  |                             LSAs                              |
//  +-                                                            +-+
//  |                              ...                              |

import type { Reader, Writer } from './bytes.js';
import { LsaHeaderLength } from './constants.js';
import { DecodeError, EncodeError } from './errors.js';
import { readLsa } from './lsa-header.js';
import { PacketType, type Lsa, type LsUpdatePacket, type PacketCommon } from './types.js';

/**
 * The LSU body in r[pos, end): the count, then exactly that many LSAs
 * filling the rest (RFC 2328 A.3.5); bytes left over are refused, as the
 * packet would not re-encode to itself. The count is not trusted: it cannot
 * exceed what the bytes can hold.
 */
export function decodeLsUpdate(r: Reader, c: PacketCommon): LsUpdatePacket {
  const count = r.u32();
  if (count > r.remaining / LsaHeaderLength) throw new DecodeError('bad-lsa-count', r.pos - 4, `${count} LSAs in ${r.remaining} bytes`);
  const { data, view, end } = r;
  let pos = r.pos;
  const lsas: Lsa[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const lsa = readLsa(data, view, pos, end);
    lsas[i] = lsa;
    pos += lsa.length;
  }
  if (pos !== end) throw new DecodeError('bad-length', pos, `${end - pos} bytes after the last of ${count} LSAs`);
  r.pos = pos;
  return { version: c.version, routerId: c.routerId, areaId: c.areaId, checksum: c.checksum, auType: c.auType, auth: c.auth, trailer: c.trailer, type: PacketType.LsUpdate, lsas };
}

export function lsUpdateBodyLength(p: LsUpdatePacket): number {
  const lsas = p.lsas;
  let length = 4;
  for (let i = 0; i < lsas.length; i++) length += (lsas[i] as Lsa).raw.length;
  return length;
}

/**
 * LSAs go out as their raw bytes with the LS age taken from the object's
 * `age` (RFC 2328 13.3: flooded unchanged but for the age, which the sender
 * increments by InfTransDelay; the age is outside the checksum).
 */
export function writeLsUpdate(w: Writer, p: LsUpdatePacket): void {
  const lsas = p.lsas;
  w.u32(lsas.length, '# LSAs');
  for (let i = 0; i < lsas.length; i++) {
    const lsa = lsas[i] as Lsa;
    if (lsa.raw.length < LsaHeaderLength || lsa.raw.length !== ((lsa.raw[18] << 8) | lsa.raw[19])) {
      throw new EncodeError('an LSA raw must hold exactly the length in its header');
    }
    const start = w.pos;
    w.bytes(lsa.raw);
    if (!Number.isInteger(lsa.age) || lsa.age < 0 || lsa.age > 0xffff) throw new EncodeError(`LS age out of range: ${lsa.age}`);
    w.view.setUint16(start, lsa.age);
  }
}
