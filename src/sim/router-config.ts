// What a simulated router is given at start: the configuration built from the
// topology (fast timers, network type, cost and priority per port) and its
// loopback interface.

import type { InterfaceInfo, InterfaceSettings, RouterConfig } from '../core/api.js';
import { FAST_TIMERS, type SimulatorOptions } from './options.js';
import { LOOPBACK_IFNAME, type RouterSpec, type Topology } from './topology.js';

/** The loopback /32 that carries a router's id. */
export function loopbackInfo(spec: RouterSpec): InterfaceInfo {
  return {
    name: LOOPBACK_IFNAME,
    ifIndex: 1,
    up: true,
    loopback: true,
    mtu: 65536,
    addresses: [{ address: spec.loopback, prefixLength: 32 }],
  };
}

/** A router's configuration from the topology, adjusted by options.configure. */
export function buildConfig(topology: Topology, options: SimulatorOptions, spec: RouterSpec): RouterConfig {
  const interfaces: Record<string, Partial<InterfaceSettings>> = {};
  for (const segment of topology.segments) {
    for (const a of segment.attachments) {
      if (a.router !== spec.index) continue;
      interfaces[a.ifName] = {
        ...FAST_TIMERS,
        ...options.interfaceSettings,
        networkType: segment.kind,
        cost: a.cost,
        priority: a.priority,
      };
    }
  }
  const config: RouterConfig = {
    routerId: spec.routerId,
    areaId: 0,
    networks: [{ address: 0x0a000000, length: 8 }],
    interfaces,
    externals: spec.externals,
    maximumPaths: 4,
    spfThrottle: { delayMs: 50, initialHoldMs: 200, maxHoldMs: 2000 },
  };
  return options.configure ? options.configure(spec, config) : config;
}
