// Interfaces and their IPv4 addresses as the kernel reports them over
// rtnetlink (the `netlink` package): a dump at start, then every change
// (link up/down, MTU, rename, removal; address added/removed — such as the
// anycast /32 appearing on or vanishing from `lo`) as an InterfaceInfo
// update the moment the kernel announces it.
//
//   start(): subscribe LINK + IPV4_IFADDR ──▶ dump links, dump addresses
//            (notifications arriving meanwhile are queued, replayed after)
//   RTM_NEWLINK / DELLINK / NEWADDR / DELADDR ──▶ state ──▶ 'interface' if it changed
//   (with each link's speed read from sysfs on every RTM_NEWLINK, for its cost)
//   refresh(): dump again and report the differences (a safety net the daemon may run)
//
// What the package gives and lacks: typed dumps (getLinks, getAddresses)
// and multicast membership work as documented; its parsed 'message' event
// drops the message type (NEW and DEL look alike), so notifications are read
// from the lower NetlinkSocket and parsed with rt.parseLinkMessage /
// rt.parseAddressMessage. Dumps and notifications use separate sockets,
// because a notification arriving inside a multipart dump would break the
// package's dump reassembly.
//
// A defect of netlink 0.3.0 decides the receive buffer size: when the
// kernel reports ENOBUFS (notifications dropped because the socket buffer
// filled while the event loop was busy), the package's native code aborts
// the whole process ("terminate called after throwing an instance of
// 'Napi::Error'") instead of calling the error callback, and it offers no
// NETLINK_NO_ENOBUFS. So the notification socket asks for a large buffer
// (4 MiB by default; the kernel caps SO_RCVBUF at net.core.rmem_max).

import { readFileSync } from 'node:fs';
import { EventEmitter } from 'eventemitter3';
import { createNetlink, createRtNetlink, Protocol, rt } from './netlink-package.js';
import type { NetlinkMessage, NetlinkSocket, RtNetlinkSocket } from './netlink-package.js';
import type { InterfaceAddress, InterfaceInfo } from '../core/api.js';
import { samePlainData } from '../lib/plain-data.js';
import { deliverSafely, NetlinkRequestError, wrapNetlinkError as wrapError } from './errors.js';
import { AF_INET, AF_UNSPEC, RTM_DELADDR, RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK } from './netlink.js';

interface LinkState {
  name: string;
  up: boolean;
  loopback: boolean;
  mtu: number;
  speedMbps: number | undefined;
}

/**
 * The speed the kernel reports for an interface, Mbit/s, read from sysfs
 * (the namespace's own under `ip netns exec`); undefined where it reports
 * none: loopback and virtual devices refuse the read, a link without
 * carrier says -1.
 */
export function readLinkSpeed(name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/sys/class/net/${name}/speed`, 'utf8');
  } catch {
    return undefined;
  }
  const speed = Number(text.trim());
  return Number.isInteger(speed) && speed > 0 ? speed : undefined;
}

export interface InterfaceMonitorOptions {
  /** Limit for each dump, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** SO_RCVBUF asked for the notification socket (default 4 MiB, capped by net.core.rmem_max). */
  receiveBufferBytes?: number;
}

export interface InterfaceMonitorEvents {
  /** An interface appeared or changed; a removed one comes with up=false and no addresses. */
  interface: [info: InterfaceInfo];
  /** The notification socket reported an error; the monitor keeps listening. */
  error: [error: NetlinkRequestError];
}

/** Follows the kernel's links and IPv4 addresses. Create with InterfaceMonitor.start(). */
export class InterfaceMonitor extends EventEmitter<InterfaceMonitorEvents> {
  private links = new Map<number, LinkState>();
  private addresses = new Map<number, Map<string, InterfaceAddress>>();
  /** What was last reported per ifIndex. */
  private reported = new Map<number, InterfaceInfo>();
  /** Notifications received while a dump is running; replayed after it. */
  private queued: NetlinkMessage[] | undefined;
  private refreshing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly events: NetlinkSocket,
    private readonly requests: RtNetlinkSocket,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  /** Subscribe, dump, and return a monitor whose interfaces() is the current state. */
  static async start(options: InterfaceMonitorOptions = {}): Promise<InterfaceMonitor> {
    let events: NetlinkSocket | undefined;
    let requests: RtNetlinkSocket | undefined;
    try {
      // sendBufferSize 0 keeps the kernel's default (the package's options type requires the field).
      events = createNetlink(Protocol.ROUTE, { ref: true, recvBufferSize: options.receiveBufferBytes ?? 4 << 20, sendBufferSize: 0 });
      events.addMembership(rt.MulticastGroups.LINK);
      events.addMembership(rt.MulticastGroups.IPV4_IFADDR);
      requests = createRtNetlink();
    } catch (error) {
      events?.close();
      throw wrapError('subscribe', error);
    }
    const monitor = new InterfaceMonitor(events, requests, options.timeoutMs ?? 5000);
    events.on('message', (msgs) => deliverSafely(() => monitor.onNotification(msgs)));
    events.on('error', (error) =>
      deliverSafely(() => {
        if (!monitor.closed) monitor.emit('error', wrapError('receive notifications', error));
      }),
    );
    try {
      await monitor.refresh();
    } catch (error) {
      monitor.close();
      throw error;
    }
    return monitor;
  }

  /** All interfaces known now, by ifIndex. */
  interfaces(): InterfaceInfo[] {
    return [...this.links.keys()].sort((x, y) => x - y).map((ifIndex) => this.info(ifIndex) as InterfaceInfo);
  }

  get(name: string): InterfaceInfo | undefined {
    return this.interfaces().find((info) => info.name === name);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.close();
    this.requests.socket.close();
  }

  private onNotification(msgs: NetlinkMessage[]): void {
    if (this.closed) return;
    if (this.queued) {
      this.queued.push(...msgs);
      return;
    }
    const touched = new Set<number>();
    for (const msg of msgs) this.record(msg, touched);
    this.report(touched);
  }

  /** The receive buffer the kernel granted the notification socket, in bytes. */
  receiveBufferBytes(): number {
    return this.events.getRecvBufferSize();
  }

  /**
   * Read all links and addresses again and report whatever differs from
   * what was last reported. Notifications arriving meanwhile are applied
   * after the dump; calls during a refresh share it. Rejects with
   * NetlinkRequestError.
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.dumpAndReport().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async dumpAndReport(): Promise<void> {
    this.queued = [];
    let linkMsgs: rt.LinkMessage[];
    let addrMsgs: rt.AddressMessage[];
    try {
      linkMsgs = await this.requests.getLinks({}, {}, { timeout: this.timeoutMs });
      addrMsgs = await this.requests.getAddresses({ family: AF_INET }, {}, { timeout: this.timeoutMs });
    } catch (error) {
      // Keep what arrived meanwhile: the state stays as current as notifications make it.
      const queued = this.queued;
      this.queued = undefined;
      const touched = new Set<number>();
      for (const msg of queued) this.record(msg, touched);
      this.report(touched);
      throw wrapError('dump', error);
    }
    if (this.closed) return;
    this.links = new Map();
    this.addresses = new Map();
    const touched = new Set<number>(this.reported.keys());
    for (const msg of linkMsgs) this.applyLink(msg, touched);
    for (const msg of addrMsgs) this.applyAddress(msg, true, touched);
    const queued = this.queued;
    this.queued = undefined;
    for (const msg of queued) this.record(msg, touched);
    this.report(touched);
  }

  /**
   * Apply one notification. A message the package cannot parse is reported
   * and skipped: an exception here would unwind into the package's native
   * receive callback, which aborts the process.
   */
  private record(msg: NetlinkMessage, touched: Set<number>): void {
    try {
      this.applyUnchecked(msg, touched);
    } catch (error) {
      this.emit('error', wrapError(`parse notification type ${msg.type}`, error));
    }
  }

  private applyUnchecked(msg: NetlinkMessage, touched: Set<number>): void {
    switch (msg.type) {
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        const link = rt.parseLinkMessage(msg.data);
        // Bridge port notifications (AF_BRIDGE) share the group; a DELLINK
        // of that family means "left the bridge", not "gone".
        if ((link.data.family ?? AF_UNSPEC) !== AF_UNSPEC) return;
        if (msg.type === RTM_NEWLINK) this.applyLink(link, touched);
        else {
          const ifIndex = link.data.index ?? 0;
          this.links.delete(ifIndex);
          this.addresses.delete(ifIndex);
          touched.add(ifIndex);
        }
        return;
      }
      case RTM_NEWADDR:
      case RTM_DELADDR:
        this.applyAddress(rt.parseAddressMessage(msg.data), msg.type === RTM_NEWADDR, touched);
        return;
      default:
        return;
    }
  }

  private applyLink(msg: rt.LinkMessage, touched: Set<number>): void {
    const ifIndex = msg.data.index ?? 0;
    const flags = msg.data.flags ?? {};
    const previous = this.links.get(ifIndex);
    const name = msg.attrs.ifname ?? previous?.name ?? `if${ifIndex}`;
    this.links.set(ifIndex, {
      name,
      // Up for OSPF: administratively up and operationally running (carrier).
      up: flags.up === true && flags.running === true,
      loopback: flags.loopback === true,
      mtu: msg.attrs.mtu ?? previous?.mtu ?? 0,
      // Read again on every change: a link renegotiates its speed when its carrier returns.
      speedMbps: readLinkSpeed(name),
    });
    touched.add(ifIndex);
  }

  private applyAddress(msg: rt.AddressMessage, present: boolean, touched: Set<number>): void {
    if (msg.data.family !== AF_INET) return;
    // IFA_LOCAL is our address; IFA_ADDRESS is the peer's on point-to-point links.
    const bytes = msg.attrs.local ?? msg.attrs.address;
    if (!bytes || bytes.length !== 4) return;
    const ifIndex = msg.data.index ?? 0;
    const entry: InterfaceAddress = { address: bytes.readUInt32BE(0), prefixLength: msg.data.prefixlen ?? 32 };
    const key = `${entry.address}/${entry.prefixLength}`;
    let set = this.addresses.get(ifIndex);
    if (present) {
      if (!set) this.addresses.set(ifIndex, (set = new Map()));
      set.set(key, entry);
    } else set?.delete(key);
    touched.add(ifIndex);
  }

  private info(ifIndex: number): InterfaceInfo | undefined {
    const link = this.links.get(ifIndex);
    if (!link) return undefined;
    // Deterministic order: by address, then prefix length.
    const addresses = [...(this.addresses.get(ifIndex)?.values() ?? [])].sort(
      (x, y) => x.address - y.address || x.prefixLength - y.prefixLength,
    );
    const info: InterfaceInfo = { name: link.name, ifIndex, up: link.up, loopback: link.loopback, mtu: link.mtu, addresses };
    if (link.speedMbps !== undefined) info.speedMbps = link.speedMbps;
    return info;
  }

  /** Emit an update for each touched interface whose reported state changed, in ifIndex order. */
  private report(touched: Set<number>): void {
    for (const ifIndex of [...touched].sort((x, y) => x - y)) {
      const info = this.info(ifIndex);
      const last = this.reported.get(ifIndex);
      if (!info) {
        if (!last) continue;
        this.reported.delete(ifIndex);
        this.emitGone(last.name, ifIndex);
        continue;
      }
      if (last !== undefined && samePlainData(last, info)) continue;
      // A rename: the old name is gone as far as the core is concerned.
      if (last && last.name !== info.name) this.emitGone(last.name, ifIndex);
      // A copy: the address records are the monitor's own and change in place.
      this.reported.set(ifIndex, { ...info, addresses: info.addresses.map((a) => ({ ...a })) });
      this.emit('interface', info);
    }
  }

  private emitGone(name: string, ifIndex: number): void {
    this.emit('interface', { name, ifIndex, up: false, loopback: false, mtu: 0, addresses: [] });
  }
}
