// The SPF module: the routing table calculation of RFC 2328 16 for a router
// inside one area, and the throttle that decides when to run it.
//
// How the engine drives it:
//
//   const spf = new Spf({ routerId, areaId, maximumPaths });
//   spf.setInterfaces(ownOspfInterfaces);          // on any interface change
//   spf.lsaChanged(key, lsa.raw);                   // on every LSDB install
//   spf.lsaChanged(key, undefined);                 // on removal or MaxAge
//   const due = scheduler.request(now);             // SpfScheduler: when to run
//   ... at `due`:
//   const { changes, kind } = spf.calculate();      // apply changes to the FIB
//   scheduler.ran(now);
//
// calculate() runs Dijkstra only after topology changes (router-LSA links
// other than stubs, router flags, network-LSAs, interfaces). Changes to stub
// links, summary-LSAs and AS-external-LSAs alone recompute just the prefixes
// they touch (RFC 2328 16.5, 16.6): kind 'partial'.

export { Spf, type SpfOptions, type SpfResult, type SpfRunKind } from './spf.js';
export type { SpfInterface } from './interfaces.js';
export { SpfScheduler, defaultSpfThrottle } from './throttle.js';
export { SpfConfigError } from './errors.js';
export type { SpfDrop, SpfDropReason } from './lsa-reader.js';
export {
  compareNextHops,
  comparePrefixes,
  diffTables,
  sameRoute,
  sameNextHops,
  type NextHop,
  type PathType,
  type Route,
  type RouteChange,
  type RouterRoute,
  type RouteTableView,
} from './table.js';
