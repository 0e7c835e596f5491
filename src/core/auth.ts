// OSPF authentication of one interface (RFC 2328 appendix D, RFC 5709):
// signing the packets the core sends and checking the ones it receives.
// Pure computation over bytes; the cryptographic sequence number to send
// comes from the caller, and the one received is returned to it, so the
// per-neighbor replay check (D.5.2) stays with the neighbor records.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AuType, sealHeader, type OspfPacket } from '../packet/index.js';
import type { AuthAlgorithm, AuthKey, InterfaceAuth } from './api.js';
import type { DropReason } from './drops.js';

/** Digest length L on the wire (Auth Data Len), by algorithm: MD5 16 bytes (D.4.3), SHA L (RFC 5709 3.3). */
const DigestLength: Record<AuthAlgorithm, number> = {
  md5: 16,
  'hmac-sha1': 20,
  'hmac-sha256': 32,
  'hmac-sha384': 48,
  'hmac-sha512': 64,
};

const HashName: Record<Exclude<AuthAlgorithm, 'md5'>, string> = {
  'hmac-sha1': 'sha1',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

export const AuthAlgorithms = Object.keys(DigestLength) as AuthAlgorithm[];

/** RFC 2328 D.3: a simple password is at most 8 bytes. */
export const SimplePasswordMax = 8;

/**
 * The longest key of each algorithm: 16 bytes for keyed MD5 (RFC 2328 D.3),
 * the hash length L for HMAC-SHA. RFC 5709 3.3 hashes a longer key down to
 * L, HMAC (and BIRD) only one longer than the block size, so past L they
 * would disagree on the wire.
 */
export function maxKeyLength(algorithm: AuthAlgorithm): number {
  return DigestLength[algorithm];
}

/** RFC 5709 3.3: the Apad constant 0x878FE1F3, repeated to fill L bytes. */
function apad(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < length; i += 4) view.setUint32(i, 0x878fe1f3);
  return bytes;
}

const Apad = new Map(AuthAlgorithms.map((a) => [a, apad(DigestLength[a])]));

/** The text of a key or password as bytes, zero-padded to `length` (D.3: "padded with zeros"). */
function padded(text: string, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes.set(Buffer.from(text, 'utf8'));
  return bytes;
}

/**
 * The digest of `packet` (the OSPF packet up to its length, checksum 0 and
 * the authentication field filled in). MD5: RFC 2328 D.4.3, over the packet
 * followed by the key padded to 16 bytes. HMAC-SHA: RFC 5709 3.3, over the
 * packet followed by Apad; a key shorter than L is zero-padded to L there,
 * which is what HMAC's own padding to the block size does anyway.
 */
export function computeDigest(key: AuthKey, packet: Uint8Array): Uint8Array {
  if (key.algorithm === 'md5') return createHash('md5').update(packet).update(padded(key.key, 16)).digest();
  return createHmac(HashName[key.algorithm], Buffer.from(key.key, 'utf8'))
    .update(packet)
    .update(Apad.get(key.algorithm) as Uint8Array)
    .digest();
}

/** FRR's key when message-digest has none: Key ID 0, an empty MD5 key. */
const NoKey: AuthKey = { keyId: 0, algorithm: 'md5', key: '' };

/**
 * The key packets go out with: the one with the highest Key ID. Operators
 * roll keys forward by adding a higher Key ID, so this is the newest key
 * whatever order the file lists them in. With no key at all, FRR's
 * behaviour: Key ID 0 and an empty MD5 key (nothing is then accepted).
 */
export function sendingKey(keys: readonly AuthKey[]): AuthKey {
  let best: AuthKey = NoKey;
  for (const k of keys) if (best === NoKey || k.keyId > best.keyId) best = k;
  return best;
}

/** Bytes the authentication appends after the packet: the digest of the sending key (D.4.3). */
export function trailerLength(auth: InterfaceAuth): number {
  return auth.type === 'cryptographic' ? DigestLength[sendingKey(auth.keys).algorithm] : 0;
}

/**
 * Authenticates a packet as encodePacket wrote it (AuType 0, no trailer) and
 * returns a new one: AuType 1 with the password and the checksum over the
 * new header (D.4.2), or AuType 2 with checksum 0, Key ID, Auth Data Len,
 * `seq`, and the digest appended (D.4.3). Null returns `data` itself.
 */
export function signPacket(data: Uint8Array, auth: InterfaceAuth, seq: number): Uint8Array {
  if (auth.type === 'null') return data;
  const length = (data[2] as number) * 256 + (data[3] as number);
  if (auth.type === 'simple') {
    const out = data.slice(0, length);
    const view = new DataView(out.buffer);
    view.setUint16(12, 0);
    view.setUint16(14, AuType.Simple);
    out.set(padded(auth.password, 8), 16);
    sealHeader(view, length, AuType.Simple);
    return out;
  }
  const key = sendingKey(auth.keys);
  const digestLength = DigestLength[key.algorithm];
  const out = new Uint8Array(length + digestLength);
  out.set(data.subarray(0, length));
  const view = new DataView(out.buffer);
  view.setUint16(14, AuType.Cryptographic);
  sealHeader(view, length, AuType.Cryptographic);
  // D.4.3: 16 bits of zero, Key ID, Auth Data Len, cryptographic sequence number.
  view.setUint16(16, 0);
  out[18] = key.keyId;
  out[19] = digestLength;
  view.setUint32(20, seq >>> 0);
  out.set(computeDigest(key, out.subarray(0, length)), length);
  return out;
}

/** The outcome of checking a received packet: its sequence number when cryptographic, or why it fails. */
export type AuthCheck = { ok: true; seq: number | undefined } | { ok: false; reason: DropReason };

const Accepted: AuthCheck = { ok: true, seq: undefined };
const WrongType: AuthCheck = { ok: false, reason: 'auth-mismatch' };
const WrongPassword: AuthCheck = { ok: false, reason: 'auth-password' };
const UnknownKey: AuthCheck = { ok: false, reason: 'auth-key-id' };
const WrongDigest: AuthCheck = { ok: false, reason: 'auth-digest' };

/**
 * RFC 2328 D.5: whether a decoded packet (`data` its bytes) passes the
 * interface's authentication. The AuType must be the interface's (8.2);
 * simple: the 64-bit field equals the password (D.5.1); cryptographic: a
 * key with the packet's Key ID exists, Auth Data Len is its digest length
 * and the digest after the packet matches (D.5.2, RFC 5709 3.4). The
 * sequence number is returned for the caller's replay check.
 */
export function checkAuth(auth: InterfaceAuth, data: Uint8Array, packet: OspfPacket): AuthCheck {
  switch (auth.type) {
    case 'null':
      return packet.auType === AuType.Null ? Accepted : WrongType;
    case 'simple':
      if (packet.auType !== AuType.Simple) return WrongType;
      return equalBytes(packet.auth, padded(auth.password, 8)) ? Accepted : WrongPassword;
    case 'cryptographic': {
      if (packet.auType !== AuType.Cryptographic) return WrongType;
      const field = packet.auth;
      const key = auth.keys.find((k) => k.keyId === field[2]);
      if (key === undefined) return UnknownKey;
      const digestLength = DigestLength[key.algorithm];
      // An LLS block (RFC 5613) may follow the digest; the digest comes first.
      if (field[3] !== digestLength || packet.trailer.length < digestLength) return WrongDigest;
      const length = data.length - packet.trailer.length;
      const expected = computeDigest(key, data.subarray(0, length));
      if (!equalBytes(packet.trailer.subarray(0, digestLength), expected)) return WrongDigest;
      const seq = (((field[4] as number) << 24) | ((field[5] as number) << 16) | ((field[6] as number) << 8) | (field[7] as number)) >>> 0;
      return { ok: true, seq };
    }
  }
}

/** Constant-time comparison, so a forger learns nothing from how long a rejection takes. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether two authentication settings are the same (keys in the same order). */
export function sameAuth(a: InterfaceAuth, b: InterfaceAuth): boolean {
  if (a.type === 'simple' && b.type === 'simple') return a.password === b.password;
  if (a.type === 'cryptographic' && b.type === 'cryptographic') {
    return (
      a.keys.length === b.keys.length &&
      a.keys.every((k, i) => {
        const o = b.keys[i] as AuthKey;
        return k.keyId === o.keyId && k.algorithm === o.algorithm && k.key === o.key;
      })
    );
  }
  return a.type === b.type && a.type === 'null';
}

/** What is wrong with an InterfaceAuth, or undefined when the core can use it. */
export function authProblem(auth: unknown): string | undefined {
  const a = auth as { type?: unknown; password?: unknown; keys?: unknown } | null;
  if (typeof a !== 'object' || a === null) return 'must be an object';
  switch (a.type) {
    case 'null':
      return undefined;
    case 'simple':
      if (typeof a.password !== 'string') return 'password must be a string';
      if (Buffer.byteLength(a.password) > SimplePasswordMax) return `password is longer than ${SimplePasswordMax} bytes (RFC 2328 D.3)`;
      return undefined;
    case 'cryptographic': {
      if (!Array.isArray(a.keys)) return 'keys must be an array';
      const seen = new Set<number>();
      for (const [i, k] of (a.keys as Partial<AuthKey>[]).entries()) {
        const id = k?.keyId;
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 255) return `keys[${i}].keyId must be an integer in 0..255`;
        if (seen.has(id)) return `keys[${i}]: Key ID ${id} is listed twice`;
        seen.add(id);
        if (typeof k.algorithm !== 'string' || !Object.hasOwn(DigestLength, k.algorithm)) {
          return `keys[${i}].algorithm must be one of ${AuthAlgorithms.join(', ')}`;
        }
        if (typeof k.key !== 'string') return `keys[${i}].key must be a string`;
        const max = maxKeyLength(k.algorithm);
        if (Buffer.byteLength(k.key) > max) return `keys[${i}].key is longer than ${max} bytes for ${k.algorithm}`;
      }
      return undefined;
    }
    default:
      return `type must be 'null', 'simple' or 'cryptographic', not ${String(a.type)}`;
  }
}
