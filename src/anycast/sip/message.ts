// SIP text for the health check: the OPTIONS request we send (RFC 3261 11)
// and just enough of a response parser to match it (status line, headers,
// Content-Length framing on stream transports). Pure functions over strings
// and bytes; malformed input throws SipParseError.

import { SipParseError } from '../errors.js';

/** RFC 3261 8.1.1.7: branch ids of RFC 3261 transactions start with this cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** Responses bigger than this are not health-check answers; refuse rather than buffer. */
export const MAX_MESSAGE_BYTES = 65_535;

export interface OptionsRequestParams {
  /** Request-URI host and port: sip:HOST:PORT. */
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** Our address and port as the peer should reply to (Via sent-by). */
  localHost: string;
  localPort: number;
  /** Everything after the magic cookie (random per request). */
  branchSuffix: string;
  fromTag: string;
  callId: string;
  cseq: number;
  fromUser: string;
}

/** IPv6 literals go in brackets inside SIP URIs and Via (RFC 3261 25.1 IPv6reference). */
function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The complete OPTIONS request, CRLF line ends, empty body. */
export function buildOptionsRequest(p: OptionsRequestParams): string {
  const target = `sip:${hostPart(p.host)}:${p.port}`;
  const local = `${hostPart(p.localHost)}:${p.localPort}`;
  const lines = [
    `OPTIONS ${target} SIP/2.0`, // RFC 3261 8.1.1.1: the Request-URI is the target
    // RFC 3261 8.1.1.7 and 18.1.1; RFC 3581 3: rport asks for the reply to our source port
    `Via: SIP/2.0/${p.transport.toUpperCase()} ${local};branch=${BRANCH_MAGIC_COOKIE}${p.branchSuffix};rport`,
    'Max-Forwards: 70', // RFC 3261 8.1.1.6
    `From: <sip:${p.fromUser}@${hostPart(p.localHost)}>;tag=${p.fromTag}`, // RFC 3261 8.1.1.3
    `To: <${target}>`, // RFC 3261 8.1.1.2
    `Call-ID: ${p.callId}`, // RFC 3261 8.1.1.4
    `CSeq: ${p.cseq} OPTIONS`, // RFC 3261 8.1.1.5
    `Contact: <sip:${p.fromUser}@${local};transport=${p.transport}>`, // RFC 3261 11.1: MAY
    'Accept: application/sdp', // RFC 3261 11.1: SHOULD
    'User-Agent: ospf-anycast',
    'Content-Length: 0', // RFC 3261 18.3: mandatory on stream transports
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** RFC 3261 7.3.3 compact header names. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
};

export interface SipResponse {
  status: number;
  reasonPhrase: string;
  /** Lower-case long header names → values in order (one entry per header line). */
  headers: Map<string, string[]>;
}

/** Parse the start line and headers of a SIP response (RFC 3261 7.2, 7.3). */
export function parseSipResponse(text: string): SipResponse {
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  // RFC 3261 7.3.1: a line starting with whitespace continues the previous header.
  const lines = head.split(/\r?\n/);
  const startLine = lines[0] ?? '';
  // RFC 3261 7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
  const match = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/.exec(startLine);
  if (match === null) throw new SipParseError('bad-status-line', JSON.stringify(startLine.slice(0, 80)));
  const headers = new Map<string, string[]>();
  let last: { name: string; index: number } | undefined;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      if (last === undefined) throw new SipParseError('continuation-without-header');
      const values = headers.get(last.name) as string[];
      values[last.index] = `${values[last.index]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError('bad-header-line', JSON.stringify(line.slice(0, 80)));
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return { status: Number(match[1]), reasonPhrase: match[2] ?? '', headers };
}

/** Split a header value on commas outside quotes and angle brackets (RFC 3261 7.3.1). */
function splitCommas(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && ch === ',') {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** The first value of a header, or undefined. */
export function header(msg: SipResponse, name: string): string | undefined {
  return msg.headers.get(name)?.[0];
}

/** The branch parameter of the topmost Via (RFC 3261 17.1.3 matches responses on it). */
export function topViaBranch(msg: SipResponse): string | undefined {
  const first = msg.headers.get('via')?.[0];
  if (first === undefined) return undefined;
  const top = splitCommas(first)[0] ?? '';
  const param = top
    .split(';')
    .slice(1)
    .map((p) => p.trim())
    .find((p) => p.toLowerCase().startsWith('branch='));
  return param?.slice('branch='.length);
}

/** CSeq as number and method (RFC 3261 20.16). */
export function cseqOf(msg: SipResponse): { seq: number; method: string } | undefined {
  const value = header(msg, 'cseq');
  const match = value === undefined ? null : /^(\d{1,10})\s+([A-Za-z]+)$/.exec(value);
  return match === null ? undefined : { seq: Number(match[1]), method: (match[2] as string).toUpperCase() };
}

/** Parse Content-Length; absent counts as 0 (RFC 3261 20.14). */
export function contentLengthOf(head: string): number {
  const match = /(?:^|\r?\n)(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*(?=\r?\n|$)/i.exec(head);
  return match === null ? 0 : Number(match[1]);
}

export interface Framed {
  message: string;
  consumed: number;
}

/**
 * Take one complete message off the front of a stream buffer (RFC 3261 18.3:
 * Content-Length frames messages on TCP). Undefined when more bytes are needed.
 */
export function frameSipMessage(buffer: Uint8Array): Framed | undefined {
  const text = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString('latin1');
  // RFC 3261 7.5: keep-alive CRLFs between messages are ignored.
  let start = 0;
  while (text.startsWith('\r\n', start)) start += 2;
  const end = text.indexOf('\r\n\r\n', start);
  if (end < 0) {
    if (buffer.byteLength > MAX_MESSAGE_BYTES) throw new SipParseError('message-too-large', `${buffer.byteLength} bytes without end of headers`);
    return undefined;
  }
  const bodyStart = end + 4;
  const length = contentLengthOf(text.slice(start, end));
  if (bodyStart + length > MAX_MESSAGE_BYTES) throw new SipParseError('message-too-large', `Content-Length ${length}`);
  if (buffer.byteLength < bodyStart + length) return undefined;
  const bytes = buffer.subarray(start, bodyStart + length);
  return { message: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), consumed: bodyStart + length };
}
