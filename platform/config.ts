/**
 * All configuration, from environment variables with their documented defaults (README →
 * Configuration). Nothing else in the code reads process.env.
 */
import path from 'node:path';
import type { S3StoreConfig } from './storage';

export interface Config {
  port: number;
  /** unset: the embedded default provides Postgres */
  databaseUrl?: string;
  /** unset: the embedded default starts a Temporal dev server */
  temporalAddress?: string;
  temporalNamespace: string;
  taskQueue: string;
  adminApiKey?: string;
  dataDir: string;
  temporalCliPath?: string;
  /** port of the embedded Temporal dev server and its UI */
  temporalPort: number;
  temporalUiPort: number;
  logLevel: string;
  /** limit of a JSON body, e.g. "1mb" */
  bodyLimit: string;
  /** key of the HMAC signature on notifications to units' webhooks */
  webhookSecret: string;
  /** how long an action may wait for its workflow before the API answers 503 */
  actionTimeoutMs: number;
  /** requests a minute one API key may make (429 beyond) */
  rateLimitPerMinute: number;
  /** requests of one API process that may talk to Temporal at once */
  temporalMaxInFlight: number;
  /** requests that may wait for their turn beyond those; more are shed at once with a 503 */
  temporalMaxQueued: number;
  /** Open311: the jurisdiction_id this server answers for */
  open311JurisdictionId: string;
  /** Open311 and the citizen's lookup: requests a minute per client IP */
  open311RateLimitPerMinute: number;
  citizenLookupPerMinute: number;
  /** Express's `trust proxy`: behind a proxy, client IPs come from X-Forwarded-For */
  trustProxy: string | false;
  /** the local folder of ticket photos, and the largest photo accepted */
  photoDir: string;
  photoMaxBytes: number;
  /** hosts a photo link may name although they are private or loopback */
  photoFetchAllowHosts: string[];
  /** PHOTO_STORE=s3: an S3-compatible store instead of the folder */
  photoS3?: S3StoreConfig;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? 'data');
  return {
    port: Number(env.PORT ?? 3000),
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'hotline-tickets',
    adminApiKey: env.ADMIN_API_KEY || undefined,
    dataDir,
    temporalCliPath: env.TEMPORAL_CLI_PATH || undefined,
    temporalPort: Number(env.TEMPORAL_PORT ?? 7233),
    temporalUiPort: Number(env.TEMPORAL_UI_PORT ?? 8233),
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    bodyLimit: env.BODY_LIMIT ?? '1mb',
    webhookSecret: env.WEBHOOK_SECRET ?? 'hotline-dev-webhook-secret',
    actionTimeoutMs: Number(env.ACTION_TIMEOUT_MS ?? 30_000),
    rateLimitPerMinute: Number(env.RATE_LIMIT_PER_MINUTE ?? 600),
    temporalMaxInFlight: Number(env.TEMPORAL_MAX_IN_FLIGHT ?? 16),
    temporalMaxQueued: Number(env.TEMPORAL_MAX_QUEUED ?? 16),
    open311JurisdictionId: env.OPEN311_JURISDICTION_ID ?? 'xinxiang.12345',
    open311RateLimitPerMinute: Number(env.OPEN311_RATE_LIMIT_PER_MINUTE ?? 120),
    citizenLookupPerMinute: Number(env.CITIZEN_LOOKUP_PER_MINUTE ?? 10),
    trustProxy: env.TRUST_PROXY || false,
    photoDir: path.resolve(env.PHOTO_DIR ?? path.join(dataDir, 'photos')),
    photoMaxBytes: Number(env.PHOTO_MAX_BYTES ?? 10 * 2 ** 20),
    photoFetchAllowHosts: (env.PHOTO_FETCH_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    photoS3: env.PHOTO_STORE === 's3' ? s3Config(env) : undefined,
  };
}

function s3Config(env: NodeJS.ProcessEnv): S3StoreConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`PHOTO_STORE=s3 needs ${name}`);
    return value;
  };
  return {
    bucket: required('S3_BUCKET'),
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.S3_REGION ?? 'us-east-1',
    accessKeyId: required('S3_ACCESS_KEY_ID'),
    secretAccessKey: required('S3_SECRET_ACCESS_KEY'),
    forcePathStyle: (env.S3_FORCE_PATH_STYLE ?? 'true') === 'true',
  };
}
