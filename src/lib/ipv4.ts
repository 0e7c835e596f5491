// IPv4 addresses as unsigned 32-bit numbers: parsing, printing and masks.
// The core keeps addresses, router ids and area ids as numbers; text is for
// configuration, logs and the CLI only.

/** Thrown by parseIpv4 / parsePrefix on malformed text. */
export class AddressParseError extends Error {
  override name = 'AddressParseError';
}

/** "10.0.0.1" → 0x0a000001. Throws AddressParseError on anything else. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new AddressParseError(`not an IPv4 address: "${text}"`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) throw new AddressParseError(`not an IPv4 address: "${text}"`);
    const octet = Number(part);
    if (octet > 255) throw new AddressParseError(`not an IPv4 address: "${text}"`);
    value = value * 256 + octet;
  }
  return value >>> 0;
}

/** 0x0a000001 → "10.0.0.1". */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** Prefix length → netmask: 24 → 0xffffff00. */
export function maskFromLength(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Netmask → prefix length, or -1 when the mask is not contiguous. */
export function lengthFromMask(mask: number): number {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return -1;
  return inverted === 0 ? 32 : Math.clz32(inverted);
}

export interface Prefix {
  address: number; // network address, host bits zero
  length: number;
}

/** "10.0.0.0/24" → { address, length }. Host bits must be zero unless allowHostBits. */
export function parsePrefix(text: string, allowHostBits = false): Prefix {
  const slash = text.indexOf('/');
  if (slash < 0) throw new AddressParseError(`not a prefix (missing /len): "${text}"`);
  const address = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText) || Number(lenText) > 32) throw new AddressParseError(`bad prefix length in "${text}"`);
  const length = Number(lenText);
  const masked = (address & maskFromLength(length)) >>> 0;
  if (!allowHostBits && masked !== address) throw new AddressParseError(`host bits set in prefix "${text}"`);
  return { address: allowHostBits ? address : masked, length };
}

export function formatPrefix(prefix: Prefix): string {
  return `${formatIpv4(prefix.address)}/${prefix.length}`;
}

/** True when address lies inside prefix. */
export function prefixContains(prefix: Prefix, address: number): boolean {
  return ((address & maskFromLength(prefix.length)) >>> 0) === prefix.address;
}
