/**
 * The error contract: {"error": {"code", "message", "details": [{path, message}]}}. Bad input is
 * always a 4xx naming the field; a dependency that is down is a 503 that can be retried.
 */
import type { ErrorRequestHandler } from 'express';
import { z } from '../domain/zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ACTION_NOT_ALLOWED, ACTOR_NOT_ALLOWED, UNPROCESSABLE } from '../domain/lifecycle';
import { postgresErrorOf } from '../db/errors';
import type { Logger } from '../platform/logger';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** sent as Retry-After; a 503 without it says 5 */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} was not found`);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const conflict = (message: string, status?: string) =>
  new HttpError(409, 'action_not_allowed', message, status ? [{ path: 'status', message: `the ticket is '${status}'` }] : []);
export const unprocessable = (path: string, message: string) =>
  new HttpError(422, 'unprocessable', `${path}: ${message}`, [{ path, message }]);

/** Parses input with a zod schema, or throws a 400 that names every offending field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  let result: z.ZodSafeParseResult<z.infer<S>>;
  try {
    result = schema.safeParse(input);
  } catch (err) {
    // a refinement that cannot read the value (e.g. a date that is no date): the input is at fault
    throw new HttpError(400, 'validation_failed', `invalid ${where}: ${(err as Error).message}`, [{ path: where, message: (err as Error).message }]);
  }
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || where, message: i.message }));
  const first = details[0]!;
  throw new HttpError(400, 'validation_failed', `invalid ${where}: ${first.path}: ${first.message}`, details);
}

/** Turns a Temporal failure of an update into the HTTP error it means. */
export function fromTemporal(err: unknown): HttpError | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    if (cause.type === ACTION_NOT_ALLOWED) {
      const status = typeof cause.details?.[0] === 'string' ? (cause.details[0] as string) : undefined;
      return conflict(cause.message, status);
    }
    if (cause.type === UNPROCESSABLE) {
      // the workflow names the field (details[0]) where it can, e.g. a dispatch no rule routes
      const field = typeof cause.details?.[0] === 'string' ? (cause.details[0] as string) : undefined;
      return field ? new HttpError(422, 'unprocessable', cause.message, [{ path: field, message: cause.message.replace(`${field}: `, '') }]) : new HttpError(422, 'unprocessable', cause.message);
    }
    // the ticket moved to another unit between the API's check and the workflow's
    if (cause.type === ACTOR_NOT_ALLOWED) return forbidden(cause.message);
  }
  return undefined;
}

/**
 * gRPC codes of a Temporal that is down, overloaded or too slow: RESOURCE_EXHAUSTED, UNAVAILABLE,
 * DEADLINE_EXCEEDED, and CANCELLED, which is how a call cut off by the action deadline may end.
 */
const UNAVAILABLE_GRPC = [8, 14, 4, 1];
/** Errors of the `postgres` driver and of the socket when Postgres cannot be reached. */
const UNAVAILABLE_CONNECTION = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'];

/**
 * A dependency that is down or overloaded, so the request may be retried: Postgres SQLSTATE
 * class 08 (connection exception), 53 (insufficient resources, e.g. 53300 too many connections),
 * 57P01–57P05 (shutdown, cannot connect now), a lost connection, or Temporal's gRPC codes above.
 */
export function isUnavailable(err: unknown): boolean {
  // an update whose outcome did not come back in time may or may not have been applied: the
  // retry with the same key (the same update id) finds out
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (isGrpcServiceError(err)) return UNAVAILABLE_GRPC.includes(err.code);
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CONNECTION.includes(code) || /^(08|53)[0-9A-Z]{3}$|^57P0[1-5]$/.test(code))) return true;
  const cause = (err as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== err && isUnavailable(cause);
}

/**
 * A value Postgres refused as data (SQLSTATE class 22: NUL in text, a date or number out of range,
 * a string too long): bad input that got past validation.
 */
function postgresDataException(err: unknown) {
  const e = postgresErrorOf(err);
  return e?.code.startsWith('22') ? e : undefined;
}

/** Express's and body-parser's own client errors: a path parameter that does not decode, an aborted body. */
const isClientHttpError = (err: unknown): err is Error & { status: number } => {
  const status = (err as { status?: unknown } | undefined)?.status;
  return err instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: HttpError;
    const temporal = fromTemporal(err);
    const dataException = postgresDataException(err);
    if (err instanceof HttpError) e = err;
    else if (err?.type === 'entity.parse.failed') e = new HttpError(400, 'malformed_json', `the body is not valid JSON: ${err.message}`, [{ path: 'body', message: err.message }]);
    else if (err?.type === 'entity.too.large') e = new HttpError(413, 'body_too_large', `the body exceeds the limit of ${err.limit} bytes`, [{ path: 'body', message: `exceeds ${err.limit} bytes` }]);
    else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') e = new HttpError(415, 'unsupported_encoding', err.message, [{ path: 'Content-Type', message: err.message }]);
    else if (isClientHttpError(err)) e = new HttpError(err.status, 'bad_request', err.message, [{ path: 'type' in err ? 'body' : 'path', message: err.message }]);
    else if (dataException) {
      const path = dataException.column_name ?? (req.body === undefined ? 'query' : 'body');
      e = new HttpError(400, 'validation_failed', `invalid ${path}: ${dataException.message}`, [{ path, message: dataException.message }]);
    } else if (temporal) e = temporal;
    else if (err instanceof WorkflowNotFoundError) e = notFound('the ticket workflow');
    else if (isUnavailable(err)) e = new HttpError(503, 'unavailable', 'a dependency (Postgres or Temporal) is unavailable; retry later');
    else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      e = new HttpError(500, 'internal', 'internal error');
    }
    if (e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(e.retryAfterSeconds));
    else if (e.status === 503) res.setHeader('Retry-After', '5');
    // a handler may have set up another kind of response (a CSV download) before it failed
    res.removeHeader('Content-Disposition');
    res.type('json').status(e.status).json({ error: { code: e.code, message: e.message, details: e.details } });
  };
}
