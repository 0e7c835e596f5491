// `multipath hash layer3|layer4`: which header fields the kernel hashes to
// pick a path of a multipath route (hash-threshold and resilient groups
// alike), net.ipv4.fib_multipath_hash_policy in the daemon's network
// namespace: 0 = source and destination address, 1 = also protocol and
// ports (Documentation/networking/ip-sysctl.rst). The daemon sets it at
// start and puts back the value it found when it exits, if it changed it.

import { readFile, writeFile } from 'node:fs/promises';

export const HASH_POLICY_PATH = '/proc/sys/net/ipv4/fib_multipath_hash_policy';

export type HashLayer = 'layer3' | 'layer4';

/** The sysctl could not be read or written (no /proc, not root, an unexpected value). */
export class HashPolicyError extends Error {
  override name = 'HashPolicyError';
}

const VALUES: Record<HashLayer, number> = { layer3: 0, layer4: 1 };

/** The policy as the daemon set it, and how to put the old one back. */
export class HashPolicy {
  private constructor(
    readonly layer: HashLayer,
    /** The value found at start (0..3). */
    readonly previous: number,
    private readonly path: string,
  ) {}

  /** Whether set() wrote the sysctl (it differed). */
  get changed(): boolean {
    return this.previous !== VALUES[this.layer];
  }

  /** The value the sysctl holds now. Rejects with HashPolicyError. */
  static read(path = HASH_POLICY_PATH): Promise<number> {
    return readPolicy(path);
  }

  /** Read the current value and write `layer`'s if it differs. Rejects with HashPolicyError. */
  static async set(layer: HashLayer, path = HASH_POLICY_PATH): Promise<HashPolicy> {
    const previous = await readPolicy(path);
    const policy = new HashPolicy(layer, previous, path);
    if (policy.changed) await writePolicy(path, VALUES[layer]);
    return policy;
  }

  /** Put back the value found at start, if set() changed it. */
  async restore(): Promise<void> {
    if (this.changed) await writePolicy(this.path, this.previous);
  }
}

async function readPolicy(path: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HashPolicyError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 0) throw new HashPolicyError(`unexpected value "${text.trim()}" in ${path}`);
  return value;
}

async function writePolicy(path: string, value: number): Promise<void> {
  try {
    await writeFile(path, `${value}\n`);
  } catch (error) {
    throw new HashPolicyError(`cannot write ${value} to ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
