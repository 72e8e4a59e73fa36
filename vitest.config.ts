import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/contract/**/*.test.ts',
      'test/cdk/**/*.test.ts',
      'test/integration/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: integration tests generate real load, so files run one at a time.
    fileParallelism: false,
    pool: 'forks',
  },
});
