// Why the core discarded a packet or an LSA. Drops are values: each one is
// counted per reason (OspfRouter.stats()) and reported as an 'event' output.

export const DropReasons = [
  'wrong-destination', // RFC 2328 8.2: IP destination neither our interface address nor AllSPFRouters/AllDRouters
  'malformed', // DecodeError from the codec: a length or count that does not fit the packet
  'bad-version', // RFC 2328 8.2: OSPF version is not 2
  'bad-checksum', // RFC 2328 8.2: the OSPF packet checksum is wrong
  'bad-packet-type', // RFC 2328 A.3.1: packet type not 1..5
  'area-mismatch', // RFC 2328 8.2: Area ID is not the interface's area
  'auth-mismatch', // RFC 2328 8.2 / D.5: AuType is not the interface's
  'auth-password', // RFC 2328 D.5.1: simple password differs
  'auth-key-id', // RFC 2328 D.5.2: no key with the packet's Key ID
  'auth-digest', // RFC 2328 D.5.2, RFC 5709 3.4: Auth Data Len or digest wrong
  'auth-replay', // RFC 2328 D.5.2: cryptographic sequence number below the neighbor's last
  'own-packet', // RFC 2328 8.2: Router ID is our own
  'duplicate-router-id', // RFC 2328 8.2 / 10.5: our Router ID from an address not ours: another router uses it (FRR's "Duplicate Router ID")
  'interface-disabled', // received on an interface OSPF does not run on (or passive, or down)
  'not-dr-or-backup', // RFC 2328 8.2: sent to AllDRouters while we are neither DR nor Backup
  'wrong-subnet', // RFC 2328 8.2: source not on the interface's network
  'hello-mask-mismatch', // RFC 2328 10.5
  'hello-interval-mismatch', // RFC 2328 10.5
  'dead-interval-mismatch', // RFC 2328 10.5
  'options-mismatch', // RFC 2328 10.5: E-bit differs from the area's
  'unknown-neighbor', // RFC 2328 8.2: no neighbor for a non-Hello packet
  'neighbor-state', // packet not accepted in the neighbor's state (10.6, 10.7, 13, 13.7)
  'mtu-mismatch', // RFC 2328 10.6: neighbor's MTU larger than ours
  'dd-duplicate', // RFC 2328 10.6: duplicate DD discarded by the master
  'dd-rejected', // RFC 2328 10.6: ExStart packet that starts no negotiation
  'dd-sequence-mismatch', // RFC 2328 10.6: SeqNumberMismatch
  'bad-ls-request', // RFC 2328 10.7 / 13 (6): BadLSReq
  'lsa-checksum', // RFC 2328 13 (1)
  'lsa-unknown-type', // RFC 2328 13 (2)
  'lsa-too-large', // longer than MaxLsaBytes: refused, so no peer can make us hold huge LSAs
  'lsdb-full', // a new LSA while the LSDB holds maxLsa LSAs (RFC 1765's concern; our own are always kept)
  'neighbor-limit', // a Hello from a new neighbor on an interface that has MaxNeighborsPerInterface
  'lsa-min-arrival', // RFC 2328 13 (5a)
  'lsa-stale', // RFC 2328 13 (8): older than our copy, which is MaxAge with MaxSequenceNumber
] as const;

export type DropReason = (typeof DropReasons)[number];

/** The drop for a DecodeError reason (src/packet/errors.ts): the RFC 2328 8.2 checks by name, lengths as 'malformed'. */
export function decodeDropReason(reason: string): DropReason {
  switch (reason) {
    case 'bad-version':
      return 'bad-version';
    case 'bad-checksum':
      return 'bad-checksum';
    case 'bad-type':
      return 'bad-packet-type';
    default:
      return 'malformed';
  }
}

/** Counters per drop reason, every reason present (zero when never seen). */
export type DropCounters = Record<DropReason, number>;

export function emptyDropCounters(): DropCounters {
  const counters = {} as DropCounters;
  for (const reason of DropReasons) counters[reason] = 0;
  return counters;
}
