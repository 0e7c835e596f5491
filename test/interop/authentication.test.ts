// Authentication against real routers (RFC 2328 D, RFC 5709): keyed MD5
// with FRR, HMAC-SHA-256 with BIRD, and a wrong key that must never form
// an adjacency, on point-to-point links:
//
//                ethm 10.207.1.0/30 (MD5, key 1, same key)
//           ┌──────────────────────────────────┐
//         node ──── ethw 10.207.4.0/30 ──────── FRR ── client0 10.204.204.0/24 (redistributed)
//  (ospf-anycastd)  (MD5, key 1, different keys)
//           │ethb 10.207.2.0/30 (HMAC-SHA-256, key 2)
//          BIRD
//
// The failures show in `show ospf` and the Prometheus metrics. Then a key rollover with FRR by SIGHUP and vtysh, within one dead
// interval, that must not take the adjacency down.
import { describe, expect, it } from 'vitest';
import { interopGate, type InteropLab } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ANYCAST, CLIENT_NET, CONVERGE_MS, DEAD_INTERVAL_MS, FOLLOW_MS, P2P, P2P_TIMERS, trioLab, trioSuite, birdNodeOspf } from './labs.js';

const gate = interopGate('authentication interop tests', ['frr', 'bird']);

const { nodeId: NODE_ID, frrId: FRR_ID, birdId: BIRD_ID, nodeToFrr: NODE_TO_FRR, frrToNode: FRR_TO_NODE, nodeToBird: NODE_TO_BIRD, birdToNode: BIRD_TO_NODE } = P2P;
const NODE_WRONG = '10.207.4.1';
const FRR_WRONG = '10.207.4.2';
const MD5_KEY = 'labmd5key';
const SHA_KEY = 'labsha256key';
const METRICS_PORT = 19187;
function nodeConf(ethmKeys: string): string {
  return `metrics listen 127.0.0.1:${METRICS_PORT}
interface ethm
${P2P_TIMERS} ip ospf authentication message-digest
${ethmKeys}!
interface ethw
${P2P_TIMERS} ip ospf authentication message-digest
 ip ospf message-digest-key 1 md5 notthekey
!
interface ethb
${P2P_TIMERS} ip ospf authentication message-digest
 ip ospf message-digest-key 2 hmac-sha256 ${SHA_KEY}
!
router ospf
 ospf router-id ${NODE_ID}
 log-adjacency-changes detail
 timers throttle spf 0 50 500
 network 10.207.1.0/30 area 0
 network 10.207.2.0/30 area 0
 network 10.207.4.0/30 area 0
 network ${ANYCAST} area 0
!
`;
}

const frrConf = `interface ethn
${P2P_TIMERS} ip ospf authentication message-digest
 ip ospf message-digest-key 1 md5 ${MD5_KEY}
!
interface ethw
${P2P_TIMERS} ip ospf authentication message-digest
 ip ospf message-digest-key 1 md5 ${MD5_KEY}
!
router ospf
 ospf router-id ${FRR_ID}
 timers throttle spf 0 50 500
 redistribute connected
 network 10.207.1.0/30 area 0
 network 10.207.4.0/30 area 0
!
`;

const birdConf = birdNodeOspf(BIRD_ID, [
  'interface "ethn" {',
  '  type ptp; hello 1; dead 3; retransmit 2;',
  '  authentication cryptographic;',
  `  password "${SHA_KEY}" { id 2; algorithm hmac sha256; };`,
  '};',
]);

describe.skipIf(gate.skip)('authentication: MD5 with FRR, HMAC-SHA-256 with BIRD, a wrong key', () => {
  const { current, detail } = trioSuite(
    () => {
      const trio = trioLab('au', 'ethm');
      trio.lab.link({ ns: trio.nodeNs, ifName: 'ethw', cidr: `${NODE_WRONG}/30` }, { ns: trio.frrNs, ifName: 'ethw', cidr: `${FRR_WRONG}/30` });
      return trio;
    },
    { node: nodeConf(` ip ospf message-digest-key 1 md5 ${MD5_KEY}\n`), frr: frrConf, bird: birdConf },
  );
  const live = (): InteropLab => current().lab;
  const follow = (what: string, ns: string, prefix: string, protocol: string, gateway: string): Promise<unknown> =>
    waitFor(`${what}: ${prefix} via ${gateway}`, () => live().gateways(ns, prefix, protocol).includes(gateway), { timeoutMs: FOLLOW_MS, intervalMs: 100, detail });
  /** Lines of the daemon's log reporting an authentication failure from `src`. */
  const authLog = (src: string): string[] => current().node.output().split('\n').filter((l) => l.includes('OSPF authentication failed') && l.includes(`src=${src}`));

  it('keyed MD5 with FRR and HMAC-SHA-256 with BIRD reach Full and exchange routes', async () => {
    await waitFor('the node Full with FRR on ethm and BIRD on ethb', async () => (await current().node.neighbors()).filter((n) => n.state === 'Full').length === 2, {
      timeoutMs: CONVERGE_MS,
      detail,
    });
    expect((await current().node.neighbors()).filter((n) => n.state === 'Full').map((n) => [n.routerId, n.ifName]).sort()).toEqual([
      [FRR_ID, 'ethm'],
      [BIRD_ID, 'ethb'],
    ]);
    expect(current().frr.neighbors().find((n) => n.ifName === 'ethn')).toMatchObject({ routerId: NODE_ID, state: 'Full' });
    expect(current().bird.neighbors().find((n) => n.ifName === 'ethn')).toMatchObject({ routerId: NODE_ID, state: 'Full' });
    // Routes both ways: FRR's redistributed client net here, our anycast /32 there.
    await follow('MD5', current().nodeNs, CLIENT_NET, 'ospf', FRR_TO_NODE);
    await follow('MD5', current().frrNs, ANYCAST, 'ospf', NODE_TO_FRR);
    await follow('HMAC-SHA-256', current().birdNs, ANYCAST, 'bird', NODE_TO_BIRD);
    await follow('HMAC-SHA-256', current().birdNs, CLIENT_NET, 'bird', NODE_TO_BIRD);
    expect(authLog(FRR_TO_NODE)).toEqual([]);
    expect(authLog(BIRD_TO_NODE)).toEqual([]);
  });

  it('a wrong key never forms an adjacency: logged once, counted on and on', async () => {
    const wrongDrops = async (): Promise<number> => (await current().node.ospf()).drops['auth-digest'] ?? 0;
    await waitFor('a digest failure counted', async () => (await wrongDrops()) > 0, { timeoutMs: CONVERGE_MS, detail });
    const before = await wrongDrops();
    // FRR says Hello every second on ethw; a few of them must be dropped meanwhile.
    await sleep(DEAD_INTERVAL_MS + 1000);
    const after = await wrongDrops();
    expect(after).toBeGreaterThanOrEqual(before + 2);
    expect((await current().node.neighbors()).filter((n) => n.ifName === 'ethw')).toEqual([]);
    expect(current().frr.neighbors().filter((n) => n.ifName === 'ethw' && n.state === 'Full')).toEqual([]);
    const lines = authLog(FRR_WRONG);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warning.*reason=auth-digest/);
    // The same counter in the Prometheus metrics.
    const metrics = live().net.exec(current().nodeNs, process.execPath, [
      '-e',
      `fetch('http://127.0.0.1:${METRICS_PORT}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`,
    ]);
    const scraped = Number(/^ospf_packet_drops_total\{reason="auth-digest"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(scraped).toBeGreaterThanOrEqual(after);
  });

  it('rolls the MD5 key over by SIGHUP and vtysh within a dead interval, and stays Full', async () => {
    // New key 2 on both sides; each sends with it at once (ours: the highest Key ID; FRR's: the last added).
    current().node.writeConfig(nodeConf(` ip ospf message-digest-key 1 md5 ${MD5_KEY}\n ip ospf message-digest-key 2 md5 rolledkey\n`));
    current().node.reload();
    current().frr.vtysh('configure terminal\ninterface ethn\nip ospf message-digest-key 2 md5 rolledkey');
    await sleep(2 * DEAD_INTERVAL_MS);
    // Then the old key goes on both sides.
    current().node.writeConfig(nodeConf(' ip ospf message-digest-key 2 md5 rolledkey\n'));
    current().node.reload();
    current().frr.vtysh('configure terminal\ninterface ethn\nno ip ospf message-digest-key 1');
    await sleep(2 * DEAD_INTERVAL_MS);
    expect(current().node.output()).not.toMatch(/neighbor \S+ on ethm: Full -> /);
    expect((await current().node.neighbors()).find((n) => n.ifName === 'ethm')).toMatchObject({ routerId: FRR_ID, state: 'Full' });
    expect(current().frr.neighbors().find((n) => n.ifName === 'ethn')).toMatchObject({ routerId: NODE_ID, state: 'Full' });
    expect(current().node.output()).toMatch(/reloaded: 1 interface\(s\)/);
  });
});
