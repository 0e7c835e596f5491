// Typed shapes of OSPFv2 packets and LSAs (RFC 2328 appendix A).
// Addresses, router ids and area ids are unsigned 32-bit numbers in host
// order (10.0.0.1 = 0x0a000001); src/lib/ipv4.ts converts them to text.

/** OSPF packet types, RFC 2328 A.3.1. */
export const PacketType = {
  Hello: 1,
  DbDescription: 2,
  LsRequest: 3,
  LsUpdate: 4,
  LsAck: 5,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** Authentication types, RFC 2328 D.3 (and RFC 5709 for HMAC-SHA, still AuType 2). */
export const AuType = {
  Null: 0,
  Simple: 1,
  Cryptographic: 2,
} as const;

/** Options field bits, RFC 2328 A.2 (plus the O-bit of RFC 5250 and DN of RFC 4576). */
export const Options = {
  MT: 0x01, // the old T-bit: TOS routing; never set by us
  E: 0x02, // AS-external-LSAs are flooded (area is not a stub)
  MC: 0x04, // MOSPF
  NP: 0x08, // NSSA: type-7 LSAs handled
  L: 0x10, // LLS data block present (RFC 5613)
  DC: 0x20, // demand circuits
  O: 0x40, // opaque LSAs (RFC 5250)
  DN: 0x80, // down bit (RFC 4576)
} as const;

/** LSA types, RFC 2328 A.4.1, RFC 3101 (NSSA), RFC 5250 (opaque). */
export const LsaType = {
  Router: 1,
  Network: 2,
  SummaryNetwork: 3,
  SummaryAsbr: 4,
  AsExternal: 5,
  Nssa: 7,
  OpaqueLink: 9,
  OpaqueArea: 10,
  OpaqueAs: 11,
} as const;

/** Fields shared by every packet: the 24-byte header of RFC 2328 A.3.1. */
export interface PacketCommon {
  version: number; // 2
  routerId: number;
  areaId: number;
  /** The checksum as read from the wire (decode) — encode always recomputes it. */
  checksum: number;
  auType: number;
  /** The 8-byte authentication field, carried through as bytes. */
  auth: Uint8Array;
  /**
   * Bytes after the packet length given in the header: the cryptographic
   * authentication digest (AuType 2, RFC 2328 D.4.3) or an LLS block
   * (RFC 5613). Empty when there are none. Carried so re-encoding is exact.
   */
  trailer: Uint8Array;
}

/** LSA header, RFC 2328 A.4.1. Flat on purpose: one object per LSA. */
export interface LsaHeader {
  age: number;
  options: number;
  type: number;
  lsId: number;
  advRouter: number;
  /** LS sequence number as a signed 32-bit integer (InitialSequenceNumber = -0x7fffffff). */
  seq: number;
  checksum: number;
  length: number;
}

/** A whole LSA: its header fields plus its bytes, header included. */
export interface Lsa extends LsaHeader {
  /**
   * The LSA exactly as on the wire (length bytes, header first). May be a view
   * into a packet buffer: decodePacket returns PacketLsa objects, which make
   * that view on first access of raw.
   */
  raw: Uint8Array;
}

/** The identity of an LSA (RFC 2328 12.1: type, Link State ID, Advertising Router). */
export interface LsaKey {
  type: number;
  lsId: number;
  advRouter: number;
}

/** RFC 2328 A.3.2 */
export interface HelloPacket extends PacketCommon {
  type: typeof PacketType.Hello;
  networkMask: number;
  helloInterval: number;
  options: number;
  priority: number;
  deadInterval: number;
  dr: number;
  bdr: number;
  neighbors: number[];
}

/** Flags of the Database Description packet, RFC 2328 A.3.3. */
export const DdFlags = {
  MS: 0x01,
  M: 0x02,
  I: 0x04,
} as const;

/** RFC 2328 A.3.3 */
export interface DbDescriptionPacket extends PacketCommon {
  type: typeof PacketType.DbDescription;
  mtu: number;
  options: number;
  flags: number;
  ddSeq: number; // unsigned 32-bit
  lsaHeaders: LsaHeader[];
}

/** RFC 2328 A.3.4 */
export interface LsRequestPacket extends PacketCommon {
  type: typeof PacketType.LsRequest;
  requests: LsaKey[];
}

/** RFC 2328 A.3.5 */
export interface LsUpdatePacket extends PacketCommon {
  type: typeof PacketType.LsUpdate;
  lsas: Lsa[];
}

/** RFC 2328 A.3.6 */
export interface LsAckPacket extends PacketCommon {
  type: typeof PacketType.LsAck;
  lsaHeaders: LsaHeader[];
}

export type OspfPacket = HelloPacket | DbDescriptionPacket | LsRequestPacket | LsUpdatePacket | LsAckPacket;

// ---- LSA bodies (decoded on demand from Lsa.raw) ----

/** Router-LSA link types, RFC 2328 A.4.2. */
export const RouterLinkType = {
  PointToPoint: 1,
  Transit: 2,
  Stub: 3,
  Virtual: 4,
} as const;

/** Router-LSA flag bits, RFC 2328 A.4.2. */
export const RouterFlags = {
  B: 0x01, // area border router
  E: 0x02, // AS boundary router
  V: 0x04, // virtual link endpoint
  Nt: 0x10, // NSSA translator (RFC 3101)
} as const;

export interface TosMetric {
  tos: number;
  metric: number;
}

export interface RouterLink {
  linkId: number;
  linkData: number;
  type: number;
  metric: number;
  tos: TosMetric[];
}

/** RFC 2328 A.4.2 */
export interface RouterLsaBody {
  kind: 'router';
  flags: number;
  links: RouterLink[];
}

/** RFC 2328 A.4.3 */
export interface NetworkLsaBody {
  kind: 'network';
  networkMask: number;
  attachedRouters: number[];
}

/** RFC 2328 A.4.4 (types 3 and 4) */
export interface SummaryLsaBody {
  kind: 'summary';
  networkMask: number;
  metric: number;
  tos: TosMetric[];
}

export interface ExternalRoute {
  /** E-bit: type 2 external metric when true. */
  eBit: boolean;
  tos: number;
  metric: number;
  forwardingAddress: number;
  routeTag: number;
}

/** RFC 2328 A.4.5 (type 5) and RFC 3101 (type 7, same layout). */
export interface ExternalLsaBody {
  kind: 'external';
  networkMask: number;
  /** The TOS 0 route first, then any TOS-specific ones, as on the wire. */
  routes: ExternalRoute[];
}

/** Opaque (9, 10, 11) and unknown types: the body is kept as bytes. */
export interface OpaqueLsaBody {
  kind: 'opaque';
  data: Uint8Array;
}

export type LsaBody = RouterLsaBody | NetworkLsaBody | SummaryLsaBody | ExternalLsaBody | OpaqueLsaBody;
