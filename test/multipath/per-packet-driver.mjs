// Runs the per-packet spreader inside a network namespace for
// per-packet.ns.test.ts. Requests on stdin ({id, cmd, …}): 'check', 'sweep',
// 'sync' {routes: [{prefix, nextHops: [{gateway, ifName}]}]}, 'removeAll', 'close'.
/* global process, setImmediate */
import { readFileSync } from 'node:fs';
import { PerPacketSpreader } from '../../dist/src/multipath/per-packet.js';
import { parseIpv4, parsePrefix } from '../../dist/src/lib/ipv4.js';
import { out, serve } from '../helpers/driver.mjs';

const spreader = new PerPacketSpreader();
const ifIndexOf = (ifName) => Number(readFileSync(`/sys/class/net/${ifName}/ifindex`, 'utf8').trim());
const toRoute = (r) => ({
  prefix: parsePrefix(r.prefix),
  nextHops: r.nextHops.map((h) => ({ gateway: parseIpv4(h.gateway), ifIndex: ifIndexOf(h.ifName) })),
});

async function handle(req) {
  switch (req.cmd) {
    case 'check':
      return { result: await spreader.check() };
    case 'sweep':
      return { result: await spreader.sweep() };
    case 'sync':
      return { result: await spreader.sync(req.routes.map(toRoute)) };
    case 'removeAll':
      return { result: await spreader.removeAll() };
    case 'close':
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serve(handle);
out({ event: 'ready' });
