// The transit hold on its own (src/instance/transit-hold.ts): what the SPF is
// given for a segment whose DR leaves, and LSAs that do not decode.
import { describe, expect, it } from 'vitest';
import type { InterfaceView, NeighborView } from '../../src/core/api.js';
import { TransitHolds, type HoldContext } from '../../src/instance/transit-hold.js';
import { parseIpv4 as ip } from '../../src/lib/ipv4.js';
import { buildLsa, decodeLsaBody, LsaType, MaxAge, RouterLinkType, type Lsa, type LsaKey, type NetworkLsaBody, type RouterLsaBody } from '../../src/packet/index.js';

const SELF = ip('1.1.1.1');
const DR = ip('10.1.0.3');
const OLD_DR_ID = ip('3.3.3.3');
const NETWORK: LsaKey = { type: LsaType.Network, lsId: DR, advRouter: OLD_DR_ID };

function routerLsa(id: number, links: RouterLsaBody['links']): Lsa {
  return buildLsa({ age: 1, options: 0x02, type: LsaType.Router, lsId: id, advRouter: id, seq: 0x80000002 }, { kind: 'router', flags: 0, links });
}

const transit = (dr: number, address: number) => ({ type: RouterLinkType.Transit, linkId: dr, linkData: address, metric: 10, tos: [] });

/** us (1.1.1.1, 10.1.0.1), 2.2.2.2 (10.1.0.2) and the DR 3.3.3.3 (10.1.0.3) on eth0. */
function world() {
  const lsdb = new Map<string, Lsa>();
  const put = (lsa: Lsa) => lsdb.set(`${lsa.type}:${lsa.lsId >>> 0}:${lsa.advRouter >>> 0}`, lsa);
  put(buildLsa({ age: 1, options: 0x02, type: LsaType.Network, lsId: DR, advRouter: OLD_DR_ID, seq: 0x80000001 }, { kind: 'network', networkMask: ip('255.255.255.0'), attachedRouters: [SELF, ip('2.2.2.2'), OLD_DR_ID] }));
  put(routerLsa(SELF, [transit(DR, ip('10.1.0.1'))]));
  put(routerLsa(ip('2.2.2.2'), [transit(DR, ip('10.1.0.2'))]));
  put(routerLsa(OLD_DR_ID, [transit(DR, DR)]));
  const iface: InterfaceView = { name: 'eth0', state: 'Backup', networkType: 'broadcast', passive: false, address: ip('10.1.0.1'), prefixLength: 24, cost: 10, dr: DR, bdr: ip('10.1.0.1') };
  const neighbors: NeighborView[] = [
    { ifName: 'eth0', routerId: ip('2.2.2.2'), address: ip('10.1.0.2'), priority: 1, state: 'Full', dr: DR, bdr: ip('10.1.0.1'), retransmitCount: 0, requestCount: 0 },
  ];
  const ctx = (now: number): HoldContext => ({
    now,
    routerId: SELF,
    interfaces: [iface],
    neighbors,
    lsa: (key) => lsdb.get(`${key.type}:${key.lsId >>> 0}:${key.advRouter >>> 0}`),
    deadIntervalMs: () => 4000,
  });
  const flush = (key: LsaKey) => {
    const lsa = lsdb.get(`${key.type}:${key.lsId >>> 0}:${key.advRouter >>> 0}`) as Lsa;
    put(buildLsa({ age: MaxAge, options: lsa.options, type: lsa.type, lsId: lsa.lsId, advRouter: lsa.advRouter, seq: lsa.seq + 1 }, decodeLsaBody(lsa)));
  };
  return { lsdb, put, ctx, flush, iface };
}

describe('the transit hold', () => {
  it('keeps a flushed network-LSA of our segment for the SPF, with only us and our live neighbors attached', () => {
    const w = world();
    const holds = new TransitHolds();
    holds.changed(NETWORK, w.ctx(0));
    expect(holds.size).toBe(0);
    w.flush(NETWORK);
    holds.changed(NETWORK, w.ctx(10));
    expect(holds.size).toBe(1);
    expect(holds.covers(NETWORK, SELF)).toBe(true);
    const seen = holds.view(NETWORK, w.ctx(10));
    expect(seen).toBeDefined();
    // Decoded from the bytes the SPF gets: the departed DR is no longer attached.
    const view = decodeLsaBody(viewLsa(seen as Uint8Array)) as NetworkLsaBody;
    expect(view.kind).toBe('network');
    expect(view.attachedRouters.map((r) => r >>> 0)).toEqual([SELF, ip('2.2.2.2')]);
    // Our router-LSA, as the SPF sees it, still links to the held network.
    const own = decodeLsaBody(viewLsa(holds.view({ type: LsaType.Router, lsId: SELF, advRouter: SELF }, w.ctx(10)) as Uint8Array)) as RouterLsaBody;
    expect(own.links.map((l) => [l.type, l.linkId >>> 0])).toContainEqual([RouterLinkType.Transit, DR]);
  });

  it('lets go after 2 × RouterDeadInterval, and the SPF is given the LSDB again', () => {
    const w = world();
    const holds = new TransitHolds();
    holds.changed(NETWORK, w.ctx(0));
    w.flush(NETWORK);
    holds.changed(NETWORK, w.ctx(10));
    holds.refresh(w.ctx(7999));
    expect(holds.size).toBe(1);
    expect(holds.nextDeadline()).toBe(8010);
    const changed = holds.refresh(w.ctx(8010));
    expect(changed).toContainEqual(NETWORK);
    expect(holds.size).toBe(0);
    expect(holds.covers(NETWORK, SELF)).toBe(false);
  });

  it('lets go once the routers it carries share another transit network with us', () => {
    const w = world();
    const holds = new TransitHolds();
    holds.changed({ type: LsaType.Router, lsId: SELF, advRouter: SELF }, w.ctx(0));
    holds.changed(NETWORK, w.ctx(0));
    w.flush(NETWORK);
    holds.changed(NETWORK, w.ctx(10));
    holds.refresh(w.ctx(10));
    // 2.2.2.2 moves to our network (we are the new DR) before our own router-LSA does: still held.
    w.put(routerLsa(ip('2.2.2.2'), [transit(ip('10.1.0.1'), ip('10.1.0.2'))]));
    holds.refresh(w.ctx(20));
    expect(holds.size).toBe(1);
    // Our router-LSA catches up.
    w.put(routerLsa(SELF, [transit(ip('10.1.0.1'), ip('10.1.0.1'))]));
    holds.changed({ type: LsaType.Router, lsId: SELF, advRouter: SELF }, w.ctx(30));
    holds.refresh(w.ctx(30));
    expect(holds.size).toBe(0);
  });

  it('takes an LSA whose body does not decode as no link of anyone (RFC 2328 13 (1) checks only the checksum)', () => {
    const w = world();
    const holds = new TransitHolds();
    holds.changed(NETWORK, w.ctx(0));
    w.flush(NETWORK);
    holds.changed(NETWORK, w.ctx(10));
    // 2.2.2.2's router-LSA claims 65280 links in 12 bytes.
    const bad = routerLsa(ip('2.2.2.2'), [transit(DR, ip('10.1.0.2'))]);
    bad.raw[22] = 0xff;
    bad.raw[23] = 0x00;
    w.put(bad);
    expect(() => holds.refresh(w.ctx(20))).not.toThrow();
    // It no longer links to anything, so nothing needs the hold.
    expect(holds.size).toBe(0);
  });
});

/** An Lsa around raw bytes, for decodeLsaBody. */
function viewLsa(raw: Uint8Array): Lsa {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return { age: view.getUint16(0), options: raw[2] as number, type: raw[3] as number, lsId: view.getUint32(4), advRouter: view.getUint32(8), seq: view.getInt32(12), checksum: view.getUint16(16), length: view.getUint16(18), raw } as Lsa;
}
