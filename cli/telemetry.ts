import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** True when the standard OTEL_* variables ask for an OTLP exporter. */
export function telemetryRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT ||
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
      env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
  );
}

/**
 * Starts tracing and metrics export over OTLP/HTTP when OTEL_EXPORTER_OTLP_*ENDPOINT is set (the exporters
 * read the other standard variables themselves: protocol, headers, timeouts). Only the CLI calls this; library
 * code uses the API, which costs nothing when the SDK is off. Returns a flush-and-stop function.
 */
export function startTelemetry(role: string): () => Promise<void> {
  if (!telemetryRequested()) return async () => {};
  const resource = resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME ?? 'ferry',
    'service.version': process.env.npm_package_version ?? '0.1.0',
    'ferry.role': role,
  });
  const tracing = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  tracing.register();
  const meters = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 10_000 }),
    ],
  });
  metrics.setGlobalMeterProvider(meters);
  return async () => {
    await Promise.allSettled([tracing.shutdown(), meters.shutdown()]);
  };
}
