// The parts of the `netlink` package the daemon uses, taken from the
// package's own modules: its index also loads the nl80211, WireGuard and
// generic-netlink structures, about 5 MB of resident memory that no part of
// this project uses. Every import of the package in src/ goes through this file.

export { createNetlink, type NetlinkSocket } from 'netlink/dist/netlink.js';
export { createRtNetlink, type RtNetlinkSocket } from 'netlink/dist/rt/rt.js';
export * as rt from 'netlink/dist/rt/structs.js';
export { AttrStream, formatAttribute, formatMessage, pad, parseError, parseMessages, type NetlinkMessage } from 'netlink/dist/structs.js';
export { Protocol } from 'netlink/dist/constants.js';
