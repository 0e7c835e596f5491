// The network-LSA body (RFC 2328 A.4.3): a transit network and the routers
// attached to it, originated by its Designated Router.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Network Mask                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                        Attached Router                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                              ...                              |

import type { Reader, Writer } from '../bytes.js';
import { DecodeError } from '../errors.js';
import type { NetworkLsaBody } from '../types.js';

export function decodeNetworkBody(r: Reader): NetworkLsaBody {
  const networkMask = r.u32();
  if (r.remaining % 4 !== 0) throw new DecodeError('bad-lsa-length', r.pos, 'attached routers are not whole 4-byte ids');
  const attachedRouters: number[] = [];
  while (r.remaining > 0) attachedRouters.push(r.u32());
  return { kind: 'network', networkMask, attachedRouters };
}

export function networkBodyLength(body: NetworkLsaBody): number {
  return 4 + 4 * body.attachedRouters.length;
}

export function writeNetworkBody(w: Writer, body: NetworkLsaBody): void {
  w.u32(body.networkMask, 'Network Mask');
  for (const router of body.attachedRouters) w.u32(router, 'Attached Router');
}
