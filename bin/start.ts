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
import { createLogger, maskSecret } from '../platform/logger';
import { assertPortsFree, startPorts } from '../platform/ports';
import { providePostgres } from '../platform/postgres';
import { runApi, runWorker, stopOnSignals, type Running } from '../platform/runtime';
import { formatPayloadKeys, generatePayloadKey, parsePayloadKeys, type PayloadKey } from '../platform/payload-codec';
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
      uiCodecEndpoint: config.codecEndpoint,
    });
    parts.push(dev);
    temporalAddress = dev.address;
    temporalUi = dev.uiUrl;
  }

  await migrateDatabase(postgres.url);
  const seed = connectDatabase(postgres.url, { max: 1 });
  await loadDemoData(seed.db);
  await seed.close();

  const adminApiKey = config.adminApiKey ?? keptInDataDir(config.dataDir, 'admin-api-key', () => `hk_admin_${crypto.randomBytes(24).toString('base64url')}`);
  const payloadKeys = config.payloadKeys ?? bootstrapPayloadKeys(config.dataDir);
  // the API and the worker of this process share it; a restart must open the secrets sealed before
  const webhookSecretsKey = config.webhookSecretsKey ?? keptInDataDir(config.dataDir, 'webhook-secrets-key', () => crypto.randomBytes(32).toString('hex'));
  const infra = { databaseUrl: postgres.url, temporalAddress, payloadKeys };
  parts.push(await runWorker({ ...config, webhookSecretsKey }, infra, logger));
  const api = await runApi({ ...config, adminApiKey, webhookSecretsKey }, infra, logger);
  parts.push(api);

  const lines = [
    '',
    '12345 hotline is up.',
    `  API            ${api.url}`,
    `  API docs       ${api.url}/docs`,
    `  Temporal UI    ${temporalUi} (payloads decoded by ${config.codecEndpoint} for an admin: sign in at ${config.codecEndpoint}/login)`,
    `  Temporal       ${temporalAddress} (namespace ${config.temporalNamespace}, task queue ${config.taskQueue})`,
    `  Postgres       ${postgres.kind === 'configured' ? 'DATABASE_URL' : postgres.kind}: ${redact(postgres.url)}`,
    `  Payload keys   ${payloadKeys.map((k) => k.id).join(', ')}${config.payloadKeys ? ' (from PAYLOAD_ENCRYPTION_KEYS)' : ` (kept in ${path.join(config.dataDir, PAYLOAD_KEY_FILE)})`}`,
    // never the key in full: terminal scrollback and captured service logs outlive the key's secrecy
    `  Admin API key  ${maskSecret(adminApiKey)} ${config.adminApiKey ? '(from ADMIN_API_KEY)' : `(in full in ${path.join(config.dataDir, 'admin-api-key')})`}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** A key of the embedded default (the admin key, the webhook secrets key): generated once, kept in DATA_DIR so restarts keep it. */
function keptInDataDir(dataDir: string, name: string, generate: () => string): string {
  const file = path.join(dataDir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const key = generate();
  fs.writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

const PAYLOAD_KEY_FILE = 'payload-keys';

/**
 * The embedded default's payload key: generated once, kept in DATA_DIR (same format as
 * PAYLOAD_ENCRYPTION_KEYS), so the tickets sealed with it open after a restart.
 */
function bootstrapPayloadKeys(dataDir: string): PayloadKey[] {
  const file = path.join(dataDir, PAYLOAD_KEY_FILE);
  if (fs.existsSync(file)) return parsePayloadKeys(fs.readFileSync(file, 'utf8'), file);
  const keys = [generatePayloadKey()];
  fs.writeFileSync(file, formatPayloadKeys(keys) + '\n', { mode: 0o600 });
  return keys;
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
