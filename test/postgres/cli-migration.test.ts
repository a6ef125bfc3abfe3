import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';
import { rowsAsText, TYPES_SQL } from './fixture.js';

/**
 * The PostgreSQL acceptance tests through the `ferry` CLI: PG → PG for a pgbench-like table, a composite text
 * key, a keyless table (ctid ranges) and a skewed integer key, verified by ferry AND by an independent SQL
 * comparison; the every-type table PG → Parquet → PG and PG → DuckDB; a run killed half way and resumed.
 */
const svc = await requireServices(['pg']);

const TABLES_SQL = `
CREATE TABLE accounts (aid integer PRIMARY KEY, bid integer NOT NULL, abalance integer NOT NULL, filler char(84));
INSERT INTO accounts SELECT i, 1 + i / 1000, (i * 7919) % 100000 - 50000, NULL FROM generate_series(1, 20000) i;
CREATE TABLE "Composite Key" (region text, code integer, amount numeric(14,4), note text, PRIMARY KEY (region, code));
INSERT INTO "Composite Key" SELECT r, c, c * 1.0625, CASE WHEN c % 5 = 0 THEN NULL ELSE 'n' || c END
  FROM unnest(ARRAY['', 'Zürich', 'apple', 'Apple', 'banana', 'zz', 'é', '日本', 'a b', 'x"y']) r, generate_series(1, 700) c;
CREATE TABLE nopk (a integer, b text);
INSERT INTO nopk SELECT i % 1000, 'dup' FROM generate_series(1, 9000) i;
CREATE TABLE skewed (id bigint PRIMARY KEY, v integer);
INSERT INTO skewed SELECT i, i % 7 FROM generate_series(1, 18000) i;
INSERT INTO skewed SELECT 1000000000000 + i::bigint * 982451653, 0 FROM generate_series(1, 2000) i;
ANALYZE;
`;

describe('PostgreSQL migrations through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pgcli-'));
  const state = ['--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')];
  let src: TestDatabase;
  const targets: TestDatabase[] = [];
  const target = async (name: string) => {
    const db = await createTestDatabase('pg', svc.urls.pg!, name);
    targets.push(db);
    return db;
  };
  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'clisrc');
    await sql(src.url, TABLES_SQL);
    await sql(src.url, TYPES_SQL);
  });
  afterAll(async () => {
    for (const t of targets) await t.drop();
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PG → PG: every table exact, partitions of even size, one consistent snapshot', async () => {
    const dst = await target('clidst');
    const r = await runCli([
      'run', '--from', src.url, '--to', dst.url, '--tables', 'accounts,Composite Key,nopk,skewed',
      '--partition-rows', '2000', '--workers', '3', '--json', ...state,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(true);
    const byTable = Object.fromEntries(report.tables.map((t: { table: string }) => [t.table, t]));
    expect(byTable['public.nopk'].partitioning).toMatch(/^ctid/);
    for (const t of ['accounts', '"Composite Key"', 'nopk', 'skewed']) {
      expect(await rowsAsText(dst.url, `public.${t}`)).toEqual(await rowsAsText(src.url, `public.${t}`));
    }
    // Partition sizes from the target's ledger: roughly equal, even for the skewed key and the keyless table.
    const sizes = await sql<{ table_name: string; sizes: string[] }>(
      dst.url,
      `SELECT table_name, array_agg(rows ORDER BY partition_id) AS sizes FROM ferry._ferry_ledger GROUP BY table_name ORDER BY 1`,
    );
    for (const s of sizes) {
      const n = s.sizes.map(Number);
      console.log(`partition sizes of ${s.table_name}: ${n.join(', ')}`);
      const big = Math.max(...n);
      expect(big).toBeLessThanOrEqual(2000 * 2);
      expect(n.length).toBeGreaterThanOrEqual(3);
    }
    // Constraints come after the data; the primary keys exist on the target.
    const pks = await sql<{ n: string }>(dst.url, `SELECT count(*) AS n FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace`);
    expect(Number(pks[0]!.n)).toBe(3);
  });

  it('a byte target: each partition holds about --partition-bytes of the source table', async () => {
    const dst = await target('clibytes');
    const r = await runCli([
      'run', '--from', src.url, '--to', dst.url, '--tables', 'accounts,nopk',
      '--partition-bytes', '256kB', '--json', ...state,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    for (const t of ['accounts', 'nopk']) {
      expect(await rowsAsText(dst.url, `public.${t}`)).toEqual(await rowsAsText(src.url, `public.${t}`));
      // The rows that fill 256 kB at the table's average stored row, from the source's own estimate.
      const [est] = await sql<{ rows: number; bytes: string }>(
        src.url,
        `SELECT reltuples::float8 AS rows, pg_table_size(oid)::text AS bytes FROM pg_class WHERE oid = 'public.${t}'::regclass`,
      );
      const perPartition = Math.floor((256 * 1024) / (Number(est!.bytes) / est!.rows));
      const sizes = (
        await sql<{ rows: string }>(dst.url, `SELECT rows FROM ferry._ferry_ledger WHERE table_name = 'public.${t}' ORDER BY partition_id`)
      ).map((x) => Number(x.rows));
      const table = report.tables.find((x: { table: string }) => x.table === `public.${t}`);
      console.log(`partition sizes of ${t} at 256 kB (~${perPartition} rows): ${sizes.join(', ')}; ${table.partitioning}`);
      expect(table.partitioning).toMatch(/partition_bytes 256\.0 KiB at ~\d+ bytes per row/);
      expect(sizes.length).toBe(Math.ceil(est!.rows / perPartition));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(perPartition * 2);
    }
  });

  it('every type: PG → Parquet → PG and PG → DuckDB, verified by ferry and by SQL', async () => {
    const pq = join(dir, 'parquet');
    const out = await runCli(['run', '--from', src.url, '--to', `parquet:${pq}`, '--tables', 'everything', '--partition-rows', '3', '--json', ...state]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).report.verified).toBe(true);
    const back = await target('cliback');
    const r = await runCli(['run', '--from', `parquet:${pq}`, '--to', back.url, '--target-schema', 'public', '--tables', 'everything', '--json', ...state]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    const verify = await runCli(['verify', '--from', src.url, '--to', back.url, '--tables', 'everything']);
    expect(verify.stdout).toContain('verified: source and target are equal');
    expect(verify.code).toBe(0);
    // Independent per-value comparison of the columns whose PostgreSQL type survives the trip.
    const cols = 'id, c_int2, c_int4, c_int8, c_num, c_num_p, c_f4, c_f8, c_text, c_bytea, c_bool, c_date, c_time, c_ts, c_tstz, c_iv, c_uuid, c_int_arr, c_text_arr, c_2d, c_num_arr';
    const a = await sql(src.url, `SELECT ${cols} FROM everything ORDER BY id`);
    const b = await sql(back.url, `SELECT ${cols} FROM everything ORDER BY id`);
    expect(b).toEqual(a);
    const jsonb = await sql(back.url, `SELECT c_jsonb::text FROM everything ORDER BY id`);
    expect(jsonb).toEqual(await sql(src.url, `SELECT c_jsonb::text FROM everything ORDER BY id`));

    // DuckDB's DECIMAL holds 38 digits: an unbounded numeric is refused at plan time, naming the column.
    const duck = join(dir, 'everything.duckdb');
    const refused = await runCli(['run', '--from', src.url, '--to', `duckdb:${duck}`, '--tables', 'everything', ...state]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/TYPE: .*c_num/);
    await sql(src.url, `CREATE TABLE duckable AS SELECT ${cols.replace(/, c_num,/, ',').replace(/, c_num_arr/, '').replace(/, c_2d/, '')}, c_json, c_jsonb FROM everything;
      ALTER TABLE duckable ADD PRIMARY KEY (id)`);
    const d = await runCli(['run', '--from', src.url, '--to', `duckdb:${duck}`, '--tables', 'duckable', '--partition-rows', '3', '--json', ...state]);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout).report.verified).toBe(true);
    const toDuck = await runCli(['verify', '--from', src.url, '--to', `duckdb:${duck}`, '--tables', 'duckable']);
    expect(toDuck.code).toBe(0);
  });

  it('kill -9 half way; `ferry resume` completes with no duplicates and equal checksums', async () => {
    const dst = await target('clikill');
    const args = ['--partition-rows', '1000', '--workers', '2', ...state];
    const killed = await runCli(['run', '--from', src.url, '--to', dst.url, '--tables', 'accounts,skewed,nopk', '--run-id', 'pgkill', ...args], {
      env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'after_commit:12:kill' },
    });
    expect(killed.code).toBeNull();
    const committed = await sql<{ n: string }>(dst.url, `SELECT count(*) AS n FROM ferry._ferry_ledger WHERE run_id = 'pgkill'`);
    expect(Number(committed[0]!.n)).toBeGreaterThanOrEqual(12);
    // Passwords are never recorded: without them, resume says how to give them.
    const refused = await runCli(['resume', 'pgkill', ...state]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/never records.*FERRY_SOURCE_PASSWORD_FILE/);
    const password = new URL(src.url).password;
    const resumed = await runCli(['resume', 'pgkill', '--json', ...state], {
      env: { FERRY_SOURCE_PASSWORD: password, FERRY_TARGET_PASSWORD: password },
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(false);
    expect(report.consistency.reason).toMatch(/resumed/);
    for (const t of ['accounts', 'skewed', 'nopk']) {
      expect(await rowsAsText(dst.url, `public.${t}`)).toEqual(await rowsAsText(src.url, `public.${t}`));
    }
    const dups = await sql<{ n: string }>(dst.url, `SELECT count(*) - count(DISTINCT aid) AS n FROM accounts`);
    expect(Number(dups[0]!.n)).toBe(0);
    const ledger = await sql<{ n: string; d: string }>(dst.url, `SELECT count(*) AS n, count(DISTINCT partition_id) AS d FROM ferry._ferry_ledger WHERE run_id = 'pgkill'`);
    expect(ledger[0]!.n).toBe(ledger[0]!.d);
    const verify = await runCli(['verify', '--from', src.url, '--to', dst.url, '--tables', 'accounts,skewed,nopk']);
    expect(verify.code).toBe(0);
  });
});
