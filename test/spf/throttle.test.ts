// SpfScheduler against FRR's ospf_spf_calculate_schedule (ospfd/ospf_spf.c):
// hold time = INITIAL-HOLD × multiplier capped at MAX-HOLD, the multiplier
// growing with each request inside the hold time and reset after a quiet one.

import { describe, expect, it } from 'vitest';
import { SpfConfigError, SpfScheduler } from '../../src/spf/index.js';

/** Two runs in a row with the default 50 ms initial hold: the hold has doubled to 100 ms. */
function backOffTwice(s: SpfScheduler): void {
  s.request(0);
  s.ran(0);
  s.request(1);
  s.ran(50);
  expect(s.holdMs).toBe(100);
}

describe('SpfScheduler (timers throttle spf)', () => {
  it('runs the first request after DELAY (FRR defaults 0 50 5000: at once)', () => {
    const s = new SpfScheduler();
    expect(s.pending).toBeUndefined();
    expect(s.request(1000)).toBe(1000);
    expect(s.pending).toBe(1000);
  });

  it('keeps the scheduled time for requests while one is pending', () => {
    const s = new SpfScheduler({ delayMs: 20, initialHoldMs: 50, maxHoldMs: 5000 });
    expect(s.request(1000)).toBe(1020);
    expect(s.request(1005)).toBe(1020);
    expect(s.request(1019)).toBe(1020);
  });

  it('waits out the hold time after a run and grows it by INITIAL-HOLD each time', () => {
    const s = new SpfScheduler();
    s.request(1000);
    s.ran(1000);
    // 10 ms after the run, hold 50: due at 1050; the hold time becomes 100.
    expect(s.request(1010)).toBe(1050);
    expect(s.holdMs).toBe(100);
    s.ran(1050);
    // 10 ms after, hold 100: due at 1150; the hold time becomes 150.
    expect(s.request(1060)).toBe(1150);
    expect(s.holdMs).toBe(150);
    s.ran(1150);
  });

  it('goes back to DELAY and INITIAL-HOLD after a quiet hold time', () => {
    const s = new SpfScheduler();
    s.request(1000);
    s.ran(1000);
    s.request(1010);
    s.ran(1050);
    expect(s.holdMs).toBe(100);
    // 100 ms after the last run: not within the hold time.
    expect(s.request(1150)).toBe(1150);
    expect(s.holdMs).toBe(50);
  });

  it('caps the hold time at MAX-HOLD and stops growing there', () => {
    const s = new SpfScheduler({ delayMs: 10, initialHoldMs: 100, maxHoldMs: 300 });
    expect(s.request(0)).toBe(10);
    s.ran(10);
    expect(s.request(20)).toBe(110); // hold 100
    s.ran(110);
    expect(s.request(111)).toBe(310); // hold 200
    s.ran(310);
    expect(s.request(311)).toBe(610); // hold 300, the cap
    s.ran(610);
    expect(s.request(611)).toBe(910); // still 300
    expect(s.holdMs).toBe(300);
    s.ran(910);
    expect(s.request(2000)).toBe(2010); // quiet: DELAY again
    expect(s.holdMs).toBe(100);
  });

  it('always honours DELAY, even when less of the hold time is left', () => {
    const s = new SpfScheduler({ delayMs: 200, initialHoldMs: 50, maxHoldMs: 5000 });
    expect(s.request(0)).toBe(200);
    s.ran(200);
    expect(s.request(210)).toBe(410);
  });

  it('starts the back-off over when reconfigured, as FRR does', () => {
    const s = new SpfScheduler();
    backOffTwice(s);
    s.configure({ delayMs: 0, initialHoldMs: 40, maxHoldMs: 1000 });
    expect(s.holdMs).toBe(40);
  });

  it('keeps the back-off when configured with the timers it already has', () => {
    const s = new SpfScheduler({ delayMs: 0, initialHoldMs: 50, maxHoldMs: 500 });
    backOffTwice(s);
    s.configure({ delayMs: 0, initialHoldMs: 50, maxHoldMs: 500 });
    expect(s.holdMs).toBe(100);
    // The next request inside the hold time still waits it out.
    expect(s.request(60)).toBe(150);
  });

  describe('while a neighbour loads the database (RFC 2328 10.1 Exchange, Loading)', () => {
    it('defers requests to MAX-HOLD after the first, without growing the hold time', () => {
      const s = new SpfScheduler();
      expect(s.request(1000, true)).toBe(6000);
      expect(s.request(1200, true)).toBe(6000);
      expect(s.request(5999, true)).toBe(6000);
      expect(s.holdMs).toBe(50);
    });

    it('runs after DELAY once the load ends, with no run during the load', () => {
      const s = new SpfScheduler({ delayMs: 10, initialHoldMs: 50, maxHoldMs: 5000 });
      s.request(1000, true);
      s.request(1500, true);
      expect(s.request(1800)).toBe(1810);
      expect(s.holdMs).toBe(50);
    });

    it('still waits out the hold time of a run made just before the load ended', () => {
      const s = new SpfScheduler();
      s.request(0);
      s.ran(0);
      s.request(10, true);
      expect(s.request(20)).toBe(50);
    });

    it('never runs later than the bound the load set', () => {
      const s = new SpfScheduler({ delayMs: 1000, initialHoldMs: 50, maxHoldMs: 1500 });
      expect(s.request(0, true)).toBe(1500);
      // DELAY after the end of the load would be 2,000.
      expect(s.request(1000)).toBe(1500);
    });

    it('defers a run scheduled before the load too, MAX-HOLD after its first request at the latest', () => {
      const s = new SpfScheduler({ delayMs: 100, initialHoldMs: 50, maxHoldMs: 5000 });
      expect(s.request(0)).toBe(100);
      expect(s.request(10, true)).toBe(5000);
      expect(s.request(400)).toBe(500);
    });
  });

  it('rejects negative or non-numeric timers with SpfConfigError', () => {
    expect(() => new SpfScheduler({ delayMs: -1, initialHoldMs: 50, maxHoldMs: 5000 })).toThrow(SpfConfigError);
    expect(() => new SpfScheduler({ delayMs: 0, initialHoldMs: NaN, maxHoldMs: 5000 })).toThrow(SpfConfigError);
    expect(() => new SpfScheduler().configure({ delayMs: 0, initialHoldMs: 50, maxHoldMs: Infinity })).toThrow(SpfConfigError);
  });
});
