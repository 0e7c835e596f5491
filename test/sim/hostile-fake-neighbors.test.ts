// Hostile input (spoofed neighbours taking adjacencies to Full): see hostile.ts for the
// mutations and the invariants. FUZZ_PACKETS=N for a longer run, SEED=S to replay.
import { hostileTest } from './hostile.js';

hostileTest('fake-neighbors', 0x1a2b0003, 'spoofed neighbours taking adjacencies to Full');
