// The OSPFv2 engine: a sans-IO, deterministic RFC 2328 speaker for one area.
//
// In scope: broadcast and point-to-point interfaces, loopbacks (host stub
// routes) and passive interfaces; Hello, DR/BDR election, the full neighbor
// state machine and database exchange; flooding, acknowledgments,
// retransmission, aging and premature aging; origination of router-,
// network- and AS-external-LSAs; anycast prefixes, on any interface, announced
// as host routes, withdrawn or pushed to maximum cost at run time (the
// anycast announcer); Null, simple password, keyed MD5 and HMAC-SHA
// authentication (RFC 2328 D, RFC 5709).
//
// Out of scope: more than one area (no ABR function, no summary-LSA
// origination), virtual links, NBMA and point-to-multipoint networks, NSSA
// (type-7) origination, demand circuits.
// Summary-LSAs and AS-external-LSAs from other routers are stored and flooded.

import type { CoreOptions } from './api.js';
import { OspfRouter } from './router.js';

export * from './api.js';
export { OspfRouter, type CoreStats } from './router.js';
export { defaultInterfaceSettings, defaultRouterConfig, CoreConfigError } from './defaults.js';
export { AuthAlgorithms, maxKeyLength, SimplePasswordMax } from './auth.js';
export { DropReasons, type DropReason, type DropCounters } from './drops.js';
export { electDesignatedRouter, type Candidate, type ElectionResult } from './election.js';

/** A new router; feed it inputs with handle(), which returns its outputs, events among them. */
export function createRouter(options: CoreOptions): OspfRouter {
  return new OspfRouter(options);
}
