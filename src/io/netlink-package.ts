// The parts of the `netlink` package the daemon uses, taken from the
// package's own modules: its index also loads the nl80211, WireGuard and
// generic-netlink structures, about 5 MB of resident memory that no part of
// this project uses. Every import of the package in src/ goes through this file.
//
// The package is CommonJS and is loaded with require(): an `import` would
// have Node's ESM loader scan each file's source for its export names
// (cjs-module-lexer), a loop hot enough that V8's optimizing compiler runs
// on it at every start, about 1.3 MB of resident memory at idle.

import { createRequire } from 'node:module';
import type * as NetlinkModule from 'netlink/dist/netlink.js';
import type * as RtModule from 'netlink/dist/rt/rt.js';
import type * as RtStructs from 'netlink/dist/rt/structs.js';
import type * as Structs from 'netlink/dist/structs.js';
import type * as Constants from 'netlink/dist/constants.js';

const load = createRequire(import.meta.url);

export const { createNetlink } = load('netlink/dist/netlink.js') as typeof NetlinkModule;
export type { NetlinkSocket } from 'netlink/dist/netlink.js';
export const { createRtNetlink } = load('netlink/dist/rt/rt.js') as typeof RtModule;
export type { RtNetlinkSocket } from 'netlink/dist/rt/rt.js';
export const rt = load('netlink/dist/rt/structs.js') as typeof RtStructs;
/** The message types of the rtnetlink structures, named as `rt.X` beside the values. */
// A type-only namespace: the only way to give the types the name of the value.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace rt {
  type AddressMessage = RtStructs.AddressMessage;
  type LinkMessage = RtStructs.LinkMessage;
  type NextHopAttrs = RtStructs.NextHopAttrs;
  type NextHopMessage = RtStructs.NextHopMessage;
}
export const { AttrStream, formatAttribute, formatMessage, pad, parseError, parseMessages } = load('netlink/dist/structs.js') as typeof Structs;
export type { NetlinkMessage } from 'netlink/dist/structs.js';
export const { Protocol } = load('netlink/dist/constants.js') as typeof Constants;
