// A scripted stand-in for an OSPF core, to test the simulator's own rules
// (who receives what, faults, timers) without the protocol in the way.
import type { CoreOptions, Input, InterfaceInfo, InterfaceView, NeighborView, OspfCore, Output } from '../../src/core/api.js';
import type { Lsa, LsaHeader, LsaKey } from '../../src/packet/types.js';

export interface Received {
  now: number;
  ifName: string;
  src: number;
  dst: number;
  data: Uint8Array;
}

export type Script = (core: ScriptedCore, input: Input, now: number) => Output[];

export class ScriptedCore implements OspfCore {
  readonly received: Received[] = [];
  readonly interfaceInputs: InterfaceInfo[] = [];
  readonly timerCalls: number[] = [];
  deadline: number | undefined;
  /** What the inspection calls return, set by the test. */
  interfaceViews: InterfaceView[] = [];
  neighborViews: NeighborView[] = [];
  database: Lsa[] = [];

  constructor(
    readonly options: CoreOptions,
    private readonly script: Script,
  ) {}

  handle(input: Input, now: number): Output[] {
    if (input.kind === 'packet') received(this, input, now);
    if (input.kind === 'interface') this.interfaceInputs.push(input.info);
    if (input.kind === 'timer') this.timerCalls.push(now);
    return this.script(this, input, now);
  }

  nextDeadline(): number | undefined {
    return this.deadline;
  }

  interfaces(): InterfaceView[] {
    return this.interfaceViews;
  }

  neighbors(): NeighborView[] {
    return this.neighborViews;
  }

  lsdb(): LsaHeader[] {
    return this.database.map(({ raw: _raw, ...header }) => header);
  }

  lsa(key: LsaKey): Lsa | undefined {
    return this.database.find((l) => l.type === key.type && l.lsId === key.lsId && l.advRouter === key.advRouter);
  }
}

function received(core: ScriptedCore, input: Extract<Input, { kind: 'packet' }>, now: number): void {
  core.received.push({ now, ifName: input.ifName, src: input.src, dst: input.dst, data: input.data });
}

/** A factory that keeps every core it builds, by router id, latest incarnation last. */
export function scriptedFactory(script: Script): { create: (o: CoreOptions) => OspfCore; cores: Map<number, ScriptedCore[]> } {
  const cores = new Map<number, ScriptedCore[]>();
  return {
    cores,
    create: (options) => {
      const core = new ScriptedCore(options, script);
      cores.set(options.config.routerId, [...(cores.get(options.config.routerId) ?? []), core]);
      return core;
    },
  };
}
