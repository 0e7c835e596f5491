// The deterministic network simulator: topologies, the event-driven runner
// and the convergence checks, for tests and benchmarks of OSPF cores.
export * from './errors.js';
export * from './topology.js';
export * from './options.js';
export * from './simulator.js';
export * from './checks.js';
export { loopbackInfo } from './router-config.js';
