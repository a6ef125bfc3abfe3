import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';

/**
 * RELIABILITY B27: two source tables whose names differ only in case ("Orders" and orders, legal in
 * PostgreSQL) would become one table on a target that folds case (DuckDB, MySQL on some platforms). The plan
 * refuses before any data moves, naming both, instead of loading one table's rows into the other.
 */
const svc = await requireServices(['pg']);

describe('source tables whose names differ only in case', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-names-'));
  let src: TestDatabase;
  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'namecase');
    await sql(
      src.url,
      `CREATE TABLE "Orders" (id integer PRIMARY KEY); INSERT INTO "Orders" VALUES (1);
       CREATE TABLE orders (id integer PRIMARY KEY); INSERT INTO orders VALUES (2);`,
    );
  });
  afterAll(async () => {
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are refused before any data moves, both named', async () => {
    const target = join(dir, 'target.duckdb');
    const r = await runCli([
      'run', '--from', src.url, '--to', `duckdb:${target}`, '--state-dir', join(dir, 'runs'),
      '--reports-dir', join(dir, 'reports'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/source tables public\.(Orders|orders) and public\.(orders|Orders) map to the same target table/);
    expect(r.stderr).toContain('public.Orders');
    expect(r.stderr).toContain('public.orders');
    expect(r.stderr).toMatch(/give one of them a different target name/);
  });
});
