// A small reader for classic libpcap files, enough to pull OSPF packets
// (IP protocol 89) out of the captures in test/fixtures/. Link types:
// Ethernet (with at most one 802.1Q tag), Linux cooked SLL and SLL2.
// pcapng is not read; tcpdump -w writes classic pcap.

/** Thrown on a file that is not a classic pcap file or is cut short. */
export class PcapFormatError extends Error {
  override name = 'PcapFormatError';
}

/** One OSPF packet found in a capture. */
export interface CapturedIpPacket {
  /** Zero-based index of the record in the file, for messages. */
  record: number;
  /** Capture time, microseconds since the epoch (nanosecond files are rounded down). */
  timestampUs: number;
  /** IP source and destination, unsigned 32-bit, host order. */
  src: number;
  dst: number;
  /** The IP payload, cut at the IP total length (no link-layer padding). */
  payload: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const IP_PROTO_OSPF = 89;

/**
 * Returns the protocol-89 IPv4 packets of a classic pcap file, in file order.
 * Frames of other protocols are passed over; a fragmented OSPF packet or a
 * record cut short by the snap length is an error, since it cannot be decoded.
 */
export function readOspfPackets(file: Uint8Array): CapturedIpPacket[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 24) throw new PcapFormatError(`file too short for a pcap header (${file.length} bytes)`);
  const magic = view.getUint32(0, true);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = false;
  else throw new PcapFormatError(`not a classic pcap file (magic 0x${magic.toString(16)})`);
  const nanoseconds = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const linkType = view.getUint32(20, little) & 0x0fffffff;

  const packets: CapturedIpPacket[] = [];
  let offset = 24;
  for (let record = 0; offset < file.length; record++) {
    if (offset + 16 > file.length) throw new PcapFormatError(`record ${record}: header cut short`);
    const seconds = view.getUint32(offset, little);
    const fraction = view.getUint32(offset + 4, little);
    const capLen = view.getUint32(offset + 8, little);
    const origLen = view.getUint32(offset + 12, little);
    const start = offset + 16;
    if (start + capLen > file.length) throw new PcapFormatError(`record ${record}: ${capLen} bytes announced, file ends first`);
    offset = start + capLen;
    const frame = file.subarray(start, start + capLen);
    const ip = ipv4Offset(frame, linkType, record);
    if (ip < 0) continue;
    if (frame.length < ip + 20) throw new PcapFormatError(`record ${record}: IPv4 header cut short`);
    if (frame[ip + 9] !== IP_PROTO_OSPF) continue;
    if (capLen < origLen) throw new PcapFormatError(`record ${record}: OSPF packet truncated by the snap length`);
    const ipView = new DataView(frame.buffer, frame.byteOffset + ip, frame.length - ip);
    const headerLength = (frame[ip] & 0x0f) * 4;
    const totalLength = ipView.getUint16(2);
    const fragment = ipView.getUint16(6);
    if ((fragment & 0x3fff) !== 0) throw new PcapFormatError(`record ${record}: fragmented IP packet`);
    if (headerLength < 20 || totalLength < headerLength || ip + totalLength > frame.length) {
      throw new PcapFormatError(`record ${record}: IPv4 lengths inconsistent (ihl ${headerLength}, total ${totalLength})`);
    }
    packets.push({
      record,
      timestampUs: seconds * 1_000_000 + (nanoseconds ? Math.floor(fraction / 1000) : fraction),
      src: ipView.getUint32(12),
      dst: ipView.getUint32(16),
      payload: frame.subarray(ip + headerLength, ip + totalLength),
    });
  }
  return packets;
}

/** Offset of the IPv4 header in a frame, or -1 when the frame carries something else. */
function ipv4Offset(frame: Uint8Array, linkType: number, record: number): number {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (frame.length < 14) throw new PcapFormatError(`record ${record}: Ethernet header cut short`);
      const etherType = view.getUint16(12);
      if (etherType === ETHERTYPE_VLAN) {
        if (frame.length < 18) throw new PcapFormatError(`record ${record}: 802.1Q tag cut short`);
        return view.getUint16(16) === ETHERTYPE_IPV4 ? 18 : -1;
      }
      return etherType === ETHERTYPE_IPV4 ? 14 : -1;
    }
    case LINKTYPE_LINUX_SLL:
      // Packet type, ARPHRD type, address length, 8 address bytes, protocol.
      if (frame.length < 16) throw new PcapFormatError(`record ${record}: SLL header cut short`);
      return view.getUint16(14) === ETHERTYPE_IPV4 ? 16 : -1;
    case LINKTYPE_LINUX_SLL2:
      // Protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.
      if (frame.length < 20) throw new PcapFormatError(`record ${record}: SLL2 header cut short`);
      return view.getUint16(0) === ETHERTYPE_IPV4 ? 20 : -1;
    default:
      throw new PcapFormatError(`link type ${linkType} is not read (only Ethernet, SLL and SLL2)`);
  }
}
