// The control socket's requests (src/control/requests.ts) as the daemon's
// operator actions, and the answer each gets.

import type { ControlAnswer, ControlRequest, ShowRequest } from '../control/requests.js';
import type { ShowAnswers } from '../control/views.js';

/** What a control request can ask of the daemon. */
export interface ControlTarget {
  show(request: ShowRequest): ShowAnswers[ShowRequest['what']];
  drain(prefix: string | undefined, timeoutMs: number | undefined): Promise<void>;
  undrain(prefix: string | undefined): void;
  reload(): Promise<string>;
  /** Stops the daemon; resolves once the prefixes are withdrawn and the proxies dealt with, before the control socket closes. */
  stop(stopProxies: boolean): Promise<void>;
}

export async function dispatchControl(request: ControlRequest, target: ControlTarget): Promise<ControlAnswer> {
  switch (request.command) {
    case 'show':
      return target.show(request.args);
    case 'drain': {
      const { prefix, timeoutMs } = request.args;
      await target.drain(prefix, timeoutMs);
      return { message: `drained ${prefix ?? 'all anycast prefixes'}: the withdrawal is acknowledged by every neighbor` };
    }
    case 'undrain': {
      const { prefix } = request.args;
      target.undrain(prefix);
      return { message: `undrained ${prefix ?? 'all anycast prefixes'}` };
    }
    case 'reload':
      return { message: await target.reload() };
    case 'stop': {
      const stopProxies = request.args.stopProxies === true;
      await target.stop(stopProxies);
      return { message: stopProxies ? 'withdrawn; the SIP proxy is stopped; the daemon exits' : 'withdrawn; the SIP proxy keeps running; the daemon exits' };
    }
  }
}
