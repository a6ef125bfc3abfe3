import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliResult, createTestDatabase, runCli, sql, type TestDatabase } from './services.js';

/**
 * A PostgreSQL source database holding `items` (integer key, text, numeric(12,2)) with ids 1..rows and
 * n = id × 1.25, analyzed: the table the fault tests load while something breaks.
 */
export async function itemsSource(adminUrl: string, prefix: string, rows: number): Promise<TestDatabase> {
  const db = await createTestDatabase('pg', adminUrl, prefix);
  await sql(
    db.url,
    `CREATE TABLE items (id integer PRIMARY KEY, v text NOT NULL, n numeric(12,2));
     INSERT INTO items SELECT i, 'item ' || i, i * 1.25 FROM generate_series(1, ${rows}) i;
     ANALYZE items;`,
  );
  return db;
}

/**
 * `ferry run` of `items` from `sourceUrl` to `targetUrl` in partitions of 1,000 rows on 2 workers, every batch
 * of 250 pausing 150 ms inside its partition's open load: the run lasts long enough for a fault to land mid-load.
 * State and reports go under `dir`.
 */
export function runItemsSlowly(sourceUrl: string, targetUrl: string, dir: string): Promise<CliResult> {
  return runCli(
    [
      'run',
      '--from',
      sourceUrl,
      '--to',
      targetUrl,
      '--tables',
      'items',
      '--partition-rows',
      '1000',
      '--batch-rows',
      '250',
      '--workers',
      '2',
      '--json',
      '--state-dir',
      join(dir, 'runs'),
      '--reports-dir',
      join(dir, 'reports'),
    ],
    { env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'mid_copy:*:pause=150' } },
  );
}

/** The run rode the fault out: it retried, completed every partition and verified the target. */
export function expectRetriedAndVerified(r: CliResult): void {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/retrying partition/);
  const report = JSON.parse(r.stdout).report;
  expect(report.verified).toBe(true);
  expect(report.tables[0].done).toBe(report.tables[0].partitions);
}
