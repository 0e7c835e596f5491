// Runs the nexthop-group installer inside a network namespace for
// nexthop-installer.ns.test.ts. argv[2]: JSON NexthopInstaller options; with `fib:
// true`, a MultipathFib (the daemon's) with that group and nexthopObjects,
// its log lines written as {event: 'log', level, message}. Requests on
// stdin ({id, cmd, …}): 'sync' {routes: [{prefix, nextHops: [{gateway,
// ifName}]}]}, 'update' {routes, removed: [prefix]}, 'sweep', 'refresh', 'removeAll', 'groups' (installer only),
// 'multipath' {prefix} (fib only: the view `show routes` prints), 'close'.
// Replies carry prefixes as text and failures as their messages.
/* global process, setImmediate */
import { readFileSync } from 'node:fs';
import { MultipathFib, NexthopInstaller } from '../../dist/src/multipath/index.js';
import { formatIpv4, formatPrefix, parseIpv4, parsePrefix } from '../../dist/src/lib/ipv4.js';
import { out, serve } from '../helpers/driver.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const ifIndexOf = (ifName) => Number(readFileSync(`/sys/class/net/${ifName}/ifindex`, 'utf8').trim());
const installer = options.fib
  ? new MultipathFib({
      table: 254,
      metric: 20,
      multipath: { group: options.group, hash: 'layer3' },
      perPacketInterfaces: [],
      ifIndexOf,
      log: (level, message) => out({ event: 'log', level, message }),
      nexthopObjects: options.nexthopObjects,
    })
  : new NexthopInstaller({ ...options, onFallback: (reason) => out({ event: 'fallback', reason }) });

const toRoute = (r) => ({
  prefix: parsePrefix(r.prefix),
  nextHops: r.nextHops.map((h) => ({ gateway: h.gateway ? parseIpv4(h.gateway) : 0, ifIndex: ifIndexOf(h.ifName) })),
});
const showResult = (r) => ({
  added: r.added.map(formatPrefix),
  replaced: r.replaced.map(formatPrefix),
  removed: r.removed.map(formatPrefix),
  unchanged: r.unchanged,
  failed: r.failed.map((e) => `${e.name}: ${e.message}`),
});

async function handle(req) {
  switch (req.cmd) {
    case 'sync':
      return { result: showResult(await installer.sync(req.routes.map(toRoute))) };
    case 'update':
      return { result: showResult(await installer.update(req.routes.map(toRoute), req.removed.map(parsePrefix))) };
    case 'sweep':
      return { removed: (await installer.sweep()).map(formatPrefix) };
    case 'refresh':
      return { result: showResult(await installer.refresh()) };
    case 'removeAll':
      return { result: showResult(await installer.removeAll()) };
    case 'multipath':
      return { view: installer.multipath(parsePrefix(req.prefix)) };
    case 'groups':
      return { groups: installer.installedGroups().map((g) => ({ id: g.id, kind: g.kind, gateways: g.nextHops.map((h) => formatIpv4(h.gateway)) })) };
    case 'close':
      installer.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serve(handle);
out({ event: 'ready' });
