// The daemon's event loop against a stand-in instance: each output of an
// input goes where its kind says, in order, the sockets reconciled before an
// interface change's packets; step() resolves once the packets are written
// (shutdown's flush waits on it); an engine failure is logged and the loop
// goes on.
import { describe, expect, it } from 'vitest';
import type { Input } from '../../src/core/api.js';
import type { InstanceOutput, OspfInstance } from '../../src/instance/instance.js';
import { Logger } from '../../src/daemon/logger.js';
import { EventLoop, type LoopOutputs } from '../../src/daemon/loop.js';

function stand(handle: (input: Input) => InstanceOutput[]): OspfInstance {
  return { handle, nextDeadline: () => undefined } as unknown as OspfInstance;
}

function recorder(written: (ifName: string) => Promise<void> = async () => undefined): { outputs: LoopOutputs; seen: string[] } {
  const seen: string[] = [];
  const outputs: LoopOutputs = {
    reconfigured: () => seen.push('reconfigured'),
    socket: (o) => {
      seen.push(`${o.kind} ${o.ifName}`);
      return written(o.ifName);
    },
    event: (e) => seen.push(`event ${e.type}`),
    routes: (o) => seen.push(`routes ${o.changes.length}`),
    stepped: () => seen.push('stepped'),
  };
  return { outputs, seen };
}

const logger = (lines: string[]): Logger => new Logger({ level: 'debug', format: 'text', write: (l) => lines.push(l) });

const send: InstanceOutput = { kind: 'send', ifName: 'e0', dst: 0xe0000005, data: new Uint8Array(24) };

describe('event loop', () => {
  it('applies each output by kind, in order, sockets reconciled first on an interface change', async () => {
    const { outputs, seen } = recorder();
    const loop = new EventLoop(
      stand(() => [
        { kind: 'membership', ifName: 'e0', group: 0xe0000005, join: true },
        send,
        { kind: 'event', event: { type: 'interface-state', ifName: 'e0', from: 'Down', to: 'Waiting' } },
        { kind: 'routes', changes: [], run: 'none', durationUs: undefined },
        { kind: 'lsdb', change: 'install', key: { type: 1, lsId: 1, advRouter: 1 }, selfOriginated: true },
      ]),
      outputs,
      logger([]),
    );
    await loop.step({ kind: 'interface', info: { name: 'e0', ifIndex: 2, up: true, loopback: false, mtu: 1500, addresses: [] } } as unknown as Input);
    expect(seen).toEqual(['reconfigured', 'membership e0', 'send e0', 'event interface-state', 'routes 0', 'stepped']);
    loop.close();
  });

  it('resolves a step once its packets are written: the flush of shutdown is out before the wait for acknowledgements', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { outputs } = recorder(() => gate);
    const loop = new EventLoop(
      stand(() => [send]),
      outputs,
      logger([]),
    );
    let done = false;
    const stepped = loop.step({ kind: 'shutdown' }).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(done).toBe(false);
    release();
    await stepped;
    expect(done).toBe(true);
    loop.close();
  });

  it('logs an engine failure with the input that caused it and keeps running', async () => {
    const lines: string[] = [];
    const { outputs, seen } = recorder();
    let fail = true;
    const loop = new EventLoop(
      stand(() => {
        if (fail) throw new Error('engine bug');
        return [send];
      }),
      outputs,
      logger(lines),
    );
    await loop.step({ kind: 'timer' });
    expect(lines.join('\n')).toMatch(/error\s+engine failed on an input input=timer error=.*engine bug/);
    expect(seen).toEqual([]);
    fail = false;
    await loop.step({ kind: 'timer' });
    expect(seen).toEqual(['send e0', 'stepped']);
    loop.close();
  });
});
