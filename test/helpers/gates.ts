// Whether a test that needs installed peers (FRR, BIRD, Kamailio, tcpdump,
// nft) runs. Without them it is skipped with a printed reason, except under
// CI=true, where .ci/run installs every peer: there a missing one is an
// error, thrown while the test file loads, so the file fails and names it.
// Namespaces follow the same rule (namespaceGate).
import { existsSync } from 'node:fs';

/** The paths of `tools` that do not exist. */
export function missing(tools: readonly string[]): string[] {
  return tools.filter((tool) => !existsSync(tool));
}

/** Thrown under CI=true when a test's peers are not installed. */
export class MissingPeerError extends Error {
  override name = 'MissingPeerError';
}

/**
 * Decide on a test that needs `absent` to be installed (pass missing(…)):
 * run when nothing is absent; otherwise skip with a printed reason, or under
 * CI=true throw MissingPeerError.
 */
export function peerGate(what: string, absent: readonly string[]): { skip: boolean; reason?: string } {
  if (absent.length === 0) return { skip: false };
  const reason = `not installed: ${absent.join(', ')}`;
  if (process.env.CI === 'true') throw new MissingPeerError(`${what}: ${reason}; under CI=true every peer must be installed (.ci/run installs them)`);
  console.warn(`skipping ${what}: ${reason}`);
  return { skip: true, reason };
}
