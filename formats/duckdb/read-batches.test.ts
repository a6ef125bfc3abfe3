import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRows } from '../index.js';
import { connectDuckDB, openDuckDB } from './open.js';
import { queryBatches } from './read-batches.js';
import { columnsOfRelation, relationColumns } from './relation.js';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await openDuckDB(':memory:');
  conn = await connectDuckDB(instance);
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

async function read(
  sql: string,
  batchRows_ = 1000,
  params: string[] = [],
  describeSql = sql,
  batchBytes?: number,
) {
  const columns = columnsOfRelation(await relationColumns(conn, `(${describeSql})`, 't'), 't');
  const rows = [];
  const sizes: number[] = [];
  for await (const b of queryBatches(conn, sql, params, columns, {
    batchRows: batchRows_,
    ...(batchBytes ? { batchBytes } : {}),
    table: 't',
    keyColumns: [0],
  })) {
    sizes.push(b.numRows);
    rows.push(...batchRows(b));
  }
  return { columns, rows, sizes };
}

describe('queryBatches', () => {
  it('widens second and millisecond timestamps to microseconds exactly, infinities included', async () => {
    const { rows } = await read(
      `SELECT TIMESTAMP_S '2020-01-01 00:00:01' AS s, TIMESTAMP_MS '1969-12-31 23:59:59.999' AS ms,
              'infinity'::TIMESTAMP_S AS inf, '-infinity'::TIMESTAMP_MS AS ninf,
              TIMESTAMP_NS '2020-01-01 00:00:00.123456000' AS ns`,
    );
    expect(rows).toEqual([
      [1_577_836_801_000_000n, -1000n, 2n ** 63n - 1n, -(2n ** 63n), 1_577_836_800_123_456n],
    ]);
  });

  it('refuses a TIMESTAMP_NS value with sub-microsecond digits (TYPE, naming column, key and value)', async () => {
    await expect(
      read(`SELECT 7 AS id, TIMESTAMP_NS '2020-01-01 00:00:00.123456789' AS ns`),
    ).rejects.toMatchObject({
      code: 'TYPE',
      context: { table: 't', column: 'ns', key: '7', value: '2020-01-01 00:00:00.123456789' },
    });
  });

  it('reads HUGEINT, UHUGEINT, BIGNUM and DECIMAL as exact text', async () => {
    const { rows, columns } = await read(
      `SELECT '-170141183460469231731687303715884105728'::HUGEINT AS h,
              '340282366920938463463374607431768211455'::UHUGEINT AS u,
              '-123456789012345678901234567890123456789012345'::BIGNUM AS b,
              '-0.05'::DECIMAL(4,2) AS d2, '0.000001'::DECIMAL(18,6) AS d8, '-1.5'::DECIMAL(38,1) AS d16`,
    );
    expect(columns.map((c) => c.type)).toEqual([
      { kind: 'decimal', precision: 39, scale: 0 },
      { kind: 'decimal', precision: 39, scale: 0 },
      { kind: 'decimal', scale: 0 },
      { kind: 'decimal', precision: 4, scale: 2 },
      { kind: 'decimal', precision: 18, scale: 6 },
      { kind: 'decimal', precision: 38, scale: 1 },
    ]);
    expect(rows).toEqual([
      [
        '-170141183460469231731687303715884105728',
        '340282366920938463463374607431768211455',
        '-123456789012345678901234567890123456789012345',
        '-0.05',
        '0.000001',
        '-1.5',
      ],
    ]);
  });

  it('streams in batches of at most batchRows across DuckDB chunks', async () => {
    const { rows, sizes } = await read('SELECT range AS i FROM range(5000)', 1500);
    expect(sizes).toEqual([1500, 1500, 1500, 500]);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 5000 }, (_, i) => BigInt(i)));
  });

  it('ends a batch early once its Arrow buffers reach batchBytes, within 256 rows', async () => {
    // 8 bytes of BIGINT + 4 of offset + 1,000 of text per row: 100 kB is reached after 99 rows, checked at 256.
    const sql = "SELECT range AS i, repeat('x', 1000) AS v FROM range(3000)";
    const { rows, sizes } = await read(sql, 10_000, [], sql, 100_000);
    expect(sizes).toEqual([...Array(11).fill(256), 184]);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 3000 }, (_, i) => BigInt(i)));
  });

  it('binds key parameters as text cast in SQL', async () => {
    const sql = 'SELECT range AS i FROM range(10) WHERE range >= CAST($1 AS BIGINT)';
    const { rows } = await read(sql, 100, ['8'], 'SELECT range AS i FROM range(10)');
    expect(rows).toEqual([[8n], [9n]]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const columns = columnsOfRelation(
      await relationColumns(conn, '(SELECT range AS i FROM range(100000))', 't'),
      't',
    );
    const batches = queryBatches(conn, 'SELECT range AS i FROM range(100000)', [], columns, {
      batchRows: 100,
      table: 't',
      signal: controller.signal,
    });
    let n = 0;
    await expect(
      (async () => {
        for await (const _ of batches) {
          if (++n === 2) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(n).toBe(2);
  });
});
