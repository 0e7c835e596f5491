// The engine's invariants, checked from outside the state machines: what must
// hold after every input whatever arrived from the wire. The fuzzer and the
// tests call OspfRouter.audit(); a non-empty answer names each broken rule.
//
//   LSDB         one current entry per key, its key its bytes' key, a valid
//                LS checksum (RFC 2328 12.1.7), at most maxLsa entries
//   neighbors    retransmission lists hold current entries only (13.2, 13.6);
//                request lists within maxLsa; at most MaxNeighborsPerInterface
//   interfaces   delayed acks within one packet (13.5)
//   timers       one per (kind, interface, neighbor), none further off than
//                the longest interval the core uses (MaxAge for aging, the
//                on-startup stub router period, RFC 6987)

import { MaxAge, verifyLsaChecksum, type LsaKey } from '../packet/index.js';
import { rawAdvRouter, type Lsdb } from './lsdb.js';
import { MaxLsaBytes, MaxNeighborsPerInterface, type Iface } from './model.js';

export interface AuditInput {
  now: number;
  routerId: number;
  maxLsa: number;
  minLsIntervalMs: number;
  /** What is left of the on-startup stub router period (RFC 6987), ms; 0 when none runs. */
  stubStartupRemainingMs: number;
  db: Lsdb;
  ifaces: readonly Iface[];
  timers: { count: number; latest: number | undefined };
  packetRoom: (iface: Iface) => number;
}

/** Timers not tied to an interface (aging, origination, stub-router, restart-grace), and per interface and per neighbor. */
const GlobalTimers = 4;
const InterfaceTimers = 4; // hello, wait, delayed-ack, grace-lsa-retransmit (RFC 3623 2.1)
const NeighborTimers = 5; // inactivity, dd-, lsr- and lsu-retransmit, grace-period (RFC 3623 3)

export function auditCore(a: AuditInput): string[] {
  const problems: string[] = [];
  let own = 0;
  a.db.forEach((entry, type, lsId, advRouter) => {
    const key = keyText({ type, lsId, advRouter });
    const ours = rawAdvRouter(entry.raw) === a.routerId;
    if (ours) own++;
    if (!entry.current) problems.push(`LSDB entry ${key} is marked replaced`);
    if (!sameKey(entry, { type, lsId, advRouter })) problems.push(`LSDB entry ${key} holds the bytes of ${keyText(entry)}`);
    if (!verifyLsaChecksum(entry.raw)) problems.push(`LSDB entry ${key} has a bad LS checksum`);
    if (!ours && entry.raw.length > MaxLsaBytes) problems.push(`LSDB entry ${key} is ${entry.raw.length} bytes`);
    if (entry.rxmtRefs < 0) problems.push(`LSDB entry ${key} has ${entry.rxmtRefs} retransmission references`);
  });
  if (a.db.size - own > a.maxLsa) problems.push(`LSDB holds ${a.db.size - own} LSAs of others, limit ${a.maxLsa}`);

  let timerBound = GlobalTimers;
  let longestMs = Math.max(MaxAge * 1000, a.minLsIntervalMs, a.stubStartupRemainingMs);
  for (const iface of a.ifaces) {
    timerBound += InterfaceTimers + NeighborTimers * iface.neighbors.size;
    const s = iface.settings;
    longestMs = Math.max(longestMs, s.helloIntervalMs, s.deadIntervalMs, 2 * s.retransmitIntervalMs);
    if (iface.neighbors.size > MaxNeighborsPerInterface) problems.push(`${iface.name} has ${iface.neighbors.size} neighbors`);
    const ackRoom = Math.max(1, Math.floor(a.packetRoom(iface) / 20));
    if (iface.delayedAcks.length > ackRoom) problems.push(`${iface.name} holds ${iface.delayedAcks.length} delayed acks, room for ${ackRoom}`);
    for (const n of iface.neighbors.values()) {
      const who = `${iface.name} neighbor ${n.routerId >>> 0}`;
      n.retransmit.forEach((item, type, lsId, advRouter) => {
        const key = { type, lsId, advRouter };
        if (!sameKey(item.entry, key)) problems.push(`${who}: retransmission list key ${keyText(key)} holds ${keyText(item.entry)}`);
        if (!item.entry.current || a.db.get(type, lsId, advRouter) !== item.entry) problems.push(`${who}: retransmits a stale instance of ${keyText(key)}`);
      });
      if (n.retransmit.size > a.db.size) problems.push(`${who}: ${n.retransmit.size} on the retransmission list, ${a.db.size} in the LSDB`);
      if (n.requests.size > a.maxLsa) problems.push(`${who}: ${n.requests.size} on the request list, limit ${a.maxLsa}`);
      // addRequest() compacts the order past twice the list plus 64.
      if (n.requestOrder.length > 2 * a.maxLsa + 65) problems.push(`${who}: request order of ${n.requestOrder.length} keys`);
      // RFC 3623 3.2: helping ends when the grace period does; its timer fires no later.
      if (n.helper !== undefined && n.helper.until < a.now) problems.push(`${who}: helped until ${n.helper.until}, past ${a.now}`);
      n.requestsInFlight.forEach((_, type, lsId, advRouter) => {
        if (!n.requests.has(type, lsId, advRouter)) problems.push(`${who}: ${keyText({ type, lsId, advRouter })} in flight but not requested`);
      });
    }
  }
  if (a.timers.count > timerBound) problems.push(`${a.timers.count} timers pending, at most ${timerBound} expected`);
  if (a.timers.latest !== undefined && a.timers.latest > a.now + longestMs) {
    problems.push(`a timer is set ${a.timers.latest - a.now} ms ahead, longest interval ${longestMs} ms`);
  }
  return problems;
}

function sameKey(a: LsaKey, b: LsaKey): boolean {
  return a.type === b.type && a.lsId === b.lsId && a.advRouter === b.advRouter;
}

function keyText(k: LsaKey): string {
  return `${k.type}/${k.lsId}/${k.advRouter}`;
}
