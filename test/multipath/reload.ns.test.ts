// Multipath settings applied live: ospf-anycastd as the router in front of
// three ospf-anycastd nodes, its configuration rewritten and reloaded
// (`ospf-anycast reload` and SIGHUP). After each reload the kernel shows the
// new group kind, timers, hash policy or per-packet rules, and no adjacency
// left Full: the reload never restarts OSPF.
//
//   resilient idle-timer 0, layer3, per-flow
//     → idle-timer 30         the same group, its timer replaced in place
//     → hash-threshold, layer4 a new group of the new kind, the old one gone; sysctl 1
//     → per-packet on e0      nft table and one fwmark rule per node
//     → back to the start     no nft table or rule, a resilient group; sysctl 0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceGate } from '../helpers/netns.js';
import { InteropLab, type AnycastDaemon, type RouteRowView } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { ANYCAST, FAST_TIMERS, GATEWAYS, anycastGroup, buildRouterLab, nodeConf, ourNexthops, type IpNexthop, type RouterLab } from './topology.js';

const gate = namespaceGate('multipath reload namespace tests');

const CONVERGE_MS = 30_000;

interface RouterSettings {
  group: string;
  hash: 'layer3' | 'layer4';
  loadSharing: 'per-flow' | 'per-packet';
}

const routerConf = (s: RouterSettings): string => `interface e0
${FAST_TIMERS} ip ospf priority 10
 ip load-sharing ${s.loadSharing}
!
router ospf
 ospf router-id 10.92.0.1
 network 10.92.0.0/24 area 0.0.0.0
 log-adjacency-changes
 multipath group ${s.group}
 multipath hash ${s.hash}
!
`;

const START: RouterSettings = { group: 'resilient buckets 120 idle-timer 0', hash: 'layer3', loadSharing: 'per-flow' };

describe.skipIf(gate.skip)('multipath settings reloaded without restarting OSPF', () => {
  let lab: InteropLab;
  let rl: RouterLab;
  let router: AnycastDaemon;

  const ours = (): IpNexthop[] => ourNexthops(rl.lab, rl.router);
  const group = (): ReturnType<typeof anycastGroup> => anycastGroup(rl.lab, rl.router);
  const hashPolicy = (): string => rl.lab.exec(rl.router, 'sysctl', ['-n', 'net.ipv4.fib_multipath_hash_policy']).trim();
  const fwmarkRules = (): unknown[] => rl.lab.ipJson<{ priority: number }[]>(rl.router, ['rule', 'show']).filter((r) => r.priority === 1880);
  const nftTables = (): string => rl.lab.exec(rl.router, 'nft', ['list', 'tables']).trim();
  const detail = async (): Promise<string> => lab.report();

  /** Rewrites the router's file and reloads it with the CLI; returns the daemon's answer. */
  const reload = async (settings: RouterSettings): Promise<string> => {
    router.writeConfig(routerConf(settings));
    return (await router.cli<{ message: string }>('reload')).message;
  };
  /** Every node still Full and not one adjacency change logged since the start. */
  const adjacenciesKept = async (): Promise<void> => {
    const neighbors = await router.neighbors();
    expect(neighbors.map((n) => n.state)).toEqual(['Full', 'Full', 'Full']);
    expect(router.output()).not.toMatch(/neighbor \S+ on e0: Full -> /);
  };

  beforeAll(async () => {
    lab = new InteropLab('mpr');
    rl = buildRouterLab(lab.net);
    // layer3 leaves the sysctl as found; layer4 is to set it and a return to layer3 to put this back.
    rl.lab.exec(rl.router, 'sysctl', ['-q', '-w', 'net.ipv4.fib_multipath_hash_policy=0']);
    const nodes = rl.gateways.map((ns, i) => lab.anycastd(ns, `node${i + 1}`, nodeConf(GATEWAYS[i] as string)));
    router = lab.anycastd(rl.router, 'router', routerConf(START));
    await Promise.all([router.start(), ...nodes.map((n) => n.start())]);
    await waitFor('a resilient group of three nodes for the anycast /32', () => group()?.gateways.length === 3, { timeoutMs: CONVERGE_MS, detail });
    await waitFor('every node Full', async () => (await router.neighbors()).filter((n) => n.state === 'Full').length === 3, { timeoutMs: CONVERGE_MS, detail });
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('starts with a resilient group, hash policy 0 and no per-packet rules', () => {
    expect(group()?.kind).toBe('resilient');
    expect(group()?.gateways).toEqual([...GATEWAYS]);
    expect(hashPolicy()).toBe('0');
    expect(nftTables()).toBe('');
  });

  it('a new idle timer replaces the resilient group in place: same group id, new timer', async () => {
    const before = group()?.id;
    const answer = await reload({ ...START, group: 'resilient buckets 120 idle-timer 30' });
    expect(answer).toContain('load sharing now resilient groups, hash layer3, per-flow');
    const after = group();
    expect(after?.id).toBe(before);
    expect(ours().find((n) => n.id === after?.id)?.resilient_args).toMatchObject({ buckets: 120, idle_timer: 30 });
    expect(after?.gateways).toEqual([...GATEWAYS]);
    await adjacenciesKept();
  });

  it('hash-threshold and layer4 by SIGHUP: the route moves to a new hash-threshold group, the old group goes, sysctl 1', async () => {
    const old = group()?.id;
    router.writeConfig(routerConf({ ...START, group: 'hash-threshold', hash: 'layer4' }));
    router.reload();
    const moved = await waitFor('the route on a hash-threshold group', () => {
      const g = group();
      return g !== undefined && g.kind !== 'resilient' && g.gateways.length === 3 ? g : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50, detail });
    expect(moved.id).not.toBe(old);
    expect(moved.gateways).toEqual([...GATEWAYS]);
    expect(ours().find((n) => n.id === old)).toBeUndefined();
    await waitFor('hash policy 1', () => hashPolicy() === '1', { timeoutMs: 5000, intervalMs: 50 });
    const row = (await router.routes()).find((r: RouteRowView) => r.prefix === `${ANYCAST}/32`);
    expect(row?.multipath).toMatchObject({ group: 'hash-threshold', groupId: moved.id, perPacket: false });
    await adjacenciesKept();
  });

  it('ip load-sharing per-packet on e0: the nft table and a fwmark rule per node appear', async () => {
    const answer = await reload({ group: 'hash-threshold', hash: 'layer4', loadSharing: 'per-packet' });
    expect(answer).toContain('load sharing now hash-threshold groups, hash layer4, per-packet on e0');
    expect(nftTables()).toBe('table ip ospf_anycast');
    expect(fwmarkRules()).toHaveLength(3);
    const row = (await router.routes()).find((r: RouteRowView) => r.prefix === `${ANYCAST}/32`);
    expect(row?.multipath).toMatchObject({ group: 'hash-threshold', perPacket: true, nextHops: [...GATEWAYS] });
    await adjacenciesKept();
  });

  it('back to per-flow, resilient and layer3: no nft table or rule, a resilient group, the sysctl as found', async () => {
    const answer = await reload(START);
    expect(answer).toContain('load sharing now resilient groups, hash layer3, per-flow');
    expect(nftTables()).toBe('');
    expect(fwmarkRules()).toEqual([]);
    expect(rl.lab.ipJson<unknown[]>(rl.router, ['route', 'show', 'table', 'all', 'proto', '188']).length).toBe(1);
    expect(group()?.kind).toBe('resilient');
    expect(group()?.gateways).toEqual([...GATEWAYS]);
    expect(ours().filter((n) => n.group !== undefined)).toHaveLength(1);
    expect(hashPolicy()).toBe('0');
    const row = (await router.routes()).find((r: RouteRowView) => r.prefix === `${ANYCAST}/32`);
    expect(row?.multipath).toMatchObject({ group: 'resilient', perPacket: false });
    await adjacenciesKept();
  });
});
