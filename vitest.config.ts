import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulator, git and Redis tests do real I/O; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The fault suite's ledger and its closing line (test/faults/).
    globalSetup: ['test/faults/global-setup.ts'],
    reporters: process.env['CI'] ? ['default', ['json', { outputFile: '.ci/vitest-report.json' }]] : ['default'],
  },
});
