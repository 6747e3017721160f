/**
 * The Express application: auth, idempotency, the endpoints, the OpenAPI document and docs,
 * health, readiness and metrics. Built from its dependencies so tests run it in-process.
 */
import crypto from 'node:crypto';
import express, { type Express } from 'express';
import type { ReportLinkOptions } from './report-link';
import { rateLimit } from 'express-rate-limit';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import { nextYearCalendarNotice, type OperatorNotice } from '../db/policy';
import { placeIndexOf } from '../db/repeats-by-place';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import type { SecretBox } from '../platform/secret-box';
import { adminRoutes } from './admin';
import { analyticsRoutes } from './analytics';
import { authenticate } from './auth';
import { jsonBody } from './body';
import { errorBody } from './views';
import { errorHandler, HttpError } from './errors';
import { idempotency } from './idempotency';
import { TemporalCalls } from './temporal-calls';
import { beforeDeadline } from '../platform/deadline';
import { requestIdFrom, runWithRequest } from '../platform/request-context';
import { importRoutes } from './import';
import { notificationRoutes } from './notifications';
import { Api } from './route';
import { addExamples } from './openapi-examples';
import { classificationRoutes } from './classification';
import { codecRoutes, type CodecServerOptions } from './codec';
import { supervisionRoutes } from './supervision';
import { ticketRoutes } from './tickets';
import { OPEN311_BASE, open311Routes } from './open311/routes';
import { citizenRoutes } from './citizen';
import { photoRoutes } from './photos';
import type { BlobStore } from '../platform/storage';

export interface AppDeps {
  database: Database;
  temporal: Client;
  taskQueue: string;
  adminApiKey?: string;
  logger: Logger;
  metrics: Metrics;
  bodyLimit?: string;
  /** how long an action may wait for its workflow before the API answers 503 */
  actionTimeoutMs?: number;
  /** requests a minute one API key may make (429 beyond) */
  rateLimitPerMinute?: number;
  /** the most an asynchronous import stores before it is imported (413 beyond) */
  maxSpooledImportBytes?: number;
  /** seals units' webhook secrets (WEBHOOK_SECRETS_KEY) */
  secretBox: SecretBox;
  /** how long a replaced webhook secret still signs by default (WEBHOOK_SECRET_OVERLAP_SECONDS) */
  webhookSecretOverlapSeconds?: number;
  /** requests that may talk to Temporal at once, and that may wait for their turn (503 beyond) */
  temporalMaxInFlight?: number;
  temporalMaxQueued?: number;
  /** the Temporal UI's codec server (api/codec.ts), with the installation's payload keys */
  codec?: CodecServerOptions;
  /** the clock of the calendar warning and of signed report links (tests set the date) */
  now?: () => Date;
  /** how report links are signed and how long they last (default: a key of this process, 15 minutes) */
  reportLinks?: ReportLinkOptions;
  /** the Chromium that prints reports to PDF */
  chromiumPath?: string;
  /** Open311: the jurisdiction served, and requests a minute per client IP */
  open311JurisdictionId?: string;
  open311RateLimitPerMinute?: number;
  /** the citizen's lookup: lookups a minute per client IP */
  citizenLookupPerMinute?: number;
  /** Express's `trust proxy` (client IPs from X-Forwarded-For behind a proxy) */
  trustProxy?: string | false;
  /** where ticket photos are kept, and the largest one accepted (413 beyond) */
  photoStore: BlobStore;
  photoMaxBytes?: number;
  /** hosts a photo link may name although private or loopback */
  photoFetchAllowHosts?: readonly string[];
}

/**
 * What an operator must act on although the service works (next year's calendar not loaded):
 * listed by /readyz as warnings. Postgres being down is the readiness check's to report.
 */
async function operatorNotices(db: Database['db'], now: () => Date): Promise<OperatorNotice[]> {
  // bounded like the checks, so a frozen Postgres does not hold readiness past its deadline
  const deadline = Date.now() + READINESS_CHECK_MS;
  const calendar = await beforeDeadline(nextYearCalendarNotice(db, now()), deadline, new Error('postgres did not answer')).catch(() => undefined);
  return calendar ? [calendar] : [];
}

/** How long /readyz waits for each dependency. */
const READINESS_CHECK_MS = 1500;
/**
 * An attempt holds its Idempotency-Key for the action deadline and this margin, which covers its
 * Postgres reads and writes around the Temporal calls; past it, a retry may take the key over.
 */
const IDEMPOTENCY_LEASE_MARGIN_MS = 10_000;

export function createApp(deps: AppDeps): Express {
  const { database, temporal, logger, metrics } = deps;
  const { db } = database;
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (deps.trustProxy) app.set('trust proxy', deps.trustProxy);

  // created before the endpoints are declared; the request line asks it for a request's route template
  let api: Api | undefined;
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    // a client's own request id when it is a plain token, so its logs and ours (and the audit
    // of an admin change) can be matched; else one of ours
    const requestId = requestIdFrom(req.get('x-request-id'));
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    // the path as the client sent it (with /v1), without the query, which may hold personal data
    const path = req.originalUrl.split('?')[0]!;
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // the template of the endpoint the path falls under, also when the request failed before it ran
      const route = api?.templateOf(req.method, path) ?? (req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched');
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      logger.info(
        {
          requestId,
          method: req.method,
          path,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          ticketId: res.locals.ticketId,
          principal: res.locals.principal?.id,
        },
        'request',
      );
    });
    runWithRequest({ requestId }, next);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    // each check bounded, so a frozen dependency makes readiness fail rather than hang
    const check = (name: string, probe: () => Promise<unknown>) => {
      const deadline = Date.now() + READINESS_CHECK_MS;
      return beforeDeadline(probe(), deadline, new Error(`${name} did not answer`)).then(
        () => [name, 'ok'] as const,
        () => [name, 'unavailable'] as const,
      );
    };
    const [checks, warnings, placeIndex] = await Promise.all([
      Promise.all([
        check('postgres', () => database.sql`select 1`),
        check('temporal', () => temporal.withDeadline(Date.now() + READINESS_CHECK_MS, () => temporal.workflowService.getSystemInfo({}))),
      ]),
      operatorNotices(database.db, now),
      // chosen at start (cached); unknown while Postgres does not answer
      beforeDeadline(placeIndexOf(db), Date.now() + READINESS_CHECK_MS, new Error('postgres did not answer')).catch(() => undefined),
    ]);
    const ready = checks.every(([, s]) => s === 'ok');
    // a warning (e.g. next year's calendar not loaded) needs an operator but does not stop the service
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(checks),
      ...(placeIndex ? { repeatsByPlaceIndex: placeIndex } : {}),
      ...(warnings.length ? { warnings } : {}),
    });
  });
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.scrape();
    res.type(contentType).send(body);
  });

  if (deps.codec) app.use('/codec', codecRoutes(db, deps.adminApiKey, deps.codec));

  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API key' });
  registry.register('Error', errorBody);
  const v1 = express.Router();
  v1.use(jsonBody(deps.bodyLimit ?? '1mb'));
  const withKey = (guard: express.RequestHandler): express.RequestHandler => (req, res, next) =>
    api!.isPublic(req.method, req.path) ? next() : guard(req, res, next);
  // an endpoint opened by a signed link needs no key, and so has no key to count requests by
  v1.use(withKey(authenticate(db, deps.adminApiKey)));
  // per API key, in this process's memory: with several API replicas each applies its own limit
  v1.use(
    withKey(rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerMinute ?? 600,
      keyGenerator: (_req, res) => res.locals.principal.id,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, _res, next, options) =>
        next(new HttpError(429, 'rate_limited', `more than ${options.limit} requests a minute with this API key; retry later`)),
    })),
  );
  const actionTimeoutMs = deps.actionTimeoutMs ?? 30_000;
  const temporalCalls = new TemporalCalls(temporal, {
    timeoutMs: actionTimeoutMs,
    maxInFlight: deps.temporalMaxInFlight ?? 16,
    maxQueued: deps.temporalMaxQueued ?? 16,
  });
  // one Idempotency-Key mechanism for the JSON API, Open311's POST requests and the photo upload
  const idempotencyOptions = { leaseMs: actionTimeoutMs + IDEMPOTENCY_LEASE_MARGIN_MS, logger };
  api = new Api(v1, registry, idempotency(db, idempotencyOptions));
  const reception = ticketRoutes(api, { db, temporal, taskQueue: deps.taskQueue, temporalCalls });
  adminRoutes(api, db);
  analyticsRoutes(api, {
    db,
    temporal,
    taskQueue: deps.taskQueue,
    temporalCalls,
    now,
    reportLinks: deps.reportLinks ?? { secret: crypto.randomBytes(32).toString('hex'), ttlSeconds: 900 },
    chromiumPath: deps.chromiumPath ?? '/usr/bin/chromium',
  });
  importRoutes(api, { db, logger, maxSpooledBytes: deps.maxSpooledImportBytes });
  supervisionRoutes(api, db, now);
  notificationRoutes(api, {
    db,
    temporal,
    taskQueue: deps.taskQueue,
    temporalCalls,
    secretBox: deps.secretBox,
    defaultOverlapSeconds: deps.webhookSecretOverlapSeconds ?? 86_400,
  });
  classificationRoutes(api, { db, temporal, taskQueue: deps.taskQueue, temporalCalls });
  photoRoutes(api, { db, store: deps.photoStore, maxBytes: deps.photoMaxBytes ?? 10 * 2 ** 20, fetchAllowHosts: deps.photoFetchAllowHosts ?? [] });
  app.use('/v1', v1);
  // public doors, without a bearer key: Open311 (its own error format) and the citizen's lookup
  app.use(
    OPEN311_BASE,
    open311Routes({
      db,
      reception,
      jurisdictionId: deps.open311JurisdictionId ?? 'xinxiang.12345',
      adminApiKey: deps.adminApiKey,
      bodyLimit: deps.bodyLimit ?? '1mb',
      rateLimitPerMinute: deps.open311RateLimitPerMinute ?? 120,
      idempotency: idempotencyOptions,
    }),
  );
  app.use(citizenRoutes(db, registry, { perMinute: deps.citizenLookupPerMinute ?? 10, bodyLimit: deps.bodyLimit ?? '1mb' }));

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: '12345 citizen hotline API',
      version: '1.0.0',
      description: 'Tickets of the 12345 hotline (政务服务便民热线), each a durable Temporal workflow. See README.',
    },
    servers: [{ url: '/' }],
  });
  // request and response examples for /docs and client generators (api/openapi-examples.ts)
  addExamples(document);
  // the zod schemas behind the document, for the test of its examples
  app.locals.endpointSchemas = api.schemas;
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  app.use('/docs/assets', express.static(getAbsoluteFSPath(), { index: false }));

  app.use((req) => {
    throw new HttpError(404, 'not_found', `no endpoint ${req.method} ${req.path}`);
  });
  app.use(errorHandler(logger));
  return app;
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>12345 hotline API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script>
</body></html>`;
