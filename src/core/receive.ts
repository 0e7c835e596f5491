// Receiving a packet (RFC 2328 8.2): the checks every packet passes, then
// its handler by packet type.

import { DecodeError, PacketType, decodePacket, type OspfPacket } from '../packet/index.js';
import { AllDRouters, AllSPFRouters } from './api.js';
import { checkAuth } from './auth.js';
import type { Ctx } from './context.js';
import { onDbDescription } from './dbdes.js';
import { decodeDropReason } from './drops.js';
import { onHello } from './hello.js';
import { onLsAck } from './lsack.js';
import { onLsRequest } from './lsreq.js';
import { onLsUpdate } from './lsupd.js';
import type { Iface } from './model.js';

export function onPacket(ctx: Ctx, ifName: string, src: number, dst: number, data: Uint8Array): void {
  src >>>= 0;
  ctx.packetsReceived++;
  const iface = ctx.ifaces.get(ifName);
  if (iface === undefined || iface.state === 'Down' || iface.state === 'Loopback' || iface.settings.passive) {
    ctx.drop('interface-disabled', ifName, src);
    return;
  }
  // RFC 2328 8.2: the destination is our interface address, AllSPFRouters or AllDRouters.
  dst >>>= 0;
  if (dst !== AllSPFRouters && dst !== AllDRouters && !iface.info.addresses.some((a) => a.address >>> 0 === dst)) {
    return ctx.drop('wrong-destination', ifName, src);
  }
  let packet: OspfPacket;
  try {
    packet = decodePacket(data);
  } catch (error) {
    if (error instanceof DecodeError) {
      ctx.drop(decodeDropReason(error.reason), ifName, src);
      return;
    }
    throw error;
  }
  // Our Router ID from an address that is not ours is another router configured with it: never a neighbour.
  if (packet.routerId === ctx.config.routerId && ![...ctx.ifaces.values()].some((i) => i.address === src)) return ctx.drop('duplicate-router-id', ifName, src);
  if (packet.areaId !== ctx.config.areaId) return ctx.drop('area-mismatch', ifName, src);
  // RFC 2328 8.2, D.5: authenticated by the interface's AuType and key.
  const auth = checkAuth(iface.settings.auth, data, packet);
  if (!auth.ok) return ctx.drop(auth.reason, ifName, src);
  // Our Router ID, or our own address as the source: a packet of ours looped back.
  if (packet.routerId === ctx.config.routerId || iface.info.addresses.some((a) => a.address >>> 0 === src)) return ctx.drop('own-packet', ifName, src);
  if (dst >>> 0 === AllDRouters && iface.state !== 'DR' && iface.state !== 'Backup') {
    return ctx.drop('not-dr-or-backup', ifName, src);
  }
  if (iface.kind === 'broadcast' && ((src & iface.mask) >>> 0) !== ((iface.address & iface.mask) >>> 0)) {
    return ctx.drop('wrong-subnet', ifName, src);
  }
  const key = iface.kind === 'broadcast' ? src : packet.routerId;
  if (auth.seq !== undefined) {
    // RFC 2328 D.5.2: a sequence number below the last one the neighbor sent is a replay.
    const known = iface.neighbors.get(key);
    if (known !== undefined && auth.seq < known.authSeq) return ctx.drop('auth-replay', ifName, src);
  }
  dispatch(ctx, iface, packet, src, key);
  if (auth.seq !== undefined) {
    // Recorded after the Hello that creates the neighbor, too; gone with the neighbor (RFC 2328 D.5.2).
    const n = iface.neighbors.get(key);
    if (n !== undefined) n.authSeq = auth.seq;
  }
}

/** An authenticated packet to its handler (RFC 2328 8.2: non-Hello packets need a known neighbor). */
export function dispatch(ctx: Ctx, iface: Iface, packet: OspfPacket, src: number, key: number): void {
  if (packet.type === PacketType.Hello) {
    onHello(ctx, iface, packet, src);
    return;
  }
  const n = iface.neighbors.get(key);
  if (n === undefined) return ctx.drop('unknown-neighbor', iface.name, src);
  switch (packet.type) {
    case PacketType.DbDescription:
      return onDbDescription(ctx, iface, n, packet);
    case PacketType.LsRequest:
      return onLsRequest(ctx, iface, n, packet);
    case PacketType.LsUpdate:
      return onLsUpdate(ctx, iface, n, packet);
    case PacketType.LsAck:
      return onLsAck(ctx, iface, n, packet);
  }
}
