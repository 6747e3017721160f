/**
 * OpenTelemetry traces, off unless OTEL_TRACES_EXPORTER says otlp: HTTP requests (server spans of
 * the API), the Temporal client's calls (`StartWorkflow:…`, `UpdateWorkflow:…`), the workflow and
 * its activities (`RunActivity:…`, through the Temporal interceptors, which carry the context in
 * Temporal headers), and the Postgres writes of a step. Spans go to OTEL_EXPORTER_OTLP_ENDPOINT
 * (OTLP over HTTP, `/v1/traces`).
 */
import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/**
 * Installs tracing for the process, once, before express and http are loaded (bin/* import this
 * first); undefined when traces are off.
 */
export function installTracing(options: { exporter: 'none' | 'otlp'; endpoint?: string; serviceName: string }): Tracing | undefined {
  if (installed || options.exporter === 'none') return installed;
  const resource = new Resource({ 'service.name': options.serviceName });
  const url = options.endpoint ? `${options.endpoint.replace(/\/$/, '')}/v1/traces` : undefined;
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter(url ? { url } : {}), { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registerInstrumentations({
    instrumentations: [
      // the probes and the metrics scrape are not worth a trace each
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') }),
      new ExpressInstrumentation(),
    ],
  });
  installed = { resource, spanProcessor, shutdown: () => provider.shutdown() };
  return installed;
}

export function currentTracing(): Tracing | undefined {
  return installed;
}

const tracer = trace.getTracer('hotline');

/** Runs `fn` in a span (a no-op without tracing), marking it failed when `fn` throws. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
