// Default settings, matching FRR ospfd's defaults so a configuration that
// leaves a value out behaves as it would on an FRR router next to us.

import type { InterfaceSettings, RouterConfig } from './api.js';

/** FRR defaults: hello 10 s, dead 40 s, retransmit 5 s, transmit-delay 1 s, priority 1, cost 10, broadcast. */
export function defaultInterfaceSettings(): InterfaceSettings {
  return {
    networkType: 'broadcast',
    passive: false,
    cost: 10,
    helloIntervalMs: 10_000,
    deadIntervalMs: 40_000,
    retransmitIntervalMs: 5_000,
    transmitDelay: 1,
    priority: 1,
    mtuIgnore: false,
  };
}

/** A router in area 0 with no networks, no externals, FRR's SPF throttle (0/50/5000 ms) and 64 paths. */
export function defaultRouterConfig(routerId: number): RouterConfig {
  return {
    routerId: routerId >>> 0,
    areaId: 0,
    networks: [],
    interfaces: {},
    externals: [],
    maximumPaths: 64,
    spfThrottle: { delayMs: 0, initialHoldMs: 50, maxHoldMs: 5000 },
  };
}

/** The effective settings of one interface: config.interfaces[name] over the defaults. */
export function settingsFor(config: RouterConfig, name: string): InterfaceSettings {
  const own = config.interfaces[name] ?? {};
  const merged: InterfaceSettings = { ...defaultInterfaceSettings() };
  for (const key of Object.keys(own) as (keyof InterfaceSettings)[]) {
    const value = own[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** Whether two settings objects are equal field by field. */
export function sameSettings(a: InterfaceSettings, b: InterfaceSettings): boolean {
  return (Object.keys(a) as (keyof InterfaceSettings)[]).every((key) => a[key] === b[key]);
}
