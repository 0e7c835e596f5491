// Default settings, matching FRR ospfd's defaults so a configuration that
// leaves a value out behaves as it would on an FRR router next to us.

import type { ExternalRouteConfig, InterfaceInfo, InterfaceSettings, RouterConfig } from './api.js';
import { authProblem, sameAuth } from './auth.js';

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
    auth: { type: 'null' },
  };
}

/** The LSDB limit when RouterConfig.maxLsa is left out: far above any area a SIP cluster runs in. */
export const DefaultMaxLsa = 200_000;

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
  return (Object.keys(a) as (keyof InterfaceSettings)[]).every((key) => (key === 'auth' ? sameAuth(a.auth, b.auth) : a[key] === b[key]));
}

/** Whether two lists of redistributed routes are the same, in the same order: their AS-external-LSAs (RFC 2328 12.4.4) would not change. */
export function sameExternals(a: readonly ExternalRouteConfig[], b: readonly ExternalRouteConfig[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i] as ExternalRouteConfig;
      return (
        x.prefix.address === y.prefix.address &&
        x.prefix.length === y.prefix.length &&
        x.metric === y.metric &&
        x.metricType === y.metricType &&
        x.forwardingAddress === y.forwardingAddress &&
        x.tag === y.tag
      );
    })
  );
}

/** A configuration or input the core cannot run with; the message names the field. */
export class CoreConfigError extends Error {
  override name = 'CoreConfigError';
}

function checkInteger(value: unknown, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new CoreConfigError(`${what} must be an integer in ${min}..${max}, not ${String(value)}`);
  }
}

function checkPrefix(prefix: unknown, what: string): void {
  const p = prefix as { address?: unknown; length?: unknown } | undefined;
  if (typeof p !== 'object' || p === null) throw new CoreConfigError(`${what} must be a prefix`);
  checkInteger(p.address, 0, 0xffffffff, `${what}.address`);
  checkInteger(p.length, 0, 32, `${what}.length`);
}

/** Checks the settings of one interface (RFC 2328 C.3 ranges; FRR's for the millisecond timers). */
export function validateSettings(s: InterfaceSettings, where: string): void {
  if (s.networkType !== 'broadcast' && s.networkType !== 'point-to-point') {
    throw new CoreConfigError(`${where}.networkType must be 'broadcast' or 'point-to-point', not ${String(s.networkType)}`);
  }
  if (typeof s.passive !== 'boolean') throw new CoreConfigError(`${where}.passive must be a boolean`);
  if (typeof s.mtuIgnore !== 'boolean') throw new CoreConfigError(`${where}.mtuIgnore must be a boolean`);
  checkInteger(s.cost, 1, 65535, `${where}.cost`);
  checkInteger(s.helloIntervalMs, 10, 65535_000, `${where}.helloIntervalMs`);
  checkInteger(s.deadIntervalMs, 1000, 65535_000, `${where}.deadIntervalMs`);
  if (s.deadIntervalMs <= s.helloIntervalMs) throw new CoreConfigError(`${where}.deadIntervalMs must exceed helloIntervalMs`);
  checkInteger(s.retransmitIntervalMs, 100, 65535_000, `${where}.retransmitIntervalMs`);
  checkInteger(s.transmitDelay, 1, 3600, `${where}.transmitDelay`);
  checkInteger(s.priority, 0, 255, `${where}.priority`);
  const authError = authProblem(s.auth);
  if (authError !== undefined) throw new CoreConfigError(`${where}.auth: ${authError}`);
}

/** Throws CoreConfigError unless the configuration is one the core can run. */
export function validateConfig(config: RouterConfig): void {
  if (typeof config !== 'object' || config === null) throw new CoreConfigError('config must be an object');
  checkInteger(config.routerId, 1, 0xffffffff, 'routerId');
  checkInteger(config.areaId, 0, 0xffffffff, 'areaId');
  if (!Array.isArray(config.networks)) throw new CoreConfigError('networks must be an array');
  config.networks.forEach((p, i) => checkPrefix(p, `networks[${i}]`));
  if (typeof config.interfaces !== 'object' || config.interfaces === null) throw new CoreConfigError('interfaces must be an object');
  for (const name of Object.keys(config.interfaces)) validateSettings(settingsFor(config, name), `interfaces.${name}`);
  if (config.minLsIntervalMs !== undefined) checkInteger(config.minLsIntervalMs, 0, 3_600_000, 'minLsIntervalMs');
  if (config.minLsArrivalMs !== undefined) checkInteger(config.minLsArrivalMs, 0, 600_000, 'minLsArrivalMs');
  if (config.maxLsa !== undefined) checkInteger(config.maxLsa, 1, 10_000_000, 'maxLsa');
  const helper = config.gracefulRestartHelper;
  if (helper !== undefined) {
    if (typeof helper !== 'object' || helper === null) throw new CoreConfigError('gracefulRestartHelper must be an object');
    for (const flag of ['enabled', 'strictLsaChecking', 'plannedOnly'] as const) {
      if (typeof helper[flag] !== 'boolean') throw new CoreConfigError(`gracefulRestartHelper.${flag} must be a boolean`);
    }
    checkInteger(helper.supportedGraceTime, 10, 1800, 'gracefulRestartHelper.supportedGraceTime');
    if (!Array.isArray(helper.neighbors)) throw new CoreConfigError('gracefulRestartHelper.neighbors must be an array');
    helper.neighbors.forEach((id, i) => checkInteger(id, 1, 0xffffffff, `gracefulRestartHelper.neighbors[${i}]`));
  }
  if (config.stubRouter !== undefined) {
    if (typeof config.stubRouter.administrative !== 'boolean') throw new CoreConfigError('stubRouter.administrative must be a boolean');
    // At most a day, FRR's bound for `max-metric router-lsa on-startup`.
    if (config.stubRouter.onStartupMs !== undefined) checkInteger(config.stubRouter.onStartupMs, 1, 86_400_000, 'stubRouter.onStartupMs');
  }
  if (!Array.isArray(config.externals)) throw new CoreConfigError('externals must be an array');
  config.externals.forEach((e, i) => {
    checkPrefix(e.prefix, `externals[${i}].prefix`);
    checkInteger(e.metric, 0, 0xffffff, `externals[${i}].metric`);
    if (e.metricType !== 1 && e.metricType !== 2) throw new CoreConfigError(`externals[${i}].metricType must be 1 or 2`);
    checkInteger(e.forwardingAddress, 0, 0xffffffff, `externals[${i}].forwardingAddress`);
    checkInteger(e.tag, 0, 0xffffffff, `externals[${i}].tag`);
  });
}

/** Throws CoreConfigError unless an interface report is well formed. */
export function validateInterfaceInfo(info: InterfaceInfo): void {
  if (typeof info !== 'object' || info === null || typeof info.name !== 'string' || info.name === '') {
    throw new CoreConfigError('interface info needs a name');
  }
  if (typeof info.up !== 'boolean' || typeof info.loopback !== 'boolean') throw new CoreConfigError(`${info.name}: up and loopback must be booleans`);
  checkInteger(info.mtu, 0, 0xffffffff, `${info.name}.mtu`);
  if (!Array.isArray(info.addresses)) throw new CoreConfigError(`${info.name}.addresses must be an array`);
  info.addresses.forEach((a, i) => {
    checkInteger(a.address, 0, 0xffffffff, `${info.name}.addresses[${i}].address`);
    checkInteger(a.prefixLength, 0, 32, `${info.name}.addresses[${i}].prefixLength`);
  });
}

/** Throws CoreConfigError unless prefix is a valid IPv4 prefix. */
export function validatePrefix(prefix: unknown, what: string): void {
  checkPrefix(prefix, what);
}
