// The lab command end to end: `npm run lab -- --ci` builds the namespaces,
// runs every act (ECMP over three nodes, SIP answered by several, one
// client socket answered by one node per flow and by all three per packet
// after a live reload, a killed proxy withdrawn and restored, a drain and
// undrain) and exits 0 only when every check holds. The nodes run Kamailio
// where it is installed, else the built-in responder; under CI=true, where
// .ci/run installs it, Kamailio is required (peerGate).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KAMAILIO_FILES } from '../../src/lab/kamailio.js';
import { missing, peerGate } from '../helpers/gates.js';
import { namespaceGate } from '../helpers/netns.js';

const gate = namespaceGate('the lab');
const kamailio = !peerGate("the lab's Kamailio nodes (the built-in responder stands in)", missing(KAMAILIO_FILES)).skip;

describe('npm run lab', () => {
  it.skipIf(gate.skip)('runs the whole failover story and cleans up', () => {
    const result = spawnSync(process.execPath, ['dist/src/lab/main.js', '--ci'], { encoding: 'utf8', timeout: 240_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(result.stdout).toContain(
      kamailio ? "each node's SIP proxy: Kamailio" : "each node's SIP proxy: the built-in OPTIONS responder (\"Server: nodeN\"), started and watched by its ospf-anycastd (Kamailio is not installed)",
    );
    expect(result.stdout).toContain("the router's route to 10.206.206.1/32 (three next hops, ECMP)");
    // One 5-tuple: one node per flow, all three in turn per packet, the first node again per flow.
    const perFlow = /per flow \(resilient group, the router's default\): 12 OPTIONS answered by (node\d) ×12/.exec(result.stdout);
    expect(perFlow, result.stdout).not.toBeNull();
    expect(result.stdout).toContain('load sharing now resilient groups, hash layer4, per-packet on eth0');
    expect(result.stdout).toMatch(/resilient #\d+, per-packet/);
    expect(result.stdout).toMatch(/the same socket's 12 OPTIONS answered by node1 ×\d+, node2 ×\d+, node3 ×\d+/);
    expect(result.stdout).toContain(`per flow: 12 OPTIONS answered by ${perFlow?.[1]} ×12`);
    expect(result.stdout).toMatch(kamailio ? /node2's SIP proxy \(Kamailio\) dies/ : /node2's SIP proxy \(the built-in responder\) dies/);
    expect(result.stdout).toMatch(/the router has two next hops \d+ ms after the kill: 10\.205\.205\.1, 10\.205\.205\.3/);
    expect(result.stdout).toContain('every check passed');
    // Nothing of the lab is left behind.
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    expect(left).not.toMatch(/oa-lab-/);
  }, 300_000);

  it('refuses clearly when it cannot run, with one line and a non-zero exit', () => {
    const result = spawnSync(process.execPath, ['dist/src/lab/main.js', '--bogus'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('lab: unknown argument "--bogus" (usage: npm run lab [-- [--ci] [--builtin-responder]])');
  });
});
