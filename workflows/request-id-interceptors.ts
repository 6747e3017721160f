/**
 * Workflow interceptors (bundled with the workflows: platform/worker.ts WORKFLOW_BUNDLE): the
 * request id of the start, update or signal being handled (workflows/request-id-header.ts) is the
 * context of its handler, so the workflow's log lines name it and the activities, child workflows
 * and signals the handler issues carry it on. Work the workflow does of its own accord later (a
 * deadline's timer) runs in the context of the request that started the ticket.
 */
import { AsyncLocalStorage, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REQUEST_ID_HEADER, requestIdOf, withRequestId } from './request-id-header';

/**
 * One storage for every workflow of the worker's V8 context, made once when the module is
 * preloaded (platform/worker.ts WORKFLOW_PRELOAD): a storage per workflow would stay enabled while
 * the workflow is cached, and Node 20 copies every enabled storage onto every new promise, so each
 * promise would carry one property per cached workflow. A store still belongs to the handler that
 * set it. Kept in this closure (not exported): the SDK freezes what a preloaded module exports,
 * and a frozen storage cannot run.
 */
const current = new AsyncLocalStorage<string>();

/** Runs a handler in the context of the request its headers name. */
function within<T>(headers: Parameters<typeof requestIdOf>[0], fn: () => T): T {
  const requestId = requestIdOf(headers);
  return requestId ? current.run(requestId, fn) : fn();
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      execute: (input, next) => within(input.headers, () => next(input)),
      handleSignal: (input, next) => within(input.headers, () => next(input)),
      handleUpdate: (input, next) => within(input.headers, () => next(input)),
      validateUpdate: (input, next) => within(input.headers, () => next(input)),
    },
  ],
  outbound: [
    {
      scheduleActivity: (input, next) => next({ ...input, headers: withRequestId(input.headers, current.getStore()) }),
      scheduleLocalActivity: (input, next) => next({ ...input, headers: withRequestId(input.headers, current.getStore()) }),
      startChildWorkflowExecution: (input, next) => next({ ...input, headers: withRequestId(input.headers, current.getStore()) }),
      signalWorkflow: (input, next) => next({ ...input, headers: withRequestId(input.headers, current.getStore()) }),
      getLogAttributes: (input, next) => {
        const requestId = current.getStore();
        return next(requestId ? { ...input, requestId } : input);
      },
    },
  ],
});

export { REQUEST_ID_HEADER };
