// Route installer pieces that need no privileges: the RTA_MULTIPATH bytes
// and input validation (which rejects before anything reaches the kernel).
// The kernel side is in routes.ns.test.ts.
import { endianness } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidRouteError } from '../../src/io/kernel-route.js';
import { multipathBytes, parseMultipath, routeBytes, routeDeletes, routePuts } from '../../src/io/route-message.js';
import { RouteInstaller } from '../../src/io/routes.js';
import { parseIpv4, parsePrefix } from '../../src/lib/ipv4.js';

/** u16 and s32 in host order, written independently of the code under test. */
const u16 = (n: number): string => {
  const b = Buffer.alloc(2);
  if (endianness() === 'LE') b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b.toString('hex');
};
const s32 = (n: number): string => {
  const b = Buffer.alloc(4);
  if (endianness() === 'LE') b.writeInt32LE(n);
  else b.writeInt32BE(n);
  return b.toString('hex');
};

describe('multipathBytes', () => {
  it('encodes one struct rtnexthop per path with a nested RTA_GATEWAY', () => {
    const bytes = multipathBytes([
      { gateway: parseIpv4('10.91.1.2'), ifIndex: 3 },
      { gateway: parseIpv4('10.91.2.2'), ifIndex: 4 },
    ]);
    // rtnh_len 16, flags 0, hops 0, ifindex; then rta_len 8, RTA_GATEWAY (5), address.
    expect(bytes.toString('hex')).toBe(`${u16(16)}0000${s32(3)}${u16(8)}${u16(5)}0a5b0102` + `${u16(16)}0000${s32(4)}${u16(8)}${u16(5)}0a5b0202`);
  });

  it('leaves RTA_GATEWAY out of a path that is the interface alone', () => {
    expect(multipathBytes([{ gateway: 0, ifIndex: 9 }]).toString('hex')).toBe(`${u16(8)}0000${s32(9)}`);
  });
});

describe('parseMultipath', () => {
  it('reads back what multipathBytes writes', () => {
    const hops = [
      { gateway: parseIpv4('10.91.1.2'), ifIndex: 3 },
      { gateway: 0, ifIndex: 5 },
      { gateway: parseIpv4('10.91.3.2'), ifIndex: 4 },
    ];
    expect(parseMultipath(multipathBytes(hops))).toEqual(hops);
  });

  it('stops at a truncated or malformed entry without throwing', () => {
    const bytes = multipathBytes([
      { gateway: parseIpv4('10.91.1.2'), ifIndex: 3 },
      { gateway: parseIpv4('10.91.2.2'), ifIndex: 4 },
    ]);
    expect(parseMultipath(bytes.subarray(0, 20))).toEqual([{ gateway: parseIpv4('10.91.1.2'), ifIndex: 3 }]);
    const zeroLength = Buffer.from(bytes);
    zeroLength.fill(0, 0, 2);
    expect(parseMultipath(zeroLength)).toEqual([]);
    expect(parseMultipath(new Uint8Array(3))).toEqual([]);
  });
});

describe('route messages written in place', () => {
  const u32 = (n: number): string => s32(n | 0);
  const attr = (type: number, value: string): string => u16(8) + u16(type) + value;
  /** struct rtmsg, then RTA_DST, RTA_TABLE 254 and RTA_PRIORITY 20. */
  const head = (dst: string, length: number, scope: number, type: number): string =>
    ['02', length.toString(16).padStart(2, '0'), '00', '00', 'fe', 'bc', scope.toString(16).padStart(2, '0'), type.toString(16).padStart(2, '0'), '00000000'].join('') +
    attr(1, Buffer.from(dst.split('.').map(Number)).toString('hex')) +
    attr(15, u32(254)) +
    attr(6, u32(20));

  /** Each request of an encoder written at an odd offset of a dirty buffer's zeroed stretch, as the batcher writes them. */
  function written(encoder: ReturnType<typeof routePuts>, count: number): { type: number; flags: number; hex: string }[] {
    return Array.from({ length: count }, (_, i) => {
      const buf = Buffer.alloc(200, 0xaa);
      buf.fill(0, 20, 20 + encoder.length(i));
      encoder.write(i, buf, 20);
      return { type: encoder.type(i), flags: encoder.flags(i), hex: buf.subarray(20, 20 + encoder.length(i)).toString('hex') };
    });
  }

  it('writes a route naming its nexthop group, created or replaced', () => {
    const routes = [parsePrefix('10.1.0.7/32'), parsePrefix('10.2.0.0/24')].map((prefix) => ({ prefix, nextHops: [{ gateway: 1, ifIndex: 1 }] }));
    expect(written(routePuts(routes, [false, true], 254, 20, [188000001, 188000002]), 2)).toEqual([
      { type: 24, flags: 0x600, hex: head('10.1.0.7', 32, 0, 1) + attr(30, u32(188000001)) },
      { type: 24, flags: 0x500, hex: head('10.2.0.0', 24, 0, 1) + attr(30, u32(188000002)) },
    ]);
  });

  it('writes a route with its paths as routeBytes makes it, and a delete', () => {
    const route = { prefix: parsePrefix('10.3.0.0/16'), nextHops: [{ gateway: parseIpv4('10.0.0.2'), ifIndex: 2 }, { gateway: parseIpv4('10.0.1.2'), ifIndex: 3 }] };
    expect(written(routePuts([route], [false], 254, 20), 1)[0]?.hex).toBe(routeBytes(route.prefix, 254, 20, route).toString('hex'));
    expect(written(routeDeletes([route.prefix], 254, 20), 1)).toEqual([{ type: 25, flags: 0, hex: head('10.3.0.0', 16, 255, 0) }]);
  });
});

describe('RouteInstaller input checks', () => {
  let installer: RouteInstaller | undefined;
  afterEach(() => installer?.close());

  const hop = { gateway: parseIpv4('10.0.0.2'), ifIndex: 2 };
  const bad: [string, unknown][] = [
    ['a prefix with host bits', { prefix: { address: parseIpv4('10.0.0.1'), length: 24 }, nextHops: [hop] }],
    ['a prefix length of 33', { prefix: { address: 0, length: 33 }, nextHops: [hop] }],
    ['no next hop', { prefix: parsePrefix('10.0.0.0/24'), nextHops: [] }],
    ['ifIndex 0', { prefix: parsePrefix('10.0.0.0/24'), nextHops: [{ gateway: hop.gateway, ifIndex: 0 }] }],
    ['a gateway out of range', { prefix: parsePrefix('10.0.0.0/24'), nextHops: [{ gateway: -1, ifIndex: 2 }] }],
  ];
  for (const [what, route] of bad) {
    it(`rejects ${what} with InvalidRouteError and installs nothing`, async () => {
      installer = new RouteInstaller();
      await expect(installer.sync([route as never])).rejects.toThrow(InvalidRouteError);
      expect(installer.installed()).toEqual([]);
    });
  }

  it('rejects a bad table or metric at construction', () => {
    expect(() => new RouteInstaller({ table: 0 })).toThrow(InvalidRouteError);
    expect(() => new RouteInstaller({ metric: -1 })).toThrow(InvalidRouteError);
  });
});
