import { describe, expect, it } from 'vitest';
import { isFatal, isPermissionError } from './nats-errors.js';

const named = (name: string, message: string, cause?: unknown) => {
  const e = new Error(message, cause === undefined ? {} : { cause });
  e.name = name;
  return e;
};

describe('NATS permission errors', () => {
  it('are fatal, also when nats.js wraps them in a request error', () => {
    const violation = named('PermissionViolationError', "Permissions Violation for Publish to '$JS.API.STREAM.DELETE.X'");
    expect(isPermissionError(violation)).toBe(true);
    const wrapped = named('RequestError', 'error processing request', violation);
    expect(isPermissionError(wrapped)).toBe(true);
    expect(isFatal(wrapped)).toBe(true);
    expect(isPermissionError(named('RequestError', 'timeout', named('TimeoutError', 'timeout')))).toBe(false);
    expect(isFatal(named('TimeoutError', 'timeout'))).toBe(false);
  });
});
