// Builds dist/ once before the tests: namespace tests run the daemon and
// adapter drivers as separate processes (`ip netns exec … node dist/…`),
// since a node process cannot move itself into a network namespace.
// Type errors do not stop the build here; `npm run typecheck` reports them.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    encoding: 'utf8',
  });
  if (tsc.error) throw tsc.error;
}
