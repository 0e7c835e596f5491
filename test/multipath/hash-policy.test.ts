// `multipath hash layer3|layer4` → net.ipv4.fib_multipath_hash_policy,
// exercised on a file standing in for the sysctl.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPolicy, HashPolicyError } from '../../src/multipath/hash-policy.js';

describe('multipath hash policy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oa-hash-'));
  const path = join(dir, 'fib_multipath_hash_policy');
  afterEach(() => rmSync(path, { force: true }));

  it('layer4 writes 1 over 0 and restore() puts 0 back', async () => {
    writeFileSync(path, '0\n');
    const policy = await HashPolicy.set('layer4', path);
    expect(policy).toMatchObject({ layer: 'layer4', previous: 0, changed: true });
    expect(readFileSync(path, 'utf8')).toBe('1\n');
    await policy.restore();
    expect(readFileSync(path, 'utf8')).toBe('0\n');
  });

  it('a value that already matches is neither written nor restored', async () => {
    writeFileSync(path, '0\n');
    const policy = await HashPolicy.set('layer3', path);
    expect(policy.changed).toBe(false);
    writeFileSync(path, '2\n');
    await policy.restore();
    expect(readFileSync(path, 'utf8')).toBe('2\n');
  });

  it('a missing sysctl or an unexpected value is a HashPolicyError', async () => {
    await expect(HashPolicy.set('layer4', join(dir, 'absent'))).rejects.toThrow(HashPolicyError);
    writeFileSync(path, 'layer4\n');
    await expect(HashPolicy.set('layer4', path)).rejects.toThrow(/unexpected value "layer4"/);
  });
});
