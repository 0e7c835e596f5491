import { describe, expect, it } from 'vitest';
import { Logger, parseLogLevel, type LoggerOptions } from '../../src/daemon/logger.js';

function capture(options: Partial<LoggerOptions> = {}): { logger: Logger; lines: string[]; clock: { t: number } } {
  const lines: string[] = [];
  const clock = { t: Date.UTC(2026, 10, 25, 12, 0, 0) };
  const logger = new Logger({ level: 'info', format: 'text', write: (l) => lines.push(l), now: () => new Date(clock.t), ...options });
  return { logger, lines, clock };
}

describe('logger', () => {
  it('writes human lines with fields, quoting values with spaces', () => {
    const { logger, lines } = capture();
    logger.child({ component: 'ospf' }).notice('adjacency change', { neighbor: '10.0.0.2', reason: 'Loading Done' });
    expect(lines).toEqual(['2026-11-25T12:00:00.000Z notice  adjacency change component=ospf neighbor=10.0.0.2 reason="Loading Done"']);
  });

  it('writes one JSON object per line in json format', () => {
    const { logger, lines } = capture({ format: 'json' });
    logger.warning('bad packet', { ifName: 'eth0', count: 3 });
    expect(JSON.parse(lines[0]!)).toEqual({ time: '2026-11-25T12:00:00.000Z', level: 'warning', msg: 'bad packet', ifName: 'eth0', count: 3 });
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture({ level: 'warning' });
    logger.info('hidden');
    logger.debug('hidden too');
    logger.error('shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('shown');
  });

  it('rate-limits a repeating message and reports how many were held back', () => {
    const { logger, lines, clock } = capture();
    for (let i = 0; i < 5; i++) logger.limited('auth:eth0:10.0.0.9', 'warning', 'authentication failed', {}, 60_000);
    expect(lines).toHaveLength(1);
    clock.t += 60_000;
    logger.limited('auth:eth0:10.0.0.9', 'warning', 'authentication failed', {}, 60_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('suppressed=4');
  });

  it('understands FRR level names', () => {
    expect(parseLogLevel('informational')).toBe('info');
    expect(parseLogLevel('debugging')).toBe('debug');
    expect(parseLogLevel('warnings')).toBe('warning');
    expect(parseLogLevel('loud')).toBeUndefined();
  });
});
