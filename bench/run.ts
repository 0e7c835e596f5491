// Runs every benchmark (dist/bench/*.bench.js) in a child process of its
// own, one after another, after printing the machine it runs on.
// Usage: npm run bench [-- NAME...]   (NAME filters by file name)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

const cpu = cpus()[0];
console.log(`machine: ${cpu?.model ?? 'unknown cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${process.platform} ${process.arch}`);
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file.replace(/\.bench\.js$/, '')}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
