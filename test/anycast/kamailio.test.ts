// The announcer supervising a real Kamailio on 127.0.0.1: its SIP stack
// accepts our OPTIONS over UDP and TCP, kill -9 of the main process takes
// every worker with it, and the prefix comes back after the restart.
// Needs /usr/sbin/kamailio (.ci/run installs it): skipped with a printed
// reason without it, a failure under CI=true (peerGate).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry, ProcessEvent } from '../../src/anycast/announcer-api.js';
import { Announcer } from '../../src/anycast/announcer.js';
import type { Advertisement } from '../../src/anycast/types.js';
import { KAMAILIO_FILES, kamailioCommand, kamailioConfig } from '../../src/lab/kamailio.js';
import { parsePrefix } from '../../src/lib/ipv4.js';
import { missing, peerGate } from '../helpers/gates.js';
import { freePort, waitFor } from '../helpers/wait.js';
import { groupMembers, nextEvent } from './wait.js';

const gate = peerGate('the Kamailio supervision test', missing(KAMAILIO_FILES));

describe.skipIf(gate.skip)('supervising Kamailio', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anycast-kamailio-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers our OPTIONS over UDP and TCP; kill -9 withdraws, kills the workers, and it comes back', async () => {
    const port = await freePort();
    const cfg = join(dir, 'kamailio.cfg');
    writeFileSync(cfg, kamailioConfig({ listen: `127.0.0.1:${port}`, tcp: true }));
    const ads: { ad: Advertisement; hrAt: number }[] = [];
    const logs: LogEntry[] = [];
    const timing = { intervalMs: 100, timeoutMs: 80, rise: 2, fall: 2 };
    const announcer = new Announcer({
      prefixes: [
        {
          prefix: parsePrefix('10.206.206.1/32'),
          minIntervalMs: 100,
          checks: [
            {
              kind: 'process',
              name: 'kamailio',
              command: kamailioCommand(cfg, dir),
              restartDelayMs: 200,
              stopGraceMs: 3000,
            },
            { kind: 'sip-options', host: '127.0.0.1', port, transport: 'udp', codes: ['200'], ...timing },
            { kind: 'sip-options', host: '127.0.0.1', port, transport: 'tcp', codes: ['200'], ...timing },
          ],
        },
      ],
      advertise: (ad) => ads.push({ ad, hrAt: performance.now() }),
      log: (entry) => logs.push(entry),
    });
    const spawns: ProcessEvent[] = [];
    let exitHrAt = 0;
    announcer.on('process', (e) => {
      if (e.event === 'spawn') spawns.push(e);
      else exitHrAt = performance.now();
    });
    let workers: number[] = [];
    try {
      const up = nextEvent(announcer, 'advertise', (a) => a.mode === 'announce', 15_000);
      await announcer.start();
      await up;
      const status = announcer.status()[0];
      for (const check of status?.checks.slice(1) ?? []) {
        expect(check.last?.reason, check.name).toMatch(/^200 OK \(kamailio \(5\.\d+\.\d+/);
      }
      expect(logs.some((l) => l.message.startsWith('[kamailio] ') && l.message.includes('Listening on'))).toBe(true);
      const main = spawns[0]?.pid as number;
      workers = groupMembers(main);
      // The main process and its forked workers share its group.
      expect(workers.length).toBeGreaterThan(2);
      await new Promise((resolve) => setTimeout(resolve, 150));

      const before = ads.length;
      const killedAt = performance.now();
      process.kill(main, 'SIGKILL');
      await waitFor('the withdrawal', () => ads.length > before, { timeoutMs: 3000, intervalMs: 10 });
      const withdrawal = ads[before] as (typeof ads)[number];
      expect(withdrawal.ad.mode).toBe('withdraw');
      console.log(
        `kamailio: kill -9 -> withdraw ${(withdrawal.hrAt - killedAt).toFixed(2)} ms (exit event -> withdraw ${(withdrawal.hrAt - exitHrAt).toFixed(3)} ms), ${workers.length - 1} workers`,
      );
      await waitFor('every worker to be gone', () => groupMembers(main).length === 0, { timeoutMs: 3000, intervalMs: 10 });

      // The restart binds the same port again (no worker holds it) and passes rise.
      const back = nextEvent(announcer, 'advertise', (a) => a.mode === 'announce', 15_000);
      await back;
      expect(spawns).toHaveLength(2);
      workers = groupMembers(spawns[1]?.pid as number);
      expect(workers.length).toBeGreaterThan(2);
    } finally {
      await announcer.stop();
    }
    // stop(): SIGTERM to the group; Kamailio shuts down its workers itself.
    for (const spawn of spawns) expect(groupMembers(spawn.pid as number)).toEqual([]);
  });
});
