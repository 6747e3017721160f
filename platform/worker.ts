/** The Temporal worker that runs ticket workflows and their activities. */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import type { Context as ActivityContext } from '@temporalio/activity';
import { OpenTelemetryActivityInboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { currentTracing } from './tracing';
import { requestIdActivityInterceptors } from './request-id-temporal';
import type { Logger } from './logger';
import { createActivities, type ActivityDeps } from '../activities';
import { dataConverter, FAILURE_CONVERTER_PATH } from './payload-codec';
import { loadTls, type TemporalAccess } from './temporal';
import { starterModel } from '../activities/classifier-model';

const REQUEST_ID_WORKFLOW_INTERCEPTORS = path.resolve(__dirname, '../workflows/request-id-interceptors.ts');

const WORKFLOWS = path.resolve(__dirname, '../workflows/index.ts');

/**
 * Loaded once by the workflow thread and shared by every workflow it runs (the SDK's bundler
 * preloadModules), instead of once per new workflow: with the SDK's reused V8 context each workflow
 * keeps a module cache of its own and evaluates the bundle's modules afresh unless they are
 * preloaded. The workflows, the pure rules they import, the SDK modules they use, and the
 * request-id interceptors: none holds per-workflow state at module level (a workflow's state lives
 * in the objects its run creates), so sharing changes nothing a workflow does; they are evaluated
 * before any workflow exists and then frozen. Loading them per workflow cost each new ticket the
 * module initialisers, and made the interceptors' AsyncLocalStorage one more enabled storage per
 * cached workflow, which Node copies onto every promise the thread creates (README, "The worker's
 * memory per cached workflow"; the SDK's own per-workflow storage is patched the same way,
 * patches/@temporalio+workflow+1.24.0.patch).
 */
export const WORKFLOW_PRELOAD: string[] = [WORKFLOWS, REQUEST_ID_WORKFLOW_INTERCEPTORS];

/** What the workflow bundle is built from: the workflows, and the failure converter that seals failure messages. */
export const WORKFLOW_BUNDLE: Pick<BundleOptions, 'workflowsPath' | 'failureConverterPath' | 'workflowInterceptorModules' | 'preloadModules'> = {
  workflowsPath: WORKFLOWS,
  failureConverterPath: FAILURE_CONVERTER_PATH,
  // the request id of each start, update and signal on the workflow's log lines and what it issues
  workflowInterceptorModules: [REQUEST_ID_WORKFLOW_INTERCEPTORS],
  preloadModules: WORKFLOW_PRELOAD,
};

export async function createTicketWorker(opts: TemporalAccess & {
  taskQueue: string;
  deps: ActivityDeps;
  /** a prebuilt workflow bundle (tests build it once); else the workflows are bundled at start */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** how many workflows stay in memory between their tasks (WORKER_MAX_CACHED_WORKFLOWS); the SDK's default by heap size when unset */
  maxCachedWorkflows?: number;
  /** run the workflows in this thread's V8 isolate, not a workflow thread (the SDK's debugMode; tests that look at the isolate) */
  workflowsInThisThread?: boolean;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  // trained before the worker takes tasks: the first intake must not spend its timeout on it
  starterModel();
  const connection = await NativeConnection.connect({ address: opts.address, tls: loadTls(opts.tls) });
  const tracing = currentTracing();
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.workflowsInThisThread ? { debugMode: true } : {}),
    activities: createActivities(opts.deps),
    // a payload the worker cannot open becomes a value the workflow refuses, never a failed workflow task
    dataConverter: dataConverter(opts.sealing, 'mark'),
    // the request id of what an activity does for (platform/request-id-temporal.ts), and with
    // tracing on: the workflow's spans (exported through a sink, as workflow code does no I/O) and
    // each activity's, continuing the trace of the request that started or updated it. A prebuilt
    // bundle holds its workflow interceptors (WORKFLOW_BUNDLE).
    interceptors: {
      ...(opts.workflowBundle
        ? {}
        : { workflowModules: [REQUEST_ID_WORKFLOW_INTERCEPTORS, ...(tracing ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : [])] }),
      activity: [requestIdActivityInterceptors, ...(tracing ? [(ctx: ActivityContext) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })] : [])],
    },
    ...(tracing ? { sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } } : {}),
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOW_BUNDLE.workflowsPath, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD } }),
  });
  return { worker, connection };
}

let runtimeInstalled = false;

export interface TemporalTelemetry {
  /** where the Core runtime serves the SDK's own worker metrics for Prometheus, e.g. 0.0.0.0:9464; unset: off */
  metricsBindAddress?: string;
}

/**
 * Installs the Temporal Core runtime of the process, once, before its first Temporal connection,
 * worker or test server (the runtime cannot change afterwards): the SDK's own logs (worker,
 * workflow `log`, and Core's native logs, forwarded instead of printed raw to the console) go
 * through our JSON logger, and its worker metrics to a Prometheus endpoint when configured.
 */
export function installTemporalRuntime(logger: Logger, telemetry: TemporalTelemetry = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const levels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => {
      const { error, ...rest } = meta ?? {};
      logger[levels[level]]({ component: 'temporal', ...rest, ...(error ? { err: error } : {}) }, message);
    }),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(telemetry.metricsBindAddress
        ? { metrics: { prometheus: { bindAddress: telemetry.metricsBindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } }
        : {}),
    },
  });
}
