import { defineConfig } from 'vitest/config';
import { functionScopePlugin } from './test/iam/function-scope-plugin';

export default defineConfig({
  plugins: [functionScopePlugin()],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts', 'test/iam/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // DynamoDB Local is one JVM on 2 cores: a few files at a time keeps it responsive.
    maxWorkers: 2,
  },
});
