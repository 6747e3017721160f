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
  /** where the Temporal Core runtime serves the SDK's worker metrics (host:port); unset: off */
  temporalMetricsBindAddress?: string;
  /** port of a separate worker's /metrics (its domain counters); unset: none */
  workerMetricsPort?: number;
  /** key of the signature on report links; unset: a key of the process (links die with it) */
  reportLinkSecret?: string;
  reportLinkTtlSeconds: number;
  /** the Chromium that prints reports to PDF */
  chromiumPath: string;
  /** OpenTelemetry traces: `otlp` sends them to otlpEndpoint; `none` (default) leaves them off */
  tracesExporter: 'none' | 'otlp';
  otlpEndpoint?: string;
  /** the service name on this process's spans */
  serviceName: string;
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
    temporalMetricsBindAddress: env.TEMPORAL_METRICS_BIND_ADDRESS || undefined,
    workerMetricsPort: env.WORKER_METRICS_PORT ? Number(env.WORKER_METRICS_PORT) : undefined,
    reportLinkSecret: env.REPORT_LINK_SECRET || undefined,
    reportLinkTtlSeconds: Number(env.REPORT_LINK_TTL_SECONDS ?? 900),
    chromiumPath: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    tracesExporter: env.OTEL_TRACES_EXPORTER === 'otlp' ? 'otlp' : 'none',
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    serviceName: env.OTEL_SERVICE_NAME ?? 'hotline',
  };
}
