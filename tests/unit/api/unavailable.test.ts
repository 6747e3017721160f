/**
 * An action whose update the workflow does not complete by the action deadline is a 503 the client
 * retries, whichever gRPC status the Temporal client reports the passed deadline with.
 */
import { describe, expect, it } from 'vitest';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { isUnavailable } from '../../../api/errors';

const grpcStatus = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

describe('an update past the action deadline', () => {
  it('is unavailable when the client reports DEADLINE_EXCEEDED', () => {
    const cause = grpcStatus(4, 'Deadline exceeded');
    expect(isUnavailable(new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded', { cause }))).toBe(true);
  });

  // seen on a loaded machine: the second create retried with its Idempotency-Key got a 500
  it('is unavailable when the client reports CANCELLED', () => {
    const cause = grpcStatus(1, 'Call cancelled');
    expect(isUnavailable(new WorkflowUpdateRPCTimeoutOrCancelledError('Call cancelled', { cause }))).toBe(true);
  });
});
