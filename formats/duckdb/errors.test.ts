import { describe, expect, it } from 'vitest';
import { FerryError } from '../../core/index.js';
import { wrapDuckDBError } from './errors.js';

describe('wrapDuckDBError', () => {
  it('classifies DuckDB errors by kind and keeps the kind as serverCode', () => {
    expect(wrapDuckDBError(new Error('Conversion Error: Could not convert'), { table: 't' })).toMatchObject({
      code: 'DATA',
      retryable: false,
      context: { table: 't', serverCode: 'Conversion' },
    });
    expect(wrapDuckDBError(new Error('Catalog Error: Table with name x does not exist!'), {})).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      wrapDuckDBError(new Error('TransactionContext Error: Failed to commit: write-write conflict'), {}),
    ).toMatchObject({ code: 'DATA', retryable: true });
    expect(wrapDuckDBError(new Error('INTERRUPT Error: Interrupted!'), {})).toMatchObject({
      code: 'ABORTED',
    });
    const lock = wrapDuckDBError(
      new Error('IO Error: Could not set lock on file "x.duckdb": Conflicting lock'),
      {},
    );
    expect(lock).toMatchObject({
      code: 'CONNECTION',
      context: { hint: expect.stringMatching(/one writing process/) },
    });
    expect(wrapDuckDBError(new Error('something odd'), {}, 'DATA').code).toBe('DATA');
  });

  it('passes a FerryError through with added context', () => {
    const e = new FerryError('TYPE', 'x', { column: 'c' });
    expect(wrapDuckDBError(e, { table: 't' })).toBe(e);
    expect(e.context).toEqual({ column: 'c', table: 't' });
  });
});
