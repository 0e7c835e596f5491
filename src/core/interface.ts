// Interfaces (RFC 2328 9): bringing one in line with its kernel state and
// settings, its state changes, and the DR election (9.4).

import { maskFromLength, prefixContains } from '../lib/ipv4.js';
import { AllDRouters, AllSPFRouters, type InterfaceAddress, type InterfaceInfo, type InterfaceSettings, type InterfaceState } from './api.js';
import type { Ctx } from './context.js';
import { sameSettings, settingsFor } from './defaults.js';
import { electDesignatedRouter, type Candidate } from './election.js';
import { sendHello, scheduleHello } from './hello.js';
import { NeighborRank, uint32Cmp, type Iface, type IfaceKind } from './model.js';
import { nsm } from './neighbor.js';
import { isAnycastAddress } from './origination.js';

export function onInterface(ctx: Ctx, info: InterfaceInfo): void {
  let iface = ctx.ifaces.get(info.name);
  if (iface === undefined) {
    if (!info.up && info.addresses.length === 0) return;
    iface = {
      name: info.name,
      info,
      settings: settingsFor(ctx.config, info.name),
      kind: 'broadcast',
      addresses: [],
      anycast: [],
      address: 0,
      prefixLength: 0,
      mask: 0,
      state: 'Down',
      dr: 0,
      bdr: 0,
      neighbors: new Map(),
      delayedAcks: [],
      backupSeen: false,
      neighborChange: false,
      authSeq: ctx.goneAuthSeq.get(info.name) ?? 0,
    };
    ctx.ifaces.set(info.name, iface);
    ctx.ifaceOrder = [...ctx.ifaces.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  iface.info = info;
  reconcile(ctx, iface, settingsFor(ctx.config, info.name));
  if (iface.state === 'Down' && !info.up && info.addresses.length === 0) {
    ctx.goneAuthSeq.set(info.name, iface.authSeq);
    ctx.ifaces.delete(info.name);
    ctx.ifaceOrder = ctx.ifaceOrder.filter((i) => i !== iface);
  }
}

/** The addresses OSPF runs on: those inside a configured network (FRR `network` semantics), lowest first. */
export function ospfAddresses(ctx: Ctx, info: InterfaceInfo): InterfaceAddress[] {
  return info.addresses
    .filter((a) => ctx.config.networks.some((p) => a.prefixLength >= p.length && prefixContains(p, a.address >>> 0)))
    .map((a) => ({ address: a.address >>> 0, prefixLength: a.prefixLength }))
    .sort((a, b) => uint32Cmp(a.address, b.address) || a.prefixLength - b.prefixLength);
}

/**
 * Brings an interface in line with its kernel state and settings: InterfaceUp,
 * InterfaceDown, or a reset when something neighbors depend on changed; other
 * changes apply in place (RFC 2328 9.3).
 *
 * Anycast addresses (see isAnycastAddress) are host routes wherever they live
 * and never the interface address: every node of the cluster carries them, so
 * Hellos from one would make the nodes one neighbor to a router (RFC 2328 10.5
 * tells broadcast neighbors apart by source address). An interface with no
 * OSPF address but anycast ones is therefore a loopback for them (12.4.1.1):
 * no Hellos, host routes of cost 0.
 */
export function reconcile(ctx: Ctx, iface: Iface, settings: InterfaceSettings): void {
  const addresses: InterfaceAddress[] = [];
  const anycast: InterfaceAddress[] = [];
  for (const a of ospfAddresses(ctx, iface.info)) (isAnycastAddress(ctx.advertisements.values(), a.address) ? anycast : addresses).push(a);
  const kind: IfaceKind = iface.info.loopback || addresses.length === 0 ? 'loopback' : settings.networkType;
  const shouldRun = iface.info.up && addresses.length + anycast.length > 0;
  const primary = addresses[0] ?? { address: 0, prefixLength: 0 };
  const old = iface.settings;
  const resetting =
    iface.state !== 'Down' &&
    (!shouldRun ||
      kind !== iface.kind ||
      primary.address !== iface.address ||
      primary.prefixLength !== iface.prefixLength ||
      settings.passive !== old.passive ||
      settings.networkType !== old.networkType ||
      settings.helloIntervalMs !== old.helloIntervalMs ||
      settings.deadIntervalMs !== old.deadIntervalMs);
  if (resetting) interfaceDown(ctx, iface);
  const priorityChanged = settings.priority !== old.priority;
  if (!sameSettings(settings, old) || addresses.length !== iface.addresses.length || anycast.length !== iface.anycast.length) ctx.topologyDirty = true;
  iface.settings = settings;
  iface.addresses = addresses;
  iface.anycast = anycast;
  if (!shouldRun) return;
  if (iface.state === 'Down') {
    iface.kind = kind;
    iface.address = primary.address;
    iface.prefixLength = primary.prefixLength;
    iface.mask = maskFromLength(primary.prefixLength);
    interfaceUp(ctx, iface);
  } else {
    // Loopback address sets and costs change the router-LSA only.
    ctx.topologyDirty = true;
    if (priorityChanged && iface.kind === 'broadcast') iface.neighborChange = true;
  }
}

export function setInterfaceState(ctx: Ctx, iface: Iface, to: InterfaceState): void {
  const from = iface.state;
  if (from === to) return;
  iface.state = to;
  const drRole = (s: InterfaceState): boolean => s === 'DR' || s === 'Backup';
  if (!iface.settings.passive && iface.kind === 'broadcast' && drRole(from) !== drRole(to)) {
    // RFC 2328 A.1: DR and Backup listen on AllDRouters.
    ctx.out.push({ kind: 'membership', ifName: iface.name, group: AllDRouters, join: drRole(to) });
  }
  ctx.topologyDirty = true;
  ctx.out.push({ kind: 'event', event: { type: 'interface-state', ifName: iface.name, from, to } });
}

/** RFC 2328 9.3 InterfaceUp (and LoopInd for loopbacks). */
export function interfaceUp(ctx: Ctx, iface: Iface): void {
  const s = iface.settings;
  if (iface.kind === 'loopback') {
    setInterfaceState(ctx, iface, 'Loopback');
    return;
  }
  if (!s.passive) {
    ctx.out.push({ kind: 'membership', ifName: iface.name, group: AllSPFRouters, join: true });
    sendHello(ctx, iface);
    scheduleHello(ctx, iface);
  }
  if (iface.kind === 'point-to-point') {
    setInterfaceState(ctx, iface, 'PointToPoint');
  } else if (s.passive) {
    // A passive broadcast interface has no neighbors to elect with: it is its own DR, as in FRR.
    iface.dr = iface.address;
    setInterfaceState(ctx, iface, 'DR');
  } else if (s.priority === 0) {
    setInterfaceState(ctx, iface, 'DROther');
  } else {
    setInterfaceState(ctx, iface, 'Waiting');
    ctx.timers.set(ctx.timer('wait', iface.name), ctx.now + s.deadIntervalMs);
  }
}

/** RFC 2328 9.3 InterfaceDown: every neighbor is killed, every variable reset. */
export function interfaceDown(ctx: Ctx, iface: Iface): void {
  ctx.grHelper.interfaceDown(iface);
  for (const n of [...iface.neighbors.values()]) nsm(ctx, iface, n, 'KillNbr');
  ctx.timers.cancel(ctx.timer('hello', iface.name));
  ctx.timers.cancel(ctx.timer('wait', iface.name));
  ctx.timers.cancel(ctx.timer('delayed-ack', iface.name));
  iface.delayedAcks = [];
  ctx.floodQueues.delete(iface.name);
  const wasRunning = iface.state !== 'Down' && iface.state !== 'Loopback' && !iface.settings.passive;
  iface.backupSeen = false;
  iface.neighborChange = false;
  setInterfaceState(ctx, iface, 'Down');
  if (wasRunning) ctx.out.push({ kind: 'membership', ifName: iface.name, group: AllSPFRouters, join: false });
  iface.dr = 0;
  iface.bdr = 0;
}

/** RFC 2328 9.4: the election and the state it leads to; AdjOK? when DR or BDR changed. */
export function elect(ctx: Ctx, iface: Iface): void {
  ctx.timers.cancel(ctx.timer('wait', iface.name));
  const self: Candidate = {
    routerId: ctx.config.routerId,
    address: iface.address,
    priority: iface.settings.priority,
    dr: iface.dr,
    bdr: iface.bdr,
  };
  const others: Candidate[] = [];
  for (const n of iface.neighbors.values()) {
    if (NeighborRank[n.state] >= NeighborRank['2-Way']) {
      others.push({ routerId: n.routerId, address: n.address, priority: n.priority, dr: n.dr, bdr: n.bdr });
    }
  }
  const { dr, bdr } = electDesignatedRouter(self, others);
  const changed = dr !== iface.dr || bdr !== iface.bdr;
  iface.dr = dr;
  iface.bdr = bdr;
  // RFC 2328 9.4 step 5.
  setInterfaceState(ctx, iface, dr === iface.address ? 'DR' : bdr === iface.address ? 'Backup' : 'DROther');
  ctx.topologyDirty = true;
  if (changed) {
    // RFC 2328 9.4 step 6: adjacencies may need forming or tearing down.
    for (const n of [...iface.neighbors.values()]) {
      if (NeighborRank[n.state] >= NeighborRank['2-Way']) nsm(ctx, iface, n, 'AdjOK?');
    }
    // The new DR and BDR go out at once rather than at the next HelloInterval: each
    // neighbor's own election runs on it (10.5 NeighborChange), and a segment whose DR
    // has left has no network-LSA, so no transit, until they have.
    if (!iface.settings.passive && iface.neighbors.size > 0) sendHello(ctx, iface);
  }
}

/** ISM events scheduled while handling one input (RFC 2328 9.3 BackupSeen, NeighborChange). */
export function runScheduledInterfaceEvents(ctx: Ctx): void {
  for (let round = 0; round < 4; round++) {
    let any = false;
    for (const iface of ctx.ifaceOrder) {
      const backupSeen = iface.backupSeen;
      const neighborChange = iface.neighborChange;
      iface.backupSeen = false;
      iface.neighborChange = false;
      if (iface.state === 'Waiting' && backupSeen) {
        elect(ctx, iface);
        any = true;
      } else if (neighborChange && (iface.state === 'DR' || iface.state === 'Backup' || iface.state === 'DROther')) {
        elect(ctx, iface);
        any = true;
      }
    }
    if (!any) return;
  }
}
