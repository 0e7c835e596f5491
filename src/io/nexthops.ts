// Kernel nexthop objects (Linux 5.3+) and nexthop groups, hash-threshold or
// resilient (Linux 5.13+), of protocol 188, and the routes that name a
// group by RTA_NH_ID: their messages (include/uapi/linux/nexthop.h) and the
// requests that create, replace and delete them, many to a sendmsg.
//
// The messages are formatted by the `netlink` package (rt.formatNextHopMessage,
// rt.formatNextHopGroup, rt.formatNextHopResGroup). What it lacks: its
// attribute writer keeps 14 bits of the type, so NHA_RES_GROUP goes out
// without NLA_F_NESTED, which the kernel's strict parsing of RTM_NEWNEXTHOP
// requires (nlmsg_parse, NL_VALIDATE_NESTED: "NLA_F_NESTED is missing",
// EINVAL). The group message is therefore formatted without it and the
// nested attribute appended with the package's formatAttribute, which sets
// the flag.
//
// Kernels without nexthop objects (before Linux 5.3) answer an
// RTM_GETNEXTHOP dump with EOPNOTSUPP (or EINVAL): nexthopSupport() reads
// the first answer.

import { AttrStream, formatAttribute, pad, parseError, rt } from './netlink-package.js';
import type { NetlinkMessage } from './netlink-package.js';
import type { Prefix } from '../lib/ipv4.js';
import { NetlinkRequestError, wrapNetlinkError } from './errors.js';
import { ROUTE_PROTOCOL_OSPF, type KernelNextHop, type KernelRoute } from './kernel-route.js';
import {
  AF_INET,
  AF_UNSPEC,
  EEXIST,
  EINVAL,
  ENOENT,
  EOPNOTSUPP,
  errnoName,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLMSG_ERROR,
  builtRequests,
  RTM_DELNEXTHOP,
  RTM_GETNEXTHOP,
  RTM_NEWNEXTHOP,
  type Rtnetlink,
} from './netlink.js';
import { routeDeletes, routePuts } from './route-message.js';

/** NHA_RES_GROUP. */
const NHA_RES_GROUP = 12;
/** The resilient group timers are clock_t: USER_HZ (100) ticks a second. */
const USER_HZ = 100;
/** Ids tried for one object before giving up, when others' objects hold them. */
const IdAttempts = 1024;

/** A nexthop group's kind and, for resilient groups, its buckets and timers (seconds); the shape of `multipath group`. */
export type GroupSpec = { kind: 'hash-threshold' } | { kind: 'resilient'; buckets: number; idleTimer: number; unbalancedTimer: number };

/** The kernel refused to create, change or delete a nexthop object or group. */
export class NexthopInstallError extends NetlinkRequestError {
  override name = 'NexthopInstallError';
}

/**
 * What the first reply to an RTM_GETNEXTHOP dump says about the kernel: an
 * NLMSG_ERROR with EOPNOTSUPP (rtnetlink before Linux 5.3 refuses message
 * types it does not know) or EINVAL means no nexthop objects; nexthop
 * messages or NLMSG_DONE mean they exist. Any other error is a failure.
 */
export function nexthopSupport(first: Pick<NetlinkMessage, 'type' | 'flags' | 'data'> | undefined): { supported: true } | { supported: false; code: string } {
  if (first === undefined || first.type !== NLMSG_ERROR) return { supported: true };
  let errno: number;
  try {
    errno = -parseError(first.data, first.flags).errno;
  } catch (error) {
    throw wrapNetlinkError('dump nexthops', error);
  }
  if (errno === 0) return { supported: true };
  // Node names 95 ENOTSUP (the same number on Linux); the kernel's source says EOPNOTSUPP.
  if (errno === EOPNOTSUPP) return { supported: false, code: 'EOPNOTSUPP' };
  if (errno === EINVAL) return { supported: false, code: 'EINVAL' };
  throw new NexthopInstallError('dump', errno, errnoName(errno), `dump nexthops: ${errnoName(errno)}`);
}

/** The group setting, checked against what the kernel's attributes can carry; RangeError otherwise. */
export function checkGroup(group: GroupSpec): GroupSpec {
  if (group.kind === 'resilient') {
    const { buckets, idleTimer, unbalancedTimer } = group;
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 0xffff) throw new RangeError(`bad resilient bucket count ${buckets}`);
    for (const [what, value] of [['idle', idleTimer], ['unbalanced', unbalancedTimer]] as const) {
      if (!Number.isFinite(value) || value < 0 || value * USER_HZ > 0xffffffff) throw new RangeError(`bad resilient ${what} timer ${value}`);
    }
  }
  return { ...group };
}

/**
 * struct nhmsg and attributes in one buffer. Protocol 188 on what we
 * create; a delete or dump must say 0 (nh_valid_get_del_req refuses any
 * other header value).
 */
function nexthopBody(family: number, attrs: rt.NextHopAttrs, protocol = ROUTE_PROTOCOL_OSPF, nested: Uint8Array[] = []): Buffer {
  const stream = new AttrStream();
  rt.formatNextHopMessage({ kind: 'nexthop', data: { family, protocol }, attrs }, stream);
  // The last attribute may end short of 4 bytes (NHA_GROUP_TYPE is a u16): padded before anything follows.
  return Buffer.concat([...(nested.length > 0 ? pad(stream.bufs) : stream.bufs), ...nested]);
}

/** RTM_NEWNEXTHOP for one nexthop object: NHA_ID, NHA_OIF and, with a gateway, NHA_GATEWAY. */
export function hopBody(id: number, hop: KernelNextHop): Buffer {
  const attrs: rt.NextHopAttrs = { id, oif: hop.ifIndex };
  if (hop.gateway !== 0) {
    attrs.gateway = Buffer.alloc(4);
    attrs.gateway.writeUInt32BE(hop.gateway >>> 0, 0);
  }
  return nexthopBody(AF_INET, attrs);
}

/** RTM_NEWNEXTHOP for a group: NHA_ID, NHA_GROUP (struct nexthop_grp per member, weight 1), NHA_GROUP_TYPE and, for resilient, NHA_RES_GROUP. */
export function groupBody(id: number, members: readonly number[], spec: GroupSpec): Buffer {
  const group = Buffer.concat(members.map((member) => rt.formatNextHopGroup({ id: member })));
  if (spec.kind !== 'resilient') return nexthopBody(AF_UNSPEC, { id, group, groupType: 'multipath' });
  const res = new AttrStream();
  res.emit(
    rt.formatNextHopResGroup({
      buckets: spec.buckets,
      idleTimer: Math.round(spec.idleTimer * USER_HZ),
      unbalancedTimer: Math.round(spec.unbalancedTimer * USER_HZ),
    }),
  );
  return nexthopBody(AF_UNSPEC, { id, group, groupType: 'resilient' }, ROUTE_PROTOCOL_OSPF, formatAttribute({ type: NHA_RES_GROUP, nested: true, data: res.bufs }));
}

/** The member ids of a dumped group's NHA_GROUP. */
export function groupMemberIds(group: Buffer): number[] {
  const ids: number[] = [];
  for (let offset = 0; offset + 8 <= group.length; offset += 8) ids.push(rt.parseNextHopGroup(group.subarray(offset, offset + 8)).id ?? 0);
  return ids;
}

/** One object to create: its message for a given id, and what it is, for errors. */
export interface NewObject {
  body: (id: number) => Buffer;
  what: string;
}

/** Requests on nexthop objects, groups and RTA_NH_ID routes of one table and metric. */
export class NexthopTable {
  constructor(
    private readonly netlink: Rtnetlink,
    readonly table: number,
    readonly metric: number,
  ) {}

  /** Does the kernel have nexthop objects? The first answer to an RTM_GETNEXTHOP dump (see nexthopSupport). */
  async support(): Promise<ReturnType<typeof nexthopSupport>> {
    return nexthopSupport(await this.netlink.firstDumpReply(RTM_GETNEXTHOP, nexthopBody(AF_UNSPEC, {}, 0), 'dump nexthops'));
  }

  /** The protocol-188 nexthop objects and groups the kernel holds. */
  async dumpOurs(): Promise<rt.NextHopMessage[]> {
    return (await this.netlink.dumpNexthops()).filter((m) => m.data.protocol === ROUTE_PROTOCOL_OSPF);
  }

  /**
   * Create objects with NLM_F_CREATE|NLM_F_EXCL at ids from `nextId`, many
   * to a datagram; an id that is someone else's (EEXIST) is replaced by the
   * next and the object sent again. Each object's id, or its refusal.
   */
  async create(objects: readonly NewObject[], nextId: () => number): Promise<(number | NexthopInstallError)[]> {
    const results = new Array<number | NexthopInstallError>(objects.length);
    let waiting = objects.map((_, i) => i);
    for (let attempt = 0; attempt < IdAttempts && waiting.length > 0; attempt++) {
      const ids = waiting.map(() => nextId());
      const errnos = await this.netlink.batch(
        waiting.length,
        builtRequests((i) => ({ type: RTM_NEWNEXTHOP, flags: NLM_F_CREATE | NLM_F_EXCL, body: (objects[waiting[i] as number] as NewObject).body(ids[i] as number) })),
        'nexthop add',
      );
      const again: number[] = [];
      waiting.forEach((index, i) => {
        const errno = errnos[i] as number;
        const id = ids[i] as number;
        if (errno === 0) results[index] = id;
        else if (errno === EEXIST) again.push(index);
        else results[index] = new NexthopInstallError('add', errno, errnoName(errno), `add ${(objects[index] as NewObject).what} id ${id}: ${errnoName(errno)}`);
      });
      waiting = again;
    }
    for (const index of waiting) results[index] = new NexthopInstallError('add', EEXIST, 'EEXIST', `add ${(objects[index] as NewObject).what}: ${IdAttempts} ids in a row are taken`);
    return results;
  }

  /** Replace groups in place (NLM_F_REPLACE on their ids): undefined for each done, its refusal otherwise. */
  async replace(groups: readonly { id: number; body: Buffer; what: string }[]): Promise<(NexthopInstallError | undefined)[]> {
    const errnos = await this.netlink.batch(
      groups.length,
      builtRequests((i) => ({ type: RTM_NEWNEXTHOP, flags: NLM_F_CREATE | NLM_F_REPLACE, body: (groups[i] as (typeof groups)[number]).body })),
      'nexthop replace',
    );
    return groups.map(({ id, what }, i) => {
      const errno = errnos[i] as number;
      return errno === 0 ? undefined : new NexthopInstallError('replace', errno, errnoName(errno), `replace group ${id} with ${what}: ${errnoName(errno)}`);
    });
  }

  /** Delete objects or groups; true for each gone (ENOENT counts: it went with its last group or interface). */
  async delete(ids: readonly number[]): Promise<boolean[]> {
    return Array.from(await this.deleteErrnos(ids), (errno) => errno === 0 || errno === ENOENT);
  }

  /** Delete stale objects in order; throws NexthopInstallError on the first refusal other than ENOENT. */
  async sweep(ids: readonly number[]): Promise<void> {
    (await this.deleteErrnos(ids)).forEach((errno, i) => {
      if (errno !== 0 && errno !== ENOENT) throw new NexthopInstallError('delete', errno, errnoName(errno), `delete stale nexthop ${ids[i]}: ${errnoName(errno)}`);
    });
  }

  private deleteErrnos(ids: readonly number[]): Promise<Int32Array> {
    return this.netlink.batch(ids.length, builtRequests((i) => ({ type: RTM_DELNEXTHOP, flags: 0, body: nexthopBody(AF_UNSPEC, { id: ids[i] as number }, 0) })), 'nexthop delete');
  }

  /** Add (NLM_F_EXCL) or re-point (`replace[i]`, NLM_F_REPLACE) routes to name group `nexthopIds[i]` by RTA_NH_ID; each one's errno. */
  putRoutes(routes: readonly KernelRoute[], nexthopIds: readonly number[], replace: readonly boolean[]): Promise<Int32Array> {
    return this.netlink.batch(routes.length, routePuts(routes, replace, this.table, this.metric, nexthopIds), 'route add/replace');
  }

  /** Delete routes of our protocol, table and metric; each one's errno. */
  deleteRoutes(prefixes: readonly Prefix[]): Promise<Int32Array> {
    return this.netlink.batch(prefixes.length, routeDeletes(prefixes, this.table, this.metric), 'route delete');
  }
}
