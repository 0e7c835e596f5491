// The configuration layer: FRR-style text → DaemonConfig → the core's RouterConfig.
// src/config/reference.md documents every statement.
export * from './types.js';
export { ConfigError, RouterIdError, formatIssue, type ConfigIssue } from './errors.js';
export { parseConfig } from './parser.js';
export {
  toRouterConfig,
  pickRouterId,
  configuredRouterId,
  anycastExternal,
  interfaceCost,
  MAX_EXTERNAL_METRIC,
  type ToRouterConfigOptions,
} from './router-config.js';
export { diffConfig, type ConfigDiff } from './diff.js';
export { toAnycastOptions } from './anycast-options.js';
export { formatConfig } from './format.js';
