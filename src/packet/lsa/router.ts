// The router-LSA body (RFC 2328 A.4.2): a router's links in one area.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |    0    |V|E|B|        0      |            # links            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Link ID                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Link Data                             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      |     # TOS     |            metric             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      TOS      |        0      |          TOS  metric          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                              ...                              |

import type { Reader, Writer } from '../bytes.js';
import { DecodeError } from '../errors.js';
import type { RouterLink, RouterLsaBody, TosMetric } from '../types.js';

/** The body in r[pos, end); the links must fill it exactly. */
export function decodeRouterBody(r: Reader): RouterLsaBody {
  // The flags octet is kept whole (V, E, B and the RFC 3101 Nt bit).
  const flags = r.u8();
  r.skip(1);
  const count = r.u16();
  // Each link takes at least 12 bytes: a count beyond that is a lie.
  if (count * 12 > r.remaining) throw new DecodeError('bad-lsa-length', r.pos - 2, `${count} links in ${r.remaining} bytes`);
  const links: RouterLink[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const linkId = r.u32();
    const linkData = r.u32();
    const type = r.u8();
    const tosCount = r.u8();
    const metric = r.u16();
    const tos: TosMetric[] = [];
    for (let t = 0; t < tosCount; t++) {
      const tosValue = r.u8();
      r.skip(1);
      tos.push({ tos: tosValue, metric: r.u16() });
    }
    links[i] = { linkId, linkData, type, metric, tos };
  }
  if (r.remaining !== 0) throw new DecodeError('bad-lsa-length', r.pos, `${r.remaining} bytes after the last link`);
  return { kind: 'router', flags, links };
}

export function routerBodyLength(body: RouterLsaBody): number {
  let length = 4;
  for (const link of body.links) length += 12 + 4 * link.tos.length;
  return length;
}

export function writeRouterBody(w: Writer, body: RouterLsaBody): void {
  w.u8(body.flags, 'router-LSA flags');
  w.u8(0);
  w.u16(body.links.length, '# links');
  for (const link of body.links) {
    w.u32(link.linkId, 'Link ID');
    w.u32(link.linkData, 'Link Data');
    w.u8(link.type, 'link Type');
    w.u8(link.tos.length, '# TOS');
    w.u16(link.metric, 'link metric');
    for (const tos of link.tos) {
      w.u8(tos.tos, 'TOS');
      w.u8(0);
      w.u16(tos.metric, 'TOS metric');
    }
  }
}
