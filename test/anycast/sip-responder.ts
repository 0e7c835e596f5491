// A small SIP responder for the tests: answers OPTIONS on 127.0.0.1 over UDP
// and TCP (ephemeral ports), with a switchable behaviour, and keeps every
// request it received, parsed by its own independent parser.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';

export interface ParsedRequest {
  method: string;
  uri: string;
  version: string;
  /** Lower-case header name → values, in order. */
  headers: Map<string, string[]>;
  raw: string;
}

/** Parse a SIP request the way a strict proxy would (RFC 3261 7.1, 7.3); throws on anything odd. */
export function parseSipRequest(raw: string): ParsedRequest {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('no CRLFCRLF after the headers');
  const lines = raw.slice(0, end).split('\r\n');
  const start = /^([A-Z]+) (\S+) (SIP\/2\.0)$/.exec(lines[0] ?? '');
  if (start === null) throw new Error(`bad request line ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const m = /^([A-Za-z-]+): (.*)$/.exec(line);
    if (m === null) throw new Error(`bad header line ${JSON.stringify(line)}`);
    const name = (m[1] as string).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), m[2] as string]);
  }
  return { method: start[1] as string, uri: start[2] as string, version: start[3] as string, headers, raw };
}

export type Behaviour = { kind: 'answer'; status: number; reason: string } | { kind: 'hung' } | { kind: 'provisional-then'; status: number; reason: string };

function responseFor(req: ParsedRequest, status: number, reason: string, source: { address: string; port: number }): string {
  const h = (name: string): string => req.headers.get(name)?.[0] ?? '';
  // RFC 3261 18.2.1 and RFC 3581 4: received and rport on the top Via.
  const via = h('via').replace(/;rport(?=;|$)/, `;rport=${source.port}`) + `;received=${source.address}`;
  return [
    `SIP/2.0 ${status} ${reason}`,
    `Via: ${via}`,
    `From: ${h('from')}`,
    `To: ${h('to')};tag=resp${status}`,
    `Call-ID: ${h('call-id')}`,
    `CSeq: ${h('cseq')}`,
    'Server: test-responder/1.0',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

export interface SipResponder {
  udpPort: number;
  tcpPort: number;
  requests: ParsedRequest[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

export async function startSipResponder(behaviour: Behaviour = { kind: 'answer', status: 200, reason: 'OK' }): Promise<SipResponder> {
  const requests: ParsedRequest[] = [];
  const state: { behaviour: Behaviour } = { behaviour };
  const answer = (raw: string, source: { address: string; port: number }, send: (text: string) => void): void => {
    const req = parseSipRequest(raw);
    requests.push(req);
    const b = state.behaviour;
    if (b.kind === 'hung') return;
    if (b.kind === 'provisional-then') send(responseFor(req, 100, 'Trying', source));
    send(responseFor(req, b.status, b.reason, source));
  };

  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    answer(msg.toString('utf8'), rinfo, (text) => udp.send(text, rinfo.port, rinfo.address));
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));

  const conns = new Set<TcpSocket>();
  const tcp: Server = createServer((conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    conn.on('error', () => conn.destroy());
    let buffered = '';
    conn.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      // Requests from the check carry Content-Length: 0, so the headers end the message.
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const raw = buffered.slice(0, end + 4);
        buffered = buffered.slice(end + 4);
        answer(raw, { address: conn.remoteAddress ?? '', port: conn.remotePort ?? 0 }, (text) => conn.write(text));
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));

  return {
    udpPort: udp.address().port,
    tcpPort: (tcp.address() as { port: number }).port,
    requests,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: Behaviour) {
      state.behaviour = b;
    },
    close: async () => {
      udp.close();
      for (const conn of conns) conn.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/**
 * A minimal SIP proxy as a child: answers OPTIONS with 200 on 127.0.0.1:PORT
 * (argv[1]), after PROXY_BIND_DELAY_MS (environment, default 0) like a proxy
 * that takes a while to load its configuration.
 */
export const PROXY_CODE = `
const dgram = require('node:dgram');
const port = Number(process.argv[1]);
const sock = dgram.createSocket('udp4');
sock.on('message', (msg, from) => {
  const text = msg.toString();
  const h = (name) => (new RegExp('^' + name + ': (.*)$', 'mi').exec(text) || [])[1] || '';
  const reply = ['SIP/2.0 200 OK', 'Via: ' + h('Via'), 'From: ' + h('From'), 'To: ' + h('To') + ';tag=child',
    'Call-ID: ' + h('Call-ID'), 'CSeq: ' + h('CSeq'), 'Server: child-proxy', 'Content-Length: 0', '', ''].join('\\r\\n');
  sock.send(reply, from.port, from.address);
});
setTimeout(() => sock.bind(port, '127.0.0.1', () => console.log('listening on ' + port)), Number(process.env.PROXY_BIND_DELAY_MS || 0));
process.on('SIGTERM', () => { console.log('terminating'); sock.close(); process.exit(0); });
`;

/** A UDP port on 127.0.0.1 that is free now. */
export async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const port = sock.address().port;
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

