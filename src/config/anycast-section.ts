// Statements inside `anycast PREFIX`: the health checks that decide whether
// this node advertises the anycast prefix, and how it is advertised. This is
// ospf-anycast's own block (no FRR equivalent); reference.md documents it.

import { formatIpv4 } from '../lib/ipv4.js';
import type { Cursor } from './cursor.js';
import type { Word } from './lexer.js';
import { shellSplit } from './lexer.js';
import { DEFAULT_CHECK_TIMING, DEFAULT_EXTERNAL_METRIC, type AnycastConfig, type HealthCheckTiming, type CodeRange, type HealthCheck } from './types.js';

const ANYCAST_WORDS = ['check', 'maintenance-file', 'on-failure', 'announce-as', 'min-interval', 'manage-address', 'interface', 'proxy'];
const CHECK_KINDS = ['sip-options', 'tcp', 'http', 'exec', 'process'] as const;
const TIMING_WORDS = ['interval', 'timeout', 'rise', 'fall', 'fast-interval'];
const MAX_MS = 3_600_000;

export function parseAnycastLine(cur: Cursor, block: AnycastConfig): void {
  const first = cur.next() as Word;
  switch (first.text) {
    case 'check': {
      const check = parseCheck(cur);
      // The announcer tells checks apart by what they probe, and supervises one process per prefix.
      if (check.kind === 'process' && block.checks.some((c) => c.kind === 'process')) {
        cur.fail(first, 'only one "check process" per anycast block: the daemon supervises one process per prefix');
      }
      if (block.checks.some((c) => checkIdentity(c) === checkIdentity(check))) {
        cur.fail(first, `the same check twice in one anycast block ("${checkIdentity(check)}")`);
      }
      block.checks.push(check);
      return;
    }
    case 'maintenance-file':
      block.maintenanceFile = cur.rest('maintenance file path');
      return;
    case 'on-failure':
      block.onFailure = cur.keyword(['withdraw', 'max-cost'], 'on-failure action');
      break;
    case 'announce-as': {
      const kind = cur.keyword(['stub', 'external'], 'announce-as type');
      if (kind === 'stub') {
        block.announceAs = { kind };
        break;
      }
      const external = { kind, metric: DEFAULT_EXTERNAL_METRIC, metricType: 2 as 1 | 2 };
      const seen = new Set<string>();
      while (!cur.atEnd()) {
        const opt = cur.next() as Word;
        if (seen.has(opt.text)) cur.fail(opt, `"${opt.text}" given twice`);
        seen.add(opt.text);
        if (opt.text === 'metric') external.metric = cur.int('metric', 0, 16777214);
        else if (opt.text === 'metric-type') external.metricType = cur.int('metric-type', 1, 2) as 1 | 2;
        else cur.fail(opt, `"${opt.text}" is not valid here: expected metric or metric-type`);
      }
      block.announceAs = external;
      break;
    }
    case 'min-interval':
      block.minInterval = cur.int('min-interval (ms)', 0, MAX_MS);
      break;
    case 'manage-address':
      block.manageAddress = { enabled: true, removeOnWithdraw: false };
      if (!cur.atEnd()) {
        cur.keyword(['remove-on-withdraw'], 'manage-address option');
        block.manageAddress.removeOnWithdraw = true;
      }
      break;
    case 'interface':
      block.interface = cur.ifName();
      break;
    case 'proxy':
      // The only proxy setting so far; a word of its own leaves room for others.
      cur.keyword(['stop-on-exit'], 'proxy setting');
      block.proxyStopOnExit = true;
      break;
    default:
      cur.pos--;
      cur.unknown(ANYCAST_WORDS);
  }
  cur.end();
}

function parseCheck(cur: Cursor): HealthCheck {
  const kind = cur.keyword(CHECK_KINDS, 'check type');
  switch (kind) {
    case 'sip-options': {
      const { host, port } = hostPort(cur);
      const opts = parseOptions(cur, ['transport', 'codes', ...TIMING_WORDS], {
        transport: (c) => c.keyword(['udp', 'tcp'], 'transport'),
        codes: (c) => codeList(c, 'codes', 200, 699),
      });
      return {
        kind,
        host,
        port,
        transport: (opts.values.transport as 'udp' | 'tcp' | undefined) ?? 'udp',
        // Any final response proves the SIP stack is answering (RFC 3261 7.2: 2xx-6xx are final).
        codes: (opts.values.codes as CodeRange[] | undefined) ?? [{ min: 200, max: 699 }],
        ...opts.timing,
      };
    }
    case 'tcp': {
      const { host, port } = hostPort(cur);
      const opts = parseOptions(cur, TIMING_WORDS, {});
      return { kind, host, port, ...opts.timing };
    }
    case 'http': {
      const word = cur.need('URL (http://HOST[:PORT]/PATH)');
      let url: URL;
      try {
        url = new URL(word.text);
      } catch {
        cur.fail(word, `"${word.text}" is not a valid URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') cur.fail(word, `"${word.text}" is not an http or https URL`);
      const opts = parseOptions(cur, ['status', ...TIMING_WORDS], {
        status: (c) => codeList(c, 'status', 100, 599),
      });
      return { kind, url: word.text, codes: (opts.values.status as CodeRange[] | undefined) ?? [{ min: 200, max: 299 }], ...opts.timing };
    }
    case 'exec': {
      // Either the whole rest of the line is the command, or options come first and `--` starts the command.
      let timing = { ...DEFAULT_CHECK_TIMING };
      const next = cur.peek();
      if (next === '--' || (next !== undefined && TIMING_WORDS.includes(next))) timing = parseOptions(cur, TIMING_WORDS, {}, true).timing;
      return { kind, argv: command(cur), ...timing };
    }
    case 'process': {
      // A supervised child has no probe timing. `pidfile PATH` (the proxy's own, to adopt
      // one the daemon has no record of) must be followed by `--`; `--` may precede a command.
      let pidfile: string | undefined;
      if (cur.peek() === 'pidfile') {
        cur.next();
        const path = cur.need('pidfile path');
        if (!path.text.startsWith('/')) cur.fail(path, `the pidfile must be an absolute path, not "${path.text}"`);
        pidfile = path.text;
        const dashes = cur.need('"--" and the command');
        if (dashes.text !== '--') cur.fail(dashes, `expected "--" before the command, not "${dashes.text}"`);
      } else if (cur.peek() === '--') cur.next();
      return pidfile === undefined ? { kind, argv: command(cur) } : { kind, argv: command(cur), pidfile };
    }
  }
}

/** The rest of the line, split like a shell. */
function command(cur: Cursor): string[] {
  const start = cur.need('command');
  const split = shellSplit(cur.line.raw, start.column - 1);
  if (!split.ok) cur.fail({ text: cur.line.raw.slice(split.column - 1).trimEnd(), column: split.column }, split.message);
  if (split.argv[0] === '') cur.fail(start, 'empty command');
  cur.pos = cur.line.words.length;
  return split.argv;
}

/** What a check probes, as the announcer names it: two checks with the same identity are one check given twice. */
function checkIdentity(check: HealthCheck): string {
  switch (check.kind) {
    case 'sip-options':
      return `sip-options ${check.transport}:${formatIpv4(check.host)}:${check.port}`;
    case 'tcp':
      return `tcp ${formatIpv4(check.host)}:${check.port}`;
    case 'http':
      return `http ${check.url}`;
    case 'exec':
    case 'process':
      return `${check.kind} ${check.argv.join(' ')}`;
  }
}

/** HOST:PORT with an IPv4 host. */
function hostPort(cur: Cursor): { host: number; port: number } {
  const word = cur.need('HOST:PORT');
  const colon = word.text.lastIndexOf(':');
  if (colon < 0) cur.fail(word, `"${word.text}" is not HOST:PORT`);
  const host = cur.ipv4Of({ text: word.text.slice(0, colon), column: word.column }, 'IPv4 host in HOST:PORT');
  const port = cur.intOf({ text: word.text.slice(colon + 1), column: word.column + colon + 1 }, 'port', 1, 65535);
  return { host, port };
}

type OptionParser = (cur: Cursor) => unknown;

/**
 * Keyword options in any order, each at most once, until the end of the line
 * (or `--` when untilDashes). interval/timeout/rise/fall fill the timing.
 */
function parseOptions(
  cur: Cursor,
  allowed: string[],
  parsers: Record<string, OptionParser>,
  untilDashes = false,
): { values: Record<string, unknown>; timing: HealthCheckTiming } {
  const values: Record<string, unknown> = {};
  const timing = { ...DEFAULT_CHECK_TIMING };
  let timeoutWord: Word | undefined;
  let fastWord: Word | undefined;
  const seen = new Set<string>();
  for (;;) {
    if (cur.atEnd()) {
      if (untilDashes) cur.need('"--" and the command');
      break;
    }
    const opt = cur.next() as Word;
    if (untilDashes && opt.text === '--') break;
    if (!allowed.includes(opt.text)) {
      cur.fail(opt, `"${opt.text}" is not valid here: expected ${allowed.join(', ')}${untilDashes ? ' or --' : ''}`);
    }
    if (seen.has(opt.text)) cur.fail(opt, `"${opt.text}" given twice`);
    seen.add(opt.text);
    switch (opt.text) {
      case 'interval':
        timing.interval = cur.int('interval (ms)', 10, MAX_MS);
        break;
      case 'timeout':
        timeoutWord = cur.line.words[cur.pos];
        timing.timeout = cur.int('timeout (ms)', 10, MAX_MS);
        break;
      case 'rise':
        timing.rise = cur.int('rise', 1, 100);
        break;
      case 'fall':
        timing.fall = cur.int('fall', 1, 100);
        break;
      case 'fast-interval':
        fastWord = cur.line.words[cur.pos];
        timing.fastInterval = cur.int('fast-interval (ms)', 0, MAX_MS);
        break;
      default:
        values[opt.text] = (parsers[opt.text] as OptionParser)(cur);
    }
  }
  // A probe must end before the next one starts; the default timeout shrinks to a shorter interval.
  if (!seen.has('timeout')) timing.timeout = Math.min(timing.timeout, timing.interval);
  if (timing.timeout > timing.interval) {
    cur.fail(timeoutWord, `timeout ${timing.timeout} ms is longer than the interval ${timing.interval} ms`);
  }
  if (timing.fastInterval > timing.interval) {
    cur.fail(fastWord, `fast-interval ${timing.fastInterval} ms is longer than the interval ${timing.interval} ms`);
  }
  return { values, timing };
}

/** "200,404", "2xx", "200-299,404": response codes within [min, max], sorted and merged. */
function codeList(cur: Cursor, what: string, min: number, max: number): CodeRange[] {
  const word = cur.need(`${what} list (like 200,404 or 2xx)`);
  const ranges: CodeRange[] = [];
  for (const item of word.text.split(',')) {
    let range: CodeRange | undefined;
    let m: RegExpExecArray | null;
    if ((m = /^([1-6])xx$/i.exec(item)) !== null) range = { min: Number(m[1]) * 100, max: Number(m[1]) * 100 + 99 };
    else if ((m = /^(\d{3})-(\d{3})$/.exec(item)) !== null) range = { min: Number(m[1]), max: Number(m[2]) };
    else if (/^\d{3}$/.test(item)) range = { min: Number(item), max: Number(item) };
    if (range === undefined || range.min > range.max) cur.fail(word, `"${item}" is not a response code, NNN-NNN range or Nxx class`);
    if (range.min < min || range.max > max) cur.fail(word, `"${item}" is outside the ${what} range ${min}-${max}`);
    ranges.push(range);
  }
  ranges.sort((a, b) => a.min - b.min);
  const merged: CodeRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r.min <= last.max + 1) last.max = Math.max(last.max, r.max);
    else merged.push({ ...r });
  }
  return merged;
}
