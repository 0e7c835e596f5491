// Records what the engine does with a conformance case's inputs, for review:
// prints every step's outputs and views, and with --write puts them into the
// case's expected.json, keeping its review notes. The recording is a draft
// until each line has been checked against the RFC step (see README.md).
//
//   npx tsc -p tsconfig.json --noEmit false --outDir /tmp/ospf-record
//   CONFORMANCE_CASES=test/conformance/cases node /tmp/ospf-record/test/conformance/record.js 13.5-delayed-and-direct-ack [--write]
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES_DIR, caseNames, readCase, readExpected, replay, type ExpectedFile } from './cases.js';

const args = process.argv.slice(2);
const write = args.includes('--write');
const names = args.filter((a) => a !== '--write');
if (names.length === 0) {
  console.error(`usage: record.ts CASE… [--write]\ncases: ${caseNames().join(' ')}`);
  process.exit(2);
}

for (const name of names) {
  const file = readCase(name);
  const steps = replay(file);
  console.log(`# ${name}: ${file.rfc}\n${file.description}\n`);
  for (const step of steps) {
    console.log(`## at ${step.at} ms: ${step.note}`);
    for (const o of step.outputs) {
      const { at, kind, ...rest } = o;
      if ('hex' in rest) delete (rest as { hex?: string }).hex;
      console.log(`  ${at} ${kind} ${JSON.stringify(rest)}`);
    }
    for (const [view, rows] of Object.entries(step.views ?? {})) {
      console.log(`  view ${view}:`);
      for (const row of rows) console.log(`    ${JSON.stringify(row)}`);
    }
  }
  if (write) {
    const path = join(CASES_DIR, name, 'expected.json');
    const review = existsSync(path) ? readExpected(name).review : ['UNREVIEWED: check each output against the RFC step and say here which sentence it follows'];
    const expected: ExpectedFile = { review, steps };
    writeFileSync(path, `${JSON.stringify(expected, null, 2)}\n`);
    console.log(`wrote ${path}`);
  }
  console.log('');
}
