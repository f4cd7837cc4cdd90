import { defineConfig } from 'vitest/config';

/**
 * Tests that never touch a database, a cache or a job system: the same code runs in both modes, so the
 * services run (CORKBOARD_TEST_MODE=services) leaves them to the embedded run.
 */
const MODE_FREE = ['test/unit/**', 'test/experiments/**', 'test/images/**', 'test/net/**', 'web/test/**'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'web/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(process.env.CORKBOARD_TEST_MODE === 'services' ? MODE_FREE : [])],
    pool: 'forks',
    // Two cores: two files at a time keeps PGlite start-up and child processes from starving each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
