// The engine's configuration as the daemon derives it from its own: the
// file's settings for the interfaces the kernel has now, and the LSA spacing
// anycast announcements need.

import type { InterfaceInfo, PrefixAdvertisement, RouterConfig } from '../core/api.js';
import { toRouterConfig, type DaemonConfig } from '../config/index.js';

/**
 * The engine's configuration for these interfaces. With anycast prefixes,
 * LSAs may be re-originated as often as the announcer spaces its changes
 * (min-interval, at least the 1 s MinLSArrival of the receivers), so a
 * withdrawal never waits out the RFC's 5 s MinLSInterval. An explicit
 * `timers throttle lsa all` wins. `externalModes`: how each external
 * anycast prefix is advertised now.
 */
export function engineConfig(
  config: DaemonConfig,
  interfaces: readonly InterfaceInfo[],
  externalModes: ReadonlyMap<string, PrefixAdvertisement>,
): RouterConfig {
  const engine = toRouterConfig(config, interfaces, { anycastModes: externalModes });
  if (config.anycast.length === 0 || config.ospf.lsaIntervalMs !== undefined) return engine;
  // 100 ms over the receivers' 1 s MinLSArrival (RFC 2328 13 (5a)), so a neighbour seldom
  // drops the new instance; one that does gets it again after MinLSArrival.
  const spacing = Math.max(1000, Math.min(...config.anycast.map((a) => a.minInterval))) + 100;
  return { ...engine, minLsIntervalMs: spacing };
}
