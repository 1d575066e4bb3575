import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One worker per core (vitest's default leaves one idle, which on two cores halves the speed):
    // most of the time goes to files that spawn servers and tools, not to the tests' own CPU.
    maxWorkers: '100%',
    // Says once why the third-party corpus suites are skipped when the corpus is not beside the checkout.
    // Builds the CLI bundle (dist/cli/) once before the suite, as `npm run build` does, for the bin tests.
    globalSetup: ['test/helpers/corpus-notice.ts', 'test/helpers/build-cli.ts'],
  },
});
