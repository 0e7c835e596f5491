// A small SIP responder for the lab, standing in for Kamailio or OpenSIPS
// where neither is installed: it answers every request over UDP with
// 200 OK and a Server header naming the node (the seed lab's
// `Server: Opensips01` trick), so a client can see which node answered.
//
//   node dist/src/lab/sip-responder.js --name node1 --listen 10.206.206.1:5060 [--tag LABEL]
//
// --tag is not used by the responder: it labels the process so that a lab
// can find its own responders among others' in the process list.

import { createSocket, type RemoteInfo } from 'node:dgram';

/** RFC 3261 7.3.3: the compact forms of the headers copied into a response. */
const compact: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id' };

/** The 200 OK for a request (RFC 3261 8.2.6), or undefined when it is not a SIP request. */
export function answer(request: string, server: string, source: RemoteInfo): string | undefined {
  const [head] = request.split('\r\n\r\n');
  const lines = (head ?? '').split('\r\n');
  const start = lines[0] ?? '';
  if (!/^[A-Z]+ \S+ SIP\/2\.0$/.test(start)) return undefined;
  const copied: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rawName = line.slice(0, colon).trim().toLowerCase();
    const name = compact[rawName] ?? rawName;
    let value = line.slice(colon + 1).trim();
    if (name === 'via' && copied.every((c) => !c.startsWith('Via:'))) {
      // RFC 3581: fill in rport and received on the topmost Via.
      value = value.replace(/;rport(?=;|$)/, `;rport=${source.port}`);
      value += `;received=${source.address}`;
    }
    if (name === 'to' && !/;tag=/.test(value)) value += `;tag=${server.replace(/[^A-Za-z0-9]/g, '')}`;
    if (name === 'via') copied.push(`Via: ${value}`);
    else if (name === 'from') copied.push(`From: ${value}`);
    else if (name === 'to') copied.push(`To: ${value}`);
    else if (name === 'call-id') copied.push(`Call-ID: ${value}`);
    else if (name === 'cseq') copied.push(`CSeq: ${value}`);
  }
  // RFC 3261 8.1.1: a request without these cannot be answered.
  for (const needed of ['Via:', 'From:', 'To:', 'Call-ID:', 'CSeq:']) if (!copied.some((c) => c.startsWith(needed))) return undefined;
  return ['SIP/2.0 200 OK', ...copied, `Server: ${server}`, 'Content-Length: 0', '', ''].join('\r\n');
}

function main(argv: string[]): void {
  let name = 'ospf-anycast-lab';
  let listen = '127.0.0.1:5060';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--name') name = argv[++i] ?? name;
    else if (argv[i] === '--listen') listen = argv[++i] ?? listen;
    else if (argv[i] === '--tag') i++;
  }
  const colon = listen.lastIndexOf(':');
  const address = listen.slice(0, colon);
  const port = Number(listen.slice(colon + 1));
  const socket = createSocket('udp4');
  socket.on('message', (message, source) => {
    const reply = answer(message.toString('utf8'), name, source);
    if (reply !== undefined) socket.send(reply, source.port, source.address);
  });
  socket.on('error', (err) => {
    process.stderr.write(`sip-responder: ${err.message}\n`);
    process.exit(1);
  });
  socket.bind(port, address, () => process.stdout.write(`sip-responder ${name} listening on ${address}:${port}\n`));
  process.on('SIGTERM', () => socket.close(() => process.exit(0)));
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) main(process.argv.slice(2));
