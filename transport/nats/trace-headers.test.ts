import { describe, expect, it } from 'vitest';
import { traceFromHeaders, traceHeaders } from './trace-headers.js';

describe('trace headers', () => {
  it('carries traceparent, tracestate and baggage, and nothing else', () => {
    const trace = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=1',
      other: 'dropped',
    };
    const h = traceHeaders(trace)!;
    expect(h.get('traceparent')).toBe(trace.traceparent);
    expect(traceFromHeaders(h)).toEqual({ traceparent: trace.traceparent, tracestate: 'vendor=1' });
  });

  it('adds no headers when telemetry is off', () => {
    expect(traceHeaders(undefined)).toBeUndefined();
    expect(traceHeaders({})).toBeUndefined();
    expect(traceFromHeaders(undefined)).toBeUndefined();
  });
});
