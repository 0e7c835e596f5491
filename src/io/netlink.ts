// The rtnetlink socket that every writer of kernel state (routes, nexthop
// objects and groups, addresses) sends its requests through, and the
// message numbers they share (include/uapi/linux/rtnetlink.h, netlink.h).
//
// Requests go many to a sendmsg, as zebra's and BIRD's kernel code send
// them: the kernel processes the messages of one datagram in order
// (netlink_rcv_skb) and answers each that fails with its own NLMSG_ERROR,
// so only the last message of a datagram asks for an acknowledgment
// (NLM_F_ACK). Its answer, acknowledgment or error, comes after the errors
// of every message before it: when it arrives, the whole datagram is done,
// and each request has its errno (0 for those no error named).
//
//   send([m1 … mN]) ──▶ datagrams of at most MessagesPerDatagram messages, several in flight,
//                       each message written straight into its datagram (BatchEncoder)
//                       m1 … m(k-1) NLM_F_REQUEST, mk NLM_F_REQUEST|NLM_F_ACK
//   NLMSG_ERROR seq=m3 errno ──▶ reply of m3;  NLMSG_ERROR seq=mk ──▶ datagram done
//
// The answers of a datagram must fit in the socket's receive buffer, or
// the kernel drops them (ENOBUFS): a datagram holds at most
// MessagesPerDatagram requests, and the socket asks for ReceiveBufferBytes,
// room for an error of each with its request echoed (under 1 KiB each).
//
// Dumps use the `netlink` package's typed helpers (getRoutes,
// getNextHops), whose sequence numbers come from the same socket.

import { endianness } from 'node:os';
import { getSystemErrorName } from 'node:util';
import { createRtNetlink, parseError } from './netlink-package.js';
import type { NetlinkMessage, NetlinkSocket, rt, RtNetlinkSocket } from './netlink-package.js';
import { NetlinkRequestError, wrapNetlinkError } from './errors.js';

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEXTHOP = 104;
export const RTM_DELNEXTHOP = 105;
export const RTM_GETNEXTHOP = 106;
export const NLMSG_ERROR = 2;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_DUMP = 0x300;
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const ENOENT = 2;
export const ESRCH = 3;
export const EEXIST = 17;
export const EINVAL = 22;
export const EADDRNOTAVAIL = 99;
export const EOPNOTSUPP = 95;
/** An answer that cannot be read counts as this error. */
const EPROTO = 71;

const littleEndian = endianness() === 'LE';

/** Requests per datagram. */
export const MessagesPerDatagram = 128;
/** SO_RCVBUF asked for (the kernel caps it at net.core.rmem_max, and reports twice what it grants). */
export const ReceiveBufferBytes = 1 << 20;
/** Receive buffer counted for the answer to one request. */
const AnswerBytes = 2048;
/** Room a datagram of routes takes (about 60 bytes each); larger ones grow the buffer. */
const DatagramBytes = MessagesPerDatagram * 128;
/** Datagrams sent before the first is answered, at most. */
const MaxInFlight = 8;

export interface BatchRequest {
  type: number;
  /** NLM_F_CREATE, NLM_F_REPLACE…; REQUEST and ACK are set here. */
  flags: number;
  /** The payload after the nlmsghdr. */
  body: Uint8Array;
}

/**
 * A batch of requests written straight into their datagram, without a
 * buffer or an object of their own: at 100,000 routes what each request
 * allocates is what the garbage collector spends its time on. The batcher
 * asks for request i's type, flags and length, then has it written, before
 * it goes on to request i + 1.
 */
export interface BatchEncoder {
  /** nlmsg_type of request i. */
  type(i: number): number;
  /** Its flags (NLM_F_CREATE, NLM_F_REPLACE…); REQUEST and ACK are set by the batcher. */
  flags(i: number): number;
  /** Its payload's length in bytes, after the nlmsghdr. */
  length(i: number): number;
  /** Writes its payload at `at` in `buf`, where length(i) bytes are zero. */
  write(i: number, buf: Buffer, at: number): void;
}

/** An encoder over requests built one at a time, each with its own body. */
export function builtRequests(build: (i: number) => BatchRequest): BatchEncoder {
  let index = -1;
  let request: BatchRequest | undefined;
  const get = (i: number): BatchRequest => {
    if (i !== index || request === undefined) {
      request = build(i);
      index = i;
    }
    return request;
  };
  return {
    type: (i) => get(i).type,
    flags: (i) => get(i).flags,
    length: (i) => get(i).body.length,
    write: (i, buf, at) => buf.set(get(i).body, at),
  };
}

interface Pending {
  first: number;
  count: number;
  last: number;
  /** The batch's errnos, and where this datagram's requests start in them. */
  errnos: Int32Array;
  offset: number;
  done: () => void;
  fail: (error: NetlinkRequestError) => void;
}

/** struct nlmsghdr. */
const HeaderLength = 16;

const align = (length: number): number => (length + 3) & ~3;

/**
 * struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid } in
 * host order at `at`, written in place: a datagram is one buffer, not a
 * header and a payload per message as the package's formatMessage makes.
 */
function writeHeader(view: DataView, at: number, length: number, type: number, flags: number, seq: number): void {
  view.setUint32(at, length, littleEndian);
  view.setUint16(at + 4, type, littleEndian);
  view.setUint16(at + 6, flags, littleEndian);
  view.setUint32(at + 8, seq, littleEndian);
  view.setUint32(at + 12, 0, littleEndian);
}

/** Sequence numbers run 1 … 2^32 − 1 and wrap to 1 (NetlinkSocket.generateSeq). */
const SeqSpace = 0xffffffff;

/** The symbolic name of a positive errno ('EEXIST'), or "errno N" for one Node does not know. */
export function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

/**
 * Sends batches of requests over one netlink socket, several datagrams in
 * flight: as many as the receive buffer the kernel granted holds the
 * answers of, at AnswerBytes for each request (an error echoes its request,
 * and the buffer counts each answer's whole skb), at most MaxInFlight.
 */
export class NetlinkBatcher {
  /** Datagrams sent and not yet answered in full. */
  private readonly pending = new Set<Pending>();
  private readonly window: number;
  /** Where each datagram is written before it is copied out to be sent. */
  private scratch = Buffer.alloc(DatagramBytes);
  private scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.byteLength);

  constructor(
    private readonly socket: NetlinkSocket,
    private readonly timeoutMs: number,
  ) {
    let granted = 0;
    try {
      socket.setRecvBufferSize(ReceiveBufferBytes);
      granted = socket.getRecvBufferSize();
    } catch {
      // Left at the system default: one datagram at a time still fits in 212,992 bytes at its worst.
    }
    this.window = Math.max(1, Math.min(MaxInFlight, Math.floor(granted / (MessagesPerDatagram * AnswerBytes))));
    socket.on('message', (messages) => this.receive(messages));
    // Without a listener the socket's error (ENOBUFS: answers dropped) would end the process.
    socket.on('error', (error) => {
      for (const pending of [...this.pending]) pending.fail(wrapNetlinkError('netlink socket', error));
    });
  }

  /**
   * Sends `count` requests, written by `requests` a datagram at a time (so
   * that they are never all held at once), and resolves with each one's
   * errno, in order (0: done). Rejects with a NetlinkRequestError when the
   * socket fails or the kernel does not answer within the time limit;
   * requests of datagrams already answered are done then.
   */
  async send(count: number, requests: BatchEncoder, operation: string): Promise<Int32Array> {
    const errnos = new Int32Array(count);
    const inFlight: Promise<void>[] = [];
    for (let at = 0; at < count; at += MessagesPerDatagram) {
      const datagram = this.datagram(requests, at, Math.min(count, at + MessagesPerDatagram), errnos, operation);
      // Observed now, awaited below: a later datagram may fail while an earlier one is awaited, and the first failure is the answer.
      datagram.catch(() => undefined);
      inFlight.push(datagram);
      if (inFlight.length >= this.window) await inFlight.shift();
    }
    for (const datagram of inFlight) await datagram;
    return errnos;
  }

  /** Requests `from` … `to` − 1 in one datagram; their errnos go to `errnos` at the same indices. */
  private datagram(requests: BatchEncoder, from: number, to: number, errnos: Int32Array, operation: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let at = 0;
      const first = this.socket.generateSeq();
      let seq = first;
      for (let i = from; i < to; i++) {
        if (i > from) seq = this.socket.generateSeq();
        const length = requests.length(i);
        // Each message starts 4-byte aligned (NLMSG_ALIGN); nlmsg_len leaves the padding out.
        const end = at + align(HeaderLength + length);
        this.reserve(end);
        this.scratch.fill(0, at, end);
        const flags = requests.flags(i) | NLM_F_REQUEST | (i === to - 1 ? NLM_F_ACK : 0);
        writeHeader(this.scratchView, at, HeaderLength + length, requests.type(i), flags, seq);
        requests.write(i, this.scratch, at + HeaderLength);
        at = end;
      }
      // Its own copy: the socket sends it later, while the next datagram is written.
      const datagram = Buffer.allocUnsafeSlow(at);
      this.scratch.copy(datagram, 0, 0, at);
      const finish = (): void => {
        clearTimeout(timer);
        this.pending.delete(pending);
        if (this.pending.size === 0) this.socket.ref(false);
      };
      const timer = setTimeout(() => pending.fail(new NetlinkRequestError(operation, 0, `no answer from the kernel within ${this.timeoutMs} ms`)), this.timeoutMs);
      const pending: Pending = {
        first,
        count: to - from,
        last: seq,
        errnos,
        offset: from,
        done: () => {
          finish();
          resolve();
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      this.pending.add(pending);
      // Keep the event loop alive until the answer comes.
      this.socket.ref(true);
      // One buffer: sendmsg refuses more than UIO_MAXIOV (1,024) pieces with EMSGSIZE.
      this.socket.socket.send(datagram, {}, (error) => {
        if (error !== undefined) pending.fail(wrapNetlinkError(operation, error));
      });
    });
  }

  /** Room for `bytes` in the buffer datagrams are written in. */
  private reserve(bytes: number): void {
    if (bytes <= this.scratch.length) return;
    const grown = Buffer.alloc(Math.max(bytes, this.scratch.length * 2));
    this.scratch.copy(grown);
    this.scratch = grown;
    this.scratchView = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  /** NLMSG_ERROR answers to the pending datagrams; other messages are not ours (the socket's own requests take theirs). */
  private receive(messages: NetlinkMessage[]): void {
    for (const message of messages) {
      if (message.type !== NLMSG_ERROR) continue;
      for (const pending of this.pending) {
        const index = (((message.seq - pending.first) % SeqSpace) + SeqSpace) % SeqSpace;
        if (index >= pending.count) continue;
        let errno: number;
        try {
          errno = -parseError(message.data, message.flags).errno;
        } catch {
          errno = EPROTO;
        }
        pending.errnos[pending.offset + index] = errno;
        if (message.seq === pending.last) pending.done();
        break;
      }
    }
  }
}

/**
 * One rtnetlink socket for requests and dumps: batches through a
 * NetlinkBatcher, single requests as batches of one, dumps through the
 * package. Every failure is a NetlinkRequestError.
 */
export class Rtnetlink {
  private readonly rt: RtNetlinkSocket;
  private readonly batcher: NetlinkBatcher;

  constructor(readonly timeoutMs = 5000) {
    try {
      this.rt = createRtNetlink();
    } catch (error) {
      throw wrapNetlinkError('open rtnetlink socket', error);
    }
    this.batcher = new NetlinkBatcher(this.rt.socket, timeoutMs);
  }

  /** Many requests, MessagesPerDatagram to a sendmsg; each one's errno, in order (0: done). */
  async batch(count: number, requests: BatchEncoder, operation: string): Promise<Int32Array> {
    if (count === 0) return new Int32Array(0);
    return this.batcher.send(count, requests, operation);
  }

  /** One request; the kernel's errno (0: done). */
  async request(type: number, flags: number, body: Uint8Array, operation: string): Promise<number> {
    const [errno] = await this.batch(1, builtRequests(() => ({ type, flags, body })), operation);
    return errno as number;
  }

  /**
   * The first answer to a dump request, read with the package's error check
   * off, so that an NLMSG_ERROR reaches the caller with its errno.
   */
  async firstDumpReply(type: number, body: Uint8Array, operation: string): Promise<NetlinkMessage | undefined> {
    try {
      const [replies] = await this.rt.socket.request(type, [body], { flags: NLM_F_DUMP, checkError: false, timeout: this.timeoutMs });
      return replies[0];
    } catch (error) {
      throw wrapNetlinkError(operation, error);
    }
  }

  /**
   * Every message of a dump, as bytes: the caller reads what it needs of
   * each (a route dump at 400,000 routes is read this way, see
   * route-message.ts dumpOurRoutes).
   */
  async dump(type: number, body: Uint8Array, operation: string): Promise<NetlinkMessage[]> {
    try {
      const [replies] = await this.rt.socket.request(type, [body], { flags: NLM_F_DUMP, timeout: this.timeoutMs });
      return replies;
    } catch (error) {
      throw wrapNetlinkError(operation, error);
    }
  }

  /** Every nexthop object and group. */
  async dumpNexthops(): Promise<rt.NextHopMessage[]> {
    try {
      return await this.rt.getNextHops({ family: AF_UNSPEC }, {}, { timeout: this.timeoutMs });
    } catch (error) {
      throw wrapNetlinkError('dump nexthops', error);
    }
  }

  /** The index of the interface called `name`; undefined when there is none. */
  async ifIndex(name: string): Promise<number | undefined> {
    let links: rt.LinkMessage[];
    try {
      links = await this.rt.getLinks({}, {}, { timeout: this.timeoutMs });
    } catch (error) {
      throw wrapNetlinkError('dump links', error);
    }
    return links.find((link) => link.attrs.ifname === name)?.data.index;
  }

  close(): void {
    this.rt.socket.close();
  }
}
