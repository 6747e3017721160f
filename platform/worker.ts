/** The Temporal worker that runs ticket workflows and their activities. */
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from './logger';
import { createActivities, type ActivityDeps } from '../activities';
import { starterModel } from '../activities/classifier-model';

export async function createTicketWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** a prebuilt workflow bundle (tests build it once); else the workflows are bundled at start */
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  // trained before the worker takes tasks: the first intake must not spend its timeout on it
  starterModel();
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
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
