// Runs the kernel route installer inside a network namespace for
// routes.ns.test.ts. argv[2]: JSON installer options ({table, metric}).
// Requests on stdin ({id, cmd, …}): 'sync' {routes: [{prefix: "a.b.c.d/len",
// nextHops: [{gateway: "a.b.c.d", ifName}]}]}, 'update' {routes, removed:
// ["a.b.c.d/len"]}, 'refresh', 'sweep', 'removeAll',
// 'installed', 'close'. Replies carry prefixes as text, failures as {name,
// errno, code, message, prefix}, and sync/removeAll the time they took.
/* global process, setImmediate, performance */
import { readFileSync } from 'node:fs';
import { RouteInstaller } from '../../dist/src/io/routes.js';
import { formatPrefix, parseIpv4, parsePrefix } from '../../dist/src/lib/ipv4.js';
import { out, serve } from '../helpers/driver.mjs';

const installer = new RouteInstaller(JSON.parse(process.argv[2] ?? '{}'));
const ifIndexOf = (ifName) => Number(readFileSync(`/sys/class/net/${ifName}/ifindex`, 'utf8').trim());

const toRoute = (r) => ({
  prefix: parsePrefix(r.prefix),
  nextHops: r.nextHops.map((h) => ({ gateway: h.gateway ? parseIpv4(h.gateway) : 0, ifIndex: h.ifIndex ?? ifIndexOf(h.ifName) })),
});
const showResult = (r) => ({
  added: r.added.map(formatPrefix),
  replaced: r.replaced.map(formatPrefix),
  removed: r.removed.map(formatPrefix),
  unchanged: r.unchanged,
  failed: r.failed.map((e) => ({ name: e.name, errno: e.errno, code: e.code, message: e.message, prefix: formatPrefix(e.route.prefix) })),
});

async function handle(req) {
  switch (req.cmd) {
    case 'sync': {
      const routes = req.routes.map(toRoute);
      const t0 = performance.now();
      const result = await installer.sync(routes);
      return { result: showResult(result), elapsedMs: performance.now() - t0 };
    }
    case 'update':
      return { result: showResult(await installer.update(req.routes.map(toRoute), req.removed.map((p) => parsePrefix(p)))) };
    case 'refresh':
      return { result: showResult(await installer.refresh()) };
    case 'sweep':
      return { removed: (await installer.sweep()).map(formatPrefix) };
    case 'removeAll': {
      const t0 = performance.now();
      const result = await installer.removeAll();
      return { result: showResult(result), elapsedMs: performance.now() - t0 };
    }
    case 'installed':
      return { routes: installer.installed().map((r) => formatPrefix(r.prefix)) };
    case 'close':
      installer.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

serve(handle);
process.stdin.on('end', () => {
  installer.close();
  process.exit(0);
});
out({ event: 'ready' });
