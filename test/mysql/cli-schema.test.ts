import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase, requireServices, runCli, sql } from '../helpers/services.js';
import { exec, freshDatabase } from './mariadb.js';

/**
 * MySQL acceptance tests through the `ferry` CLI for a schema of customers, orders and order items with
 * AUTO_INCREMENT keys and foreign keys, MariaDB → PostgreSQL: constraints and indexes after the data, foreign
 * keys valid, identities continuing past the maximum, the target schema, and a run killed half way then resumed.
 * Each is verified by ferry AND by comparing every row as text on both sides.
 */
const mysqlPassword = (url: string) => decodeURIComponent(new URL(url).password);

const FK_SCHEMA = [
  'CREATE TABLE customers (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE, name VARCHAR(100))',
  `CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT UNSIGNED NOT NULL, placed DATETIME(6) NOT NULL,
     KEY orders_placed (placed), CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id))`,
  `CREATE TABLE order_items (order_id BIGINT NOT NULL, line INT NOT NULL, sku CHAR(8) NOT NULL, qty SMALLINT NOT NULL,
     price DECIMAL(12,2) NOT NULL, PRIMARY KEY (order_id, line), KEY items_sku (sku),
     CONSTRAINT items_order FOREIGN KEY (order_id) REFERENCES orders (id))`,
  `INSERT INTO customers (email, name) SELECT CONCAT('c', seq, '@example.com'), IF(seq % 7 = 0, NULL, CONCAT('Zoë ', seq)) FROM seq_1_to_3000`,
  'DELETE FROM customers WHERE id % 97 = 0',
  `INSERT INTO orders (customer_id, placed) SELECT c.id, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL s.seq * 37 SECOND + INTERVAL s.seq MICROSECOND
     FROM seq_1_to_3 s JOIN customers c ORDER BY c.id, s.seq`,
  `INSERT INTO order_items SELECT o.id, l.seq, CONCAT('SKU', LPAD(o.id % 1000, 5, '0')), l.seq, o.id % 1000 + 0.99
     FROM orders o JOIN seq_1_to_2 l`,
];

describe('MySQL schema migrations through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-myschema-'));
  const state = ['--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')];
  let src: Awaited<ReturnType<typeof freshDatabase>>;
  let pgAdmin: string;
  const dbs: { drop(): Promise<void> }[] = [];
  const pgTarget = async (prefix: string): Promise<TestDatabase> => {
    const db = await createTestDatabase('pg', pgAdmin, prefix);
    dbs.push(db);
    return db;
  };

  beforeAll(async () => {
    src = await freshDatabase('myschsrc');
    dbs.push(src);
    const svc = await requireServices(['pg']);
    if (!svc.urls.pg) throw new Error(`PostgreSQL is not available: ${svc.reason ?? 'no URL'}`);
    pgAdmin = svc.urls.pg;
    await exec(src.url, FK_SCHEMA);
  });
  afterAll(async () => {
    for (const d of dbs.reverse()) await d.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('foreign keys: constraints and indexes after the data, valid, identities continue past the maximum', async () => {
    const pgDb = await pgTarget('myclifk');
    const r = await runCli([
      'run',
      '--from',
      src.url,
      '--to',
      pgDb.url,
      '--tables',
      'customers,orders,order_items',
      '--partition-rows',
      '1500',
      '--json',
      ...state,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    expect(
      (
        await runCli([
          'verify',
          '--from',
          src.url,
          '--to',
          pgDb.url,
          '--tables',
          'customers,orders,order_items',
        ])
      ).code,
    ).toBe(0);
    const schema = src.name;
    await expectSameRows(pgDb.url, schema);

    // Every constraint and index was created by a later transaction than any that loaded the table's rows.
    const objects = await sql<{
      rel: string;
      obj: string;
      kind: string;
      created: string;
      loaded: string;
      valid: boolean | null;
    }>(
      pgDb.url,
      `SELECT * FROM (
         SELECT c.conrelid::regclass::text AS rel, c.conname AS obj, c.contype::text AS kind, c.xmin::text AS created, c.convalidated AS valid
           FROM pg_constraint c WHERE c.connamespace = $1::regnamespace
         UNION ALL
         SELECT i.indrelid::regclass::text, x.relname, 'i', x.xmin::text, NULL
           FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE x.relnamespace = $1::regnamespace) o,
       LATERAL (SELECT CASE o.rel WHEN $2 THEN (SELECT max(xmin::text::bigint) FROM "${schema}".customers)
                                  WHEN $3 THEN (SELECT max(xmin::text::bigint) FROM "${schema}".orders)
                                  ELSE (SELECT max(xmin::text::bigint) FROM "${schema}".order_items) END::text AS loaded) l
       ORDER BY 1, 2`,
      [schema, `${schema}.customers`, `${schema}.orders`],
    );
    // (regclass text quotes no name here: the test database's name is lower case.)
    const kinds = objects.map((o) => `${o.rel.replace(`${schema}.`, '')}:${o.kind}`);
    for (const k of ['customers:p', 'customers:u', 'orders:p', 'orders:f', 'order_items:p', 'order_items:f'])
      expect(kinds).toContain(k);
    expect(objects.filter((o) => o.kind === 'i').map((o) => o.obj)).toEqual(
      expect.arrayContaining(['orders_placed', 'items_sku']),
    );
    for (const o of objects) expect(BigInt(o.created), `${o.rel} ${o.obj}`).toBeGreaterThan(BigInt(o.loaded));
    for (const o of objects.filter((o) => o.kind === 'f')) expect(o.valid, o.obj).toBe(true);
    const fks = await sql<{ ref: string }>(
      pgDb.url,
      `SELECT confrelid::regclass::text AS ref FROM pg_constraint WHERE contype = 'f' AND connamespace = $1::regnamespace ORDER BY 1`,
      [schema],
    );
    expect(fks.map((f) => f.ref)).toEqual([`${schema}.customers`, `${schema}.orders`]);

    // AUTO_INCREMENT continues: a row inserted without an id gets the next one after the loaded maximum.
    const [maxCustomer] = await exec(src.url, 'SELECT CAST(MAX(id) AS CHAR) AS m FROM customers');
    const [maxOrder] = await exec(src.url, 'SELECT CAST(MAX(id) AS CHAR) AS m FROM orders');
    const c = await sql<{ id: string }>(
      pgDb.url,
      `INSERT INTO "${schema}".customers (email) VALUES ('new@example.com') RETURNING id::text AS id`,
    );
    expect(BigInt(c[0]!.id)).toBe(BigInt(maxCustomer!.m as string) + 1n);
    const o = await sql<{ id: string }>(
      pgDb.url,
      `INSERT INTO "${schema}".orders (customer_id, placed) VALUES ($1, now()) RETURNING id::text AS id`,
      [c[0]!.id],
    );
    expect(BigInt(o[0]!.id)).toBe(BigInt(maxOrder!.m as string) + 1n);
    await expect(
      sql(pgDb.url, `INSERT INTO "${schema}".order_items VALUES (-1, 1, 'x', 1, 1)`),
    ).rejects.toThrow(/foreign key/);

    // --target-schema puts the tables, and the tables their foreign keys reference, in the named schema.
    const named = await pgTarget('myclifkschema');
    const n = await runCli([
      'run',
      '--from',
      src.url,
      '--to',
      named.url,
      '--target-schema',
      'shop',
      '--tables',
      'customers,orders,order_items',
      '--json',
      ...state,
    ]);
    expect(n.stderr).toBe('');
    expect(n.code).toBe(0);
    const refs = await sql<{ ref: string; valid: boolean }>(
      named.url,
      `SELECT confrelid::regclass::text AS ref, convalidated AS valid FROM pg_constraint WHERE contype = 'f' AND connamespace = 'shop'::regnamespace ORDER BY 1`,
    );
    expect(refs).toEqual([
      { ref: 'shop.customers', valid: true },
      { ref: 'shop.orders', valid: true },
    ]);
    await expectSameRows(named.url, 'shop');
  });

  it('into MariaDB: an AUTO_INCREMENT key stays AUTO_INCREMENT and continues past the loaded maximum', async () => {
    const back = await freshDatabase('myschback');
    dbs.push(back);
    const r = await runCli(['run', '--from', src.url, '--to', back.url, '--tables', 'customers,orders', '--json', ...state]);
    // (A MySQL target warns that it has no rollback support.)
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    const [ddl] = await exec(back.url, 'SHOW CREATE TABLE customers');
    expect(String(ddl!['Create Table'])).toMatch(/`id` int\(10\) unsigned NOT NULL AUTO_INCREMENT/);
    const [max] = await exec(src.url, 'SELECT CAST(MAX(id) AS CHAR) AS m FROM customers');
    await exec(back.url, "INSERT INTO customers (email) VALUES ('next@example.com')");
    const [next] = await exec(back.url, "SELECT CAST(id AS CHAR) AS id FROM customers WHERE email = 'next@example.com'");
    expect(BigInt(next!.id as string)).toBe(BigInt(max!.m as string) + 1n);
  });

  it('kill -9 half way; `ferry resume` completes exactly', async () => {
    const pgDb = await pgTarget('myclikill');
    const tables = ['--tables', 'customers,orders,order_items'];
    const killed = await runCli(
      [
        'run',
        '--from',
        src.url,
        '--to',
        pgDb.url,
        ...tables,
        '--partition-rows',
        '500',
        '--workers',
        '2',
        '--run-id',
        'mykill',
        ...state,
      ],
      {
        env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'after_commit:12:kill' },
      },
    );
    expect(killed.code).toBeNull();
    const committed = await sql<{ n: string }>(
      pgDb.url,
      `SELECT count(*) AS n FROM ferry._ferry_ledger WHERE run_id = 'mykill'`,
    );
    expect(Number(committed[0]!.n)).toBeGreaterThanOrEqual(12);
    const resumed = await runCli(['resume', 'mykill', '--json', ...state], {
      env: {
        FERRY_SOURCE_PASSWORD: mysqlPassword(src.url),
        FERRY_TARGET_PASSWORD: decodeURIComponent(new URL(pgDb.url).password),
      },
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(false);
    const ledger = await sql<{ n: string; d: string }>(
      pgDb.url,
      `SELECT count(*) AS n, count(DISTINCT partition_id) AS d FROM ferry._ferry_ledger WHERE run_id = 'mykill'`,
    );
    expect(ledger[0]!.n).toBe(ledger[0]!.d);
    expect(Number(ledger[0]!.n)).toBeGreaterThan(Number(committed[0]!.n));
    await expectSameRows(pgDb.url, src.name);
    expect((await runCli(['verify', '--from', src.url, '--to', pgDb.url, ...tables])).code).toBe(0);
  });

  /** Row counts, no duplicate keys, and every row equal (as text) in MariaDB and in the PostgreSQL schema. */
  async function expectSameRows(pgUrl: string, schema: string): Promise<void> {
    const queries: [string, string, string][] = [
      [
        'customers',
        "CONCAT_WS('|', id, email, IFNULL(name, '<null>'))",
        "concat_ws('|', id, email, coalesce(name, '<null>'))",
      ],
      [
        'orders',
        "CONCAT_WS('|', id, customer_id, DATE_FORMAT(placed, '%Y-%m-%d %H:%i:%s.%f'))",
        "concat_ws('|', id, customer_id, to_char(placed, 'YYYY-MM-DD HH24:MI:SS.US'))",
      ],
      [
        'order_items',
        "CONCAT_WS('|', order_id, line, sku, qty, price)",
        "concat_ws('|', order_id, line, sku, qty, price)",
      ],
    ];
    for (const [table, mine, theirs] of queries) {
      const a = (await exec(src.url, `SELECT ${mine} AS r FROM ${table}`)).map((x) => x.r as string);
      const b = (await sql<{ r: string }>(pgUrl, `SELECT ${theirs} AS r FROM "${schema}".${table}`)).map(
        (x) => x.r,
      );
      expect(b.length, table).toBe(a.length);
      expect(new Set(b).size, `${table} duplicates`).toBe(b.length);
      expect(b.sort(), table).toEqual(a.sort());
    }
  }
});
