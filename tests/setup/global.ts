/**
 * Once per test run: a Temporal dev server, a fresh Postgres database with the migrations
 * applied, and the workflow bundle, shared by every test file through `inject()`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { migrateDatabase } from '../../db/migrate';
import { connectDatabase } from '../../db/client';
import { loadDemoData } from '../../db/seed';
import { createDatabaseIfMissing, startEmbeddedPostgres, withDatabase } from '../../platform/postgres';
import { startDevServer } from '../../platform/temporal';
import { createLogger } from '../../platform/logger';
import { installTemporalRuntime, WORKFLOW_BUNDLE } from '../../platform/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** TEST_DATABASE_ADMIN_URL, else the local server, else an embedded one for this run. */
async function providePostgresServer(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const configured = process.env.TEST_DATABASE_ADMIN_URL;
  if (configured || (await createDatabaseIfMissing(LOCAL_ADMIN_URL, 'postgres'))) {
    return { adminUrl: configured ?? LOCAL_ADMIN_URL, stop: async () => undefined };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-test-pg-'));
  const embedded = await startEmbeddedPostgres(dir, createLogger('warn'), 55000 + (process.pid % 5000));
  return {
    adminUrl: withDatabase(embedded.url, 'postgres'),
    async stop() {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'error'));
  const database = `hotline_test_${process.pid}_${Date.now()}`;
  const server = await providePostgresServer();
  const ADMIN_URL = server.adminUrl;
  const [dev, bundle] = await Promise.all([
    startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH }),
    bundleWorkflowCode({ ...WORKFLOW_BUNDLE, logger: quietLogger }),
    (async () => {
      if (!(await createDatabaseIfMissing(ADMIN_URL, database))) throw new Error(`no Postgres at ${ADMIN_URL}`);
      await migrateDatabase(withDatabase(ADMIN_URL, database));
      const seeded = connectDatabase(withDatabase(ADMIN_URL, database), { max: 1 });
      await loadDemoData(seeded.db);
      await seeded.close();
    })(),
  ]);
  const bundlePath = path.join(os.tmpdir(), `${database}-workflows.js`);
  fs.writeFileSync(bundlePath, bundle.code);

  project.provide('databaseUrl', withDatabase(ADMIN_URL, database));
  project.provide('temporalAddress', dev.address);
  project.provide('workflowBundlePath', bundlePath);

  return async () => {
    await dev.stop();
    fs.rmSync(bundlePath, { force: true });
    const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
    await sql.unsafe(`drop database if exists "${database}" with (force)`);
    await sql.end();
    await server.stop();
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};
