// A converged four-router network as RFC 2328 9.4, 10.4 and 12.4 describe it,
// made of scripted cores whose views a test can then spoil: the fixture of
// the tests of the convergence and recovery checks.
//
// lan1 10.1.0.0/24: r1 (.1, DR), r2 (.2, BDR), r3 (.3), r4 (.4) on eth0; p2p2 r1–r2 on eth1.
import type { InterfaceView, NeighborState, NeighborView } from '../../src/core/api.js';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { buildLsa } from '../../src/packet/index.js';
import { LsaType, RouterLinkType, type Lsa, type RouterLink } from '../../src/packet/types.js';
import { Simulator, TopologyBuilder } from '../../src/sim/index.js';
import { ScriptedCore, scriptedFactory } from './scripted-core.js';

export const rid = (r: number): number => parseIpv4(`10.255.0.${r + 1}`);
export const lanAddress = (r: number): number => parseIpv4(`10.1.0.${r + 1}`);
export const p2pAddress = (r: number): number => parseIpv4(`10.128.0.${r + 1}`);
const DR = lanAddress(0);
const BDR = lanAddress(1);

function iface(name: string, state: InterfaceView['state'], address: number, prefixLength: number): InterfaceView {
  const broadcast = name === 'eth0';
  return {
    name,
    state,
    networkType: broadcast ? 'broadcast' : 'point-to-point',
    passive: false,
    address,
    prefixLength,
    cost: 10,
    dr: broadcast ? DR : 0,
    bdr: broadcast ? BDR : 0,
  };
}

function neighbor(ifName: string, r: number, state: NeighborState): NeighborView {
  const address = ifName === 'eth0' ? lanAddress(r) : p2pAddress(r);
  return { ifName, routerId: rid(r), address, priority: 1, state, dr: DR, bdr: BDR, retransmitCount: 0, requestCount: 0 };
}

export function routerLsa(r: number): Lsa {
  const links: RouterLink[] = [{ linkId: DR, linkData: lanAddress(r), type: RouterLinkType.Transit, metric: 10, tos: [] }];
  if (r < 2) links.push({ linkId: rid(1 - r), linkData: p2pAddress(r), type: RouterLinkType.PointToPoint, metric: 10, tos: [] });
  links.push({ linkId: rid(r), linkData: 0xffffffff, type: RouterLinkType.Stub, metric: 0, tos: [] });
  return buildLsa(
    { age: 10, options: 0x02, type: LsaType.Router, lsId: rid(r), advRouter: rid(r), seq: -0x7fffffff + 3 },
    { kind: 'router', flags: 0, links },
  );
}

export function networkLsa(attached = [0, 1, 2, 3].map(rid)): Lsa {
  return buildLsa(
    { age: 10, options: 0x02, type: LsaType.Network, lsId: DR, advRouter: rid(0), seq: -0x7fffffff + 1 },
    { kind: 'network', networkMask: 0xffffff00, attachedRouters: attached },
  );
}

/** The network, converged: every view as the RFC requires it. */
export function convergedNetwork(): { sim: Simulator; cores: ScriptedCore[] } {
  const b = new TopologyBuilder();
  const r = [b.addRouter(), b.addRouter(), b.addRouter(), b.addRouter()];
  b.addBroadcast(r);
  b.addP2p(r[0], r[1]);
  const factory = scriptedFactory(() => []);
  const sim = new Simulator({ topology: b.build(), seed: 1, createCore: factory.create, startJitterMs: 0 });
  sim.runFor(0);
  const cores = r.map((i) => factory.cores.get(rid(i))?.[0] as ScriptedCore);
  const states: InterfaceView['state'][] = ['DR', 'Backup', 'DROther', 'DROther'];
  const database = [...r.map(routerLsa), networkLsa()];
  for (const i of r) {
    const core = cores[i];
    core.interfaceViews = [iface('lo', 'Loopback', rid(i), 32), iface('eth0', states[i], lanAddress(i), 24)];
    if (i < 2) core.interfaceViews.push(iface('eth1', 'PointToPoint', p2pAddress(i), 30));
    core.neighborViews = r.filter((j) => j !== i).map((j) => neighbor('eth0', j, i < 2 || j < 2 ? 'Full' : '2-Way'));
    if (i < 2) core.neighborViews.push(neighbor('eth1', 1 - i, 'Full'));
    core.database = [...database];
  }
  return { sim, cores };
}
