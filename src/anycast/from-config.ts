// Maps an `anycast PREFIX` block of the parsed configuration onto the
// announcer's options: the one place where configuration names (seconds
// already turned into milliseconds by the parser, hosts as numbers) meet
// the announcer's.

import type { AnycastConfig, HealthCheck } from '../config/model.js';
import { formatIpv4 } from '../lib/ipv4.js';
import type { AnycastPrefixOptions, CheckOptions, CheckTiming } from './types.js';

type PolledCheck = Exclude<HealthCheck, { kind: 'process' }>;

function timingOf(check: PolledCheck): CheckTiming {
  return { intervalMs: check.interval, timeoutMs: check.timeout, rise: check.rise, fall: check.fall };
}

function checkFromConfig(check: HealthCheck): CheckOptions {
  switch (check.kind) {
    case 'sip-options':
      return { kind: 'sip-options', host: formatIpv4(check.host), port: check.port, transport: check.transport, codes: check.codes, ...timingOf(check) };
    case 'tcp':
      return { kind: 'tcp', host: formatIpv4(check.host), port: check.port, ...timingOf(check) };
    case 'http':
      return { kind: 'http', url: check.url, status: check.codes, ...timingOf(check) };
    case 'exec':
      return { kind: 'exec', command: check.argv, ...timingOf(check) };
    case 'process':
      // Supervision is driven by the exit event, not polled: the timing does not apply.
      return { kind: 'process', command: check.argv };
  }
}

/** One configured anycast block as Announcer options. */
export function anycastOptionsFromConfig(block: AnycastConfig): AnycastPrefixOptions {
  const options: AnycastPrefixOptions = {
    prefix: block.prefix,
    checks: block.checks.map(checkFromConfig),
    onFailure: block.onFailure,
    announceAs: block.announceAs,
    minIntervalMs: block.minInterval,
    manageAddress: block.manageAddress.enabled,
    removeOnWithdraw: block.manageAddress.enabled && block.manageAddress.removeOnWithdraw,
    interface: block.interface,
  };
  if (block.maintenanceFile !== undefined) options.maintenanceFile = block.maintenanceFile;
  return options;
}
