import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';
import { ferry, prepareRun, runArgs, runFlags, targetChecksum } from './harness.js';

/**
 * Rollback, PostgreSQL → PostgreSQL, through the CLI (servers from scripts/services.sh): after an append run
 * (keys interleaved with pre-run rows, a nullable key with NULL rows on both sides, a keyless table split by
 * ctid), a replace run (one table of the same shape, restored in place; one of another shape, restored by
 * renaming the backup) and a create run, `ferry rollback` leaves every table as it was: same checksum, same
 * rows row by row, no side tables, no ledger rows of the run. The target password is not recorded: rollback
 * gets it from FERRY_TARGET_PASSWORD. Flow: prepareRollback (what the run flow will call), `ferry run`,
 * `ferry rollback`.
 */
const svc = await requireServices(['pg']);

const SOURCE_SQL = `
CREATE TABLE items (id bigint PRIMARY KEY, name text, amount numeric(12,2), ts timestamptz);
INSERT INTO items SELECT 2 * i + 1, 'item ' || i, i * 1.25, '2024-01-01 00:00:00.123456+00'::timestamptz + i * interval '1 minute'
  FROM generate_series(0, 299) i;
CREATE TABLE events (k integer, v text);
INSERT INTO events SELECT i, 'e' || i FROM generate_series(1, 199) i;
INSERT INTO events VALUES (NULL, 'src-null-1'), (NULL, 'src-null-2');
CREATE TABLE nokey (a integer, b text);
INSERT INTO nokey SELECT i % 10, 'src' FROM generate_series(1, 150) i;
ANALYZE;
`;

const ITEMS_DDL =
  'CREATE TABLE items (id bigint PRIMARY KEY, name text, amount numeric(12,2), ts timestamptz)';

/** Every row of every table in `public` as text, sorted; and the side tables left anywhere. */
async function dump(url: string): Promise<Record<string, string[]>> {
  const tables = await sql<{ t: string }>(
    url,
    `SELECT quote_ident(table_name) AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { t } of tables) {
    out[t] = (await sql<{ r: string }>(url, `SELECT x::text AS r FROM public.${t} x`)).map((r) => r.r).sort();
  }
  return out;
}

/** Columns, constraints and indexes of `public`: what an in-place restore must keep. */
async function catalog(url: string): Promise<unknown[]> {
  return sql(
    url,
    `SELECT 'col' AS k, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS d FROM information_schema.columns WHERE table_schema = 'public'
     UNION ALL SELECT 'con', conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
     UNION ALL SELECT 'idx', indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`,
  );
}

/** Rollback side tables (backups, pre-run keys and NULL-key rows) left anywhere in the database. */
const sideTables = (url: string) =>
  sql<{ n: string }>(
    url,
    `SELECT table_schema || '.' || table_name AS n FROM information_schema.tables
      WHERE table_name LIKE '\\_ferry\\_backup\\_%' OR table_name LIKE '\\_ferry\\_prerun\\_%' ORDER BY 1`,
  );

describe('ferry rollback, PostgreSQL → PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-rollback-pg-'));
  const env = { FERRY_AUDIT_LOG: join(dir, 'audit', 'audit.log') };
  const rollbackEnv = { ...env, FERRY_TARGET_PASSWORD: new URL(svc.urls.pg ?? 'postgres://x:y@h').password };
  const state = ['--state-dir', join(dir, 'runs')];
  const config = join(dir, 'tables.yaml');
  let src: TestDatabase;
  const dbs: TestDatabase[] = [];
  const target = async (name: string, setup: string) => {
    const db = await createTestDatabase('pg', svc.urls.pg!, name);
    dbs.push(db);
    if (setup) await sql(db.url, setup);
    return db;
  };

  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'rbsrc');
    await sql(src.url, SOURCE_SQL);
    writeFileSync(config, 'tables:\n  - name: items\n  - name: events\n    key: [k]\n  - name: nokey\n');
  });
  afterAll(async () => {
    for (const db of dbs) await db.drop();
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after an APPEND run: removes exactly the loaded rows (keyed, NULL keys, keyless)', async () => {
    const dst = await target(
      'rbappend',
      `${ITEMS_DDL};
       CREATE INDEX items_name ON items (name);
       INSERT INTO items SELECT 2 * i, 'old ' || i, i, NULL FROM generate_series(1, 119) i;
       INSERT INTO items VALUES (100000, 'far', 1.00, '1999-12-31 23:59:59.999999+00');
       CREATE TABLE events (k integer, v text);
       INSERT INTO events VALUES (NULL, 'old-null'), (5000, 'old'), (NULL, 'old-null-2');
       CREATE TABLE nokey (a integer, b text);
       INSERT INTO nokey SELECT i, 'old' FROM generate_series(1, 7) i;`,
    );
    const before = await dump(dst.url);
    const shape = await catalog(dst.url);
    expect(before.items).toHaveLength(120);
    const o = { from: src.url, to: dst.url, dir, runId: 'pg-append-1', mode: 'append', config };
    const manifest = await prepareRun(runFlags(o));
    expect(manifest.tables.map((t) => [t.table, t.action])).toEqual([
      ['public.items', 'delete-loaded'],
      ['public.events', 'delete-loaded'],
      ['public.nokey', 'restore'],
    ]);
    const run = await ferry(runArgs(o), env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).report.verified).toBe(true);
    expect(await sql(dst.url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 420 }]);
    expect(await sql(dst.url, 'SELECT count(*)::int AS n FROM nokey')).toEqual([{ n: 157 }]);
    expect(await sideTables(dst.url)).toEqual(
      [
        'backup_pg-append-1_nokey',
        'prerun_keys_pg-append-1_events',
        'prerun_keys_pg-append-1_items',
        'prerun_nulls_pg-append-1_events',
      ].map((n) => ({ n: `public._ferry_${n}` })),
    );

    const rb = await ferry(['rollback', 'pg-append-1', ...state, '--json'], rollbackEnv);
    expect(rb.stderr).toBe('');
    expect(rb.code).toBe(0);
    const outcome = JSON.parse(rb.stdout);
    expect(
      outcome.tables.map((t: { target: string; status: string; deletedRows: string }) => [
        t.target,
        t.status,
        t.deletedRows,
      ]),
    ).toEqual([
      ['items', 'rolled-back', '300'],
      ['events', 'rolled-back', '201'],
      ['nokey', 'rolled-back', '0'],
    ]);
    for (const t of outcome.tables) expect(t.actual).toEqual(t.expected);
    expect(await dump(dst.url)).toEqual(before);
    expect(await catalog(dst.url)).toEqual(shape);
    expect(await targetChecksum(dst.url, { name: 'items' })).toEqual(manifest.tables[0]!.checksum);
    expect(await sideTables(dst.url)).toEqual([]);
    expect(
      await sql(dst.url, `SELECT count(*)::int AS n FROM ferry._ferry_ledger WHERE run_id = 'pg-append-1'`),
    ).toEqual([{ n: 0 }]);

    const again = await ferry(['rollback', 'pg-append-1', ...state], rollbackEnv);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already rolled back');
  });

  it('after a REPLACE run: same-shape table restored in place, other-shape table by its backup', async () => {
    const dst = await target(
      'rbreplace',
      `${ITEMS_DDL};
       INSERT INTO items SELECT i, 'legacy ' || i, i / 3.0, '2001-01-01+00' FROM generate_series(1, 77) i;
       CREATE TABLE events (k integer, v text, extra text NOT NULL);
       INSERT INTO events SELECT i, 'old', 'extra ' || i FROM generate_series(1, 12) i;
       INSERT INTO events VALUES (NULL, NULL, 'null key');`,
    );
    const before = await dump(dst.url);
    const o = { from: src.url, to: dst.url, dir, runId: 'pg-replace-1', mode: 'replace' };
    const manifest = await prepareRun({ ...runFlags(o), tables: 'items,events' });
    expect(manifest.tables.map((t) => [t.table, t.action])).toEqual([
      ['public.items', 'restore'],
      ['public.events', 'restore'],
    ]);
    const run = await ferry([...runArgs(o), '--tables', 'items,events'], env);
    expect(run.code).toBe(0);
    expect(await sql(dst.url, 'SELECT count(*)::int AS n FROM events')).toEqual([{ n: 201 }]);

    const rb = await ferry(['rollback', 'pg-replace-1', ...state], rollbackEnv);
    expect(rb.stderr).toBe('');
    expect(rb.code).toBe(0);
    expect(rb.stdout).toContain('items (restore): rolled back');
    expect(await dump(dst.url)).toEqual(before);
    expect(await targetChecksum(dst.url, { name: 'events' })).toEqual(manifest.tables[1]!.checksum);
    expect(await sideTables(dst.url)).toEqual([]);
  });

  it('after a CREATE run: drops the table it created', async () => {
    const dst = await target('rbcreate', 'CREATE TABLE keep (a int); INSERT INTO keep VALUES (1);');
    const before = await dump(dst.url);
    const o = { from: src.url, to: dst.url, dir, runId: 'pg-create-1', mode: 'create' };
    await prepareRun({ ...runFlags(o), tables: 'items' });
    expect((await ferry([...runArgs(o), '--tables', 'items'], env)).code).toBe(0);
    expect(await sql(dst.url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 300 }]);
    const rb = await ferry(['rollback', 'pg-create-1', ...state], rollbackEnv);
    expect(rb.code).toBe(0);
    expect(await dump(dst.url)).toEqual(before);
    expect(await sql(dst.url, `SELECT count(*)::int AS n FROM ferry._ferry_ledger`)).toEqual([{ n: 0 }]);
  });

  it('asks for the target password it never recorded', async () => {
    const rb = await ferry(['rollback', 'pg-create-1', ...state], env);
    expect(rb.code).toBe(2);
    expect(rb.stderr).toContain('FERRY_TARGET_PASSWORD');
  });
});
