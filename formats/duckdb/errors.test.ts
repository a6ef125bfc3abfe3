import { describe, expect, it } from 'vitest';
import { FerryError } from '../../core/index.js';
import { redactDuckDBValues, wrapDuckDBError } from './errors.js';

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

describe('DuckDB data errors without row values', () => {
  it('drops the values DuckDB echoes, keeps the column names', () => {
    expect(
      redactDuckDBValues(
        'Constraint Error: PRIMARY KEY or UNIQUE constraint violation: duplicate key "ana@x.org"',
      ),
    ).toBe('Constraint Error: PRIMARY KEY or UNIQUE constraint violation: duplicate key "…"');
    expect(
      redactDuckDBValues('Constraint Error: Duplicate key "email: ana@x.org" violates unique constraint'),
    ).toBe('Constraint Error: Duplicate key "email: …" violates unique constraint');
    expect(redactDuckDBValues("Conversion Error: Could not convert string 'ana' to INT32")).toBe(
      "Conversion Error: Could not convert string '…' to INT32",
    );
  });

  it('wrapDuckDBError redacts DATA errors and their cause, not catalog errors', () => {
    const cause = new Error('Constraint Error: duplicate key "ana@x.org"');
    const e = wrapDuckDBError(cause, {});
    expect(JSON.stringify(e.toJSON())).not.toContain('ana@x.org');
    expect(
      wrapDuckDBError(new Error('Catalog Error: Table with name "ana" does not exist'), {}).message,
    ).toContain('"ana"');
  });
});

describe('DuckDB appender errors', () => {
  it('redacts a kind-less message when the caller says it is about data', () => {
    const e = wrapDuckDBError(
      new Error('Failed to append: PRIMARY KEY or UNIQUE constraint violation: duplicate key "x@y"'),
      {},
      'DATA',
    );
    expect(e.message).toBe('Failed to append: PRIMARY KEY or UNIQUE constraint violation: duplicate key "…"');
  });
});
