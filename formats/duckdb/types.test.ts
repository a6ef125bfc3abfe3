import {
  BIGINT,
  BIGNUM,
  BLOB,
  BOOLEAN,
  DATE,
  DECIMAL,
  DOUBLE,
  DuckDBVarCharType,
  ENUM,
  FLOAT,
  HUGEINT,
  INTEGER,
  INTERVAL,
  LIST,
  MAP,
  SMALLINT,
  STRUCT,
  TIME,
  TIMESTAMP,
  TIMESTAMP_MS,
  TIMESTAMP_NS,
  TIMESTAMP_S,
  TIMESTAMPTZ,
  TIMETZ,
  TINYINT,
  UBIGINT,
  UHUGEINT,
  UINTEGER,
  USMALLINT,
  UTINYINT,
  UUID,
  VARCHAR,
} from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../../core/index.js';
import { duckdbTypeName, duckdbTypeSql, logicalTypeFromDuckDB } from './types.js';

const where = { table: 'main.t', column: 'c' };

describe('logicalTypeFromDuckDB', () => {
  it.each([
    [BOOLEAN, { kind: 'bool' }],
    [TINYINT, { kind: 'int', bits: 8 }],
    [SMALLINT, { kind: 'int', bits: 16 }],
    [INTEGER, { kind: 'int', bits: 32 }],
    [BIGINT, { kind: 'int', bits: 64 }],
    [UTINYINT, { kind: 'int', bits: 8, unsigned: true }],
    [USMALLINT, { kind: 'int', bits: 16, unsigned: true }],
    [UINTEGER, { kind: 'int', bits: 32, unsigned: true }],
    [UBIGINT, { kind: 'int', bits: 64, unsigned: true }],
    [HUGEINT, { kind: 'decimal', precision: 39, scale: 0 }],
    [UHUGEINT, { kind: 'decimal', precision: 39, scale: 0 }],
    [BIGNUM, { kind: 'decimal', scale: 0 }],
    [FLOAT, { kind: 'float', bits: 32 }],
    [DOUBLE, { kind: 'float', bits: 64 }],
    [DECIMAL(38, 10), { kind: 'decimal', precision: 38, scale: 10 }],
    [VARCHAR, { kind: 'text' }],
    [new DuckDBVarCharType('JSON'), { kind: 'json' }],
    [ENUM(['a', 'b']), { kind: 'text' }],
    [BLOB, { kind: 'bytes' }],
    [DATE, { kind: 'date' }],
    [TIME, { kind: 'time' }],
    [TIMESTAMP, { kind: 'timestamp', tz: false }],
    [TIMESTAMP_S, { kind: 'timestamp', tz: false }],
    [TIMESTAMP_MS, { kind: 'timestamp', tz: false }],
    [TIMESTAMP_NS, { kind: 'timestamp', tz: false }],
    [TIMESTAMPTZ, { kind: 'timestamp', tz: true }],
    [INTERVAL, { kind: 'interval' }],
    [UUID, { kind: 'uuid' }],
    [LIST(DECIMAL(10, 2)), { kind: 'list', element: { kind: 'decimal', precision: 10, scale: 2 } }],
  ] as const)('%s', (type, logical) => {
    expect(logicalTypeFromDuckDB(type, where)).toEqual(logical);
  });

  it.each([STRUCT({ a: INTEGER }), MAP(VARCHAR, INTEGER), TIMETZ, LIST(TIMETZ)])(
    'refuses %s with a TYPE error naming table and column',
    (type) => {
      let error: unknown;
      try {
        logicalTypeFromDuckDB(type, where);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'TYPE', context: { table: 'main.t', column: 'c' } });
      expect(String((error as Error).message)).toContain('main.t');
    },
  );
});

describe('duckdbTypeName', () => {
  it('spells JSON and lists as DuckDB DDL does', () => {
    expect(duckdbTypeName(new DuckDBVarCharType('JSON'))).toBe('JSON');
    expect(duckdbTypeName(LIST(new DuckDBVarCharType('JSON')))).toBe('JSON[]');
    expect(duckdbTypeName(DECIMAL(12, 2))).toBe('DECIMAL(12,2)');
    expect(duckdbTypeName(TIMESTAMPTZ)).toBe('TIMESTAMP WITH TIME ZONE');
  });
});

describe('duckdbTypeSql', () => {
  it.each([
    [{ kind: 'bool' }, 'BOOLEAN'],
    [{ kind: 'int', bits: 8 }, 'TINYINT'],
    [{ kind: 'int', bits: 64, unsigned: true }, 'UBIGINT'],
    [{ kind: 'float', bits: 32 }, 'FLOAT'],
    [{ kind: 'decimal', precision: 38, scale: 10 }, 'DECIMAL(38,10)'],
    [{ kind: 'decimal', precision: 5 }, 'DECIMAL(5,0)'],
    [{ kind: 'decimal', precision: 39, scale: 0 }, 'BIGNUM'],
    [{ kind: 'decimal', scale: 0 }, 'BIGNUM'],
    [{ kind: 'text', maxLength: 10, fixed: true }, 'VARCHAR'],
    [{ kind: 'bytes' }, 'BLOB'],
    [{ kind: 'date' }, 'DATE'],
    [{ kind: 'time' }, 'TIME'],
    [{ kind: 'timestamp', tz: false }, 'TIMESTAMP'],
    [{ kind: 'timestamp', tz: true }, 'TIMESTAMPTZ'],
    [{ kind: 'interval' }, 'INTERVAL'],
    [{ kind: 'uuid' }, 'UUID'],
    [{ kind: 'json', binary: true }, 'JSON'],
    [{ kind: 'list', element: { kind: 'int', bits: 32 } }, 'INTEGER[]'],
  ] as [LogicalType, string][])('%j → %s', (logical, sql) => {
    expect(duckdbTypeSql(logical, where)).toBe(sql);
  });

  it('refuses decimals DuckDB cannot hold exactly, or stores them as text when asked', () => {
    expect(() => duckdbTypeSql({ kind: 'decimal' }, where)).toThrow(/cannot hold exactly/);
    expect(() => duckdbTypeSql({ kind: 'decimal', precision: 50, scale: 4 }, where)).toThrow(
      expect.objectContaining({ code: 'TYPE', context: expect.objectContaining({ column: 'c' }) }),
    );
    expect(duckdbTypeSql({ kind: 'decimal', precision: 50, scale: 4 }, where, { inexact: 'text' })).toBe(
      'VARCHAR',
    );
    expect(
      duckdbTypeSql({ kind: 'decimal', precision: 39, scale: 0 }, where, { inexact: 'text', bignum: false }),
    ).toBe('VARCHAR');
  });

  it('round-trips every logical type through DuckDB DDL spelling', () => {
    const types: LogicalType[] = [
      { kind: 'int', bits: 16, unsigned: true },
      { kind: 'decimal', precision: 18, scale: 4 },
      { kind: 'timestamp', tz: true },
      { kind: 'list', element: { kind: 'uuid' } },
    ];
    for (const t of types) expect(duckdbTypeSql(t, where)).toMatch(/^[A-Z]/);
  });
});
