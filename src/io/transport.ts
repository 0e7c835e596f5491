// OSPF over raw IP sockets (protocol 89) on Linux, one socket per OSPF
// interface, through the `raw-socket` package. Turns the core's 'send' and
// 'membership' outputs into socket calls and received datagrams into
// 'packet' inputs, after the RFC 2328 8.2 checks in ipv4-header.ts.
//
//   core Output ──▶ OspfTransport.carryOut ──▶ OspfInterfaceSocket (SO_BINDTODEVICE ifName)
//   core Input  ◀── 'packet' event ◀── checkReceived ◀── raw datagram (IP header included)
//
// What raw-socket gives and what it lacks (the reasons for the choices here):
// - setOption(level, option, buffer, length) passes any numbers straight to
//   setsockopt, so every option we need is set with a hand-built value:
//   SO_BINDTODEVICE, IP_ADD/DROP_MEMBERSHIP and IP_MULTICAST_IF with a
//   struct ip_mreqn, IP_MULTICAST_LOOP/TTL/ALL, IP_TTL, IP_TOS, SO_PRIORITY.
//   The kernel therefore writes the IP header: no IP_HDRINCL needed.
// - There is no recvmsg, so no IP_PKTINFO: the receiving interface is known
//   only because each socket is bound to one device, and the destination
//   address is read from the IP header, which Linux raw sockets deliver.
// - There is no bind(): the source of multicast packets comes from
//   IP_MULTICAST_IF's imr_address, that of unicast packets from the route.
// - send() only queues: the datagram leaves on the socket's next writable
//   poll, after the rest of the event-loop turn that produced it (the log
//   lines, the route calculation of the same change). An anycast withdrawal
//   has to be on the wire within milliseconds of the health verdict, so the
//   socket here makes the sendto() at once through the native handle while
//   nothing is queued, and queues only when the kernel has no room (EAGAIN,
//   ENOBUFS), in order behind what is already queued.
// - setsockopt errors arrive as Error(strerror) text without the errno.
// - The receive buffer is reused for every datagram, so each one is copied
//   before it leaves this file; datagrams longer than the buffer are cut
//   silently, which decodeIpv4 reports as 'truncated'.

import { EventEmitter } from 'eventemitter3';
import raw from 'raw-socket';
import type { Input, InterfaceAddress, NetworkType, Output } from '../core/api.js';
import { AllSPFRouters } from '../core/api.js';
import { formatIpv4 } from '../lib/ipv4.js';
import { deliverSafely, TransportClosedError, TransportSendError, TransportSetupError } from './errors.js';
import type { IpDropReason, Ipv4Header } from './ipv4-header.js';
import { checkReceived, IPPROTO_OSPF } from './ipv4-header.js';
import {
  intOption,
  ifNameOption,
  ipMreqn,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_MULTICAST_ALL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  SO_BINDTODEVICE,
  SO_PRIORITY,
  SO_RCVBUF,
  SOL_SOCKET,
} from './sockopt.js';

/** RFC 2328 A.1: OSPF packets carry IP precedence internetwork control. */
export const OSPF_TOS = 0xc0;
/** RFC 2328 A.1: packets to AllSPFRouters/AllDRouters never leave the link; unicast ones neither. */
export const OSPF_TTL = 1;
/** Linux TC_PRIO_CONTROL: queue OSPF ahead of bulk traffic, as BIRD does. */
const SOCKET_PRIORITY = 7;
/** Big enough for any IPv4 datagram, so none is cut. */
const RECEIVE_BUFFER_BYTES = 65_536;
const SOCKET_RCVBUF_BYTES = 1 << 20;

/** The part of a raw-socket socket the transport uses (injectable for tests). */
export interface RawSocketLike {
  setOption(level: number, option: number, value: Buffer, length: number): void;
  send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | null, bytes: number) => void): unknown;
  on(event: 'message', listener: (buffer: Buffer, source: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): unknown;
}

/** Opens a raw IPv4 socket for protocol 89. */
export type RawSocketFactory = () => RawSocketLike;

export const openRawOspfSocket: RawSocketFactory = () =>
  sendingAtOnce(raw.createSocket({ addressFamily: 1, protocol: IPPROTO_OSPF, bufferSize: RECEIVE_BUFFER_BYTES }));

/** strerror texts of a send buffer with no room: queue and send when the socket turns writable. */
const NO_ROOM = /^(Resource temporarily unavailable|No buffer space available)$/;

/** A raw-socket socket whose send() calls sendto() at once (see the header). */
export function sendingAtOnce(socket: raw.Socket): RawSocketLike {
  return {
    setOption: (level, option, value, length) => socket.setOption(level, option, value, length),
    send(buffer, offset, length, address, after) {
      if (socket.requests.length === 0) {
        try {
          socket.wrap.send(buffer, offset, length, address, (bytes) => after(null, bytes));
          return;
        } catch (error) {
          if (!(error instanceof Error && NO_ROOM.test(error.message))) {
            after(error instanceof Error ? error : new Error(String(error)), 0);
            return;
          }
        }
      }
      socket.send(buffer, offset, length, address, after);
    },
    on: (event: 'message' | 'error', listener: (...args: never[]) => void) => socket.on(event, listener as (...args: unknown[]) => void),
    close: () => socket.close(),
  };
}

export interface OspfInterfaceOptions {
  ifName: string;
  ifIndex: number;
  networkType: NetworkType;
  /** The interface's IPv4 addresses: the receive checks use all of them. */
  addresses: InterfaceAddress[];
  /** Source address for multicast; defaults to the first of `addresses`. */
  sourceAddress?: number;
}

export type PacketInput = Extract<Input, { kind: 'packet' }>;

export interface TransportDrop {
  ifName: string;
  reason: IpDropReason;
  /** The IP source, when the header could be read that far. */
  src?: number;
}

export interface TransportCounters {
  received: number;
  accepted: number;
  dropped: Partial<Record<IpDropReason, number>>;
  sent: number;
  sendErrors: number;
}

export interface TransportEvents {
  /** A packet passed the IP checks; the header is there for logs and tests. */
  packet: [input: PacketInput, header: Ipv4Header];
  drop: [drop: TransportDrop];
  /** The socket failed while receiving; it is closed (reopen the interface). */
  error: [error: TransportSetupError];
}

/** One OSPF interface's raw socket. */
export class OspfInterfaceSocket extends EventEmitter<TransportEvents> {
  readonly ifName: string;
  private index: number;
  private networkType: NetworkType;
  private addresses: InterfaceAddress[];
  private readonly socket: RawSocketLike;
  private readonly groups = new Set<number>();
  private readonly pending = new Set<(error: Error) => void>();
  private closed = false;
  private readonly stats: TransportCounters = { received: 0, accepted: 0, dropped: {}, sent: 0, sendErrors: 0 };

  /** Open and configure the socket and join AllSPFRouters. Throws TransportSetupError. */
  constructor(options: OspfInterfaceOptions, factory: RawSocketFactory = openRawOspfSocket) {
    super();
    this.ifName = options.ifName;
    this.index = options.ifIndex;
    this.networkType = options.networkType;
    this.addresses = [...options.addresses];
    try {
      this.socket = factory();
    } catch (error) {
      throw new TransportSetupError(options.ifName, 'socket(AF_INET, SOCK_RAW, 89)', error);
    }
    try {
      // Receive and send on this interface only.
      this.setOption(SOL_SOCKET, SO_BINDTODEVICE, ifNameOption(this.ifName), 'SO_BINDTODEVICE');
      this.setOption(SOL_SOCKET, SO_RCVBUF, intOption(SOCKET_RCVBUF_BYTES), 'SO_RCVBUF');
      this.setOption(SOL_SOCKET, SO_PRIORITY, intOption(SOCKET_PRIORITY), 'SO_PRIORITY');
      this.setOption(IPPROTO_IP, IP_TOS, intOption(OSPF_TOS), 'IP_TOS');
      this.setOption(IPPROTO_IP, IP_TTL, intOption(OSPF_TTL), 'IP_TTL');
      this.setOption(IPPROTO_IP, IP_MULTICAST_TTL, intOption(OSPF_TTL), 'IP_MULTICAST_TTL');
      // Our own multicasts are not to come back to us (RFC 2328 8.2 drops them anyway).
      this.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, intOption(0), 'IP_MULTICAST_LOOP');
      // Deliver only the groups this socket joined, not every group some
      // other socket joined on the host: AllDRouters membership then really
      // decides whether DR traffic reaches this interface.
      this.setOption(IPPROTO_IP, IP_MULTICAST_ALL, intOption(0), 'IP_MULTICAST_ALL');
      this.setMulticastSource(options.sourceAddress);
      this.setMembership(AllSPFRouters, true);
    } catch (error) {
      this.socket.close();
      throw error;
    }
    this.socket.on('message', (buffer) => deliverSafely(() => this.receive(buffer)));
    this.socket.on('error', (error) => this.fail(error));
  }

  /** The kernel index of the interface the socket is bound to. */
  get ifIndex(): number {
    return this.index;
  }

  /**
   * New addresses or network type (the source of multicast follows). With a
   * new ifIndex — the interface was deleted and created again under the same
   * name — the socket is bound to the new device and its groups joined
   * there again. Throws TransportSetupError.
   */
  update(options: Pick<OspfInterfaceOptions, 'addresses' | 'networkType' | 'sourceAddress'> & { ifIndex?: number }): void {
    this.assertOpen();
    this.networkType = options.networkType;
    this.addresses = [...options.addresses];
    if (options.ifIndex !== undefined && options.ifIndex !== this.index) {
      this.index = options.ifIndex;
      // SO_BINDTODEVICE resolves the name to an index when it is set.
      this.setOption(SOL_SOCKET, SO_BINDTODEVICE, ifNameOption(this.ifName), 'SO_BINDTODEVICE');
      // The old device took its memberships with it.
      const groups = this.memberships();
      this.groups.clear();
      for (const group of groups) this.setMembership(group, true);
    }
    this.setMulticastSource(options.sourceAddress);
  }

  /**
   * Join or leave a group on this interface (AllDRouters while DR or
   * Backup, RFC 2328 A.1). Idempotent. Throws TransportSetupError.
   */
  setMembership(group: number, join: boolean): void {
    this.assertOpen();
    if (this.groups.has(group) === join) return;
    const mreq = ipMreqn(group, 0, this.index);
    this.setOption(IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, mreq, `${join ? 'join' : 'leave'} ${formatIpv4(group)}`);
    if (join) this.groups.add(group);
    else this.groups.delete(group);
  }

  /** Groups joined, in ascending order. */
  memberships(): number[] {
    return [...this.groups].sort((a, b) => a - b);
  }

  /** Send an OSPF packet (no IP header) to dst. Rejects with TransportSendError or TransportClosedError. */
  send(dst: number, data: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError(`${this.ifName}: socket closed`));
    // A send that has to wait for the socket to turn writable keeps the buffer: hand it a private copy.
    const bytes = Buffer.from(data);
    const to = formatIpv4(dst);
    return new Promise<void>((resolve, reject) => {
      const abort = (error: Error): void => reject(error);
      this.pending.add(abort);
      this.socket.send(bytes, 0, bytes.length, to, (error) => {
        if (!this.pending.delete(abort)) return;
        if (error) {
          this.stats.sendErrors += 1;
          reject(new TransportSendError(this.ifName, to, error));
        } else {
          this.stats.sent += 1;
          resolve();
        }
      });
    });
  }

  counters(): TransportCounters {
    return { ...this.stats, dropped: { ...this.stats.dropped } };
  }

  /** Close the socket; pending sends reject with TransportClosedError. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new TransportClosedError(`${this.ifName}: socket closed`);
    for (const abort of this.pending) abort(error);
    this.pending.clear();
    this.socket.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private receive(buffer: Buffer): void {
    if (this.closed) return;
    this.stats.received += 1;
    // raw-socket reuses its receive buffer: copy before anything keeps a view.
    const verdict = checkReceived(Uint8Array.from(buffer), { networkType: this.networkType, addresses: this.addresses });
    if (!verdict.ok) {
      this.stats.dropped[verdict.reason] = (this.stats.dropped[verdict.reason] ?? 0) + 1;
      const drop: TransportDrop = { ifName: this.ifName, reason: verdict.reason };
      if (verdict.src !== undefined) drop.src = verdict.src;
      this.emit('drop', drop);
      return;
    }
    this.stats.accepted += 1;
    this.emit('packet', { kind: 'packet', ifName: this.ifName, src: verdict.src, dst: verdict.dst, data: verdict.data }, verdict.header);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.close();
    this.emit('error', new TransportSetupError(this.ifName, 'receive', error));
  }

  private setMulticastSource(sourceAddress: number | undefined): void {
    const source = sourceAddress ?? this.addresses[0]?.address ?? 0;
    this.setOption(IPPROTO_IP, IP_MULTICAST_IF, ipMreqn(0, source, this.index), 'IP_MULTICAST_IF');
  }

  private setOption(level: number, option: number, value: Buffer, what: string): void {
    try {
      this.socket.setOption(level, option, value, value.length);
    } catch (error) {
      throw new TransportSetupError(this.ifName, `setsockopt ${what}`, error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportClosedError(`${this.ifName}: socket closed`);
  }
}

/**
 * The OSPF sockets of all interfaces, keyed by interface name: applies the
 * core's 'send' and 'membership' outputs and re-emits every socket's events.
 */
export class OspfTransport extends EventEmitter<TransportEvents> {
  private readonly sockets = new Map<string, OspfInterfaceSocket>();

  constructor(private readonly factory: RawSocketFactory = openRawOspfSocket) {
    super();
  }

  /** Open the socket of an interface (replacing an open one). Throws TransportSetupError. */
  open(options: OspfInterfaceOptions): OspfInterfaceSocket {
    this.close(options.ifName);
    const socket = new OspfInterfaceSocket(options, this.factory);
    socket.on('packet', (input, header) => this.emit('packet', input, header));
    socket.on('drop', (drop) => this.emit('drop', drop));
    socket.on('error', (error) => {
      this.sockets.delete(socket.ifName);
      this.emit('error', error);
    });
    this.sockets.set(options.ifName, socket);
    return socket;
  }

  get(ifName: string): OspfInterfaceSocket | undefined {
    return this.sockets.get(ifName);
  }

  /** Interface names with an open socket, sorted. */
  interfaces(): string[] {
    return [...this.sockets.keys()].sort();
  }

  /**
   * Carry out a core output. 'send' resolves when the kernel took the
   * packet; 'membership' applies at once. Other outputs are not the
   * transport's and resolve to false.
   */
  async carryOut(output: Output): Promise<boolean> {
    if (output.kind === 'send') {
      await this.socketOf(output.ifName).send(output.dst, output.data);
      return true;
    }
    if (output.kind === 'membership') {
      this.socketOf(output.ifName).setMembership(output.group, output.join);
      return true;
    }
    return false;
  }

  close(ifName: string): void {
    const socket = this.sockets.get(ifName);
    if (!socket) return;
    this.sockets.delete(ifName);
    socket.close();
  }

  closeAll(): void {
    for (const ifName of this.interfaces()) this.close(ifName);
  }

  private socketOf(ifName: string): OspfInterfaceSocket {
    const socket = this.sockets.get(ifName);
    if (!socket) throw new TransportClosedError(`${ifName}: no OSPF socket open`);
    return socket;
  }
}
