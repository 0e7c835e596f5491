// The convergence checks themselves: quiet on a network that is converged,
// and naming each way one can fail to be (so a passing sweep means something).
// Scripted cores report hand-written views of a four-router network
// (converged-network.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { buildLsa } from '../../src/packet/index.js';
import { LsaType, RouterLinkType } from '../../src/packet/types.js';
import { checkConvergence, type Simulator } from '../../src/sim/index.js';
import { convergedNetwork, lanAddress, networkLsa, rid, routerLsa } from './converged-network.js';
import type { ScriptedCore } from './scripted-core.js';

let sim: Simulator;
let cores: ScriptedCore[];

beforeEach(() => {
  ({ sim, cores } = convergedNetwork());
});

describe('checkConvergence', () => {
  it('finds nothing wrong with a converged network', () => {
    expect(checkConvergence(sim)).toEqual([]);
  });

  it('DROthers must stay 2-Way with each other (RFC 2328 10.4)', () => {
    cores[2].neighborViews = cores[2].neighborViews.map((n) => (n.routerId === rid(3) ? { ...n, state: 'Full' } : n));
    expect(checkConvergence(sim)).toEqual(['r3 eth0 (lan1): neighbor r4 is Full, expected 2-Way']);
  });

  it('everyone must be Full with the DR and the BDR', () => {
    cores[3].neighborViews = cores[3].neighborViews.map((n) => (n.routerId === rid(1) ? { ...n, state: 'Loading' } : n));
    expect(checkConvergence(sim)).toEqual(['r4 eth0 (lan1): neighbor r2 is Loading, expected Full']);
  });

  it('point-to-point neighbors must be Full, and present', () => {
    cores[0].neighborViews = cores[0].neighborViews.filter((n) => n.ifName !== 'eth1');
    expect(checkConvergence(sim)).toContain('r1 eth1 (p2p2): no neighbor r2, expected Full');
  });

  it('routers on a segment must agree on the DR and BDR (RFC 2328 9.4)', () => {
    cores[3].interfaceViews = cores[3].interfaceViews.map((i) => (i.name === 'eth0' ? { ...i, bdr: lanAddress(2) } : i));
    expect(checkConvergence(sim)).toEqual(['r4 eth0 (lan1): DR 10.1.0.1 BDR 10.1.0.3, but r1 says DR 10.1.0.1 BDR 10.1.0.2']);
  });

  it('nothing may be left to retransmit or request (RFC 2328 10)', () => {
    cores[1].neighborViews = cores[1].neighborViews.map((n, k) => (k === 0 ? { ...n, retransmitCount: 2 } : n));
    expect(checkConvergence(sim)).toEqual(['r2 eth0: neighbor 10.255.0.1 still has 2 to retransmit, 0 to request']);
  });

  it('LSDBs must hold the same instances (RFC 2328 13)', () => {
    const stale = { ...routerLsa(3), seq: -0x7fffffff + 2 };
    cores[2].database = cores[2].database.map((l) => (l.advRouter === rid(3) && l.type === LsaType.Router ? stale : l));
    expect(checkConvergence(sim)).toEqual([
      expect.stringMatching(/^type 1 id 10\.255\.0\.4 adv 10\.255\.0\.4: r1 has seq 0x80000004 cksum 0x[0-9a-f]+, r3 has seq 0x80000003 cksum/),
    ]);
  });

  it('no MaxAge LSA may be left once flushed (RFC 2328 14)', () => {
    for (const core of cores) core.database = core.database.map((l) => (l.type === LsaType.Network ? { ...l, age: 3600 } : l));
    const problems = checkConvergence(sim);
    expect(problems.filter((p) => p.includes('still held at MaxAge'))).toHaveLength(4);
    expect(problems).toContain('r1: DR on 10.1.0.1 with Full neighbors but no network-LSA');
  });

  it('the DR must list exactly its Full neighbors in its network-LSA (RFC 2328 12.4.2)', () => {
    for (const core of cores) core.database = core.database.map((l) => (l.type === LsaType.Network ? networkLsa([0, 1, 2].map(rid)) : l));
    expect(checkConvergence(sim)).toEqual(['r1: network-LSA 10.1.0.1 lists 10.255.0.1 10.255.0.2 10.255.0.3, expected 10.255.0.1 10.255.0.2 10.255.0.3 10.255.0.4']);
  });

  it('router-LSAs must describe the Full adjacencies (RFC 2328 12.4.1)', () => {
    const r2 = buildLsa(
      { age: 10, options: 0x02, type: LsaType.Router, lsId: rid(1), advRouter: rid(1), seq: -0x7fffffff + 3 },
      { kind: 'router', flags: 0, links: [{ linkId: rid(1), linkData: 0xffffffff, type: RouterLinkType.Stub, metric: 0, tos: [] }] },
    );
    for (const core of cores) core.database = core.database.map((l) => (l.type === LsaType.Router && l.advRouter === rid(1) ? r2 : l));
    expect(checkConvergence(sim)).toEqual([
      'r2: router-LSA point-to-point links to none, Full neighbors 10.255.0.1',
      'r2: router-LSA transit links to none, expected 10.1.0.1',
    ]);
  });

  it('a router may not keep a network-LSA for a segment where it is not DR (RFC 2328 12.4.2)', () => {
    const stale = buildLsa(
      { age: 10, options: 0x02, type: LsaType.Network, lsId: lanAddress(2), advRouter: rid(2), seq: -0x7fffffff },
      { kind: 'network', networkMask: 0xffffff00, attachedRouters: [rid(2), rid(3)] },
    );
    for (const core of cores) core.database = [...core.database, stale];
    expect(checkConvergence(sim)).toEqual(['r3: network-LSA 10.1.0.3 but it is not DR with a Full neighbor there']);
  });

  it('AS-external-LSAs must match the configured routes (RFC 2328 12.4.4)', () => {
    const config = structuredClone(sim.config(3));
    config.externals = [{ prefix: { address: parseIpv4('192.0.2.0'), length: 24 }, metric: 1, metricType: 2, forwardingAddress: 0, tag: 0 }];
    sim.reconfigure(3, config);
    expect(checkConvergence(sim)).toEqual(['r4: AS-external-LSAs for none, configured 192.0.2.0/24']);
  });

  it('a stopped router is left out, and its links with it', () => {
    sim.stopRouter(3);
    for (const i of [0, 1, 2]) cores[i].neighborViews = cores[i].neighborViews.filter((n) => n.routerId !== rid(3));
    for (const i of [0, 1, 2]) cores[i].database = cores[i].database.map((l) => (l.type === LsaType.Network ? networkLsa([0, 1, 2].map(rid)) : l));
    expect(checkConvergence(sim)).toEqual([]);
  });
});
