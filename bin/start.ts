/**
 * `npm start`: the whole system on its embedded defaults. Postgres from DATABASE_URL, else the
 * local server, else embedded; Temporal from TEMPORAL_ADDRESS, else a dev server with its UI
 * persisting in DATA_DIR; then the worker and the API in this process, with the demo city loaded.
 */
// first: tracing patches http and express before anything loads them
import './tracing';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { loadDemoData } from '../db/seed';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { assertPortsFree, startPorts } from '../platform/ports';
import { providePostgres } from '../platform/postgres';
import { runApi, runWorker, stopOnSignals, type Running } from '../platform/runtime';
import { startDevServer } from '../platform/temporal';
import { installTemporalRuntime } from '../platform/worker';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  installTemporalRuntime(logger, { metricsBindAddress: config.temporalMetricsBindAddress });
  // before anything starts: a taken port would make this installation talk to another one
  await assertPortsFree(startPorts(config));
  fs.mkdirSync(config.dataDir, { recursive: true });
  const parts: Running[] = [];
  stopOnSignals(logger, parts);

  const postgres = await providePostgres({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  parts.push(postgres);

  let temporalAddress = config.temporalAddress;
  let temporalUi = 'the UI of your Temporal server';
  if (!temporalAddress) {
    const dev = await startDevServer({
      cliPath: config.temporalCliPath,
      dbFile: path.join(config.dataDir, 'temporal.db'),
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      namespace: config.temporalNamespace,
    });
    parts.push(dev);
    temporalAddress = dev.address;
    temporalUi = dev.uiUrl;
  }

  await migrateDatabase(postgres.url);
  const seed = connectDatabase(postgres.url, { max: 1 });
  await loadDemoData(seed.db);
  await seed.close();

  const adminApiKey = config.adminApiKey ?? bootstrapAdminKey(config.dataDir);
  const infra = { databaseUrl: postgres.url, temporalAddress };
  parts.push(await runWorker(config, infra, logger));
  const api = await runApi({ ...config, adminApiKey }, infra, logger);
  parts.push(api);

  const lines = [
    '',
    '12345 hotline is up.',
    `  API            ${api.url}`,
    `  API docs       ${api.url}/docs`,
    `  Temporal UI    ${temporalUi}`,
    `  Temporal       ${temporalAddress} (namespace ${config.temporalNamespace}, task queue ${config.taskQueue})`,
    `  Postgres       ${postgres.kind === 'configured' ? 'DATABASE_URL' : postgres.kind}: ${redact(postgres.url)}`,
    `  Admin API key  ${adminApiKey}${config.adminApiKey ? ' (from ADMIN_API_KEY)' : ` (kept in ${path.join(config.dataDir, 'admin-api-key')})`}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** The embedded default's admin key: generated once, kept in DATA_DIR so restarts keep it. */
function bootstrapAdminKey(dataDir: string): string {
  const file = path.join(dataDir, 'admin-api-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const key = `hk_admin_${crypto.randomBytes(24).toString('base64url')}`;
  fs.writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
