// Puts a prefix's anycast address on its interface and takes it off through
// the injected AddressManager, once per change, logging each; a failure is
// an AddressManagementError naming the prefix.

import type { AddressManager, LogEntry } from './announcer-api.js';
import { AddressManagementError } from './errors.js';
import type { PrefixRuntime } from './runtime.js';

export class AnycastAddresses {
  constructor(
    /** Present whenever a prefix has manageAddress (the announcer checks). */
    private readonly manager: AddressManager | undefined,
    private readonly log: (level: LogEntry['level'], message: string, prefix: string) => void,
  ) {}

  /** Adds the address (`present`) or removes it, unless it is already so; rejects with AddressManagementError. */
  async set(rt: PrefixRuntime, present: boolean): Promise<void> {
    if (rt.addressPresent === present) return;
    const manager = this.manager as AddressManager;
    const { key, interface: ifName, options } = rt.resolved;
    try {
      await (present ? manager.add(options.prefix, ifName) : manager.remove(options.prefix, ifName));
    } catch (err) {
      throw new AddressManagementError(`cannot ${present ? 'add' : 'remove'} ${key}: ${messageOf(err)}`);
    }
    rt.addressPresent = present;
    this.log('info', present ? `address added to ${ifName}` : `address removed from ${ifName}`, key);
  }

  /** As set(), logging a failure instead of rejecting: for changes nobody waits on. */
  settle(rt: PrefixRuntime, present: boolean): Promise<void> {
    return this.set(rt, present).catch((err: unknown) => this.log('error', `address ${present ? 'add' : 'remove'} failed: ${messageOf(err)}`, rt.resolved.key));
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
