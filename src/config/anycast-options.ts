// Maps the `anycast` blocks of a DaemonConfig onto the announcer's options
// (src/anycast), with every default of the configuration file filled in so
// the announcer's own defaults never decide what a file meant.

import type { AnycastPrefixOptions, CheckOptions } from '../anycast/types.js';
import { formatIpv4 } from '../lib/ipv4.js';
import type { AnycastConfig, DaemonConfig, HealthCheck } from './types.js';

export function toAnycastOptions(cfg: DaemonConfig): AnycastPrefixOptions[] {
  return cfg.anycast.map(toPrefixOptions);
}

function toPrefixOptions(block: AnycastConfig): AnycastPrefixOptions {
  const options: AnycastPrefixOptions = {
    prefix: { ...block.prefix },
    checks: block.checks.map((check) => toCheckOptions(check, block.proxyStopOnExit)),
    onFailure: block.onFailure,
    announceAs: { ...block.announceAs },
    minIntervalMs: block.minInterval,
    manageAddress: block.manageAddress.enabled,
    removeOnWithdraw: block.manageAddress.removeOnWithdraw,
    interface: block.interface,
  };
  if (block.maintenanceFile !== undefined) options.maintenanceFile = block.maintenanceFile;
  return options;
}

function toCheckOptions(check: HealthCheck, proxyStopOnExit: boolean): CheckOptions {
  if (check.kind === 'process') {
    const options: CheckOptions = { kind: 'process', command: [...check.argv], stopOnExit: proxyStopOnExit };
    if (check.pidfile !== undefined) options.pidfile = check.pidfile;
    return options;
  }
  const timing = { intervalMs: check.interval, timeoutMs: check.timeout, rise: check.rise, fall: check.fall, fastIntervalMs: check.fastInterval };
  switch (check.kind) {
    case 'sip-options':
      return {
        kind: 'sip-options',
        host: formatIpv4(check.host),
        port: check.port,
        transport: check.transport,
        codes: check.codes.map((c) => ({ ...c })),
        ...timing,
      };
    case 'tcp':
      return { kind: 'tcp', host: formatIpv4(check.host), port: check.port, ...timing };
    case 'http':
      return { kind: 'http', url: check.url, status: check.codes.map((c) => ({ ...c })), ...timing };
    case 'exec':
      return { kind: 'exec', command: [...check.argv], ...timing };
  }
}
