/** The Temporal worker that runs ticket workflows and their activities. */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from './logger';
import { createActivities, type ActivityDeps } from '../activities';
import { dataConverter, FAILURE_CONVERTER_PATH } from './payload-codec';
import { loadTls, type TemporalAccess } from './temporal';

/** What the workflow bundle is built from: the workflows, and the failure converter that seals failure messages. */
export const WORKFLOW_BUNDLE: Pick<BundleOptions, 'workflowsPath' | 'failureConverterPath'> = {
  workflowsPath: path.resolve(__dirname, '../workflows/index.ts'),
  failureConverterPath: FAILURE_CONVERTER_PATH,
};

export async function createTicketWorker(opts: TemporalAccess & {
  taskQueue: string;
  deps: ActivityDeps;
  /** a prebuilt workflow bundle (tests build it once); else the workflows are bundled at start */
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: opts.address, tls: loadTls(opts.tls) });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    // a payload the worker cannot open becomes a value the workflow refuses, never a failed workflow task
    dataConverter: dataConverter(opts.sealing, 'mark'),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOW_BUNDLE.workflowsPath }),
  });
  return { worker, connection };
}

let runtimeInstalled = false;

/**
 * Sends the Temporal SDK's own logs (worker, workflow `log`, core) through our JSON logger.
 * Must run before the first Temporal connection or server of the process.
 */
export function installTemporalLogging(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const levels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => {
      const { error, ...rest } = meta ?? {};
      logger[levels[level]]({ component: 'temporal', ...rest, ...(error ? { err: error } : {}) }, message);
    }),
  });
}
