import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', 'json'],
    // .ci/run reads the counts from here
    outputFile: { json: '.vitest/results.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'temporal',
          include: ['tests/workflows/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          // one Temporal dev server and one test database for the whole run
          globalSetup: ['tests/setup/global.ts'],
          // the files share the policy and calendar in that database: one file at a time
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'fault',
          // its own Postgres cluster, Temporal dev server, API and worker processes: no globalSetup
          include: ['tests/fault/**/*.test.ts'],
          // after the other projects: it kills and restarts servers under a time budget, best not
          // shared with the integration tests' load on a small machine
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
