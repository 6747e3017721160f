/**
 * Running the two processes, the API server and the worker, against a given Postgres and
 * Temporal. The separate entrypoints (bin/api.ts, bin/worker.ts) and the all-in-one embedded
 * start (bin/start.ts) share these.
 */
import http from 'node:http';
import { createApp } from '../api/app';
import { localBlobStore, s3BlobStore } from './storage';
import { purgeIdempotencyRecords } from '../api/idempotency';
import { connectDatabase, type Database } from '../db/client';
import { markInterruptedImports } from '../db/import';
import { migrateDatabase } from '../db/migrate';
import { seedTaxonomy } from '../db/seed';
import type { Config } from './config';
import type { Logger } from './logger';
import { createMetrics } from './metrics';
import { assertPortsFree } from './ports';
import { connectClient, ensureSearchAttributes } from './temporal';
import { ensureReportSchedules } from './schedules';
import { createTicketWorker } from './worker';

export interface Running {
  stop(): Promise<void>;
}

/** Migrates the database (under an advisory lock) and opens a connection pool. */
export async function openDatabase(url: string): Promise<Database> {
  await migrateDatabase(url);
  const database = connectDatabase(url);
  await seedTaxonomy(database.db);
  return database;
}

export async function runApi(
  config: Config,
  infra: { databaseUrl: string; temporalAddress: string },
  logger: Logger,
): Promise<Running & { url: string }> {
  await assertPortsFree([{ port: config.port, what: 'the API', env: 'PORT' }]);
  const database = await openDatabase(infra.databaseUrl);
  const temporal = await connectClient(infra.temporalAddress, config.temporalNamespace);
  await ensureSearchAttributes(temporal, config.temporalNamespace, logger);
  // imports left running by an API process that stopped (those no longer refreshed)
  await markInterruptedImports(database.db);
  const app = createApp({
    database,
    temporal,
    taskQueue: config.taskQueue,
    adminApiKey: config.adminApiKey,
    logger,
    metrics: createMetrics(),
    bodyLimit: config.bodyLimit,
    actionTimeoutMs: config.actionTimeoutMs,
    rateLimitPerMinute: config.rateLimitPerMinute,
    temporalMaxInFlight: config.temporalMaxInFlight,
    temporalMaxQueued: config.temporalMaxQueued,
    open311JurisdictionId: config.open311JurisdictionId,
    open311RateLimitPerMinute: config.open311RateLimitPerMinute,
    citizenLookupPerMinute: config.citizenLookupPerMinute,
    trustProxy: config.trustProxy,
    photoStore: config.photoS3 ? s3BlobStore(config.photoS3) : localBlobStore(config.photoDir),
    photoMaxBytes: config.photoMaxBytes,
    photoFetchAllowHosts: config.photoFetchAllowHosts,
  });
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
  infra: { databaseUrl: string; temporalAddress: string },
  logger: Logger,
): Promise<Running & { done: Promise<void> }> {
  const database = await openDatabase(infra.databaseUrl);
  const { worker, connection } = await createTicketWorker({
    address: infra.temporalAddress,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps: { database, logger, webhookSecret: config.webhookSecret },
  });
  const client = await connectClient(infra.temporalAddress, config.temporalNamespace);
  await ensureReportSchedules(client, config.taskQueue, logger).finally(() => client.connection.close());
  const done = worker.run().finally(async () => {
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
