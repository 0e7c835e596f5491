// Database Description packets (RFC 2328 10.6 receiving, 10.8 sending):
// master/slave negotiation and the exchange of database summaries.

import { DdFlags, type DbDescriptionPacket, type LsaHeader, type LsaKey } from '../packet/index.js';
import type { NeighborState } from './api.js';
import type { Ctx } from './context.js';
import { addRequest } from './lists.js';
import { Lsdb, compareInstance, headerOf, lsAge, rawChecksum, rawSeq, setHeader } from './lsdb.js';
import { KnownLsaTypes, type Iface, type Neighbor } from './model.js';
import { nsm, sendDd } from './neighbor.js';

export function onDbDescription(ctx: Ctx, iface: Iface, n: Neighbor, p: DbDescriptionPacket): void {
  const src = n.address;
  // RFC 2328 10.6: a DD bigger than we can receive is rejected.
  if (!iface.settings.mtuIgnore && p.mtu > iface.info.mtu) return ctx.drop('mtu-mismatch', iface.name, src);
  const flags = p.flags & (DdFlags.I | DdFlags.M | DdFlags.MS);
  const ddSeq = p.ddSeq >>> 0;
  const duplicate = (): boolean =>
    n.lastReceivedDd !== undefined &&
    n.lastReceivedDd.flags === flags &&
    n.lastReceivedDd.options === p.options &&
    n.lastReceivedDd.seq === ddSeq;
  switch (n.state) {
    case 'Down':
    case 'Attempt':
    case '2-Way':
      return ctx.drop('neighbor-state', iface.name, src);
    case 'Init':
      nsm(ctx, iface, n, '2-WayReceived');
      if ((n.state as NeighborState) !== 'ExStart') return;
      return ddInExStart(ctx, iface, n, p, flags, ddSeq);
    case 'ExStart':
      return ddInExStart(ctx, iface, n, p, flags, ddSeq);
    case 'Exchange': {
      if (duplicate()) {
        // The master discards duplicates; the slave answers them with its last DD.
        if (n.master) return ctx.drop('dd-duplicate', iface.name, src);
        if (n.lastSentDd !== undefined) ctx.sendRaw(iface, ctx.neighborDst(iface, n), n.lastSentDd);
        return;
      }
      const msExpected = n.master ? 0 : DdFlags.MS;
      const seqExpected = n.master ? n.ddSeq : (n.ddSeq + 1) >>> 0;
      if ((flags & DdFlags.MS) !== msExpected || (flags & DdFlags.I) !== 0 || p.options !== n.ddOptions || ddSeq !== seqExpected) {
        ctx.drop('dd-sequence-mismatch', iface.name, src);
        nsm(ctx, iface, n, 'SeqNumberMismatch');
        return;
      }
      return acceptDd(ctx, iface, n, p, flags, ddSeq);
    }
    case 'Loading':
    case 'Full':
      if (duplicate()) {
        if (n.master) return ctx.drop('dd-duplicate', iface.name, src);
        if (n.lastSentDd !== undefined) ctx.sendRaw(iface, ctx.neighborDst(iface, n), n.lastSentDd);
        return;
      }
      ctx.drop('dd-sequence-mismatch', iface.name, src);
      nsm(ctx, iface, n, 'SeqNumberMismatch');
      return;
  }
}

/** RFC 2328 10.6, neighbor state ExStart: master/slave negotiation. */
export function ddInExStart(ctx: Ctx, iface: Iface, n: Neighbor, p: DbDescriptionPacket, flags: number, ddSeq: number): void {
  const all = DdFlags.I | DdFlags.M | DdFlags.MS;
  if (flags === all && p.lsaHeaders.length === 0 && p.routerId > ctx.config.routerId) {
    // The neighbor is master: adopt its sequence number and answer as slave.
    n.master = false;
    n.ddSeq = ddSeq;
    n.ddOptions = p.options;
    ctx.timers.cancel(ctx.timer('dd-retransmit', iface.name, n.key));
    nsm(ctx, iface, n, 'NegotiationDone');
    acceptDd(ctx, iface, n, p, flags, ddSeq);
    return;
  }
  if ((flags & (DdFlags.I | DdFlags.MS)) === 0 && ddSeq === n.ddSeq && p.routerId < ctx.config.routerId) {
    // The neighbor acknowledges us as master.
    n.master = true;
    n.ddOptions = p.options;
    nsm(ctx, iface, n, 'NegotiationDone');
    acceptDd(ctx, iface, n, p, flags, ddSeq);
    return;
  }
  // The lower Router ID's own bid for master crosses ours on the wire: ignored, as the
  // RFC says, but no sign of trouble. Anything else is.
  if (flags === all && p.routerId < ctx.config.routerId) return;
  ctx.drop('dd-rejected', iface.name, n.address);
}

/** RFC 2328 10.6: a DD accepted as next in sequence. */
export function acceptDd(ctx: Ctx, iface: Iface, n: Neighbor, p: DbDescriptionPacket, flags: number, ddSeq: number): void {
  n.lastReceivedDd = { flags, options: p.options, seq: ddSeq };
  const headers = p.lsaHeaders;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i] as LsaHeader;
    if (!KnownLsaTypes.has(h.type)) {
      ctx.drop('dd-sequence-mismatch', iface.name, n.address);
      nsm(ctx, iface, n, 'SeqNumberMismatch');
      return;
    }
    const entry = ctx.db.get(h.type, h.lsId, h.advRouter);
    // An LSA we lack, or hold an older instance of, goes on the request list; one we
    // could not install (the LSDB would pass maxLsa) is not asked for.
    if (entry === undefined && !n.requests.has(h.type, h.lsId, h.advRouter) && ctx.db.size + n.requests.size >= ctx.maxLsa()) {
      ctx.drop('lsdb-full', iface.name, n.address);
    } else if (entry === undefined || compareInstance(h.seq, h.checksum, lsAge(h.age), rawSeq(entry.raw), rawChecksum(entry.raw), Lsdb.ageOf(entry, ctx.now)) > 0) {
      addRequest(n, h);
    }
  }
  const more = (flags & DdFlags.M) !== 0;
  if (n.master) {
    n.ddSeq = (n.ddSeq + 1) >>> 0;
    if (n.ddSentAll && !more) {
      ctx.timers.cancel(ctx.timer('dd-retransmit', iface.name, n.key));
      nsm(ctx, iface, n, 'ExchangeDone');
    } else {
      sendSummary(ctx, iface, n);
      ctx.timers.set(ctx.timer('dd-retransmit', iface.name, n.key), ctx.now + iface.settings.retransmitIntervalMs);
    }
  } else {
    n.ddSeq = ddSeq;
    sendSummary(ctx, iface, n);
    if (!more && n.ddSentAll) nsm(ctx, iface, n, 'ExchangeDone');
  }
}

/** RFC 2328 10.8: the next DD of the exchange, as many headers as the MTU allows. */
export function sendSummary(ctx: Ctx, iface: Iface, n: Neighbor): void {
  const room = Math.floor((ctx.packetRoom(iface) - 8) / 20);
  const headers: LsaHeader[] = [];
  while (headers.length < room && n.summaryPos < n.summary.length) {
    const { type, lsId, advRouter } = n.summary[n.summaryPos++] as LsaKey;
    const entry = ctx.db.get(type, lsId, advRouter);
    if (entry === undefined) continue;
    const age = Lsdb.ageOf(entry, ctx.now);
    const spare = ctx.ddHeaders[headers.length];
    headers.push(spare === undefined ? (ctx.ddHeaders[headers.length] = headerOf(entry.raw, age)) : setHeader(spare, entry.raw, age));
  }
  const more = n.summaryPos < n.summary.length;
  if (!more) {
    n.summary = [];
    n.summaryPos = 0;
  }
  n.ddSentAll = !more;
  sendDd(ctx, iface, n, (more ? DdFlags.M : 0) | (n.master ? DdFlags.MS : 0), headers);
}
