/**
 * Declares an endpoint once: the same zod schemas validate the request and describe it in the
 * OpenAPI document, so /openapi.json cannot drift from what the server accepts.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from '../domain/zod';
import type { Role } from '../domain/ticket';
import { errorBody } from './views';
import { parse } from './errors';
import { requireRole } from './auth';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Endpoint<B extends z.ZodType, Q extends z.ZodType, R extends z.ZodType> {
  method: Method;
  /** express path, e.g. /v1/tickets/:id */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  roles: Role[];
  body?: B;
  /**
   * A body the handler reads itself from the request stream (`req`), by media type, e.g. a
   * streamed NDJSON upload: documented, not parsed or validated here.
   */
  streamedBody?: Record<string, z.ZodType>;
  query?: Q;
  response: R;
  /** The media type of `response`; other than JSON, the handler writes it to `res` itself. */
  mediaType?: string;
  /** Other media types of the success response, which the handler writes to `res` itself. */
  alsoProduces?: Record<string, z.ZodType>;
  status?: number;
  /** document the Idempotency-Key header */
  idempotent?: boolean;
  handler: (ctx: {
    req: Request;
    res: Response;
    body: z.infer<B>;
    query: z.infer<Q>;
    params: Record<string, string>;
  }) => Promise<z.infer<R> | void>;
}

const ERRORS: Record<number, string> = {
  400: 'malformed JSON or validation failed',
  401: 'missing or invalid API key',
  403: 'the key may not do this',
  404: 'not found (or not visible to this unit)',
  409: "the ticket's status does not allow this action (`action_not_allowed`), or an attempt with this Idempotency-Key is still running (`idempotency_in_progress`: retry after Retry-After)",
  422: 'well-formed but impossible (e.g. unknown unit id)',
  429: 'too many requests with this API key; retry after Retry-After',
  503: 'Postgres or Temporal is unavailable or overloaded; retry with the same Idempotency-Key after Retry-After',
};

export class Api {
  constructor(
    readonly router: Router,
    readonly registry: OpenAPIRegistry,
    /** the Idempotency-Key middleware, applied to the endpoints marked idempotent */
    private readonly idempotency: RequestHandler,
    /** where the router is mounted; endpoint paths are written in full */
    private readonly mountPath = '/v1',
  ) {}

  endpoint<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodType>(
    e: Endpoint<B, Q, R>,
  ): void {
    const openApiPath = e.path.replace(/:(\w+)/g, '{$1}');
    const params = [...e.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const status = e.status ?? 200;
    const request: RouteConfig['request'] = {};
    if (params.length) request.params = z.object(Object.fromEntries(params.map((p) => [p, z.string()])));
    if (e.query) request.query = e.query as unknown as z.ZodObject;
    if (e.body) request.body = { required: true, content: { 'application/json': { schema: e.body } } };
    if (e.streamedBody) {
      request.body = { required: true, content: Object.fromEntries(Object.entries(e.streamedBody).map(([type, schema]) => [type, { schema }])) };
    }
    if (e.idempotent) {
      request.headers = z.object({
        'Idempotency-Key': z.string().max(200).optional().describe('replays the first response for a repeated request'),
      });
    }
    this.registry.registerPath({
      method: e.method,
      path: openApiPath,
      summary: e.summary,
      description: `${e.description ? e.description + '\n\n' : ''}Roles: ${e.roles.join(', ')}.`,
      tags: [e.tag],
      security: [{ bearer: [] }],
      request,
      responses: {
        [status]: {
          description: 'success',
          content: {
            [e.mediaType ?? 'application/json']: { schema: e.response },
            ...Object.fromEntries(Object.entries(e.alsoProduces ?? {}).map(([type, schema]) => [type, { schema }])),
          },
        },
        ...Object.fromEntries(
          Object.entries(ERRORS).map(([code, description]) => [
            code,
            { description, content: { 'application/json': { schema: errorBody } } },
          ]),
        ),
      },
    });
    const guards = e.idempotent ? [requireRole(...e.roles), this.idempotency] : [requireRole(...e.roles)];
    if (!e.path.startsWith(this.mountPath + '/')) throw new Error(`${e.path} is outside ${this.mountPath}`);
    this.router[e.method](e.path.slice(this.mountPath.length), ...guards, async (req: Request, res: Response) => {
      const body = e.body ? parse(e.body, req.body, 'body') : undefined;
      const query = e.query ? parse(e.query, req.query, 'query') : undefined;
      const result = await e.handler({ req, res, body: body as z.infer<B>, query: query as z.infer<Q>, params: req.params as Record<string, string> });
      if (!res.headersSent) res.status(status).json(result);
    });
  }
}
