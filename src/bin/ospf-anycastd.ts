#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size
// The daemon; see src/daemon/main.ts for the command line and signals.
import { runDaemon } from '../daemon/main.js';

runDaemon(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err: unknown) => {
    process.stderr.write(`ospf-anycastd: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(70);
  },
);
