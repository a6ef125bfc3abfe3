import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSPORT_OPTIONS, heartbeatSpacing, resolveTransportOptions } from './options.js';

describe('NATS transport options', () => {
  it('fills in the documented defaults', () => {
    const o = resolveTransportOptions();
    expect(o).toMatchObject({ ackWaitMs: 60_000, maxDeliver: 5, replicas: 1, graceMs: 30_000 });
    expect(o).toEqual(DEFAULT_TRANSPORT_OPTIONS);
    expect(heartbeatSpacing(o)).toBe(5000);
    expect(heartbeatSpacing(resolveTransportOptions({ ackWaitMs: 1000 }))).toBe(250);
  });

  it('rejects values JetStream would refuse and raises the pull expiry to its minimum', () => {
    expect(() => resolveTransportOptions({ maxDeliver: 0 })).toThrow(/maxDeliver/);
    expect(() => resolveTransportOptions({ taskStreamMaxBytes: -1 })).toThrow(/taskStreamMaxBytes/);
    expect(resolveTransportOptions({ pullExpiresMs: 10 }).pullExpiresMs).toBe(1000);
  });
});
