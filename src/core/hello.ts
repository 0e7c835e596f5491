// Hello packets (RFC 2328 9.5 sending, 10.5 receiving).

import { Options, type HelloPacket } from '../packet/index.js';
import { AllSPFRouters } from './api.js';
import type { Ctx } from './context.js';
import { LsaMap, LsaSet } from './lsa-map.js';
import { MaxNeighborsPerInterface, NeighborRank, OurOptions, deadSeconds, helloSeconds, type Iface } from './model.js';
import { nsm } from './neighbor.js';
import { encodeHello } from './transmit.js';

/** RFC 2328 10.5: receiving Hello packets. */
export function onHello(ctx: Ctx, iface: Iface, p: HelloPacket, src: number): void {
  const s = iface.settings;
  // The mask is checked on broadcast networks only.
  if (iface.kind === 'broadcast' && p.networkMask >>> 0 !== iface.mask) return ctx.drop('hello-mask-mismatch', iface.name, src);
  // With fast hellos configured here the interval is not compared (FRR's hello-multiplier).
  if (s.helloIntervalMs >= 1000 && p.helloInterval !== helloSeconds(s)) return ctx.drop('hello-interval-mismatch', iface.name, src);
  if (p.deadInterval !== deadSeconds(s)) return ctx.drop('dead-interval-mismatch', iface.name, src);
  // The E-bit must agree with the area's ExternalRoutingCapability.
  if ((p.options & Options.E) !== (OurOptions & Options.E)) return ctx.drop('options-mismatch', iface.name, src);

  const key = iface.kind === 'broadcast' ? src : p.routerId;
  let n = iface.neighbors.get(key);
  const isNew = n === undefined;
  if (n === undefined) {
    if (iface.neighbors.size >= MaxNeighborsPerInterface) return ctx.drop('neighbor-limit', iface.name, src);
    n = {
      ifName: iface.name,
      key,
      routerId: p.routerId,
      address: src,
      priority: p.priority,
      leaving: false,
      oldRouterLsaUntil: undefined,
      options: p.options,
      ddOptions: 0,
      dr: 0,
      bdr: 0,
      state: 'Down',
      master: false,
      ddSeq: 0,
      ddSeqInitialised: false,
      lastReceivedDd: undefined,
      lastSentDd: undefined,
      ddSentAll: false,
      summary: [],
      summaryPos: 0,
      requests: new LsaMap(),
      requestOrder: [],
      requestHead: 0,
      requestsInFlight: new LsaSet(),
      retransmit: new LsaMap(),
      authSeq: 0,
      helper: undefined,
    };
    iface.neighbors.set(key, n);
  }
  if (n.helper !== undefined) {
    // RFC 3623 3.2: a restarting neighbor's Hellos neither take the adjacency down (it
    // lists no neighbors yet) nor move the election; what it said before stays.
    nsm(ctx, iface, n, 'HelloReceived');
    if (p.neighbors.some((id) => id >>> 0 === ctx.config.routerId)) nsm(ctx, iface, n, '2-WayReceived');
    return;
  }
  const previous = { priority: n.priority, dr: n.dr, bdr: n.bdr };
  n.routerId = p.routerId;
  n.address = src;
  n.priority = p.priority;
  n.options = p.options;
  n.dr = p.dr >>> 0;
  n.bdr = p.bdr >>> 0;
  nsm(ctx, iface, n, 'HelloReceived');
  if (!p.neighbors.some((id) => id >>> 0 === ctx.config.routerId)) {
    nsm(ctx, iface, n, '1-WayReceived');
    return;
  }
  nsm(ctx, iface, n, '2-WayReceived');
  if (iface.kind !== 'broadcast') return;
  // RFC 3623 2.2 (3): a neighbour naming us DR while we wait tells us we were the DR
  // before the restart; we declare ourselves DR again, and the election keeps us. Named
  // BDR, likewise: the election need not wait out RouterDeadInterval (9.4) to find
  // the roles the segment still has. Also when restarting mode ended early (a withdrawal).
  // Named BDR under a DR we have not heard from yet, the election waits for the DR's
  // own Hello: run now, it would find no DR among our neighbours and promote us.
  if (ctx.restarter.followsRestart() && iface.state === 'Waiting') {
    if (n.dr === iface.address) iface.dr = iface.address;
    else if (n.bdr === iface.address) iface.bdr = iface.address;
    if (n.dr === iface.address || (n.bdr === iface.address && drHeard(iface, n.dr))) iface.backupSeen = true;
  }
  if (!isNew && previous.priority !== n.priority) iface.neighborChange = true;
  const declaresDr = n.dr === src;
  const declaredDr = !isNew && previous.dr === src;
  if (declaresDr && n.bdr === 0 && iface.state === 'Waiting') iface.backupSeen = true;
  else if (declaresDr !== declaredDr) iface.neighborChange = true;
  const declaresBdr = n.bdr === src;
  const declaredBdr = !isNew && previous.bdr === src;
  if (declaresBdr && iface.state === 'Waiting') iface.backupSeen = true;
  else if (declaresBdr !== declaredBdr) iface.neighborChange = true;
}

/** Whether the DR a Hello names is none, or a neighbour in 2-Way or above: one the election (RFC 2328 9.4) can choose. */
function drHeard(iface: Iface, dr: number): boolean {
  if (dr === 0) return true;
  for (const m of iface.neighbors.values()) if (m.address === dr && NeighborRank[m.state] >= NeighborRank['2-Way']) return true;
  return false;
}

export function sendHello(ctx: Ctx, iface: Iface): void {
  // A router that has flushed its LSAs to leave (the shutdown input) keeps quiet: a
  // Hello would have neighbors that took it down on the flush bring it back.
  if (ctx.shuttingDown) return;
  ctx.sendRaw(iface, AllSPFRouters, encodeHello(ctx.common(), iface));
}

export function scheduleHello(ctx: Ctx, iface: Iface): void {
  // RFC 2328 9.5: every HelloInterval, less up to 10% jitter so routers drift apart.
  const interval = iface.settings.helloIntervalMs;
  const jitter = Math.floor(ctx.draw() * interval * 0.1);
  ctx.timers.set(ctx.timer('hello', iface.name), ctx.now + interval - jitter);
}
