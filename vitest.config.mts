import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // a loaded machine (other suites beside this one) is several times slower than an idle one:
    // the limits below are bounds against a hang, never a measure of speed
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // the temporal project's global teardown stops the dev server and drops the test database
    teardownTimeout: 60_000,
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
