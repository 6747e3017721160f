/** The API server, against the Postgres and Temporal named by DATABASE_URL and TEMPORAL_ADDRESS. */
// first: tracing patches http and express before anything loads them
import './tracing';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { requireInfra } from './infra';
import { installTemporalRuntime } from '../platform/worker';
import { runApi, stopOnSignals } from '../platform/runtime';

const config = loadConfig();
const logger = createLogger(config.logLevel);
installTemporalRuntime(logger, { metricsBindAddress: config.temporalMetricsBindAddress });
runApi(config, requireInfra(config), logger).then(
  (api) => stopOnSignals(logger, [api]),
  (err) => {
    logger.fatal({ err }, 'API failed to start');
    process.exit(1);
  },
);
