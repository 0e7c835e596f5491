// n1's proxy in the transitions labs: Kamailio, or the built-in SIP
// responder where Kamailio is not installed, supervised by the anycast block
// of ospf-anycastd's configuration, with or without graceful restart on
// SIGTERM (RFC 3623 2); and the work directory Kamailio's files live in.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { kamailioCommand, kamailioConfig } from '../../src/lab/kamailio.js';
import { ANYCAST } from '../interop/labs.js';

/** Where the proxy listens: the anycast address, port 5060. */
export const PROXY_ADDRESS = ANYCAST.split('/')[0] as string;
const RESPONDER = join(process.cwd(), 'dist/src/lab/sip-responder.js');

/**
 * A directory under /tmp for the proxy's files, made before the suite and
 * removed after it. Made in beforeAll: a variant whose tests are all filtered
 * out (-t) runs no hooks, and would leave it behind. Call it before the lab's
 * suite (labSuite, seedSuite) so that it is removed after the lab's teardown.
 */
export function proxyDirectory(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join('/tmp', prefix));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === '') throw new Error('the proxy directory is made before the suite');
    return dir;
  };
}

/** Kamailio's configuration file in the proxy directory. */
export function kamailioConfPath(dir: string): string {
  return join(dir, 'kamailio.cfg');
}

/**
 * The proxy's command line: Kamailio, its configuration written into `dir`
 * now, or the responder, which carries `tag` so that pgrep tells it from
 * other runs' responders.
 */
export function proxyCommand(withKamailio: boolean, dir: string, tag: string): string {
  if (!withKamailio) return `${process.execPath} ${RESPONDER} --name n1 --listen ${PROXY_ADDRESS}:5060 --tag ${tag}`;
  writeFileSync(kamailioConfPath(dir), kamailioConfig({ listen: `${PROXY_ADDRESS}:5060`, server: 'n1' }));
  return kamailioCommand(kamailioConfPath(dir), dir).join(' ');
}

/** A seed node's configuration (labs.ts nodeConf), restarting gracefully on SIGTERM when `graceful` (RFC 3623 2). */
export function gracefulNodeConf(conf: string, graceful: boolean): string {
  return graceful ? conf.replace(' log-adjacency-changes detail\n', ' log-adjacency-changes detail\n graceful-restart grace-period 60\n') : conf;
}

/** gracefulNodeConf with the anycast block supervising the proxy: its process, and SIP OPTIONS to it. */
export function proxyNodeConf(conf: string, graceful: boolean, command: string): string {
  return `${gracefulNodeConf(conf, graceful)}anycast ${ANYCAST}
 check process ${command}
 check sip-options ${PROXY_ADDRESS}:5060 interval 200 timeout 150 rise 3 fall 2
!
`;
}
