import type { LogicalType } from '../../core/index.js';
import type { JsValue } from '../../formats/index.js';

/**
 * The conformance fixture: tables described once, as DuckDB SQL (to build them) and as the exact JsValues a
 * source must read and a target must hold. A harness builds them in its own system (a DuckDB file, Parquet
 * files written by DuckDB, another database from the same description).
 */

/** One column of a fixture table: its DuckDB type, logical type, and per row the SQL literal and expected value. */
export interface FixtureColumn {
  name: string;
  sql: string;
  type: LogicalType;
  /** One entry per row: the DuckDB SQL expression, and the JsValue ferry must read for it. */
  values: [sql: string, expected: JsValue | null][];
}

/** A fixture table: listed rows (`values` of each column) or a generating `select`. */
export interface FixtureTable {
  name: string;
  columns: FixtureColumn[];
  /** Key columns (the primary key where the system has one). */
  key: string[];
  /** Rows too many to list: a DuckDB SELECT producing them (same column order); `values` are then empty. */
  select?: string;
  rows: number;
}

const MAX_I64 = 2n ** 63n - 1n;
const MIN_I64 = -(2n ** 63n);

/** Microseconds since the epoch of an ISO timestamp with up to six fractional digits (UTC). */
export function us(iso: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`bad timestamp ${iso}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0'));
}

/** Days since the epoch of an ISO date. */
export function days(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

const MB_TEXT = 'ab€'.repeat(349_525);
const NULLS = 'NULL';

function col(
  name: string,
  sql: string,
  type: LogicalType,
  values: [string, JsValue | null][],
): FixtureColumn {
  return { name, sql, type, values };
}

/**
 * Seven rows covering every logical type: row 1 minimums, row 2 maximums, rows 3–4 NaN and infinities, row 5
 * microseconds, a 1 MB string and bytes with NUL, row 6 NULL everywhere, row 7 dates before 1970.
 */
export const TYPES_TABLE: FixtureTable = {
  name: 'all_types',
  key: ['id'],
  rows: 7,
  columns: [
    col(
      'id',
      'BIGINT NOT NULL',
      { kind: 'int', bits: 64 },
      [1, 2, 3, 4, 5, 6, 7].map((i) => [String(i), BigInt(i)]),
    ),
    col('b', 'BOOLEAN', { kind: 'bool' }, [
      ['false', false],
      ['true', true],
      ['true', true],
      ['false', false],
      ['true', true],
      [NULLS, null],
      ['false', false],
    ]),
    col('i8', 'TINYINT', { kind: 'int', bits: 8 }, [
      ['-128', -128],
      ['127', 127],
      ['0', 0],
      ['-1', -1],
      ['42', 42],
      [NULLS, null],
      ['1', 1],
    ]),
    col('i16', 'SMALLINT', { kind: 'int', bits: 16 }, [
      ['-32768', -32768],
      ['32767', 32767],
      ['0', 0],
      ['-1', -1],
      ['4242', 4242],
      [NULLS, null],
      ['1', 1],
    ]),
    col('i32', 'INTEGER', { kind: 'int', bits: 32 }, [
      ['-2147483648', -2147483648],
      ['2147483647', 2147483647],
      ['0', 0],
      ['-1', -1],
      ['424242', 424242],
      [NULLS, null],
      ['1', 1],
    ]),
    col('i64', 'BIGINT', { kind: 'int', bits: 64 }, [
      [String(MIN_I64), MIN_I64],
      [String(MAX_I64), MAX_I64],
      ['0', 0n],
      ['-1', -1n],
      ['9007199254740993', 9007199254740993n],
      [NULLS, null],
      ['1', 1n],
    ]),
    col('u8', 'UTINYINT', { kind: 'int', bits: 8, unsigned: true }, [
      ['0', 0],
      ['255', 255],
      ['1', 1],
      ['2', 2],
      ['3', 3],
      [NULLS, null],
      ['4', 4],
    ]),
    col('u16', 'USMALLINT', { kind: 'int', bits: 16, unsigned: true }, [
      ['0', 0],
      ['65535', 65535],
      ['1', 1],
      ['2', 2],
      ['3', 3],
      [NULLS, null],
      ['4', 4],
    ]),
    col('u32', 'UINTEGER', { kind: 'int', bits: 32, unsigned: true }, [
      ['0', 0n],
      ['4294967295', 4294967295n],
      ['1', 1n],
      ['2', 2n],
      ['3', 3n],
      [NULLS, null],
      ['4', 4n],
    ]),
    col('u64', 'UBIGINT', { kind: 'int', bits: 64, unsigned: true }, [
      ['0', 0n],
      ['18446744073709551615', 18446744073709551615n],
      ['1', 1n],
      ['2', 2n],
      ['9223372036854775808', 9223372036854775808n],
      [NULLS, null],
      ['4', 4n],
    ]),
    col('f32', 'FLOAT', { kind: 'float', bits: 32 }, [
      ['-3.4028235e38', Math.fround(-3.4028235e38)],
      ['3.4028235e38', Math.fround(3.4028235e38)],
      ["'NaN'", Number.NaN],
      ["'-inf'", Number.NEGATIVE_INFINITY],
      ['1.5e-45', Math.fround(1.5e-45)],
      [NULLS, null],
      ["'-0.0'::FLOAT", -0],
    ]),
    col('f64', 'DOUBLE', { kind: 'float', bits: 64 }, [
      ['-1.7976931348623157e308', -1.7976931348623157e308],
      ['1.7976931348623157e308', 1.7976931348623157e308],
      ["'NaN'", Number.NaN],
      ["'inf'", Number.POSITIVE_INFINITY],
      ['5e-324', 5e-324],
      [NULLS, null],
      ['0.1', 0.1],
    ]),
    col('d38', 'DECIMAL(38,10)', { kind: 'decimal', precision: 38, scale: 10 }, [
      ["'-9999999999999999999999999999.9999999999'", '-9999999999999999999999999999.9999999999'],
      ["'9999999999999999999999999999.9999999999'", '9999999999999999999999999999.9999999999'],
      ["'0'", '0.0000000000'],
      ["'-0.0000000001'", '-0.0000000001'],
      ["'12345678901234567890.1234567890'", '12345678901234567890.1234567890'],
      [NULLS, null],
      ["'1.5'", '1.5000000000'],
    ]),
    col('d12', 'DECIMAL(12,2)', { kind: 'decimal', precision: 12, scale: 2 }, [
      ["'-9999999999.99'", '-9999999999.99'],
      ["'9999999999.99'", '9999999999.99'],
      ["'0'", '0.00'],
      ["'-0.05'", '-0.05'],
      ["'1.50'", '1.50'],
      [NULLS, null],
      ["'100'", '100.00'],
    ]),
    col('d4', 'DECIMAL(4,1)', { kind: 'decimal', precision: 4, scale: 1 }, [
      ["'-999.9'", '-999.9'],
      ["'999.9'", '999.9'],
      ["'0'", '0.0'],
      ["'-0.1'", '-0.1'],
      ["'12.3'", '12.3'],
      [NULLS, null],
      ["'1'", '1.0'],
    ]),
    col('hi', 'HUGEINT', { kind: 'decimal', precision: 39, scale: 0 }, [
      ["'-170141183460469231731687303715884105728'::HUGEINT", '-170141183460469231731687303715884105728'],
      ["'170141183460469231731687303715884105727'::HUGEINT", '170141183460469231731687303715884105727'],
      ['0', '0'],
      ['-1', '-1'],
      ["'18446744073709551616'::HUGEINT", '18446744073709551616'],
      [NULLS, null],
      ['1', '1'],
    ]),
    col('txt', 'VARCHAR', { kind: 'text' }, [
      ["''", ''],
      [
        "'héllo wörld 日本語 🎉 ''quoted'' \"dq\" \\ tab\t'",
        'héllo wörld 日本語 🎉 \'quoted\' "dq" \\ tab\t',
      ],
      ["'line1\nline2'", 'line1\nline2'],
      ["' '", ' '],
      [`repeat('ab€', 349525)`, MB_TEXT],
      [NULLS, null],
      ["'NULL'", 'NULL'],
    ]),
    col('bin', 'BLOB', { kind: 'bytes' }, [
      ["''::BLOB", new Uint8Array()],
      ["'\\xFF\\xFE\\x00\\x01'::BLOB", new Uint8Array([0xff, 0xfe, 0, 1])],
      ["'a'::BLOB", new Uint8Array([0x61])],
      ["'\\x00'::BLOB", new Uint8Array([0])],
      ["'\\x00\\xFFxyz'::BLOB", new Uint8Array([0, 0xff, 0x78, 0x79, 0x7a])],
      [NULLS, null],
      ["'b'::BLOB", new Uint8Array([0x62])],
    ]),
    col('dt', 'DATE', { kind: 'date' }, [
      ["DATE '0001-01-01'", days('0001-01-01')],
      ["DATE '9999-12-31'", days('9999-12-31')],
      ["DATE 'infinity'", 0x7fffffff],
      ["DATE '-infinity'", -0x80000000],
      ["DATE '2020-02-29'", days('2020-02-29')],
      [NULLS, null],
      ["DATE '1969-07-20'", days('1969-07-20')],
    ]),
    col('tm', 'TIME', { kind: 'time' }, [
      ["TIME '00:00:00'", 0n],
      ["TIME '23:59:59.999999'", 86_399_999_999n],
      ["TIME '12:00:00'", 43_200_000_000n],
      ["TIME '00:00:00.000001'", 1n],
      ["TIME '12:34:56.789012'", 45_296_789_012n],
      [NULLS, null],
      ["TIME '01:02:03'", 3_723_000_000n],
    ]),
    col('ts', 'TIMESTAMP', { kind: 'timestamp', tz: false }, [
      ["TIMESTAMP '1969-12-31 23:59:59.999999'", -1n],
      ["TIMESTAMP '9999-12-31 23:59:59.999999'", us('9999-12-31T23:59:59.999999Z')],
      ["TIMESTAMP 'infinity'", MAX_I64],
      ["TIMESTAMP '-infinity'", MIN_I64],
      ["TIMESTAMP '2020-02-29 12:34:56.789012'", us('2020-02-29T12:34:56.789012Z')],
      [NULLS, null],
      ["TIMESTAMP '1900-01-01 00:00:00.000001'", us('1900-01-01T00:00:00.000001Z')],
    ]),
    col('tstz', 'TIMESTAMPTZ', { kind: 'timestamp', tz: true }, [
      ["TIMESTAMPTZ '1900-01-01 00:00:00+00'", us('1900-01-01T00:00:00Z')],
      ["TIMESTAMPTZ '2262-04-11 23:47:16.854775+00'", us('2262-04-11T23:47:16.854775Z')],
      ["TIMESTAMPTZ '-infinity'", MIN_I64],
      ["TIMESTAMPTZ 'infinity'", MAX_I64],
      ["TIMESTAMPTZ '2020-02-29 12:34:56.789012+02'", us('2020-02-29T10:34:56.789012Z')],
      [NULLS, null],
      ["TIMESTAMPTZ '1969-07-20 20:17:40.5+00'", us('1969-07-20T20:17:40.5Z')],
    ]),
    col('iv', 'INTERVAL', { kind: 'interval' }, [
      ['to_months(-14) + to_days(-3) + to_microseconds(-1)', '-1 years -2 mons -3 days -00:00:00.000001'],
      ['to_months(2147483647) + to_days(2147483647)', '178956970 years 7 mons 2147483647 days'],
      ["INTERVAL '0 seconds'", '00:00:00'],
      ['to_days(-1) + to_hours(2)', '-1 days +02:00:00'],
      ['to_months(14) + to_days(3) + to_microseconds(14706789000)', '1 year 2 mons 3 days 04:05:06.789'],
      [NULLS, null],
      ['to_hours(100)', '100:00:00'],
    ]),
    col('uid', 'UUID', { kind: 'uuid' }, [
      ["'00000000-0000-0000-0000-000000000000'", '00000000-0000-0000-0000-000000000000'],
      ["'ffffffff-ffff-ffff-ffff-ffffffffffff'", 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
      ["'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
      ["'7fffffff-ffff-ffff-ffff-ffffffffffff'", '7fffffff-ffff-ffff-ffff-ffffffffffff'],
      ["'80000000-0000-0000-0000-000000000000'", '80000000-0000-0000-0000-000000000000'],
      [NULLS, null],
      ["'123e4567-e89b-12d3-a456-426614174000'", '123e4567-e89b-12d3-a456-426614174000'],
    ]),
    col('doc', 'JSON', { kind: 'json' }, [
      ["'{}'", '{}'],
      [`'{"b":[1,2,{"c":null}],"a":"x"}'`, '{"b":[1,2,{"c":null}],"a":"x"}'],
      ["'[]'", '[]'],
      ["'null'", 'null'],
      [`'{"n":12345678901234567890.5,"s":"日本"}'`, '{"n":12345678901234567890.5,"s":"日本"}'],
      [NULLS, null],
      ["'1'", '1'],
    ]),
    col('en', "ENUM('small', 'large')", { kind: 'text' }, [
      ["'small'", 'small'],
      ["'large'", 'large'],
      ["'small'", 'small'],
      ["'large'", 'large'],
      ["'small'", 'small'],
      [NULLS, null],
      ["'large'", 'large'],
    ]),
    col('li', 'INTEGER[]', { kind: 'list', element: { kind: 'int', bits: 32 } }, [
      ['[]::INTEGER[]', []],
      ['[1, NULL, -3]', [1, null, -3]],
      ['[2147483647]', [2147483647]],
      ['[NULL]::INTEGER[]', [null]],
      ['[1, 2, 3, 4, 5]', [1, 2, 3, 4, 5]],
      [NULLS, null],
      ['[-2147483648]', [-2147483648]],
    ]),
    col('ls', 'VARCHAR[]', { kind: 'list', element: { kind: 'text' } }, [
      ["['']", ['']],
      ["['a', NULL, 'ü🎉']", ['a', null, 'ü🎉']],
      ['[]::VARCHAR[]', []],
      ["['x,y']", ['x,y']],
      ["['[1]', '\"q\"']", ['[1]', '"q"']],
      [NULLS, null],
      ["['NULL']", ['NULL']],
    ]),
  ],
};

/**
 * 3000 rows with a composite key (k1, k2) where 30 rows have a NULL k1 and 20 a NULL k2, and a unique
 * integer `n`: for sampling and for range reads that must cover every row exactly once.
 */
export const KEYS_TABLE: FixtureTable = {
  name: 'keyed',
  key: ['k1', 'k2'],
  rows: 3000,
  columns: [
    col('n', 'BIGINT NOT NULL', { kind: 'int', bits: 64 }, []),
    col('k1', 'INTEGER', { kind: 'int', bits: 32 }, []),
    col('k2', 'VARCHAR', { kind: 'text' }, []),
    col('v', 'DECIMAL(18,4)', { kind: 'decimal', precision: 18, scale: 4 }, []),
  ],
  select: `SELECT i AS n,
      CASE WHEN i % 100 = 7 THEN NULL ELSE (i * 7919) % 500 END AS k1,
      CASE WHEN i % 150 = 11 THEN NULL ELSE 'k' || lpad(CAST((i * 31) % 97 AS VARCHAR), 3, '0') || chr(228) END AS k2,
      CAST(i AS DECIMAL(18,4)) / 8 AS v
    FROM range(3000) r(i)`,
};

/** The tables of the fixture, with columns a harness does not support removed. */
export function fixtureTables(supports: (type: LogicalType) => boolean): FixtureTable[] {
  const keep = (t: FixtureTable): FixtureTable => ({
    ...t,
    columns: t.columns.filter((c) => t.key.includes(c.name) || supports(c.type)),
  });
  return [keep(TYPES_TABLE), keep(KEYS_TABLE)];
}

/** DuckDB SQL creating and filling one fixture table in the current database. */
export function fixtureSql(table: FixtureTable): string {
  const cols = table.columns.map((c) => `"${c.name}" ${c.sql}`).join(', ');
  const create = `CREATE TABLE "${table.name}" (${cols}${table.key.length && !table.select ? `, PRIMARY KEY (${table.key.map((k) => `"${k}"`).join(', ')})` : ''})`;
  if (table.select) {
    const names = table.columns.map((c) => `"${c.name}"`).join(', ');
    return `${create};\nINSERT INTO "${table.name}" SELECT ${names} FROM (${table.select});`;
  }
  const rows: string[] = [];
  for (let r = 0; r < table.rows; r++) {
    rows.push(`(${table.columns.map((c) => c.values[r]![0]).join(', ')})`);
  }
  return `${create};\nINSERT INTO "${table.name}" VALUES\n${rows.join(',\n')};`;
}

/** The expected rows of a listed fixture table, in key order. */
export function expectedRows(table: FixtureTable): (JsValue | null)[][] {
  const rows: (JsValue | null)[][] = [];
  for (let r = 0; r < table.rows; r++) rows.push(table.columns.map((c) => c.values[r]![1]));
  return rows;
}
