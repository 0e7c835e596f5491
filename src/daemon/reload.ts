// The rules of a reload (SIGHUP, `ospf-anycast reload`): which changes a
// running daemon refuses, the load-sharing settings it compares and applies
// first, and the one-line summary it answers with.

import type { ConfigDiff, DaemonConfig } from '../config/index.js';
import type { MultipathSettings } from '../multipath/index.js';
import { ReloadRefusedError } from './errors.js';

/** Refuses a new configuration the running daemon cannot take without a restart. */
export function refuseUnappliable(diff: ConfigDiff, next: DaemonConfig): void {
  // The daemon's user was chosen before it started: it has no privilege left to change it.
  if (diff.daemon.includes('user')) throw new ReloadRefusedError('the user statement changed: restart the daemon to apply it');
  if (diff.restartRequired && next.ospf.routerId !== undefined) {
    throw new ReloadRefusedError('the router id or the area changed: restart the daemon to apply it');
  }
}

/** The load-sharing settings of a configuration: `multipath group|hash` and the interfaces with `ip load-sharing per-packet`. */
export function multipathSettings(config: DaemonConfig): MultipathSettings {
  return {
    multipath: config.ospf.multipath,
    perPacketInterfaces: Object.keys(config.interfaces)
      .filter((name) => config.interfaces[name]?.loadSharing === 'per-packet')
      .sort(),
  };
}

/** "resilient groups, hash layer4, per-packet on eth0", for the log and the reload answer. */
export function describeLoadSharing(settings: MultipathSettings): string {
  const perPacket = settings.perPacketInterfaces.length > 0 ? `per-packet on ${settings.perPacketInterfaces.join(', ')}` : 'per-flow';
  return `${settings.multipath.group.kind} groups, hash ${settings.multipath.hash}, ${perPacket}`;
}

/** What a reload changed, as logged and answered; `loadSharing` when it changed. */
export function reloadSummary(diff: ConfigDiff, loadSharing: MultipathSettings | undefined): string {
  const anycast = diff.anycast.added.length + diff.anycast.removed.length + diff.anycast.changed.length;
  return `reloaded: ${diff.interfaces.length} interface(s), ${diff.router.length} router setting(s), ${anycast} anycast block(s) changed${
    loadSharing === undefined ? '' : `; load sharing now ${describeLoadSharing(loadSharing)}`
  }`;
}
