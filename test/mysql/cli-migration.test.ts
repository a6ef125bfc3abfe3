import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase, requireServices, runCli, sql } from '../helpers/services.js';
import { EVERYTHING_DDL, EVERYTHING_ROWS } from './fixture.js';
import { exec, freshDatabase } from './mariadb.js';

/**
 * The MySQL acceptance tests through the `ferry` CLI against real MariaDB and PostgreSQL servers: the every-type
 * table MariaDB → PostgreSQL → MariaDB and MariaDB → Parquet, zero dates under each policy, NUL in text. Each
 * is verified by ferry AND by an independent per-value comparison written here (SQL on both sides, DuckDB for
 * Parquet). cli-schema.test.ts has the foreign-key schema and the killed-and-resumed run.
 */
/**
 * Per column, the value as MariaDB states it (TIME through CAST: PostgreSQL's interval comes back as text), in a spelling PostgreSQL can produce too: integers and decimals
 * as text, dates as day counts, timestamps and times as microsecond counts, text and bytes as hex of the bytes.
 */
const MARIADB_VALUES = `SELECT id,
  CAST(b1 AS CHAR) AS b1, CAST(i8 AS CHAR) AS i8, CAST(u8 AS CHAR) AS u8, CAST(i16 AS CHAR) AS i16,
  CAST(u16 AS CHAR) AS u16, CAST(i24 AS CHAR) AS i24, CAST(u24 AS CHAR) AS u24, CAST(i32 AS CHAR) AS i32,
  CAST(u32 AS CHAR) AS u32, CAST(i64 AS CHAR) AS i64, CAST(u64 AS CHAR) AS u64, CAST(zf + 0 AS CHAR) AS zf,
  CAST(d65 AS CHAR) AS d65, CAST(d10 AS CHAR) AS d10,
  CAST(CAST(bit10 AS UNSIGNED) AS CHAR) AS bit10, CAST(CAST(bit64 AS UNSIGNED) AS CHAR) AS bit64,
  CAST(yr + 0 AS CHAR) AS yr, CAST(DATEDIFF(dt, '1970-01-01') AS CHAR) AS dt,
  CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', dtm) AS CHAR) AS dtm,
  CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ts) AS CHAR) AS ts,
  CAST(IF(t6 < 0, -1, 1) * ((HOUR(t6) * 3600 + MINUTE(t6) * 60 + SECOND(t6)) * 1000000 + MICROSECOND(t6)) AS CHAR) AS tm,
  HEX(CONVERT(c_utf8 USING utf8mb4)) AS c_utf8, HEX(CONVERT(c_latin1 USING utf8mb4)) AS c_latin1,
  HEX(CONVERT(c_char USING utf8mb4)) AS c_char, HEX(CONVERT(c_text USING utf8mb4)) AS c_text,
  HEX(c_bin) AS c_bin, HEX(c_varbin) AS c_varbin, HEX(c_blob) AS c_blob, HEX(CONVERT(e USING utf8mb4)) AS e
  FROM (SELECT *, CAST(tm AS TIME(6)) AS t6 FROM everything) x ORDER BY id`;

/** The same statement of each value on the PostgreSQL side. */
const PG_VALUES = (t: string) => `SELECT id,
  CASE b1 WHEN true THEN '1' WHEN false THEN '0' END AS b1, i8::text AS i8, u8::text AS u8, i16::text AS i16,
  u16::text AS u16, i24::text AS i24, u24::text AS u24, i32::text AS i32, u32::text AS u32, i64::text AS i64,
  u64::text AS u64, zf::text AS zf, d65::text AS d65, d10::text AS d10,
  bit10::text AS bit10, bit64::text AS bit64, yr::text AS yr, (dt - date '1970-01-01')::text AS dt,
  (extract(epoch FROM dtm) * 1000000)::numeric(30,0)::text AS dtm,
  (extract(epoch FROM ts) * 1000000)::numeric(30,0)::text AS ts,
  (extract(epoch FROM tm) * 1000000)::numeric(30,0)::text AS tm,
  upper(encode(convert_to(c_utf8, 'UTF8'), 'hex')) AS c_utf8, upper(encode(convert_to(c_latin1, 'UTF8'), 'hex')) AS c_latin1,
  upper(encode(convert_to(c_char, 'UTF8'), 'hex')) AS c_char, upper(encode(convert_to(c_text, 'UTF8'), 'hex')) AS c_text,
  upper(encode(c_bin, 'hex')) AS c_bin, upper(encode(c_varbin, 'hex')) AS c_varbin, upper(encode(c_blob, 'hex')) AS c_blob,
  upper(encode(convert_to(e, 'UTF8'), 'hex')) AS e
  FROM ${t} ORDER BY id`;

/** Rows as plain objects of strings (drivers differ: numbers, bigints, strings). */
function normalise(rows: Record<string, unknown>[]): Record<string, string | null>[] {
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])),
  );
}

/** PostGIS EWKB (hex) of little-endian WKB (hex) with an SRID; plain WKB when the SRID is 0. */
function ewkb(wkbHex: string | null, srid: number): string | null {
  if (wkbHex === null || srid === 0) return wkbHex;
  const wkb = Buffer.from(wkbHex, 'hex');
  const head = Buffer.alloc(9);
  head[0] = 1;
  head.writeUInt32LE((wkb.readUInt32LE(1) | 0x20000000) >>> 0, 1);
  head.writeUInt32LE(srid, 5);
  return Buffer.concat([head, wkb.subarray(5)])
    .toString('hex')
    .toUpperCase();
}

/** Rows of a DuckDB query (in memory; every value cast to VARCHAR by the query). */
async function duckRows(query: string): Promise<Record<string, string | null>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(query)).getRowObjectsJson() as Record<string, string | null>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('MySQL migrations through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-mycli-'));
  const state = ['--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')];
  let src: Awaited<ReturnType<typeof freshDatabase>>;
  let pgAdmin: string;
  const dbs: { drop(): Promise<void> }[] = [];
  const pgTarget = async (prefix: string): Promise<TestDatabase> => {
    const db = await createTestDatabase('pg', pgAdmin, prefix);
    dbs.push(db);
    return db;
  };

  beforeAll(async () => {
    src = await freshDatabase('myclisrc');
    dbs.push(src);
    const svc = await requireServices(['pg']);
    if (!svc.urls.pg) throw new Error(`PostgreSQL is not available: ${svc.reason ?? 'no URL'}`);
    pgAdmin = svc.urls.pg;
    // PostgreSQL text cannot hold NUL: row 4's NUL stays in MariaDB for the error test below, not in `everything`.
    const rows = EVERYTHING_ROWS.map((r) => r.replace("CONCAT('nul', CHAR(0), ", "CONCAT('nul', "));
    await exec(src.url, [EVERYTHING_DDL, `INSERT INTO everything VALUES ${rows.join(',\n')}`], '');
  });
  afterAll(async () => {
    for (const d of dbs.reverse()) await d.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every type: MariaDB → PostgreSQL → MariaDB and MariaDB → Parquet, verified by ferry and by SQL', async () => {
    const pgDb = await pgTarget('myclipg');
    const out = await runCli([
      'run',
      '--from',
      src.url,
      '--to',
      pgDb.url,
      '--tables',
      'everything',
      '--partition-rows',
      '2',
      '--json',
      ...state,
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).report.verified).toBe(true);
    const verify = await runCli(['verify', '--from', src.url, '--to', pgDb.url, '--tables', 'everything']);
    expect(verify.stdout).toContain('verified: source and target are equal');
    expect(verify.code).toBe(0);

    // Independent comparison, value by value. The target schema is the MySQL database's name.
    const table = `"${src.name}".everything`;
    const mine = await exec(src.url, MARIADB_VALUES);
    const theirs = await sql(pgDb.url, PG_VALUES(table));
    expect(normalise(theirs)).toEqual(normalise(mine));
    // FLOAT and DOUBLE as numbers: MariaDB widens FLOAT to DOUBLE exactly, as PostgreSQL's real → float8 does.
    const myFloats = await exec(
      src.url,
      'SELECT CAST(CAST(f32 AS DOUBLE) AS CHAR) AS f, CAST(f64 AS CHAR) AS d FROM everything ORDER BY id',
    );
    const pgFloats = await sql(
      pgDb.url,
      `SELECT f32::float8::text AS f, f64::text AS d FROM ${table} ORDER BY id`,
    );
    const num = (v: unknown) => (v === null ? null : Number(v));
    const floats = (rows: Record<string, unknown>[]) => rows.map((r) => [num(r.f), num(r.d)]);
    expect(floats(pgFloats)).toEqual(floats(myFloats));
    const pgOnly = await sql<Record<string, unknown>>(
      pgDb.url,
      `SELECT id, bit1, s, j::text AS j, upper(encode(g, 'hex')) AS g FROM ${table} ORDER BY id`,
    );
    expect(pgOnly.map((r) => r.bit1)).toEqual([false, true, null, true]);
    expect(pgOnly.map((r) => r.s)).toEqual([[], ['a', 'c'], null, ['a', 'b', 'c']]);
    const myJson = await exec(
      src.url,
      'SELECT CAST(j AS CHAR) AS j, HEX(ST_AsWKB(g)) AS g, ST_SRID(g) AS srid FROM everything ORDER BY id',
    );
    // JSON text as stored (json, not jsonb: keys, order and 12345678901234567890.5 kept).
    expect(pgOnly.map((r) => r.j)).toEqual(myJson.map((r) => r.j));
    // Geometry travels as WKB, or as PostGIS EWKB (type flag 0x20000000, then the SRID) when it has an SRID.
    expect(pgOnly.map((r) => r.g)).toEqual(myJson.map((r) => ewkb(r.g as string | null, Number(r.srid))));

    // Back: PostgreSQL → a fresh MariaDB database, then the values compared with the original's.
    const back = await freshDatabase('myclibak');
    dbs.push(back);
    const r = await runCli([
      'run',
      '--from',
      pgDb.url,
      '--to',
      back.url,
      '--tables',
      `${src.name}.everything`,
      '--json',
      ...state,
    ]);
    // The only line on stderr: a MySQL target has no `ferry rollback`.
    expect(r.stderr.trim()).toMatch(/^\S+ WARN {2}the mysql target does not support rollback[^\n]*$/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    const verifyBack = await runCli([
      'verify',
      '--from',
      pgDb.url,
      '--to',
      back.url,
      '--tables',
      `${src.name}.everything`,
    ]);
    expect(verifyBack.code).toBe(0);
    expect(await exec(back.url, MARIADB_VALUES)).toEqual(mine);

    // MariaDB → Parquet, verified by ferry, then the files read by DuckDB and compared value by value.
    const pq = join(dir, 'parquet');
    const p = await runCli([
      'run',
      '--from',
      src.url,
      '--to',
      `parquet:${pq}`,
      '--tables',
      'everything',
      '--partition-rows',
      '2',
      '--json',
      ...state,
    ]);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).report.verified).toBe(true);
    const verifyPq = await runCli([
      'verify',
      '--from',
      src.url,
      '--to',
      `parquet:${pq}`,
      '--tables',
      'everything',
    ]);
    expect(verifyPq.code).toBe(0);
    const files = join(pq, 'everything', '*.parquet').replaceAll("'", "''");
    const inParquet = await duckRows(`SELECT id::VARCHAR AS id,
      CASE b1 WHEN true THEN '1' WHEN false THEN '0' END AS b1, i8::VARCHAR AS i8, u8::VARCHAR AS u8, i16::VARCHAR AS i16,
      u16::VARCHAR AS u16, i24::VARCHAR AS i24, u24::VARCHAR AS u24, i32::VARCHAR AS i32, u32::VARCHAR AS u32,
      i64::VARCHAR AS i64, u64::VARCHAR AS u64, zf::VARCHAR AS zf, d65::VARCHAR AS d65, d10::VARCHAR AS d10,
      bit10::VARCHAR AS bit10, bit64::VARCHAR AS bit64, yr::VARCHAR AS yr, (dt - DATE '1970-01-01')::VARCHAR AS dt,
      epoch_us(dtm)::VARCHAR AS dtm, epoch_us(ts)::VARCHAR AS ts,
      ((CASE WHEN tm LIKE '-%' THEN -1 ELSE 1 END) * (split_part(ltrim(tm, '-'), ':', 1)::BIGINT * 3600000000
        + split_part(tm, ':', 2)::BIGINT * 60000000 + (split_part(tm, ':', 3)::DECIMAL(12,6) * 1000000)::BIGINT))::VARCHAR AS tm,
      hex(c_utf8) AS c_utf8, hex(c_latin1) AS c_latin1, hex(c_char) AS c_char, hex(c_text) AS c_text,
      hex(c_bin) AS c_bin, hex(c_varbin) AS c_varbin, hex(c_blob) AS c_blob, hex(e) AS e
      FROM read_parquet('${files}') ORDER BY id`);
    expect(inParquet).toEqual(normalise(mine));
  });
  it('zero dates: an error naming table, column, key and value by default; NULL with zero_dates=null', async () => {
    await exec(
      src.url,
      [
        'CREATE TABLE zd (id INT PRIMARY KEY, d DATE NOT NULL, t DATETIME(6))',
        "INSERT INTO zd VALUES (1, '2024-01-10', '2024-01-10 10:00:00.5'), (2, '0000-00-00', NULL), (3, '2024-01-11', '2024-00-10 01:02:03')",
      ],
      '',
    );
    const pgDb = await pgTarget('myclizd');
    const refused = await runCli([
      'run',
      '--from',
      src.url,
      '--to',
      pgDb.url,
      '--tables',
      'zd',
      '--json',
      ...state,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/zero or invalid date 0000-00-00/);
    const failure = JSON.parse(refused.stdout).report.failures[0].error;
    expect(failure.context).toMatchObject({ table: `${src.name}.zd`, column: 'd', value: '0000-00-00' });
    expect(JSON.stringify(failure.context.key)).toContain('2');
    expect(failure.context.hint).toContain('zero_dates=null');

    const lenient = `${src.url}?zero_dates=null`;
    const ok = await runCli([
      'run',
      '--from',
      lenient,
      '--to',
      pgDb.url,
      '--tables',
      'zd',
      '--mode',
      'replace',
      '--json',
      ...state,
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).report.verified).toBe(true);
    expect((await runCli(['verify', '--from', lenient, '--to', pgDb.url, '--tables', 'zd'])).code).toBe(0);
    const rows = await sql(
      pgDb.url,
      `SELECT id, d::text AS d, t::text AS t FROM "${src.name}".zd ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 1, d: '2024-01-10', t: '2024-01-10 10:00:00.5' },
      { id: 2, d: null, t: null },
      { id: 3, d: '2024-01-11', t: null },
    ]);
  });

  it('plain-typed tables go straight into binary COPY (transcode): exact, same checksums as the Arrow path', async () => {
    const cols = ['id', 't', 'tu', 's', 'su', 'm', 'i', 'iu', 'b', 'd', 'd0', 'v', 'c', 'tx'];
    await exec(src.url, [
      `CREATE TABLE tc (id BIGINT PRIMARY KEY, t TINYINT, tu TINYINT UNSIGNED, s SMALLINT, su SMALLINT UNSIGNED,
         m MEDIUMINT, i INT, iu INT UNSIGNED, b BIGINT, d DECIMAL(65,30), d0 DECIMAL(10,0), v VARCHAR(5), c CHAR(3),
         tx TEXT, bo TINYINT(1), f DOUBLE, fl FLOAT, dd DATE, dt DATETIME(6), bl BLOB) DEFAULT CHARSET utf8mb4`,
      `INSERT INTO tc VALUES
        (1, -128, 255, -32768, 65535, -8388608, -2147483648, 4294967295, -9223372036854775808,
         '-99999999999999999999999999999999999.999999999999999999999999999999', '-9999999999', 'héllo', 'abc', '',
         0, -1.7976931348623157e308, -3.40282e38, '1000-01-01', '1000-01-01 00:00:00.000000', ''),
        (2, 127, 0, 32767, 0, 8388607, 2147483647, 0, 9223372036854775807,
         '99999999999999999999999999999999999.999999999999999999999999999999', '0', '😀😀😀😀😀', '', 'x',
         1, 5e-324, 1.17549e-38, '9999-12-31', '9999-12-31 23:59:59.999999', UNHEX('00FF80')),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL),
        (9007199254740993, 0, 1, 0, 1, 0, 0, 1, 9007199254740993, '0.000000000000000000000000000001', '1', '',
         'é', REPEAT('ab€', 13000), 1, 0.1, 0.1, '2024-02-29', '2024-02-29 12:34:56.789012',
         (SELECT GROUP_CONCAT(CHAR(seq) SEPARATOR '') FROM seq_0_to_255))`,
    ]);
    const plan = await runCli(['plan', '--from', src.url, '--to', pgAdmin, '--tables', 'tc', '--json']);
    expect(JSON.parse(plan.stdout).tables[0].transcode).toBe('pg-binary');
    const load = async (prefix: string, env: Record<string, string> = {}) => {
      const db = await pgTarget(prefix);
      const out = await runCli(
        [
          'run',
          '--from',
          src.url,
          '--to',
          db.url,
          '--tables',
          'tc',
          '--partition-rows',
          '2',
          '--json',
          ...state,
        ],
        { env },
      );
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const report = JSON.parse(out.stdout).report;
      expect(report.verified).toBe(true);
      return { db, written: report.tables[0].written };
    };
    const transcoded = await load('myclitc');
    const arrow = await load('myclitcarrow', { FERRY_RAW_COPY: 'off' });
    expect(transcoded.written).toEqual(arrow.written);
    expect(transcoded.written.rows).toBe('4');

    // Independent comparison, value by value, as each server prints it.
    const text = (q: (c: string) => string) => cols.map((c) => `${q(c)} AS ${c}`).join(', ');
    const mine = await exec(src.url, `SELECT ${text((c) => `CAST(${c} AS CHAR)`)} FROM tc ORDER BY id`);
    const theirs = await sql(
      transcoded.db.url,
      `SELECT ${text((c) => `${c}::text`)} FROM "${src.name}".tc ORDER BY id`,
    );
    expect(theirs).toEqual(mine);
    const myOthers = await exec(
      src.url,
      `SELECT bo, CAST(f AS CHAR) AS f, CAST(CAST(fl AS DOUBLE) AS CHAR) AS fl, CAST(dd AS CHAR) AS dd,
         DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f') AS dt, HEX(bl) AS bl FROM tc ORDER BY id`,
    );
    const pgOthers = await sql(
      transcoded.db.url,
      `SELECT bo::int AS bo, f::text AS f, fl::float8::text AS fl, dd::text AS dd,
         to_char(dt, 'YYYY-MM-DD HH24:MI:SS.US') AS dt, upper(encode(bl, 'hex')) AS bl FROM "${src.name}".tc ORDER BY id`,
    );
    const num = (v: unknown) => (v === null ? null : Number(v));
    const shape = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ ...r, bo: num(r.bo), f: num(r.f), fl: num(r.fl) }));
    expect(shape(pgOthers)).toEqual(shape(myOthers));
  });

  it('a NUL character in text going to PostgreSQL: an error naming the column and key, nothing truncated', async () => {
    await exec(src.url, [
      'CREATE TABLE nul (id INT PRIMARY KEY, v VARCHAR(20))',
      "INSERT INTO nul VALUES (1, 'ok'), (7, CONCAT('a', CHAR(0), 'b'))",
    ]);
    const pgDb = await pgTarget('myclinul');
    const r = await runCli(['run', '--from', src.url, '--to', pgDb.url, '--tables', 'nul', ...state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/0x00 \(table \S+\.nul, .*column v, key 7, value a/);
  });
});
