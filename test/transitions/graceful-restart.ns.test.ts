// A `systemctl restart` of ospf-anycastd on one of three SIP nodes leaves the
// router's ECMP route to the anycast /32 whole (RFC 3623 section 2), with
// FRR 8.4 and with BIRD 2 as the router in front, both as helpers (RFC 3623
// section 3): FRR once given `capability opaque` and `graceful-restart
// helper enable`, BIRD with `graceful restart aware` (its default, written
// out). Node n1 (the BDR) supervises Kamailio (the built-in SIP responder
// where Kamailio is not installed; under CI=true Kamailio must be there) and
// is restarted, SIGTERM then start; n2 and n3 announce the /32 throughout.
//
// The router's route is watched with `ip monitor route`: with
// `graceful-restart grace-period 60` on the nodes its set of next hops never
// falls below three; without the statement, the same restart takes n1's next
// hop out of it until the new daemon is Full again (asserted: the difference
// is the statement). Kamailio's pid is unchanged either way. That the router
// helped is checked where it says so: FRR's helper table, BIRD's log
// (`debug { events }`: helping n1 from its grace-LSA to its flush).
//
// `GR_ROUNDS=N` restarts n1 N times per lab (1 by default) and prints the
// figure of each round: how long the route had fewer than three next hops.
import { describe, expect, it } from 'vitest';
import { KAMAILIO_FILES } from '../../src/lab/kamailio.js';
import { missing, peerGate } from '../helpers/gates.js';
import { interopGate, type AnycastDaemon, type BirdRouter, type FrrRouter } from '../helpers/peers.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { NexthopWatch } from '../helpers/route-watch.js';
import { ANYCAST, CONVERGE_MS, FOLLOW_MS, ROUTE_PROTOCOL, nodeAddress, nodeRouterId, seedSuite } from '../interop/labs.js';
import { PROXY_ADDRESS, gracefulNodeConf, proxyCommand, proxyDirectory, proxyNodeConf } from './proxy-node.js';

const ROUNDS = Math.max(1, Number(process.env.GR_ROUNDS ?? 1));
const NODES = 3;
/** The restarted node's router id, as BIRD's log names it. */
const N1_ID = nodeRouterId(1);

const ROUTERS = [
  {
    kind: 'frr' as const,
    gate: interopGate('the graceful restart ECMP test with FRR', ['frr']),
    // FRR 8.4 takes opaque LSAs (RFC 5250) and helps (RFC 3623 3) only when told to.
    routerConf: (conf: string): string => conf.replace(' redistribute connected', ' capability opaque\n graceful-restart helper enable\n redistribute connected'),
  },
  {
    kind: 'bird' as const,
    gate: interopGate('the graceful restart ECMP test with BIRD', ['bird']),
    // BIRD 2 helps (RFC 3623 3) with `graceful restart aware`, its default, or `yes`; `debug { events }` logs its helper role.
    routerConf: (conf: string): string => conf.replace('  ecmp yes limit 16;', '  ecmp yes limit 16;\n  graceful restart aware;\n  debug { events };'),
  },
];

for (const { kind, gate, routerConf } of ROUTERS) {
  // Kamailio when installed; under CI=true its absence fails the file (peerGate).
  const withKamailio = !gate.skip && !peerGate('Kamailio in the graceful restart ECMP test (the built-in responder stands in)', missing(KAMAILIO_FILES)).skip;
  for (const graceful of [false, true]) {
    describe.skipIf(gate.skip)(`${kind} in front of three nodes, ospf-anycastd restarted on one${graceful ? ' with graceful-restart' : ' without graceful-restart'}`, () => {
      // Kamailio's configuration and run files.
      const proxyDir = proxyDirectory('oa-gr-proxy-');
      const tag = `gr${kind[0]}${graceful ? 'g' : ''}-${process.pid}`;
      const { current, detail } = seedSuite(`gr${kind[0]}${graceful ? 'g' : ''}`, kind, NODES, {
        tuning: {
          routerConf,
          // RFC 3623 2: every node restarts gracefully on SIGTERM, or none does; n1 supervises the proxy.
          nodeConf: (text, i) => (i === 1 ? proxyNodeConf(text, graceful, proxyCommand(withKamailio, proxyDir(), tag)) : gracefulNodeConf(text, graceful)),
        },
        ready: async () => {
          await waitFor(`${kind} routing the anycast /32 to the three nodes`, () => nextHops().length === NODES, { timeoutMs: CONVERGE_MS, detail });
          await waitFor('n1 reporting its proxy', async () => (await proxyPid()) !== undefined, { timeoutMs: CONVERGE_MS, detail });
        },
      });
      const n1 = (): AnycastDaemon => current().nodes[0]?.daemon as AnycastDaemon;
      const nextHops = (): string[] => current().lab.gateways(current().routerNs, ANYCAST, ROUTE_PROTOCOL[kind]).sort();
      /** What BIRD logged since `from` (a length of its output). */
      const birdSince = (from: number): string => (current().router.peer as BirdRouter).output().slice(from);
      const all = Array.from({ length: NODES }, (_, k) => nodeAddress(k + 1)).sort();
      /** The proxy's main process as n1's daemon reports it (`show anycast`: "running (pid N)"). */
      const proxyPid = async (): Promise<number | undefined> => {
        const rows = await n1().show<{ checks: { name: string; lastReason: string }[] }[]>('anycast');
        const reason = rows[0]?.checks.find((c) => c.name.startsWith('process'))?.lastReason ?? '';
        const m = /running \(pid (\d+)\)/.exec(reason);
        return m === null ? undefined : Number(m[1]);
      };

      /** One `systemctl restart` of n1's daemon, the router's next hops watched throughout; returns how long they were fewer than three, in ms. */
      async function restartRound(round: number): Promise<{ belowMs: number; fewest: number }> {
        const before = await proxyPid();
        expect(before).toBeDefined();
        expect(nextHops()).toEqual(all);
        const watch = new NexthopWatch(current().lab.net, current().routerNs, PROXY_ADDRESS, NODES);
        const logFrom = kind === 'bird' ? (current().router.peer as BirdRouter).output().length : 0;
        try {
          await watch.ready();
          await n1().stop('SIGTERM');
          // RFC 3623 2.1: the grace-LSA reached the router before the daemon went.
          if (graceful) expect(n1().output()).toContain('every Full neighbour acknowledged the grace-LSA');
          if (graceful && kind === 'frr') expect((current().router.peer as FrrRouter).vtysh('show ip ospf graceful-restart helper detail')).toMatch(/Number of Active neighbours in graceful restart: 1/);
          if (graceful && kind === 'bird') await waitFor('BIRD helping n1', () => birdSince(logFrom).includes(`Neighbor ${N1_ID} on lan0 started graceful restart`), { timeoutMs: 5000, detail });
          await n1().start();
          await waitFor('n1 adopting its proxy', async () => (await proxyPid()) !== undefined, { timeoutMs: 10_000, detail });
          expect(await proxyPid(), "Kamailio's pid across the restart").toBe(before);
          if (graceful) {
            // RFC 3623 2.3: the restart ends once n1's adjacencies are Full again; then its LSAs go out anew.
            await waitFor('n1 out of restarting mode', async () => (await n1().show<{ gracefulRestart: { restartingUntil: string | null } }>('ospf')).gracefulRestart.restartingUntil === null, {
              timeoutMs: 60_000,
              intervalMs: 100,
              detail,
            });
            expect(n1().output()).toMatch(/graceful restart: restarting mode over \(adjacencies-full\)/);
          }
          await waitFor(`${kind} routing to the three nodes again`, () => nextHops().length === NODES, { timeoutMs: FOLLOW_MS, intervalMs: 20, detail });
          // The router may change the route once more after the new LSAs (its SPF hold, BIRD's tick): watched a while longer.
          await sleep(3000);
          if (kind === 'bird') {
            // RFC 3623 3.2: BIRD helped only when asked, and stopped on the flush of n1's grace-LSA, not on a timeout or a change.
            const log = birdSince(logFrom);
            if (graceful) expect(log).toContain(`Neighbor ${N1_ID} on lan0 finished graceful restart`);
            else expect(log).not.toContain('started graceful restart');
            expect(log).not.toMatch(/Graceful restart (canceled|timer expired)/);
          }
        } finally {
          watch.stop();
        }
        const figures = { belowMs: watch.msBelow(NODES), fewest: watch.counts.fewest() };
        console.log(
          `${kind}, ${graceful ? 'graceful-restart grace-period 60' : 'no graceful-restart'}, round ${round}/${ROUNDS}: SIGTERM then start of n1: ` +
            `the route to ${ANYCAST} had fewer than ${NODES} next hops for ${figures.belowMs} ms (fewest ${figures.fewest}); proxy pid ${before} unchanged; ` +
            `counts ${watch.counts
              .history()
              .map((c) => c.count)
              .join(' ')}`,
        );
        expect(nextHops()).toEqual(all);
        return figures;
      }

      it(
        graceful ? `the route keeps all three next hops throughout and Kamailio its pid (RFC 3623)` : `n1's next hop leaves the route while its daemon restarts; Kamailio keeps its pid`,
        { timeout: 90_000 * ROUNDS },
        async () => {
          const rounds: { belowMs: number; fewest: number }[] = [];
          for (let round = 1; round <= ROUNDS; round++) rounds.push(await restartRound(round));
          console.log(`${kind}, ${graceful ? 'graceful' : 'not graceful'}: fewer than three next hops for ${rounds.map((r) => r.belowMs).join(', ')} ms`);
          if (graceful) {
            expect(rounds.map((r) => r.fewest)).toEqual(rounds.map(() => NODES));
            if (kind === 'frr') {
              // FRR ended its helper role on the restart's success, not on a timeout or a topology change.
              expect((current().router.peer as FrrRouter).vtysh('show ip ospf neighbor detail')).toMatch(/Graceful Restart HELPER Status : None/);
            }
          } else {
            for (const r of rounds) {
              expect(r.fewest).toBe(NODES - 1);
              expect(r.belowMs).toBeGreaterThan(0);
            }
          }
        },
      );
    });
  }
}
