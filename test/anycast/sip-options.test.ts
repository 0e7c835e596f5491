// The sip-options check against a SIP responder on 127.0.0.1: the request is
// valid RFC 3261, answers count as the configuration says, silence fails.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Announcer } from '../../src/anycast/announcer.js';
import { sipOptionsRunner } from '../../src/anycast/checks/sip-options.js';
import { SipParseError } from '../../src/anycast/errors.js';
import { buildOptionsRequest, cseqOf, frameSipMessage, parseSipResponse, topViaBranch } from '../../src/anycast/sip/message.js';
import type { Advertisement, SipOptionsCheckOptions } from '../../src/anycast/types.js';
import { parsePrefix } from '../../src/lib/ipv4.js';
import { createPrng } from '../../src/lib/prng.js';
import { parseSipRequest, startSipResponder, type SipResponder } from './sip-responder.js';
import { nextEvent } from './wait.js';
import { seeds } from '../helpers/seeds.js';

function run(opts: SipOptionsCheckOptions, timeoutMs = 1000) {
  const runner = sipOptionsRunner(opts);
  return (): Promise<{ ok: boolean; reason: string }> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    return runner(controller.signal).finally(() => clearTimeout(timer));
  };
}

describe('SIP message codec', () => {
  it('builds an OPTIONS request a strict parser accepts (RFC 3261 8.1.1, 11)', () => {
    const text = buildOptionsRequest({
      host: '127.0.0.1',
      port: 5060,
      transport: 'udp',
      localHost: '127.0.0.1',
      localPort: 40000,
      branchSuffix: 'abc123',
      fromTag: 'f00d',
      callId: 'cid@ospf-anycast',
      cseq: 7,
      fromUser: 'ospf-anycast',
    });
    const req = parseSipRequest(text);
    expect(req.method).toBe('OPTIONS');
    expect(req.uri).toBe('sip:127.0.0.1:5060');
    expect(req.headers.get('via')).toEqual(['SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKabc123;rport']);
    expect(req.headers.get('cseq')).toEqual(['7 OPTIONS']);
    expect(req.headers.get('content-length')).toEqual(['0']);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('parses compact headers, folded lines and the top Via of a list (RFC 3261 7.3)', () => {
    const msg = parseSipResponse(
      'SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop;rport=5060,\r\n SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKlow\r\n' +
        'i: abc@host\r\nCSeq:   42\r\n  OPTIONS\r\nl: 0\r\n\r\n',
    );
    expect(msg.status).toBe(200);
    expect(topViaBranch(msg)).toBe('z9hG4bKtop');
    expect(msg.headers.get('call-id')).toEqual(['abc@host']);
    expect(cseqOf(msg)).toEqual({ seq: 42, method: 'OPTIONS' });
  });

  it('rejects malformed responses with SipParseError, never a crash', () => {
    for (const bad of ['', 'HTTP/1.1 200 OK\r\n\r\n', 'SIP/2.0 2000 OK\r\n\r\n', 'SIP/2.0 200 OK\r\nno colon here\r\n\r\n', 'SIP/2.0 200 OK\r\n folded first\r\n\r\n']) {
      expect(() => parseSipResponse(bad), JSON.stringify(bad)).toThrow(SipParseError);
    }
  });

  it.each(seeds([5060], 1))('fuzz: mutated responses either parse or throw SipParseError, nothing else (seed %i)', (seed) => {
    const prng = createPrng(seed);
    const valid =
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKabc;rport=40000\r\nFrom: <sip:a@b>;tag=1\r\n' +
      'To: <sip:c@d>;tag=2\r\nCall-ID: x@y\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    const alphabet = ['\r', '\n', ' ', '\t', ':', ',', ';', '"', '<', '>', '=', '0', '9', 'a', 'Z', '\u00ff', '\u0000'];
    for (let round = 0; round < 3000; round++) {
      const chars = [...valid];
      for (let edits = prng.int(1, 8); edits > 0; edits--) {
        const at = prng.int(0, chars.length - 1);
        const op = prng.int(0, 2);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, prng.pick(alphabet));
        else chars[at] = prng.pick(alphabet);
      }
      const text = chars.join('');
      const context = `seed ${seed}, round ${round}: ${JSON.stringify(text)}`;
      for (const attempt of [() => parseSipResponse(text), () => frameSipMessage(Buffer.from(text, 'latin1'))]) {
        try {
          const msg = attempt();
          if (msg !== undefined && 'status' in msg) {
            topViaBranch(msg);
            cseqOf(msg);
          }
        } catch (err) {
          expect(err, context).toBeInstanceOf(SipParseError);
        }
      }
    }
  });

  it('frames stream messages by Content-Length and refuses oversized ones (RFC 3261 18.3)', () => {
    const one = 'SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody';
    const bytes = Buffer.from(`\r\n${one}SIP/2.0 100 Trying\r\n`);
    const framed = frameSipMessage(bytes);
    expect(framed?.message).toBe(one);
    expect(framed?.consumed).toBe(2 + one.length);
    expect(frameSipMessage(bytes.subarray(framed!.consumed))).toBeUndefined();
    expect(frameSipMessage(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbo'))).toBeUndefined();
    expect(() => frameSipMessage(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 999999\r\n\r\n'))).toThrow(SipParseError);
  });
});

describe('sip-options check', () => {
  let responder: SipResponder | undefined;
  afterEach(async () => {
    await responder?.close();
    responder = undefined;
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport}: sends a valid RFC 3261 OPTIONS and succeeds on 200`, async () => {
      responder = await startSipResponder();
      const port = transport === 'udp' ? responder.udpPort : responder.tcpPort;
      const check = run({ kind: 'sip-options', host: '127.0.0.1', port, transport });
      const first = await check();
      expect(first).toEqual({ ok: true, reason: '200 OK (test-responder/1.0)' });
      expect(await check()).toMatchObject({ ok: true });
      expect(responder.requests).toHaveLength(2);
      const [a, b] = responder.requests as [ReturnType<typeof parseSipRequest>, ReturnType<typeof parseSipRequest>];
      // RFC 3261 8.1.1: the mandatory headers, and how they must look.
      expect(a.method).toBe('OPTIONS');
      expect(a.uri).toBe(`sip:127.0.0.1:${port}`);
      const via = a.headers.get('via')?.[0] ?? '';
      expect(via).toMatch(new RegExp(`^SIP/2\\.0/${transport.toUpperCase()} 127\\.0\\.0\\.1:\\d+;branch=z9hG4bK[0-9a-f]{16};rport$`));
      expect(a.headers.get('max-forwards')).toEqual(['70']);
      expect(a.headers.get('from')?.[0]).toMatch(/^<sip:ospf-anycast@127\.0\.0\.1>;tag=[0-9a-f]+$/);
      expect(a.headers.get('to')).toEqual([`<sip:127.0.0.1:${port}>`]);
      expect(a.headers.get('call-id')?.[0]).toMatch(/^[0-9a-f]{20}@ospf-anycast$/);
      expect(a.headers.get('cseq')).toEqual(['1 OPTIONS']);
      expect(a.headers.get('content-length')).toEqual(['0']);
      // Each run is a new transaction with the next CSeq.
      expect(b.headers.get('cseq')).toEqual(['2 OPTIONS']);
      expect(b.headers.get('call-id')).not.toEqual(a.headers.get('call-id'));
      expect(b.headers.get('via')).not.toEqual(a.headers.get('via'));
    });

    it(`${transport}: 503 fails when only 200 is accepted, and counts as alive by default`, async () => {
      responder = await startSipResponder({ kind: 'answer', status: 503, reason: 'Service Unavailable' });
      const port = transport === 'udp' ? responder.udpPort : responder.tcpPort;
      expect(await run({ kind: 'sip-options', host: '127.0.0.1', port, transport, codes: ['200'] })()).toEqual({
        ok: false,
        reason: '503 Service Unavailable (test-responder/1.0), expected 200',
      });
      expect(await run({ kind: 'sip-options', host: '127.0.0.1', port, transport, codes: ['2xx', '5xx'] })()).toMatchObject({ ok: true });
      expect(await run({ kind: 'sip-options', host: '127.0.0.1', port, transport })()).toMatchObject({ ok: true });
    });

    it(`${transport}: ignores a provisional 100 Trying and takes the final response (RFC 3261 17.1.2.2)`, async () => {
      responder = await startSipResponder({ kind: 'provisional-then', status: 200, reason: 'OK' });
      const port = transport === 'udp' ? responder.udpPort : responder.tcpPort;
      expect(await run({ kind: 'sip-options', host: '127.0.0.1', port, transport })()).toMatchObject({ ok: true, reason: '200 OK (test-responder/1.0)' });
    });

    it(`${transport}: a hung proxy gives no final response until the abort`, async () => {
      responder = await startSipResponder({ kind: 'hung' });
      const port = transport === 'udp' ? responder.udpPort : responder.tcpPort;
      const started = performance.now();
      const result = await run({ kind: 'sip-options', host: '127.0.0.1', port, transport }, 300)();
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(result).toEqual({ ok: false, reason: 'no final response (1 sent)' });
    });
  }

  it('udp: retransmits on Timer E (500 ms, RFC 3261 17.1.2.2) while waiting', async () => {
    responder = await startSipResponder({ kind: 'hung' });
    const result = await run({ kind: 'sip-options', host: '127.0.0.1', port: responder.udpPort }, 2000)();
    // Sent at 0, 500 and 1500 ms (the next would be at 3500): the same transaction each time.
    expect(result).toEqual({ ok: false, reason: 'no final response (3 sent)' });
    expect(new Set(responder.requests.map((r) => r.raw)).size).toBe(1);
  });

  it('udp: ignores responses that do not match the transaction, and malformed datagrams', async () => {
    // A responder that answers with the wrong branch, then garbage, then the right answer.
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    sock.on('message', (msg, rinfo) => {
      const req = parseSipRequest(msg.toString());
      const h = (n: string): string => req.headers.get(n)?.[0] ?? '';
      const reply = (via: string): string =>
        `SIP/2.0 200 OK\r\nVia: ${via}\r\nFrom: ${h('from')}\r\nTo: ${h('to')}\r\nCall-ID: ${h('call-id')}\r\nCSeq: ${h('cseq')}\r\nContent-Length: 0\r\n\r\n`;
      sock.send(reply(h('via').replace(/branch=[^;]+/, 'branch=z9hG4bKother')), rinfo.port, rinfo.address);
      sock.send('this is not SIP\r\n\r\n', rinfo.port, rinfo.address);
      setTimeout(() => sock.send(reply(h('via')), rinfo.port, rinfo.address), 20);
    });
    try {
      const result = await run({ kind: 'sip-options', host: '127.0.0.1', port: sock.address().port })();
      expect(result).toEqual({ ok: true, reason: '200 OK' });
    } finally {
      sock.close();
    }
  });

  it('udp: a closed port fails fast through ICMP port unreachable', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const port = sock.address().port;
    sock.close();
    const started = performance.now();
    const result = await run({ kind: 'sip-options', host: '127.0.0.1', port })();
    expect(result).toEqual({ ok: false, reason: 'connection refused' });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('tcp: a refused connection and a connection closed without an answer both fail with a reason', async () => {
    // Reads the request (so the close completes) and hangs up without answering.
    const server = createServer((conn) => {
      conn.resume();
      conn.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await run({ kind: 'sip-options', host: '127.0.0.1', port, transport: 'tcp' })()).toEqual({
        ok: false,
        reason: 'connection closed without a final response (1 sent)',
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await run({ kind: 'sip-options', host: '127.0.0.1', port, transport: 'tcp' })()).toEqual({ ok: false, reason: 'connection refused' });
  });

  it('announcer: a proxy that stops answering is withdrawn after fall × interval', async () => {
    responder = await startSipResponder();
    const ads: Advertisement[] = [];
    const intervalMs = 100;
    const announcer = new Announcer({
      prefixes: [
        {
          prefix: parsePrefix('10.206.206.1/32'),
          minIntervalMs: 0,
          checks: [{ kind: 'sip-options', host: '127.0.0.1', port: responder.udpPort, intervalMs, timeoutMs: 80, rise: 2, fall: 3 }],
        },
      ],
      advertise: (ad) => ads.push(ad),
    });
    try {
      const announced = nextEvent(announcer, 'advertise', (a) => a.mode === 'announce', 2000);
      await announcer.start();
      await announced;
      const hungAt = performance.now();
      responder.behaviour = { kind: 'hung' };
      const withdrawn = await nextEvent(announcer, 'advertise', (a) => a.mode === 'withdraw', 2000);
      const elapsed = performance.now() - hungAt;
      console.log(`sip-options: hung proxy withdrawn after ${elapsed.toFixed(0)} ms (fall 3 × interval ${intervalMs} ms, timeout 80 ms)`);
      // The third failed run ends 80 ms after it starts; the first may start up to one interval after the hang.
      expect(elapsed).toBeGreaterThanOrEqual(2 * intervalMs + 80 - 15);
      // Generous above: timers run late on a loaded machine, never early.
      expect(elapsed).toBeLessThan(3 * intervalMs + 80 + 1000);
      expect(withdrawn.prefix).toEqual(parsePrefix('10.206.206.1/32'));
      const [status] = announcer.status();
      expect(status?.state).toBe('withdrawn-by-health');
      expect(status?.reason).toMatch(/^sip-options udp:127\.0\.0\.1:\d+: timeout after 80 ms: no final response \(1 sent\)$/);
      expect(status?.checks[0]?.last).toMatchObject({ ok: false });
      expect(ads.map((a) => a.mode)).toEqual(['withdraw', 'announce', 'withdraw']);
    } finally {
      await announcer.stop();
    }
  });
});
