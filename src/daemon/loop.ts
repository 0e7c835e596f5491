// The daemon's event loop: every input reaches the sans-IO instance here,
// one at a time at performance.now(), and each of its outputs is applied
// before the next input. One timer for the whole instance, set to its next
// deadline.
//
//   input ──▶ instance.handle ──▶ outputs ──▶ sockets │ events │ routes
//                   ▲                                         │
//                   └──────────── timer (next deadline) ◀─────┘

import type { CoreEvent, Input } from '../core/api.js';
import type { InstanceOutput, OspfInstance } from '../instance/instance.js';
import type { Logger } from './logger.js';

export type SocketOutput = Extract<InstanceOutput, { kind: 'send' | 'membership' }>;
export type RoutesOutput = Extract<InstanceOutput, { kind: 'routes' }>;

/** Where the loop applies what the instance returns; the daemon provides it. */
export interface LoopOutputs {
  /** An interface or configuration change was handled: open or close sockets before its packets go out. */
  reconfigured(): void;
  /** A packet or a group membership for an interface's socket; settles once written or refused (and logged). */
  socket(output: SocketOutput): Promise<void>;
  event(event: CoreEvent): void;
  routes(output: RoutesOutput): void;
  /** Every output of an input is applied. */
  stepped(): void;
}

export class EventLoop {
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private closed = false;

  constructor(
    readonly instance: OspfInstance,
    private readonly outputs: LoopOutputs,
    private readonly logger: Logger,
  ) {}

  /** Hands one input to the instance and applies its outputs; resolves once its packets are written. */
  step(input: Input): Promise<void> {
    let outputs: InstanceOutput[];
    try {
      outputs = this.instance.handle(input, performance.now());
    } catch (err) {
      // A bug in the engine: log it with what triggered it and keep running.
      this.logger.error('engine failed on an input', { input: input.kind, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      this.arm();
      return Promise.resolve();
    }
    if (input.kind === 'interface' || input.kind === 'config') this.outputs.reconfigured();
    const written: Promise<void>[] = [];
    for (const output of outputs) {
      switch (output.kind) {
        case 'send':
        case 'membership':
          written.push(this.outputs.socket(output));
          break;
        case 'event':
          this.outputs.event(output.event);
          break;
        case 'routes':
          this.outputs.routes(output);
          break;
        case 'lsdb':
          break;
      }
    }
    this.outputs.stepped();
    this.arm();
    return Promise.all(written).then(() => undefined);
  }

  /** No more timer: the daemon is closing. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One timer for the whole instance, set to its next deadline. */
  private arm(): void {
    if (this.closed) return;
    const at = this.instance.nextDeadline();
    if (at === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        void this.step({ kind: 'timer' });
      },
      Math.max(0, at - performance.now()),
    );
  }
}
