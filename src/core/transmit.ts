// Building outgoing packets: Hellos (RFC 2328 9.5, A.3.2), and Link State
// Updates and Acknowledgments packed into as few packets as the interface
// MTU allows (A.3.5, A.3.6).

import { MaxAge, PacketType, encodePacket, type HelloPacket, type Lsa, type LsaHeader, type LsUpdatePacket, type PacketCommon } from '../packet/index.js';
import { Lsdb, lsaOf, setLsa, type LsaEntry } from './lsdb.js';
import { NeighborRank, OurHelloOptions, deadSeconds, helloSeconds, uint32Cmp, type Iface } from './model.js';

/** RFC 2328 9.5: the Hello, listing every neighbor heard from (Init or above). */
/** A Hello (RFC 2328 9.5); `alone` lists no neighbours, to take every adjacency down (the goodbye input). */
export function encodeHello(common: PacketCommon, iface: Iface, alone = false): Uint8Array {
  const s = iface.settings;
  const neighbors: number[] = [];
  if (!alone) for (const n of iface.neighbors.values()) if (NeighborRank[n.state] >= NeighborRank.Init) neighbors.push(n.routerId);
  neighbors.sort(uint32Cmp);
  const packet: HelloPacket = {
    ...common,
    type: PacketType.Hello,
    networkMask: iface.mask,
    helloInterval: helloSeconds(s),
    options: OurHelloOptions,
    priority: s.priority,
    deadInterval: deadSeconds(s),
    dr: iface.dr,
    bdr: iface.bdr,
    neighbors,
  };
  return encodePacket(packet);
}

/**
 * LSAs in Link State Updates of at most `room` bytes after the OSPF header, each aged by `delay` s (RFC 2328 13.3).
 * `spare` holds Lsa objects reused from one call to the next (each packet is encoded at once).
 */
export function encodeLsUpdates(common: PacketCommon, room: number, delay: number, entries: readonly LsaEntry[], now: number, spare: Lsa[] = []): Uint8Array[] {
  const packets: Uint8Array[] = [];
  const batch: Lsa[] = [];
  const packet: LsUpdatePacket = { ...common, type: PacketType.LsUpdate, lsas: batch };
  let size = 4; // the # LSAs field
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as LsaEntry;
    const raw = entry.raw;
    if (batch.length > 0 && size + raw.length > room) {
      packets.push(encodePacket(packet));
      batch.length = 0;
      size = 4;
    }
    const age = Math.min(MaxAge, Lsdb.ageOf(entry, now) + delay);
    const lsa = spare[batch.length];
    batch.push(lsa === undefined ? (spare[batch.length] = lsaOf(raw, age)) : setLsa(lsa, raw, age));
    size += raw.length;
  }
  if (batch.length > 0) packets.push(encodePacket(packet));
  return packets;
}

/** LSA headers in Link State Acknowledgments of at most `room` bytes after the OSPF header. */
export function encodeLsAcks(common: PacketCommon, room: number, headers: LsaHeader[]): Uint8Array[] {
  const perPacket = Math.max(1, Math.floor(room / 20));
  const packets: Uint8Array[] = [];
  for (let i = 0; i < headers.length; i += perPacket) {
    packets.push(encodePacket({ ...common, type: PacketType.LsAck, lsaHeaders: headers.slice(i, i + perPacket) }));
  }
  return packets;
}
