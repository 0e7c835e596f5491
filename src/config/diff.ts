// diffConfig(): what changed between two parsed configurations, so that on
// SIGHUP the daemon touches only what changed and keeps every adjacency on
// an interface whose settings stayed the same.

import { formatPrefix, type Prefix } from '../lib/ipv4.js';
import type { AnycastConfig, DaemonConfig, InterfaceConfig, OspfConfig } from './types.js';
import { configuredRouterId } from './router-config.js';

export interface ConfigDiff {
  /** True when nothing at all changed. */
  unchanged: boolean;
  /**
   * Interfaces named in either file whose effective OSPF settings changed
   * (section added, removed or edited, or its passive state changed), sorted.
   * Interfaces named in neither file change only through `passiveDefault`.
   */
  interfaces: string[];
  /** Router-level settings that changed, by OspfConfig field name (plus 'staticRoutes'), sorted. */
  router: string[];
  /**
   * The configured router id (router ospf's, else zebra's) or the area
   * changed: every adjacency restarts (FRR needs `clear ip ospf process`
   * for the same change).
   */
  restartRequired: boolean;
  /** Anycast blocks by prefix, each list sorted. */
  anycast: { added: Prefix[]; removed: Prefix[]; changed: Prefix[] };
  /** Daemon-level settings that changed: hostname, routerId (zebra's), log, controlSocket, user, metricsListen, kernelRoutes. */
  daemon: string[];
}

const OSPF_FIELDS: (keyof OspfConfig)[] = [
  'routerId',
  'area',
  'networks',
  'passiveDefault',
  'redistributeConnected',
  'redistributeStatic',
  'defaultMetric',
  'maximumPaths',
  'maxLsa',
  'spfThrottle',
  'lsaIntervalMs',
  'lsaArrivalMs',
  'logAdjacencyChanges',
  'referenceBandwidth',
  'areaAuthentication',
  'multipath',
  'maxMetric',
  'gracefulRestartHelper',
  'gracefulRestart',
];

const DAEMON_FIELDS: (keyof DaemonConfig)[] = ['hostname', 'routerId', 'log', 'controlSocket', 'user', 'metricsListen', 'kernelRoutes'];

export function diffConfig(before: DaemonConfig, after: DaemonConfig): ConfigDiff {
  const router = OSPF_FIELDS.filter((f) => !same(before.ospf[f], after.ospf[f])).map(String);
  if (!same(before.staticRoutes, after.staticRoutes)) router.push('staticRoutes');
  router.sort();

  const names = new Set([
    ...Object.keys(before.interfaces),
    ...Object.keys(after.interfaces),
    ...Object.keys(before.ospf.passiveInterfaces),
    ...Object.keys(after.ospf.passiveInterfaces),
  ]);
  const interfaces = [...names].sort().filter((name) => !same(effective(before, name), effective(after, name)));

  const anycast = diffAnycast(before.anycast, after.anycast);
  const daemon = DAEMON_FIELDS.filter((f) => !same(before[f], after[f])).map(String);
  const restartRequired = configuredRouterId(before) !== configuredRouterId(after) || router.includes('area');
  return {
    unchanged:
      router.length === 0 &&
      interfaces.length === 0 &&
      daemon.length === 0 &&
      anycast.added.length + anycast.removed.length + anycast.changed.length === 0,
    interfaces,
    router,
    restartRequired,
    anycast,
    daemon,
  };
}

/** An interface's OSPF settings (its description aside) with its passive state as router ospf decides it. */
function effective(cfg: DaemonConfig, name: string): { section?: Omit<InterfaceConfig, 'description'>; passive: boolean } {
  const found = cfg.interfaces[name];
  const passive = found?.passive ?? cfg.ospf.passiveInterfaces[name] ?? cfg.ospf.passiveDefault;
  if (found === undefined) return { passive };
  const { description: _description, ...section } = found;
  return { section, passive };
}

function diffAnycast(before: AnycastConfig[], after: AnycastConfig[]): ConfigDiff['anycast'] {
  const old = new Map(before.map((a) => [formatPrefix(a.prefix), a]));
  const now = new Map(after.map((a) => [formatPrefix(a.prefix), a]));
  const result: ConfigDiff['anycast'] = { added: [], removed: [], changed: [] };
  for (const a of after) {
    const prev = old.get(formatPrefix(a.prefix));
    if (prev === undefined) result.added.push(a.prefix);
    else if (!same(prev, a)) result.changed.push(a.prefix);
  }
  for (const a of before) if (!now.has(formatPrefix(a.prefix))) result.removed.push(a.prefix);
  return result;
}

/**
 * Structural equality of parsed configuration values, which are plain data:
 * arrays element by element, objects key by key whatever the key order (a
 * key whose value is undefined counts as absent), everything else by ===.
 */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const x = definedEntries(a);
  const y = b as Record<string, unknown>;
  return x.length === definedEntries(b).length && x.every(([key, value]) => same(value, y[key]));
}

function definedEntries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}
