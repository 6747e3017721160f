/**
 * The request id across Temporal, on the Node side (the workflow side is
 * workflows/request-id-interceptors.ts): the API's client puts the id of the request being served
 * in the headers of each start, update and signal; the worker's activities run in the context of
 * the id their headers carry, so the logger (platform/logger.ts) writes it on their lines.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInboundCallsInterceptor, ActivityOutboundCallsInterceptor, ActivityInterceptors } from '@temporalio/worker';
import { requestIdOf, withRequestId } from '../workflows/request-id-header';
import { logContext, runWithRequest } from './request-context';

export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers, logContext().requestId) }),
  startUpdate: (input, next) => next({ ...input, headers: withRequestId(input.headers, logContext().requestId) }),
  startUpdateWithStart: (input, next) => {
    const requestId = logContext().requestId;
    return next({ ...input, workflowStartHeaders: withRequestId(input.workflowStartHeaders, requestId), updateHeaders: withRequestId(input.updateHeaders, requestId) });
  },
  signal: (input, next) => next({ ...input, headers: withRequestId(input.headers, logContext().requestId) }),
  signalWithStart: (input, next) => next({ ...input, headers: withRequestId(input.headers, logContext().requestId) }),
};

/** An activity runs in the context of the request its headers name; the SDK's own lines about it name it too. */
export function requestIdActivityInterceptors(): ActivityInterceptors {
  let requestId: string | undefined;
  const inbound: ActivityInboundCallsInterceptor = {
    execute: (input, next) => {
      requestId = requestIdOf(input.headers);
      return requestId ? runWithRequest({ requestId }, () => next(input)) : next(input);
    },
  };
  const outbound: ActivityOutboundCallsInterceptor = {
    getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
  };
  return { inbound, outbound };
}
