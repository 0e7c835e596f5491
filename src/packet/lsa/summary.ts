// The summary-LSA body (RFC 2328 A.4.4), for both type 3 (a network) and
// type 4 (an AS boundary router), originated by area border routers.
//
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Network Mask                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      0        |                  metric                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     TOS       |                TOS  metric                    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                              ...                              |

import type { Reader, Writer } from '../bytes.js';
import { DecodeError } from '../errors.js';
import type { SummaryLsaBody, TosMetric } from '../types.js';

export function decodeSummaryBody(r: Reader): SummaryLsaBody {
  const networkMask = r.u32();
  r.skip(1);
  const metric = r.u24();
  if (r.remaining % 4 !== 0) throw new DecodeError('bad-lsa-length', r.pos, 'TOS entries are not whole 4-byte entries');
  const tos: TosMetric[] = [];
  while (r.remaining > 0) tos.push({ tos: r.u8(), metric: r.u24() });
  return { kind: 'summary', networkMask, metric, tos };
}

export function summaryBodyLength(body: SummaryLsaBody): number {
  return 8 + 4 * body.tos.length;
}

export function writeSummaryBody(w: Writer, body: SummaryLsaBody): void {
  w.u32(body.networkMask, 'Network Mask');
  w.u8(0);
  w.u24(body.metric, 'summary metric');
  for (const tos of body.tos) {
    w.u8(tos.tos, 'TOS');
    w.u24(tos.metric, 'TOS metric');
  }
}
