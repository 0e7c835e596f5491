// Runs the netlink address manager inside a network namespace for
// addresses.ns.test.ts. Requests on stdin ({id, cmd, …}): 'add' and
// 'remove' {prefix: "a.b.c.d/len", ifName}; replies {} when done, or
// {error: {name, message}} when the manager refused.
/* global process */
import { netlinkAddressManager } from '../../dist/src/io/addresses.js';
import { parsePrefix } from '../../dist/src/lib/ipv4.js';
import { out, serve } from '../helpers/driver.mjs';

async function handle(req) {
  try {
    if (req.cmd === 'add') await netlinkAddressManager.add(parsePrefix(req.prefix), req.ifName);
    else if (req.cmd === 'remove') await netlinkAddressManager.remove(parsePrefix(req.prefix), req.ifName);
    else throw new Error(`unknown command ${req.cmd}`);
    return {};
  } catch (error) {
    return { error: { name: error.name, message: error.message } };
  }
}

serve(handle);
process.stdin.on('end', () => process.exit(0));
out({ event: 'ready' });
