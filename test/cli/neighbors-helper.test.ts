// `show neighbors` while a neighbor restarts gracefully and we help it (RFC 3623 3).
import { describe, expect, it } from 'vitest';
import { formatNeighbors } from '../../src/cli/format.js';
import type { NeighborRowView } from '../../src/control/views.js';

const full: NeighborRowView = { routerId: '10.205.205.2', priority: 1, state: 'Full', address: '10.205.205.2', ifName: 'eth0', retransmitCount: 0, requestCount: 0 };

describe('show neighbors with a neighbor in graceful restart', () => {
  it('adds a column saying until when each helped neighbor is helped, and why it restarts', () => {
    const helped: NeighborRowView = {
      ...full,
      routerId: '10.205.205.254',
      address: '10.205.205.254',
      state: 'ExStart',
      helper: { since: '2026-12-07T11:00:00.000Z', until: '2026-12-07T11:01:00.000Z', remainingSeconds: 42, gracePeriod: 60, restartReason: 'software restart' },
    };
    const lines = formatNeighbors([helped, full]).split('\n');
    expect(lines[0]).toMatch(/\s+RqstL\s+Helper until$/);
    expect(lines[1]).toMatch(/^10\.205\.205\.254\s+1\s+ExStart\s.*\s2026-12-07T11:01:00\.000Z \(42s left, software restart\)$/);
    expect(lines[2]).toMatch(/\s+0\s+-$/);
  });

  it('leaves the column out while nobody is helped', () => {
    expect(formatNeighbors([full]).split('\n')[0]).toMatch(/RqstL$/);
  });
});
