// The lab command end to end: `npm run lab -- --ci` builds the namespaces,
// runs every act (ECMP over three nodes, SIP answered by several, a killed
// proxy withdrawn and restored, a drain and undrain) and exits 0 only when
// every check holds.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { namespaceGate } from '../helpers/netns.js';

const gate = namespaceGate('the lab');

describe('npm run lab', () => {
  it.skipIf(gate.skip)('runs the whole failover story and cleans up', () => {
    const result = spawnSync(process.execPath, ['dist/src/lab/main.js', '--ci'], { encoding: 'utf8', timeout: 240_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(result.stdout).toContain("the router's route to 10.206.206.1/32 (three next hops, ECMP)");
    expect(result.stdout).toMatch(/the router has two next hops \d+ ms after the kill: 10\.205\.205\.1, 10\.205\.205\.3/);
    expect(result.stdout).toContain('every check passed');
    // Nothing of the lab is left behind.
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    expect(left).not.toMatch(/oa-lab-/);
  }, 300_000);

  it('refuses clearly when it cannot run, with one line and a non-zero exit', () => {
    const result = spawnSync(process.execPath, ['dist/src/lab/main.js', '--bogus'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('lab: unknown argument "--bogus" (usage: npm run lab [-- --ci])');
  });
});
