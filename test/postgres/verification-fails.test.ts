import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';
import { exec, freshDatabase } from '../mysql/mariadb.js';

/**
 * Verification can fail: a target that stores something other than what ferry sent is caught — by a partition's
 * read-back (append into an existing table), by the whole-table read-back (a table ferry empties), and by
 * `ferry verify` afterwards, on PostgreSQL and MariaDB targets. The target is made to lie with a row trigger
 * (COPY and LOAD DATA both fire them) or by changing rows after the run.
 */
const svc = await requireServices(['pg', 'mysql']);

const SOURCE_SQL = `
CREATE TABLE items (id integer PRIMARY KEY, v text NOT NULL);
INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 2000) i;`;

/** The target table with a trigger that changes one row (id 1234) as it is loaded. */
const TAMPERING_TARGET_SQL = `
CREATE TABLE items (id integer PRIMARY KEY, v text NOT NULL);
CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN IF NEW.id = 1234 THEN NEW.v := NEW.v || '!'; END IF; RETURN NEW; END $$;
CREATE TRIGGER tamper BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION tamper();`;

describe('verification fails when the target holds other rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-verify-fails-'));
  const state = ['--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')];
  const dbs: { drop(): Promise<void> }[] = [];
  let src: TestDatabase;
  const pgTarget = async (prefix: string): Promise<TestDatabase> => {
    const db = await createTestDatabase('pg', svc.urls.pg!, prefix);
    dbs.push(db);
    return db;
  };

  beforeAll(async () => {
    src = await pgTarget('vfsrc');
    await sql(src.url, SOURCE_SQL);
  });
  afterAll(async () => {
    for (const d of dbs.reverse()) await d.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (to: string, mode: string) =>
    runCli([
      'run', '--from', src.url, '--to', to, '--tables', 'items', '--target-schema', 'public', '--mode', mode,
      '--partition-rows', '500', '--json', ...state,
    ]);

  /** A run into a fresh target whose table changes a row as it is loaded: it exits 1, unverified. */
  const runIntoTamperingTarget = async (mode: string) => {
    const dst = await pgTarget(`vf${mode}`);
    await sql(dst.url, TAMPERING_TARGET_SQL);
    const r = await run(dst.url, mode);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(false);
    return { r, report };
  };

  it('append: the partition holding the changed row fails VERIFY naming its range; the others are done', async () => {
    const { r, report } = await runIntoTamperingTarget('append');
    const [table] = report.tables;
    expect(table.partitions).toBe(4);
    expect(table.done).toBe(3);
    expect(table.failed).toBe(1);
    // id 1234 is in the third of four ranges of 500 keys.
    const [failure] = report.failures;
    expect(failure.error.code).toBe('VERIFY');
    expect(failure.error.message).toMatch(/read-back of partition \S+#2 \(keys \[\d+, \d+\)\) differs: wrote 500 rows/);
    const [lo, hi] = failure.error.context.key.match(/\d+/g).map(Number);
    expect(lo <= 1234 && 1234 < hi).toBe(true);
    expect(r.stderr).toMatch(/partition failed verification/);
  });

  it('truncate: the whole-table read-back fails the run', async () => {
    const { report } = await runIntoTamperingTarget('truncate');
    expect(report.tables[0].targetRows).toBe('2000');
    expect(report.tables[0].verified).toBe(false);
  });

  it('`ferry verify` after a clean run names the changed and the missing key, on PostgreSQL', async () => {
    const dst = await pgTarget('vfpg');
    const r = await run(dst.url, 'create');
    expect(r.code).toBe(0);
    const verify = () => runCli(['verify', '--from', src.url, '--to', dst.url, '--tables', 'items', '--target-schema', 'public', '--partition-rows', '500']);
    expect((await verify()).code).toBe(0);
    await sql(dst.url, "UPDATE items SET v = 'changed' WHERE id = 77; DELETE FROM items WHERE id = 1500");
    const v = await verify();
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/changed keys .*77/);
    expect(v.stdout).toMatch(/missing in target .*1500/);
  });

  it('`ferry verify` after a clean run names the changed and the missing key, on MariaDB', async () => {
    const dst = await freshDatabase('vfmy');
    dbs.push(dst);
    const r = await runCli([
      'run', '--from', src.url, '--to', dst.url, '--tables', 'items', '--partition-rows', '500', '--json', ...state,
    ]);
    expect(r.code).toBe(0);
    const verify = () => runCli(['verify', '--from', src.url, '--to', dst.url, '--tables', 'items', '--partition-rows', '500']);
    expect((await verify()).code).toBe(0);
    await exec(dst.url, ["UPDATE items SET v = 'changed' WHERE id = 77", 'DELETE FROM items WHERE id = 1500']);
    const v = await verify();
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/changed keys .*77/);
    expect(v.stdout).toMatch(/missing in target .*1500/);
  });
});
