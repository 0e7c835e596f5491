// The interface state machine (RFC 2328 9.3): its events, the state changes
// they make and their side effects, the DR election (9.4) among them.

import { AllDRouters, AllSPFRouters, type InterfaceState } from './api.js';
import type { Ctx } from './context.js';
import { electDesignatedRouter, type Candidate } from './election.js';
import { sendHello, scheduleHello } from './hello.js';
import { NeighborRank, type Iface, type IsmEvent } from './model.js';
import { nsm } from './neighbor.js';

/**
 * The interface state machine (RFC 2328 9.3): one event on one interface.
 * Returns whether the pair is in the table; other pairs change nothing.
 */
export function ism(ctx: Ctx, iface: Iface, event: IsmEvent): boolean {
  switch (event) {
    case 'InterfaceUp':
      switch (iface.state) {
        case 'Down':
          // Down → Point-to-point, DROther (priority 0), Waiting; a passive broadcast interface is its own DR.
          interfaceUp(ctx, iface);
          return true;
        default:
          return false;
      }
    case 'LoopInd':
      switch (iface.state) {
        case 'Down':
          // Down → Loopback: no Hellos, its addresses advertised as host routes (12.4.1.1).
          setInterfaceState(ctx, iface, 'Loopback');
          return true;
        default:
          return false;
      }
    case 'WaitTimer':
    case 'BackupSeen':
      switch (iface.state) {
        case 'Waiting':
          // Waiting → DR, Backup or DROther: the election (9.4).
          elect(ctx, iface);
          return true;
        default:
          return false;
      }
    case 'NeighborChange':
      switch (iface.state) {
        case 'DR':
        case 'Backup':
        case 'DROther':
          // DR, Backup, DROther → the election again (9.4).
          elect(ctx, iface);
          return true;
        default:
          return false;
      }
    case 'UnloopInd':
    case 'InterfaceDown':
      switch (iface.state) {
        case 'Down':
          return false;
        default:
          // Any state → Down: every neighbor killed (KillNbr), every variable reset.
          interfaceDown(ctx, iface);
          return true;
      }
  }
}

function setInterfaceState(ctx: Ctx, iface: Iface, to: InterfaceState): void {
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

/** RFC 2328 9.3 InterfaceUp: Hellos start; the state follows from the network type and priority. */
function interfaceUp(ctx: Ctx, iface: Iface): void {
  const s = iface.settings;
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
function interfaceDown(ctx: Ctx, iface: Iface): void {
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
function elect(ctx: Ctx, iface: Iface): void {
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
      if ((backupSeen && ism(ctx, iface, 'BackupSeen')) || (neighborChange && ism(ctx, iface, 'NeighborChange'))) any = true;
    }
    if (!any) return;
  }
}
