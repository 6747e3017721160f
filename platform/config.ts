/**
 * All configuration, from environment variables with their documented defaults (README →
 * Configuration). Nothing else in the code reads process.env.
 */
import path from 'node:path';

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
  /** seals units' webhook secrets at rest (32 bytes, hex or base64); the embedded default keeps one in DATA_DIR */
  webhookSecretsKey?: string;
  /** how long a rotated-out webhook secret still signs, by default */
  webhookSecretOverlapSeconds: number;
  /** how a notification is retried before it is `failed` */
  webhookDelivery: WebhookDeliveryPolicy;
  /** WEBHOOK_SECRET is set: it is no longer read, and the start says so */
  legacyWebhookSecretSet: boolean;
  /** how long an action may wait for its workflow before the API answers 503 */
  actionTimeoutMs: number;
  /** requests a minute one API key may make (429 beyond) */
  rateLimitPerMinute: number;
  /** requests of one API process that may talk to Temporal at once */
  temporalMaxInFlight: number;
  /** requests that may wait for their turn beyond those; more are shed at once with a 503 */
  temporalMaxQueued: number;
}

/** Retries of one notification's delivery (its delivery workflow reads it from the worker's config). */
export interface WebhookDeliveryPolicy {
  maxAttempts: number;
  initialIntervalSeconds: number;
  maximumIntervalSeconds: number;
  /** one attempt's limit for the receiver to answer */
  timeoutMs: number;
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
    webhookSecretsKey: env.WEBHOOK_SECRETS_KEY || undefined,
    webhookSecretOverlapSeconds: Number(env.WEBHOOK_SECRET_OVERLAP_SECONDS ?? 86_400),
    webhookDelivery: {
      maxAttempts: Number(env.WEBHOOK_MAX_ATTEMPTS ?? 10),
      initialIntervalSeconds: Number(env.WEBHOOK_RETRY_INITIAL_SECONDS ?? 5),
      maximumIntervalSeconds: Number(env.WEBHOOK_RETRY_MAX_SECONDS ?? 600),
      timeoutMs: Number(env.WEBHOOK_TIMEOUT_MS ?? 10_000),
    },
    legacyWebhookSecretSet: Boolean(env.WEBHOOK_SECRET),
    actionTimeoutMs: Number(env.ACTION_TIMEOUT_MS ?? 30_000),
    rateLimitPerMinute: Number(env.RATE_LIMIT_PER_MINUTE ?? 600),
    temporalMaxInFlight: Number(env.TEMPORAL_MAX_IN_FLIGHT ?? 16),
    temporalMaxQueued: Number(env.TEMPORAL_MAX_QUEUED ?? 16),
  };
}
