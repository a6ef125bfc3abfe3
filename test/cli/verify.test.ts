import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoSource } from '../../cli/demo-data.js';
import { duckdbQuery, ferry, tempDir } from './cli-harness.js';

describe('ferry verify', () => {
  const tmp = tempDir('verify');
  const source = join(tmp.path, 'source.duckdb');
  const target = join(tmp.path, 'target.duckdb');
  beforeAll(async () => {
    await generateDemoSource(source, 20_000);
    const r = await ferry(['run', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--state-dir', join(tmp.path, 'runs'), '--reports-dir', join(tmp.path, 'reports'), '--partition-rows', '4000']);
    expect(r.code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('passes on an exact copy', async () => {
    const r = await ferry(['verify', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--partition-rows', '4000', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });

  it('exits 1 and names the changed, missing and extra keys', async () => {
    await duckdbQuery(
      target,
      `UPDATE orders SET amount = amount + 0.01 WHERE order_id = 12345;
       DELETE FROM orders WHERE order_id = 777;
       UPDATE customers SET email = 'x' || email WHERE customer_id = 42;
       INSERT INTO orders SELECT 999999, customer_id, ordered_at, ship_date, amount, quantity, status, paid, tracking_id, note, attributes FROM orders WHERE order_id = 1;`,
    );
    const r = await ferry(['verify', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--partition-rows', '4000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/changed keys .*12345/);
    expect(r.stdout).toMatch(/missing in target .*777/);
    expect(r.stdout).toMatch(/extra in target .*999999/);
    expect(r.stdout).toMatch(/changed keys .*42/);
    expect(r.stdout).toContain('verification FAILED');
    const json = JSON.parse((await ferry(['verify', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--partition-rows', '4000', '--json'])).stdout);
    expect(json.ok).toBe(false);
    const orders = json.tables.find((t: { table: string }) => t.table === 'orders');
    expect(orders.equal).toBe(false);
  });
});
