import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { formatRange, quoteBacktick, quoteDouble, rangePredicate, type SqlDialect } from './sql.js';
import type { KeyRange } from './types.js';

const CASTS: Record<string, string> = { id: 'BIGINT', tenant: 'BIGINT', name: 'VARCHAR' };

/** PostgreSQL-like: double quotes, `$n`, casts to the key column's type. */
const postgres: SqlDialect = {
  quoteIdent: quoteDouble,
  placeholder: (i) => `$${i + 1}`,
  cast: (p, column) => (CASTS[column] ? `CAST(${p} AS ${CASTS[column]})` : p),
};

/** MySQL-like: backticks, `?`, no casts. */
const mysql: SqlDialect = { quoteIdent: quoteBacktick, placeholder: () => '?' };

const HOSTILE = 'x"; DROP TABLE y; --';

describe('quoting', () => {
  it('doubles the quote character so a hostile identifier stays one identifier', () => {
    expect(quoteDouble(HOSTILE)).toBe('"x""; DROP TABLE y; --"');
    expect(quoteBacktick('x`; DROP TABLE y; --')).toBe('`x``; DROP TABLE y; --`');
    expect(quoteBacktick(HOSTILE)).toBe('`x"; DROP TABLE y; --`');
  });
});

describe('rangePredicate', () => {
  it('renders a single-column half-open range with casts', () => {
    expect(rangePredicate({ columns: ['id'], lo: ['10'], hi: ['20'] }, postgres)).toEqual({
      sql: '"id" >= CAST($1 AS BIGINT) AND "id" < CAST($2 AS BIGINT)',
      params: ['10', '20'],
    });
    expect(rangePredicate({ columns: ['id'], lo: ['10'], hi: ['20'] }, mysql)).toEqual({
      sql: '`id` >= ? AND `id` < ?',
      params: ['10', '20'],
    });
  });

  it('leaves an open end out, and an open range still excludes NULL keys', () => {
    expect(rangePredicate({ columns: ['id'], hi: ['5'] }, mysql)).toEqual({ sql: '`id` < ?', params: ['5'] });
    expect(rangePredicate({ columns: ['id'], lo: ['5'] }, mysql)).toEqual({
      sql: '`id` >= ?',
      params: ['5'],
    });
    expect(rangePredicate({ columns: ['id'] }, postgres)).toEqual({ sql: '"id" IS NOT NULL', params: [] });
    expect(rangePredicate({ columns: ['a', 'b'] }, mysql)).toEqual({
      sql: '`a` IS NOT NULL AND `b` IS NOT NULL',
      params: [],
    });
  });

  it('compares composite keys as row values and keeps NULL-bearing rows out', () => {
    expect(rangePredicate({ columns: ['tenant', 'name'], lo: ['1', 'a'], hi: ['2', ''] }, postgres)).toEqual({
      sql:
        '("tenant", "name") >= (CAST($1 AS BIGINT), CAST($2 AS VARCHAR))' +
        ' AND ("tenant", "name") < (CAST($3 AS BIGINT), CAST($4 AS VARCHAR))' +
        ' AND "tenant" IS NOT NULL AND "name" IS NOT NULL',
      params: ['1', 'a', '2', ''],
    });
    expect(rangePredicate({ columns: ['a', 'b'], hi: ['1', 'x'] }, mysql)).toEqual({
      sql: '(`a`, `b`) < (?, ?) AND `a` IS NOT NULL AND `b` IS NOT NULL',
      params: ['1', 'x'],
    });
  });

  it('selects NULL keys for nullKey and everything for whole', () => {
    expect(rangePredicate({ columns: ['id'], nullKey: true }, postgres)).toEqual({
      sql: '("id" IS NULL)',
      params: [],
    });
    expect(rangePredicate({ columns: ['a', 'b'], nullKey: true }, mysql)).toEqual({
      sql: '(`a` IS NULL OR `b` IS NULL)',
      params: [],
    });
    expect(rangePredicate({ columns: [], whole: true }, postgres)).toEqual({ sql: 'TRUE', params: [] });
  });

  it('numbers placeholders after paramOffset earlier ones', () => {
    expect(rangePredicate({ columns: ['id'], lo: ['1'], hi: ['9'] }, postgres, 3)).toEqual({
      sql: '"id" >= CAST($4 AS BIGINT) AND "id" < CAST($5 AS BIGINT)',
      params: ['1', '9'],
    });
  });

  it('quotes hostile key column names and binds values as parameters', () => {
    const { sql, params } = rangePredicate({ columns: [HOSTILE], lo: ["'; DROP TABLE z; --"] }, postgres);
    expect(sql).toBe('"x""; DROP TABLE y; --" >= $1');
    expect(params).toEqual(["'; DROP TABLE z; --"]);
    expect(rangePredicate({ columns: [HOSTILE], nullKey: true }, mysql).sql).toBe(
      '(`x"; DROP TABLE y; --` IS NULL)',
    );
  });
});

describe('rangePredicate executed by DuckDB', () => {
  const intColumns = new Set([HOSTILE]);
  const duck: SqlDialect = {
    quoteIdent: quoteDouble,
    placeholder: (i) => `$${i + 1}`,
    cast: (p, column) => (intColumns.has(column) ? `CAST(${p} AS INTEGER)` : p),
  };

  async function select(ranges: KeyRange[], table: string): Promise<number[][]> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run(table);
      const out: number[][] = [];
      for (const range of ranges) {
        const where = rangePredicate(range, duck);
        const reader = await conn.runAndReadAll(
          `SELECT n FROM t WHERE ${where.sql} ORDER BY n`,
          where.params,
        );
        out.push(reader.getRows().map((r) => Number(r[0])));
      }
      return out;
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }

  // Each composite range here has one bound: DuckDB 1.5 folds `row >= x AND row < y` into a BETWEEN that
  // it cannot bind for STRUCT values ("Invalid type for BETWEEN"), a limit of DuckDB, not of the SQL.
  it('puts each row of a nullable composite key in exactly one range', async () => {
    const columns = [HOSTILE, 'b'];
    const rows = await select(
      [
        { columns, hi: ['5', 'q'] },
        { columns, lo: ['5', 'q'] },
        { columns, nullKey: true },
      ],
      `CREATE TABLE t AS SELECT * FROM (VALUES
         (1, 1, 'a'), (2, 5, 'p'), (3, 5, NULL), (4, 5, 'q'), (5, NULL, 'q'), (6, 7, 'a'), (7, 9, NULL), (8, NULL, NULL)
       ) v(n, "x""; DROP TABLE y; --", b)`,
    );
    // Without the IS NOT NULL guards, row comparison puts (5, NULL) and (9, NULL) in a range as well.
    expect(rows).toEqual([
      [1, 2],
      [4, 6],
      [3, 5, 7, 8],
    ]);
  });

  it('selects every row for whole and none twice across single-column ranges', async () => {
    const columns = ['k'];
    const rows = await select(
      [
        { columns, hi: ['b'] },
        { columns, lo: ['b'] },
        { columns, nullKey: true },
        { columns: [], whole: true },
      ],
      `CREATE TABLE t AS SELECT * FROM (VALUES (1, ''), (2, 'a'), (3, 'b'), (4, NULL), (5, 'é')) v(n, k)`,
    );
    expect(rows).toEqual([[1, 2], [3, 5], [4], [1, 2, 3, 4, 5]]);
  });
});

describe('formatRange', () => {
  it('writes ranges for people', () => {
    expect(formatRange({ columns: ['id'], lo: ['100'], hi: ['200'] })).toBe('[100, 200)');
    expect(formatRange({ columns: ['id'], hi: ['5'] })).toBe('[-∞, 5)');
    expect(formatRange({ columns: ['a', 'b'], lo: ['1', 'x'] })).toBe('[(1, x), +∞)');
    expect(formatRange({ columns: ['a', 'b'], nullKey: true })).toBe('a,b IS NULL');
    expect(formatRange({ columns: [], whole: true })).toBe('all rows');
  });
});
