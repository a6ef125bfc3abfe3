import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoSource } from '../../cli/demo-data.js';
import { duckdbQuery, ferry, tempDir } from './cli-harness.js';

describe('failed partitions: other partitions go on, status names the error, retry completes after the fix', () => {
  const tmp = tempDir('retry');
  const source = join(tmp.path, 'source.duckdb');
  const target = join(tmp.path, 'target.duckdb');
  const state = ['--state-dir', join(tmp.path, 'runs')];
  const reports = ['--reports-dir', join(tmp.path, 'reports')];
  beforeAll(async () => {
    await generateDemoSource(source, 12_000);
    // The target's note column refuses NULLs, which every third source order has.
    await duckdbQuery(source, 'CREATE TABLE notes AS SELECT order_id, note FROM orders ORDER BY order_id');
    await duckdbQuery(target, 'CREATE TABLE notes (order_id BIGINT PRIMARY KEY, note VARCHAR NOT NULL)');
  });
  afterAll(() => tmp.cleanup());

  it('fails the poisoned partitions, then retries them', async () => {
    const run = await ferry([
      'run', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--tables', 'notes', '--mode', 'append',
      '--partition-rows', '2000', '--run-id', 'r1', ...state, ...reports, '--json',
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout).report;
    expect(report.failures.length).toBeGreaterThan(0);
    expect(report.failures[0].message).toMatch(/note/);

    const status = await ferry(['status', 'r1', ...state]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/failed notes#\d+/);
    expect(status.stdout).toMatch(/DATA: /);

    await duckdbQuery(target, 'ALTER TABLE notes ALTER note DROP NOT NULL');
    const retry = await ferry(['retry', 'r1', ...state, ...reports, '--json']);
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    expect(JSON.parse(retry.stdout).report.verified).toBe(true);
    expect(await duckdbQuery(target, 'SELECT count(*), count(DISTINCT order_id) FROM notes')).toEqual([[12_000n, 12_000n]]);
  });

  it('retries a transient failure by itself (attempt 2 commits)', async () => {
    const other = join(tmp.path, 'transient.duckdb');
    const r = await ferry(
      ['run', '--from', `duckdb:${source}`, '--to', `duckdb:${other}`, '--tables', 'orders', '--partition-rows', '3000', '--run-id', 'r2', ...state, ...reports, '--json'],
      { env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'before_commit:2:throw' } },
    );
    expect(r.code).toBe(0);
    const attempts = await duckdbQuery(other, `SELECT max(attempt), count(*) FROM _ferry_ledger WHERE run_id = 'r2'`);
    // The ledger records the fence of the committing delivery: attempt × 1000 + deliveries.
    expect(Math.floor(Number(attempts[0]![0]) / 1000)).toBe(2);
    expect(await duckdbQuery(other, 'SELECT count(*) FROM orders')).toEqual([[12_000n]]);
  });
});
