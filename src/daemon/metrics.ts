// The Prometheus endpoint (`metrics listen ADDR:PORT`): neighbour states,
// adjacency changes, LSA counts by type, SPF runs and their duration,
// packets and drops by reason, the state of every anycast prefix, and health
// check results and latencies. Counters and histograms are fed by events as
// they happen; gauges are read from the daemon when scraped. prom-client
// gives the exposition format and histogram bucketing Prometheus expects.

import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PrefixStatus } from '../anycast/index.js';
import type { NeighborState, NeighborView } from '../core/api.js';
import type { OspfInstance } from '../instance/instance.js';
import type { OspfTransport } from '../io/transport.js';
import { formatIpv4 } from '../lib/ipv4.js';
import { lsaCountsByType } from './show-answers.js';

/** What the metrics read from the daemon at scrape time. */
export interface MetricsSource {
  neighbors(): NeighborView[];
  lsaCounts(): Record<string, number>;
  drops(): Record<string, number>;
  packets(): { received: number; sent: number };
  transportDrops(): Record<string, number>;
  prefixes(): PrefixStatus[];
}

/** The running instance, its sockets' counters and the anycast prefixes, as the metrics read them. */
export function metricsSource(instance: OspfInstance, transport: OspfTransport, prefixes: () => PrefixStatus[]): MetricsSource {
  return {
    neighbors: () => instance.neighbors(),
    lsaCounts: () => {
      const { total: _total, ...byType } = lsaCountsByType(instance.lsdb(performance.now()));
      return byType;
    },
    drops: () => instance.stats().drops,
    packets: () => {
      const stats = instance.stats();
      return { received: stats.packetsReceived, sent: stats.packetsSent };
    },
    transportDrops: () => {
      const total: Record<string, number> = {};
      for (const name of transport.interfaces()) {
        for (const [reason, count] of Object.entries(transport.get(name)?.counters().dropped ?? {})) {
          total[reason] = (total[reason] ?? 0) + (count ?? 0);
        }
      }
      return total;
    },
    prefixes,
  };
}

/** Numeric neighbour states for the gauge (RFC 2328 10.1 order). */
export const NeighborStateValues: Record<NeighborState, number> = {
  Down: 0,
  Attempt: 1,
  Init: 2,
  '2-Way': 3,
  ExStart: 4,
  Exchange: 5,
  Loading: 6,
  Full: 7,
};

const PrefixStates = ['announced', 'withdrawn-by-health', 'drained'] as const;

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly adjacencyChanges: Counter<'ifname' | 'to'>;
  private readonly spfRuns: Counter<'kind'>;
  private readonly spfDuration: Histogram<'kind'>;
  private readonly checkResults: Counter<'prefix' | 'check' | 'result'>;
  private readonly checkLatency: Histogram<'prefix' | 'check'>;
  private server: Server | undefined;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    new Gauge({
      name: 'ospf_neighbor_state',
      help: 'Neighbor state: 0 Down, 1 Attempt, 2 Init, 3 2-Way, 4 ExStart, 5 Exchange, 6 Loading, 7 Full',
      labelNames: ['ifname', 'neighbor', 'address'],
      registers,
      collect() {
        this.reset();
        for (const n of source.neighbors()) {
          this.set({ ifname: n.ifName, neighbor: formatIpv4(n.routerId), address: formatIpv4(n.address) }, NeighborStateValues[n.state]);
        }
      },
    });
    this.adjacencyChanges = new Counter({
      name: 'ospf_adjacency_changes_total',
      help: 'Neighbor state changes, by interface and new state',
      labelNames: ['ifname', 'to'],
      registers,
    });
    new Gauge({
      name: 'ospf_lsas',
      help: 'LSAs in the database, by type',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        for (const [type, count] of Object.entries(source.lsaCounts())) this.set({ type }, count);
      },
    });
    this.spfRuns = new Counter({ name: 'ospf_spf_runs_total', help: 'SPF calculations, full or partial', labelNames: ['kind'], registers });
    this.spfDuration = new Histogram({
      name: 'ospf_spf_duration_seconds',
      help: 'Duration of SPF calculations',
      labelNames: ['kind'],
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    });
    new Gauge({
      name: 'ospf_packets_total',
      help: 'OSPF packets received and sent by the engine',
      labelNames: ['direction'],
      registers,
      collect() {
        const p = source.packets();
        this.set({ direction: 'received' }, p.received);
        this.set({ direction: 'sent' }, p.sent);
      },
    });
    new Gauge({
      name: 'ospf_packet_drops_total',
      help: 'Packets or LSAs dropped, by reason (engine checks and IP header checks)',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(source.drops())) this.set({ reason }, count);
        for (const [reason, count] of Object.entries(source.transportDrops())) this.set({ reason: `ip-${reason}` }, count);
      },
    });
    new Gauge({
      name: 'anycast_prefix_state',
      help: 'Anycast prefix state: 1 for the current state, 0 for the others',
      labelNames: ['prefix', 'state'],
      registers,
      collect() {
        this.reset();
        for (const p of source.prefixes()) for (const s of PrefixStates) this.set({ prefix: p.prefix, state: s }, p.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'anycast_prefix_advertised',
      help: 'How the prefix is advertised: 1 announce, 0.5 max-cost, 0 withdraw',
      labelNames: ['prefix'],
      registers,
      collect() {
        this.reset();
        for (const p of source.prefixes()) this.set({ prefix: p.prefix }, p.advertised === 'announce' ? 1 : p.advertised === 'max-cost' ? 0.5 : 0);
      },
    });
    this.checkResults = new Counter({
      name: 'anycast_check_results_total',
      help: 'Health check runs, by result',
      labelNames: ['prefix', 'check', 'result'],
      registers,
    });
    this.checkLatency = new Histogram({
      name: 'anycast_check_latency_seconds',
      help: 'Health check run time',
      labelNames: ['prefix', 'check'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  adjacencyChange(ifName: string, to: NeighborState): void {
    this.adjacencyChanges.inc({ ifname: ifName, to });
  }

  spf(kind: 'full' | 'partial', durationUs: number | undefined): void {
    this.spfRuns.inc({ kind });
    if (durationUs !== undefined) this.spfDuration.observe({ kind }, durationUs / 1e6);
  }

  check(prefix: string, check: string, ok: boolean, latencyMs: number): void {
    this.checkResults.inc({ prefix, check, result: ok ? 'ok' : 'fail' });
    this.checkLatency.observe({ prefix, check }, latencyMs / 1000);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Serves GET /metrics on address:port. */
  async listen(address: string, port: number): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/')) {
        res.writeHead(404).end('not found: GET /metrics\n');
        return;
      }
      this.render().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(`${err instanceof Error ? err.message : String(err)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** The port actually bound (for port 0). */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
