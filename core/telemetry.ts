import {
  type Attributes,
  type Context,
  context,
  metrics,
  propagation,
  type Span,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { scrub } from './secret.js';

/**
 * The closed list of span names (STYLE.md: one vocabulary in code, logs, spans and reports). Spans are free
 * no-ops until the CLI starts the SDK (only when OTEL_* variables ask for an exporter).
 */
export const SPANS = {
  run: 'ferry.run',
  plan: 'ferry.plan',
  dispatch: 'ferry.dispatch',
  table: 'ferry.table',
  partition: 'ferry.partition',
  extract: 'ferry.extract',
  transform: 'ferry.transform',
  load: 'ferry.load',
  verify: 'ferry.verify',
} as const;

export type SpanName = (typeof SPANS)[keyof typeof SPANS];

/** Attribute keys; every span carries run, table and partition where they apply. */
export const ATTR = {
  run: 'ferry.run',
  table: 'ferry.table',
  partition: 'ferry.partition',
  range: 'ferry.key_range',
  attempt: 'ferry.attempt',
  rows: 'ferry.rows',
  bytes: 'ferry.bytes',
  verified: 'ferry.verified',
  checksum: 'ferry.checksum',
  status: 'ferry.status',
  errorCode: 'ferry.error_code',
} as const;

const tracer = () => trace.getTracer('ferry');

/**
 * Runs `fn` inside a span that becomes the active context (child spans nest under it), records a failure
 * (scrubbed of secrets) and always ends the span.
 */
export async function withSpan<T>(
  name: SpanName,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  parent?: Context,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      const message = scrub(e instanceof Error ? e.message : String(e));
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') span.setAttribute(ATTR.errorCode, code);
      throw e;
    } finally {
      span.end();
    }
  });
}

/** Starts a span that the caller ends (for spans that outlive one call, like a table's). */
export function startSpan(name: SpanName, attributes: Attributes, parent?: Context): Span {
  return tracer().startSpan(name, { attributes }, parent ?? context.active());
}

/** The trace headers of a given span's context (to parent work dispatched elsewhere under it). */
export function spanHeaders(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier;
}

/** The active trace context as W3C headers (`traceparent`), to carry in a task message. */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** A context continuing the trace whose headers a task carried (or the active one when none). */
export function contextFromHeaders(headers: Record<string, string> | undefined): Context {
  return headers ? propagation.extract(context.active(), headers) : context.active();
}

/** The metric instruments (no-ops until the SDK is started). */
export function ferryMetrics() {
  const meter = metrics.getMeter('ferry');
  return {
    rows: meter.createCounter('ferry.rows', { description: 'rows loaded into targets', unit: '{row}' }),
    bytes: meter.createCounter('ferry.bytes', { description: 'Arrow bytes moved', unit: 'By' }),
    partitions: meter.createCounter('ferry.partitions', { description: 'partitions finished, by status' }),
    partitionDuration: meter.createHistogram('ferry.partition.duration', {
      description: 'partition wall time',
      unit: 's',
    }),
    queueDepth: meter.createUpDownCounter('ferry.queue.depth', {
      description: 'partitions dispatched and not finished',
    }),
  };
}
