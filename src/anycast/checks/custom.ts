// Wraps a library user's async check function as a runner.

import type { CheckRunner, CustomCheckOptions } from '../types.js';

export function customRunner(opts: CustomCheckOptions): CheckRunner {
  return async (signal) => {
    try {
      const result = await opts.run(signal);
      return result === false ? { ok: false, reason: 'check returned false' } : { ok: true, reason: 'ok' };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  };
}
