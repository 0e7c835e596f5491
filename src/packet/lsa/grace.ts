// The grace-LSA (RFC 3623 Appendix A): a link-local opaque LSA (type 9,
// RFC 5250) of opaque type 3 and opaque ID 0, by which a restarting router
// asks its neighbors to keep it in their LSAs for a grace period. Its body is
// a list of TLVs in the format of RFC 3630 2.3.2:
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |              Type             |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                   Value, padded to 4 bytes ...                |
//
//  Type 1: grace period, 4 bytes, seconds (mandatory)
//  Type 2: restart reason, 1 byte (mandatory): 0 unknown, 1 software
//          restart, 2 software reload or upgrade, 3 switch to a redundant
//          control processor
//  Type 3: IP interface address, 4 bytes (mandatory on broadcast and NBMA
//          segments: the restarting router is known there by it)

import { Reader, Writer } from '../bytes.js';
import { DecodeError, EncodeError } from '../errors.js';

/** The Link State ID of every grace-LSA: opaque type 3, opaque ID 0 (RFC 3623 Appendix A). */
export const GraceLsaId = 0x03000000;

/** RFC 3623 Appendix A: the restart reasons. */
export const GraceReason = {
  Unknown: 0,
  SoftwareRestart: 1,
  SoftwareUpgrade: 2,
  ControlProcessorSwitch: 3,
} as const;

const TlvGracePeriod = 1;
const TlvReason = 2;
const TlvInterfaceAddress = 3;

/** What a grace-LSA says; fields absent from the LSA are undefined. */
export interface GraceBody {
  /** Seconds from the LSA's origination (its LS age 0) during which helpers keep the restarting router. */
  gracePeriod: number | undefined;
  /** RFC 3623 Appendix A restart reason, 0..255. */
  reason: number | undefined;
  /** The restarting router's address on the segment, unsigned. */
  interfaceAddress: number | undefined;
}

/**
 * Decodes a grace-LSA body (the bytes after the LSA header). Throws
 * DecodeError on a TLV that overruns the body or has the wrong length for
 * its type; unknown TLVs are skipped (RFC 3630 2.3.2). A TLV given twice:
 * the first counts.
 */
export function decodeGraceBody(body: Uint8Array): GraceBody {
  const r = new Reader(body);
  const out: GraceBody = { gracePeriod: undefined, reason: undefined, interfaceAddress: undefined };
  while (r.remaining > 0) {
    const at = r.pos;
    const type = r.u16();
    const length = r.u16();
    const padded = (length + 3) & ~3;
    if (padded > r.remaining) {
      // The last TLV's padding may be left out by its sender; its value may not.
      if (length > r.remaining) throw new DecodeError('bad-tlv-length', at, `TLV ${type} of ${length} bytes overruns the body`);
    }
    const value = new Reader(body, r.pos, r.pos + length);
    switch (type) {
      case TlvGracePeriod:
        if (length !== 4) throw new DecodeError('bad-tlv-length', at, `grace period TLV of ${length} bytes`);
        out.gracePeriod ??= value.u32();
        break;
      case TlvReason:
        if (length !== 1) throw new DecodeError('bad-tlv-length', at, `restart reason TLV of ${length} bytes`);
        out.reason ??= value.u8();
        break;
      case TlvInterfaceAddress:
        if (length !== 4) throw new DecodeError('bad-tlv-length', at, `interface address TLV of ${length} bytes`);
        out.interfaceAddress ??= value.u32();
        break;
      default:
        break;
    }
    r.pos = Math.min(r.end, r.pos + padded);
  }
  return out;
}

/** The body of a grace-LSA with all three TLVs (RFC 3623 Appendix A), for a restarting router's origination. */
export function encodeGraceBody(body: { gracePeriod: number; reason: number; interfaceAddress: number }): Uint8Array {
  if (!Number.isInteger(body.gracePeriod) || body.gracePeriod < 1 || body.gracePeriod > 1800) {
    throw new EncodeError(`grace period out of range 1..1800: ${body.gracePeriod}`);
  }
  const w = new Writer(24);
  w.u16(TlvGracePeriod, 'TLV type');
  w.u16(4, 'TLV length');
  w.u32(body.gracePeriod, 'grace period');
  w.u16(TlvReason, 'TLV type');
  w.u16(1, 'TLV length');
  w.u8(body.reason, 'restart reason');
  w.u8(0);
  w.u16(0);
  w.u16(TlvInterfaceAddress, 'TLV type');
  w.u16(4, 'TLV length');
  w.u32(body.interfaceAddress >>> 0, 'interface address');
  return w.finish();
}
