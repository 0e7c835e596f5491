// The recovery check of the hostile-input tests (recovery.ts): quiet on a
// healed network, and failing on each state a network that has not healed
// can be in, including the 2-Way pairs that RFC 2328 10.4 requires to be Full.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { buildLsa } from '../../src/packet/index.js';
import { LsaType } from '../../src/packet/types.js';
import type { Route } from '../../src/spf/index.js';
import { convergedNetwork, lanAddress, p2pAddress, rid } from './converged-network.js';
import { recoveryProblems, type NetworkState } from './recovery.js';
import type { ScriptedCore } from './scripted-core.js';

/** Each router's table in the four-router network: the other loopbacks, over the LAN or the link. */
function tables(): Route[][] {
  return [0, 1, 2, 3].map((r) =>
    [0, 1, 2, 3]
      .filter((other) => other !== r)
      .map((other) => {
        const direct = r < 2 && other < 2;
        const nextHop = direct ? { address: p2pAddress(other), ifName: 'eth1' } : { address: lanAddress(other), ifName: 'eth0' };
        return { prefix: { address: rid(other), length: 32 }, pathType: 'intra-area' as const, cost: 10, type2Cost: 0, nextHops: [nextHop] };
      }),
  );
}

let after: NetworkState;
let clean: NetworkState;
let cores: ScriptedCore[];
let routes: Route[][];

beforeEach(() => {
  const stormed = convergedNetwork();
  cores = stormed.cores;
  routes = tables();
  after = { sim: stormed.sim, routes: (r) => routes[r] ?? [] };
  const reference = tables();
  clean = { sim: convergedNetwork().sim, routes: (r) => reference[r] ?? [] };
});

const setState = (r: number, ifName: string, neighbor: number, state: 'Full' | '2-Way'): void => {
  const core = cores[r] as ScriptedCore;
  core.neighborViews = core.neighborViews.map((n) => (n.ifName === ifName && n.routerId === rid(neighbor) ? { ...n, state } : n));
};

describe('recoveryProblems', () => {
  it('finds nothing wrong with a healed network', () => {
    expect(recoveryProblems(after, clean)).toEqual([]);
  });

  it('point-to-point neighbors left at 2-Way are not recovered (RFC 2328 10.4: always adjacent)', () => {
    setState(0, 'eth1', 1, '2-Way');
    setState(1, 'eth1', 0, '2-Way');
    expect(recoveryProblems(after, clean)).toEqual([
      'r1 eth1 (p2p2): neighbor r2 is 2-Way, expected Full',
      'r2 eth1 (p2p2): neighbor r1 is 2-Way, expected Full',
      'r1: router-LSA point-to-point links to 10.255.0.2, Full neighbors none',
      'r2: router-LSA point-to-point links to 10.255.0.1, Full neighbors none',
    ]);
  });

  it('a DROther at 2-Way with the DR or the BDR is not recovered (RFC 2328 10.4)', () => {
    setState(2, 'eth0', 0, '2-Way');
    setState(3, 'eth0', 1, '2-Way');
    expect(recoveryProblems(after, clean)).toEqual([
      'r3 eth0 (lan1): neighbor r1 is 2-Way, expected Full',
      'r4 eth0 (lan1): neighbor r2 is 2-Way, expected Full',
      'r3: router-LSA transit links to 10.1.0.1, expected none',
    ]);
  });

  it('two DROthers Full with each other are not what the RFC asks for either', () => {
    setState(2, 'eth0', 3, 'Full');
    expect(recoveryProblems(after, clean)).toEqual(['r3 eth0 (lan1): neighbor r4 is Full, expected 2-Way']);
  });

  it('an LSA from a router outside the network, even in every LSDB, is left over from the input', () => {
    const stray = buildLsa(
      { age: 100, options: 0x02, type: LsaType.AsExternal, lsId: parseIpv4('198.51.100.0'), advRouter: parseIpv4('10.0.0.7'), seq: -0x7fffffff },
      { kind: 'external', networkMask: 0xffffff00, routes: [{ eBit: true, tos: 0, metric: 20, forwardingAddress: 0, routeTag: 0 }] },
    );
    for (const core of cores) core.database = [...core.database, stray];
    expect(recoveryProblems(after, clean)).toEqual([0, 1, 2, 3].map((r) => `r${r + 1}: holds type 5 id 198.51.100.0 from 10.0.0.7, which is no router of the network`));
  });

  it('a routing table that differs from the clean network is not recovered', () => {
    routes[2] = (routes[2] ?? []).map((route) => (route.prefix.address === rid(0) ? { ...route, cost: 20 } : route));
    expect(recoveryProblems(after, clean)).toEqual([
      'r3: route missing: 10.255.0.1/32 intra-area 10/0 via 10.1.0.1@eth0',
      'r3: route not in the clean network: 10.255.0.1/32 intra-area 20/0 via 10.1.0.1@eth0',
    ]);
  });
});
