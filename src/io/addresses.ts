// Puts the anycast address on an interface and takes it off again, for
// anycast blocks with `manage-address`. It runs iproute2's `ip address`,
// which the daemon's capabilities (CAP_NET_ADMIN, inherited as ambient)
// allow; adding an address that is there, or removing one that is not, is
// not an error.

import { execFile } from 'node:child_process';
import type { AddressManager } from '../anycast/index.js';
import { formatPrefix, type Prefix } from '../lib/ipv4.js';

/** `ip address add|del` failed for another reason than the address being there (or not). */
export class AddressChangeError extends Error {
  override name = 'AddressChangeError';
}

function ip(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('ip', args, { timeout: 5000 }, (error, _stdout, stderr) => resolve(error ? `${stderr}`.trim() || error.message : ''));
  });
}

export const iproute2AddressManager: AddressManager = {
  async add(prefix: Prefix, ifName: string): Promise<void> {
    const failure = await ip(['address', 'add', formatPrefix(prefix), 'dev', ifName]);
    if (failure !== '' && !/File exists/.test(failure)) throw new AddressChangeError(`cannot add ${formatPrefix(prefix)} to ${ifName}: ${failure}`);
  },
  async remove(prefix: Prefix, ifName: string): Promise<void> {
    const failure = await ip(['address', 'del', formatPrefix(prefix), 'dev', ifName]);
    if (failure !== '' && !/Cannot assign requested address/.test(failure)) {
      throw new AddressChangeError(`cannot remove ${formatPrefix(prefix)} from ${ifName}: ${failure}`);
    }
  },
};
