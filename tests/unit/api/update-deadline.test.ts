/**
 * An action whose update the workflow does not complete by the action deadline is a 503 the client
 * retries, whichever gRPC status the Temporal client reports the passed deadline with.
 */
import { describe, expect, it } from 'vitest';
import type { Request, Response } from 'express';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { errorHandler } from '../../../api/errors';
import { createLogger } from '../../../platform/logger';

const grpcStatus = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

/** The status and Retry-After the API's error handler answers an error with. */
function answer(err: unknown): { status: number; retryAfter?: string; code: string } {
  const headers = new Map<string, string>();
  let status = 0;
  let body: { error: { code: string } } | undefined;
  const res = {
    setHeader: (name: string, value: string) => void headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => void headers.delete(name.toLowerCase()),
    type: () => res,
    status: (s: number) => ((status = s), res),
    json: (b: typeof body) => ((body = b), res),
  };
  errorHandler(createLogger('silent'))(err, { method: 'POST', path: '/v1/tickets' } as Request, res as unknown as Response, () => undefined);
  return { status, retryAfter: headers.get('retry-after'), code: body!.error.code };
}

describe('an update past the action deadline', () => {
  it('is a 503 to retry when the client reports DEADLINE_EXCEEDED', () => {
    const err = new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded', { cause: grpcStatus(4, 'Deadline exceeded') });
    expect(answer(err)).toEqual({ status: 503, retryAfter: '5', code: 'unavailable' });
  });

  // seen on a loaded machine: unavailable-http's create got a 500 instead of its 503
  it('is a 503 to retry when the client reports CANCELLED', () => {
    const err = new WorkflowUpdateRPCTimeoutOrCancelledError('Call cancelled', { cause: grpcStatus(1, 'Call cancelled') });
    expect(answer(err)).toEqual({ status: 503, retryAfter: '5', code: 'unavailable' });
  });
});
