import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoSource } from '../../cli/demo-data.js';
import type { Certificate, Reconciliation, RunDocuments } from '../../coordinator/index.js';
import { cleanEnv, ROOT, runNode } from '../cli/cli-harness.js';

/**
 * The run's documents through the CLI (compiled code: `npm run build` first): a DuckDB→DuckDB run of the demo
 * data writes the reconciliation report, certificate and summary in Markdown, JSON and self-contained HTML,
 * and the certificate passes; after one target value is changed and one key duplicated, `ferry report` shows
 * the field-level match below 100% (the PII value masked), the duplicate, and a failing certificate.
 */
const ENTRY = join(ROOT, 'test', 'reports', 'report-cli.mjs');

const ferry = (args: string[], env: Record<string, string>) => runNode(ENTRY, args, { env: cleanEnv(env) });

async function duckdb(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  try {
    await c.run(sql);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe('run reports: reconciliation, certificate, executive summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-reports-'));
  const src = join(dir, 'src.duckdb');
  const tgt = join(dir, 'tgt.duckdb');
  const reports = join(dir, 'reports');
  const env = { FERRY_AUDIT_LOG: join(dir, 'audit.log') };
  const common = ['--state-dir', join(dir, 'runs'), '--reports-dir', reports];
  const file = (doc: string, ext: string) => join(reports, `r1.${doc}.${ext}`);

  beforeAll(async () => {
    await generateDemoSource(src, 2000);
    const run = await ferry(
      [
        'run',
        '--from',
        `duckdb:${src}`,
        '--to',
        `duckdb:${tgt}`,
        '--run-id',
        'r1',
        '--partition-rows',
        '300',
        '--workers',
        '2',
        ...common,
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes all three documents in all three formats, and the certificate passes', () => {
    for (const doc of ['reconciliation', 'certificate', 'summary'])
      for (const ext of ['md', 'json', 'html'])
        expect(existsSync(file(doc, ext)), `${doc}.${ext}`).toBe(true);
    const cert = JSON.parse(readFileSync(file('certificate', 'json'), 'utf8')) as Certificate;
    expect(cert.passed).toBe(true);
    expect(cert.criteria.map((c) => [c.id, c.passed])).toEqual([
      ['partitions_verified', true],
      ['reject_percent', true],
      ['no_duplicate_keys', true],
      ['no_orphans', true],
      ['field_match', true],
    ]);
    const rec = JSON.parse(readFileSync(file('reconciliation', 'json'), 'utf8')) as Reconciliation;
    const byTable = Object.fromEntries(rec.tables.map((t) => [t.table, t]));
    expect(byTable.customers).toMatchObject({
      sourceRows: '1000',
      targetRows: '1000',
      rejectedRows: 0,
      checksum: 'match',
      fieldMatchPercent: 100,
    });
    expect(byTable.orders).toMatchObject({
      sourceRows: '2000',
      targetRows: '2000',
      checksum: 'match',
      fieldMatchPercent: 100,
    });
    // 1000 customers: all sampled; 2000 orders: the default sample of 1000.
    expect(byTable.customers?.sample?.sampled).toBe(1000);
    expect(byTable.orders?.sample?.sampled).toBe(1000);
    expect(byTable.orders?.duplicates).toMatchObject({
      keyColumns: ['order_id'],
      rows: 2000,
      duplicateKeys: 0,
    });
    expect(byTable.orders?.orphans).toEqual([
      expect.objectContaining({
        columns: ['customer_id'],
        references: 'customers',
        rows: 2000,
        orphanRows: 0,
      }),
    ]);
    expect(readFileSync(file('summary', 'md'), 'utf8')).toContain(
      'The data-quality certificate passes every criterion.',
    );
  });

  it('writes self-contained HTML: inline CSS, no scripts, no external references', () => {
    for (const doc of ['reconciliation', 'certificate', 'summary']) {
      const html = readFileSync(file(doc, 'html'), 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<style>');
      expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import|https?:\/\//i);
    }
    expect(readFileSync(file('certificate', 'html'), 'utf8')).toContain('badge pass');
  });

  it('after tampering, `ferry report` shows field match < 100%, the duplicate, and the certificate fails', async () => {
    // One changed value (a PII column: shown masked) and one primary key held twice on the target (the copy
    // without constraints stands in for a target that lost its key).
    await duckdb(
      tgt,
      `UPDATE customers SET email = 'tampered@evil.test' WHERE customer_id = 42;
       CREATE TABLE orders_copy AS SELECT * FROM orders;
       INSERT INTO orders_copy SELECT * FROM orders WHERE order_id = 7;
       DROP TABLE orders;
       ALTER TABLE orders_copy RENAME TO orders;`,
    );
    const md = await ferry(['report', 'r1', ...common, '--sample-rows', '5000'], env);
    expect(md.code, md.stderr).toBe(1);
    expect(md.stdout).toContain('**Result: FAIL**');
    expect(md.stdout).toMatch(/\| Field-level match 100% \|.*\| \*\*FAIL\*\* \|/);
    expect(md.stdout).toMatch(/\| No duplicate keys on the target \|.*\| \*\*FAIL\*\* \|/);
    expect(md.stdout).toContain('email (PII) | 1000 | 999 | 99.9% |');
    expect(md.stdout).toContain('orders: 1 key(s) held more than once (1 extra row(s)), e.g. 7');
    expect(md.stdout).not.toContain('tampered@evil.test');
    expect(md.stdout).toContain('`t*******@e***.t***`');

    const json = await ferry(['report', 'r1', ...common, '--sample-rows', '5000', '--format', 'json'], env);
    expect(json.code).toBe(1);
    const docs = JSON.parse(json.stdout) as RunDocuments;
    expect(docs.certificate.passed).toBe(false);
    expect(docs.certificate.criteria.filter((c) => !c.passed).map((c) => c.id)).toEqual([
      'no_duplicate_keys',
      'field_match',
    ]);
    const customers = docs.reconciliation.tables.find((t) => t.table === 'customers')!;
    expect(customers.fieldMatchPercent).toBeLessThan(100);
    expect(customers.sample?.differences).toEqual([
      {
        key: '42',
        column: 'email',
        expected: 'u*****@e******.c**',
        actual: 't*******@e***.t***',
        masked: true,
      },
    ]);
    const orders = docs.reconciliation.tables.find((t) => t.table === 'orders')!;
    expect(orders.duplicates).toMatchObject({
      duplicateKeys: 1,
      duplicateRows: 1,
      rows: 2001,
      examples: ['7'],
    });
    expect(orders.sample?.sampled).toBe(2000);
    expect(orders.fieldMatchPercent).toBe(100);

    // The files were regenerated too, and --open-file gives their paths.
    expect((JSON.parse(readFileSync(file('certificate', 'json'), 'utf8')) as Certificate).passed).toBe(false);
    const paths = await ferry(
      ['report', 'r1', ...common, '--no-checks', '--format', 'html', '--open-file'],
      env,
    );
    expect(paths.code).toBe(1);
    expect(paths.stdout.trim().split('\n')).toEqual([
      file('reconciliation', 'html'),
      file('certificate', 'html'),
      file('summary', 'html'),
    ]);
    expect(readFileSync(file('certificate', 'html'), 'utf8')).toContain('badge fail');
  });
});
