import { defineConfig } from 'vitest/config';

/** Mutation testing of the pure domain: its unit tests, no DynamoDB Local (fast enough to run on every change). */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['test/setup-env.ts'],
    testTimeout: 30_000,
  },
});
