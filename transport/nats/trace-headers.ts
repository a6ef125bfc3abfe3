import { headers, type MsgHdrs } from '@nats-io/transport-node';

/** The W3C trace-context and baggage fields a task carries from the coordinator to the worker's spans. */
const TRACE_FIELDS = ['traceparent', 'tracestate', 'baggage'] as const;

/**
 * NATS message headers holding a task's trace context (the message body stays ids only), or undefined
 * when the task carries none (telemetry off).
 */
export function traceHeaders(
  trace: Record<string, string> | undefined,
  into: MsgHdrs = headers(),
): MsgHdrs | undefined {
  let any = false;
  for (const field of TRACE_FIELDS) {
    const v = trace?.[field];
    if (v) {
      into.set(field, v);
      any = true;
    }
  }
  return any ? into : undefined;
}

/** The trace context found in a task message's headers, or undefined. */
export function traceFromHeaders(h: MsgHdrs | undefined): Record<string, string> | undefined {
  if (!h) return undefined;
  const out: Record<string, string> = {};
  for (const field of TRACE_FIELDS) {
    const v = h.get(field);
    if (v) out[field] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
