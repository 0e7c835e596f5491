// The lab's SIP client: sends OPTIONS to the anycast address and reports
// which node answered (its Server header). Each flow is a socket of its
// own (its own source port), so with layer-4 ECMP hashing different flows
// can land on different nodes; --same-socket sends every request from one
// socket, as one SIP flow, and --source-port binds that socket to a fixed
// port, so that separate runs send the very same 5-tuple.
//
//   node dist/src/lab/sip-probe.js --target 10.206.206.1:5060 --count 12 [--same-socket [--source-port 40000]]
//   → one JSON line: {"answers":[{"port":40001,"server":"node1"},…],"lost":0}

import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { buildOptionsRequest, parseSipResponse } from '../anycast/sip/message.js';

export interface ProbeAnswer {
  port: number;
  server: string | null;
}

async function probe(socket: Socket, host: string, port: number, timeoutMs: number): Promise<string | null> {
  const local = socket.address();
  const callId = randomBytes(8).toString('hex');
  const request = buildOptionsRequest({
    host,
    port,
    transport: 'udp',
    localHost: local.address === '0.0.0.0' ? '127.0.0.1' : local.address,
    localPort: local.port,
    branchSuffix: randomBytes(6).toString('hex'),
    fromTag: randomBytes(4).toString('hex'),
    callId,
    cseq: 1,
    fromUser: 'lab-client',
  });
  return new Promise((resolve) => {
    // RFC 3261 17.1.2.2: over UDP the request goes again after T1 (500 ms), then 2·T1.
    const retransmits = [setTimeout(() => socket.send(request, port, host), 500), setTimeout(() => socket.send(request, port, host), 1500)];
    const finish = (server: string | null): void => {
      clearTimeout(timer);
      for (const t of retransmits) clearTimeout(t);
      socket.off('message', onMessage);
      resolve(server);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    const onMessage = (message: Buffer): void => {
      const response = parseSipResponse(message.toString('utf8'));
      if (response.headers.get('call-id')?.[0] !== callId) return;
      finish(response.headers.get('server')?.[0] ?? '');
    };
    socket.on('message', onMessage);
    socket.send(request, port, host);
  });
}

function open(port = 0): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, () => resolve(socket));
  });
}

async function main(argv: string[]): Promise<void> {
  let target = '10.206.206.1:5060';
  let count = 12;
  let sameSocket = false;
  let sourcePort = 0;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target') target = argv[++i] ?? target;
    else if (argv[i] === '--count') count = Number(argv[++i]);
    else if (argv[i] === '--same-socket') sameSocket = true;
    else if (argv[i] === '--source-port') sourcePort = Number(argv[++i]);
    else throw new Error(`unknown argument "${argv[i]}"`);
  }
  if (!Number.isInteger(count) || count < 1) throw new Error('--count takes a positive integer');
  if (!Number.isInteger(sourcePort) || sourcePort < 0 || sourcePort > 65535) throw new Error('--source-port takes a port, 1-65535');
  if (sourcePort !== 0 && !sameSocket) throw new Error('--source-port needs --same-socket');
  const colon = target.lastIndexOf(':');
  const host = target.slice(0, colon);
  const port = Number(target.slice(colon + 1));
  const answers: ProbeAnswer[] = [];
  const shared = sameSocket ? await open(sourcePort) : undefined;
  for (let i = 0; i < count; i++) {
    const socket = shared ?? (await open());
    answers.push({ port: socket.address().port, server: await probe(socket, host, port, 3000) });
    if (shared === undefined) socket.close();
  }
  shared?.close();
  process.stdout.write(JSON.stringify({ answers, lost: answers.filter((a) => a.server === null).length }) + '\n');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`sip-probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
