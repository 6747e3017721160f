/**
 * The whole system for an integration test, over real servers: Postgres, the run's Temporal dev
 * server, a real worker on its own task queue, and the Express app listening on a loopback port.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { inject } from 'vitest';
import { runBundle } from './bundle';
import { createApp } from '../../api/app';
import { hashKey } from '../../api/auth';
import { connectDatabase, type Database } from '../../db/client';
import { apiKeys, units } from '../../db/schema';
import type { Role } from '../../domain/ticket';
import { createLogger, type Logger } from '../../platform/logger';
import type { PlatformEndpoints, WebhookDeliveryPolicy } from '../../platform/config';
import { SecretBox } from '../../platform/secret-box';
import type { ActivityDeps } from '../../activities';
import { createMetrics } from '../../platform/metrics';
import { localBlobStore } from '../../platform/storage';
import postgres from 'postgres';
import { migrateDatabase } from '../../db/migrate';
import { loadDemoData } from '../../db/seed';
import { createDatabaseIfMissing, withDatabase } from '../../platform/postgres';
import { connectClient, ensureSearchAttributes } from '../../platform/temporal';
import { createTicketWorker, installTemporalRuntime } from '../../platform/worker';
import type { Client } from '@temporalio/client';
import { temporal as temporalProto } from '@temporalio/proto';
import { TEST_SEALING } from './keys';

/** the Temporal UI origin the test systems' codec server allows */
export const TEST_UI_ORIGIN = 'http://127.0.0.1:8233';
/** The key the test systems seal units' webhook secrets with. */
export const TEST_SECRET_BOX = new SecretBox(crypto.randomBytes(32));
/** Deliveries retried quickly, so a test sees a notification fail within seconds. */
export const TEST_WEBHOOK_DELIVERY: WebhookDeliveryPolicy = { maxAttempts: 3, initialIntervalSeconds: 1, maximumIntervalSeconds: 2, timeoutMs: 5_000 };

/** What a test's worker is built with. */
export function testWorkerDeps(database: Database, logger: Logger, webhookDelivery = TEST_WEBHOOK_DELIVERY, platforms: PlatformEndpoints = {}): ActivityDeps {
  return { database, logger, secretBox: TEST_SECRET_BOX, webhookDelivery, platforms };
}

export interface TestSystem {
  baseUrl: string;
  database: Database;
  temporal: Client;
  /** the task queue of this system's worker */
  taskQueue: string;
  adminKey: string;
  /** a fresh API key of a role (unit keys need a unitId) */
  key(role: Role, unitId?: string): Promise<string>;
  /** a fresh unit with a unique id */
  unit(name?: string, regionCode?: string): Promise<string>;
  call(method: string, path: string, opts?: { key?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * A database and a Temporal namespace of the system's own, for a test that changes what the other
 * files read (policy, calendar, routing, knowledge base): created with the demo city, dropped at stop.
 * The namespace keeps its ticket numbers, which restart at 1 in a new database, apart as workflow ids.
 */
export async function isolatedInfra(address: string): Promise<{ databaseUrl: string; namespace: string; drop(): Promise<void> }> {
  const name = `hotline_isolated_${crypto.randomBytes(6).toString('hex')}`;
  const adminUrl = withDatabase(inject('databaseUrl'), 'postgres');
  await createDatabaseIfMissing(adminUrl, name);
  const databaseUrl = withDatabase(adminUrl, name);
  await migrateDatabase(databaseUrl);
  const seeding = connectDatabase(databaseUrl, { max: 1 });
  await loadDemoData(seeding.db);
  await seeding.close();
  const namespace = name.replaceAll('_', '-');
  const client = await connectClient({ address, namespace: 'default', sealing: TEST_SEALING });
  await client.workflowService.registerNamespace(
    temporalProto.api.workflowservice.v1.RegisterNamespaceRequest.fromObject({ namespace, workflowExecutionRetentionPeriod: { seconds: 86_400 } }),
  );
  await ensureSearchAttributes(client, namespace);
  await client.connection.close();
  return {
    databaseUrl,
    namespace,
    async drop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
      await sql.end();
    },
  };
}

export async function startSystem(
  opts: {
    logLines?: string[];
    withoutWorker?: boolean;
    actionTimeoutMs?: number;
    rateLimitPerMinute?: number;
    maxSpooledImportBytes?: number;
    /** another Temporal server than the run's, e.g. one a test stops and kills */
    temporalAddress?: string;
    temporalMaxInFlight?: number;
    temporalMaxQueued?: number;
    /** lookups a minute per client IP of the citizen's lookup (default: no practical limit) */
    citizenLookupPerMinute?: number;
    /** the largest photo accepted */
    photoMaxBytes?: number;
    /** hosts a photo link may name although private or loopback (the test's own servers) */
    photoFetchAllowHosts?: string[];
    /** a database and Temporal namespace of its own, for a test that changes shared data (policy, calendar) */
    isolated?: boolean;
    /** the retries of notifications' deliveries */
    webhookDelivery?: WebhookDeliveryPolicy;
    /** the provincial and national platforms' hand-back endpoints (none: `no_webhook`) */
    platforms?: PlatformEndpoints;
    /** the clock of the next-year calendar warning (readiness, metric, supervision queue) */
    now?: () => Date;
    /** the worker runs the workflows in the test's own V8 isolate (platform/worker.ts workflowsInThisThread) */
    workflowsInThisThread?: boolean;
  } = {},
): Promise<TestSystem> {
  const logger = opts.logLines
    ? createLogger('info', { write: (line: string) => void opts.logLines!.push(line) })
    : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'error'));
  const address = opts.temporalAddress ?? inject('temporalAddress');
  const isolated = opts.isolated ? await isolatedInfra(address) : undefined;
  const databaseUrl = isolated?.databaseUrl ?? inject('databaseUrl');
  const namespace = isolated?.namespace ?? 'default';
  const taskQueue = `test-${crypto.randomUUID()}`;
  const database = connectDatabase(databaseUrl, { max: 5 });
  const temporal = await connectClient({ address, namespace, sealing: TEST_SEALING });
  const worker = opts.withoutWorker
    ? undefined
    : await createTicketWorker({
        address,
        namespace,
        sealing: TEST_SEALING,
        taskQueue,
        deps: testWorkerDeps(database, logger, opts.webhookDelivery, opts.platforms),
        workflowsInThisThread: opts.workflowsInThisThread,
        ...runBundle(),
      });
  const running = worker?.worker.run();
  const adminKey = `admin-${crypto.randomUUID()}`;
  const app = createApp({
    database,
    temporal,
    taskQueue,
    adminApiKey: adminKey,
    logger,
    metrics: createMetrics({ database, now: opts.now }),
    now: opts.now,
    actionTimeoutMs: opts.actionTimeoutMs,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 100_000,
    maxSpooledImportBytes: opts.maxSpooledImportBytes,
    temporalMaxInFlight: opts.temporalMaxInFlight,
    temporalMaxQueued: opts.temporalMaxQueued,
    codec: { sealing: TEST_SEALING, corsOrigins: [TEST_UI_ORIGIN] },
    secretBox: TEST_SECRET_BOX,
    open311RateLimitPerMinute: 100_000,
    citizenLookupPerMinute: opts.citizenLookupPerMinute ?? 100_000,
    photoStore: localBlobStore(fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-photos-'))),
    photoMaxBytes: opts.photoMaxBytes,
    photoFetchAllowHosts: opts.photoFetchAllowHosts,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const system: TestSystem = {
    baseUrl,
    database,
    temporal,
    taskQueue,
    adminKey,
    async key(role, unitId) {
      const key = `test-${crypto.randomUUID()}`;
      await database.db.insert(apiKeys).values({ id: `key-${crypto.randomUUID()}`, name: `${role} test key`, role, unitId, keyHash: hashKey(key) });
      return key;
    },
    async unit(name = '测试单位', regionCode = '410702') {
      const id = `u-${crypto.randomUUID().slice(0, 12)}`;
      await database.db.insert(units).values({ id, name, level: 'city', regionCode });
      return id;
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      let body: string | Uint8Array | undefined = opts.raw;
      if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(baseUrl + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (metrics, docs)
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      worker?.worker.shutdown();
      await running;
      await worker?.connection.close();
      await temporal.connection.close();
      await database.close();
      await isolated?.drop();
    },
  };
  return system;
}
