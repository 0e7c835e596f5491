// readIpv4 / readPrefix: configuration text to the uint32 form, through ip-address.
import { describe, expect, it } from 'vitest';
import { readIpv4, readPrefix } from '../../src/config/address.js';

describe('readIpv4', () => {
  it('reads A.B.C.D as an unsigned 32-bit number, the edges included', () => {
    expect(readIpv4('10.0.0.1')).toEqual({ ok: true, value: 0x0a000001 });
    expect(readIpv4('0.0.0.0')).toEqual({ ok: true, value: 0 });
    expect(readIpv4('255.255.255.255')).toEqual({ ok: true, value: 0xffffffff });
  });

  it.each([
    ['1.2.3.256', 'has octet 256, out of range (0-255)'],
    ['1.2.3', 'has 3 parts, not the 4 of A.B.C.D'],
    ['1.2.3.4.5', 'has 5 parts, not the 4 of A.B.C.D'],
    ['host', 'has 1 part, not the 4 of A.B.C.D'],
    ['1.2..4', 'has an empty octet'],
    ['1.2.3.-4', 'has "-4", not a decimal octet'],
    ['1.2.3.04', 'has octet "04" with a leading zero, which some tools read as octal'],
    ['1.2.3.4/24', 'has a prefix length (/24)'],
  ])('refuses %s: %s', (text, problem) => {
    expect(readIpv4(text)).toEqual({ ok: false, problem });
  });
});

describe('readPrefix', () => {
  it('reads A.B.C.D/M as address and length', () => {
    expect(readPrefix('10.206.206.1/32', false)).toEqual({ ok: true, value: { address: 0x0acece01, length: 32 } });
    expect(readPrefix('0.0.0.0/0', false)).toEqual({ ok: true, value: { address: 0, length: 0 } });
    expect(readPrefix('255.255.255.255/32', false)).toEqual({ ok: true, value: { address: 0xffffffff, length: 32 } });
  });

  it('refuses host bits, or clears them when allowed', () => {
    expect(readPrefix('10.0.0.1/24', false)).toEqual({ ok: false, problem: 'host bits set in prefix "10.0.0.1/24" (the network is 10.0.0.0/24)' });
    expect(readPrefix('10.0.0.1/24', true)).toEqual({ ok: true, value: { address: 0x0a000000, length: 24 } });
    expect(readPrefix('10.0.0.1/0', true)).toEqual({ ok: true, value: { address: 0, length: 0 } });
  });

  it.each([
    ['10.0.0.0', 'missing the prefix length (/M)'],
    ['10.0.0.0/', 'bad prefix length "/" (expected /0 to /32)'],
    ['10.0.0.0/33', 'bad prefix length "/33" (expected /0 to /32)'],
    ['10.0.0.0/024', 'bad prefix length "/024" (expected /0 to /32)'],
    ['10.0.0.0/2x', 'bad prefix length "/2x" (expected /0 to /32)'],
    ['10.0.0/8', 'the address has 3 parts, not the 4 of A.B.C.D'],
    ['10.0.0.300/8', 'the address has octet 300, out of range (0-255)'],
  ])('refuses %s: %s', (text, problem) => {
    expect(readPrefix(text, true)).toEqual({ ok: false, problem });
  });
});
