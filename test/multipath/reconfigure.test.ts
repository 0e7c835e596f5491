// MultipathFib.reconfigure(), the reload path of the router role, without a
// namespace: the hash policy follows `multipath hash` both ways (the sysctl
// is a temporary file here), bad group settings are refused, and turning on
// per-packet spreading where `nft` cannot run is refused before anything
// changes. No route is installed, so the kernel is only read.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MultipathFib, PerPacketError, type MultipathSettings } from '../../src/multipath/index.js';

const RESILIENT: MultipathSettings['multipath']['group'] = { kind: 'resilient', buckets: 128, idleTimer: 0, unbalancedTimer: 0 };

describe('MultipathFib.reconfigure', () => {
  const path = process.env.PATH;
  let dir = '';
  let sysctl = '';
  let fib: MultipathFib;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oa-reconfigure-'));
    sysctl = join(dir, 'fib_multipath_hash_policy');
    writeFileSync(sysctl, '0\n');
    fib = new MultipathFib({
      table: 254,
      metric: 20,
      multipath: { group: RESILIENT, hash: 'layer3' },
      perPacketInterfaces: [],
      ifIndexOf: () => undefined,
      log: () => undefined,
      hashPolicyPath: sysctl,
    });
  });

  afterEach(() => {
    process.env.PATH = path;
    fib.close();
  });

  const policy = (): string => readFileSync(sysctl, 'utf8').trim();

  it('layer4 sets the hash policy; back to layer3 puts the value found before', async () => {
    await fib.reconfigure({ multipath: { group: RESILIENT, hash: 'layer4' }, perPacketInterfaces: [] });
    expect(policy()).toBe('1');
    await fib.reconfigure({ multipath: { group: { kind: 'hash-threshold' }, hash: 'layer3' }, perPacketInterfaces: [] });
    expect(policy()).toBe('0');
  });

  it('refuses a resilient group the kernel cannot take', async () => {
    await expect(fib.reconfigure({ multipath: { group: { ...RESILIENT, buckets: 0 }, hash: 'layer4' }, perPacketInterfaces: [] })).rejects.toThrow(/bad resilient bucket count 0/);
    expect(policy()).toBe('0');
  });

  it('refuses per-packet spreading without nft, naming the package, and changes nothing', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'oa-empty-path-'));
    const error = await fib.reconfigure({ multipath: { group: RESILIENT, hash: 'layer4' }, perPacketInterfaces: ['eth0'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerPacketError);
    expect((error as Error).message).toMatch(/"nft" is not installed.*nftables/);
    expect(policy()).toBe('0');
  });
});
