// The grace-LSA body (RFC 3623 Appendix A): its TLVs both ways, and bad
// bodies ending in a DecodeError, never anything else.
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../../src/packet/index.js';
import { GraceReason, decodeGraceBody, encodeGraceBody } from '../../src/packet/lsa/grace.js';
import { createPrng } from '../../src/lib/prng.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { hex as bytes } from './helpers.js';

/** Grace period 60 s, reason 1 (software restart), interface address 10.205.205.254, padded as RFC 3630 2.3.2 asks. */
const VECTOR = bytes('0001 0004 0000003c  0002 0001 01000000  0003 0004 0acdcdfe');

function reasonOf(body: Uint8Array): string {
  try {
    decodeGraceBody(body);
  } catch (error) {
    if (error instanceof DecodeError) return error.reason;
    throw error;
  }
  return 'decoded';
}

describe('grace-LSA TLVs (RFC 3623 Appendix A)', () => {
  it('decodes grace period, reason and interface address', () => {
    expect(decodeGraceBody(VECTOR)).toEqual({ gracePeriod: 60, reason: GraceReason.SoftwareRestart, interfaceAddress: parseIpv4('10.205.205.254') });
  });

  it('encodes the same bytes', () => {
    expect(encodeGraceBody({ gracePeriod: 60, reason: GraceReason.SoftwareRestart, interfaceAddress: parseIpv4('10.205.205.254') })).toEqual(VECTOR);
  });

  it('skips unknown TLVs, keeps the first of a repeated one, and takes a last TLV without its padding', () => {
    const body = bytes('0009 0003 aabbcc00  0001 0004 0000003c  0001 0004 00000708  0002 0001 02');
    expect(decodeGraceBody(body)).toEqual({ gracePeriod: 60, reason: GraceReason.SoftwareUpgrade, interfaceAddress: undefined });
  });

  it('leaves out what an empty body does not say', () => {
    expect(decodeGraceBody(new Uint8Array(0))).toEqual({ gracePeriod: undefined, reason: undefined, interfaceAddress: undefined });
  });

  it.each([
    ['a TLV overrunning the body', '0001 0008 0000003c', 'bad-tlv-length'],
    ['a grace period of 2 bytes', '0001 0002 003c 0000', 'bad-tlv-length'],
    ['a reason of 4 bytes', '0002 0004 00000001', 'bad-tlv-length'],
    ['an address of 3 bytes', '0003 0003 0acdcd00', 'bad-tlv-length'],
    ['a TLV header cut short', '0001 00', 'truncated'],
  ])('refuses %s', (_, text, reason) => {
    expect(reasonOf(bytes(text))).toBe(reason);
  });

  it('refuses to encode a grace period outside 1..1800', () => {
    expect(() => encodeGraceBody({ gracePeriod: 0, reason: 1, interfaceAddress: 0 })).toThrow(EncodeError);
    expect(() => encodeGraceBody({ gracePeriod: 1801, reason: 1, interfaceAddress: 0 })).toThrow(EncodeError);
  });

  it('throws nothing but DecodeError on random and mutated bodies', () => {
    const prng = createPrng(3623);
    let decoded = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = i % 2 === 0 ? Uint8Array.from({ length: prng.int(0, 40) }, () => prng.int(0, 255)) : VECTOR.slice(0, prng.int(0, VECTOR.length));
      if (i % 2 === 1 && body.length > 0) body[prng.int(0, body.length - 1)] = prng.int(0, 255);
      if (reasonOf(body) === 'decoded') decoded++;
    }
    // Both paths are taken: some bodies decode, the rest are refused.
    expect(decoded).toBeGreaterThan(0);
    expect(decoded).toBeLessThan(20_000);
  });
});
