import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Says once why the third-party corpus suites are skipped when the corpus is not beside the checkout.
    globalSetup: ['test/helpers/corpus-notice.ts'],
  },
});
