// Whole OSPF packets: decodePacket checks the header and hands the body to
// the decoder of its type; encodePacket sizes, writes and checksums.

import { Reader, Writer, viewOf } from './bytes.js';
import { OspfHeaderLength } from './constants.js';
import { decodeDbDescription, dbDescriptionBodyLength, writeDbDescription } from './db-description.js';
import { DecodeError, EncodeError } from './errors.js';
import { checkHeader, readCommon, sealHeader, writeHeader } from './header.js';
import { decodeHello, helloBodyLength, writeHello } from './hello.js';
import { decodeLsAck, lsAckBodyLength, writeLsAck } from './ls-ack.js';
import { decodeLsRequest, lsRequestBodyLength, writeLsRequest } from './ls-request.js';
import { decodeLsUpdate, lsUpdateBodyLength, writeLsUpdate } from './ls-update.js';
import { PacketType, type OspfPacket } from './types.js';

/**
 * Decodes one OSPF packet, IP header already removed (RFC 2328 A.3). Bytes
 * after the header's packet length are returned as `trailer`. LSAs and the
 * authentication field are views into `data`, so keep `data` unchanged while
 * they are in use. Throws only DecodeError.
 */
export function decodePacket(data: Uint8Array): OspfPacket {
  if (!(data instanceof Uint8Array)) throw new DecodeError('not-bytes', 0, 'input is not a Uint8Array');
  const view = viewOf(data);
  const length = checkHeader(data, view);
  const type = data[1];
  const common = readCommon(data, view, length);
  const r = new Reader(data, OspfHeaderLength, length, view);
  switch (type) {
    case PacketType.Hello:
      return decodeHello(r, common);
    case PacketType.DbDescription:
      return decodeDbDescription(r, common);
    case PacketType.LsRequest:
      return decodeLsRequest(r, common);
    case PacketType.LsUpdate:
      return decodeLsUpdate(r, common);
    case PacketType.LsAck:
      return decodeLsAck(r, common);
    default:
      throw new DecodeError('bad-type', 1, `packet type ${type}`);
  }
}

function bodyLength(p: OspfPacket): number {
  switch (p.type) {
    case PacketType.Hello:
      return helloBodyLength(p);
    case PacketType.DbDescription:
      return dbDescriptionBodyLength(p);
    case PacketType.LsRequest:
      return lsRequestBodyLength(p);
    case PacketType.LsUpdate:
      return lsUpdateBodyLength(p);
    case PacketType.LsAck:
      return lsAckBodyLength(p);
    default:
      throw new EncodeError(`unknown packet type ${(p as { type: unknown }).type}`);
  }
}

function writeBody(w: Writer, p: OspfPacket): void {
  switch (p.type) {
    case PacketType.Hello:
      return writeHello(w, p);
    case PacketType.DbDescription:
      return writeDbDescription(w, p);
    case PacketType.LsRequest:
      return writeLsRequest(w, p);
    case PacketType.LsUpdate:
      return writeLsUpdate(w, p);
    case PacketType.LsAck:
      return writeLsAck(w, p);
  }
}

/**
 * Encodes a packet: computes the packet length and the checksum (RFC 2328
 * D.4; 0 for cryptographic authentication, whose digest the caller puts in
 * `trailer`), then appends `trailer`. Throws EncodeError on fields that do
 * not fit.
 */
export function encodePacket(packet: OspfPacket): Uint8Array {
  const trailer = packet.trailer ?? new Uint8Array(0);
  const length = OspfHeaderLength + bodyLength(packet);
  if (length > 0xffff) throw new EncodeError(`packet length ${length} exceeds 65535`);
  const w = new Writer(length + trailer.length);
  w.pos = OspfHeaderLength;
  writeBody(w, packet);
  writeHeader(w.view, packet.type, length, packet);
  sealHeader(w.view, length, packet.auType);
  w.bytes(trailer);
  return w.finish();
}
