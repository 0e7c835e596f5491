// The OSPF interface socket against a stand-in raw socket: the exact socket
// options and option bytes, membership bookkeeping, the receive path (copy,
// checks, counters) and send/close error handling. The real kernel path is
// in transport.ns.test.ts.
import { EventEmitter } from 'node:events';
import { endianness } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { AllDRouters, type Output } from '../../src/core/api.js';
import { TransportClosedError, TransportSendError, TransportSetupError } from '../../src/io/errors.js';
import { OspfInterfaceSocket, OspfTransport, sendingAtOnce, type RawSocketLike, type TransportDrop } from '../../src/io/transport.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';

/** A C int in host order, written independently of src/io/sockopt.ts. */
function int(n: number): string {
  const b = Buffer.alloc(4);
  if (endianness() === 'LE') b.writeInt32LE(n);
  else b.writeInt32BE(n);
  return b.toString('hex');
}

class FakeSocket extends EventEmitter implements RawSocketLike {
  readonly options: [number, number, string][] = [];
  readonly sends: { bytes: string; address: string; done: (error: Error | null, bytes: number) => void }[] = [];
  closed = false;
  failOn: number | undefined;

  setOption(level: number, option: number, value: Buffer, length: number): void {
    if (option === this.failOn) throw new Error('Operation not permitted');
    this.options.push([level, option, value.subarray(0, length).toString('hex')]);
  }
  send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | null, bytes: number) => void): void {
    this.sends.push({ bytes: buffer.subarray(offset, offset + length).toString('hex'), address, done: after });
  }
  close(): void {
    this.closed = true;
  }
}

const ifIndex = 7;
const options = { ifName: 'eth1', ifIndex, networkType: 'broadcast' as const, addresses: [{ address: parseIpv4('10.0.0.1'), prefixLength: 24 }] };

function open(): { fake: FakeSocket; socket: OspfInterfaceSocket } {
  const fake = new FakeSocket();
  const socket = new OspfInterfaceSocket(options, () => fake);
  return { fake, socket };
}

/** An IPv4 + OSPF datagram with a correct header checksum. */
function datagram(src: string, dst: string): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt8(0x45, 0);
  b.writeUInt8(0xc0, 1);
  b.writeUInt16BE(28, 2);
  b.writeUInt8(1, 8);
  b.writeUInt8(89, 9);
  b.writeUInt32BE(parseIpv4(src), 12);
  b.writeUInt32BE(parseIpv4(dst), 16);
  b.write('0201001c', 20, 'hex');
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, 10);
  return b;
}

describe('OspfInterfaceSocket setup', () => {
  it('RFC 2328 A.1: binds to the device, sets TOS 0xC0 and TTL 1, no loop, joins AllSPFRouters', () => {
    const { fake } = open();
    // struct ip_mreqn: group and address in network order, then the index in host order.
    const addr = (text: string): string => parseIpv4(text).toString(16).padStart(8, '0');
    const mreqn = (group: string, address: string): string => `${addr(group)}${addr(address)}${int(ifIndex)}`;
    expect(fake.options).toEqual([
      [1, 25, Buffer.from('eth1\0').toString('hex')], // SO_BINDTODEVICE
      [1, 8, int(1 << 20)], // SO_RCVBUF
      [1, 12, int(7)], // SO_PRIORITY
      [0, 1, int(0xc0)], // IP_TOS
      [0, 2, int(1)], // IP_TTL
      [0, 33, int(1)], // IP_MULTICAST_TTL
      [0, 34, int(0)], // IP_MULTICAST_LOOP
      [0, 49, int(0)], // IP_MULTICAST_ALL
      [0, 32, mreqn('0.0.0.0', '10.0.0.1')], // IP_MULTICAST_IF
      [0, 35, mreqn('224.0.0.5', '0.0.0.0')], // IP_ADD_MEMBERSHIP
    ]);
  });

  it('throws TransportSetupError naming the option, and closes the socket', () => {
    const fake = new FakeSocket();
    fake.failOn = 25;
    expect(() => new OspfInterfaceSocket(options, () => fake)).toThrow(TransportSetupError);
    expect(() => new OspfInterfaceSocket(options, () => fake)).toThrow(/eth1: setsockopt SO_BINDTODEVICE: Operation not permitted/);
    expect(fake.closed).toBe(true);
  });

  it('throws TransportSetupError when the socket cannot be created', () => {
    expect(
      () =>
        new OspfInterfaceSocket(options, () => {
          throw new Error('Operation not permitted');
        }),
    ).toThrow(TransportSetupError);
  });

  it('follows a new source address with IP_MULTICAST_IF', () => {
    const { fake, socket } = open();
    socket.update({ networkType: 'broadcast', addresses: [{ address: parseIpv4('10.0.9.1'), prefixLength: 24 }] });
    expect(fake.options.at(-1)).toEqual([0, 32, `000000000a000901${int(ifIndex)}`]);
  });
});

describe('OspfInterfaceSocket on a re-created interface', () => {
  it('binds again and re-joins its groups on the new ifIndex', () => {
    const { fake, socket } = open();
    socket.setMembership(AllDRouters, true);
    const before = fake.options.length;
    socket.update({ ifIndex: 12, networkType: 'broadcast', addresses: options.addresses });
    expect(socket.ifIndex).toBe(12);
    expect(fake.options.slice(before)).toEqual([
      [1, 25, Buffer.from('eth1\0').toString('hex')],
      [0, 35, `e000000500000000${int(12)}`],
      [0, 35, `e000000600000000${int(12)}`],
      [0, 32, `000000000a000001${int(12)}`],
    ]);
  });
});

/** raw-socket's socket as sendingAtOnce() sees it: a queue, and a native handle whose send() may fail. */
class FakeRawSocket extends FakeSocket {
  readonly requests: unknown[] = [];
  readonly direct: string[] = [];
  directError: string | undefined;
  readonly wrap = {
    send: (buffer: Buffer, offset: number, length: number, _address: string, callback: (bytes: number) => void): void => {
      if (this.directError !== undefined) throw new Error(this.directError);
      this.direct.push(buffer.subarray(offset, offset + length).toString('hex'));
      callback(length);
    },
  };
  override send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | null, bytes: number) => void): void {
    super.send(buffer, offset, length, address, after);
    this.requests.push(buffer);
  }
}

describe('sendingAtOnce', () => {
  const socketOf = (fake: FakeRawSocket): RawSocketLike => sendingAtOnce(fake as unknown as Parameters<typeof sendingAtOnce>[0]);

  it('calls sendto() at once while nothing is queued', () => {
    const fake = new FakeRawSocket();
    const after = vi.fn();
    socketOf(fake).send(Buffer.from('0102', 'hex'), 0, 2, '224.0.0.5', after);
    expect(fake.direct).toEqual(['0102']);
    expect(after).toHaveBeenCalledWith(null, 2);
    expect(fake.sends).toEqual([]);
  });

  it('queues when the kernel has no room, and behind what is queued, keeping the order', () => {
    const fake = new FakeRawSocket();
    const socket = socketOf(fake);
    fake.directError = 'Resource temporarily unavailable';
    socket.send(Buffer.from('01', 'hex'), 0, 1, '224.0.0.5', vi.fn());
    fake.directError = undefined;
    socket.send(Buffer.from('02', 'hex'), 0, 1, '224.0.0.5', vi.fn());
    expect(fake.direct).toEqual([]);
    expect(fake.sends.map((s) => s.bytes)).toEqual(['01', '02']);
  });

  it('reports any other sendto() error to the caller', () => {
    const fake = new FakeRawSocket();
    fake.directError = 'Network is unreachable';
    const after = vi.fn();
    socketOf(fake).send(Buffer.from('01', 'hex'), 0, 1, '10.0.0.9', after);
    expect(after).toHaveBeenCalledWith(new Error('Network is unreachable'), 0);
    expect(fake.sends).toEqual([]);
  });
});

describe('OspfInterfaceSocket membership', () => {
  it('RFC 2328 A.1: joins and leaves AllDRouters once, whatever the repetitions', () => {
    const { fake, socket } = open();
    const before = fake.options.length;
    socket.setMembership(AllDRouters, true);
    socket.setMembership(AllDRouters, true);
    expect(socket.memberships()).toEqual([parseIpv4('224.0.0.5'), AllDRouters]);
    socket.setMembership(AllDRouters, false);
    socket.setMembership(AllDRouters, false);
    expect(fake.options.slice(before).map(([, option, bytes]) => [option, bytes.slice(0, 8)])).toEqual([
      [35, 'e0000006'],
      [36, 'e0000006'],
    ]);
    expect(socket.memberships()).toEqual([parseIpv4('224.0.0.5')]);
  });
});

describe('OspfInterfaceSocket receive', () => {
  it('hands on a copy of the datagram: the reused receive buffer may change afterwards', () => {
    const { fake, socket } = open();
    const got: Uint8Array[] = [];
    socket.on('packet', (input, header) => {
      expect(input).toMatchObject({ kind: 'packet', ifName: 'eth1', src: parseIpv4('10.0.0.2'), dst: parseIpv4('224.0.0.5') });
      expect(header).toMatchObject({ ttl: 1, tos: 0xc0 });
      got.push(input.data);
    });
    const buffer = datagram('10.0.0.2', '224.0.0.5');
    fake.emit('message', buffer, '10.0.0.2');
    buffer.fill(0);
    expect(got).toEqual([Uint8Array.from(Buffer.from('0201001c00000000', 'hex'))]);
    expect(socket.counters()).toEqual({ received: 1, accepted: 1, dropped: {}, sent: 0, sendErrors: 0 });
  });

  it('RFC 2328 8.2: counts and reports drops instead of throwing', () => {
    const { fake, socket } = open();
    const drops: TransportDrop[] = [];
    socket.on('drop', (drop) => drops.push(drop));
    fake.emit('message', Buffer.from('4500', 'hex'), '10.0.0.2');
    fake.emit('message', datagram('192.0.2.1', '224.0.0.5'), '192.0.2.1');
    fake.emit('message', datagram('10.0.0.1', '224.0.0.5'), '10.0.0.1');
    expect(drops).toEqual([
      { ifName: 'eth1', reason: 'truncated' },
      { ifName: 'eth1', reason: 'source-off-subnet', src: parseIpv4('192.0.2.1') },
      { ifName: 'eth1', reason: 'own-packet', src: parseIpv4('10.0.0.1') },
    ]);
    expect(socket.counters()).toMatchObject({ received: 3, accepted: 0, dropped: { truncated: 1, 'source-off-subnet': 1, 'own-packet': 1 } });
  });

  it("keeps the socket open when a 'packet' listener throws, and re-throws on a later tick", () => {
    const { fake, socket } = open();
    const later: (() => void)[] = [];
    const spy = vi.spyOn(globalThis, 'setImmediate').mockImplementation(((fn: () => void) => {
      later.push(fn);
      return undefined as unknown as NodeJS.Immediate;
    }) as typeof setImmediate);
    try {
      socket.on('packet', () => {
        throw new Error('listener bug');
      });
      fake.emit('message', datagram('10.0.0.2', '224.0.0.5'), '10.0.0.2');
    } finally {
      spy.mockRestore();
    }
    expect(socket.isClosed).toBe(false);
    expect(later).toHaveLength(1);
    expect(() => later[0]?.()).toThrow('listener bug');
  });

  it('closes and reports a socket that fails while receiving', () => {
    const { fake, socket } = open();
    const errors: Error[] = [];
    socket.on('error', (error) => errors.push(error));
    fake.emit('error', new Error('-9'));
    expect(errors).toEqual([expect.any(TransportSetupError)]);
    expect(socket.isClosed).toBe(true);
    expect(fake.closed).toBe(true);
  });
});

describe('OspfInterfaceSocket send', () => {
  it('sends a private copy to the dotted destination and counts it', async () => {
    const { fake, socket } = open();
    const data = Uint8Array.from([2, 1, 0, 4]);
    const sent = socket.send(parseIpv4('224.0.0.5'), data);
    data[0] = 9;
    expect(fake.sends.map((s) => [s.bytes, s.address])).toEqual([['02010004', '224.0.0.5']]);
    fake.sends[0]?.done(null, 4);
    await sent;
    expect(socket.counters().sent).toBe(1);
  });

  it('rejects with TransportSendError when the kernel refuses', async () => {
    const { fake, socket } = open();
    const sent = socket.send(parseIpv4('10.0.0.2'), Uint8Array.of(1));
    fake.sends[0]?.done(new Error('Message too long'), 0);
    await expect(sent).rejects.toThrow(TransportSendError);
    await expect(sent).rejects.toThrow('eth1: send to 10.0.0.2: Message too long');
    expect(socket.counters().sendErrors).toBe(1);
  });

  it('rejects pending and later sends with TransportClosedError after close()', async () => {
    const { fake, socket } = open();
    const pending = socket.send(parseIpv4('10.0.0.2'), Uint8Array.of(1));
    socket.close();
    await expect(pending).rejects.toThrow(TransportClosedError);
    fake.sends[0]?.done(null, 1);
    await expect(socket.send(parseIpv4('10.0.0.2'), Uint8Array.of(1))).rejects.toThrow(TransportClosedError);
    expect(() => socket.setMembership(AllDRouters, true)).toThrow(TransportClosedError);
    expect(fake.closed).toBe(true);
  });
});

describe('OspfTransport', () => {
  it("carries out 'send' and 'membership' outputs and leaves the rest", async () => {
    const fakes: FakeSocket[] = [];
    const transport = new OspfTransport(() => {
      const fake = new FakeSocket();
      fakes.push(fake);
      return fake;
    });
    transport.open(options);
    transport.open({ ...options, ifName: 'eth0', ifIndex: 3 });
    expect(transport.interfaces()).toEqual(['eth0', 'eth1']);
    const send: Output = { kind: 'send', ifName: 'eth1', dst: parseIpv4('224.0.0.5'), data: Uint8Array.of(2) };
    const done = transport.carryOut(send);
    fakes[0]?.sends[0]?.done(null, 1);
    expect(await done).toBe(true);
    expect(await transport.carryOut({ kind: 'membership', ifName: 'eth0', group: AllDRouters, join: true })).toBe(true);
    expect(transport.get('eth0')?.memberships()).toContain(AllDRouters);
    expect(await transport.carryOut({ kind: 'event', event: { type: 'drop', ifName: 'eth0', reason: 'x', src: 0 } })).toBe(false);
    await expect(transport.carryOut({ ...send, ifName: 'eth9' })).rejects.toThrow(TransportClosedError);
    transport.closeAll();
    expect(fakes.every((f) => f.closed)).toBe(true);
    expect(transport.interfaces()).toEqual([]);
  });

  it('re-emits packets of every interface', () => {
    const fake = new FakeSocket();
    const transport = new OspfTransport(() => fake);
    transport.open(options);
    const seen: string[] = [];
    transport.on('packet', (input) => seen.push(input.ifName));
    fake.emit('message', datagram('10.0.0.2', '224.0.0.5'), '10.0.0.2');
    expect(seen).toEqual(['eth1']);
  });
});
