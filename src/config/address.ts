// IPv4 addresses and prefixes as people write them in the configuration,
// read with ip-address into the uint32 form the rest of the daemon uses, or
// a phrase saying what is wrong with the text.

import { Address4, AddressError } from 'ip-address';
import { formatPrefix, maskFromLength, type Prefix } from '../lib/ipv4.js';

export type AddressReading<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A.B.C.D, each octet 0-255 in decimal without leading zeros. */
export function readIpv4(text: string): AddressReading<number> {
  const slash = text.indexOf('/');
  if (slash >= 0) return { ok: false, problem: `has a prefix length (${text.slice(slash)})` };
  const parsed = parseAddress4(text);
  if (parsed === undefined) return { ok: false, problem: ipv4Problem(text) };
  return { ok: true, value: Number(parsed.bigInt()) };
}

/**
 * A.B.C.D/M. Host bits set are refused unless `allowHostBits`, which clears
 * them; the problem then names the network meant.
 */
export function readPrefix(text: string, allowHostBits: boolean): AddressReading<Prefix> {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, problem: 'missing the prefix length (/M)' };
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lengthText) || Number(lengthText) > 32) return { ok: false, problem: `bad prefix length "/${lengthText}" (expected /0 to /32)` };
  const addressText = text.slice(0, slash);
  const parsed = parseAddress4(text);
  if (parsed === undefined) return { ok: false, problem: `the address ${ipv4Problem(addressText)}` };
  const address = Number(parsed.bigInt());
  const length = parsed.subnetMask;
  const network = (address & maskFromLength(length)) >>> 0;
  if (network !== address && !allowHostBits) {
    return { ok: false, problem: `host bits set in prefix "${text}" (the network is ${formatPrefix({ address: network, length })})` };
  }
  return { ok: true, value: { address: network, length } };
}

function parseAddress4(text: string): Address4 | undefined {
  try {
    return new Address4(text);
  } catch (err) {
    if (err instanceof AddressError) return undefined;
    throw err;
  }
}

/** What is wrong with text that ip-address refused as an IPv4 address. */
function ipv4Problem(text: string): string {
  const octets = text.split('.');
  if (octets.length !== 4) return `has ${octets.length} part${octets.length === 1 ? '' : 's'}, not the 4 of A.B.C.D`;
  for (const octet of octets) {
    if (octet === '') return 'has an empty octet';
    if (!/^\d+$/.test(octet)) return `has "${octet}", not a decimal octet`;
    if (Number(octet) > 255) return `has octet ${octet}, out of range (0-255)`;
    if (octet.length > 1 && octet.startsWith('0')) return `has octet "${octet}" with a leading zero, which some tools read as octal`;
  }
  return 'is not in A.B.C.D form';
}
