import { metrics } from '@opentelemetry/api';

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
export async function startTelemetry(role: string): Promise<() => Promise<void>> {
  if (!telemetryRequested()) return async () => {};
  // Loaded only when asked for: the SDK and exporters are ~16 MB and ~0.1 s of every command's start-up.
  const [
    { OTLPMetricExporter },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    sdkMetrics,
    traceBase,
    traceNode,
  ] = await Promise.all([
    import('@opentelemetry/exporter-metrics-otlp-http'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const { MeterProvider, PeriodicExportingMetricReader } = sdkMetrics;
  const { BatchSpanProcessor } = traceBase;
  const { NodeTracerProvider } = traceNode;
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
