import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, prepareRun, runArgs, runFlags, targetChecksum } from './harness.js';

/**
 * Rollback, DuckDB → DuckDB, through the CLI: after an append run (keys interleaved with the pre-run rows, a
 * nullable key with NULL rows on both sides), a replace run (the pre-run table had another shape, a CHECK and
 * an index) and a create run, `ferry rollback` leaves the target exactly as before: same checksum, same rows
 * row by row, same DDL, no side tables, no ledger rows of the run. Flow: prepareRollback (what the run flow will
 * call) then `ferry run`, then `ferry rollback`.
 */

async function duck(path: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(sql)).getRows() as unknown[][];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** Every row of every user table (and its DDL), in a stable order: the state a rollback must restore. */
async function dump(path: string): Promise<Record<string, unknown[][]>> {
  const tables = (await duck(
    path,
    `SELECT table_name FROM duckdb_tables() WHERE table_name NOT LIKE '\\_ferry%' ESCAPE '\\' ORDER BY 1`,
  )) as [string][];
  const out: Record<string, unknown[][]> = {};
  for (const [t] of tables) {
    out[t] = await duck(path, `SELECT * FROM "${t}" ORDER BY ALL`);
    out[`${t}:ddl`] = await duck(
      path,
      `SELECT sql FROM duckdb_tables() WHERE table_name = '${t}' UNION ALL SELECT sql FROM duckdb_indexes() WHERE table_name = '${t}' ORDER BY 1`,
    );
  }
  return out;
}

/** Rollback side tables (backups, pre-run keys and NULL-key rows) left in the database. */
const sideTables = (path: string) =>
  duck(
    path,
    `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_ferry\\_backup\\_%' ESCAPE '\\'
       OR table_name LIKE '\\_ferry\\_prerun\\_%' ESCAPE '\\'`,
  );

const SOURCE_SQL = `
CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP);
INSERT INTO items SELECT 2 * i + 1, 'item ' || i, (i * 1.25)::DECIMAL(12,2), TIMESTAMP '2024-01-01 00:00:00.123456' + INTERVAL (i) MINUTE FROM range(300) t(i);
CREATE TABLE events (k INTEGER, v VARCHAR);
INSERT INTO events SELECT i, 'e' || i FROM range(1, 200) t(i);
INSERT INTO events VALUES (NULL, 'src-null-1'), (NULL, 'src-null-2');
`;

describe('ferry rollback, DuckDB → DuckDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-rollback-duck-'));
  const src = join(dir, 'src.duckdb');
  const env = { FERRY_AUDIT_LOG: join(dir, 'audit', 'audit.log') };
  const config = join(dir, 'tables.yaml');
  const state = ['--state-dir', join(dir, 'runs')];

  beforeAll(async () => {
    await duck(src, SOURCE_SQL);
    writeFileSync(config, 'tables:\n  - name: items\n  - name: events\n    key: [k]\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('after an APPEND run: removes exactly the loaded rows, keeps every pre-run row (NULL keys included)', async () => {
    const dst = join(dir, 'append.duckdb');
    await duck(
      dst,
      `CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP);
       INSERT INTO items SELECT 2 * i, 'old ' || i, i::DECIMAL(12,2), NULL FROM range(1, 120) t(i);
       INSERT INTO items VALUES (100000, 'far', 1.00, TIMESTAMP '1999-12-31 23:59:59.999999');
       CREATE TABLE events (k INTEGER, v VARCHAR);
       INSERT INTO events VALUES (NULL, 'old-null'), (5000, 'old'), (NULL, 'old-null-2');`,
    );
    const before = await dump(dst);
    expect(before.items).toHaveLength(120);
    expect(before.events).toHaveLength(3);
    const o = { from: `duckdb:${src}`, to: `duckdb:${dst}`, dir, runId: 'append-1', mode: 'append', config };
    const manifest = await prepareRun(runFlags(o));
    expect(manifest.tables.map((t) => [t.table, t.action])).toEqual([
      ['items', 'delete-loaded'],
      ['events', 'delete-loaded'],
    ]);
    expect(manifest.tables[1]!.nullRows).toBeDefined();
    const items0 = await targetChecksum(o.to, { name: 'items' });
    expect(manifest.tables[0]!.checksum).toEqual(items0);

    const run = await ferry(runArgs(o), env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).report.verified).toBe(true);
    expect(await duck(dst, 'SELECT count(*) FROM items')).toEqual([[420n]]);
    expect(await duck(dst, 'SELECT count(*) FROM events WHERE k IS NULL')).toEqual([[4n]]);
    expect((await sideTables(dst)).flat().sort()).toEqual([
      '_ferry_prerun_keys_append-1_events',
      '_ferry_prerun_keys_append-1_items',
      '_ferry_prerun_nulls_append-1_events',
    ]);

    const rb = await ferry(['rollback', 'append-1', ...state, '--json'], env);
    expect(rb.stderr).toBe('');
    expect(rb.code).toBe(0);
    const outcome = JSON.parse(rb.stdout);
    expect(outcome.status).toBe('rolled-back');
    expect(
      outcome.tables.map((t: { target: string; deletedRows: string }) => [t.target, t.deletedRows]),
    ).toEqual([
      ['items', '300'],
      ['events', '201'],
    ]);
    for (const t of outcome.tables) expect(t.actual).toEqual(t.expected);
    expect(await dump(dst)).toEqual(before);
    expect(await targetChecksum(o.to, { name: 'items' })).toEqual(items0);
    expect(await duck(dst, `SELECT count(*) FROM _ferry_ledger WHERE run_id = 'append-1'`)).toEqual([[0n]]);
    expect(await sideTables(dst)).toEqual([]);

    // Idempotent: a second rollback changes nothing and says so.
    const again = await ferry(['rollback', 'append-1', ...state], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already rolled back');
    expect(await dump(dst)).toEqual(before);
  });

  it('after an APPEND run that loaded keys already present: refuses and changes nothing', async () => {
    const dst = join(dir, 'dups.duckdb');
    await duck(
      dst,
      `CREATE TABLE items (id BIGINT, name VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP);
       INSERT INTO items VALUES (1, 'pre-existing key 1', 0.00, NULL), (3, 'pre-existing key 3', 0.00, NULL);`,
    );
    const o = { from: `duckdb:${src}`, to: `duckdb:${dst}`, dir, runId: 'dups-1', mode: 'append' };
    await prepareRun({ ...runFlags(o), tables: 'items' });
    const run = await ferry([...runArgs(o), '--tables', 'items'], env);
    expect(run.code).toBe(0);
    const after = await dump(dst);
    const rb = await ferry(['rollback', 'dups-1', ...state], env);
    expect(rb.code).toBe(1);
    expect(rb.stdout).toMatch(
      /items would hold 4 rows after the undo, it held 2 before the run; nothing was changed/,
    );
    expect(await dump(dst)).toEqual(after);
  });

  it('after a REPLACE run: puts back the pre-run table with its own DDL, index and rows', async () => {
    const dst = join(dir, 'replace.duckdb');
    await duck(
      dst,
      `CREATE TABLE items (id BIGINT PRIMARY KEY, legacy VARCHAR NOT NULL DEFAULT 'x', CHECK (id > 0));
       CREATE INDEX items_legacy ON items (legacy);
       INSERT INTO items SELECT i, 'legacy ' || i FROM range(1, 90) t(i);
       CREATE TABLE untouched (a INTEGER); INSERT INTO untouched VALUES (1), (2);`,
    );
    const before = await dump(dst);
    const o = { from: `duckdb:${src}`, to: `duckdb:${dst}`, dir, runId: 'replace-1', mode: 'replace' };
    const manifest = await prepareRun({ ...runFlags(o), tables: 'items,events' });
    expect(manifest.tables.map((t) => [t.table, t.action])).toEqual([
      ['items', 'restore'],
      ['events', 'drop'],
    ]);
    const run = await ferry([...runArgs(o), '--tables', 'items,events'], env);
    expect(run.code).toBe(0);
    expect(await duck(dst, 'SELECT count(*) FROM items')).toEqual([[300n]]);

    const rb = await ferry(['rollback', 'replace-1', ...state, '--json'], env);
    expect(rb.code).toBe(0);
    expect(JSON.parse(rb.stdout).status).toBe('rolled-back');
    expect(await dump(dst)).toEqual(before);
    expect(await sideTables(dst)).toEqual([]);
  });

  it('after a TRUNCATE run and a CREATE run: the rows are back, the created table is gone', async () => {
    const dst = join(dir, 'truncate.duckdb');
    await duck(
      dst,
      `CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR, amount DECIMAL(12,2), ts TIMESTAMP);
       INSERT INTO items VALUES (5, 'five', 5.55, TIMESTAMP '2020-02-29 12:00:00.000001');`,
    );
    const before = await dump(dst);
    const t = { from: `duckdb:${src}`, to: `duckdb:${dst}`, dir, runId: 'truncate-1', mode: 'truncate' };
    await prepareRun({ ...runFlags(t), tables: 'items' });
    expect((await ferry([...runArgs(t), '--tables', 'items'], env)).code).toBe(0);
    expect((await ferry(['rollback', 'truncate-1', ...state], env)).code).toBe(0);
    expect(await dump(dst)).toEqual(before);

    const c = { ...t, runId: 'create-1', mode: 'create' };
    const manifest = await prepareRun({ ...runFlags(c), tables: 'events' });
    expect(manifest.tables[0]).toMatchObject({ table: 'events', action: 'drop', existed: false });
    expect((await ferry([...runArgs(c), '--tables', 'events'], env)).code).toBe(0);
    expect(await duck(dst, 'SELECT count(*) FROM events')).toEqual([[201n]]);
    const rb = await ferry(['rollback', 'create-1', ...state], env);
    expect(rb.stdout).toContain('events (drop): rolled back');
    expect(rb.code).toBe(0);
    expect(await dump(dst)).toEqual(before);
    expect(await duck(dst, `SELECT count(*) FROM _ferry_ledger`)).toEqual([[0n]]);
  });

  it('records the runs and the rollbacks in the audit trail, which verifies', async () => {
    const show = await ferry(['audit', 'show', '--run', 'append-1', '--json'], env);
    expect(show.code).toBe(0);
    const entries = JSON.parse(show.stdout) as {
      event: string;
      command: string;
      result?: { status: string };
    }[];
    expect(entries.map((e) => `${e.event} ${e.command}`)).toEqual([
      'started run',
      'finished run',
      'started rollback',
      'rollback rollback',
      'finished rollback',
      'started rollback',
      'finished rollback',
    ]);
    expect(entries[1]!.result?.status).toBe('ok');
    const verify = await ferry(['audit', 'verify'], env);
    expect(verify.stdout).toMatch(/^audit log OK: \d+ entries/);
    expect(verify.code).toBe(0);
  });
});
