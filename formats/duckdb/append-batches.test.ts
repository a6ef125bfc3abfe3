import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column } from '../../core/index.js';
import { BatchBuilder, type JsValue } from '../index.js';
import { ArrowAppender } from './append-batches.js';
import { connectDuckDB, openDuckDB } from './open.js';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  {
    name: 'amount',
    type: { kind: 'decimal', precision: 4, scale: 1 },
    nullable: true,
    nativeType: 'DECIMAL(4,1)',
  },
  { name: 'at', type: { kind: 'timestamp', tz: true }, nullable: true, nativeType: 'TIMESTAMPTZ' },
  {
    name: 'tags',
    type: { kind: 'list', element: { kind: 'text' } },
    nullable: true,
    nativeType: 'VARCHAR[]',
  },
];

function batch(rows: (JsValue | null)[][]) {
  const b = new BatchBuilder(columns, rows.length);
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

beforeAll(async () => {
  instance = await openDuckDB(':memory:');
  conn = await connectDuckDB(instance);
  await conn.run(
    'CREATE TABLE t (id BIGINT NOT NULL, amount DECIMAL(4,1), "at" TIMESTAMPTZ, tags VARCHAR[])',
  );
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

describe('ArrowAppender', () => {
  it('appends exactly, in chunks, inside the open transaction', async () => {
    await conn.run('BEGIN');
    const appender = await ArrowAppender.open(conn, { name: 't' }, ['id', 'amount', 'at', 'tags'], {
      table: 't',
    });
    const rows = Array.from({ length: 5000 }, (_, i) => [
      BigInt(i),
      i % 7 === 0 ? null : `${i % 1000}.${i % 10}`,
      BigInt(i) * 1_000_001n - 2n ** 62n,
      i % 3 === 0 ? null : [`t${i}`, null],
    ]);
    appender.append(batch(rows));
    appender.close();
    await conn.run('COMMIT');
    const r = await conn.runAndReadAll(
      `SELECT count(*), sum(amount)::VARCHAR, epoch_us(min("at")), epoch_us(max("at")), count(tags), sum(len(tags)) FROM t`,
    );
    const expectedSum = rows.reduce((s, r) => s + (r[1] === null ? 0 : Math.round(Number(r[1]) * 10)), 0);
    expect(r.getRowsJS()[0]).toEqual([
      5000n,
      (expectedSum / 10).toFixed(1),
      -(2n ** 62n),
      4999n * 1_000_001n - 2n ** 62n,
      3333n,
      6666n,
    ]);
    await conn.run('DELETE FROM t');
  });

  it('refuses a value the column cannot hold with DATA naming table, column, key and value, never rounding', async () => {
    await conn.run('BEGIN');
    const appender = await ArrowAppender.open(conn, { name: 't' }, ['id', 'amount', 'at', 'tags'], {
      table: 'main.t',
      keyColumns: ['id'],
    });
    expect(() =>
      appender.append(
        batch([
          [1n, '1.0', null, null],
          [42n, '1.55', null, null],
        ]),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'DATA',
        context: expect.objectContaining({ table: 'main.t', column: 'amount', key: '42', value: '1.55' }),
      }),
    );
    expect(() => appender.append(batch([[43n, '12345.0', null, null]]))).toThrow(
      /digits before the decimal point/,
    );
    appender.discard();
    await conn.run('ROLLBACK');
    const r = await conn.runAndReadAll('SELECT count(*) FROM t');
    expect(r.getRowsJS()[0]).toEqual([0n]);
  });
});
