import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoSource } from '../../cli/demo-data.js';
import { getConnector } from '../../connectors/index.js';
import { profileSource, type ProfileSourceOptions } from '../../coordinator/index.js';
import { parseEndpoint, silentLogger, type Source } from '../../core/index.js';
import type { Finding, ProfileReport } from '../../profiling/index.js';
import { BatchPool } from '../../worker/index.js';
import { tempDir } from '../cli/cli-harness.js';

/**
 * `ferry profile` on the demo dataset finds every problem planted in it (cli/demo-data.ts). Per-batch
 * statistics run in the worker pool's threads (needs `npm run build`), with small partitions and batches so
 * the merge paths are exercised: ~2,000 customers in 8 partitions, 20,000 orders in 40.
 */

const ORDERS = 20_000;
const dir = tempDir('profile');
const sourcePath = join(dir.path, 'source.duckdb');
let pool: BatchPool;
let customers = 0;

async function openDuckDB(path: string): Promise<Source> {
  return (await getConnector('duckdb')).openSource(parseEndpoint(`duckdb:${path}`), {
    logger: silentLogger(),
    readOnly: true,
  });
}

async function profile(path: string, options: Partial<ProfileSourceOptions> = {}): Promise<ProfileReport> {
  const source = await openDuckDB(path);
  try {
    return await profileSource({
      source,
      sourceDisplay: `duckdb:${path}`,
      name: 'demo',
      partitionRows: 500,
      batchRows: 256,
      concurrency: 2,
      profileBatch: (batch, spec) => pool.profileBatch(batch, spec),
      candidateKeys: [
        { table: 'customers', columns: ['email', 'full_name'] },
        { table: 'customers', columns: ['email'] },
      ],
      required: [{ table: 'customers', column: 'country' }],
      ...options,
    });
  } finally {
    await source.close();
  }
}

async function sql(path: string, query: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(query)).getRows() as unknown[][];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** The demo's customer e-mail and name for row i, exactly as cli/demo-data.ts's SQL computes them. */
function demoCustomer(i: number): { email: string; name: string } {
  const who = i % 250 === 0 ? i - 1 : i;
  const email =
    i % 97 === 0
      ? `user${who}.example.com`
      : i % 97 === 1 && i > 1
        ? `user${who}@`
        : `user${who}@example.com`;
  const first = ['Ana', 'Bo', 'Chen', 'Dário', 'Émile', 'Farah', 'Günter', 'Hiro'][who % 8]!;
  const last = ['Smith', 'Okafor', 'Müller', 'Silva', 'Nakamura', 'Núñez', 'Kowalski'][
    Math.floor(who / 8) % 7
  ]!;
  return { email, name: `${first} ${last}` };
}

function findingsOf(r: ProfileReport, code: Finding['code'], table: string, column?: string): Finding[] {
  return r.findings.filter(
    (f) => f.code === code && f.table === table && (column === undefined || f.column === column),
  );
}

let report: ProfileReport;

beforeAll(async () => {
  pool = new BatchPool(2);
  customers = (await generateDemoSource(sourcePath, ORDERS)).customers;
  report = await profile(sourcePath);
});

afterAll(async () => {
  await pool.close();
  dir.cleanup();
});

describe('ferry profile finds the demo dataset’s planted problems', () => {
  it('counts every row of both tables', () => {
    expect(customers).toBe(2000);
    expect(report.tables.map((t) => [t.name, t.rows])).toEqual([
      ['customers', 2000],
      ['orders', ORDERS],
    ]);
    expect(report.tables.find((t) => t.name === 'orders')!.partitions).toBeGreaterThan(10);
  });

  it('finds the duplicate customers (same e-mail and name under a new id every 250th)', () => {
    const seen = new Set<string>();
    let expected = 0;
    for (let i = 1; i <= customers; i++) {
      const { email, name } = demoCustomer(i);
      const key = `${email}\u0000${name}`;
      if (seen.has(key)) expected++;
      seen.add(key);
    }
    expect(expected).toBe(8);
    const f = findingsOf(report, 'duplicate_candidate_key', 'customers', 'email+full_name');
    expect(f).toHaveLength(1);
    expect(f[0]!.count).toBe(expected);
    expect(f[0]!.severity).toBe('warning');
    expect(f[0]!.message).toMatch(/^customers: 0\.4% duplicate rows on candidate key \(email, full_name\)/);
    const key = report.tables[0]!.keys.find((k) => k.kind === 'candidate' && k.columns.length === 2)!;
    expect(key).toMatchObject({ rows: 2000, duplicateRows: 8, duplicateKeys: 8, nullRows: 0 });
    // The primary key itself has no duplicates.
    expect(report.tables[0]!.keys.find((k) => k.kind === 'primary')).toMatchObject({
      duplicateRows: 0,
      distinct: 2000,
    });
  });

  it('finds the malformed e-mails (no @, or nothing after it): the count equals the planted count', () => {
    let planted = 0;
    for (let i = 1; i <= customers; i++) if (i % 97 === 0 || (i % 97 === 1 && i > 1)) planted++;
    expect(planted).toBe(40);
    const f = findingsOf(report, 'malformed_email', 'customers', 'email');
    expect(f).toHaveLength(1);
    expect(f[0]!.count).toBe(planted);
    expect(f[0]!.severity).toBe('warning');
    // E-mail is personal data: examples keep only their shape unless --show-pii.
    expect(f[0]!.examples!.slice(0, 2)).toEqual(['u*****.e******.c**', 'u*****@']);
  });

  it('finds the NULLs in customers.country, required by the business rules', () => {
    const f = findingsOf(report, 'null_in_required', 'customers', 'country');
    expect(f).toHaveLength(1);
    expect(f[0]!.count).toBe(Math.floor(customers / 101));
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).toBe(
      'customers.country: 1.0% NULL in a required column (19 of 2,000 rows; configured as required)',
    );
  });

  it("finds the 'A'/'I' status code", () => {
    const f = findingsOf(report, 'code_values', 'customers', 'status');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toBe("customers.status: 2 distinct values 'A', 'I' — looks like a code");
    const status = report.tables[0]!.columns.find((c) => c.name === 'status')!;
    expect(status.distinct).toEqual({ count: 2, exact: true });
    expect(status.topValues.reduce((s, v) => s + v.count, 0)).toBe(2000);
  });

  it('finds no orphans in orders.customer_id on the real data, checked against every customer key', () => {
    const orders = report.tables.find((t) => t.name === 'orders')!;
    expect(orders.foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['customer_id'],
        references: 'customers',
        referencedColumns: ['customer_id'],
        mode: 'immediate',
        rows: ORDERS,
        orphanRows: 0,
      }),
    ]);
    expect(report.findings.filter((f) => f.code === 'orphans')).toEqual([]);
    expect(report.inventory.loadOrder).toEqual(['customers', 'orders']);
  });

  it('flags e-mail, full name and phone as personal data', () => {
    const flags = Object.fromEntries(
      report.pii.map((p) => [`${p.table}.${p.column}`, [p.category, p.confidence]]),
    );
    expect(flags).toEqual({
      'customers.email': ['email', 'high'],
      'customers.full_name': ['person_name', 'high'],
      'customers.phone': ['phone', 'high'],
    });
    const phone = report.tables[0]!.columns.find((c) => c.name === 'phone')!;
    expect(phone.pii!.reasons).toHaveLength(2);
    expect(phone.masked).toBe(true);
    expect(JSON.stringify(report)).not.toContain('user97.example.com');
  });

  it('profiles columns exactly: decimals, dates, timestamps, NULLs', () => {
    const orders = report.tables.find((t) => t.name === 'orders')!;
    const col = (name: string) => orders.columns.find((c) => c.name === name)!;
    expect(col('order_id')).toMatchObject({
      min: '1',
      max: String(ORDERS),
      nulls: 0,
      distinct: { count: ORDERS, exact: true },
    });
    expect(col('ordered_at').distinct.count).toBeLessThanOrEqual(ORDERS);
    expect(col('note').nulls).toBe(Math.floor(ORDERS / 3));
    expect(col('ship_date').min).toBe('2024-01-01');
    expect(col('amount').histogram!.bins.reduce((s, b) => s + b.count, 0)).toBe(ORDERS);
    expect(col('tracking_id').type).toBe('uuid');
    expect(col('ordered_at').min).toMatch(/^2024-01-01 \d\d:\d\d:\d\d\.\d{6} UTC$/);
  });

  it('finds orphans after customers are deleted (relationship configured for a copy without the declared key)', async () => {
    const copy = join(dir.path, 'orphans.duckdb');
    await sql(
      copy,
      `ATTACH '${sourcePath}' AS src (READ_ONLY);
       CREATE TABLE customers AS SELECT * FROM src.customers WHERE customer_id % 10 <> 3;
       ALTER TABLE customers ADD PRIMARY KEY (customer_id);
       CREATE TABLE orders AS SELECT * FROM src.orders;
       ALTER TABLE orders ADD PRIMARY KEY (order_id);`,
    );
    const [[expected]] = (await sql(
      sourcePath,
      'SELECT count(*) FROM orders WHERE customer_id % 10 = 3',
    )) as [[bigint]];
    const [[keys]] = (await sql(
      sourcePath,
      'SELECT count(DISTINCT customer_id) FROM orders WHERE customer_id % 10 = 3',
    )) as [[bigint]];
    const r = await profile(copy, {
      foreignKeys: [
        {
          table: 'orders',
          columns: ['customer_id'],
          references: 'customers',
          referencedColumns: ['customer_id'],
        },
      ],
    });
    const f = findingsOf(r, 'orphans', 'orders', 'customer_id');
    expect(f).toHaveLength(1);
    expect(f[0]!.count).toBe(Number(expected));
    expect(f[0]!.count).toBeGreaterThan(0);
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.examples).toEqual(['3', '13', '23', '33', '43']);
    expect(r.tables.find((t) => t.name === 'orders')!.foreignKeys[0]).toMatchObject({
      origin: 'configured',
      orphanKeys: Number(keys),
    });
  });

  it('gives the same report for the same source, whatever order partitions finish in', async () => {
    const again = await profile(sourcePath, { concurrency: 3 });
    const stable = (r: ProfileReport) => ({
      ...r,
      createdAt: '',
      durationSeconds: 0,
      options: { ...r.options, concurrency: 0 },
    });
    expect(stable(again)).toEqual(stable(report));
  });

  it('sizes partitions by bytes when asked, from the source\'s size estimate, with the same findings', async () => {
    const source = await openDuckDB(sourcePath);
    const orders = await source.describe({ name: 'orders' });
    await source.close();
    // Bytes for ~2,000 orders at their estimated width: ~10 partitions instead of 40.
    const partitionBytes = Math.round((orders.estimatedBytes / orders.estimatedRows) * 2_000);
    const r = await profile(sourcePath, { partitionBytes });
    expect(r.options.partitionBytes).toBe(partitionBytes);
    expect(r.tables.find((t) => t.name === 'orders')!.partitions).toBe(10);
    expect(r.findings).toEqual(report.findings);
  });

  it('reads a parent that is not selected for its keys only', async () => {
    const r = await profile(sourcePath, { tables: ['orders'], candidateKeys: [], required: [] });
    expect(r.tables.map((t) => t.name)).toEqual(['orders']);
    expect(r.inventory.tables.find((t) => t.name === 'customers')).toMatchObject({
      keysOnly: true,
      rows: 2000,
    });
    expect(r.tables[0]!.foreignKeys[0]).toMatchObject({ mode: 'immediate', orphanRows: 0, rows: ORDERS });
  });
});
