// Reads the parts of router-, network-, summary- and AS-external-LSAs that
// the SPF needs straight from their raw bytes (RFC 2328 A.4) into compact
// records. Malformed LSAs come back as drop values, never as exceptions.

import { lengthFromMask } from '../lib/ipv4.js';
import { LsaType, RouterLinkType, type LsaKey } from '../packet/types.js';

/** RFC 2328 B: an LSA at this age is being flushed and is not used by the SPF (RFC 2328 16). */
export const MaxAge = 3600;
/** RFC 2328 B: a summary or external metric meaning "unreachable". */
export const LSInfinity = 0xffffff;

export type SpfDropReason =
  | 'truncated' // shorter than its header or than its length field says
  | 'key-mismatch' // the header does not carry the key it was given under
  | 'router-lsa-id' // a router-LSA whose Link State ID is not its Advertising Router (RFC 2328 12.1.4)
  | 'bad-length' // the body does not have the size its type requires
  | 'bad-mask'; // a network mask that is not contiguous

/** Why an LSA, or part of it, is not used by the SPF. */
export interface SpfDrop {
  reason: SpfDropReason;
  key: LsaKey;
  detail: string;
}

// Records hold plain number arrays: V8 allocates every typed array above 64
// bytes outside its heap, which measured twenty times slower than an array.

/** A router-LSA (RFC 2328 A.4.2), TOS 0 only. */
export interface RouterRecord {
  flags: number;
  /** Point-to-point, transit and virtual links: [type, linkId, linkData, metric] per link. */
  topo: number[];
  /** Stub links: [network address, prefix length, metric] per link. */
  stubs: number[];
}

/** A network-LSA (RFC 2328 A.4.3). */
export interface NetworkRecord {
  advRouter: number;
  address: number;
  length: number;
  attached: number[];
}

/** A summary-LSA (RFC 2328 A.4.4): type 3 (network) or 4 (ASBR, address = the ASBR's id, length 32). */
export interface SummaryRecord {
  lsId: number;
  advRouter: number;
  address: number;
  length: number;
  metric: number;
}

/** An AS-external-LSA (RFC 2328 A.4.5), TOS 0 route only. */
export interface ExternalRecord {
  lsId: number;
  advRouter: number;
  address: number;
  length: number;
  /** E-bit: a type 2 metric. */
  e2: boolean;
  metric: number;
  forwardingAddress: number;
}

const HeaderLength = 20;

function drop(reason: SpfDropReason, key: LsaKey, detail: string): SpfDrop {
  return { reason, key, detail };
}

function u32(raw: Uint8Array, at: number): number {
  return ((raw[at] << 24) | (raw[at + 1] << 16) | (raw[at + 2] << 8) | raw[at + 3]) >>> 0;
}

/** The LSA's length when its header is sound and matches key, else the drop. */
export function checkHeader(key: LsaKey, raw: Uint8Array): number | SpfDrop {
  if (raw.length < HeaderLength) return drop('truncated', key, `${raw.length} bytes`);
  const length = (raw[18] << 8) | raw[19];
  if (length < HeaderLength || length > raw.length) return drop('truncated', key, `length field ${length}, ${raw.length} bytes`);
  if (raw[3] !== key.type || u32(raw, 4) !== key.lsId >>> 0 || u32(raw, 8) !== key.advRouter >>> 0) {
    return drop('key-mismatch', key, 'header differs from the key');
  }
  return length;
}

/** True when the header says MaxAge (the DoNotAge bit aside): RFC 2328 16 skips such LSAs. */
export function isMaxAge(raw: Uint8Array): boolean {
  return (((raw[0] << 8) | raw[1]) & 0x7fff) >= MaxAge;
}

/**
 * RFC 2328 A.4.2. Stub links with a non-contiguous mask are left out and
 * reported in `dropped`; unknown link types are ignored.
 */
export function readRouterLsa(key: LsaKey, raw: Uint8Array, length: number): { record: RouterRecord; dropped?: SpfDrop } | SpfDrop {
  if (key.lsId !== key.advRouter) return drop('router-lsa-id', key, 'Link State ID differs from Advertising Router');
  if (length < HeaderLength + 4) return drop('bad-length', key, 'router-LSA without its link count');
  const count = (raw[22] << 8) | raw[23];
  const topo: number[] = [];
  const stubs: number[] = [];
  let dropped: SpfDrop | undefined;
  let at = HeaderLength + 4;
  for (let i = 0; i < count; i++) {
    if (at + 12 > length) return drop('bad-length', key, `link ${i} of ${count} past the end`);
    const linkId = u32(raw, at);
    const linkData = u32(raw, at + 4);
    const type = raw[at + 8];
    const tosCount = raw[at + 9];
    const metric = (raw[at + 10] << 8) | raw[at + 11];
    at += 12 + 4 * tosCount;
    if (at > length) return drop('bad-length', key, `TOS metrics of link ${i} past the end`);
    switch (type) {
      case RouterLinkType.PointToPoint:
      case RouterLinkType.Transit:
      case RouterLinkType.Virtual:
        topo.push(type, linkId, linkData, metric);
        break;
      case RouterLinkType.Stub: {
        // RFC 2328 A.4.2: Link ID is the network number, Link Data its mask.
        const prefixLength = lengthFromMask(linkData);
        if (prefixLength < 0) {
          dropped = drop('bad-mask', key, `stub link ${i} mask ${linkData >>> 0}`);
          break;
        }
        stubs.push((linkId & linkData) >>> 0, prefixLength, metric);
        break;
      }
      default:
        break;
    }
  }
  if (at !== length) return drop('bad-length', key, `${length - at} bytes after the last link`);
  // Copies of exact length: arrays built by push keep up to half again as many slots, one pair per router.
  const record = { flags: raw[20], topo: topo.slice(), stubs: stubs.slice() };
  return dropped === undefined ? { record } : { record, dropped };
}

/** RFC 2328 A.4.3. */
export function readNetworkLsa(key: LsaKey, raw: Uint8Array, length: number): NetworkRecord | SpfDrop {
  if (length < HeaderLength + 4 || (length - HeaderLength) % 4 !== 0) return drop('bad-length', key, `network-LSA of ${length} bytes`);
  const mask = u32(raw, HeaderLength);
  const prefixLength = lengthFromMask(mask);
  if (prefixLength < 0) return drop('bad-mask', key, `mask ${mask}`);
  const attached: number[] = [];
  for (let at = HeaderLength + 4; at < length; at += 4) attached.push(u32(raw, at));
  return { advRouter: key.advRouter >>> 0, address: (key.lsId & mask) >>> 0, length: prefixLength, attached };
}

/** RFC 2328 A.4.4; for type 4 the mask is meaningless and the destination is the ASBR's router id. */
export function readSummaryLsa(key: LsaKey, raw: Uint8Array, length: number): SummaryRecord | SpfDrop {
  if (length < HeaderLength + 8 || (length - HeaderLength) % 4 !== 0) return drop('bad-length', key, `summary-LSA of ${length} bytes`);
  const metric = u32(raw, HeaderLength + 4) & 0xffffff;
  const lsId = key.lsId >>> 0;
  const advRouter = key.advRouter >>> 0;
  if (key.type === LsaType.SummaryAsbr) return { lsId, advRouter, address: lsId, length: 32, metric };
  const mask = u32(raw, HeaderLength);
  const prefixLength = lengthFromMask(mask);
  if (prefixLength < 0) return drop('bad-mask', key, `mask ${mask}`);
  // RFC 2328 16.2 (3) and appendix E: the destination is the Link State ID under the mask.
  return { lsId, advRouter, address: (lsId & mask) >>> 0, length: prefixLength, metric };
}

/** RFC 2328 A.4.5, the TOS 0 route (the first one). */
export function readExternalLsa(key: LsaKey, raw: Uint8Array, length: number): ExternalRecord | SpfDrop {
  if (length < HeaderLength + 16 || (length - HeaderLength - 4) % 12 !== 0) return drop('bad-length', key, `AS-external-LSA of ${length} bytes`);
  const mask = u32(raw, HeaderLength);
  const prefixLength = lengthFromMask(mask);
  if (prefixLength < 0) return drop('bad-mask', key, `mask ${mask}`);
  const lsId = key.lsId >>> 0;
  return {
    lsId,
    advRouter: key.advRouter >>> 0,
    address: (lsId & mask) >>> 0,
    length: prefixLength,
    e2: (raw[HeaderLength + 4] & 0x80) !== 0,
    metric: u32(raw, HeaderLength + 4) & 0xffffff,
    forwardingAddress: u32(raw, HeaderLength + 8),
  };
}

export function sameRouterTopology(a: RouterRecord, b: RouterRecord): boolean {
  if (a.flags !== b.flags || a.topo.length !== b.topo.length) return false;
  for (let i = 0; i < a.topo.length; i++) if (a.topo[i] !== b.topo[i]) return false;
  return true;
}
