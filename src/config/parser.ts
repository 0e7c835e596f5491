// parseConfig(): FRR/Quagga `ospfd.conf` / `frr.conf` text → DaemonConfig.
// The whole file is read and checked before anything is returned; every
// problem is collected and thrown together in one ConfigError.
//
// Sections work as FRR's vty nodes: `interface NAME`, `router ospf`,
// `anycast PREFIX` and `line vty` open one; a line that is a top-level
// statement leaves the section (so indentation and `exit` are optional);
// `exit`, `exit-vrf` and `end` close it explicitly.

import { formatPrefix, lengthFromMask, maskFromLength } from '../lib/ipv4.js';
import { parseAnycastLine } from './anycast-section.js';
import { Cursor, LineAbort } from './cursor.js';
import { ConfigError } from './errors.js';
import { parseInterfaceLine } from './interface-section.js';
import { splitLines, type Line, type Word } from './lexer.js';
import {
  DEFAULT_ANYCAST_INTERFACE,
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_LOG_DESTINATION,
  DEFAULT_LOG_LEVEL,
  DEFAULT_MAXIMUM_PATHS,
  DEFAULT_MIN_INTERVAL,
  DEFAULT_REFERENCE_BANDWIDTH,
  DEFAULT_ROUTE_METRIC,
  DEFAULT_ROUTE_TABLE,
  DEFAULT_SPF_THROTTLE,
  LOG_LEVELS,
  type DaemonConfig,
  type InterfaceConfig,
  type LogDestination,
  type LogLevel,
  type OspfConfig,
  type StaticRoute,
  DEFAULT_RESILIENT,
} from './types.js';
import { parseOspfLine } from './ospf-section.js';
import type { ParseState } from './state.js';
import { DefaultHelperConfig } from '../core/graceful-restart.js';

const TOP_WORDS = [
  'hostname',
  'password',
  'enable',
  'log',
  'frr',
  'service',
  'line',
  'ip',
  'interface',
  'router',
  'anycast',
  'control-socket',
  'user',
  'metrics',
  'route',
  'exit',
  'end',
];

/** Top-level FRR statements this project does not implement. */
const TOP_UNSUPPORTED: Record<string, string> = {
  'route-map': 'route maps are not implemented',
  'access-list': 'access lists are not implemented',
  key: 'key chains are not implemented',
  bfd: 'BFD is not implemented',
  vrf: 'VRFs are not implemented',
  debug: 'FRR debug switches are not implemented; use "log stdout debugging"',
  agentx: 'SNMP is not implemented',
  'segment-routing': 'segment routing is not implemented',
  ipv6: 'IPv6 is not implemented',
  mpls: 'MPLS is not implemented',
};

/** Parse a whole configuration file. Throws ConfigError listing every problem found. */
export function parseConfig(text: string, fileName: string): DaemonConfig {
  const state: ParseState = {
    file: fileName,
    issues: [],
    section: { kind: 'top' },
    logDestinations: new Map(),
    logFormat: 'text',
    timestampPrecision: 0,
    staticRoutes: [],
    interfaces: new Map(),
    anycast: [],
  };
  const lines = splitLines(text);
  for (const line of lines) {
    const cur = new Cursor(fileName, line, state.issues);
    try {
      parseLine(cur, state);
    } catch (err) {
      if (!(err instanceof LineAbort)) throw err;
    }
  }
  const lastLine = text.split(/\r\n|\n|\r/).length;
  if (state.ospf === undefined) {
    state.issues.push({
      file: fileName,
      line: lastLine,
      column: 1,
      word: '',
      message: 'missing "router ospf" section: there is nothing for the daemon to run',
    });
  }
  checkInterfaces(state, lines);
  if (state.issues.length > 0 || state.ospf === undefined) {
    throw new ConfigError([...state.issues].sort((a, b) => a.line - b.line || a.column - b.column));
  }
  return finish(state, state.ospf);
}

function parseLine(cur: Cursor, state: ParseState): void {
  const first = cur.peek() as string;
  if (first === 'exit' || first === 'exit-vrf' || first === 'end' || first === 'quit') {
    cur.next();
    cur.end();
    state.section = { kind: 'top' };
    return;
  }
  // In an anycast block an indented `interface NAME` is the block's; unindented it opens an interface section.
  const anycastInterface = state.section.kind === 'anycast' && first === 'interface' && cur.line.indented;
  if (!anycastInterface && isTopLevel(cur)) {
    parseTopLine(cur, state);
    return;
  }
  const section = state.section;
  switch (section.kind) {
    case 'top':
      // zebra's `router-id`; inside router ospf the same words are ospfd's (FRR node order).
      if (first === 'router-id') {
        cur.next();
        state.routerId = cur.ipv4('router id (A.B.C.D)');
        cur.end();
        return;
      }
      if (Object.hasOwn(TOP_UNSUPPORTED, first)) cur.unsupported(TOP_UNSUPPORTED[first] as string);
      cur.unknown(TOP_WORDS);
      break;
    case 'interface':
      parseInterfaceLine(cur, state, section.config);
      break;
    case 'ospf':
      parseOspfLine(cur, state, section.config);
      break;
    case 'anycast':
      parseAnycastLine(cur, section.config);
      break;
    case 'vty':
      parseVtyLine(cur);
      break;
    case 'skip':
      break;
  }
}

/** Whether the line is a top-level statement, which also ends the current section (FRR node fallback). */
function isTopLevel(cur: Cursor): boolean {
  const [a, b] = [cur.peek(), cur.peek(1)];
  switch (a) {
    case 'ip':
      return b === 'route' || b === 'forwarding' || b === 'prefix-list' || b === 'router-id';
    case 'ipv6':
      return b === 'forwarding' || b === 'route' || b === 'prefix-list';
    case 'no':
      return ((b === 'ip' || b === 'ipv6') && cur.peek(2) === 'forwarding') || b === 'service';
    case 'hostname':
    case 'password':
    case 'enable':
    case 'log':
    case 'frr':
    case 'service':
    case 'line':
    case 'interface':
    case 'router':
    case 'anycast':
    case 'control-socket':
    case 'user':
    case 'metrics':
    case 'route':
      return true;
    default:
      return a !== undefined && Object.hasOwn(TOP_UNSUPPORTED, a) && a !== 'ipv6';
  }
}

function parseTopLine(cur: Cursor, state: ParseState): void {
  const first = cur.next() as Word;
  // Any top-level statement ends the current section. A refused section
  // header leaves its body unreported (skip); an accepted one replaces this.
  const header = first.text === 'interface' || first.text === 'router' || first.text === 'anycast' || first.text === 'line';
  state.section = header ? { kind: 'skip' } : { kind: 'top' };
  switch (first.text) {
    case 'hostname':
      state.hostname = cur.need('host name').text;
      break;
    case 'password':
      // vty passwords: there is no vty; accepted so FRR files load unchanged.
      cur.rest('password');
      break;
    case 'enable': {
      const kw = cur.need('"password"');
      if (kw.text !== 'password') cur.fail(kw, `"${kw.text}" is not valid here: expected "password"`);
      cur.rest('password');
      break;
    }
    case 'frr':
      // `frr version …`, `frr defaults …`: vtysh bookkeeping, accepted with no effect.
      cur.keyword(['version', 'defaults'], 'frr setting');
      cur.rest('value');
      break;
    case 'service':
      // `service integrated-vtysh-config`, `service password-encryption`…: vtysh settings, no effect.
      cur.rest('service name');
      break;
    case 'no':
      // `no ip forwarding`, `no ipv6 forwarding`, `no service …`: accepted with no effect (see reference.md).
      cur.pos = cur.line.words.length;
      break;
    case 'log':
      parseLog(cur, state);
      break;
    case 'line': {
      cur.keyword(['vty'], 'line type');
      state.section = { kind: 'vty' };
      break;
    }
    case 'ip':
      parseIp(cur, state);
      break;
    case 'ipv6':
      if (cur.peek() === 'forwarding') {
        cur.next();
        break;
      }
      cur.unsupported('IPv6 is not implemented');
      break;
    case 'interface': {
      const name = cur.ifName();
      if (cur.peek() === 'vrf') {
        cur.next();
        cur.unsupported('VRFs are not implemented');
      }
      cur.end();
      let config = state.interfaces.get(name);
      if (config === undefined) {
        config = { authentication: { keys: [] } };
        state.interfaces.set(name, config);
      }
      state.section = { kind: 'interface', config };
      return;
    }
    case 'router': {
      const proto = cur.need('routing protocol');
      if (proto.text !== 'ospf') cur.unsupported('only OSPFv2 ("router ospf") is implemented');
      if (cur.peek() === 'vrf') {
        cur.next();
        cur.unsupported('VRFs are not implemented');
      }
      if (!cur.atEnd()) {
        cur.next();
        cur.unsupported('OSPF instances are not implemented: one "router ospf" per daemon');
      }
      state.ospf ??= newOspf();
      state.section = { kind: 'ospf', config: state.ospf };
      return;
    }
    case 'anycast':
      parseAnycastHeader(cur, state);
      return;
    case 'control-socket': {
      const at = cur.line.words[cur.pos];
      const path = cur.rest('control socket path');
      // The daemon and the CLI may run in different directories: a relative path would name two sockets.
      if (!path.startsWith('/')) cur.fail(at, `control socket path "${path}" must be absolute`);
      state.controlSocket = path;
      break;
    }
    case 'user': {
      // FRR runs as its frr user; here the daemon drops to this one after its root-only set-up.
      const name = accountName(cur, cur.need('user name'));
      if (cur.atEnd()) {
        state.user = { name };
        break;
      }
      const kw = cur.need('"group"');
      if (kw.text !== 'group') cur.fail(kw, `"${kw.text}" is not valid here: expected "group"`);
      state.user = { name, group: accountName(cur, cur.need('group name')) };
      break;
    }
    case 'metrics': {
      const kw = cur.need('"listen"');
      if (kw.text !== 'listen') cur.fail(kw, `"${kw.text}" is not valid here: expected "listen"`);
      const word = cur.need('ADDR:PORT');
      const colon = word.text.lastIndexOf(':');
      if (colon < 0) cur.fail(word, `"${word.text}" is not ADDR:PORT`);
      const address = cur.ipv4Of({ text: word.text.slice(0, colon), column: word.column }, 'IPv4 address in ADDR:PORT');
      const port = cur.intOf({ text: word.text.slice(colon + 1), column: word.column + colon + 1 }, 'port', 1, 65535);
      state.metricsListen = { address, port };
      break;
    }
    case 'route': {
      const kw = cur.keyword(['metric', 'table'], 'route setting');
      if (kw === 'metric') {
        state.routeMetric = cur.int('route metric', 0, 4294967295);
      } else {
        const at = cur.line.words[cur.pos];
        const table = cur.int('route table', 1, 4294967295);
        if (table === 255) cur.fail(at, 'table 255 is the kernel\'s local table');
        state.routeTable = table;
      }
      break;
    }
    default:
      cur.unsupported(TOP_UNSUPPORTED[first.text] as string);
  }
  cur.end();
}

/** A user or group name as useradd and groupadd accept them (names, not numbers: they are looked up). */
function accountName(cur: Cursor, word: Word): string {
  if (!/^[A-Za-z_][A-Za-z0-9._-]{0,31}$/.test(word.text)) {
    cur.fail(word, `"${word.text}" is not a user or group name (a letter or _, then up to 31 letters, digits, ".", "_" or "-")`);
  }
  return word.text;
}

function parseLog(cur: Cursor, state: ParseState): void {
  const kind = cur.keyword(['stdout', 'syslog', 'file', 'timestamp', 'format'], 'log setting');
  switch (kind) {
    case 'timestamp': {
      const kw = cur.need('"precision"');
      if (kw.text !== 'precision') cur.fail(kw, `"${kw.text}" is not valid here: expected "precision"`);
      state.timestampPrecision = cur.int('timestamp precision', 0, 6);
      return;
    }
    case 'format':
      state.logFormat = cur.keyword(['text', 'json'], 'log format');
      return;
    case 'file': {
      const path = cur.need('log file path').text;
      state.logDestinations.set('file', { kind, path, level: logLevel(cur) });
      return;
    }
    default:
      state.logDestinations.set(kind, { kind, level: logLevel(cur) });
  }
}

function logLevel(cur: Cursor): LogLevel {
  return cur.atEnd() ? DEFAULT_LOG_LEVEL : cur.keyword(LOG_LEVELS, 'log level');
}

/** `ip route PREFIX|ADDR MASK  GATEWAY [IFNAME]|IFNAME|blackhole|reject|Null0  [DISTANCE]`, and `ip forwarding`. */
function parseIp(cur: Cursor, state: ParseState): void {
  const kw = cur.next() as Word;
  if (kw.text === 'forwarding') return;
  if (kw.text === 'router-id') {
    state.routerId = cur.ipv4('router id (A.B.C.D)');
    return;
  }
  if (kw.text === 'prefix-list') cur.unsupported('prefix lists are not implemented');
  let prefix;
  if ((cur.peek() ?? '').includes('/')) {
    prefix = cur.prefix('static route prefix', false);
  } else {
    const address = cur.ipv4('static route prefix (A.B.C.D/M or A.B.C.D MASK)');
    const maskWord = cur.need('netmask');
    const mask = cur.ipv4Of(maskWord, 'netmask');
    const length = lengthFromMask(mask);
    if (length < 0) cur.fail(maskWord, `"${maskWord.text}" is not a contiguous netmask`);
    if (((address & maskFromLength(length)) >>> 0) !== address) cur.fail(maskWord, 'host bits set in static route prefix');
    prefix = { address, length };
  }
  const via = cur.need('next hop (address, interface, blackhole or reject)');
  let nexthop: StaticRoute['nexthop'];
  if (via.text === 'blackhole' || via.text === 'Null0') nexthop = { kind: 'blackhole' };
  else if (via.text === 'reject') nexthop = { kind: 'reject' };
  else if (/^\d+\.\d+\.\d+\.\d+$/.test(via.text)) {
    nexthop = { kind: 'gateway', address: cur.ipv4Of(via, 'next hop address') };
    const ifName = cur.peek();
    if (ifName !== undefined && !/^\d+$/.test(ifName)) nexthop.ifName = cur.ifName();
  } else nexthop = { kind: 'interface', ifName: cur.ifNameOf(via) };
  const distance = cur.atEnd() ? 1 : cur.int('distance', 1, 255);
  state.staticRoutes.push({ prefix, nexthop, distance });
}

function parseAnycastHeader(cur: Cursor, state: ParseState): void {
  const at = cur.line.words[cur.pos];
  const prefix = cur.prefix('anycast prefix', false);
  cur.end();
  const key = formatPrefix(prefix);
  const earlier = state.anycast.find((a) => formatPrefix(a.config.prefix) === key);
  if (earlier !== undefined) cur.fail(at, `duplicate anycast prefix ${key} (first at line ${earlier.line})`);
  const config = {
    prefix,
    checks: [],
    onFailure: 'withdraw' as const,
    announceAs: { kind: 'stub' as const },
    minInterval: DEFAULT_MIN_INTERVAL,
    manageAddress: { enabled: false, removeOnWithdraw: false },
    interface: DEFAULT_ANYCAST_INTERFACE,
    proxyStopOnExit: false,
  };
  state.anycast.push({ config, line: cur.line.number });
  state.section = { kind: 'anycast', config };
}

/** `line vty` statements: there is no vty, so they have no effect; unknown ones are still reported. */
function parseVtyLine(cur: Cursor): void {
  const first = cur.peek() === 'no' ? cur.peek(1) : cur.peek();
  if (first === 'exec-timeout' || first === 'access-class' || first === 'login' || first === 'ipv6') {
    cur.pos = cur.line.words.length;
    return;
  }
  cur.unknown(['exec-timeout', 'access-class', 'login']);
}

function newOspf(): OspfConfig {
  return {
    networks: [],
    area: 0,
    passiveDefault: false,
    passiveInterfaces: {},
    maximumPaths: DEFAULT_MAXIMUM_PATHS,
    spfThrottle: { ...DEFAULT_SPF_THROTTLE },
    logAdjacencyChanges: 'off',
    referenceBandwidth: DEFAULT_REFERENCE_BANDWIDTH,
    // Flow-stable ECMP by default: a node failing or returning moves no flow that need not move.
    multipath: { group: { kind: 'resilient', ...DEFAULT_RESILIENT }, hash: 'layer3' },
    maxMetric: { administrative: false },
    gracefulRestartHelper: { ...DefaultHelperConfig, neighbors: [] },
  };
}

/** Checks across the lines of one interface section: a dead interval not above the hello interval. */
function checkInterfaces(state: ParseState, lines: Line[]): void {
  for (const [name, ifc] of state.interfaces) {
    if (ifc.helloInterval === undefined || ifc.deadInterval === undefined) continue;
    if (ifc.deadInterval > ifc.helloInterval) continue;
    const line = lines.find((l) => l.words[0]?.text === 'interface' && l.words[1]?.text === name);
    state.issues.push({
      file: state.file,
      line: line?.number ?? 1,
      column: line?.words[0]?.column ?? 1,
      word: `interface ${name}`,
      message: `interface ${name}: dead-interval ${ifc.deadInterval} must be longer than hello-interval ${ifc.helloInterval} (RFC 2328 C.3)`,
    });
  }
}

function finish(state: ParseState, ospf: OspfConfig): DaemonConfig {
  ospf.area = state.area?.value ?? 0;
  const interfaces: Record<string, InterfaceConfig> = {};
  for (const name of [...state.interfaces.keys()].sort()) interfaces[name] = state.interfaces.get(name) as InterfaceConfig;
  const passive: Record<string, boolean> = {};
  for (const name of Object.keys(ospf.passiveInterfaces).sort()) passive[name] = ospf.passiveInterfaces[name] as boolean;
  ospf.passiveInterfaces = passive;
  const order: LogDestination['kind'][] = ['stdout', 'syslog', 'file'];
  const destinations = order.flatMap((k) => state.logDestinations.get(k) ?? []);
  const config: DaemonConfig = {
    log: {
      destinations: destinations.length > 0 ? destinations : [{ ...DEFAULT_LOG_DESTINATION }],
      format: state.logFormat,
      timestampPrecision: state.timestampPrecision,
    },
    staticRoutes: [...state.staticRoutes].sort(compareStatic),
    interfaces,
    ospf,
    anycast: state.anycast.map((a) => a.config).sort((a, b) => a.prefix.address - b.prefix.address || a.prefix.length - b.prefix.length),
    controlSocket: state.controlSocket ?? DEFAULT_CONTROL_SOCKET,
    kernelRoutes: { metric: state.routeMetric ?? DEFAULT_ROUTE_METRIC, table: state.routeTable ?? DEFAULT_ROUTE_TABLE },
  };
  if (state.hostname !== undefined) config.hostname = state.hostname;
  if (state.routerId !== undefined) config.routerId = state.routerId;
  if (state.metricsListen !== undefined) config.metricsListen = state.metricsListen;
  if (state.user !== undefined) config.user = state.user;
  return config;
}

function compareStatic(a: StaticRoute, b: StaticRoute): number {
  return (
    a.prefix.address - b.prefix.address ||
    a.prefix.length - b.prefix.length ||
    JSON.stringify(a.nexthop).localeCompare(JSON.stringify(b.nexthop))
  );
}
