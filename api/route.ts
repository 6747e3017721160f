/**
 * Declares an endpoint once: the same zod schemas validate the request and describe it in the
 * OpenAPI document, so /openapi.json cannot drift from what the server accepts.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import { zodToOpenAPIRegistry, type OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from '../domain/zod';
import { UNREADABLE_TEXT_MESSAGE, isReadableText, type Role } from '../domain/ticket';
import { errorBody } from './views';
import { match, type MatchFunction } from 'path-to-regexp';
import { HttpError, parse, type ErrorDetail } from './errors';
import { requireRole } from './auth';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Endpoint<B extends z.ZodType, Q extends z.ZodType, R extends z.ZodType> {
  method: Method;
  /** express path, e.g. /v1/tickets/:id */
  path: string;
  /**
   * The operation's name for client generators (e.g. `signTicket`), unique in the API; required, so
   * an endpoint without one does not compile.
   */
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  roles: Role[];
  body?: B;
  /** Path parameters that are not any string (e.g. a numeric id): validated (400 naming them) and documented. */
  params?: Record<string, z.ZodType>;
  /**
   * A body the handler reads itself from the request stream (`req`), by media type, e.g. a
   * streamed NDJSON upload: documented, not parsed or validated here.
   */
  streamedBody?: Record<string, z.ZodType>;
  /**
   * Reads a streamed body into `req.body` (a Buffer) before the Idempotency-Key is claimed, so a
   * retry is told apart from another upload by its bytes (the photo upload).
   */
  readBody?: (req: Request) => Promise<Buffer>;
  query?: Q;
  response: R;
  /** The media type of `response`; other than JSON, the handler writes it to `res` itself. */
  mediaType?: string;
  /** Other media types of the success response, which the handler writes to `res` itself. */
  alsoProduces?: Record<string, z.ZodType>;
  status?: number;
  /** Other responses of this endpoint (e.g. 202 for an asynchronous request, 415 for a media type it refuses), which the handler sends itself. */
  alsoResponds?: Record<number, { description: string; schema: z.ZodType }>;
  /** request headers the endpoint reads, besides Authorization and Idempotency-Key */
  headers?: z.ZodObject;
  /** document the Idempotency-Key header */
  idempotent?: boolean;
  /**
   * Answers without an API key, for a browser following a link signed by the server (the
   * handler checks the signature); `roles` then names who may ask for such a link.
   */
  public?: boolean;
  /** an example request body and response, shown by /docs and sent by its "Try it out" */
  examples?: { body?: unknown; response?: unknown };

  handler: (ctx: {
    req: Request;
    res: Response;
    body: z.infer<B>;
    query: z.infer<Q>;
    params: Record<string, string>;
  }) => Promise<z.infer<R> | void>;
}

/**
 * Every error status the error handler (api/errors.ts) can answer, on every operation: a body
 * can come with any request, a GET included, so 413 and 415 too.
 */
export const ERRORS: Record<number, string> = {
  400: 'malformed JSON, unknown query parameter, or validation failed; `details` names each field',
  401: 'missing or invalid API key',
  403: 'the key may not do this',
  404: 'not found (or not visible to this unit)',
  409: "the ticket's status does not allow this action (`action_not_allowed`), or an attempt with this Idempotency-Key is still running (`idempotency_in_progress`: retry after Retry-After)",
  413: 'the body is larger than the limit',
  415: 'the body is not of a media type this endpoint reads (JSON in UTF-8, unless documented otherwise)',
  422: 'well-formed but impossible (e.g. unknown unit id)',
  429: 'too many requests with this API key; retry after `Retry-After` seconds',
  500: 'an internal error (a bug): logged with the request id of the `X-Request-Id` header',
  503: 'Postgres or Temporal is unavailable or overloaded; retry with the same Idempotency-Key after `Retry-After` seconds',
};

/**
 * The fields of a request that hold text no person types (NUL and other control characters,
 * unpaired surrogates), in names and values alike. One check for every string of every request,
 * so no endpoint depends on its schema remembering it.
 */
function unreadableFields(value: unknown, path: string, found: ErrorDetail[]): void {
  if (typeof value === 'string') {
    if (!isReadableText(value)) found.push({ path, message: UNREADABLE_TEXT_MESSAGE });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unreadableFields(item, path ? `${path}.${i}` : String(i), found));
  } else if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      const at = path ? `${path}.${name}` : name;
      if (!isReadableText(name)) found.push({ path: at, message: `the name ${UNREADABLE_TEXT_MESSAGE}` });
      else unreadableFields(item, at, found);
    }
  }
}

/**
 * Refuses what no endpoint reads, before anything acts on the request: a body of another media
 * type than JSON (415), a query parameter the endpoint does not declare (400), and unreadable text
 * anywhere in the path, the query or the body (400 naming the field).
 */
function acceptableInput(e: { body?: z.ZodType; query?: z.ZodType }): RequestHandler {
  const knownQuery = new Set(e.query ? Object.keys((e.query as unknown as z.ZodObject).shape) : []);
  return (req, _res, next) => {
    if (e.body && req.is('application/json') === false) {
      throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json', [
        { path: 'Content-Type', message: `must be application/json, not ${req.get('content-type')}` },
      ]);
    }
    const found: ErrorDetail[] = Object.keys(req.query)
      .filter((name) => !knownQuery.has(name))
      .map((name) => ({
        path: name,
        message: knownQuery.size ? `unknown query parameter; this endpoint reads ${[...knownQuery].join(', ')}` : 'this endpoint reads no query parameters',
      }));
    // fields are named as the validation names them: a parameter by its name, a body field by its path
    for (const part of [req.params, req.query, req.body]) unreadableFields(part, '', found);
    if (found.length) throw new HttpError(400, 'validation_failed', `invalid request: ${found[0]!.path}: ${found[0]!.message}`, found);
    next();
  };
}

export class Api {
  private readonly templates: { method: string; template: string; matches: MatchFunction<object>; public: boolean }[] = [];
  private readonly operationIds = new Set<string>();
  /** The schemas each operation validates its request with and answers by, for checking its examples (api/openapi-examples.ts). */
  readonly schemas = new Map<string, { body?: z.ZodType; params: z.ZodType; response: z.ZodType; mediaType: string }>();
  /** each object schema under one component name, the first it was given */
  private readonly components = new WeakMap<z.ZodType, z.ZodType>();

  constructor(
    readonly router: Router,
    readonly registry: OpenAPIRegistry,
    /** the Idempotency-Key middleware, applied to the endpoints marked idempotent */
    private readonly idempotency: RequestHandler,
    /** where the router is mounted; endpoint paths are written in full */
    private readonly mountPath = '/v1',
  ) {}

  /**
   * The template (`/v1/tickets/:id/sign`) of the endpoint a request path falls under, for metrics
   * and request logs: known even for a request refused before its endpoint ran (401, 413, 429).
   */
  templateOf(method: string, path: string): string | undefined {
    const m = method.toLowerCase();
    return this.templates.find((t) => t.method === m && t.matches(path))?.template;
  }

  /** Whether a request (its path below the mount path) is for an endpoint that needs no API key. */
  isPublic(method: string, path: string): boolean {
    const m = method.toLowerCase();
    return this.templates.find((t) => t.method === m && t.matches(this.mountPath + path))?.public ?? false;
  }

  /**
   * An object schema as a named component (`#/components/schemas/<name>`), which client
   * generators turn into a type of that name: the name given where the schema is defined
   * (`.openapi('Ticket')`), else the first endpoint's (`CreateTicketRequest`).
   */
  private component(schema: z.ZodType, name: string): z.ZodType {
    if (!(schema instanceof z.ZodObject) || zodToOpenAPIRegistry.get(schema)?._internal?.refId) return schema;
    let named = this.components.get(schema);
    if (!named) {
      named = this.registry.register(name, schema);
      this.components.set(schema, named);
    }
    return named;
  }

  endpoint<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodType>(
    e: Endpoint<B, Q, R>,
  ): void {
    if (this.operationIds.has(e.operationId)) throw new Error(`operationId ${e.operationId} is declared twice`);
    this.operationIds.add(e.operationId);
    this.templates.push({ method: e.method, template: e.path, matches: match(e.path, { decode: false }), public: e.public ?? false });
    const openApiPath = e.path.replace(/:(\w+)/g, '{$1}');
    const params = [...e.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const status = e.status ?? 200;
    const typeName = e.operationId[0]!.toUpperCase() + e.operationId.slice(1);
    const request: RouteConfig['request'] = {};
    const paramSchema = z.object(Object.fromEntries(params.map((p) => [p, e.params?.[p] ?? z.string()])));
    if (params.length) request.params = paramSchema;
    this.schemas.set(e.operationId, { body: e.body, params: paramSchema, response: e.response, mediaType: e.mediaType ?? 'application/json' });
    if (e.query) request.query = e.query as unknown as z.ZodObject;
    if (e.body) {
      request.body = {
        required: true,
        content: { 'application/json': { schema: this.component(e.body, `${typeName}Request`), ...(e.examples?.body !== undefined ? { example: e.examples.body } : {}) } },
      };
    }
    if (e.streamedBody) {
      // a streamed body's object schema is one record of the stream (a line of NDJSON)
      const content = Object.entries(e.streamedBody).map(([type, schema]) => [type, { schema: this.component(schema, `${typeName}Record`) }]);
      request.body = { required: true, content: Object.fromEntries(content) };
    }
    if (e.idempotent || e.headers) {
      request.headers = z.object({
        ...(e.idempotent ? { 'Idempotency-Key': z.string().max(200).optional().describe('replays the first response for a repeated request') } : {}),
        ...e.headers?.shape,
      });
    }
    this.registry.registerPath({
      method: e.method,
      path: openApiPath,
      operationId: e.operationId,
      summary: e.summary,
      description: `${e.description ? e.description + '\n\n' : ''}Roles: ${e.roles.join(', ')}.`,
      tags: [e.tag],
      security: e.public ? [] : [{ bearer: [] }],
      request,
      responses: {
        [status]: {
          description: 'success',
          content: {
            [e.mediaType ?? 'application/json']: {
              schema: this.component(e.response, `${typeName}Response`),
              ...(e.examples?.response !== undefined ? { example: e.examples.response } : {}),
            },
            ...Object.fromEntries(Object.entries(e.alsoProduces ?? {}).map(([type, schema]) => [type, { schema }])),
          },
        },
        ...Object.fromEntries(
          Object.entries(ERRORS).map(([code, description]) => [
            code,
            { description, content: { 'application/json': { schema: errorBody } } },
          ]),
        ),
        // an endpoint's own answers (e.g. 202 of an asynchronous import) say more than the generic ones
        ...Object.fromEntries(
          Object.entries(e.alsoResponds ?? {}).map(([code, r]) => [
            code,
            { description: r.description, content: { 'application/json': { schema: this.component(r.schema, `${typeName}${code}Response`) } } },
          ]),
        ),
      },
    });
    const readBody = e.readBody;
    const buffered: RequestHandler[] = readBody
      ? [
          async (req, _res, next) => {
            req.body = await readBody(req);
            next();
          },
        ]
      : [];
    const guards = [...(e.public ? [] : [requireRole(...e.roles)]), acceptableInput(e), ...buffered, ...(e.idempotent ? [this.idempotency] : [])];
    if (!e.path.startsWith(this.mountPath + '/')) throw new Error(`${e.path} is outside ${this.mountPath}`);
    this.router[e.method](e.path.slice(this.mountPath.length), ...guards, async (req: Request, res: Response) => {
      if (e.params) parse(paramSchema, req.params, 'path');
      const body = e.body ? parse(e.body, req.body, 'body') : undefined;
      const query = e.query ? parse(e.query, req.query, 'query') : undefined;
      const result = await e.handler({ req, res, body: body as z.infer<B>, query: query as z.infer<Q>, params: req.params as Record<string, string> });
      if (!res.headersSent) res.status(status).json(result);
    });
  }
}
