// The announcer's reconfiguration diff, without I/O: from the prefixes it
// runs and those a reload asks for, which prefixes to keep, add, rebuild or
// remove, which checks of a rebuilt prefix keep their verdict, and which
// supervised proxies keep running, start or stop.

import { sameProbe, samePrefix, sameProxy } from './compare.js';
import type { ResolvedCheck, ResolvedPrefix } from './options.js';
import type { ProcessCheckOptions } from './types.js';

export type PrefixStep =
  /** Unchanged, checks included: its runtime, state and timers stay as they are. */
  | { kind: 'keep'; key: string }
  /** New: built and started afresh. */
  | { kind: 'add'; prefix: ResolvedPrefix }
  /**
   * Changed: built anew, taking over the old one's state, drains and pacing.
   * `carried` names the checks that keep their verdict (same name and probe);
   * the others must pass `rise` times. When the proxy is new or changed, no
   * verdict is carried.
   */
  | { kind: 'rebuild'; prefix: ResolvedPrefix; carried: string[] };

export interface ReconfigurationPlan {
  /** One step per wanted prefix, in the wanted order. */
  prefixes: PrefixStep[];
  /** Keys of the running prefixes that are no longer wanted, in their running order. */
  removed: string[];
  /**
   * Supervised proxies, each once, in order of first use: `keep` (as wanted:
   * new restart settings apply from the next exit) runs on; `start` is new;
   * `stop` (as running) no prefix needs any more.
   */
  proxies: { keep: ProcessCheckOptions[]; start: ProcessCheckOptions[]; stop: ProcessCheckOptions[] };
}

/** The checks of a rebuilt prefix that keep their verdict. */
function carriedChecks(running: ResolvedPrefix, wanted: ResolvedPrefix): string[] {
  const kept = (check: ResolvedCheck): boolean => {
    const before = running.checks.find((c) => c.name === check.name);
    return before !== undefined && sameProbe(before, check);
  };
  // A new or changed proxy must prove itself: none of the old verdicts count.
  if (!wanted.checks.every((check) => check.options.kind !== 'process' || kept(check))) return [];
  return wanted.checks.filter(kept).map((check) => check.name);
}

/** The distinct proxies of a list of prefixes, in order of first use. */
function proxiesOf(prefixes: readonly ResolvedPrefix[]): ProcessCheckOptions[] {
  const found: ProcessCheckOptions[] = [];
  for (const prefix of prefixes) {
    for (const { options } of prefix.checks) {
      if (options.kind === 'process' && !found.some((p) => sameProxy(p, options))) found.push(options);
    }
  }
  return found;
}

export function planReconfiguration(running: readonly ResolvedPrefix[], wanted: readonly ResolvedPrefix[]): ReconfigurationPlan {
  const before = new Map(running.map((prefix) => [prefix.key, prefix]));
  const prefixes = wanted.map((prefix): PrefixStep => {
    const previous = before.get(prefix.key);
    if (previous === undefined) return { kind: 'add', prefix };
    if (samePrefix(previous, prefix)) return { kind: 'keep', key: prefix.key };
    return { kind: 'rebuild', prefix, carried: carriedChecks(previous, prefix) };
  });
  const wantedKeys = new Set(wanted.map((prefix) => prefix.key));
  const oldProxies = proxiesOf(running);
  const newProxies = proxiesOf(wanted);
  const runs = (proxy: ProcessCheckOptions, among: ProcessCheckOptions[]): boolean => among.some((p) => sameProxy(p, proxy));
  return {
    prefixes,
    removed: running.filter((prefix) => !wantedKeys.has(prefix.key)).map((prefix) => prefix.key),
    proxies: {
      keep: newProxies.filter((proxy) => runs(proxy, oldProxies)),
      start: newProxies.filter((proxy) => !runs(proxy, oldProxies)),
      stop: oldProxies.filter((proxy) => !runs(proxy, newProxies)),
    },
  };
}
