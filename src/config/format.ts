// formatConfig(): DaemonConfig → configuration text, in FRR's running-config
// style (defaults left out, sections closed with `exit`). parseConfig() reads
// the text back to the same model, which is what `show running-config` and a
// saved configuration need.

import { formatIpv4, formatPrefix } from '../lib/ipv4.js';
import { DefaultHelperConfig } from '../core/graceful-restart.js';
import {
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_LOG_DESTINATION,
  DEFAULT_MAXIMUM_PATHS,
  DEFAULT_MIN_INTERVAL,
  DEFAULT_REFERENCE_BANDWIDTH,
  DEFAULT_RESILIENT,
  DEFAULT_ROUTE_METRIC,
  DEFAULT_ROUTE_TABLE,
  DEFAULT_SPF_THROTTLE,
  type AnycastConfig,
  type CodeRange,
  type DaemonConfig,
  type HealthCheck,
  type InterfaceConfig,
  type OspfConfig,
  type RedistributeConfig,
  type StaticRoute,
} from './types.js';

export function formatConfig(cfg: DaemonConfig): string {
  const out: string[] = [];
  if (cfg.hostname !== undefined) out.push(`hostname ${cfg.hostname}`);
  if (cfg.routerId !== undefined) out.push(`router-id ${formatIpv4(cfg.routerId)}`);
  const logs = cfg.log.destinations;
  const defaultLog = logs.length === 1 && logs[0]?.kind === DEFAULT_LOG_DESTINATION.kind && logs[0].level === DEFAULT_LOG_DESTINATION.level;
  if (!defaultLog) {
    for (const d of logs) out.push(d.kind === 'file' ? `log file ${d.path} ${d.level}` : `log ${d.kind} ${d.level}`);
  }
  if (cfg.log.timestampPrecision !== 0) out.push(`log timestamp precision ${cfg.log.timestampPrecision}`);
  if (cfg.log.format !== 'text') out.push(`log format ${cfg.log.format}`);
  if (cfg.controlSocket !== DEFAULT_CONTROL_SOCKET) out.push(`control-socket ${cfg.controlSocket}`);
  if (cfg.user !== undefined) out.push(cfg.user.group === undefined ? `user ${cfg.user.name}` : `user ${cfg.user.name} group ${cfg.user.group}`);
  if (cfg.metricsListen !== undefined) out.push(`metrics listen ${formatIpv4(cfg.metricsListen.address)}:${cfg.metricsListen.port}`);
  if (cfg.kernelRoutes.metric !== DEFAULT_ROUTE_METRIC) out.push(`route metric ${cfg.kernelRoutes.metric}`);
  if (cfg.kernelRoutes.table !== DEFAULT_ROUTE_TABLE) out.push(`route table ${cfg.kernelRoutes.table}`);
  for (const route of cfg.staticRoutes) out.push(formatStatic(route));
  out.push('!');
  for (const [name, ifc] of Object.entries(cfg.interfaces)) {
    out.push(`interface ${name}`, ...formatInterface(ifc).map((l) => ` ${l}`), 'exit', '!');
  }
  out.push('router ospf', ...formatOspf(cfg.ospf).map((l) => ` ${l}`), 'exit', '!');
  for (const block of cfg.anycast) out.push(`anycast ${formatPrefix(block.prefix)}`, ...formatAnycast(block).map((l) => ` ${l}`), 'exit', '!');
  return `${out.join('\n')}\n`;
}

function formatStatic(route: StaticRoute): string {
  const nh = route.nexthop;
  let via: string;
  switch (nh.kind) {
    case 'gateway':
      via = nh.ifName === undefined ? formatIpv4(nh.address) : `${formatIpv4(nh.address)} ${nh.ifName}`;
      break;
    case 'interface':
      via = nh.ifName;
      break;
    default:
      via = nh.kind;
  }
  return `ip route ${formatPrefix(route.prefix)} ${via}${route.distance === 1 ? '' : ` ${route.distance}`}`;
}

function formatInterface(ifc: InterfaceConfig): string[] {
  const out: string[] = [];
  if (ifc.description !== undefined) out.push(`description ${ifc.description}`);
  if (ifc.area !== undefined) out.push(`ip ospf area ${formatIpv4(ifc.area)}`);
  if (ifc.cost !== undefined) out.push(`ip ospf cost ${ifc.cost}`);
  if (ifc.helloInterval !== undefined) out.push(`ip ospf hello-interval ${ifc.helloInterval}`);
  if (ifc.deadInterval !== undefined) out.push(`ip ospf dead-interval ${ifc.deadInterval}`);
  if (ifc.helloMultiplier !== undefined) out.push(`ip ospf dead-interval minimal hello-multiplier ${ifc.helloMultiplier}`);
  if (ifc.retransmitInterval !== undefined) out.push(`ip ospf retransmit-interval ${ifc.retransmitInterval}`);
  if (ifc.transmitDelay !== undefined) out.push(`ip ospf transmit-delay ${ifc.transmitDelay}`);
  if (ifc.priority !== undefined) out.push(`ip ospf priority ${ifc.priority}`);
  if (ifc.networkType !== undefined) out.push(`ip ospf network ${ifc.networkType}`);
  if (ifc.passive !== undefined) out.push(ifc.passive ? 'ip ospf passive' : 'no ip ospf passive');
  if (ifc.mtuIgnore === true) out.push('ip ospf mtu-ignore');
  const auth = ifc.authentication;
  if (auth.type !== undefined) out.push(auth.type === 'simple' ? 'ip ospf authentication' : `ip ospf authentication ${auth.type}`);
  if (auth.simpleKey !== undefined) out.push(`ip ospf authentication-key ${auth.simpleKey}`);
  for (const k of auth.keys) out.push(`ip ospf message-digest-key ${k.keyId} ${k.algorithm} ${k.key}`);
  if (ifc.loadSharing !== undefined) out.push(`ip load-sharing ${ifc.loadSharing}`);
  return out;
}

function formatOspf(ospf: OspfConfig): string[] {
  const out: string[] = [];
  if (ospf.routerId !== undefined) out.push(`ospf router-id ${formatIpv4(ospf.routerId)}`);
  if (ospf.logAdjacencyChanges !== 'off') {
    out.push(ospf.logAdjacencyChanges === 'detail' ? 'log-adjacency-changes detail' : 'log-adjacency-changes');
  }
  if (ospf.referenceBandwidth !== DEFAULT_REFERENCE_BANDWIDTH) out.push(`auto-cost reference-bandwidth ${ospf.referenceBandwidth}`);
  const redistribute = (source: string, r: RedistributeConfig | undefined): void => {
    if (r === undefined) return;
    const metric = r.metric === undefined ? '' : ` metric ${r.metric}`;
    out.push(`redistribute ${source}${metric}${r.metricType === 2 ? '' : ` metric-type ${r.metricType}`}`);
  };
  redistribute('connected', ospf.redistributeConnected);
  redistribute('static', ospf.redistributeStatic);
  if (ospf.defaultMetric !== undefined) out.push(`default-metric ${ospf.defaultMetric}`);
  if (ospf.passiveDefault) out.push('passive-interface default');
  for (const [name, passive] of Object.entries(ospf.passiveInterfaces)) {
    out.push(passive ? `passive-interface ${name}` : `no passive-interface ${name}`);
  }
  for (const n of ospf.networks) out.push(`network ${formatPrefix(n.prefix)} area ${formatIpv4(n.area)}`);
  if (ospf.areaAuthentication !== undefined) {
    const kind = ospf.areaAuthentication === 'simple' ? '' : ' message-digest';
    out.push(`area ${formatIpv4(ospf.area)} authentication${kind}`);
  }
  if (ospf.maximumPaths !== DEFAULT_MAXIMUM_PATHS) out.push(`maximum-paths ${ospf.maximumPaths}`);
  if (ospf.maxLsa !== undefined) out.push(`max-lsa ${ospf.maxLsa}`);
  const t = ospf.spfThrottle;
  if (t.delayMs !== DEFAULT_SPF_THROTTLE.delayMs || t.initialHoldMs !== DEFAULT_SPF_THROTTLE.initialHoldMs || t.maxHoldMs !== DEFAULT_SPF_THROTTLE.maxHoldMs) {
    out.push(`timers throttle spf ${t.delayMs} ${t.initialHoldMs} ${t.maxHoldMs}`);
  }
  if (ospf.lsaIntervalMs !== undefined) out.push(`timers throttle lsa all ${ospf.lsaIntervalMs}`);
  if (ospf.lsaArrivalMs !== undefined) out.push(`timers lsa min-arrival ${ospf.lsaArrivalMs}`);
  if (ospf.gracefulRestart !== undefined) out.push(`graceful-restart grace-period ${ospf.gracefulRestart.gracePeriod}`);
  const gr = ospf.gracefulRestartHelper;
  if (!gr.enabled) out.push('no graceful-restart helper enable');
  for (const id of gr.neighbors) out.push(`graceful-restart helper enable ${formatIpv4(id)}`);
  if (!gr.strictLsaChecking) out.push('no graceful-restart helper strict-lsa-checking');
  if (gr.supportedGraceTime !== DefaultHelperConfig.supportedGraceTime) out.push(`graceful-restart helper supported-grace-time ${gr.supportedGraceTime}`);
  if (gr.plannedOnly) out.push('graceful-restart helper planned-only');
  const g = ospf.multipath.group;
  if (g.kind === 'hash-threshold') out.push('multipath group hash-threshold');
  else {
    const opts = [
      g.buckets === DEFAULT_RESILIENT.buckets ? '' : ` buckets ${g.buckets}`,
      g.idleTimer === DEFAULT_RESILIENT.idleTimer ? '' : ` idle-timer ${g.idleTimer}`,
      g.unbalancedTimer === DEFAULT_RESILIENT.unbalancedTimer ? '' : ` unbalanced-timer ${g.unbalancedTimer}`,
    ];
    // The resilient group with its default settings is the default: nothing to write.
    if (opts.join('') !== '') out.push(`multipath group resilient${opts.join('')}`);
  }
  if (ospf.multipath.hash !== 'layer3') out.push(`multipath hash ${ospf.multipath.hash}`);
  if (ospf.maxMetric.administrative) out.push('max-metric router-lsa administrative');
  if (ospf.maxMetric.onStartup !== undefined) out.push(`max-metric router-lsa on-startup ${ospf.maxMetric.onStartup}`);
  return out;
}

function formatAnycast(block: AnycastConfig): string[] {
  const out = block.checks.map((c) => `check ${formatCheck(c)}`);
  if (block.maintenanceFile !== undefined) out.push(`maintenance-file ${block.maintenanceFile}`);
  if (block.onFailure !== 'withdraw') out.push(`on-failure ${block.onFailure}`);
  const a = block.announceAs;
  if (a.kind === 'external') out.push(`announce-as external metric ${a.metric} metric-type ${a.metricType}`);
  if (block.minInterval !== DEFAULT_MIN_INTERVAL) out.push(`min-interval ${block.minInterval}`);
  if (block.manageAddress.enabled) out.push(block.manageAddress.removeOnWithdraw ? 'manage-address remove-on-withdraw' : 'manage-address');
  if (block.interface !== 'lo') out.push(`interface ${block.interface}`);
  if (block.proxyStopOnExit) out.push('proxy stop-on-exit');
  return out;
}

function formatCheck(check: HealthCheck): string {
  if (check.kind === 'process') return `process ${check.pidfile === undefined ? '' : `pidfile ${check.pidfile} `}-- ${check.argv.map(shellQuote).join(' ')}`;
  const timing = `interval ${check.interval} timeout ${check.timeout} rise ${check.rise} fall ${check.fall} fast-interval ${check.fastInterval}`;
  switch (check.kind) {
    case 'sip-options':
      return `sip-options ${formatIpv4(check.host)}:${check.port} transport ${check.transport} codes ${formatCodes(check.codes)} ${timing}`;
    case 'tcp':
      return `tcp ${formatIpv4(check.host)}:${check.port} ${timing}`;
    case 'http':
      return `http ${check.url} status ${formatCodes(check.codes)} ${timing}`;
    case 'exec':
      return `exec ${timing} -- ${check.argv.map(shellQuote).join(' ')}`;
  }
}

function formatCodes(codes: CodeRange[]): string {
  const one = (c: CodeRange): string => {
    if (c.min === c.max) return String(c.min);
    if (c.min % 100 === 0 && c.max === c.min + 99) return `${c.min / 100}xx`;
    return `${c.min}-${c.max}`;
  };
  return codes.map(one).join(',');
}

/** Quotes an argument so shellSplit() gives it back unchanged. */
function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_\-./=:,+@%]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
