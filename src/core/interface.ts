// Interfaces (RFC 2328 9): each one brought in line with its kernel state,
// addresses and settings, by way of the interface state machine (ism.ts).

import { maskFromLength, prefixContains } from '../lib/ipv4.js';
import type { InterfaceAddress, InterfaceInfo, InterfaceSettings } from './api.js';
import type { Ctx } from './context.js';
import { sameSettings, settingsFor } from './defaults.js';
import { ism } from './ism.js';
import { uint32Cmp, type Iface, type IfaceKind } from './model.js';
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
  if (resetting) ism(ctx, iface, iface.state === 'Loopback' ? 'UnloopInd' : 'InterfaceDown');
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
    ism(ctx, iface, kind === 'loopback' ? 'LoopInd' : 'InterfaceUp');
  } else {
    // Loopback address sets and costs change the router-LSA only.
    ctx.topologyDirty = true;
    if (priorityChanged && iface.kind === 'broadcast') iface.neighborChange = true;
  }
}
