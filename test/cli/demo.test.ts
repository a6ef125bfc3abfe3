import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { duckdbQuery, ferry, tempDir } from './cli-harness.js';

describe('ferry demo', () => {
  const tmp = tempDir('demo');
  afterAll(() => tmp.cleanup());

  it('generates, migrates, verifies and reports', async () => {
    const r = await ferry(['demo', '--rows', '30000', '--partition-rows', '4000', '--workers', '2', '--dir', tmp.path, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.report.status).toBe('succeeded');
    expect(out.report.verified).toBe(true);
    const byTable = Object.fromEntries(out.report.tables.map((t: { table: string }) => [t.table, t]));
    expect(byTable['orders'].sourceRows).toBe('30000');
    expect(byTable['orders'].targetRows).toBe('30000');
    expect(byTable['customers'].sourceRows).toBe('3000');
    expect(byTable['orders'].partitions).toBeGreaterThanOrEqual(7);

    const md = readFileSync(out.files.markdown, 'utf8');
    expect(md).toContain('verified');
    expect(md).not.toContain('NOT verified');
    expect(existsSync(out.files.json)).toBe(true);

    // Independently of ferry's checksums: the target holds exactly the source's rows.
    const target = join(tmp.path, 'target.duckdb');
    const src = join(tmp.path, 'source.duckdb');
    const [[diff]] = (await duckdbQuery(
      target,
      `ATTACH '${src}' AS src (READ_ONLY);
       SELECT (SELECT count(*) FROM (SELECT * FROM src.orders EXCEPT ALL SELECT * FROM orders)) +
              (SELECT count(*) FROM (SELECT * FROM orders EXCEPT ALL SELECT * FROM src.orders)) +
              (SELECT count(*) FROM (SELECT * FROM src.customers EXCEPT ALL SELECT * FROM customers)) +
              (SELECT count(*) FROM (SELECT * FROM customers EXCEPT ALL SELECT * FROM src.customers))`,
    )) as [[bigint]];
    expect(diff).toBe(0n);
  });

  it('prints a human summary and progress lines without --json', async () => {
    const r = await ferry(['demo', '--rows', '2000', '--partition-rows', '1000', '--dir', tmp.path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/checksums\s+verified/);
    expect(r.stdout).toMatch(/rows\s+3,000 in \d+ partitions/);
    expect(r.stderr).toMatch(/orders: \d+\/\d+ partitions, 2,000 rows/);
  });
});
