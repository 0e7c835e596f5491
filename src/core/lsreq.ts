// Link State Request packets (RFC 2328 10.7 receiving, 10.9 sending) and the
// requests each input's end sends or finishes (LoadingDone).

import { PacketType, encodePacket, type LsaKey, type LsRequestPacket } from '../packet/index.js';
import type { Ctx } from './context.js';
import type { LsaEntry } from './lsdb.js';
import { NeighborRank, type Iface, type Neighbor } from './model.js';
import { nsm } from './neighbor.js';

export function onLsRequest(ctx: Ctx, iface: Iface, n: Neighbor, p: LsRequestPacket): void {
  if (NeighborRank[n.state] < NeighborRank.Exchange) return ctx.drop('neighbor-state', iface.name, n.address);
  const entries: LsaEntry[] = [];
  const requests = p.requests;
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i] as LsaKey;
    const entry = ctx.db.get(r.type, r.lsId, r.advRouter);
    if (entry === undefined) {
      ctx.drop('bad-ls-request', iface.name, n.address);
      nsm(ctx, iface, n, 'BadLSReq');
      return;
    }
    entries.push(entry);
  }
  // Answered directly; the requester retransmits its request if this is lost.
  ctx.sendLsas(iface, ctx.neighborDst(iface, n), entries);
}

/** RFC 2328 10.9: ask for the head of the request list, as much as one packet holds. */
export function sendLsRequest(ctx: Ctx, iface: Iface, n: Neighbor): void {
  const room = Math.floor(ctx.packetRoom(iface) / 12);
  const requests: LsaKey[] = [];
  n.requestsInFlight.clear();
  // Keys answered since are skipped once and for all; a key listed twice is asked for once.
  const order = n.requestOrder;
  for (; n.requestHead < order.length; n.requestHead++) {
    const { type, lsId, advRouter } = order[n.requestHead] as LsaKey;
    if (n.requests.has(type, lsId, advRouter)) break;
  }
  for (let i = n.requestHead; i < order.length && requests.length < room; i++) {
    const { type, lsId, advRouter } = order[i] as LsaKey;
    if (!n.requests.has(type, lsId, advRouter) || n.requestsInFlight.has(type, lsId, advRouter)) continue;
    const spare = ctx.requestKeys[requests.length];
    if (spare === undefined) requests.push((ctx.requestKeys[requests.length] = { type, lsId, advRouter }));
    else {
      spare.type = type;
      spare.lsId = lsId;
      spare.advRouter = advRouter;
      requests.push(spare);
    }
    n.requestsInFlight.add(type, lsId, advRouter);
  }
  if (requests.length === 0) return;
  const packet: LsRequestPacket = { ...ctx.common(), type: PacketType.LsRequest, requests };
  ctx.sendRaw(iface, ctx.neighborDst(iface, n), encodePacket(packet));
  ctx.timers.set(ctx.timer('lsr-retransmit', iface.name, n.key), ctx.now + iface.settings.retransmitIntervalMs);
}

/**
 * After an input: neighbors in Exchange or Loading whose last request has
 * been answered ask for more at once; an empty list in Loading is LoadingDone.
 */
export function pumpRequests(ctx: Ctx): void {
  for (const iface of ctx.ifaceOrder) {
    // LoadingDone only changes states; no neighbor leaves the map here.
    for (const n of iface.neighbors.values()) {
      if (n.state !== 'Exchange' && n.state !== 'Loading') continue;
      if (n.requests.size === 0) {
        n.requestsInFlight.clear();
        n.requestOrder = [];
        n.requestHead = 0;
        ctx.timers.cancel(ctx.timer('lsr-retransmit', iface.name, n.key));
        if (n.state === 'Loading') nsm(ctx, iface, n, 'LoadingDone');
      } else if (n.requestsInFlight.size === 0) {
        sendLsRequest(ctx, iface, n);
      }
    }
  }
}
