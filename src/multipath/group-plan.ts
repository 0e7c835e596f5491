// Which nexthop group each route should name, worked out from what is
// installed and what is wanted, without the kernel: the policy half of
// NexthopInstaller (nexthop-installer.ts carries the plan out).
//
// A group keeps the next-hop set most of its users want: its members are
// replaced in place, so a route keeps its RTA_NH_ID and is never without a
// path, and a resilient group keeps the flows of members that stay
// (net/ipv4/nexthop.c, nh_res_table_upkeep). A group whose users split over
// different new sets keeps the set most of them want; the others move to
// the group of their set, an existing one or a new one. A group of another
// kind or bucket count than `multipath group` says now is not reused: the
// kernel cannot change those in place.

import type { KernelNextHop, KernelRoute } from '../io/kernel-route.js';
import type { GroupSpec } from '../io/nexthops.js';

/** One nexthop group as installed. */
export interface InstalledGroup {
  id: number;
  /** Sorted members; key is their setKey(). */
  hops: KernelNextHop[];
  key: string;
  /** Prefixes (prefixKey) whose route names this group. */
  users: Set<number>;
  /** The `multipath group` setting it was created with. */
  spec: GroupSpec;
}

/** One route as installed, with the group it names (InheritedGroup: the previous run's). */
export interface InstalledRoute {
  route: KernelRoute;
  group: number;
}

/** The group of a route the previous run left (inherit()): none of ours. */
export const InheritedGroup = -1;

export interface GroupPlan {
  /** Groups the change touches, by id, with the members each is to have. */
  target: Map<number, { hops: KernelNextHop[]; key: string }>;
  /** Prefixes to name an existing group (of `target` or one no change touches). */
  assigned: Map<number, number>;
  /** Sets that need a new group, by setKey(), in the order they are to be created. */
  newGroups: Map<string, KernelNextHop[]>;
  /** Prefixes whose route is (re)planned: the changed ones and the users of a group that changes set. */
  moving: Set<number>;
}

export function hopKey(hop: KernelNextHop): string {
  return `${hop.gateway}/${hop.ifIndex}`;
}

const setKeys = new WeakMap<readonly KernelNextHop[], string>();

/** The identity of a next-hop set: its sorted members. */
export function setKey(hops: readonly KernelNextHop[]): string {
  // Routes with the same paths share one next-hop list (src/daemon/fib.ts), and
  // lists are not changed once made: one key per list, not one per route.
  let key = setKeys.get(hops);
  if (key === undefined) {
    key = hops.map(hopKey).join(',');
    setKeys.set(hops, key);
  }
  return key;
}

/** What the kernel cannot change in a group in place: its kind and, for resilient, its bucket count. */
export function groupShape(group: GroupSpec): string {
  return group.kind === 'resilient' ? `resilient/${group.buckets}` : group.kind;
}

export function sameGroup(x: GroupSpec, y: GroupSpec): boolean {
  return groupShape(x) === groupShape(y) && (x.kind !== 'resilient' || y.kind !== 'resilient' || (x.idleTimer === y.idleTimer && x.unbalancedTimer === y.unbalancedTimer));
}

/**
 * The prefixes whose installed route is not the wanted one: missing, in a
 * group of another set or group setting, or no longer wanted.
 */
export function differing(
  wanted: ReadonlyMap<number, KernelRoute>,
  routes: ReadonlyMap<number, InstalledRoute>,
  groups: ReadonlyMap<number, InstalledGroup>,
  spec: GroupSpec,
): Set<number> {
  const changed = new Set<number>();
  for (const [p, route] of wanted) {
    const have = routes.get(p);
    const group = have === undefined ? undefined : groups.get(have.group);
    if (group === undefined || group.key !== setKey(route.nextHops) || !sameGroup(group.spec, spec)) changed.add(p);
  }
  for (const p of routes.keys()) if (!wanted.has(p)) changed.add(p);
  return changed;
}

/**
 * Plan the prefixes in `changed` (a prefix `wanted` lacks is to be
 * deleted); every other prefix is taken to be installed as wanted already.
 * The users of a group that did not change vote for the set it has.
 */
export function planGroups(
  groups: ReadonlyMap<number, InstalledGroup>,
  routes: ReadonlyMap<number, InstalledRoute>,
  wanted: ReadonlyMap<number, KernelRoute>,
  changed: ReadonlySet<number>,
  spec: GroupSpec,
): GroupPlan {
  const target = new Map<number, { hops: KernelNextHop[]; key: string }>();
  const assigned = new Map<number, number>();
  const moving = new Set(changed);
  const shape = groupShape(spec);
  const changedUsers = new Map<number, number[]>();
  for (const p of changed) {
    const id = routes.get(p)?.group;
    if (id === undefined) continue;
    const users = changedUsers.get(id);
    if (users === undefined) changedUsers.set(id, [p]);
    else users.push(p);
  }
  /** Groups no change touches, by set: a changed prefix that wants their set joins them. */
  const untouched = new Map<string, number>();
  for (const group of [...groups.values()].sort((x, y) => x.id - y.id)) {
    const users = changedUsers.get(group.id);
    if (groupShape(group.spec) !== shape) {
      for (const p of group.users) moving.add(p);
      continue;
    }
    if (users === undefined) {
      if (group.users.size > 0 && !untouched.has(group.key)) untouched.set(group.key, group.id);
      continue;
    }
    const votes = new Map<string, number>();
    const staying = group.users.size - users.length;
    if (staying > 0) votes.set(group.key, staying);
    for (const p of users) {
      const route = wanted.get(p);
      if (route === undefined) continue;
      const key = setKey(route.nextHops);
      votes.set(key, (votes.get(key) ?? 0) + 1);
    }
    if (votes.size === 0) continue;
    // The set most users want; on a tie the current set, then the lowest key.
    const best = [...votes.entries()].sort((x, y) => y[1] - x[1] || Number(y[0] === group.key) - Number(x[0] === group.key) || x[0].localeCompare(y[0]))[0]?.[0] as string;
    const chosen = best === group.key ? undefined : users.find((p) => wanted.get(p) !== undefined && setKey((wanted.get(p) as KernelRoute).nextHops) === best);
    const hops = chosen === undefined ? group.hops : (wanted.get(chosen) as KernelRoute).nextHops;
    target.set(group.id, { hops, key: best });
    // The users that did not change keep the group's old set: when the group changes set, they move.
    if (best !== group.key) for (const p of group.users) moving.add(p);
    for (const p of users) {
      const route = wanted.get(p);
      if (route !== undefined && setKey(route.nextHops) === best) assigned.set(p, group.id);
    }
  }
  const byKey = new Map<string, number>();
  for (const [id, t] of target) if (!byKey.has(t.key)) byKey.set(t.key, id);
  const newGroups = new Map<string, KernelNextHop[]>();
  for (const p of moving) {
    const route = wanted.get(p);
    if (route === undefined || assigned.has(p)) continue;
    const key = setKey(route.nextHops);
    const existing = byKey.get(key) ?? untouched.get(key);
    if (existing !== undefined) assigned.set(p, existing);
    else newGroups.set(key, route.nextHops);
  }
  return { target, assigned, newGroups, moving };
}
