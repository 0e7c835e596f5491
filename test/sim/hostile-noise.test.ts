// Hostile input (random bytes among mutated packets): see hostile.ts for the
// mutations and the invariants. FUZZ_PACKETS=N for a longer run, SEED=S to replay.
import { hostileTest } from './hostile.js';

hostileTest('noise', 0x1a2b0004, 'random bytes among mutated packets');
