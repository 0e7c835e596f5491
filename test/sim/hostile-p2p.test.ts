// Hostile input (mutated packets on point-to-point links): see hostile.ts for the
// mutations and the invariants. FUZZ_PACKETS=N for a longer run, SEED=S to replay.
import { hostileTest } from './hostile.js';

hostileTest('point-to-point', 0x1a2b0002, 'mutated packets on point-to-point links');
