import { defineConfig } from 'vitest/config';

// Namespace and interop tests start real daemons; give them room, and run
// files one at a time where they share the kernel (see test/README.md).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
