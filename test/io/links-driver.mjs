// Runs the rtnetlink interface monitor inside a network namespace for
// links.ns.test.ts. Prints {event:'ready', interfaces} once started, then
// {event:'interface', info, at} per update (addresses as "a.b.c.d/len").
// Requests on stdin ({id, cmd, …}): 'list'; 'address' {op: 'add'|'del',
// ifName, cidr} and 'link' {ifName, up}, which make the change through
// rtnetlink from this process and reply with the time just before it
// (`t0`), so the test can measure change → report without process start-up
// costs; 'block' {ms}, which keeps the event loop busy so notifications
// pile up in the socket; 'refresh'; 'close'. argv[2]: JSON
// InterfaceMonitorOptions. The ready line carries the granted receive buffer.
/* global process, setImmediate, Buffer */
import { createRtNetlink } from 'netlink';
import { InterfaceMonitor } from '../../dist/src/io/links.js';
import { formatIpv4, parsePrefix } from '../../dist/src/lib/ipv4.js';
import { out, serve } from '../helpers/driver.mjs';

const show = (info) => ({ ...info, addresses: info.addresses.map((a) => `${formatIpv4(a.address)}/${a.prefixLength}`) });

const monitor = await InterfaceMonitor.start(JSON.parse(process.argv[2] ?? '{}'));
monitor.on('interface', (info) => out({ event: 'interface', info: show(info), at: Date.now() }));
monitor.on('error', (error) => out({ event: 'error', message: error.message }));

const control = createRtNetlink();
const NLM_F_CREATE_EXCL = 0x400 | 0x200;

async function handle(req) {
  switch (req.cmd) {
    case 'list':
      return { interfaces: monitor.interfaces().map(show) };
    case 'address': {
      const index = monitor.get(req.ifName).ifIndex;
      const p = parsePrefix(req.cidr, true);
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(p.address);
      const t0 = Date.now();
      if (req.op === 'add') await control.newAddress({ family: 2, prefixlen: p.length, index }, { local: bytes, address: bytes }, { flags: NLM_F_CREATE_EXCL });
      else await control.delAddress({ family: 2, prefixlen: p.length, index }, { local: bytes, address: bytes });
      return { t0 };
    }
    case 'link': {
      const index = monitor.get(req.ifName).ifIndex;
      const t0 = Date.now();
      await control.setLink({ index, change: { up: true }, flags: req.up ? { up: true } : {} });
      return { t0 };
    }
    case 'block': {
      const until = Date.now() + req.ms;
      while (Date.now() < until);
      return {};
    }
    case 'refresh':
      await monitor.refresh();
      return {};
    case 'close':
      monitor.close();
      control.socket.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serve(handle, { errorName: false });
process.stdin.on('end', () => {
  monitor.close();
  control.socket.close();
  process.exit(0);
});
out({ event: 'ready', interfaces: monitor.interfaces().map(show), receiveBufferBytes: monitor.receiveBufferBytes() });
