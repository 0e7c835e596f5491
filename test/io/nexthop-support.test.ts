// How NexthopInstaller tells a kernel without nexthop objects from one with
// them: the first reply to its RTM_GETNEXTHOP dump, as bytes. Linux before
// 5.3 answers the unknown message type with an NLMSG_ERROR carrying
// -EOPNOTSUPP (rtnetlink_rcv_msg); a newer kernel with nexthop messages or
// NLMSG_DONE.
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NexthopInstallError, nexthopSupport } from '../../src/io/nexthops.js';

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWNEXTHOP = 104;

/** struct nlmsgerr: s32 error, then the request's 16-byte nlmsghdr (RTM_GETNEXTHOP, length 24). */
function errorReply(errno: number): { type: number; flags: number; data: Buffer } {
  const data = Buffer.alloc(20);
  const le = endianness() === 'LE';
  if (le) data.writeInt32LE(-errno, 0);
  else data.writeInt32BE(-errno, 0);
  if (le) {
    data.writeUInt32LE(24, 4);
    data.writeUInt16LE(106, 8);
  } else {
    data.writeUInt32BE(24, 4);
    data.writeUInt16BE(106, 8);
  }
  return { type: NLMSG_ERROR, flags: 0, data };
}

describe('nexthopSupport', () => {
  it('EOPNOTSUPP (Linux before 5.3) and EINVAL mean no nexthop objects', () => {
    expect(nexthopSupport(errorReply(95))).toEqual({ supported: false, code: 'EOPNOTSUPP' });
    expect(nexthopSupport(errorReply(22))).toEqual({ supported: false, code: 'EINVAL' });
  });

  it('a nexthop message, NLMSG_DONE, an empty answer or an acknowledgement mean nexthop objects', () => {
    expect(nexthopSupport({ type: RTM_NEWNEXTHOP, flags: 2, data: Buffer.alloc(8) })).toEqual({ supported: true });
    expect(nexthopSupport({ type: NLMSG_DONE, flags: 2, data: Buffer.alloc(4) })).toEqual({ supported: true });
    expect(nexthopSupport(undefined)).toEqual({ supported: true });
    expect(nexthopSupport(errorReply(0))).toEqual({ supported: true });
  });

  it('any other refusal is a NexthopInstallError naming the errno', () => {
    expect(() => nexthopSupport(errorReply(1))).toThrow(NexthopInstallError);
    expect(() => nexthopSupport(errorReply(1))).toThrow(/dump nexthops: EPERM/);
  });

  it('a truncated error message is a named error, not a crash', () => {
    expect(() => nexthopSupport({ type: NLMSG_ERROR, flags: 0, data: Buffer.alloc(2) })).toThrow(/dump nexthops/);
  });
});
