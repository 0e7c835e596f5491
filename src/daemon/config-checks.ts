// What the daemon says about a configuration it runs with but cannot apply
// in full yet, at start and at every reload: interfaces that do not exist,
// interfaces that carry only anycast addresses.

import type { InterfaceView } from '../core/api.js';
import type { DaemonConfig, InterfaceConfig } from '../config/index.js';
import type { InterfaceMonitor } from '../io/links.js';
import type { Logger } from './logger.js';

/**
 * An `interface NAME` (or passive-interface NAME) the kernel does not have
 * is not an error: as in FRR, its settings wait for it and apply when it
 * appears. Returns those names, each said in the log.
 */
export function warnMissingInterfaces(config: DaemonConfig, monitor: InterfaceMonitor, logger: Logger): Set<string> {
  const named = new Set([...Object.keys(config.interfaces), ...Object.keys(config.ospf.passiveInterfaces)]);
  const missing = new Set([...named].filter((name) => monitor.get(name) === undefined).sort());
  for (const name of missing) {
    logger.warning(`interface ${name} is configured but does not exist: its settings apply when it appears`, { ifName: name });
  }
  return missing;
}

/**
 * OSPF never runs from an anycast address (every node carries it), so the
 * `ip ospf` settings of an interface that carries only anycast addresses
 * wait for an address of its own.
 */
export function warnAnycastOnlyInterfaces(config: DaemonConfig, views: readonly InterfaceView[], monitor: InterfaceMonitor, logger: Logger): void {
  for (const view of views) {
    if (view.state !== 'Loopback' || monitor.get(view.name)?.loopback !== false) continue;
    if (!hasOspfSettings(config.interfaces[view.name])) continue;
    logger.warning(
      `interface ${view.name} carries only anycast addresses: OSPF does not run on it, and its ip ospf settings apply once it has an address of its own inside a network`,
      { ifName: view.name },
    );
  }
}

/** Whether an interface section sets anything of OSPF's (a description or load sharing alone does not). */
function hasOspfSettings(ifc: InterfaceConfig | undefined): boolean {
  if (ifc === undefined) return false;
  const { description: _description, loadSharing: _loadSharing, authentication, ...ospf } = ifc;
  const auth = authentication.type !== undefined || authentication.simpleKey !== undefined || authentication.keys.length > 0;
  return auth || Object.values(ospf).some((v) => v !== undefined);
}
