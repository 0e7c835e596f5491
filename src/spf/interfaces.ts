// The router's own OSPF interfaces as the SPF uses them: the caller's list
// checked, the interfaces that are up numbered in name order (the number a
// next hop carries) and indexed for the next-hop calculation (RFC 2328 16.1.1).

import type { NetworkType } from '../core/api.js';
import { maskFromLength } from '../lib/ipv4.js';
import { SpfConfigError } from './errors.js';

/** One of the router's own OSPF interfaces, for the next-hop calculation (RFC 2328 16.1.1). */
export interface SpfInterface {
  name: string;
  /** The interface's OSPF address: what its router-LSA links carry as Link Data. */
  address: number;
  prefixLength: number;
  networkType: NetworkType;
  up: boolean;
  /** For unnumbered point-to-point links, whose Link Data is the MIB-II ifIndex (RFC 2328 12.4.1.1). */
  ifIndex?: number;
}

/** An interface that is up, as the next-hop calculation reads it. */
export interface OwnInterface {
  name: string;
  address: number;
  mask: number;
  networkType: NetworkType;
}

/** The up interfaces, numbered by their place in the name-sorted list. */
export class OwnInterfaces {
  list: readonly OwnInterface[] = [];
  private readonly byAddress = new Map<number, number>();
  private readonly byIndex = new Map<number, number>();

  /** Takes a new list, checking all of it before taking any of it. */
  set(list: readonly SpfInterface[]): void {
    const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const names = new Set<string>();
    for (const i of sorted) {
      if (!Number.isInteger(i.prefixLength) || i.prefixLength < 0 || i.prefixLength > 32) {
        throw new SpfConfigError(`interface ${i.name}: prefix length ${i.prefixLength}`);
      }
      if (names.has(i.name)) throw new SpfConfigError(`interface ${i.name} listed twice`);
      names.add(i.name);
    }
    const up: OwnInterface[] = [];
    this.byAddress.clear();
    this.byIndex.clear();
    for (const i of sorted) {
      if (!i.up) continue;
      const slot = up.length;
      up.push({ name: i.name, address: i.address >>> 0, mask: maskFromLength(i.prefixLength), networkType: i.networkType });
      if (!this.byAddress.has(i.address >>> 0)) this.byAddress.set(i.address >>> 0, slot);
      if (i.ifIndex !== undefined && !this.byIndex.has(i.ifIndex)) this.byIndex.set(i.ifIndex, slot);
    }
    this.list = up;
  }

  /**
   * RFC 2328 16.1.1: the interface whose address (or ifIndex, unnumbered) is
   * a link's Link Data, of the given type; -1 if down or unknown.
   */
  forLinkData(linkData: number, networkType: NetworkType): number {
    const slot = this.byAddress.get(linkData) ?? this.byIndex.get(linkData);
    if (slot === undefined || this.list[slot].networkType !== networkType) return -1;
    return slot;
  }

  /** RFC 2328 16.1 second stage, own stub networks: the first interface inside the prefix or containing it; -1 if none. */
  onPrefix(address: number, length: number): number {
    const mask = maskFromLength(length);
    for (let i = 0; i < this.list.length; i++) {
      const iface = this.list[i];
      if (((iface.address & mask) >>> 0) === address || ((address ^ iface.address) & iface.mask) === 0) return i;
    }
    return -1;
  }
}
