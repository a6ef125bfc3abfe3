/**
 * Acceptance: the classic mapping (users → customers: user_id → uuid v5, full_name → first/last, created_at
 * Berlin → UTC, status → is_active, e-mail trimmed and lower-cased with a regex rule, country NOT NULL; orders
 * with a references rule) through `ferry plan`, `ferry run`, `ferry rejects` and `ferry verify`, DuckDB → DuckDB
 * and PostgreSQL → PostgreSQL. Every target row is compared with values computed in fixture.ts, independently
 * of transform/. Run `npm run build` first (the CLI runs dist/).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbQuery, ferry, tempDir } from '../cli/cli-harness.js';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';
import {
  type ExpectedCustomer,
  expectedCustomers,
  expectedOrders,
  fixtureSql,
  TABLES_YAML,
  userRows,
} from './fixture.js';
import { countBy, ferryRejects } from './helpers.js';

const expected = expectedCustomers();
const expectedO = expectedOrders();

/** Microseconds since the epoch as `YYYY-MM-DD HH:MM:SS.ffffff` (UTC). */
function microsText(us: bigint): string {
  const ms = Number(us / 1000n);
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(Number(us % 1_000_000n), 6)}`;
}

function config(dir: string, extra: string): string {
  const file = join(dir, 'config', 'settings.yaml');
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(
    file,
    `partition_rows: 400\nbatch_rows: 128\nworkers: 2\nstate_dir: ../runs\nreports_dir: ../reports\n${extra}\n${TABLES_YAML}`,
  );
  return file;
}

/**
 * What every engine's run must show: the report, the rejects, the mapping document. `ordersBy`: how orders (whose
 * key reaches the target) is read back — by range, or as a whole table where the target indexes after the load.
 */
async function checkRun(
  stdout: string,
  runId: string,
  where: string[],
  users: string,
  ordersBy: 'range' | 'table',
): Promise<void> {
  const { report } = JSON.parse(stdout);
  expect(report.status).toBe('succeeded');
  expect(report.verified).toBe(true);
  const byTable = Object.fromEntries(report.tables.map((t: { table: string }) => [t.table, t]));
  const customers = byTable[users];
  expect(customers.verified).toBe(true);
  expect(customers.verifiedBy).toBe('table');
  expect(customers.sourceRows).toBe(String(userRows().length));
  expect(customers.targetRows).toBe(String(expected.rows.size));
  expect(customers.rejected).toBe(expected.rejects.size);
  expect(customers.rejectsByRule).toEqual(countBy(expected.rejects.values()));
  const orders = byTable[users.replace('users', 'orders')];
  expect(orders.verifiedBy).toBe(ordersBy);
  expect(orders.rejectsByRule).toEqual({ customer_exists: expectedO.rejects.size });

  const all = await ferryRejects([runId, ...where, '--limit', '0']);
  expect(all.total).toBe(expected.rejects.size + expectedO.rejects.size);
  const userRejects = all.rejects.filter((r) => r.table === users);
  expect(new Map(userRejects.map((r) => [r.key, r.rule]))).toEqual(expected.rejects);
  expect(new Set(all.rejects.filter((r) => r.table !== users).map((r) => r.key))).toEqual(expectedO.rejects);
  const r7 = userRejects.find((r) => r.key === 'user_id=7')!;
  expect(r7.reason).toBe(
    `${users}.email, key user_id=7: value "user7.example.com" does not match /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/ [rule email_format]`,
  );
  const source7 = userRows()[6]!;
  expect(r7.row).toEqual({ ...source7, user_id: '7' });
  expect(userRejects.find((r) => r.key === 'user_id=21')!.reason).toContain(
    'value NULL where a value is required',
  );
  expect(userRejects.find((r) => r.key === 'user_id=45')!.reason).toContain(
    'does not exist in Europe/Berlin',
  );
  expect(userRejects.find((r) => r.key === 'user_id=33')!.reason).toContain(
    '"X" has no entry in the value map',
  );
  const orphan = all.rejects.find((r) => r.key === 'order_id=9')!;
  expect(orphan.rule).toBe('customer_exists');
  expect(orphan.reason).toContain('has no parent row in users.user_id');
  // Filters and limits: one table, one page.
  const page = await ferryRejects([runId, ...where, '--table', 'users', '--limit', '5']);
  expect(page.total).toBe(expected.rejects.size);
  expect(page.rejects).toHaveLength(5);
  expect(page.tables).toEqual([
    { table: users, rows: expected.rejects.size, byRule: countBy(expected.rejects.values()) },
  ]);
}

function checkMappingDoc(dir: string, users: string): void {
  const doc = readFileSync(join(dir, 'docs', 'data_mapping.md'), 'utf8');
  expect(doc).toContain(
    '| source table | source field | source type | target table | target field | target type | rule |',
  );
  expect(doc).toMatch(
    new RegExp(
      `\\| ${users.replace('.', '\\.')} \\| user_id \\| .*\\| customers \\| id \\| .*uuid.* \\| uuid v5 of user_id`,
    ),
  );
  expect(doc).toMatch(
    /\| full_name \| .* \| first_name \| .* \| split full_name on " ": first part; one word: first_name_only; 3\+ words: to_last \|/,
  );
  expect(doc).toMatch(
    /\| status \| .* \| is_active \| .*bool.* NOT NULL \| rename from status; map "A" → "true", "I" → "false", else reject \|/,
  );
  expect(doc).toMatch(
    /\| created_at \| .*timestamp\).* \| created_at \| .*timestamptz.* \| time zone Europe\/Berlin → UTC/,
  );
  expect(doc).toContain('| not_null(country) | country must not be NULL | each row |');
  expect(doc).toContain('| customer_exists | source user_id exists in users.user_id | each row |');
  expect(doc).toContain('Verified as a whole table');
}

/** Every target row equals its expected values; no other row is there. */
function checkCustomers(rows: ExpectedCustomer[]): void {
  expect(rows).toHaveLength(expected.rows.size);
  for (const row of rows) expect(row).toEqual(expected.rows.get(row.id));
}

function checkOrders(rows: { order_id: number; customer_id: string; amount: string }[]): void {
  expect(rows).toHaveLength(expectedO.rows.size);
  for (const r of rows)
    expect({ customer_id: r.customer_id, amount: r.amount }).toEqual(expectedO.rows.get(r.order_id));
}

describe('classic mapping DuckDB → DuckDB through the CLI', () => {
  const tmp = tempDir('classic');
  const dir = tmp.path;
  let configFile: string;
  beforeAll(async () => {
    const instance = await DuckDBInstance.create(join(dir, 'source.duckdb'));
    const c = await instance.connect();
    await c.run(fixtureSql());
    c.closeSync();
    instance.closeSync();
    configFile = config(
      dir,
      'source: { url: "duckdb:../source.duckdb" }\ntarget: { url: "duckdb:../target.duckdb" }\nrun_id: classic-duck\nmax_reject_percent: 10',
    );
  });
  afterAll(() => tmp.cleanup());

  it('ferry plan writes docs/data_mapping.md beside the config folder', async () => {
    const r = await ferry(['plan', '--config', configFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`data mapping: ${join(dir, 'docs', 'data_mapping.md')}`);
    checkMappingDoc(dir, 'users');
  });

  it('ferry run loads exactly the mapped values, rejects the rest with reasons, and verifies', async () => {
    const r = await ferry(['run', '--config', configFile, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await checkRun(r.stdout, 'classic-duck', ['--config', configFile], 'users', 'range');
    const target = join(dir, 'target.duckdb');
    const rows = await duckdbQuery(
      target,
      'SELECT id::VARCHAR, first_name, last_name, email, is_active, country, epoch_us(created_at) FROM customers',
    );
    checkCustomers(
      rows.map(([id, first_name, last_name, email, is_active, country, us]) => ({
        id: id as string,
        first_name: first_name as string | null,
        last_name: last_name as string | null,
        email: email as string | null,
        is_active: is_active as boolean,
        country: country as string,
        created_at: microsText(us as bigint),
      })),
    );
    const types = await duckdbQuery(
      target,
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position",
    );
    expect(types).toEqual([
      ['id', 'UUID', 'NO'],
      ['first_name', 'VARCHAR', 'YES'],
      ['last_name', 'VARCHAR', 'YES'],
      ['email', 'VARCHAR', 'YES'],
      ['is_active', 'BOOLEAN', 'NO'],
      ['country', 'VARCHAR', 'NO'],
      ['created_at', 'TIMESTAMP WITH TIME ZONE', 'NO'],
    ]);
    const orders = await duckdbQuery(
      target,
      'SELECT order_id, customer_id::VARCHAR, amount::VARCHAR FROM orders',
    );
    checkOrders(
      orders.map(([order_id, customer_id, amount]) => ({
        order_id: order_id as number,
        customer_id: customer_id as string,
        amount: amount as string,
      })),
    );
  });

  it('ferry verify compares the target with the mapped source minus rejects, and finds a changed value', async () => {
    const ok = await ferry(['verify', '--config', configFile, '--json']);
    expect(ok.code).toBe(0);
    const outcome = JSON.parse(ok.stdout);
    expect(outcome.ok).toBe(true);
    const customers = outcome.tables.find((t: { table: string }) => t.table === 'users');
    expect(customers).toMatchObject({ equal: true, comparedBy: 'table', rejected: expected.rejects.size });
    expect(customers.source.rows).toBe(String(expected.rows.size));
    const target = join(dir, 'target.duckdb');
    const id = [...expected.rows.keys()][100]!;
    await duckdbQuery(target, `UPDATE customers SET email = 'changed@example.com' WHERE id = '${id}'`);
    const bad = await ferry(['verify', '--config', configFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/users → customers: DIFFERENT/);
    expect(bad.stdout).toMatch(/orders → orders: equal/);
    await duckdbQuery(
      target,
      `UPDATE customers SET email = '${expected.rows.get(id)!.email}' WHERE id = '${id}'`,
    );
    expect((await ferry(['verify', '--config', configFile])).code).toBe(0);
  });

  it('counts every reject once across a retried attempt and a crash resumed', async () => {
    const other = join(dir, 'crash');
    mkdirSync(other);
    const file = config(
      other,
      'source: { url: "duckdb:../../source.duckdb" }\ntarget: { url: "duckdb:../target.duckdb" }\nrun_id: classic-crash',
    );
    // The 3rd batch write fails (retried as attempt 2); the 6th commit is followed by SIGKILL.
    const crashed = await ferry(['run', '--config', file], {
      env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'mid_copy:3:throw;after_commit:6:kill' },
    });
    expect(crashed.signal).toBe('SIGKILL');
    const resumed = await ferry(['resume', 'classic-crash', '--config', file, '--json']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const { report } = JSON.parse(resumed.stdout);
    const users = report.tables.find((t: { table: string }) => t.table === 'users');
    expect(users).toMatchObject({
      verified: true,
      rejected: expected.rejects.size,
      targetRows: String(expected.rows.size),
    });
    expect(users.rejectsByRule).toEqual(countBy(expected.rejects.values()));
    const all = await ferryRejects(['classic-crash', '--config', file, '--limit', '0']);
    expect(all.total).toBe(expected.rejects.size + expectedO.rejects.size);
    expect(new Map(all.rejects.filter((r) => r.table === 'users').map((r) => [r.key, r.rule]))).toEqual(
      expected.rejects,
    );
    const [[count]] = (await duckdbQuery(join(other, 'target.duckdb'), 'SELECT count(*) FROM customers')) as [
      [bigint],
    ];
    expect(count).toBe(BigInt(expected.rows.size));
  });

  it('max_reject_percent fails the run, naming the table, its share and the limit', async () => {
    const other = join(dir, 'strict');
    mkdirSync(other);
    const file = config(
      other,
      'source: { url: "duckdb:../../source.duckdb" }\ntarget: { url: "duckdb:../target.duckdb" }\nrun_id: classic-strict\nmax_reject_percent: 3',
    );
    const r = await ferry(['run', '--config', file, '--json']);
    expect(r.code).toBe(1);
    const { report } = JSON.parse(r.stdout);
    expect(report.status).toBe('failed');
    expect(report.failures.map((f: { table: string }) => f.table)).toEqual(['users']);
    expect(report.failures[0].message).toContain(
      `users: ${expected.rejects.size} of ${userRows().length} source rows were rejected (5.00%), above max_reject_percent 3%`,
    );
    expect(report.failures[0].message).toContain('ferry rejects classic-strict --table users');
  });
});

const svc = await requireServices(['pg']);

describe('classic mapping PostgreSQL → PostgreSQL through the CLI', () => {
  const tmp = tempDir('classic-pg');
  const dir = tmp.path;
  let src: TestDatabase;
  let dst: TestDatabase;
  let configFile: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'classic_src');
    dst = await createTestDatabase('pg', svc.urls.pg!, 'classic_dst');
    await sql(src.url, fixtureSql());
    await sql(src.url, 'ANALYZE');
    // Credentials never go in a config file: the URLs come from variables.
    env = { CLASSIC_SOURCE_URL: src.url, CLASSIC_TARGET_URL: dst.url };
    configFile = config(
      dir,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a config file's ${VAR} reference, not a template
      'source: { url: "${CLASSIC_SOURCE_URL}" }\ntarget: { url: "${CLASSIC_TARGET_URL}" }\nrun_id: classic-pg\nmax_reject_percent: 10',
    );
  });
  afterAll(async () => {
    await dst?.drop();
    await src?.drop();
    tmp.cleanup();
  });

  it('plans, runs, lists rejects and verifies with exactly the expected values', async () => {
    const plan = await runCli(['plan', '--config', configFile], { env });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    checkMappingDoc(dir, 'public.users');

    const r = await runCli(['run', '--config', configFile, '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await checkRun(r.stdout, 'classic-pg', ['--state-dir', join(dir, 'runs')], 'public.users', 'table');

    const rows = await sql<ExpectedCustomer>(
      dst.url,
      `SELECT id::text AS id, first_name, last_name, email, is_active, country,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created_at
         FROM public.customers`,
    );
    checkCustomers(rows);
    const types = await sql<{ column_name: string; data_type: string; is_nullable: string }>(
      dst.url,
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position",
    );
    expect(types.map((t) => [t.column_name, t.data_type, t.is_nullable])).toEqual([
      ['id', 'uuid', 'NO'],
      ['first_name', 'text', 'YES'],
      ['last_name', 'text', 'YES'],
      ['email', 'text', 'YES'],
      ['is_active', 'boolean', 'NO'],
      ['country', 'text', 'NO'],
      ['created_at', 'timestamp with time zone', 'NO'],
    ]);
    const orders = await sql<{ order_id: number; customer_id: string; amount: string }>(
      dst.url,
      'SELECT order_id, customer_id::text AS customer_id, amount::text AS amount FROM public.orders',
    );
    checkOrders(orders);

    const verify = await runCli(['verify', '--config', configFile, '--json'], { env });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout).ok).toBe(true);
  });
});
