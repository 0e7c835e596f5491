// Hostile input (mutated packets on a broadcast segment): see hostile.ts for the
// mutations and the invariants. FUZZ_PACKETS=N for a longer run, SEED=S to replay.
import { hostileTest } from './hostile.js';

hostileTest('lan', 0x1a2b0001, 'mutated packets on a broadcast segment');
