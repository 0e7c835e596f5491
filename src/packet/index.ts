// The OSPFv2 wire codecs (RFC 2328 appendix A): packets, LSAs and their
// checksums, as pure functions over Uint8Array.

export * from './types.js';
export * from './constants.js';
export { DecodeError, EncodeError } from './errors.js';
export { decodePacket, encodePacket } from './packet.js';
export { sealHeader } from './header.js';
export { decodeLsa, decodeLsaHeader, lsaKeyString, compareLsaKeys, lsaByteLength, PacketLsa, verifyLsa } from './lsa-header.js';
export { decodeLsaBody, buildLsa, bodyKindOf, type LsaHeaderFields } from './lsa/index.js';
export { lsaChecksum, verifyLsaChecksum, verifyLsaChecksumAt } from './checksum.js';
export { compareLsaInstances } from './lsa-compare.js';
