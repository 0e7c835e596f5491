// Maps the `anycast` blocks of the configuration onto the announcer's
// options, adding the library user's own checks where given.

import type { AnycastPrefixOptions, CheckOptions, CustomCheckOptions } from '../anycast/index.js';
import type { AnycastConfig, CodeRange, HealthCheck } from '../config/index.js';
import { formatIpv4, formatPrefix } from '../lib/ipv4.js';

/** "2xx" for a whole class, "404" for one code, "200-299" otherwise. */
function codeText(range: CodeRange): string[] {
  if (range.min === range.max) return [String(range.min)];
  if (range.min % 100 === 0 && range.max === range.min + 99) return [`${range.min / 100}xx`];
  const codes: string[] = [];
  for (let c = range.min; c <= range.max; c++) codes.push(String(c));
  return codes;
}

function codes(ranges: readonly CodeRange[]): string[] | undefined {
  return ranges.length === 0 ? undefined : ranges.flatMap(codeText);
}

export function checkOptions(check: HealthCheck): CheckOptions {
  if (check.kind === 'process') return { kind: 'process', command: check.argv };
  const timing = { intervalMs: check.interval, timeoutMs: check.timeout, rise: check.rise, fall: check.fall };
  switch (check.kind) {
    case 'sip-options':
      return { kind: 'sip-options', host: formatIpv4(check.host), port: check.port, transport: check.transport, codes: codes(check.codes), ...timing };
    case 'tcp':
      return { kind: 'tcp', host: formatIpv4(check.host), port: check.port, ...timing };
    case 'http':
      return { kind: 'http', url: check.url, status: codes(check.codes), ...timing };
    case 'exec':
      return { kind: 'exec', command: check.argv, ...timing };
  }
}

/**
 * The announcer's view of the configured prefixes. `custom` adds checks
 * written as async functions, keyed by prefix text ("10.206.206.1/32").
 */
export function announcerPrefixes(
  blocks: readonly AnycastConfig[],
  custom: Readonly<Record<string, readonly CustomCheckOptions[]>> = {},
): AnycastPrefixOptions[] {
  return blocks.map((block) => ({
    prefix: block.prefix,
    checks: [...block.checks.map(checkOptions), ...(custom[formatPrefix(block.prefix)] ?? [])],
    maintenanceFile: block.maintenanceFile,
    onFailure: block.onFailure,
    announceAs: block.announceAs,
    minIntervalMs: block.minInterval,
    manageAddress: block.manageAddress.enabled,
    removeOnWithdraw: block.manageAddress.removeOnWithdraw,
  }));
}
