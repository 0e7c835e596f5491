// Addresses typed by people — `ospf-anycast` arguments, control requests,
// the library's drain(prefix) — read with ip-address, with the error text an
// operator sees. The engine and its hot paths keep the uint32 code of lib/ipv4.

import { Address4 } from 'ip-address';
import { AddressParseError, type Prefix } from '../lib/ipv4.js';

/** "10.0.0.1" → 0x0a000001; anything else (a prefix, leading zeros, 256) is an AddressParseError. */
export function readIpv4(text: string): number {
  const message = `not an IPv4 address: "${text}"`;
  if (text.includes('/')) throw new AddressParseError(message);
  return Number(address4(text, message).bigInt());
}

/** "10.206.206.1/32" → its Prefix: the length is required, the host bits must be zero. */
export function readPrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  if (slash < 0) throw new AddressParseError(`not a prefix (missing /len): "${text}"`);
  const address = readIpv4(text.slice(0, slash));
  const prefix = address4(text, `bad prefix length in "${text}"`);
  // ip-address reads "/01" as /1: a length is written without leading zeros.
  if (prefix.subnet !== text.slice(slash)) throw new AddressParseError(`bad prefix length in "${text}"`);
  if (prefix.startAddress().correctForm() !== prefix.correctForm()) throw new AddressParseError(`host bits set in prefix "${text}"`);
  return { address, length: prefix.subnetMask };
}

function address4(text: string, message: string): Address4 {
  try {
    return new Address4(text);
  } catch {
    throw new AddressParseError(message);
  }
}
