import { defineConfig } from 'vitest/config';

/** Mutation testing of shared/flows: the integration tests against DynamoDB Local, plus the unit tests. */
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts', 'test/unit/**/*.test.ts'],
    // Measures write units and runs random sequences: slow, and not what catches a mutated flow.
    exclude: ['test/integration/bench-meter.test.ts', 'test/integration/my-sms-property.test.ts'],
    globalSetup: ['test/mutation/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
