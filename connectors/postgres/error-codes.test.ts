import { describe, expect, it } from 'vitest';
import { wrapPgError } from './connection.js';

/** A driver error as pg raises it: a server error carries its SQLSTATE in `code`. */
const serverError = (sqlstate: string, message: string) =>
  Object.assign(new Error(message), { code: sqlstate });

describe('PostgreSQL errors: code and retry', () => {
  const wrap = (e: Error) => wrapPgError(e, 'loading partition t#0 of t failed', {}, 'CONNECTION');

  it('a lost connection is CONNECTION and retried', () => {
    for (const e of [
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }),
      serverError('57P01', 'terminating connection due to administrator command'),
      serverError('08006', 'connection failure'),
    ])
      expect(wrap(e)).toMatchObject({ code: 'CONNECTION', retryable: true });
    expect(wrap(serverError('40P01', 'deadlock detected'))).toMatchObject({ retryable: true });
    expect(wrap(serverError('55P03', 'canceling statement due to lock timeout'))).toMatchObject({
      retryable: true,
    });
  });

  it('a missing privilege or a refused login is CONFIG, not retried, with what to do', () => {
    const denied = wrap(serverError('42501', 'permission denied for table people'));
    expect(denied).toMatchObject({ code: 'CONFIG', retryable: false });
    expect(denied.context.hint).toMatch(/grant the privilege/);
    const login = wrapPgError(
      serverError('28P01', 'password authentication failed for user "ferry"'),
      'cannot connect to postgres://ferry:***@db/x',
      {},
      'CONNECTION',
    );
    expect(login).toMatchObject({ code: 'CONFIG', retryable: false });
    expect(login.context.hint).toMatch(/user and password/);
  });

  it('another server error is not taken for a lost connection', () => {
    expect(wrap(serverError('54000', 'row is too big'))).toMatchObject({
      code: 'INTERNAL',
      retryable: false,
    });
    expect(wrap(serverError('XX000', 'internal error'))).toMatchObject({
      code: 'INTERNAL',
      retryable: false,
    });
  });
});
