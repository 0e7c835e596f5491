// The daemon's raw sockets, one per interface the engine speaks OSPF on:
// opened, rebound and closed to follow the engine's interfaces, and the
// engine's packets and group memberships written to them.

import type { InterfaceView } from '../core/api.js';
import type { InterfaceMonitor } from '../io/links.js';
import type { OspfTransport } from '../io/transport.js';
import type { Logger } from './logger.js';
import type { SocketOutput } from './loop.js';

export class InterfaceSockets {
  constructor(
    private readonly transport: OspfTransport,
    private readonly monitor: InterfaceMonitor,
    private readonly logger: Logger,
  ) {}

  /** Opens a raw socket on every interface the engine speaks OSPF on, closes the others. */
  reconcile(views: readonly InterfaceView[]): void {
    const wanted = new Map<string, { address: number; networkType: 'broadcast' | 'point-to-point' }>();
    for (const view of views) {
      if (view.state === 'Down' || view.state === 'Loopback' || view.passive || view.address === 0) continue;
      wanted.set(view.name, { address: view.address, networkType: view.networkType });
    }
    for (const name of this.transport.interfaces()) if (!wanted.has(name)) this.transport.close(name);
    for (const [name, want] of wanted) {
      const info = this.monitor.get(name);
      if (info === undefined) continue;
      const open = this.transport.get(name);
      try {
        if (open === undefined) {
          this.transport.open({ ifName: name, ifIndex: info.ifIndex, networkType: want.networkType, addresses: info.addresses, sourceAddress: want.address });
        } else {
          // ifIndex too: an interface deleted and created again under its name needs a new binding.
          open.update({ ifIndex: info.ifIndex, addresses: info.addresses, networkType: want.networkType, sourceAddress: want.address });
        }
      } catch (err) {
        this.logger.error('cannot open the OSPF socket of an interface', { ifName: name, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** A packet or a group membership for an interface's socket; a failure is logged, rate-limited. */
  async carryOut(output: SocketOutput): Promise<void> {
    // Leaving the groups of an interface that went down (RFC 2328 9.3 InterfaceDown): its
    // socket is closed already, and the memberships went with it.
    if (output.kind === 'membership' && !output.join && this.transport.get(output.ifName) === undefined) return;
    try {
      await this.transport.carryOut(output);
    } catch (err) {
      this.logger.limited(`send:${output.ifName}`, 'warning', 'cannot send on interface', {
        ifName: output.ifName,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
