// Seeded mutation fuzzing: whatever the text, parseConfig returns a model or
// throws a ConfigError whose issues point inside the file, never anything else,
// and the same text always gives the same answer. A fixed seed and a fresh one
// each run (test/helpers/seeds.ts); SEED=n replays one.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seeds } from '../helpers/seeds.js';
import { ConfigError, RouterIdError, parseConfig, toRouterConfig } from '../../src/config/index.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { createPrng, type Prng } from '../../src/lib/prng.js';

const dir = join(import.meta.dirname, '../../examples');
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.conf'))
  .sort()
  .map((f) => readFileSync(join(dir, f), 'utf8'));

const WORDS = ['ip', 'ospf', 'area', 'no', 'check', '--', '"', "'", '\\', '0', '65536', '4294967296', '10.0.0.1/33', 'exit', 'interface', 'anycast 10.1.1.1/32', '!', '#', '\t', '2xx,', ':', 'constructor', '__proto__', 'toString'];

function mutate(text: string, prng: Prng): string {
  const lines = text.split('\n');
  const edits = prng.int(1, 4);
  for (let e = 0; e < edits; e++) {
    const i = prng.int(0, lines.length - 1);
    const line = lines[i] as string;
    const words = line.split(' ');
    switch (prng.int(0, 5)) {
      case 0: // delete a line
        lines.splice(i, 1);
        break;
      case 1: // duplicate a line elsewhere
        lines.splice(prng.int(0, lines.length), 0, line);
        break;
      case 2: // replace a word
        words[prng.int(0, words.length - 1)] = prng.pick(WORDS);
        lines[i] = words.join(' ');
        break;
      case 3: // truncate a line
        lines[i] = line.slice(0, prng.int(0, line.length));
        break;
      case 4: // a random number in place of a number
        lines[i] = line.replace(/\d+/, String(prng.int(0, 5_000_000_000)));
        break;
      default: // insert random bytes
        lines[i] = line + String.fromCharCode(...Array.from({ length: prng.int(1, 5) }, () => prng.int(0, 0x2fff)));
    }
  }
  return lines.join('\n');
}

type Outcome = { ok: true; json: string } | { ok: false; message: string };

function outcome(text: string): Outcome {
  try {
    return { ok: true, json: JSON.stringify(parseConfig(text, 'fuzz.conf')) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message };
    throw err;
  }
}

describe('parseConfig under mutation', () => {
  it.each(seeds([20261125], 1))('never crashes and reports in-file positions (seed %i)', (seed) => {
    const prng = createPrng(seed);
    const interfaces = [
      { name: 'lo', ifIndex: 1, up: true, loopback: true, mtu: 65536, addresses: [{ address: parseIpv4('10.206.206.1'), prefixLength: 32 }] },
      { name: 'eth0', ifIndex: 2, up: true, loopback: false, mtu: 1500, addresses: [{ address: parseIpv4('10.205.205.11'), prefixLength: 24 }] },
    ];
    let accepted = 0;
    for (let n = 0; n < 1500; n++) {
      const text = mutate(prng.pick(corpus), prng);
      const where = `seed ${seed}, case ${n}:\n${text}`;
      let config;
      try {
        config = parseConfig(text, 'fuzz.conf');
      } catch (err) {
        expect(err, where).toBeInstanceOf(ConfigError);
        const lineCount = text.split(/\r\n|\n|\r/).length;
        for (const issue of (err as ConfigError).errors) {
          expect(issue.line, where).toBeGreaterThanOrEqual(1);
          expect(issue.line, where).toBeLessThanOrEqual(lineCount);
          expect(issue.column, where).toBeGreaterThanOrEqual(1);
          expect(issue.message.length, where).toBeGreaterThan(0);
        }
      }
      expect(outcome(text), where).toEqual(outcome(text));
      if (config === undefined) continue;
      accepted++;
      try {
        toRouterConfig(config, interfaces);
      } catch (err) {
        expect(err, where).toBeInstanceOf(RouterIdError);
      }
    }
    // The mutations must leave a fair share of files valid, or the mapping above is never exercised.
    expect(accepted, `seed ${seed}`).toBeGreaterThan(150);
  });
});
