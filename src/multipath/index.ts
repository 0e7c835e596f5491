// The router role's multipath support: nexthop-group routes, the hash
// policy and per-packet spreading.
export { MultipathFib, type MultipathFibOptions, type MultipathSettings, type MultipathView } from './multipath-fib.js';
export { HashPolicy, HashPolicyError, HASH_POLICY_PATH, type HashLayer } from './hash-policy.js';
export { NexthopInstaller, type FibInstaller, type GroupKind, type GroupView, type NexthopInstallerOptions } from './nexthop-installer.js';
export { PerPacketError, PerPacketSpreader, NFT_TABLE, type PerPacketOptions } from './per-packet.js';
