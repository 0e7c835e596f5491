// Building outgoing packets: Hellos (RFC 2328 9.5, A.3.2), and Link State
// Updates and Acknowledgments packed into as few packets as the interface
// MTU allows (A.3.5, A.3.6).

import { MaxAge, PacketType, encodePacket, type HelloPacket, type Lsa, type LsaHeader, type PacketCommon } from '../packet/index.js';
import { Lsdb, lsaOf, type LsaEntry } from './lsdb.js';
import { NeighborRank, OurOptions, deadSeconds, helloSeconds, uint32Cmp, type Iface } from './model.js';

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
    options: OurOptions,
    priority: s.priority,
    deadInterval: deadSeconds(s),
    dr: iface.dr,
    bdr: iface.bdr,
    neighbors,
  };
  return encodePacket(packet);
}

/** LSAs in Link State Updates of at most `room` bytes after the OSPF header, each aged by `delay` s (RFC 2328 13.3). */
export function encodeLsUpdates(common: PacketCommon, room: number, delay: number, entries: Iterable<LsaEntry>, now: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let batch: Lsa[] = [];
  let size = 4; // the # LSAs field
  const flush = (): void => {
    if (batch.length === 0) return;
    packets.push(encodePacket({ ...common, type: PacketType.LsUpdate, lsas: batch }));
    batch = [];
    size = 4;
  };
  for (const entry of entries) {
    if (batch.length > 0 && size + entry.raw.length > room) flush();
    batch.push(lsaOf(entry.raw, Math.min(MaxAge, Lsdb.ageOf(entry, now) + delay)));
    size += entry.raw.length;
  }
  flush();
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
