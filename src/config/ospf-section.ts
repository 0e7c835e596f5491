// Statements inside `router ospf`: FRR ospfd's router-level settings. FRR
// commands for features this project leaves out are refused by name, so a
// file never runs with part of its intent silently dropped.

import type { Cursor } from './cursor.js';
import type { Word } from './lexer.js';
import { DEFAULT_RESILIENT, type MultipathGroup, type OspfConfig, type RedistributeConfig } from './types.js';
import { useArea, type ParseState } from './state.js';
import { DefaultHelperConfig } from '../core/graceful-restart.js';

const OSPF_WORDS = [
  'ospf',
  'router-id',
  'network',
  'passive-interface',
  'redistribute',
  'default-metric',
  'maximum-paths',
  'max-lsa',
  'timers',
  'log-adjacency-changes',
  'auto-cost',
  'multipath',
  'max-metric',
  'area',
  'graceful-restart',
  'capability',
  'no',
];

/** FRR `router ospf` commands this project does not implement, with the reason given to the operator. */
const UNSUPPORTED: Record<string, string> = {
  'default-information': 'originating a default route is not implemented',
  distance: 'administrative distances are not implemented',
  'distribute-list': 'route filtering is not implemented',
  compatible: 'RFC 1583 compatibility is not implemented (RFC 2328 16.4.1 preference is always used)',
  neighbor: 'NBMA neighbors are not implemented',
  refresh: 'the LSA refresh interval is fixed (LSRefreshTime, RFC 2328 B)',
  'summary-address': 'external route summarisation is not implemented',
  'segment-routing': 'segment routing is not implemented',
  'mpls-te': 'traffic engineering is not implemented',
  'router-info': 'router information LSAs are not implemented',
  'fast-reroute': 'fast reroute is not implemented',
  'proactive-arp': 'proactive ARP is not implemented',
  pce: 'PCE is not implemented',
  'write-multiplier': 'the write multiplier is not implemented',
};

const REDISTRIBUTE_SOURCES = ['kernel', 'bgp', 'rip', 'isis', 'eigrp', 'babel', 'nhrp', 'openfabric', 'sharp', 'table', 'vnc', 'ospf', 'ldp', 'bfd'];

export function parseOspfLine(cur: Cursor, state: ParseState, ospf: OspfConfig): void {
  const first = cur.next() as Word;
  if (Object.hasOwn(UNSUPPORTED, first.text)) cur.unsupported(UNSUPPORTED[first.text] as string);
  if (first.text === 'ip' && cur.peek() === 'ospf') {
    cur.fail(first, `"${cur.phrase(cur.line.words.length)}" belongs in an "interface NAME" section, not in "router ospf"`);
  }
  switch (first.text) {
    case 'ospf': {
      const second = cur.need('"router-id"');
      if (second.text === 'router-id') {
        ospf.routerId = cur.ipv4('router id (A.B.C.D)');
        break;
      }
      // RFC 5250: this daemon is always opaque-capable (FRR's `ospf opaque-lsa`, an alias of `capability opaque`).
      if (second.text === 'opaque-lsa') break;
      if (['abr-type', 'rfc1583compatibility', 'send-extra-data', 'maxage-delay'].includes(second.text)) {
        cur.unsupported('not implemented by this daemon');
      }
      cur.pos--;
      cur.unknown(['router-id']);
      break;
    }
    case 'router-id':
      ospf.routerId = cur.ipv4('router id (A.B.C.D)');
      break;
    case 'network': {
      // FRR clears host bits of the network prefix; so do we.
      const prefix = cur.prefix('network prefix', true);
      const kw = cur.need('"area"');
      if (kw.text !== 'area') cur.fail(kw, `"${kw.text}" is not valid here: expected "area"`);
      const at = cur.line.words[cur.pos] as Word | undefined;
      const area = cur.area();
      useArea(state, cur, at as Word, area);
      if (!ospf.networks.some((n) => n.prefix.address === prefix.address && n.prefix.length === prefix.length)) {
        ospf.networks.push({ prefix, area });
      }
      break;
    }
    case 'passive-interface': {
      const name = cur.peek() === 'default' ? (cur.next() as Word).text : cur.ifName('interface name or "default"');
      if (name === 'default') ospf.passiveDefault = true;
      else ospf.passiveInterfaces[name] = true;
      rejectAddress(cur);
      break;
    }
    case 'redistribute': {
      const source = cur.need('"connected" or "static"');
      if (REDISTRIBUTE_SOURCES.includes(source.text)) cur.unsupported(`only connected and static routes can be redistributed`);
      if (source.text !== 'connected' && source.text !== 'static') {
        cur.fail(source, `"${source.text}" is not valid here: expected "connected" or "static"`);
      }
      const redist = parseRedistributeOptions(cur);
      if (source.text === 'connected') ospf.redistributeConnected = redist;
      else ospf.redistributeStatic = redist;
      break;
    }
    case 'default-metric':
      ospf.defaultMetric = cur.int('default-metric', 0, 16777214);
      break;
    case 'maximum-paths':
      ospf.maximumPaths = cur.int('maximum-paths', 1, 64);
      break;
    case 'max-lsa':
      ospf.maxLsa = cur.int('max-lsa', 1, 10_000_000);
      break;
    case 'timers': {
      const kw = cur.need('"throttle spf", "throttle lsa all" or "lsa min-arrival"');
      if (kw.text === 'lsa' && cur.peek() === 'min-arrival') {
        cur.next();
        ospf.lsaArrivalMs = cur.int('LSA minimum arrival (ms)', 0, 600000);
        break;
      }
      if (kw.text === 'throttle' && cur.peek() === 'lsa') {
        cur.next();
        cur.keyword(['all'], 'LSA throttle scope');
        ospf.lsaIntervalMs = cur.int('LSA minimum interval (ms)', 0, 5000);
        break;
      }
      if (kw.text !== 'throttle' || cur.peek() !== 'spf') {
        cur.pos--;
        cur.unknown(['throttle spf', 'throttle lsa all', 'lsa min-arrival']);
      }
      cur.next();
      ospf.spfThrottle = {
        delayMs: cur.int('SPF delay (ms)', 0, 600000),
        initialHoldMs: cur.int('SPF initial hold (ms)', 0, 600000),
        maxHoldMs: cur.int('SPF maximum hold (ms)', 0, 600000),
      };
      break;
    }
    case 'log-adjacency-changes':
      if (cur.atEnd()) ospf.logAdjacencyChanges = 'on';
      else ospf.logAdjacencyChanges = cur.keyword(['detail'], 'log-adjacency-changes option');
      break;
    case 'auto-cost': {
      const kw = cur.need('"reference-bandwidth"');
      if (kw.text !== 'reference-bandwidth') cur.fail(kw, `"${kw.text}" is not valid here: expected "reference-bandwidth"`);
      ospf.referenceBandwidth = cur.int('reference bandwidth (Mbit/s)', 1, 4294967);
      break;
    }
    case 'multipath':
      parseMultipath(cur, ospf);
      break;
    case 'max-metric':
      parseMaxMetric(cur, ospf, true);
      break;
    case 'area':
      parseArea(cur, state, ospf);
      break;
    case 'graceful-restart':
      parseGracefulRestart(cur, ospf, true);
      break;
    case 'capability':
      // RFC 5250: opaque LSAs are always stored and flooded, as FRR's `capability opaque` asks.
      cur.keyword(['opaque'], 'capability');
      break;
    case 'no':
      parseNoOspf(cur, ospf);
      return;
    default:
      cur.pos--;
      cur.unknown(OSPF_WORDS);
  }
  cur.end();
}

/** `[metric N] [metric-type 1|2] [route-map NAME]` in any order, as FRR. */
function parseRedistributeOptions(cur: Cursor): RedistributeConfig {
  const redist: RedistributeConfig = { metricType: 2 };
  const seen = new Set<string>();
  while (!cur.atEnd()) {
    const opt = cur.next() as Word;
    if (seen.has(opt.text)) cur.fail(opt, `"${opt.text}" given twice`);
    seen.add(opt.text);
    if (opt.text === 'metric') redist.metric = cur.int('metric', 0, 16777214);
    else if (opt.text === 'metric-type') redist.metricType = cur.int('metric-type', 1, 2) as 1 | 2;
    else if (opt.text === 'route-map') cur.unsupported('route maps are not implemented');
    else cur.fail(opt, `"${opt.text}" is not valid here: expected metric, metric-type or nothing`);
  }
  return redist;
}

function parseMultipath(cur: Cursor, ospf: OspfConfig): void {
  const kw = cur.need('"group" or "hash"');
  if (kw.text === 'hash') {
    ospf.multipath.hash = cur.keyword(['layer3', 'layer4'], 'multipath hash policy');
    return;
  }
  if (kw.text !== 'group') cur.fail(kw, `"${kw.text}" is not valid here: expected "group" or "hash"`);
  const kind = cur.keyword(['resilient', 'hash-threshold'], 'multipath group type');
  if (kind === 'hash-threshold') {
    ospf.multipath.group = { kind };
    return;
  }
  const group: MultipathGroup = { kind, ...DEFAULT_RESILIENT };
  const seen = new Set<string>();
  while (!cur.atEnd()) {
    const opt = cur.next() as Word;
    if (seen.has(opt.text)) cur.fail(opt, `"${opt.text}" given twice`);
    seen.add(opt.text);
    if (opt.text === 'buckets') group.buckets = cur.int('buckets', 1, 65535);
    else if (opt.text === 'idle-timer') group.idleTimer = cur.int('idle-timer (seconds)', 0, 3600);
    else if (opt.text === 'unbalanced-timer') group.unbalancedTimer = cur.int('unbalanced-timer (seconds)', 0, 3600);
    else cur.fail(opt, `"${opt.text}" is not valid here: expected buckets, idle-timer or unbalanced-timer`);
  }
  ospf.multipath.group = group;
}

/**
 * `[no] max-metric router-lsa administrative|on-startup N|on-shutdown N`, as
 * FRR (RFC 6987 stub router). The `no` forms take the seconds or leave them
 * out. on-shutdown is refused: at SIGTERM the daemon flushes its LSAs at
 * once (RFC 2328 14.1), so it leaves every path without a delay to wait out;
 * with graceful-restart configured it asks its neighbours to keep it instead.
 */
function parseMaxMetric(cur: Cursor, ospf: OspfConfig, set: boolean): void {
  const kw = cur.need('"router-lsa"');
  if (kw.text !== 'router-lsa') cur.fail(kw, `"${kw.text}" is not valid here: expected "router-lsa"`);
  const when = cur.keyword(['administrative', 'on-startup', 'on-shutdown'], 'when to advertise the maximum metric');
  if (when === 'on-shutdown') {
    if (set) cur.unsupported('stub router advertisement before shutdown is not implemented: at SIGTERM the daemon flushes its LSAs at once (RFC 2328 14.1), so neighbours route around it without waiting (with graceful-restart, it asks them to keep it instead)');
    if (!cur.atEnd()) cur.int('on-shutdown (seconds)', 5, 100);
    return;
  }
  if (when === 'administrative') {
    ospf.maxMetric.administrative = set;
    return;
  }
  if (set) ospf.maxMetric.onStartup = cur.int('on-startup (seconds)', 5, 86400);
  else {
    if (!cur.atEnd()) cur.int('on-startup (seconds)', 5, 86400);
    delete ospf.maxMetric.onStartup;
  }
}

/** `area AREA authentication [message-digest]`; every other area feature is refused. */
function parseArea(cur: Cursor, state: ParseState, ospf: OspfConfig): void {
  const at = cur.line.words[cur.pos] as Word | undefined;
  const area = cur.area();
  const what = cur.need('area setting');
  if (what.text !== 'authentication') {
    const reasons: Record<string, string> = {
      'virtual-link': 'virtual links are not implemented (one area only)',
      nssa: 'NSSA areas are not implemented',
      stub: 'stub areas are not implemented',
      range: 'area ranges are not implemented (one area, no ABR)',
      'default-cost': 'stub areas are not implemented',
      shortcut: 'ABR shortcuts are not implemented',
      'export-list': 'inter-area filtering is not implemented (one area, no ABR)',
      'import-list': 'inter-area filtering is not implemented (one area, no ABR)',
      'filter-list': 'inter-area filtering is not implemented (one area, no ABR)',
    };
    if (Object.hasOwn(reasons, what.text)) cur.unsupported(reasons[what.text] as string);
    cur.pos--;
    cur.unknown(['authentication', ...Object.keys(reasons)]);
  }
  useArea(state, cur, at as Word, area);
  ospf.areaAuthentication = cur.atEnd() ? 'simple' : cur.keyword(['message-digest'], 'area authentication type');
}

function parseNoOspf(cur: Cursor, ospf: OspfConfig): void {
  const word = cur.need('setting to remove');
  switch (word.text) {
    case 'passive-interface': {
      const name = cur.peek() === 'default' ? (cur.next() as Word).text : cur.ifName('interface name or "default"');
      if (name === 'default') ospf.passiveDefault = false;
      else ospf.passiveInterfaces[name] = false;
      rejectAddress(cur);
      break;
    }
    case 'log-adjacency-changes':
      ospf.logAdjacencyChanges = 'off';
      if (!cur.atEnd()) cur.keyword(['detail'], 'log-adjacency-changes option');
      break;
    case 'redistribute': {
      const source = cur.keyword(['connected', 'static'], 'redistributed source');
      if (source === 'connected') delete ospf.redistributeConnected;
      else delete ospf.redistributeStatic;
      cur.pos = cur.line.words.length;
      break;
    }
    case 'default-metric':
      delete ospf.defaultMetric;
      cur.pos = cur.line.words.length;
      break;
    case 'max-metric':
      parseMaxMetric(cur, ospf, false);
      break;
    case 'graceful-restart':
      parseGracefulRestart(cur, ospf, false);
      break;
    case 'capability':
      cur.unsupported('opaque LSAs cannot be turned off: graceful restart helper mode (RFC 3623) receives its grace-LSAs as opaque LSAs');
      break;
    default:
      cur.pos--;
      cur.unknown(['passive-interface', 'log-adjacency-changes', 'redistribute', 'default-metric', 'max-metric', 'graceful-restart']);
  }
  cur.end();
}

/** FRR 8.4's grace period when `graceful-restart` names none, seconds (RFC 3623 Appendix A). */
export const DefaultGracePeriod = 120;

/**
 * FRR 8.4's graceful restart statements, with or without `no`. Restarting
 * mode (RFC 3623 2): `graceful-restart [grace-period N]`. Helper mode (3):
 * `graceful-restart helper enable [A.B.C.D]`, `… strict-lsa-checking`,
 * `… supported-grace-time N` and `… planned-only`.
 */
function parseGracefulRestart(cur: Cursor, ospf: OspfConfig, on: boolean): void {
  if (cur.atEnd() || cur.peek() === 'grace-period') {
    // FRR takes `no graceful-restart grace-period N` too: restarting mode off either way.
    let gracePeriod = DefaultGracePeriod;
    if (!cur.atEnd()) {
      cur.next();
      gracePeriod = cur.int('grace period (seconds)', 1, 1800);
    }
    if (on) ospf.gracefulRestart = { gracePeriod };
    else delete ospf.gracefulRestart;
    return;
  }
  const helper = cur.need('"helper"');
  if (helper.text !== 'helper') {
    cur.pos--;
    cur.unknown(['helper', 'grace-period']);
  }
  const gr = ospf.gracefulRestartHelper;
  const what = cur.keyword(['enable', 'strict-lsa-checking', 'supported-grace-time', 'planned-only'], 'graceful-restart helper setting');
  switch (what) {
    case 'enable': {
      if (cur.atEnd()) {
        gr.enabled = on;
        break;
      }
      const id = cur.ipv4('neighbor router id (A.B.C.D)');
      gr.neighbors = gr.neighbors.filter((n) => n !== id);
      if (on) gr.neighbors.push(id);
      break;
    }
    case 'strict-lsa-checking':
      gr.strictLsaChecking = on;
      break;
    case 'supported-grace-time':
      // FRR takes the value with `no` too, and goes back to its default.
      if (on || !cur.atEnd()) gr.supportedGraceTime = cur.int('supported grace time (seconds)', 10, 1800);
      if (!on) gr.supportedGraceTime = DefaultHelperConfig.supportedGraceTime;
      break;
    case 'planned-only':
      gr.plannedOnly = on;
      break;
  }
}

/** FRR's `passive-interface NAME A.B.C.D` makes one address passive. */
function rejectAddress(cur: Cursor): void {
  const extra = cur.peek();
  if (extra !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(extra)) {
    cur.next();
    cur.unsupported('per-address passive settings are not implemented');
  }
}
