// The namespace harness lives with the lab (src/lab/netns.ts), which uses it
// too; tests import it from here.
import type { NetnsLab } from '../../src/lab/netns.js';

export * from '../../src/lab/netns.js';

/**
 * Namespaces `a` and `b` of the lab joined by a veth pair, `e0` on both
 * sides, up, with 10.9.NET.1/24 on a and 10.9.NET.2/24 on b: the two-router
 * link of the daemon's namespace tests.
 */
export function linkedPair(lab: NetnsLab, net: number): { a: string; b: string } {
  const a = lab.namespace('a');
  const b = lab.namespace('b');
  lab.veth(a, 'e0', b, 'e0');
  lab.address(a, 'e0', `10.9.${net}.1/24`);
  lab.address(b, 'e0', `10.9.${net}.2/24`);
  lab.up(a, 'e0');
  lab.up(b, 'e0');
  return { a, b };
}
