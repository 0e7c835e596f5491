// Runs the OSPF raw-socket transport inside a network namespace for
// transport.ns.test.ts. argv[2]: JSON {interfaces: [{ifName, networkType,
// addresses: ["10.0.0.1/24", …]}]}. Requests on stdin, one JSON object per
// line ({id, cmd, …}): 'send', 'send-now', 'burst', 'membership', 'update', 'rawsend',
// 'counters', 'close'; replies ({id, ok, …}) and events ({event, …}) on stdout.
/* global process, Buffer, setImmediate, performance */
import { readFileSync } from 'node:fs';
import raw from 'raw-socket';
import { OspfTransport } from '../../dist/src/io/transport.js';
import { formatIpv4, parseIpv4, parsePrefix } from '../../dist/src/lib/ipv4.js';
import { out, serve } from '../helpers/driver.mjs';

const config = JSON.parse(process.argv[2]);
const transport = new OspfTransport();
const ifIndexOf = (ifName) => Number(readFileSync(`/sys/class/net/${ifName}/ifindex`, 'utf8').trim());

for (const iface of config.interfaces) {
  transport.open({
    ifName: iface.ifName,
    ifIndex: ifIndexOf(iface.ifName),
    networkType: iface.networkType,
    addresses: iface.addresses.map((cidr) => {
      const p = parsePrefix(cidr, true);
      return { address: p.address, prefixLength: p.length };
    }),
  });
}

transport.on('packet', (input, header) =>
  out({
    event: 'packet',
    ifName: input.ifName,
    src: formatIpv4(input.src),
    dst: formatIpv4(input.dst),
    hex: Buffer.from(input.data).toString('hex'),
    ttl: header.ttl,
    tos: header.tos,
    headerLength: header.headerLength,
  }),
);
transport.on('drop', (drop) => out({ event: 'drop', ifName: drop.ifName, reason: drop.reason, src: drop.src === undefined ? null : formatIpv4(drop.src) }));
transport.on('error', (error) => out({ event: 'error', message: error.message }));

// A packet with a hand-made IP header (IP_HDRINCL), for inputs the kernel's
// own header would never produce: spoofed sources, IP options. The kernel
// still fills in Total Length and the header checksum.
function sendRaw({ ifName, src, dst, protocol, ttl, tos, options, hex }) {
  const opts = Buffer.from(options ?? '', 'hex');
  const payload = Buffer.from(hex, 'hex');
  const header = Buffer.alloc(20 + opts.length);
  header[0] = 0x40 | ((20 + opts.length) / 4);
  header[1] = tos;
  header.writeUInt16BE(header.length + payload.length, 2);
  header[8] = ttl;
  header[9] = protocol;
  header.writeUInt32BE(parseIpv4(src), 12);
  header.writeUInt32BE(parseIpv4(dst), 16);
  opts.copy(header, 20);
  const sock = raw.createSocket({ protocol });
  sock.setOption(raw.SocketLevel.IPPROTO_IP, raw.SocketOption.IP_HDRINCL, Buffer.from([1, 0, 0, 0]), 4);
  sock.setOption(raw.SocketLevel.SOL_SOCKET, raw.SocketOption.SO_BINDTODEVICE, Buffer.from(`${ifName}\0`), ifName.length + 1);
  const packet = Buffer.concat([header, payload]);
  return new Promise((resolve, reject) => {
    sock.send(packet, 0, packet.length, dst, (error) => {
      sock.close();
      if (error) reject(error);
      else resolve();
    });
  });
}

async function handle(req) {
  switch (req.cmd) {
    case 'send':
      await transport.carryOut({ kind: 'send', ifName: req.ifName, dst: parseIpv4(req.dst), data: Buffer.from(req.hex, 'hex') });
      return {};
    case 'membership':
      await transport.carryOut({ kind: 'membership', ifName: req.ifName, group: parseIpv4(req.group), join: req.join });
      return { groups: transport.get(req.ifName).memberships().map(formatIpv4) };
    case 'burst': {
      // `count` packets handed to the socket at once; resolves when the kernel took them all.
      const data = Buffer.from(req.hex, 'hex');
      const t0 = performance.now();
      await Promise.all(Array.from({ length: req.count }, () => transport.carryOut({ kind: 'send', ifName: req.ifName, dst: parseIpv4(req.dst), data })));
      return { elapsedMs: performance.now() - t0 };
    }
    case 'send-now': {
      // How many packets the kernel had taken before this turn of the event loop ended.
      const socket = transport.get(req.ifName);
      const before = socket.counters().sent;
      const sends = Array.from({ length: req.count }, () => transport.carryOut({ kind: 'send', ifName: req.ifName, dst: parseIpv4(req.dst), data: Buffer.from(req.hex, 'hex') }));
      const withinTurn = socket.counters().sent - before;
      await Promise.all(sends);
      return { withinTurn, total: socket.counters().sent - before };
    }
    case 'update': {
      // Re-read the interface (after it was deleted and created again) and hand it to the socket.
      const p = parsePrefix(req.address, true);
      const socket = transport.get(req.ifName);
      socket.update({ ifIndex: ifIndexOf(req.ifName), networkType: 'broadcast', addresses: [{ address: p.address, prefixLength: p.length }] });
      return { ifIndex: socket.ifIndex };
    }
    case 'rawsend':
      await sendRaw(req);
      return {};
    case 'counters':
      return { counters: transport.get(req.ifName).counters() };
    case 'close':
      transport.closeAll();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serve(handle, { errorName: false });
process.stdin.on('end', () => {
  transport.closeAll();
  process.exit(0);
});
out({ event: 'ready' });
