/** The Temporal worker, against the Postgres and Temporal named by DATABASE_URL and TEMPORAL_ADDRESS. */
// first: tracing patches http and express before anything loads them
import './tracing';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { requireInfra } from './infra';
import { installTemporalRuntime } from '../platform/worker';
import { runWorker, stopOnSignals } from '../platform/runtime';

const config = loadConfig();
const logger = createLogger(config.logLevel);
installTemporalRuntime(logger, { metricsBindAddress: config.temporalMetricsBindAddress });
runWorker(config, requireInfra(config), logger).then(
  (worker) => stopOnSignals(logger, [worker]),
  (err) => {
    logger.fatal({ err }, 'worker failed to start');
    process.exit(1);
  },
);
