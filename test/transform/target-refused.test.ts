import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';
import { exec, freshDatabase } from '../mysql/mariadb.js';
import { ferryRejects } from './helpers.js';

/**
 * Rows the TARGET refuses during the bulk load (issue 6): appending into an existing PostgreSQL (and MariaDB) table whose
 * constraints (NOT NULL, CHECK, a unique key already holding a value) refuse some rows. With rejects allowed (a
 * table with rules), the partition isolates exactly those rows by splitting the refused batch, sends them to the
 * reject store with the database's error, loads every other row, and the run verifies. Without rules the
 * partition fails naming the row.
 */
const svc = await requireServices(['pg', 'mysql']);

const SOURCE_SQL = `
CREATE TABLE items (id integer PRIMARY KEY, name text, qty integer, code text);
INSERT INTO items SELECT i, 'item ' || i, i % 50, 'c' || i FROM generate_series(1, 3000) i;
UPDATE items SET name = NULL WHERE id IN (17, 2999);
UPDATE items SET qty = -1 WHERE id IN (5, 1234);
UPDATE items SET code = 'taken' WHERE id = 777;
ANALYZE;`;

const TARGET_SQL = `
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, qty integer CHECK (qty >= 0), code text UNIQUE);
INSERT INTO items VALUES (0, 'already there', 1, 'taken');`;

describe('rows the target refuses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-refused-'));
  let src: TestDatabase;
  const targets: TestDatabase[] = [];
  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'refsrc');
    await sql(src.url, SOURCE_SQL);
  });
  afterAll(async () => {
    for (const t of targets) await t.drop();
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const target = async (name: string) => {
    const db = await createTestDatabase('pg', svc.urls.pg!, name);
    targets.push(db);
    await sql(db.url, TARGET_SQL);
    return db;
  };
  const run = (dst: { url: string }, runId: string, tablesYaml: string) => {
    const config = join(dir, `${runId}.yaml`);
    writeFileSync(config, `partition_rows: 1000\nbatch_rows: 256\nmode: append\nrun_id: ${runId}\n${tablesYaml}`);
    return runCli([
      'run', '--config', config, '--from', src.url, '--to', dst.url,
      '--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports'), '--json',
    ]);
  };

  it('isolates the refused rows into the reject store and loads the rest', async () => {
    const dst = await target('refdst');
    const r = await run(dst, 'refused1', 'tables:\n  - name: items\n    rules:\n      - not_null: id\n');
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    const refused = [5, 17, 777, 1234, 2999];
    // Every other row arrived exactly; the refused ones did not; what was there before is untouched.
    const held = await sql<{ id: number; name: string; qty: number; code: string }>(dst.url, 'SELECT * FROM items ORDER BY id');
    const expected = await sql<{ id: number; name: string; qty: number; code: string }>(
      src.url,
      `SELECT * FROM items WHERE id <> ALL($1::int[]) ORDER BY id`,
      [refused],
    );
    expect(held).toEqual([{ id: 0, name: 'already there', qty: 1, code: 'taken' }, ...expected]);
    const rejects = await ferryRejects(['refused1', '--state-dir', join(dir, 'runs'), '--limit', '0']);
    expect(rejects.total).toBe(5);
    const byKey = new Map(rejects.rejects.map((x) => [x.key, x]));
    expect([...byKey.keys()].sort()).toEqual(refused.map((id) => `id=${id}`).sort());
    for (const x of rejects.rejects) expect(x.rule).toBe('target');
    expect(byKey.get('id=17')!.reason).toMatch(/key id=17: the target refused the row: .*null value in column "name"/);
    expect(byKey.get('id=5')!.reason).toMatch(/check constraint "items_qty_check"/);
    expect(byKey.get('id=777')!.reason).toMatch(/duplicate key value violates unique constraint "items_code_key"/);
    // The reject keeps the row as it was sent.
    expect(byKey.get('id=1234')!.row).toMatchObject({ id: 1234, name: 'item 1234', qty: -1, code: 'c1234' });
  });

  it('without rules (no reject store for the table) the partition fails naming the row', async () => {
    const dst = await target('refdst2');
    const r = await run(dst, 'refused2', 'tables:\n  - name: items\n');
    expect(r.code).toBe(1);
    // Each failed partition names a row the target refused: which one comes first depends on the order the
    // source sends its range in (heap order after the UPDATEs, or key order through the primary key index).
    const failures: { error: { context: { key?: string } } }[] = JSON.parse(r.stdout).report.failures;
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(['5', '17', '777', '1234', '2999']).toContain(f.error.context.key);
    expect(r.stderr).toMatch(new RegExp(`key ${failures[0]!.error.context.key}\\b`));
  });

  it('into MariaDB too: each refused row is isolated under a savepoint, the rest loads', async () => {
    const dst = await freshDatabase('refmy');
    targets.push(dst as unknown as TestDatabase);
    await exec(dst.url, 'CREATE TABLE items (id INT PRIMARY KEY, name LONGTEXT NOT NULL, qty INT CHECK (qty >= 0), code LONGTEXT UNIQUE)');
    await exec(dst.url, "INSERT INTO items VALUES (0, 'already there', 1, 'taken')");
    const r = await run(dst, 'refused3', 'tables:\n  - name: items\n    rules:\n      - not_null: id\n');
    expect(r.stderr, r.stderr).not.toMatch(/ERROR/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    const held = await exec(dst.url, 'SELECT COUNT(*) AS n, SUM(id) AS s FROM items');
    const refused = [5, 17, 777, 1234, 2999];
    expect(Number(held[0]!.n)).toBe(3000 - refused.length + 1);
    expect(Number(held[0]!.s)).toBe((3000 * 3001) / 2 - refused.reduce((a, b) => a + b, 0));
    const rejects = await ferryRejects(['refused3', '--state-dir', join(dir, 'runs'), '--limit', '0']);
    expect(rejects.rejects.map((x) => x.key).sort()).toEqual(refused.map((id) => `id=${id}`).sort());
    for (const x of rejects.rejects) expect(x.rule).toBe('target');
    // The server's message quotes the value; the reason keeps the key and drops the value.
    const dup = rejects.rejects.find((x) => x.key === 'id=777')!;
    expect(dup.reason).toMatch(/Duplicate entry '…' for key/);
    expect(dup.reason).not.toContain('taken');
  });
});
