// The exec check: run a command; exit status 0 is healthy. At the timeout
// (or on stop) the command's whole process group is killed, and so is
// anything it left running after it exited.

import { spawn } from 'node:child_process';
import { LineSplitter, releaseGroup, signalGroup, trackGroup } from '../process-group.js';
import type { CheckRunner, ExecCheckOptions } from '../types.js';

/** How much of the command's output the failure reason quotes. */
const REASON_OUTPUT_CHARS = 200;
/** How long to wait for the output pipes to close after the command exited. */
const PIPE_DRAIN_MS = 100;

export function execRunner(opts: ExecCheckOptions): CheckRunner {
  const [program, ...args] = opts.command as [string, ...string[]];
  return (signal) =>
    new Promise((resolve) => {
      let lastLine = '';
      const keepLine = (line: string): void => {
        if (line.trim() !== '') lastLine = line.trim().slice(0, REASON_OUTPUT_CHARS);
      };
      const child = spawn(program, args, {
        cwd: opts.cwd,
        env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
        detached: true, // its own process group, killed as a whole
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const pgid = child.pid;
      if (pgid !== undefined) trackGroup(pgid);
      const out = new LineSplitter(keepLine);
      const err = new LineSplitter(keepLine);
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      let killedAtTimeout = false;
      let done = false;
      const finish = (ok: boolean, reason: string): void => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ ok, reason });
      };
      const onAbort = (): void => {
        killedAtTimeout = true;
        if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
      };
      signal.addEventListener('abort', onAbort);
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (pgid !== undefined) releaseGroup(pgid);
        finish(false, `cannot run ${program}: ${e.code ?? e.message}`);
      });
      child.on('exit', (code, sig) => {
        // Whatever the command started in the background goes with it.
        if (pgid !== undefined) {
          signalGroup(pgid, 'SIGKILL');
          releaseGroup(pgid);
        }
        // Output may still be in the pipes: wait for them to close, briefly
        // (a descendant that left the group could hold them open).
        const conclude = (): void => {
          clearTimeout(pipeWait);
          out.flush();
          err.flush();
          const said = lastLine === '' ? '' : `: ${lastLine}`;
          if (killedAtTimeout) finish(false, `killed at timeout${said}`);
          else if (code === 0) finish(true, `exit 0${said}`);
          else finish(false, code !== null ? `exit ${code}${said}` : `killed by ${sig ?? 'signal'}${said}`);
        };
        const pipeWait = setTimeout(conclude, PIPE_DRAIN_MS);
        child.once('close', conclude);
      });
    });
}
