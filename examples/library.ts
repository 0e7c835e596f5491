// A Node.js service that embeds ospf-anycastd as a library: it announces the
// anycast /32 of its configuration file while its own health check — an
// async function, here "can I open a TCP connection to my backend?" — passes,
// reports the daemon's typed events as JSON lines on stdout, drains on
// SIGUSR1 and undrains on SIGUSR2, and on SIGTERM drains, then stops the
// daemon cleanly (premature aging, kernel routes removed) and exits.
//
//   node dist/examples/library.js --config /etc/ospf-anycast/ospfd.conf --backend 127.0.0.1:5432 [--socket PATH]
//
// Outside this repository import from 'ospf-anycast/daemon' instead of '../src/daemon/index.js'.

import { connect } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OspfAnycastDaemon, loadConfig, streamLogger } from '../src/daemon/index.js';

export interface ServiceOptions {
  configPath: string;
  /** The dependency the health check probes, "HOST:PORT". */
  backend: string;
  /** Control socket for the ospf-anycast CLI; none when absent. */
  socket?: string;
  /** Where the service's event lines go. */
  emit: (event: Record<string, unknown>) => void;
}

/** The anycast service: a started daemon, and drain/undrain/stop as promises. */
export interface AnycastService {
  daemon: OspfAnycastDaemon;
  drain(): Promise<void>;
  undrain(): void;
  stop(): Promise<void>;
}

const dotted = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** The health check: a TCP connection to the backend opens before the check's timeout aborts it. */
function backendReachable(backend: string): (signal: AbortSignal) => Promise<boolean> {
  const colon = backend.lastIndexOf(':');
  const host = backend.slice(0, colon);
  const port = Number(backend.slice(colon + 1));
  return (signal) =>
    new Promise((done) => {
      const socket = connect({ host, port, signal });
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
}

export async function startService(options: ServiceOptions): Promise<AnycastService> {
  const config = await loadConfig(options.configPath);
  const [anycast] = config.anycast;
  if (anycast === undefined) throw new Error(`${options.configPath} has no anycast block`);
  const prefix = `${dotted(anycast.prefix.address)}/${anycast.prefix.length}`;
  const daemon = await OspfAnycastDaemon.start({
    config,
    logger: streamLogger(process.stderr, 'info'),
    load: () => loadConfig(options.configPath),
    controlSocket: options.socket ?? false,
    customChecks: {
      [prefix]: [{ kind: 'custom', name: 'backend', run: backendReachable(options.backend), intervalMs: 200, timeoutMs: 150, rise: 2, fall: 2 }],
    },
  });
  daemon.on('neighbor-state', (e) => options.emit({ event: 'neighbor-state', routerId: dotted(e.routerId), ifName: e.ifName, from: e.from, to: e.to }));
  daemon.on('routes', (changes) =>
    options.emit({
      event: 'routes',
      changes: changes.map((c) => ({
        kind: c.kind,
        prefix: `${dotted(c.prefix.address)}/${c.prefix.length}`,
        nextHops: c.kind === 'remove' ? [] : c.route.nextHops.map((h) => dotted(h.address)),
      })),
    }),
  );
  daemon.on('prefix-state', (e) => options.emit({ event: 'prefix-state', prefix: e.prefix, from: e.from, to: e.to, reason: e.reason, check: e.check }));
  return {
    daemon,
    // Resolves once every Full neighbour has acknowledged the withdrawal.
    drain: () => daemon.drain(prefix),
    undrain: () => daemon.undrain(prefix),
    stop: async () => {
      await daemon.drain(prefix).catch(() => undefined);
      await daemon.stop();
    },
  };
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const configPath = argValue(argv, '--config');
  const backend = argValue(argv, '--backend');
  if (configPath === undefined || backend === undefined) {
    process.stderr.write('usage: library.js --config FILE --backend HOST:PORT [--socket PATH]\n');
    return 2;
  }
  const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
  const service = await startService({ configPath, backend, socket: argValue(argv, '--socket'), emit });
  emit({ event: 'started' });
  process.on('SIGUSR1', () => {
    const started = performance.now();
    service.drain().then(
      () => emit({ event: 'drained', ms: Math.round(performance.now() - started) }),
      (err: unknown) => emit({ event: 'drain-failed', error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('SIGUSR2', () => {
    service.undrain();
    emit({ event: 'undrained' });
  });
  return new Promise((done) => {
    process.once('SIGTERM', () => {
      service.stop().then(
        () => {
          emit({ event: 'stopped' });
          done(0);
        },
        (err: unknown) => {
          emit({ event: 'stop-failed', error: err instanceof Error ? err.message : String(err) });
          done(1);
        },
      );
    });
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (err: unknown) => {
      process.stderr.write(`library example: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
