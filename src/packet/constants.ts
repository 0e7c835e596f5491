// Architectural constants of RFC 2328 appendix B and the fixed sizes of
// appendix A.

/** Seconds: an LSA of this age is being flushed (RFC 2328 B). */
export const MaxAge = 3600;
/** Seconds: ages differing by more than this tell instances apart (RFC 2328 B, 13.1). */
export const MaxAgeDiff = 900;
/** Seconds: how often an LSA's checksum is re-verified in the database (RFC 2328 B). */
export const CheckAge = 300;
/** Seconds: a self-originated LSA is refreshed at this age (RFC 2328 B). */
export const LSRefreshTime = 1800;
/** Seconds: minimum time between two originations of one LSA (RFC 2328 B). */
export const MinLSInterval = 5;
/** Seconds: minimum time between accepting two instances of one LSA by flooding (RFC 2328 B). */
export const MinLSArrival = 1;
/** First sequence number of an LSA, 0x80000001 as a signed 32-bit integer (RFC 2328 12.1.6). */
export const InitialSequenceNumber = -0x7fffffff;
/** Highest sequence number (RFC 2328 12.1.6). */
export const MaxSequenceNumber = 0x7fffffff;
/** Bytes in an LSA header (RFC 2328 A.4.1). */
export const LsaHeaderLength = 20;
/** Bytes in the OSPF packet header (RFC 2328 A.3.1). */
export const OspfHeaderLength = 24;
