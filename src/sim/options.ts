// What a simulation is given (topology, seed, faults, timers) and what it
// reports (statistics, violations, logged events), with the checks on faults.

import type { CoreEvent, CoreOptions, InterfaceSettings, OspfCore, Output, RouterConfig } from '../core/api.js';
import { SimulationError } from './errors.js';
import type { RouterSpec, Topology } from './topology.js';

/** Per-link impairments, drawn independently for every receiver of every packet. */
export interface LinkFaults {
  /** Probability a packet is lost. */
  loss: number;
  /** Probability a packet arrives twice. */
  duplicate: number;
  /** Probability a packet is held back by up to reorderDelayMs more, letting later ones overtake it. */
  reorder: number;
  minDelayMs: number;
  maxDelayMs: number;
  reorderDelayMs: number;
}

export const NO_FAULTS: LinkFaults = {
  loss: 0,
  duplicate: 0,
  reorder: 0,
  minDelayMs: 1,
  maxDelayMs: 1,
  reorderDelayMs: 0,
};

/** Fast timers so that simulated minutes stay cheap: hello 1 s, dead 4 s, retransmit 1 s. */
export const FAST_TIMERS: Partial<InterfaceSettings> = {
  helloIntervalMs: 1000,
  deadIntervalMs: 4000,
  retransmitIntervalMs: 1000,
  transmitDelay: 1,
};

/** up: normal; down: carrier lost, the cores are told; blackhole: carrier up but nothing gets through. */
export type SegmentState = 'up' | 'down' | 'blackhole';

export interface SimulatorOptions {
  topology: Topology;
  seed: number;
  /** Builds one router's core; called again on every restart. */
  createCore: (options: CoreOptions) => OspfCore;
  /** Applied to every non-loopback interface (network type, cost and priority come from the topology). */
  interfaceSettings?: Partial<InterfaceSettings>;
  /** Adjusts a router's configuration after the simulator built it. */
  configure?: (router: RouterSpec, config: RouterConfig) => RouterConfig;
  /** Faults on every link at the start. */
  faults?: Partial<LinkFaults>;
  /** Routers start at random offsets in [0, startJitterMs] (default 1000); 0 starts them together. */
  startJitterMs?: number;
  /** Start every router at construction (default true). */
  start?: boolean;
  /** Most events one run call may process (default 20 million). */
  maxEvents?: number;
  /** Digest every delivery into traceHash() (default true). */
  trace?: boolean;
  /** Called with every output of every core, after the simulator acted on it. */
  observe?: (router: number, output: Output, now: number) => void;
  /**
   * Decides, for each receiver of a sent packet and before the link's faults,
   * whether it is delivered (true), dropped (false), or these bytes delivered instead.
   */
  filter?: (sender: number, send: Extract<Output, { kind: 'send' }>, receiver: number) => boolean | Uint8Array;
  /**
   * Order of events due at the same instant. 'fifo' (default): as scheduled.
   * 'packets-first': deliveries and actions as scheduled, then router timers by router name.
   */
  sameTime?: 'fifo' | 'packets-first';
  /**
   * 'topology' (default): the simulator tells each core about its loopback and
   * ports when it starts and when carrier changes. 'manual': the caller hands
   * every 'interface' input itself through input().
   */
  interfaces?: 'topology' | 'manual';
}

export interface SimStats {
  events: number;
  sends: number;
  deliveries: number;
  /** Packets (or copies for one receiver) not delivered, by reason. */
  dropped: Record<string, number>;
  /** Wall-clock milliseconds spent inside core.handle(), all routers. */
  engineMs: number;
}

/** Something a core did that no correct OSPF router does (packets over the MTU, unknown interfaces). */
export interface Violation {
  router: string;
  now: number;
  what: string;
}

/** A core event with when and where, kept in a bounded history for failure reports. */
export interface LoggedEvent {
  now: number;
  router: string;
  event: CoreEvent;
}

export interface QuietResult {
  quiet: boolean;
  /** Virtual time when the run stopped. */
  now: number;
}

/** Throws SimulationError for probabilities outside 0..1 and delays that are not whole milliseconds ≥ 0. */
export function validateFaults(f: LinkFaults): void {
  for (const p of [f.loss, f.duplicate, f.reorder]) {
    if (!(p >= 0 && p <= 1)) throw new SimulationError(`fault probability ${p} is outside 0..1`);
  }
  for (const d of [f.minDelayMs, f.maxDelayMs, f.reorderDelayMs]) {
    if (!Number.isInteger(d) || d < 0) throw new SimulationError(`fault delay ${d} is not a whole number of milliseconds ≥ 0`);
  }
  if (f.maxDelayMs < f.minDelayMs) throw new SimulationError('maxDelayMs is below minDelayMs');
}
