// The sip-options check: send an OPTIONS request to the proxy over UDP or
// TCP and wait for a matching final response (RFC 3261 11, 17.1.2).

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect, type Socket as TcpSocket } from 'node:net';
import { SipParseError } from '../errors.js';
import { codeMatches, formatCodes } from '../options.js';
import {
  BRANCH_MAGIC_COOKIE,
  buildOptionsRequest,
  cseqOf,
  frameSipMessage,
  header,
  MAX_MESSAGE_BYTES,
  parseSipResponse,
  topViaBranch,
  type SipResponse,
} from '../sip/message.js';
import type { CheckOutcome, CheckRunner, CodeList, SipOptionsCheckOptions } from '../types.js';

/** RFC 3261 17.1.2.2 Timer E: first retransmission after T1 = 500 ms, doubling up to T2 = 4 s. */
const T1_MS = 500;
const T2_MS = 4000;

interface Transaction {
  branch: string;
  callId: string;
  cseq: number;
}

interface Exchange {
  tx: Transaction;
  codes: CodeList | undefined;
  provisional: number;
  malformed: number;
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function describe(msg: SipResponse): string {
  const server = header(msg, 'server') ?? header(msg, 'user-agent');
  const text = `${msg.status} ${msg.reasonPhrase}`.trim();
  return server === undefined ? text : `${text} (${server})`;
}

/**
 * Judge one received message against the transaction. Undefined means keep
 * waiting: not ours, malformed, or provisional (RFC 3261 17.1.2.2: 1xx does
 * not end a non-INVITE transaction).
 */
function judge(ex: Exchange, text: string): CheckOutcome | undefined {
  let msg: SipResponse;
  try {
    msg = parseSipResponse(text);
  } catch (err) {
    if (err instanceof SipParseError) {
      ex.malformed++;
      return undefined;
    }
    throw err;
  }
  // RFC 3261 17.1.3: the response matches on the top Via branch and the CSeq method.
  const cseq = cseqOf(msg);
  if (topViaBranch(msg) !== ex.tx.branch || header(msg, 'call-id') !== ex.tx.callId) return undefined;
  if (cseq === undefined || cseq.method !== 'OPTIONS' || cseq.seq !== ex.tx.cseq) return undefined;
  if (msg.status < 200) {
    ex.provisional++;
    return undefined;
  }
  const ok = ex.codes === undefined || ex.codes.length === 0 || codeMatches(ex.codes, msg.status);
  return ok
    ? { ok: true, reason: describe(msg) }
    : { ok: false, reason: `${describe(msg)}, expected ${formatCodes(ex.codes ?? [])}` };
}

/** What "aborted" says when the scheduler's deadline came first, with what we saw meanwhile. */
function abortedOutcome(ex: Exchange, sent: number): CheckOutcome {
  const seen: string[] = [`${sent} sent`];
  if (ex.provisional > 0) seen.push(`${ex.provisional} provisional`);
  if (ex.malformed > 0) seen.push(`${ex.malformed} malformed ignored`);
  return { ok: false, reason: `no final response (${seen.join(', ')})` };
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  return typeof code === 'string' ? `${code}: ${(err as Error).message}` : String(err);
}

function runUdp(opts: SipOptionsCheckOptions, tx: Transaction, ex: Exchange, signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const socket: UdpSocket = createSocket(isIPv6(opts.host) ? 'udp6' : 'udp4');
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (outcome: CheckOutcome): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      resolve(outcome);
    };
    const onAbort = (): void => finish(abortedOutcome(ex, sent));
    signal.addEventListener('abort', onAbort);
    socket.on('error', (err) => finish({ ok: false, reason: errorText(err) }));
    socket.on('message', (data) => {
      if (data.byteLength > MAX_MESSAGE_BYTES) {
        ex.malformed++;
        return;
      }
      const outcome = judge(ex, data.toString('utf8'));
      if (outcome !== undefined) finish(outcome);
    });
    // A connected socket learns the local address the kernel picked (for Via)
    // and only hears the proxy; an ICMP port unreachable comes back as ECONNREFUSED.
    socket.connect(opts.port, opts.host, () => {
      if (done) return;
      const local = socket.address();
      const request = Buffer.from(
        buildOptionsRequest({
          host: opts.host,
          port: opts.port,
          transport: 'udp',
          localHost: local.address,
          localPort: local.port,
          branchSuffix: tx.branch.slice(BRANCH_MAGIC_COOKIE.length),
          fromTag: randomToken(4),
          callId: tx.callId,
          cseq: tx.cseq,
          fromUser: opts.fromUser ?? 'ospf-anycast',
        }),
        'utf8',
      );
      // RFC 3261 17.1.2.2: retransmit on Timer E over unreliable transports.
      let interval = T1_MS;
      const transmit = (): void => {
        if (done) return;
        sent++;
        socket.send(request, (err) => {
          if (err) finish({ ok: false, reason: errorText(err) });
        });
        timer = setTimeout(transmit, interval);
        interval = Math.min(interval * 2, T2_MS);
      };
      transmit();
    });
  });
}

function runTcp(opts: SipOptionsCheckOptions, tx: Transaction, ex: Exchange, signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const socket: TcpSocket = connect({ host: opts.host, port: opts.port });
    let buffered: Buffer = Buffer.alloc(0);
    let sent = 0;
    let done = false;
    const finish = (outcome: CheckOutcome): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish(abortedOutcome(ex, sent));
    signal.addEventListener('abort', onAbort);
    socket.on('error', (err) => finish({ ok: false, reason: errorText(err) }));
    socket.on('close', () => finish({ ok: false, reason: `connection closed without a final response (${sent} sent)` }));
    socket.on('connect', () => {
      const request = buildOptionsRequest({
        host: opts.host,
        port: opts.port,
        transport: 'tcp',
        localHost: socket.localAddress ?? '127.0.0.1',
        localPort: socket.localPort ?? 0,
        branchSuffix: tx.branch.slice(BRANCH_MAGIC_COOKIE.length),
        fromTag: randomToken(4),
        callId: tx.callId,
        cseq: tx.cseq,
        fromUser: opts.fromUser ?? 'ospf-anycast',
      });
      sent++;
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        let framed;
        try {
          framed = frameSipMessage(buffered);
        } catch (err) {
          if (err instanceof SipParseError) {
            finish({ ok: false, reason: `unreadable stream: ${err.message}` });
            return;
          }
          throw err;
        }
        if (framed === undefined) return;
        buffered = buffered.subarray(framed.consumed);
        const outcome = judge(ex, framed.message);
        if (outcome !== undefined) {
          finish(outcome);
          return;
        }
      }
    });
  });
}

/** A runner for one sip-options check; CSeq numbers increase from run to run (RFC 3261 8.1.1.5). */
export function sipOptionsRunner(opts: SipOptionsCheckOptions): CheckRunner {
  let cseq = 0;
  return (signal) => {
    cseq = (cseq % 0x7fffffff) + 1;
    const tx: Transaction = {
      branch: `${BRANCH_MAGIC_COOKIE}${randomToken(8)}`,
      callId: `${randomToken(10)}@ospf-anycast`,
      cseq,
    };
    const ex: Exchange = { tx, codes: opts.codes, provisional: 0, malformed: 0 };
    return (opts.transport ?? 'udp') === 'tcp' ? runTcp(opts, tx, ex, signal) : runUdp(opts, tx, ex, signal);
  };
}
