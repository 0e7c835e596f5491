// Socket option numbers and option structs for OSPF raw sockets on Linux,
// built as bytes for raw-socket's setOption(level, option, buffer, length).
// Numbers are from <linux/in.h> and <asm-generic/socket.h>.

import { endianness } from 'node:os';

export const SOL_SOCKET = 1;
export const IPPROTO_IP = 0;

export const SO_PRIORITY = 12;
export const SO_RCVBUF = 8;
export const SO_BINDTODEVICE = 25;

export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_DROP_MEMBERSHIP = 36;
export const IP_MULTICAST_ALL = 49;

const littleEndian = endianness() === 'LE';

/** A C `int` in host byte order. */
export function intOption(value: number): Buffer {
  const buf = Buffer.alloc(4);
  if (littleEndian) buf.writeInt32LE(value);
  else buf.writeInt32BE(value);
  return buf;
}

/** The NUL-terminated interface name SO_BINDTODEVICE takes. */
export function ifNameOption(ifName: string): Buffer {
  return Buffer.concat([Buffer.from(ifName, 'utf8'), Buffer.alloc(1)]);
}

/**
 * struct ip_mreqn { struct in_addr imr_multiaddr, imr_address; int imr_ifindex; }
 * Addresses in network order, the index in host order. Used by
 * IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP and IP_MULTICAST_IF.
 */
export function ipMreqn(group: number, address: number, ifIndex: number): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt32BE(group >>> 0, 0);
  buf.writeUInt32BE(address >>> 0, 4);
  if (littleEndian) buf.writeInt32LE(ifIndex, 8);
  else buf.writeInt32BE(ifIndex, 8);
  return buf;
}
