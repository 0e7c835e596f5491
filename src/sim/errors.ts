// Errors the simulator throws: a bad topology or API call, a run that hit
// its event or time bound, and a core that threw while handling an input.

export class SimulationError extends Error {
  override name = 'SimulationError';
}

/** The topology description is inconsistent (unknown router, too many segments for the address plan…). */
export class TopologyError extends SimulationError {
  override name = 'TopologyError';
}

/** A run processed more events than its bound allows (a livelock, or a bound set too low). */
export class SimulationLimitError extends SimulationError {
  override name = 'SimulationLimitError';
}

/** A core threw while handling an input: always a bug in the core. */
export class CoreFailureError extends SimulationError {
  override name = 'CoreFailureError';
  constructor(
    message: string,
    readonly router: string,
    readonly now: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
