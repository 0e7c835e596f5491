// Bad input to the multipath adapters is refused with named errors before
// anything reaches the kernel, and a missing `nft` is reported as such.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidRouteError } from '../../src/io/kernel-route.js';
import { parsePrefix } from '../../src/lib/ipv4.js';
import { NexthopInstaller, PerPacketError, PerPacketSpreader } from '../../src/multipath/index.js';

describe('NexthopInstaller input checks', () => {
  it('refuses resilient settings the kernel cannot take', () => {
    expect(() => new NexthopInstaller({ group: { kind: 'resilient', buckets: 0, idleTimer: 0, unbalancedTimer: 0 } })).toThrow(/bad resilient bucket count 0/);
    expect(() => new NexthopInstaller({ group: { kind: 'resilient', buckets: 70000, idleTimer: 0, unbalancedTimer: 0 } })).toThrow(RangeError);
    expect(() => new NexthopInstaller({ group: { kind: 'resilient', buckets: 128, idleTimer: -1, unbalancedTimer: 0 } })).toThrow(/bad resilient idle timer -1/);
    expect(() => new NexthopInstaller({ group: { kind: 'hash-threshold' }, idBase: 0 })).toThrow(/bad nexthop id base 0/);
  });

  it('rejects a malformed route with InvalidRouteError before any request', async () => {
    const installer = new NexthopInstaller({ group: { kind: 'hash-threshold' } });
    try {
      await expect(installer.sync([{ prefix: parsePrefix('10.206.206.1/32'), nextHops: [] }])).rejects.toThrow(InvalidRouteError);
      await expect(installer.sync([{ prefix: { address: 0x0ace0101, length: 24 }, nextHops: [{ gateway: 1, ifIndex: 1 }] }])).rejects.toThrow(/bad prefix 10\.206\.1\.1\/24/);
      await expect(installer.sync([{ prefix: parsePrefix('10.206.206.1/32'), nextHops: [{ gateway: 1, ifIndex: 0 }] }])).rejects.toThrow(/bad ifIndex 0/);
    } finally {
      installer.close();
    }
  });
});

describe('PerPacketSpreader without nft', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('check() names the missing command and the package that has it', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'oa-empty-path-'));
    const error = await new PerPacketSpreader().check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerPacketError);
    expect((error as Error).message).toMatch(/"nft" is not installed.*nftables/);
  });
});
