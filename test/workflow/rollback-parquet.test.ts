import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, prepareRun, runArgs, runFlags, targetChecksum } from './harness.js';

/**
 * Rollback into a Parquet directory (DuckDB → Parquet): an append run is undone by deleting the run's own part
 * files (no key snapshot needed), a replace run by putting back the hard-linked copies of the old part files.
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

describe('ferry rollback, DuckDB → Parquet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-rollback-pq-'));
  const src = join(dir, 'src.duckdb');
  const pq = join(dir, 'lake');
  const env = { FERRY_AUDIT_LOG: join(dir, 'audit.log') };
  const state = ['--state-dir', join(dir, 'runs')];
  const files = () => readdirSync(join(pq, 'items')).sort();
  const rows = () =>
    duck(':memory:', `SELECT * FROM read_parquet('${join(pq, 'items')}/*.parquet') ORDER BY ALL`);

  beforeAll(async () => {
    await duck(
      src,
      `CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR);
       INSERT INTO items SELECT i, 'item ' || i FROM range(100) t(i);`,
    );
    // The pre-run state: one earlier create run.
    const first = { from: `duckdb:${src}`, to: `parquet:${pq}`, dir, runId: 'pq-0', mode: 'create' };
    expect((await ferry([...runArgs(first), '--tables', 'items'], env)).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('undoes an APPEND run by its own files and a REPLACE run from the backup', async () => {
    const beforeFiles = files();
    const beforeRows = await rows();
    const before = await targetChecksum(`parquet:${pq}`, { name: 'items' });
    expect(beforeRows).toHaveLength(100);

    const a = { from: `duckdb:${src}`, to: `parquet:${pq}`, dir, runId: 'pq-append', mode: 'append' };
    const m = await prepareRun({ ...runFlags(a), tables: 'items' });
    expect(m.tables[0]).toMatchObject({ action: 'delete-run-files', checksum: before });
    expect((await ferry([...runArgs(a), '--tables', 'items'], env)).code).toBe(0);
    expect(await rows()).toHaveLength(200);
    const rb = await ferry(['rollback', 'pq-append', ...state, '--json'], env);
    expect(rb.code).toBe(0);
    expect(JSON.parse(rb.stdout).tables[0]).toMatchObject({
      status: 'rolled-back',
      deletedRows: '100',
      actual: before,
    });
    expect(files()).toEqual(beforeFiles);
    expect(await rows()).toEqual(beforeRows);

    const r = { ...a, runId: 'pq-replace', mode: 'replace' };
    const mr = await prepareRun({ ...runFlags(r), tables: 'items' });
    expect(mr.tables[0]).toMatchObject({ action: 'restore', backup: '_ferry_backup_pq-replace_items' });
    expect((await ferry([...runArgs(r), '--tables', 'items'], env)).code).toBe(0);
    expect(files().every((f) => f.endsWith('-pq-replace.parquet'))).toBe(true);
    const rr = await ferry(['rollback', 'pq-replace', ...state], env);
    expect(rr.code).toBe(0);
    expect(files()).toEqual(beforeFiles);
    expect(await rows()).toEqual(beforeRows);
    expect(await targetChecksum(`parquet:${pq}`, { name: 'items' })).toEqual(before);
    expect(existsSync(join(pq, '_ferry_rollback', '_ferry_backup_pq-replace_items'))).toBe(false);
    expect(readdirSync(join(pq, '_ferry_ledger')).sort()).toEqual(['pq-0']);
  });
});
