// NetlinkBatcher against a stand-in socket that answers as the kernel's
// netlink_rcv_skb does: one NLMSG_ERROR per failed message, and an
// acknowledgment (errno 0) only for a message that asks for one.
import { EventEmitter } from 'node:events';
import { parseMessages, type NetlinkMessage, type NetlinkSocket } from '../../src/io/netlink-package.js';
import { describe, expect, it } from 'vitest';
import { builtRequests, MessagesPerDatagram, NetlinkBatcher, type BatchRequest } from '../../src/io/netlink.js';
import { NetlinkRequestError } from '../../src/io/errors.js';

const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;

/** struct nlmsgerr: the negative errno, then the request's header. */
function errorReply(request: NetlinkMessage, errno: number): NetlinkMessage {
  const data = Buffer.alloc(20);
  data.writeInt32LE(-errno, 0);
  data.writeUInt32LE(16 + request.data.length, 4);
  data.writeUInt16LE(request.type, 8);
  data.writeUInt16LE(request.flags, 10);
  data.writeUInt32LE(request.seq, 12);
  return { type: NLMSG_ERROR, flags: 0, seq: request.seq, port: 0, data };
}

class FakeKernel extends EventEmitter {
  datagrams: NetlinkMessage[][] = [];
  seq = 1;
  /** Datagrams sent before the kernel answered the first. */
  sentBeforeFirstAnswer = 0;
  private answered = false;
  /** errno for a request, by the first byte of its body. */
  constructor(
    private readonly errnoOf: (body: Buffer) => number,
    private readonly answer = true,
  ) {
    super();
  }

  readonly socket = {
    send: (data: Uint8Array, _options: object, callback: (error?: Error) => void): void => {
      const messages = parseMessages(Buffer.from(data));
      this.datagrams.push(messages);
      if (!this.answered) this.sentBeforeFirstAnswer += 1;
      callback();
      if (!this.answer) return;
      const replies: NetlinkMessage[] = [];
      for (const m of messages) {
        const errno = this.errnoOf(m.data);
        if (errno !== 0 || (m.flags & NLM_F_ACK) !== 0) replies.push(errorReply(m, errno));
      }
      // One datagram per answer, as the kernel sends them.
      setImmediate(() => {
        this.answered = true;
        replies.forEach((r) => this.emit('message', [r]));
      });
    },
  };

  generateSeq(): number {
    return this.seq++;
  }

  ref(): void {}

  setRecvBufferSize(): void {}

  /** What Linux reports for SO_RCVBUF after 1 MiB was asked for: twice that. */
  getRecvBufferSize(): number {
    return 2 << 20;
  }
}

function requests(count: number): BatchRequest[] {
  return Array.from({ length: count }, (_, i) => ({ type: 24, flags: 0x400, body: Buffer.from([i % 256, 0, 0, 0]) }));
}

describe('NetlinkBatcher: many requests per sendmsg, errors per request', () => {
  it('sends at most MessagesPerDatagram a datagram, NLM_F_ACK on the last of each only', async () => {
    const kernel = new FakeKernel(() => 0);
    const batcher = new NetlinkBatcher(kernel as unknown as NetlinkSocket, 1000);
    const list = requests(300);
    const replies = await batcher.send(list.length, builtRequests((i) => list[i] as BatchRequest), 'route add');
    expect(replies).toHaveLength(300);
    expect(replies.every((errno) => errno === 0)).toBe(true);
    expect(kernel.datagrams.map((d) => d.length)).toEqual([MessagesPerDatagram, MessagesPerDatagram, 300 - 2 * MessagesPerDatagram]);
    for (const datagram of kernel.datagrams) {
      expect(datagram.map((m) => (m.flags & NLM_F_ACK) !== 0)).toEqual(datagram.map((_, i) => i === datagram.length - 1));
      expect(datagram.every((m) => (m.flags & NLM_F_REQUEST) !== 0 && (m.flags & 0x400) !== 0)).toBe(true);
    }
  });

  it('gives each request the errno the kernel named it with, the last of a datagram included', async () => {
    // Bodies 5 and 127 (the last of the first datagram) are refused.
    const kernel = new FakeKernel((body) => (body[0] === 5 ? 17 : body[0] === 127 ? 22 : 0));
    const batcher = new NetlinkBatcher(kernel as unknown as NetlinkSocket, 1000);
    const list = requests(200);
    const replies = await batcher.send(list.length, builtRequests((i) => list[i] as BatchRequest), 'route add');
    const refused = Array.from(replies, (errno, i) => [i, errno]).filter(([, errno]) => errno !== 0);
    expect(refused).toEqual([
      [5, 17],
      [127, 22],
    ]);
  });

  it('keeps several datagrams in flight, each answer matched to its own datagram', async () => {
    const kernel = new FakeKernel((body) => (body[0] === 200 ? 2 : 0));
    const batcher = new NetlinkBatcher(kernel as unknown as NetlinkSocket, 1000);
    const list = requests(1000);
    const replies = await batcher.send(list.length, builtRequests((i) => list[i] as BatchRequest), 'route add');
    expect(kernel.sentBeforeFirstAnswer).toBeGreaterThan(1);
    expect(Array.from(replies, (errno, i) => [i, errno]).filter(([, errno]) => errno !== 0)).toEqual([200, 456, 712, 968].map((i) => [i, 2]));
  });

  it('pads each message to 4 bytes, so a body of odd length leaves the next message readable', async () => {
    const kernel = new FakeKernel(() => 0);
    const batcher = new NetlinkBatcher(kernel as unknown as NetlinkSocket, 1000);
    const replies = await batcher.send(5, builtRequests((i) => ({ type: 104, flags: 0x400, body: Buffer.from([i, 1, 2, 3, 4, 5]) })), 'nexthop add');
    expect(replies.every((errno) => errno === 0)).toBe(true);
    expect(kernel.datagrams[0]?.map((m) => [m.type, m.data.length, m.data[0]])).toEqual([0, 1, 2, 3, 4].map((i) => [104, 6, i]));
  });

  it('rejects with NetlinkRequestError when the kernel does not answer in time', async () => {
    const kernel = new FakeKernel(() => 0, false);
    const batcher = new NetlinkBatcher(kernel as unknown as NetlinkSocket, 20);
    const list = requests(3);
    await expect(batcher.send(list.length, builtRequests((i) => list[i] as BatchRequest), 'route add')).rejects.toBeInstanceOf(NetlinkRequestError);
  });
});
