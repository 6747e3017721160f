/**
 * Imported first by the entrypoints: OpenTelemetry must patch http and express before they load
 * (platform/tracing.ts); nothing happens while OTEL_TRACES_EXPORTER is unset.
 */
import { loadConfig } from '../platform/config';
import { installTracing } from '../platform/tracing';

const config = loadConfig();
installTracing({ exporter: config.tracesExporter, endpoint: config.otlpEndpoint, serviceName: config.serviceName });
