/**
 * Running the two processes, the API server and the worker, against a given Postgres and
 * Temporal. The separate entrypoints (bin/api.ts, bin/worker.ts) and the all-in-one embedded
 * start (bin/start.ts) share these.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { createApp } from '../api/app';
import { localBlobStore, s3BlobStore } from './storage';
import { purgeIdempotencyRecords } from '../api/idempotency';
import { connectDatabase, type Database } from '../db/client';
import { markInterruptedImports } from '../db/import';
import { migrateDatabase } from '../db/migrate';
import { choosePlaceIndex } from '../db/repeats-by-place';
import { seedTaxonomy } from '../db/seed';
import type { Config } from './config';
import type { Logger } from './logger';
import { createMetrics, serveMetrics } from './metrics';
import { SecretBox } from './secret-box';
import { assertPortsFree } from './ports';
import type { PayloadKey } from './payload-codec';
import { connectClient, ensureSearchAttributes, type TemporalAccess } from './temporal';
import { starterModel } from '../activities/classifier-model';
import { ensureClassifierSchedule, ensureReportSchedules } from './schedules';
import { createTicketWorker } from './worker';

export interface Running {
  stop(): Promise<void>;
}

/** The servers and the payload keys a process runs against. */
export interface Infra {
  databaseUrl: string;
  temporalAddress: string;
  payloadKeys: PayloadKey[];
}

export function temporalAccess(config: Config, infra: Infra): TemporalAccess {
  return {
    address: infra.temporalAddress,
    namespace: config.temporalNamespace,
    sealing: { keys: infra.payloadKeys, acceptPlaintext: config.acceptPlaintextPayloads },
    tls: config.temporalTls,
  };
}

/** Migrates the database (under an advisory lock), opens a connection pool and picks the index of repeats by place. */
export async function openDatabase(url: string, config: Pick<Config, 'repeatsByPlaceIndex'>, logger: Logger): Promise<Database> {
  await migrateDatabase(url);
  const database = connectDatabase(url);
  await seedTaxonomy(database.db);
  const placeIndex = await choosePlaceIndex(database.db, config.repeatsByPlaceIndex).catch(async (err: unknown) => {
    await database.close();
    throw err;
  });
  logger.info(
    { placeIndex, preference: config.repeatsByPlaceIndex },
    placeIndex === 'postgis' ? 'repeats by place: PostGIS (ST_DWithin on tickets_geography_idx)' : 'repeats by place: the grid index (tickets_geo_cell_idx)',
  );
  return database;
}

/**
 * The box of the units' webhook secrets: the API seals with it, the worker opens, so both need the
 * same key. Refused at start without one, rather than a notification failing later.
 */
export function webhookSecretBox(config: Config): SecretBox {
  if (!config.webhookSecretsKey) {
    throw new Error('WEBHOOK_SECRETS_KEY is not set: give the API and the worker the same 32-byte key (openssl rand -hex 32), README → Configuration');
  }
  return SecretBox.fromText(config.webhookSecretsKey);
}

export async function runApi(
  config: Config,
  infra: Infra,
  logger: Logger,
): Promise<Running & { url: string }> {
  await assertPortsFree([{ port: config.port, what: 'the API', env: 'PORT' }]);
  const secretBox = webhookSecretBox(config);
  const database = await openDatabase(infra.databaseUrl, config, logger);
  const access = temporalAccess(config, infra);
  const temporal = await connectClient(access);
  await ensureSearchAttributes(temporal, config.temporalNamespace, logger);
  // imports left running by an API process that stopped (those no longer refreshed)
  await markInterruptedImports(database.db);
  const app = createApp({
    database,
    temporal,
    taskQueue: config.taskQueue,
    adminApiKey: config.adminApiKey,
    logger,
    metrics: createMetrics({ database }),
    bodyLimit: config.bodyLimit,
    actionTimeoutMs: config.actionTimeoutMs,
    rateLimitPerMinute: config.rateLimitPerMinute,
    temporalMaxInFlight: config.temporalMaxInFlight,
    temporalMaxQueued: config.temporalMaxQueued,
    codec: { sealing: access.sealing, corsOrigins: config.codecCorsOrigins },
    secretBox,
    webhookSecretOverlapSeconds: config.webhookSecretOverlapSeconds,
    // without a configured key, one of this process: its links do not open on another replica or after a restart
    reportLinks: { secret: config.reportLinkSecret ?? crypto.randomBytes(32).toString('hex'), ttlSeconds: config.reportLinkTtlSeconds },
    chromiumPath: config.chromiumPath,
    open311JurisdictionId: config.open311JurisdictionId,
    open311RateLimitPerMinute: config.open311RateLimitPerMinute,
    citizenLookupPerMinute: config.citizenLookupPerMinute,
    trustProxy: config.trustProxy,
    photoStore: config.photoS3 ? s3BlobStore(config.photoS3) : localBlobStore(config.photoDir),
    photoMaxBytes: config.photoMaxBytes,
    photoFetchAllowHosts: config.photoFetchAllowHosts,
  });
  // trained before the API listens: POST /v1/classify must not block the event loop on it later
  starterModel();
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    // taken meanwhile: a clear failure rather than an unhandled 'error' event
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${config.port} (the API) is already in use: set PORT to a free port`) : err),
    );
    server.listen(config.port, resolve);
  });
  // Idempotency-Keys are kept 72 hours: long enough for any client's retries
  const purge = setInterval(() => purgeIdempotencyRecords(database.db).catch((err) => logger.warn({ err }, 'idempotency purge failed')), 3600_000);
  purge.unref();
  const url = `http://localhost:${config.port}`;
  logger.info({ url }, 'API listening');
  return {
    url,
    async stop() {
      clearInterval(purge);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await temporal.connection.close();
      await database.close();
    },
  };
}

export async function runWorker(
  config: Config,
  infra: Infra,
  logger: Logger,
): Promise<Running & { done: Promise<void> }> {
  const secretBox = webhookSecretBox(config);
  if (config.legacyWebhookSecretSet) logger.warn('WEBHOOK_SECRET is no longer read: each unit has its own webhook secret (README → Notifications to units)');
  const database = await openDatabase(infra.databaseUrl, config, logger);
  const access = temporalAccess(config, infra);
  const { worker, connection } = await createTicketWorker({
    ...access,
    taskQueue: config.taskQueue,
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    deps: { database, logger, secretBox, webhookDelivery: config.webhookDelivery, platforms: config.platforms },
  });
  const client = await connectClient(access);
  await Promise.all([ensureReportSchedules(client, config.taskQueue, logger), ensureClassifierSchedule(client, config.taskQueue, logger)]).finally(() =>
    client.connection.close(),
  );
  const closeMetrics = config.workerMetricsPort === undefined ? undefined : await serveMetrics(config.workerMetricsPort, createMetrics());
  const done = worker.run().finally(async () => {
    await closeMetrics?.();
    await connection.close();
    await database.close();
  });
  logger.info({ taskQueue: config.taskQueue }, 'worker running');
  return {
    done,
    async stop() {
      // the SDK shuts the worker down on SIGINT/SIGTERM itself: a second shutdown would throw
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** Stops everything on SIGINT/SIGTERM, in reverse order of start. */
export function stopOnSignals(logger: Logger, parts: Running[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const part of [...parts].reverse()) {
      await part.stop().catch((err) => logger.error({ err }, 'error while stopping'));
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
