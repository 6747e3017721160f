/**
 * The error contract: {"error": {"code", "message", "details": [{path, message}]}}. Bad input is
 * always a 4xx naming the field; a dependency that is down is a 503 that can be retried.
 */
import type { ErrorRequestHandler } from 'express';
import { z } from '../domain/zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ACTION_NOT_ALLOWED, UNPROCESSABLE } from '../domain/lifecycle';
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
  const result = schema.safeParse(input);
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
    if (cause.type === UNPROCESSABLE) return new HttpError(422, 'unprocessable', cause.message);
  }
  return undefined;
}

export function isUnavailable(err: unknown): boolean {
  if (isGrpcServiceError(err)) return [4, 14].includes(err.code); // DEADLINE_EXCEEDED, UNAVAILABLE
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', '57P01', '57P03'].includes(code)) return true;
  const cause = (err as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== err && isUnavailable(cause);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: HttpError;
    const temporal = fromTemporal(err);
    if (err instanceof HttpError) e = err;
    else if (err?.type === 'entity.parse.failed') e = new HttpError(400, 'malformed_json', `the body is not valid JSON: ${err.message}`);
    else if (err?.type === 'entity.too.large') e = new HttpError(413, 'body_too_large', `the body exceeds the limit of ${err.limit} bytes`);
    else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') e = new HttpError(415, 'unsupported_encoding', err.message);
    else if (temporal) e = temporal;
    else if (err instanceof WorkflowNotFoundError) e = notFound('the ticket workflow');
    // an update not completed by the action deadline: reported as DEADLINE_EXCEEDED, or on a loaded
    // machine sometimes as CANCELLED ('Call cancelled'), which isUnavailable's codes do not cover
    else if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isUnavailable(err)) e = new HttpError(503, 'unavailable', 'a dependency (Postgres or Temporal) is unavailable; retry later');
    else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      e = new HttpError(500, 'internal', 'internal error');
    }
    if (e.status === 503) res.setHeader('Retry-After', '5');
    res.status(e.status).json({ error: { code: e.code, message: e.message, details: e.details } });
  };
}
