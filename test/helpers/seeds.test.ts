// The seeds helper: fixed seeds first, fresh ones drawn anew on each call,
// SEED replaying exactly what it names.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { firstSeeds, replay, seeds } from './seeds.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('seeds', () => {
  it('runs the fixed seeds, then fresh ones that differ from them and from run to run', () => {
    vi.stubEnv('SEED', '');
    vi.stubEnv('FRESH_SEEDS', '');
    const fixed = [1, 2, 3];
    const first = seeds(fixed, 4);
    const second = seeds(fixed, 4);
    expect(first.slice(0, 3)).toEqual(fixed);
    expect(first).toHaveLength(7);
    expect(new Set(first).size).toBe(7);
    for (const seed of first.slice(3)) expect(Number.isInteger(seed) && seed > 0 && seed < 2 ** 31).toBe(true);
    // Four draws out of 2^31 twice alike would take a broken source of randomness.
    expect(second.slice(3)).not.toEqual(first.slice(3));
  });

  it('SEED replays one seed, or a list, and nothing else', () => {
    vi.stubEnv('SEED', '4242');
    expect(seeds([1, 2, 3], 2)).toEqual([4242]);
    vi.stubEnv('SEED', '7, 9');
    expect(seeds([1], 1)).toEqual([7, 9]);
    expect(replay(4242)).toBe('SEED=4242');
  });

  it('refuses a SEED that is not a list of 32-bit seeds', () => {
    vi.stubEnv('SEED', 'abc');
    expect(() => seeds([1], 1)).toThrow('SEED=abc: expected seeds (unsigned 32-bit integers) separated by commas');
    vi.stubEnv('SEED', '4294967296');
    expect(() => seeds([1], 1)).toThrow(/^SEED=4294967296: /);
  });

  it('FRESH_SEEDS sets how many fresh seeds a run draws', () => {
    vi.stubEnv('SEED', '');
    vi.stubEnv('FRESH_SEEDS', '25');
    expect(seeds(firstSeeds(5), 1)).toHaveLength(30);
    vi.stubEnv('FRESH_SEEDS', '0');
    expect(seeds(firstSeeds(5), 3)).toEqual([1, 2, 3, 4, 5]);
  });
});
