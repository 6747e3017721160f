/**
 * All configuration, from environment variables with their documented defaults (README →
 * Configuration). Nothing else in the code reads process.env.
 */
import path from 'node:path';
import { parsePayloadKeys, type PayloadKey } from './payload-codec';
import type { S3StoreConfig } from './storage';
import type { PlaceIndexPreference } from '../db/repeats-by-place';

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
  /** PAYLOAD_ENCRYPTION_KEYS, newest first; unset: the embedded default keeps a generated key in DATA_DIR */
  payloadKeys?: PayloadKey[];
  /** PAYLOAD_ACCEPT_PLAINTEXT: the migration window in which payloads written before the key are accepted */
  acceptPlaintextPayloads: boolean;
  /** the codec server's URL as the Temporal UI reaches it (the embedded default starts the UI with it) */
  codecEndpoint: string;
  /** origins of the Temporal UI allowed to call the codec server (CORS) */
  codecCorsOrigins: string[];
  /** mTLS to Temporal, when set */
  temporalTls?: TemporalTlsPaths;
  /** where the Temporal Core runtime serves the SDK's worker metrics (host:port); unset: off */
  temporalMetricsBindAddress?: string;
  /** port of a separate worker's /metrics (its domain counters); unset: none */
  workerMetricsPort?: number;
  /** workflows kept in the worker's memory between their tasks; the others replay from their history */
  workerMaxCachedWorkflows: number;
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
  /** where tickets from the provincial and national platforms are handed back (回传); an unset one is `no_webhook` */
  platforms: PlatformEndpoints;
  /** the index of repeats by place: `auto` (PostGIS where installed, else the grid), `grid` or `postgis` (required) */
  repeatsByPlaceIndex: PlaceIndexPreference;
}

/** The platforms that hand tickets over (domain/ticket.ts EXTERNAL_PLATFORMS). */
export type ExternalPlatformName = 'provincial_platform' | 'national_platform';

/** A platform's hand-back endpoint and the secrets it is signed with, newest first (two during a rotation). */
export interface PlatformEndpoint {
  url: string;
  secrets: string[];
}
export type PlatformEndpoints = Partial<Record<ExternalPlatformName, PlatformEndpoint>>;

/** The environment variables of each platform's endpoint: `<PREFIX>_URL` and `<PREFIX>_SECRETS`. */
export const PLATFORM_ENV: Record<ExternalPlatformName, { url: string; secrets: string }> = {
  provincial_platform: { url: 'PROVINCIAL_PLATFORM_URL', secrets: 'PROVINCIAL_PLATFORM_SECRETS' },
  national_platform: { url: 'NATIONAL_PLATFORM_URL', secrets: 'NATIONAL_PLATFORM_SECRETS' },
};

/** Files of the client certificate, its key and the CA of Temporal's frontend (PEM). */
export interface TemporalTlsPaths {
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  serverName?: string;
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
  const port = Number(env.PORT ?? 3000);
  const uiPort = Number(env.TEMPORAL_UI_PORT ?? 8233);
  return {
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'hotline-tickets',
    adminApiKey: env.ADMIN_API_KEY || undefined,
    dataDir,
    temporalCliPath: env.TEMPORAL_CLI_PATH || undefined,
    temporalPort: Number(env.TEMPORAL_PORT ?? 7233),
    temporalUiPort: uiPort,
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
    payloadKeys: env.PAYLOAD_ENCRYPTION_KEYS ? parsePayloadKeys(env.PAYLOAD_ENCRYPTION_KEYS) : undefined,
    acceptPlaintextPayloads: env.PAYLOAD_ACCEPT_PLAINTEXT === 'true',
    codecEndpoint: env.CODEC_ENDPOINT ?? `http://127.0.0.1:${port}/codec`,
    codecCorsOrigins: (env.CODEC_CORS_ORIGINS ?? `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`)
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    temporalTls: temporalTls(env),
    temporalMetricsBindAddress: env.TEMPORAL_METRICS_BIND_ADDRESS || undefined,
    workerMetricsPort: env.WORKER_METRICS_PORT ? Number(env.WORKER_METRICS_PORT) : undefined,
    // open tickets beyond it are evicted and replayed from their history when they next act: what
    // bounds the worker's memory however many tickets are open (README → Platform benchmarks)
    workerMaxCachedWorkflows: Number(env.WORKER_MAX_CACHED_WORKFLOWS ?? 500),
    reportLinkSecret: env.REPORT_LINK_SECRET || undefined,
    reportLinkTtlSeconds: Number(env.REPORT_LINK_TTL_SECONDS ?? 900),
    chromiumPath: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    tracesExporter: env.OTEL_TRACES_EXPORTER === 'otlp' ? 'otlp' : 'none',
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    serviceName: env.OTEL_SERVICE_NAME ?? 'hotline',
    open311JurisdictionId: env.OPEN311_JURISDICTION_ID ?? 'xinxiang.12345',
    open311RateLimitPerMinute: Number(env.OPEN311_RATE_LIMIT_PER_MINUTE ?? 120),
    citizenLookupPerMinute: Number(env.CITIZEN_LOOKUP_PER_MINUTE ?? 10),
    trustProxy: env.TRUST_PROXY || false,
    photoDir: path.resolve(env.PHOTO_DIR ?? path.join(dataDir, 'photos')),
    photoMaxBytes: Number(env.PHOTO_MAX_BYTES ?? 10 * 2 ** 20),
    photoFetchAllowHosts: (env.PHOTO_FETCH_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    photoS3: env.PHOTO_STORE === 's3' ? s3Config(env) : undefined,
    platforms: platformEndpoints(env),
    repeatsByPlaceIndex: placeIndexPreference(env.REPEATS_BY_PLACE_INDEX),
  };
}

const PLACE_INDEX_PREFERENCES: readonly PlaceIndexPreference[] = ['auto', 'postgis', 'grid'];

/** REPEATS_BY_PLACE_INDEX, `auto` when unset; another value stops the start, naming the variable. */
function placeIndexPreference(value: string | undefined): PlaceIndexPreference {
  if (!value) return 'auto';
  if (!(PLACE_INDEX_PREFERENCES as readonly string[]).includes(value)) {
    throw new Error(`REPEATS_BY_PLACE_INDEX must be one of ${PLACE_INDEX_PREFERENCES.join(', ')}, not ${JSON.stringify(value)}`);
  }
  return value as PlaceIndexPreference;
}

/**
 * PROVINCIAL_PLATFORM_URL with PROVINCIAL_PLATFORM_SECRETS (comma-separated, newest first), and the
 * same for NATIONAL_PLATFORM_*. A URL needs a secret: a hand-back is never sent unsigned.
 */
export function platformEndpoints(env: NodeJS.ProcessEnv): PlatformEndpoints {
  const out: PlatformEndpoints = {};
  for (const [platform, names] of Object.entries(PLATFORM_ENV) as [ExternalPlatformName, { url: string; secrets: string }][]) {
    const prefix = names.url.replace(/_URL$/, '');
    const url = env[names.url]?.trim();
    const secrets = (env[names.secrets] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!url) {
      if (secrets.length > 0) throw new Error(`${prefix}_SECRETS is set without ${prefix}_URL`);
      continue;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${prefix}_URL: '${url}' is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`${prefix}_URL must be an http(s) URL`);
    if (secrets.length === 0) throw new Error(`${prefix}_URL needs ${prefix}_SECRETS: a hand-back is never sent unsigned`);
    out[platform] = { url, secrets };
  }
  return out;
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

function temporalTls(env: NodeJS.ProcessEnv): TemporalTlsPaths | undefined {
  const tls = {
    certPath: env.TEMPORAL_TLS_CERT_PATH || undefined,
    keyPath: env.TEMPORAL_TLS_KEY_PATH || undefined,
    caPath: env.TEMPORAL_TLS_CA_PATH || undefined,
    serverName: env.TEMPORAL_TLS_SERVER_NAME || undefined,
  };
  if (!tls.certPath !== !tls.keyPath) throw new Error('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH are set together (the client certificate and its key)');
  return Object.values(tls).some(Boolean) ? tls : undefined;
}
