// The AS-external-LSA body (RFC 2328 A.4.5), also the layout of the NSSA
// type-7 LSA (RFC 3101 2.3): one route per TOS, TOS 0 first.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Network Mask                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |E|     0       |                  metric                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Forwarding address                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      External Route Tag                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |E|    TOS      |                TOS  metric                    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Forwarding address                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      External Route Tag                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                              ...                              |

import type { Reader, Writer } from '../bytes.js';
import { DecodeError, EncodeError } from '../errors.js';
import type { ExternalLsaBody, ExternalRoute } from '../types.js';

const RouteLength = 12;
/** The E-bit in the first octet of each route (RFC 2328 A.4.5). */
const EBit = 0x80;

export function decodeExternalBody(r: Reader): ExternalLsaBody {
  const networkMask = r.u32();
  if (r.remaining === 0 || r.remaining % RouteLength !== 0) {
    throw new DecodeError('bad-lsa-length', r.pos, 'routes are not whole 12-byte entries');
  }
  const routes: ExternalRoute[] = [];
  while (r.remaining > 0) {
    const first = r.u8();
    const metric = r.u24();
    const forwardingAddress = r.u32();
    const routeTag = r.u32();
    routes.push({ eBit: (first & EBit) !== 0, tos: first & ~EBit, metric, forwardingAddress, routeTag });
  }
  return { kind: 'external', networkMask, routes };
}

export function externalBodyLength(body: ExternalLsaBody): number {
  return 4 + RouteLength * body.routes.length;
}

export function writeExternalBody(w: Writer, body: ExternalLsaBody): void {
  if (body.routes.length === 0) throw new EncodeError('an AS-external-LSA needs its TOS 0 route');
  w.u32(body.networkMask, 'Network Mask');
  for (const route of body.routes) {
    if (!Number.isInteger(route.tos) || route.tos < 0 || route.tos > 0x7f) throw new EncodeError(`TOS out of range: ${route.tos}`);
    w.u8((route.eBit ? EBit : 0) | route.tos);
    w.u24(route.metric, 'external metric');
    w.u32(route.forwardingAddress, 'Forwarding address');
    w.u32(route.routeTag, 'External Route Tag');
  }
}
