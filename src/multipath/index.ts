// The router role's multipath support: nexthop-group routes, the hash
// policy and per-packet spreading.
export { MultipathFib, type MultipathFibOptions, type MultipathSettings, type MultipathView } from './fib.js';
export { HashPolicy, HashPolicyError, HASH_POLICY_PATH, type HashLayer } from './hash-policy.js';
export { NexthopInstaller, NexthopInstallError, nexthopSupport, type FibInstaller, type GroupKind, type GroupView, type NexthopInstallerOptions } from './nexthops.js';
export { PerPacketError, PerPacketSpreader, NFT_TABLE, type PerPacketOptions } from './per-packet.js';
