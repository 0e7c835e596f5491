// Kamailio as a SIP node's proxy in the lab and in the end-to-end cluster
// (bench/failover/cluster.ts): a minimal configuration that listens on one
// UDP address and answers OPTIONS with 200 and a Server header naming its
// node (the seed lab's `Server: Opensips01`), the command line ospf-anycastd
// supervises it with (`check process`), and its processes found again for a
// kill.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const KAMAILIO = '/usr/sbin/kamailio';

/** Where Debian's kamailio package puts its modules, for this machine's architecture. */
export const KAMAILIO_MODULES = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/kamailio/modules`;

/** What a Kamailio node needs installed: the binary and the one module the configuration loads (sl). */
export const KAMAILIO_FILES: readonly string[] = [KAMAILIO, join(KAMAILIO_MODULES, 'sl.so')];

/** True when everything of KAMAILIO_FILES is installed. */
export function kamailioInstalled(): boolean {
  return KAMAILIO_FILES.every((file) => existsSync(file));
}

export interface KamailioOptions {
  /** Address and port to listen on, "10.206.206.1:5060". */
  listen: string;
  /** The Server header's value in every answer, e.g. the node's name; Kamailio's own without it. */
  server?: string;
  /** Listen on TCP too (default UDP only). */
  tcp?: boolean;
}

/** A kamailio.cfg answering OPTIONS with 200 OK (RFC 3261 11.2) and anything else with 404. */
export function kamailioConfig(options: KamailioOptions): string {
  const transports = options.tcp === true ? ['tcp_children=1', `listen=udp:${options.listen}`, `listen=tcp:${options.listen}`] : ['disable_tcp=yes', `listen=udp:${options.listen}`];
  return [
    '#!KAMAILIO',
    'debug=1',
    'log_stderror=yes',
    'children=2',
    ...transports,
    ...(options.server === undefined ? [] : [`server_header="Server: ${options.server}"`]),
    `mpath="${KAMAILIO_MODULES}/"`,
    'loadmodule "sl.so"',
    'request_route {',
    '  if (method == "OPTIONS") { sl_send_reply("200", "OK"); exit; }',
    '  sl_send_reply("404", "Not Here");',
    '}',
    '',
  ].join('\n');
}

/**
 * Kamailio in the foreground (-DD) logging to stderr (-E), its pid and
 * control files in `runDir` (-Y), with 16 MB of shared and 4 MB of private
 * memory per process: what `check process` runs.
 */
export function kamailioCommand(configPath: string, runDir: string): string[] {
  return [KAMAILIO, '-DD', '-E', '-f', configPath, '-Y', runDir, '-m', '16', '-M', '4'];
}

/** Every process of the Kamailio started with `configPath`, its main process first; [] when none runs. */
export function kamailioPids(configPath: string): number[] {
  const out = spawnSync('pgrep', ['-f', '--', `-f ${configPath} `], { encoding: 'utf8' }).stdout ?? '';
  const pids = out.split('\n').filter(Boolean).map(Number);
  const parent = (pid: number): number => {
    try {
      return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
    } catch {
      return 0;
    }
  };
  return pids.sort((a, b) => (pids.includes(parent(a)) ? 1 : 0) - (pids.includes(parent(b)) ? 1 : 0));
}
