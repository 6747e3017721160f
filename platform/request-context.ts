/**
 * The request a piece of work runs for, carried through async calls (AsyncLocalStorage), so every
 * log line written while serving a request names it (`requestId`) without passing a logger down.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import { trace } from '@opentelemetry/api';

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequest<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** An incoming X-Request-Id is kept when it is a sane token (a proxy's or a client's); else a new one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(incoming: string | undefined): string {
  return incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/**
 * What every log line carries of the work it is written for: the request id in the API, and with
 * tracing on the trace id, which an activity's lines share with the request that caused them.
 */
export function logContext(): { requestId?: string; traceId?: string } {
  const requestId = storage.getStore()?.requestId;
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return { ...(requestId ? { requestId } : {}), ...(traceId ? { traceId } : {}) };
}
