// .ci/run sets CI=true itself: every command it runs sees it, whatever the
// runner's environment, so tests that need peers fail instead of skipping.
// The script runs from a copy, with apt-get and npm replaced by stubs that
// record what they were given.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '../../.ci/run');
let dir = '';

afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('.ci/run', () => {
  it('exports CI=true to everything it runs, even when the runner does not set it', () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-run-'));
    mkdirSync(join(dir, '.ci'));
    copyFileSync(script, join(dir, '.ci/run'));
    mkdirSync(join(dir, 'node_modules/raw-socket/build/Release'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/raw-socket/build/Release/raw.node'), '');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const log = join(dir, 'calls.log');
    for (const command of ['apt-get', 'npm']) {
      writeFileSync(join(bin, command), `#!/bin/sh\necho "${command} $* CI=\${CI-unset}" >> '${log}'\n`);
      chmodSync(join(bin, command), 0o755);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    delete env.CI;
    const result = spawnSync('bash', [join(dir, '.ci/run')], { env, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.filter((c) => c.startsWith('npm '))).toEqual(['npm ci CI=true', 'npm run typecheck CI=true', 'npm run lint CI=true', 'npm test CI=true']);
    for (const call of calls) expect(call).toMatch(/ CI=true$/);
  });
});
