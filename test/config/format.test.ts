// formatConfig writes what parseConfig reads back to the same model: the
// example files, and seeded random models covering every statement.
// A fixed seed and a fresh one each run (test/helpers/seeds.ts); SEED=n
// replays one.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seeds } from '../helpers/seeds.js';
import {
  LOG_LEVELS,
  formatConfig,
  type AnycastConfig,
  type DaemonConfig,
  type HealthCheck,
  type InterfaceConfig,
  type LogDestination,
  type OspfConfig,
  type StaticRoute,
} from '../../src/config/index.js';
import { AuthAlgorithms, maxKeyLength } from '../../src/core/auth.js';
import { maskFromLength, type Prefix } from '../../src/lib/ipv4.js';
import { createPrng, type Prng } from '../../src/lib/prng.js';
import { parse } from './helpers.js';

const dir = join(import.meta.dirname, '../../examples');

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-_.';
const TEXT_CHARS = `abcXYZ019 -_./'"\\$\`!#*?é`;

function word(prng: Prng, chars = NAME_CHARS, max = 12): string {
  let s = '';
  const n = prng.int(1, max);
  for (let i = 0; i < n; i++) s += chars[prng.int(0, chars.length - 1)];
  return s;
}
const ifName = (prng: Prng): string => `e${word(prng, NAME_CHARS, 10)}`;
/** Free text that starts and ends with a printable non-blank character. */
const text = (prng: Prng): string => `x${word(prng, TEXT_CHARS, 20)}y`;
const u32 = (prng: Prng): number => prng.int(0, 0xffffffff);
function prefix(prng: Prng): Prefix {
  const length = prng.int(0, 32);
  return { address: (u32(prng) & maskFromLength(length)) >>> 0, length };
}
const maybe = <T>(prng: Prng, make: () => T): T | undefined => (prng.chance(0.5) ? make() : undefined);

function randomInterface(prng: Prng, area: number): InterfaceConfig {
  const ifc: InterfaceConfig = { authentication: { keys: [] } };
  const set = <K extends keyof InterfaceConfig>(key: K, make: () => InterfaceConfig[K]): void => {
    if (prng.chance(0.4)) ifc[key] = make();
  };
  set('description', () => text(prng));
  set('cost', () => prng.int(1, 65535));
  set('helloInterval', () => prng.int(1, 30000));
  if (prng.chance(0.3)) ifc.helloMultiplier = prng.int(2, 20);
  else set('deadInterval', () => prng.int((ifc.helloInterval ?? 0) + 1, 65535));
  set('retransmitInterval', () => prng.int(1, 65535));
  set('transmitDelay', () => prng.int(1, 65535));
  set('priority', () => prng.int(0, 255));
  set('networkType', () => prng.pick(['broadcast', 'point-to-point'] as const));
  set('passive', () => prng.chance(0.5));
  set('mtuIgnore', () => true);
  set('area', () => area);
  set('loadSharing', () => prng.pick(['per-packet', 'per-flow'] as const));
  if (prng.chance(0.3)) ifc.authentication.type = prng.pick(['simple', 'message-digest', 'null'] as const);
  if (prng.chance(0.3)) ifc.authentication.simpleKey = word(prng, NAME_CHARS, 8);
  const ids = [...new Set(Array.from({ length: prng.int(0, 3) }, () => prng.int(1, 255)))].sort((a, b) => a - b);
  ifc.authentication.keys = ids.map((keyId) => {
    const algorithm = prng.pick(AuthAlgorithms);
    return { keyId, algorithm, key: word(prng, NAME_CHARS, maxKeyLength(algorithm)) };
  });
  return ifc;
}

function randomOspf(prng: Prng, area: number): OspfConfig {
  const networks = new Map<string, { prefix: Prefix; area: number }>();
  for (let i = prng.int(1, 4); i > 0; i--) {
    const p = prefix(prng);
    networks.set(`${p.address}/${p.length}`, { prefix: p, area });
  }
  const passiveInterfaces: Record<string, boolean> = {};
  for (const name of Array.from({ length: prng.int(0, 3) }, () => ifName(prng)).sort()) passiveInterfaces[name] = prng.chance(0.5);
  const redistribute = () => {
    const metric = maybe(prng, () => prng.int(0, 16777214));
    return metric === undefined ? { metricType: prng.pick([1, 2] as const) } : { metric, metricType: prng.pick([1, 2] as const) };
  };
  const ospf: OspfConfig = {
    networks: [...networks.values()],
    area,
    passiveDefault: prng.chance(0.5),
    passiveInterfaces,
    maximumPaths: prng.int(1, 64),
    spfThrottle: { delayMs: prng.int(0, 600000), initialHoldMs: prng.int(0, 600000), maxHoldMs: prng.int(0, 600000) },
    logAdjacencyChanges: prng.pick(['off', 'on', 'detail'] as const),
    referenceBandwidth: prng.int(1, 4294967),
    multipath: {
      group: prng.chance(0.5)
        ? { kind: 'hash-threshold' }
        : { kind: 'resilient', buckets: prng.int(1, 65535), idleTimer: prng.int(0, 3600), unbalancedTimer: prng.int(0, 3600) },
      hash: prng.pick(['layer3', 'layer4'] as const),
    },
    maxMetric: { administrative: prng.chance(0.5) },
    gracefulRestartHelper: {
      enabled: prng.chance(0.5),
      neighbors: [...new Set(Array.from({ length: prng.int(0, 3) }, () => prng.int(1, 0xffffffff)))],
      strictLsaChecking: prng.chance(0.5),
      supportedGraceTime: prng.int(10, 1800),
      plannedOnly: prng.chance(0.5),
    },
  };
  const routerId = maybe(prng, () => u32(prng));
  if (routerId !== undefined) ospf.routerId = routerId;
  if (prng.chance(0.5)) ospf.redistributeConnected = redistribute();
  if (prng.chance(0.5)) ospf.redistributeStatic = redistribute();
  const defaultMetric = maybe(prng, () => prng.int(0, 16777214));
  if (defaultMetric !== undefined) ospf.defaultMetric = defaultMetric;
  if (prng.chance(0.3)) ospf.areaAuthentication = prng.pick(['simple', 'message-digest'] as const);
  const onStartup = maybe(prng, () => prng.int(5, 86400));
  if (onStartup !== undefined) ospf.maxMetric.onStartup = onStartup;
  return ospf;
}

function randomCheck(prng: Prng, index: number): HealthCheck {
  const interval = prng.int(10, 3_600_000);
  const timing = { interval, timeout: prng.int(10, interval), rise: prng.int(1, 100), fall: prng.int(1, 100), fastInterval: prng.int(0, interval) };
  const codes = () => {
    const a = prng.int(200, 599);
    return [{ min: a, max: prng.int(a, 599) }];
  };
  const argv = () => [`/bin/${word(prng)}${index}`, ...Array.from({ length: prng.int(0, 4) }, () => (prng.chance(0.2) ? '' : text(prng)))];
  switch (prng.int(0, 3)) {
    case 0:
      return { kind: 'sip-options', host: u32(prng), port: 1000 + index, transport: prng.pick(['udp', 'tcp'] as const), codes: codes(), ...timing };
    case 1:
      return { kind: 'tcp', host: u32(prng), port: 1000 + index, ...timing };
    case 2:
      return { kind: 'http', url: `http://127.0.0.1:${1000 + index}/${word(prng)}`, codes: codes(), ...timing };
    default:
      return { kind: 'exec', argv: argv(), ...timing };
  }
}

function randomAnycast(prng: Prng, p: Prefix): AnycastConfig {
  const checks: HealthCheck[] = Array.from({ length: prng.int(0, 3) }, (_, i) => randomCheck(prng, i));
  if (prng.chance(0.5)) {
    const proxy: HealthCheck = { kind: 'process', argv: [`/usr/sbin/${word(prng)}`, '-f', text(prng)] };
    if (prng.chance(0.5)) proxy.pidfile = `/run/${word(prng)}.pid`;
    checks.push(proxy);
  }
  const removeOnWithdraw = prng.chance(0.5);
  const block: AnycastConfig = {
    prefix: p,
    checks,
    onFailure: prng.pick(['withdraw', 'max-cost'] as const),
    announceAs: prng.chance(0.5) ? { kind: 'stub' } : { kind: 'external', metric: prng.int(0, 16777214), metricType: prng.pick([1, 2] as const) },
    minInterval: prng.int(0, 3_600_000),
    manageAddress: prng.chance(0.5) ? { enabled: true, removeOnWithdraw } : { enabled: false, removeOnWithdraw: false },
    interface: prng.chance(0.5) ? 'lo' : ifName(prng),
    proxyStopOnExit: prng.chance(0.5),
  };
  if (prng.chance(0.5)) block.maintenanceFile = `/${text(prng)}`;
  return block;
}

function randomStatic(prng: Prng): StaticRoute {
  const nexthop: StaticRoute['nexthop'] = prng.pick([
    { kind: 'gateway', address: u32(prng) },
    { kind: 'gateway', address: u32(prng), ifName: ifName(prng) },
    { kind: 'interface', ifName: ifName(prng) },
    { kind: 'blackhole' },
    { kind: 'reject' },
  ] as StaticRoute['nexthop'][]);
  return { prefix: prefix(prng), nexthop, distance: prng.int(1, 255) };
}

function randomConfig(prng: Prng): DaemonConfig {
  const area = prng.chance(0.5) ? 0 : u32(prng);
  const interfaces: Record<string, InterfaceConfig> = {};
  for (const name of [...new Set(Array.from({ length: prng.int(0, 4) }, () => ifName(prng)))].sort()) interfaces[name] = randomInterface(prng, area);
  const kinds = ['stdout', 'syslog', 'file'].filter(() => prng.chance(0.6));
  const destinations: LogDestination[] = (kinds.length > 0 ? kinds : ['stdout']).map((kind) =>
    kind === 'file' ? { kind, path: `/var/log/${word(prng)}`, level: prng.pick(LOG_LEVELS) } : { kind: kind as 'stdout' | 'syslog', level: prng.pick(LOG_LEVELS) },
  );
  const anycast = new Map<string, AnycastConfig>();
  for (let i = prng.int(0, 3); i > 0; i--) {
    const p = prefix(prng);
    anycast.set(`${p.address}/${p.length}`, randomAnycast(prng, p));
  }
  const cfg: DaemonConfig = {
    log: { destinations, format: prng.pick(['text', 'json'] as const), timestampPrecision: prng.int(0, 6) },
    staticRoutes: Array.from({ length: prng.int(0, 4) }, () => randomStatic(prng)),
    interfaces,
    ospf: randomOspf(prng, area),
    anycast: [...anycast.values()],
    controlSocket: prng.chance(0.5) ? '/run/ospf-anycast/ospf-anycastd.sock' : `/run/${text(prng)}`,
    kernelRoutes: { metric: prng.int(0, 4294967295), table: prng.pick([254, 100, 4294967295]) },
  };
  if (prng.chance(0.5)) cfg.hostname = word(prng);
  if (prng.chance(0.3)) cfg.routerId = u32(prng);
  if (prng.chance(0.3)) cfg.user = prng.chance(0.5) ? { name: `u${word(prng)}` } : { name: `u${word(prng)}`, group: `g${word(prng)}` };
  if (prng.chance(0.5)) cfg.metricsListen = { address: u32(prng), port: prng.int(1, 65535) };
  return cfg;
}

/** The model as parseConfig orders it: the generator does not sort. */
function normalise(cfg: DaemonConfig): DaemonConfig {
  return parse(formatConfig(cfg));
}

describe('formatConfig', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.conf')).sort())('%s reads back to the same model', (file) => {
    const cfg = parse(readFileSync(join(dir, file), 'utf8'), file);
    expect(parse(formatConfig(cfg))).toEqual(cfg);
  });

  it.each(seeds([1125], 1))('random models read back unchanged (seed %i)', (seed) => {
    const prng = createPrng(seed);
    for (let n = 0; n < 300; n++) {
      const cfg = randomConfig(prng);
      const written = formatConfig(cfg);
      const back = parse(written, 'formatted.conf');
      const where = `seed ${seed}, case ${n}:\n${written}`;
      // Everything but the order of lists the parser sorts must match exactly.
      expect(back.ospf, where).toEqual(cfg.ospf);
      expect(back.interfaces, where).toEqual(cfg.interfaces);
      expect(back.log, where).toEqual(cfg.log);
      expect(back, where).toEqual(normalise(back));
      expect(formatConfig(back), where).toBe(formatConfig(normalise(cfg)));
      expect(back.anycast, where).toEqual([...cfg.anycast].sort((a, b) => a.prefix.address - b.prefix.address || a.prefix.length - b.prefix.length));
      expect(new Set(back.staticRoutes.map((r) => JSON.stringify(r))), where).toEqual(new Set(cfg.staticRoutes.map((r) => JSON.stringify(r))));
    }
  });
});
