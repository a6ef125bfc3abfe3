import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbQuery, ferry, tempDir } from './cli-harness.js';

/**
 * Every DuckDB/Parquet type with edge values, DuckDB → Parquet → DuckDB through `ferry run`, verified by ferry
 * (read-back checksums and `ferry verify`) and independently by SQL (EXCEPT ALL both ways).
 */
const TABLE = `
CREATE TABLE edge (
  id BIGINT PRIMARY KEY,
  b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INTEGER, i64 BIGINT,
  u8 UTINYINT, u16 USMALLINT, u32 UINTEGER, u64 UBIGINT,
  f32 FLOAT, f64 DOUBLE,
  d38 DECIMAL(38,10), d12 DECIMAL(12,2), d4 DECIMAL(4,0),
  s VARCHAR, bl BLOB,
  dt DATE, tm TIME, ts TIMESTAMP, tstz TIMESTAMPTZ,
  iv INTERVAL, u UUID, j JSON, li INTEGER[]
);
INSERT INTO edge VALUES
 (1, true, -128, -32768, -2147483648, -9223372036854775808, 0, 0, 0, 0,
  -3.4028235e38, -1.7976931348623157e308,
  -9999999999999999999999999999.9999999999, -9999999999.99, -9999,
  '', ''::BLOB, DATE '0001-01-01', TIME '00:00:00', TIMESTAMP '1900-01-01 00:00:00.000001',
  TIMESTAMPTZ '1969-12-31 23:59:59.999999+00', INTERVAL '-1 year -2 days -3 microseconds',
  '00000000-0000-0000-0000-000000000000', '{}', []),
 (2, false, 127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295, 18446744073709551615,
  3.4028235e38, 1.7976931348623157e308,
  9999999999999999999999999999.9999999999, 9999999999.99, 9999,
  'héllo wörld ✓ 🦀 𝄞 中文', '\\x00\\x01\\xFE\\xFF'::BLOB, DATE '1969-12-31', TIME '23:59:59.999999',
  TIMESTAMP '2262-04-11 23:47:16.854775', TIMESTAMPTZ '2024-02-29 12:34:56.123456+00',
  INTERVAL '178000000 years 11 months 30 days 23:59:59.999999',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '{"z": 1, "a": [1.50, "x", null, true], "n": {"k": -0.0}}', [1, NULL, 3]),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN', 'NaN', NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, true, 0, 0, 0, 0, 1, 1, 1, 1, 'Infinity', '-Infinity', 0.0000000001, 0.01, 0,
  repeat('x', 1048576), NULL, DATE '1970-01-01', TIME '12:00:00', TIMESTAMP '1970-01-01 00:00:00',
  TIMESTAMPTZ '1970-01-01 00:00:00+00', INTERVAL '0 seconds', '123e4567-e89b-12d3-a456-426614174000',
  '"just a string"', [NULL]),
 (5, false, -1, -1, -1, -1, 2, 2, 2, 2, '-0.0', '-0.0', -0.0000000001, -0.01, -1,
  'tab\\there "quoted" back\\\\slash' || chr(10) || 'newline' || chr(13) || chr(0), NULL, DATE '2000-02-29', TIME '00:00:00.000001',
  TIMESTAMP '1677-09-21 00:12:43.145225', TIMESTAMPTZ '2038-01-19 03:14:08+00', INTERVAL '1 month',
  NULL, '[1, 2.0, 3e2]', NULL);
INSERT INTO edge (id, s) SELECT 100 + i, 'row ' || i FROM range(0, 200) t(i);
INSERT INTO edge (id, bl) SELECT 1000 + i, from_hex(lpad(to_hex(i), 2, '0')) FROM range(0, 256) t(i);
`;

describe('type round trip DuckDB → Parquet → DuckDB', () => {
  const tmp = tempDir('types');
  const src = join(tmp.path, 'src.duckdb');
  const dst = join(tmp.path, 'dst.duckdb');
  const pq = join(tmp.path, 'parquet');
  const state = ['--state-dir', join(tmp.path, 'runs'), '--reports-dir', join(tmp.path, 'reports')];
  beforeAll(async () => {
    await duckdbQuery(src, TABLE);
  });
  afterAll(() => tmp.cleanup());

  it('moves every value exactly and verifies it', async () => {
    const toParquet = await ferry(['run', '--from', `duckdb:${src}`, '--to', `parquet:${pq}`, '--partition-rows', '100', '--json', ...state]);
    expect(toParquet.stderr).toBe('');
    expect(toParquet.code).toBe(0);
    const r1 = JSON.parse(toParquet.stdout).report;
    expect(r1.verified).toBe(true);
    expect(r1.tables[0].partitions).toBeGreaterThan(2);

    const back = await ferry(['run', '--from', `parquet:${pq}`, '--to', `duckdb:${dst}`, '--partition-rows', '100', '--json', ...state]);
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    const r2 = JSON.parse(back.stdout).report;
    expect(r2.verified).toBe(true);
    expect(r2.rows).toBe(r1.rows);
    expect(r2.tables[0].written.sum).toBe(r1.tables[0].written.sum);

    const verify = await ferry(['verify', '--from', `duckdb:${src}`, '--to', `duckdb:${dst}`, '--partition-rows', '50']);
    expect(verify.code).toBe(0);

    // Independent of ferry: same column types and the same multiset of rows.
    const types = await duckdbQuery(
      dst,
      `ATTACH '${src}' AS s (READ_ONLY);
       SELECT a.column_name, a.data_type, b.data_type FROM information_schema.columns a
       JOIN information_schema.columns b ON a.column_name = b.column_name AND b.table_catalog = 's' AND b.table_name = 'edge'
       WHERE a.table_catalog = 'dst' AND a.table_name = 'edge' AND a.data_type <> b.data_type`,
    );
    expect(types).toEqual([]);
    const [[diff, n]] = (await duckdbQuery(
      dst,
      `ATTACH '${src}' AS s (READ_ONLY);
       SELECT (SELECT count(*) FROM (SELECT * FROM s.edge EXCEPT ALL SELECT * FROM edge)) +
              (SELECT count(*) FROM (SELECT * FROM edge EXCEPT ALL SELECT * FROM s.edge)), (SELECT count(*) FROM edge)`,
    )) as [[bigint, bigint]];
    expect(n).toBe(461n);
    expect(diff).toBe(0n);
    // EXCEPT compares NaN = NaN and -0.0 = 0.0; check the bits that matter explicitly.
    const special = await duckdbQuery(dst, `SELECT id, isnan(f64), f64::VARCHAR, signbit(f64) FROM edge WHERE id IN (3, 4, 5) ORDER BY id`);
    expect(special).toEqual([
      [3n, true, 'nan', false],
      [4n, false, '-inf', true],
      [5n, false, '-0.0', true],
    ]);
  });
});
