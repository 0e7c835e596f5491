// The small helpers around LSA identity (RFC 2328 12.1) and the error type.

import { describe, expect, test } from 'vitest';
import { DecodeError, LsaType, bodyKindOf, compareLsaKeys, decodePacket, lsaKeyString } from '../../src/packet/index.js';
import { parseIpv4 as ip } from '../../src/lib/ipv4.js';

describe('LSA keys', () => {
  test('lsaKeyString names type, Link State ID and Advertising Router', () => {
    expect(lsaKeyString({ type: LsaType.AsExternal, lsId: ip('10.206.206.1'), advRouter: ip('192.168.0.254') })).toBe('5/10.206.206.1/192.168.0.254');
  });

  test('compareLsaKeys orders by type, then Link State ID, then Advertising Router, all unsigned', () => {
    const keys = [
      { type: 2, lsId: 1, advRouter: 1 },
      { type: 1, lsId: ip('200.0.0.1'), advRouter: 1 },
      { type: 1, lsId: ip('10.0.0.1'), advRouter: ip('255.0.0.1') },
      { type: 1, lsId: ip('10.0.0.1'), advRouter: ip('1.0.0.1') },
    ];
    expect([...keys].sort(compareLsaKeys).map(lsaKeyString)).toEqual(['1/10.0.0.1/1.0.0.1', '1/10.0.0.1/255.0.0.1', '1/200.0.0.1/0.0.0.1', '2/0.0.0.1/0.0.0.1']);
    expect(compareLsaKeys(keys[0], { ...keys[0] })).toBe(0);
  });

  test('bodyKindOf: the body each LSA type carries (RFC 2328 A.4, RFC 3101, RFC 5250)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 0, 255].map(bodyKindOf)).toEqual([
      'router',
      'network',
      'summary',
      'summary',
      'external',
      'opaque',
      'external',
      'opaque',
      'opaque',
      'opaque',
      'opaque',
      'opaque',
    ]);
  });
});

describe('DecodeError', () => {
  test('is a named Error with a stable reason and the offset of the fault', () => {
    let caught: unknown;
    try {
      decodePacket(new Uint8Array([3, 1, 0, 24, ...new Array(20).fill(0)]));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as DecodeError;
    expect(error.name).toBe('DecodeError');
    expect(error.reason).toBe('bad-version');
    expect(error.offset).toBe(0);
    expect(error.message).toBe('bad-version at offset 0: version 3');
  });
});
