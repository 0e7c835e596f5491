// Shared by the codec tests: hex conversion, iteration counts and the packet checksum.

/** "02 01 00 2c" or "0201002c" → bytes. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new Error(`bad hex: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** More iterations under CI=true, where the run may take longer. */
export function iterations(local: number, ci: number): number {
  return process.env.CI === 'true' ? ci : local;
}

/**
 * Recomputes the OSPF packet checksum of bytes[0, length) in place (RFC 2328
 * D.4.1), written independently of the codec so tests can aim a fault past
 * the checksum check.
 */
export function reseal(bytes: Uint8Array, length: number): void {
  bytes[12] = 0;
  bytes[13] = 0;
  let sum = 0;
  for (let i = 0; i < length; i += 2) {
    if (i >= 16 && i < 24) continue;
    sum += (bytes[i] << 8) | (i + 1 < length ? bytes[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  const checksum = ~sum & 0xffff;
  bytes[12] = checksum >> 8;
  bytes[13] = checksum & 0xff;
}
