// The routing table the SPF keeps (RFC 2328 11): one route per prefix slot,
// updated in place, with the routes each calculation replaced remembered so
// that it can hand the FIB the list of changes (RouteChange) it made.

import { maskFromLength, type Prefix } from '../lib/ipv4.js';
import type { NextHopSets } from './next-hops.js';
import type { PrefixIndex } from './prefix-index.js';
import { comparePrefixes, sameNextHops, type PathType, type Route, type RouteChange, type RouterRoute, type RouteTableView } from './table.js';

/** Path type codes, in order of preference (RFC 2328 16.4 (6)). */
export const Intra = 1;
export const Inter = 2;
export const External1 = 3;
export const External2 = 4;
const pathTypeNames: readonly PathType[] = ['intra-area', 'intra-area', 'inter-area', 'external-1', 'external-2'];

export class RouteTable {
  private readonly routes: (Route | undefined)[] = [];
  /** Next-hop set numbers of current routes, for forwarding-address lookups (RFC 2328 16.4 (3)). */
  private routeSets: Int32Array = new Int32Array(64);
  private count = 0;
  /** Intra- and inter-area routes per prefix length: the lengths worth probing in a longest match. */
  private readonly lengthCount = new Int32Array(33);
  private run = 0;
  /** touchStamp[slot] === run: the slot's route was replaced in this run, touchedOld holds what it was. */
  private touchStamp: Int32Array = new Int32Array(64);
  private touchedSlots: number[] = [];
  private touchedOld: (Route | undefined)[] = [];

  constructor(
    private readonly index: PrefixIndex,
    private readonly sets: NextHopSets,
  ) {}

  /** Makes room for a slot the prefix index just handed out. */
  ensure(slot: number): void {
    while (this.routes.length <= slot) this.routes.push(undefined);
    if (slot >= this.touchStamp.length) {
      const size = this.touchStamp.length * 2;
      this.touchStamp = grow(this.touchStamp, size);
      this.routeSets = grow(this.routeSets, size);
    }
  }

  route(slot: number): Route | undefined {
    return this.routes[slot];
  }

  /** The next-hop set number of the slot's current route. */
  setOf(slot: number): number {
    return this.routeSets[slot];
  }

  isIntraInter(slot: number): boolean {
    const route = this.routes[slot];
    return route !== undefined && (route.pathType === 'intra-area' || route.pathType === 'inter-area');
  }

  /** RFC 2328 16.4 (3): the slot of the most specific intra- or inter-area route covering address, or -1. */
  longestMatch(address: number): number {
    for (let length = 32; length >= 0; length--) {
      if (this.lengthCount[length] === 0) continue;
      const slot = this.index.find((address & maskFromLength(length)) >>> 0, length);
      if (slot >= 0 && this.isIntraInter(slot)) return slot;
    }
    return -1;
  }

  /** Starts a calculation: the changes it makes are collected from here. */
  begin(): void {
    this.run++;
  }

  /** Sets the slot's route (path type code, costs, next-hop set), keeping the old object when nothing differs. */
  set(slot: number, type: number, cost: number, type2: number, set: number): void {
    const old = this.routes[slot];
    const nextHops = this.sets.output(set);
    const pathType = pathTypeNames[type];
    this.routeSets[slot] = set;
    if (old !== undefined && old.pathType === pathType && old.cost === cost && old.type2Cost === type2 && sameNextHops(old.nextHops, nextHops)) {
      return;
    }
    const prefix: Prefix = { address: this.index.address[slot], length: this.index.length[slot] };
    this.replace(slot, { prefix, pathType, cost, type2Cost: type2, nextHops });
  }

  clear(slot: number): void {
    if (this.routes[slot] !== undefined) this.replace(slot, undefined);
  }

  /** What this calculation changed, sorted by prefix: the list the FIB applies. */
  takeChanges(): RouteChange[] {
    const changes: RouteChange[] = [];
    for (let i = 0; i < this.touchedSlots.length; i++) {
      const previous = this.touchedOld[i];
      const route = this.routes[this.touchedSlots[i]];
      if (route === previous) continue;
      if (previous === undefined) changes.push({ kind: 'add', prefix: (route as Route).prefix, route: route as Route });
      else if (route === undefined) changes.push({ kind: 'remove', prefix: previous.prefix, previous });
      else changes.push({ kind: 'replace', prefix: route.prefix, route, previous });
    }
    this.touchedSlots = [];
    this.touchedOld = [];
    return changes.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  }

  /** The read-only view callers get; router routes come from the calculation. */
  view(routerRoutes: () => RouterRoute[]): RouteTableView {
    const count = (): number => this.count;
    return {
      get: (prefix: Prefix): Route | undefined => {
        const slot = this.index.find(prefix.address >>> 0, prefix.length);
        return slot < 0 ? undefined : this.routes[slot];
      },
      get size(): number {
        return count();
      },
      routes: (): Route[] => {
        const out: Route[] = [];
        for (let slot = 0; slot < this.index.end; slot++) {
          const route = this.routes[slot];
          if (this.index.used[slot] === 1 && route !== undefined) out.push(route);
        }
        return out.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
      },
      routerRoutes,
    };
  }

  private replace(slot: number, route: Route | undefined): void {
    const old = this.routes[slot];
    if (this.touchStamp[slot] !== this.run) {
      this.touchStamp[slot] = this.run;
      this.touchedSlots.push(slot);
      this.touchedOld.push(old);
    }
    const length = this.index.length[slot];
    if (old !== undefined) {
      this.count--;
      if (old.pathType === 'intra-area' || old.pathType === 'inter-area') this.lengthCount[length]--;
    }
    if (route !== undefined) {
      this.count++;
      if (route.pathType === 'intra-area' || route.pathType === 'inter-area') this.lengthCount[length]++;
    }
    this.routes[slot] = route;
  }
}

/** A copy of a twice as large. */
export function grow(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
