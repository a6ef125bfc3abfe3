import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteDouble, rangePredicate, type SqlDialect } from '../core/index.js';
import { planPartitions } from './index.js';

/**
 * The planner's ranges as a real source evaluates them: keys stored in DuckDB, sampled in DuckDB's own
 * order, each partition rendered by core `rangePredicate` and counted by DuckDB. Every row must come back
 * from exactly one partition. (Composite keys are covered by the in-memory property tests: DuckDB 1.5
 * cannot bind a two-sided row-value range, see core/sql.test.ts.)
 */
interface Run {
  keys: (string | null)[];
  /** Sample every n-th key of DuckDB's sorted order. */
  every: number;
  /** The (possibly stale) row estimate handed to the planner. */
  rows: number;
  nullsCounted: boolean;
}

describe('planned ranges rendered as SQL', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  async function check(sqlType: 'BIGINT' | 'VARCHAR', { keys, every, rows, nullsCounted }: Run) {
    const dialect: SqlDialect = {
      quoteIdent: quoteDouble,
      placeholder: (i) => `$${i + 1}`,
      cast: (p) => (sqlType === 'BIGINT' ? `CAST(${p} AS BIGINT)` : p),
    };
    await conn.run(`CREATE OR REPLACE TABLE t (n INTEGER, "key col" ${sqlType})`);
    const appender = await conn.createAppender('t');
    keys.forEach((k, n) => {
      appender.appendInteger(n);
      if (k === null) appender.appendNull();
      else if (sqlType === 'BIGINT') appender.appendBigInt(BigInt(k));
      else appender.appendVarchar(k);
      appender.endRow();
    });
    appender.closeSync();

    const sorted = await conn.runAndReadAll('SELECT "key col" FROM t WHERE "key col" IS NOT NULL ORDER BY 1');
    const samples = sorted
      .getRows()
      .filter((_, i) => i % every === 0)
      .map((r) => [String(r[0])]);
    const { partitions } = planPartitions({
      table: 'main.t',
      keyColumns: ['key col'],
      keyNullable: true,
      stats: {
        rows,
        exact: false,
        // A stale estimate may miss the NULLs: the nullKey partition must not depend on it.
        nullKeyRows: nullsCounted ? keys.filter((k) => k === null).length : 0,
        samples,
      },
      partitionRows: 7,
    });
    const seen: number[] = [];
    for (const p of partitions) {
      const where = rangePredicate(p.range, dialect);
      const result = await conn.runAndReadAll(`SELECT n FROM t WHERE ${where.sql}`, where.params);
      seen.push(...result.getRows().map((r) => Number(r[0])));
    }
    expect(seen.sort((a, b) => a - b)).toEqual(keys.map((_, n) => n));
  }

  const int64 = fc
    .oneof(
      fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 63n) + 50n }),
      fc.bigInt({ min: 2n ** 63n - 50n, max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -100n, max: 100n }),
    )
    .map(String);
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 4 }).map((s) => s.replaceAll('\u0000', '')),
    fc.constantFrom('', 'a', 'A', 'é', 'e\u0301', '\u{1F600}', '\uFFFF', '\uE000'),
  );
  const run = (value: fc.Arbitrary<string>): fc.Arbitrary<Run> =>
    fc.record({
      keys: fc.array(fc.option(value, { nil: null, freq: 6 }), { maxLength: 200, size: 'max' }),
      every: fc.integer({ min: 1, max: 4 }),
      rows: fc.nat(300),
      nullsCounted: fc.boolean(),
    });

  it('covers BIGINT keys at the int64 extremes, NULLs included, exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(run(int64), (r) => check('BIGINT', r)),
      { numRuns: 25 },
    );
  });

  it('covers VARCHAR keys (unicode, empty string) exactly once in DuckDB order', async () => {
    await fc.assert(
      fc.asyncProperty(run(text), (r) => check('VARCHAR', r)),
      { numRuns: 25 },
    );
  });
});
