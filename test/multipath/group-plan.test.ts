// The nexthop-group plan without a kernel: which group each route names
// after a change, from what is installed and what is wanted.
import { describe, expect, it } from 'vitest';
import { prefixKey, type KernelNextHop, type KernelRoute } from '../../src/io/kernel-route.js';
import type { GroupSpec } from '../../src/io/nexthops.js';
import { differing, planGroups, setKey, type InstalledGroup, type InstalledRoute } from '../../src/multipath/group-plan.js';
import { parsePrefix } from '../../src/lib/ipv4.js';

const HASH: GroupSpec = { kind: 'hash-threshold' };
const RESILIENT: GroupSpec = { kind: 'resilient', buckets: 128, idleTimer: 1, unbalancedTimer: 0 };
const hop = (n: number): KernelNextHop => ({ gateway: 0x0a5c0000 + n, ifIndex: 2 });
const A = [hop(1), hop(2)];
const B = [hop(1), hop(3)];
const p = (n: number): number => prefixKey(parsePrefix(`10.206.${n}.0/24`));
const route = (n: number, hops: KernelNextHop[]): KernelRoute => ({ prefix: parsePrefix(`10.206.${n}.0/24`), nextHops: hops });

/** Group `id` on `hops` named by the routes of `users`. */
function installed(id: number, hops: KernelNextHop[], users: number[], spec: GroupSpec = HASH) {
  const groups = new Map<number, InstalledGroup>([[id, { id, hops, key: setKey(hops), users: new Set(users.map(p)), spec }]]);
  const routes = new Map<number, InstalledRoute>(users.map((n) => [p(n), { route: route(n, hops), group: id }]));
  return { groups, routes };
}

describe('planGroups', () => {
  it('with nothing installed, one new group per set, in the order the prefixes come', () => {
    const wanted = new Map([route(1, B), route(2, A), route(3, B)].map((r) => [prefixKey(r.prefix), r]));
    const plan = planGroups(new Map(), new Map(), wanted, new Set(wanted.keys()), HASH);
    expect([...plan.newGroups.keys()]).toEqual([setKey(B), setKey(A)]);
    expect(plan.target.size).toBe(0);
    expect(plan.assigned.size).toBe(0);
    expect([...plan.moving]).toEqual([p(1), p(2), p(3)]);
  });

  it('a group keeps the set most of its users want: members replaced in place, the user left behind moves', () => {
    const { groups, routes } = installed(7, A, [1, 2, 3]);
    const wanted = new Map([route(1, B), route(2, B), route(3, A)].map((r) => [prefixKey(r.prefix), r]));
    const plan = planGroups(groups, routes, wanted, new Set([p(1), p(2)]), HASH);
    expect(plan.target.get(7)).toEqual({ hops: B, key: setKey(B) });
    expect([...plan.assigned]).toEqual([
      [p(1), 7],
      [p(2), 7],
    ]);
    expect(plan.moving.has(p(3))).toBe(true);
    expect([...plan.newGroups.keys()]).toEqual([setKey(A)]);
  });

  it('on a tie the group keeps its set and the changed prefix goes to a group of its own', () => {
    const { groups, routes } = installed(7, A, [1, 2]);
    const wanted = new Map([route(1, B), route(2, A)].map((r) => [prefixKey(r.prefix), r]));
    const plan = planGroups(groups, routes, wanted, new Set([p(1)]), HASH);
    expect(plan.target.get(7)?.key).toBe(setKey(A));
    expect(plan.assigned.has(p(1))).toBe(false);
    expect([...plan.newGroups.keys()]).toEqual([setKey(B)]);
  });

  it('a group of another kind than the setting is not reused: all its users move to new groups', () => {
    const { groups, routes } = installed(7, A, [1, 2]);
    const wanted = new Map([route(1, A), route(2, A)].map((r) => [prefixKey(r.prefix), r]));
    const plan = planGroups(groups, routes, wanted, new Set(), RESILIENT);
    expect(plan.target.size).toBe(0);
    expect([...plan.moving]).toEqual([p(1), p(2)]);
    expect([...plan.newGroups.keys()]).toEqual([setKey(A)]);
  });

  it('a changed prefix that wants the set of a group no change touches joins it', () => {
    const { groups, routes } = installed(7, A, [1]);
    const wanted = new Map([route(1, A), route(2, A)].map((r) => [prefixKey(r.prefix), r]));
    const plan = planGroups(groups, routes, wanted, new Set([p(2)]), HASH);
    expect([...plan.assigned]).toEqual([[p(2), 7]]);
    expect(plan.newGroups.size).toBe(0);
  });
});

describe('differing', () => {
  it('names routes missing, in a group of another set or setting, and those no longer wanted', () => {
    const { groups, routes } = installed(7, A, [1, 2, 3], RESILIENT);
    const wanted = new Map([route(1, A), route(2, B), route(4, A)].map((r) => [prefixKey(r.prefix), r]));
    expect([...differing(wanted, routes, groups, RESILIENT)].sort((x, y) => x - y)).toEqual([p(2), p(3), p(4)]);
    expect(differing(wanted, routes, groups, { ...RESILIENT, idleTimer: 2 }).has(p(1))).toBe(true);
  });
});
