// diffConfig: what a SIGHUP reload has to touch, and what it may leave alone.
import { describe, expect, it } from 'vitest';
import { diffConfig } from '../../src/config/index.js';
import { formatPrefix } from '../../src/lib/ipv4.js';
import { parse } from './helpers.js';

const BASE = `hostname sip1
log syslog informational
interface eth0
 ip ospf cost 10
interface eth1
 ip ospf hello-interval 5
router ospf
 ospf router-id 10.0.0.1
 network 10.0.0.0/24 area 0
 passive-interface eth2
anycast 10.206.206.1/32
 check tcp 10.206.206.1:5060
anycast 10.206.206.2/32
 check tcp 10.206.206.2:5060
`;

const diffWith = (edit: (text: string) => string) => diffConfig(parse(BASE), parse(edit(BASE)));

describe('diffConfig', () => {
  it('reports nothing for the same file, even written in another order', () => {
    const reordered = BASE.replace('interface eth0\n ip ospf cost 10\ninterface eth1\n ip ospf hello-interval 5\n', '') +
      'interface eth1\n ip ospf hello-interval 5\ninterface eth0\n ip ospf cost 10\n';
    const diff = diffConfig(parse(BASE), parse(reordered));
    expect(diff).toEqual({
      unchanged: true,
      interfaces: [],
      router: [],
      restartRequired: false,
      anycast: { added: [], removed: [], changed: [] },
      daemon: [],
    });
  });

  it('names only the interface whose settings changed', () => {
    const diff = diffWith((t) => t.replace('ip ospf cost 10', 'ip ospf cost 20'));
    expect(diff.unchanged).toBe(false);
    expect(diff.interfaces).toEqual(['eth0']);
    expect(diff.router).toEqual([]);
    expect(diff.restartRequired).toBe(false);
  });

  it('ignores a changed description', () => {
    expect(diffWith((t) => t.replace('ip ospf cost 10', 'ip ospf cost 10\n description new words')).interfaces).toEqual([]);
  });

  it('names added and removed interface sections', () => {
    const diff = diffWith((t) => t.replace('interface eth1\n ip ospf hello-interval 5\n', 'interface eth3\n ip ospf cost 1\n'));
    expect(diff.interfaces).toEqual(['eth1', 'eth3']);
  });

  it('names an interface whose passive state changed through router ospf', () => {
    const diff = diffWith((t) => t.replace(' passive-interface eth2\n', ' passive-interface eth0\n'));
    expect(diff.interfaces).toEqual(['eth0', 'eth2']);
    expect(diff.router).toEqual([]);
  });

  it('reports passive-interface default as a router change and on every named interface it flips', () => {
    const diff = diffWith((t) => t.replace(' passive-interface eth2\n', ' passive-interface default\n passive-interface eth2\n'));
    expect(diff.router).toEqual(['passiveDefault']);
    expect(diff.interfaces).toEqual(['eth0', 'eth1']);
  });

  it('max-metric router-lsa added or removed is a router change, no restart', () => {
    const added = diffWith((t) => t.replace(' passive-interface eth2\n', ' passive-interface eth2\n max-metric router-lsa administrative\n'));
    expect(added.router).toEqual(['maxMetric']);
    expect(added.restartRequired).toBe(false);
    expect(added.interfaces).toEqual([]);
    const removed = diffConfig(parse(BASE.replace(' passive-interface eth2\n', ' passive-interface eth2\n max-metric router-lsa on-startup 60\n')), parse(BASE));
    expect(removed.router).toEqual(['maxMetric']);
  });

  it('router-level changes, with a restart only for the router id or area', () => {
    const diff = diffWith((t) => t.replace(' network 10.0.0.0/24 area 0\n', ' network 10.0.0.0/23 area 0\n maximum-paths 8\n'));
    expect(diff.router).toEqual(['maximumPaths', 'networks']);
    expect(diff.restartRequired).toBe(false);
    const id = diffWith((t) => t.replace('10.0.0.1\n', '10.0.0.2\n'));
    expect(id.router).toEqual(['routerId']);
    expect(id.restartRequired).toBe(true);
    const area = diffWith((t) => t.replace('area 0', 'area 1'));
    expect(area.router).toEqual(['area', 'networks']);
    expect(area.restartRequired).toBe(true);
  });

  it("zebra's router-id restarts OSPF only when router ospf sets none", () => {
    const shadowed = diffWith((t) => `router-id 9.9.9.9\n${t}`);
    expect(shadowed.daemon).toEqual(['routerId']);
    expect(shadowed.restartRequired).toBe(false);
    const noOspfId = BASE.replace(' ospf router-id 10.0.0.1\n', '');
    const effective = diffConfig(parse(noOspfId), parse(`router-id 9.9.9.9\n${noOspfId}`));
    expect(effective.restartRequired).toBe(true);
  });

  it('reports static routes as a router change', () => {
    expect(diffWith((t) => `${t}ip route 10.9.0.0/16 blackhole\n`).router).toEqual(['staticRoutes']);
  });

  it('anycast blocks added, removed and changed', () => {
    const diff = diffWith((t) =>
      t
        .replace('anycast 10.206.206.2/32\n check tcp 10.206.206.2:5060\n', 'anycast 10.206.206.3/32\n')
        .replace('check tcp 10.206.206.1:5060', 'check tcp 10.206.206.1:5060 fall 3'),
    );
    expect(diff.anycast.added.map(formatPrefix)).toEqual(['10.206.206.3/32']);
    expect(diff.anycast.removed.map(formatPrefix)).toEqual(['10.206.206.2/32']);
    expect(diff.anycast.changed.map(formatPrefix)).toEqual(['10.206.206.1/32']);
    expect(diff.interfaces).toEqual([]);
    expect(diff.router).toEqual([]);
  });

  it('daemon-level changes', () => {
    const diff = diffWith((t) => t.replace('hostname sip1', 'hostname sip2\nlog format json\nmetrics listen 127.0.0.1:9100\nroute table 10'));
    expect(diff.daemon).toEqual(['hostname', 'log', 'metricsListen', 'kernelRoutes']);
    expect(diff.router).toEqual([]);
  });

  it('compares values structurally: key order and keys set to undefined do not count, values do', () => {
    const before = parse(BASE);
    const reversed = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).reverse()) as T;
    const after = { ...before, ospf: { ...reversed(before.ospf), defaultMetric: undefined }, anycast: before.anycast.map((a) => reversed(a)) };
    expect(diffConfig(before, after).unchanged).toBe(true);
    const changed = { ...before, anycast: before.anycast.map((a, i) => (i === 0 ? { ...a, checks: [] } : a)) };
    expect(diffConfig(before, changed).anycast.changed.map(formatPrefix)).toEqual(['10.206.206.1/32']);
    const shorter = { ...before, ospf: { ...before.ospf, networks: [] } };
    expect(diffConfig(before, shorter).router).toEqual(['networks']);
  });
});
