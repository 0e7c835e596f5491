// The configuration layer: FRR-style text → DaemonConfig → the core's RouterConfig.
export * from './model.js';
export { ConfigError, RouterIdError, formatIssue, type ConfigIssue } from './errors.js';
export { parseConfig } from './parser.js';
