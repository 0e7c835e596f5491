// ospf-anycastd as the router in front of three SIP nodes that each announce
// the anycast /32 — FRR ospfd nodes, and ospf-anycastd nodes — with
// `multipath group resilient buckets 120 idle-timer 0`, `multipath hash
// layer4` and `ip load-sharing per-packet` on the segment:
// - the kernel route names a resilient group of three members, 40 buckets
//   each, and `show routes` (text and --json) says so;
// - 300 datagrams of one client socket arrive 100 ± 15 at each node;
// - a node stopping moves none of the other nodes' 1,000 flows and receives
//   no datagram once the route changed; its return moves only its share and
//   the datagrams go to three nodes again;
// - the router's exit leaves no group, nft table, rule or per-next-hop table
//   and puts the hash policy back;
// - restarted with `multipath group hash-threshold`, the group is of that kind.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, InteropLab, type AnycastDaemon, type RouteRowView } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import {
  ANYCAST,
  GATEWAYS,
  anycastGroup,
  bucketShares,
  buildRouterLab,
  compareMaps,
  countUdp,
  leftovers,
  mapFlows,
  nodeConf,
  nodeKinds,
  ourNexthops,
  routerConf,
  spreadOver,
  type RouterLab,
  type SipNode,
} from './topology.js';

const FLOWS = 1000;
const BUCKETS = 120;
const CONVERGE_MS = 30_000;
// A node's share: BUCKETS/3 = 40 buckets, asserted exactly from the kernel's
// bucket table. Which flows hash into those 40 buckets is binomial: of 1,000
// flows, 1000/3 ≈ 333 expected, standard deviation √(1000·⅓·⅔) ≈ 15. Four
// standard deviations above the share is the bound on flows moved.
const SHARE_TOLERANCE = 60;

for (const { kind, gate, make } of nodeKinds('router role')) {
  describe.skipIf(gate.skip)(`ospf-anycastd as the router in front of three ${kind} nodes`, () => {
    let lab: InteropLab;
    let rl: RouterLab;
    let router: AnycastDaemon;
    let nodes: SipNode[];

    const members = (): string[] => anycastGroup(rl.lab, rl.router)?.gateways ?? [];
    const detail = (): Promise<string> => lab.report();
    const waitMembers = (what: string, count: number): Promise<boolean> =>
      waitFor(what, () => members().length === count, { timeoutMs: CONVERGE_MS, detail });

    beforeAll(async () => {
      lab = new InteropLab('mpd');
      rl = buildRouterLab(lab.net, { client: true });
      // The daemon is to set layer4 itself, and put this back at exit.
      rl.lab.exec(rl.router, 'sysctl', ['-q', '-w', 'net.ipv4.fib_multipath_hash_policy=0']);
      for (const g of rl.gateways) countUdp(rl.lab, g);
      nodes = rl.gateways.map((ns, i) => make(lab, ns, `node${i + 1}`, nodeConf(GATEWAYS[i] as string)));
      router = lab.anycastd(rl.router, 'router', routerConf('resilient'));
      await Promise.all([router.start(), ...nodes.map((n) => n.start())]);
      await waitMembers('a group of the three nodes for the anycast /32', 3);
    }, 90_000);

    afterAll(async () => {
      await lab?.teardown();
    });

    it('the route names a resilient group of the three nodes, 40 buckets each; show routes tells it, as text and JSON', async () => {
      const group = anycastGroup(rl.lab, rl.router);
      expect(group).toEqual({ id: group?.id, kind: 'resilient', gateways: [...GATEWAYS] });
      expect(bucketShares(rl.lab, rl.router, group?.id as number)).toEqual(Object.fromEntries(GATEWAYS.map((g) => [g, BUCKETS / 3])));
      expect(rl.lab.exec(rl.router, 'sysctl', ['-n', 'net.ipv4.fib_multipath_hash_policy']).trim()).toBe('1');
      const want = { group: 'resilient', groupId: group?.id, perPacket: true, nextHops: [...GATEWAYS] };
      expect((await router.routes()).find((r: RouteRowView) => r.prefix === `${ANYCAST}/32`)?.multipath).toEqual(want);
      const json = await router.cli<RouteRowView[]>('show', 'routes');
      expect(json.find((r) => r.prefix === `${ANYCAST}/32`)?.multipath).toEqual(want);
      const text = spawnSync(process.execPath, [CLI_BIN, '--socket', router.socket, 'show', 'routes'], { encoding: 'utf8', timeout: 10_000 });
      expect(text.status, text.stderr).toBe(0);
      const lines = text.stdout.split('\n');
      const first = lines.findIndex((l) => l.startsWith(`${ANYCAST}/32`));
      expect(lines[first]).toContain(`resilient #${group?.id}, per-packet`);
      expect(lines.slice(first, first + 3).map((l) => /via (\S+), e0/.exec(l)?.[1])).toEqual([...GATEWAYS]);
    });

    it('300 datagrams of one client flow arrive 100 ± 15 at each node', () => {
      const got = spreadOver(rl, 300);
      console.log(`${kind} nodes, per-packet, 300 datagrams: ${got.join('/')}`);
      for (const n of got) expect(Math.abs(n - 100)).toBeLessThanOrEqual(15);
    });

    it('a node that stops: no other node\'s flow moves and it gets no datagram; back: only its share moves and three share the datagrams', async () => {
      const failed = GATEWAYS[2];
      const before = mapFlows(rl.router, FLOWS);
      const third = nodes[2] as SipNode;
      await third.stop('SIGTERM');
      await waitMembers('the stopped node out of the group', 2);
      const during = mapFlows(rl.router, FLOWS);
      const leave = compareMaps(before, during);
      expect([...leave.movedFrom.keys()]).toEqual([failed]);
      expect(leave.moved).toBe(before.filter((via) => via === failed).length);

      const spreadTwo = spreadOver(rl, 300);
      expect(spreadTwo[2]).toBe(0);
      for (const n of spreadTwo.slice(0, 2)) expect(Math.abs(n - 150)).toBeLessThanOrEqual(15);

      await third.start();
      await waitMembers('the node back in the group', 3);
      const group = anycastGroup(rl.lab, rl.router);
      expect(bucketShares(rl.lab, rl.router, group?.id as number)[failed]).toBe(BUCKETS / 3);
      const after = mapFlows(rl.router, FLOWS);
      const back = compareMaps(during, after);
      expect([...back.movedTo.keys()]).toEqual([failed]);
      expect(back.moved).toBeLessThanOrEqual(Math.round(FLOWS / 3) + SHARE_TOLERANCE);

      const spreadThree = spreadOver(rl, 300);
      for (const n of spreadThree) expect(Math.abs(n - 100)).toBeLessThanOrEqual(15);
      console.log(
        `${kind} nodes, resilient: ${leave.moved}/${FLOWS} flows moved on failure (all of the failed node), ${back.moved} on return; ` +
          `per-packet ${spreadTwo.join('/')} with two nodes, ${spreadThree.join('/')} with three`,
      );
    });

    it('the router stopping leaves no group, nft table, fwmark rule or per-next-hop table, and the old hash policy', async () => {
      await router.stop('SIGTERM');
      expect(ourNexthops(rl.lab, rl.router)).toEqual([]);
      expect(leftovers(rl.lab, rl.router)).toEqual({ nft: '', rules: [], routes: [] });
      expect(rl.lab.exec(rl.router, 'sysctl', ['-n', 'net.ipv4.fib_multipath_hash_policy']).trim()).toBe('0');
    });

    it('restarted with multipath group hash-threshold, the route names a hash-threshold group of the three nodes', async () => {
      router.writeConfig(routerConf('hash-threshold'));
      await router.start();
      await waitMembers('a group of the three nodes for the anycast /32', 3);
      const group = anycastGroup(rl.lab, rl.router);
      expect(group).toEqual({ id: group?.id, kind: 'hash-threshold', gateways: [...GATEWAYS] });
      const row = (await router.cli<RouteRowView[]>('show', 'routes')).find((r) => r.prefix === `${ANYCAST}/32`);
      expect(row?.multipath).toEqual({ group: 'hash-threshold', groupId: group?.id, perPacket: true, nextHops: [...GATEWAYS] });
    });
  });
}
