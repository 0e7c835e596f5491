// LSA bodies: decoded on demand from an LSA's raw bytes (decodeLsaBody) and
// encoded into new LSAs with their Fletcher checksum (buildLsa).

import { Reader, Writer } from '../bytes.js';
import { lsaChecksum } from '../checksum.js';
import { LsaHeaderLength } from '../constants.js';
import { DecodeError, EncodeError } from '../errors.js';
import { writeLsaHeader } from '../lsa-header.js';
import { LsaType, type Lsa, type LsaBody } from '../types.js';
import { decodeExternalBody, externalBodyLength, writeExternalBody } from './external.js';
import { decodeNetworkBody, networkBodyLength, writeNetworkBody } from './network.js';
import { decodeRouterBody, routerBodyLength, writeRouterBody } from './router.js';
import { decodeSummaryBody, summaryBodyLength, writeSummaryBody } from './summary.js';

/** The header fields a caller chooses when building an LSA; checksum and length are computed. */
export interface LsaHeaderFields {
  age: number;
  options: number;
  type: number;
  lsId: number;
  advRouter: number;
  seq: number;
}

/** The body kind that the LSA type carries (RFC 2328 A.4, RFC 3101); anything else stays opaque bytes. */
export function bodyKindOf(type: number): LsaBody['kind'] {
  switch (type) {
    case LsaType.Router:
      return 'router';
    case LsaType.Network:
      return 'network';
    case LsaType.SummaryNetwork:
    case LsaType.SummaryAsbr:
      return 'summary';
    case LsaType.AsExternal:
    case LsaType.Nssa:
      return 'external';
    default:
      return 'opaque';
  }
}

/**
 * Decodes the body of an LSA from its raw bytes. Router, network, summary,
 * AS-external and NSSA bodies are decoded; opaque (RFC 5250) and unknown
 * types return their body bytes. Offsets in DecodeError are within lsa.raw.
 */
export function decodeLsaBody(lsa: Lsa): LsaBody {
  const raw = lsa.raw;
  if (!(raw instanceof Uint8Array) || raw.length < LsaHeaderLength) throw new DecodeError('truncated', 0, 'LSA shorter than its header');
  const length = (raw[18] << 8) | raw[19];
  if (length < LsaHeaderLength || length > raw.length) throw new DecodeError('bad-lsa-length', 18, `LSA length ${length}`);
  const r = new Reader(raw, LsaHeaderLength, length);
  switch (bodyKindOf(raw[3])) {
    case 'router':
      return decodeRouterBody(r);
    case 'network':
      return decodeNetworkBody(r);
    case 'summary':
      return decodeSummaryBody(r);
    case 'external':
      return decodeExternalBody(r);
    case 'opaque':
      return { kind: 'opaque', data: raw.subarray(LsaHeaderLength, length) };
  }
}

function bodyLength(body: LsaBody): number {
  switch (body.kind) {
    case 'router':
      return routerBodyLength(body);
    case 'network':
      return networkBodyLength(body);
    case 'summary':
      return summaryBodyLength(body);
    case 'external':
      return externalBodyLength(body);
    case 'opaque':
      return body.data.length;
  }
}

function writeBody(w: Writer, body: LsaBody): void {
  switch (body.kind) {
    case 'router':
      return writeRouterBody(w, body);
    case 'network':
      return writeNetworkBody(w, body);
    case 'summary':
      return writeSummaryBody(w, body);
    case 'external':
      return writeExternalBody(w, body);
    case 'opaque':
      return w.bytes(body.data);
  }
}

/**
 * A new LSA from header fields and a body: encodes the body, sets the
 * length and computes the LS checksum (RFC 2328 12.1.7). Throws EncodeError
 * when the body kind does not belong to the type or a field does not fit.
 */
export function buildLsa(header: LsaHeaderFields, body: LsaBody): Lsa {
  const expected = bodyKindOf(header.type);
  if (body.kind !== expected) throw new EncodeError(`LSA type ${header.type} carries a ${expected} body, not ${body.kind}`);
  const length = LsaHeaderLength + bodyLength(body);
  if (length > 0xffff) throw new EncodeError(`LSA length ${length} exceeds 65535`);
  // The sequence number is signed (RFC 2328 12.1.6); its unsigned spelling (0x80000001) is taken too.
  if (!Number.isInteger(header.seq) || header.seq < -0x80000000 || header.seq > 0xffffffff) {
    throw new EncodeError(`LS sequence number out of range: ${header.seq}`);
  }
  const seq = header.seq | 0;
  const w = new Writer(length);
  writeLsaHeader(w, { age: header.age, options: header.options, type: header.type, lsId: header.lsId, advRouter: header.advRouter, seq, checksum: 0, length });
  writeBody(w, body);
  const raw = w.finish();
  const checksum = lsaChecksum(raw);
  w.view.setUint16(16, checksum);
  return {
    age: header.age,
    options: header.options,
    type: header.type,
    lsId: header.lsId,
    advRouter: header.advRouter,
    seq,
    checksum,
    length,
    raw,
  };
}
