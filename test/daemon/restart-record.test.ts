// The record of a planned graceful restart (RFC 3623 2.1) in the run
// directory: one start takes it, and a bad one is a reason, never a crash.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restartRecordPath, takeRestartRecord, writeRestartRecord } from '../../src/daemon/restart-record.js';

describe('graceful restart record', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ospf-anycast-restart-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken by one start only', () => {
    writeRestartRecord(dir, { at: 1_000, gracePeriod: 60, until: 61_000 });
    expect(takeRestartRecord(dir, 2_000)).toEqual({ kind: 'found', record: { at: 1_000, gracePeriod: 60, until: 61_000 } });
    expect(takeRestartRecord(dir, 2_000)).toEqual({ kind: 'none' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['not JSON', '{"at": 1', /not JSON/],
    ['not an object', '42', /"at" is not a past time/],
    ['from the future', JSON.stringify({ at: 10_000_000, gracePeriod: 60, until: 10_060_000 }), /"at" is not a past time/],
    ['a grace period out of range', JSON.stringify({ at: 1_000, gracePeriod: 1801, until: 1_801_000 + 1_000 }), /gracePeriod/],
    ['an end that is not at + gracePeriod', JSON.stringify({ at: 1_000, gracePeriod: 60, until: 999_999 }), /"until"/],
  ])('a record that is %s is corrupt, said with the path, and removed', (_what, text, reason) => {
    writeFileSync(restartRecordPath(dir), text);
    const lookup = takeRestartRecord(dir, 2_000);
    expect(lookup.kind).toBe('corrupt');
    expect(lookup.kind === 'corrupt' ? lookup.reason : '').toMatch(reason);
    expect(lookup.kind === 'corrupt' ? lookup.reason : '').toContain(restartRecordPath(dir));
    expect(readdirSync(dir)).toEqual([]);
  });
});
