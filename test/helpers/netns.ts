// The namespace harness lives with the lab (src/lab/netns.ts), which uses it
// too; tests import it from here.
export * from '../../src/lab/netns.js';
