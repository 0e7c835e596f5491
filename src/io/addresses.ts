// Puts the anycast address on an interface and takes it off again, for
// anycast blocks with `manage-address`: RTM_NEWADDR and RTM_DELADDR over
// rtnetlink, which the daemon's capabilities (CAP_NET_ADMIN, inherited as
// ambient) allow. Adding an address that is there (EEXIST), or removing one
// that is not (EADDRNOTAVAIL), is not an error.

import { AttrStream, rt } from './netlink-package.js';
import type { AddressManager } from '../anycast/index.js';
import { formatPrefix, type Prefix } from '../lib/ipv4.js';
import { AF_INET, EADDRNOTAVAIL, EEXIST, errnoName, NLM_F_CREATE, NLM_F_EXCL, RTM_DELADDR, RTM_NEWADDR, Rtnetlink } from './netlink.js';

/** The kernel refused to add or remove the address for another reason than it being there (or not), or the interface is missing. */
export class AddressChangeError extends Error {
  override name = 'AddressChangeError';
}

/** struct ifaddrmsg with IFA_LOCAL and IFA_ADDRESS both the address, as `ip address add` sends it. */
function addressMessage(prefix: Prefix, ifIndex: number): Buffer {
  const address = Buffer.alloc(4);
  address.writeUInt32BE(prefix.address >>> 0, 0);
  const stream = new AttrStream();
  rt.formatAddressMessage({ kind: 'address', data: { family: AF_INET, prefixlen: prefix.length, index: ifIndex }, attrs: { local: address, address } }, stream);
  return Buffer.concat(stream.bufs);
}

/**
 * Send one address change; `tolerated` is the errno that means the
 * interface is already as wanted. Throws AddressChangeError.
 */
async function change(what: 'add' | 'remove', prefix: Prefix, ifName: string, tolerated: number): Promise<void> {
  const text = what === 'add' ? `cannot add ${formatPrefix(prefix)} to ${ifName}` : `cannot remove ${formatPrefix(prefix)} from ${ifName}`;
  let netlink: Rtnetlink | undefined;
  try {
    netlink = new Rtnetlink();
    const ifIndex = await netlink.ifIndex(ifName);
    if (ifIndex === undefined) throw new AddressChangeError(`${text}: no such interface`);
    const errno =
      what === 'add'
        ? await netlink.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, addressMessage(prefix, ifIndex), 'address add')
        : await netlink.request(RTM_DELADDR, 0, addressMessage(prefix, ifIndex), 'address delete');
    if (errno !== 0 && errno !== tolerated) throw new AddressChangeError(`${text}: ${errnoName(errno)}`);
  } catch (error) {
    if (error instanceof AddressChangeError) throw error;
    throw new AddressChangeError(`${text}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    netlink?.close();
  }
}

export const netlinkAddressManager: AddressManager = {
  add: (prefix, ifName) => change('add', prefix, ifName, EEXIST),
  remove: (prefix, ifName) => change('remove', prefix, ifName, EADDRNOTAVAIL),
};
