import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, tempDir } from '../cli/cli-harness.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

/**
 * Least privilege (issue 7, RELIABILITY S08/S10): a PostgreSQL → PostgreSQL migration as the minimal roles
 * docs/security.md lists — not superusers — and the negative cases: a missing grant fails before or at the
 * first statement that needs it, with an error naming the table and the missing permission.
 *
 * The grants here are the ones in docs/security.md ("PostgreSQL source", "PostgreSQL target"); keep both in step.
 */
const svc = await requireServices(['pg']);

const SOURCE_SQL = `
CREATE TABLE people (id bigint PRIMARY KEY, email text, full_name text);
INSERT INTO people SELECT i, 'user' || i || '@example.com', 'Ana ' || i FROM generate_series(1, 3000) i;
CREATE TABLE orders (id bigint PRIMARY KEY, person_id bigint REFERENCES people, amount numeric(12,2));
INSERT INTO orders SELECT i, 1 + i % 3000, i * 1.25 FROM generate_series(1, 5000) i;
ANALYZE;
`;

describe('PostgreSQL as minimal roles', () => {
  const tmp = tempDir('minrole');
  const suffix = randomBytes(4).toString('hex');
  const reader = `ferry_reader_${suffix}`;
  const loader = `ferry_loader_${suffix}`;
  const password = `pw${randomBytes(12).toString('hex')}`;
  const pwFile = join(tmp.path, 'pw');
  const dbs: TestDatabase[] = [];
  let src: TestDatabase;
  const admin = () => svc.urls.pg!;
  const as = (role: string, db: TestDatabase) => {
    const u = new URL(db.url);
    return `postgres://${role}@${u.host}${u.pathname}`;
  };

  /** A target database where `loader` has what docs/security.md lists for the create and append modes. */
  async function targetDb(name: string): Promise<TestDatabase> {
    const db = await createTestDatabase('pg', admin(), name);
    dbs.push(db);
    await sql(admin(), `GRANT CONNECT, CREATE ON DATABASE "${db.name}" TO ${loader}`);
    await sql(db.url, `GRANT USAGE, CREATE ON SCHEMA public TO ${loader}`);
    return db;
  }

  function migrate(from: string, to: string, extra: string[] = []) {
    return ferry(
      [
        'run',
        '--from',
        from,
        '--to',
        to,
        '--partition-rows',
        '1000',
        '--workers',
        '2',
        '--json',
        '--state-dir',
        join(tmp.path, 'runs'),
        '--reports-dir',
        join(tmp.path, 'reports'),
        ...extra,
      ],
      {
        cwd: tmp.path,
        env: {
          FERRY_SOURCE_PASSWORD_FILE: pwFile,
          FERRY_TARGET_PASSWORD_FILE: pwFile,
          FERRY_AUDIT_LOG: join(tmp.path, 'audit.log'),
        },
      },
    );
  }

  beforeAll(async () => {
    writeFileSync(pwFile, password, { mode: 0o600 });
    for (const role of [reader, loader])
      await sql(
        admin(),
        `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}'`,
      );
    src = await createTestDatabase('pg', admin(), 'minsrc');
    dbs.push(src);
    await sql(src.url, SOURCE_SQL);
    // The source grants of docs/security.md: CONNECT, USAGE on the schema, SELECT on the migrated tables.
    await sql(admin(), `GRANT CONNECT ON DATABASE "${src.name}" TO ${reader}`);
    await sql(
      src.url,
      `GRANT USAGE ON SCHEMA public TO ${reader}; GRANT SELECT ON people, orders TO ${reader}`,
    );
  });

  afterAll(async () => {
    for (const d of dbs) await d.drop();
    await sql(admin(), `DROP ROLE IF EXISTS ${reader}; DROP ROLE IF EXISTS ${loader}`);
    tmp.cleanup();
  });

  it('the roles are not superusers and hold no other privilege', async () => {
    const rows = await sql<{
      rolname: string;
      rolsuper: boolean;
      rolcreatedb: boolean;
      rolreplication: boolean;
    }>(
      admin(),
      'SELECT rolname, rolsuper, rolcreatedb, rolreplication FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1',
      [[reader, loader]],
    );
    expect(rows.map((r) => [r.rolsuper, r.rolcreatedb, r.rolreplication])).toEqual([
      [false, false, false],
      [false, false, false],
    ]);
  });

  it('create mode: reader → loader, consistent snapshot, verified', async () => {
    const dst = await targetDb('mindst');
    const r = await migrate(as(reader, src), as(loader, dst), ['--mode', 'create']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(true);
    const n = await sql<{ p: string; o: string }>(
      dst.url,
      'SELECT (SELECT count(*) FROM people) AS p, (SELECT sum(amount) FROM orders) AS o',
    );
    expect(n[0]).toEqual({ p: '3000', o: '15628125.00' });
  });

  it('append mode into a table the loader does not own: SELECT, INSERT, DELETE are enough', async () => {
    const dst = await targetDb('minapp');
    await sql(
      dst.url,
      `CREATE TABLE people (id bigint PRIMARY KEY, email text, full_name text);
       GRANT SELECT, INSERT, DELETE ON people TO ${loader}`,
    );
    const r = await migrate(as(reader, src), as(loader, dst), ['--mode', 'append', '--tables', 'people']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    expect(await sql(dst.url, 'SELECT count(*)::int AS n FROM people')).toEqual([{ n: 3000 }]);
  });

  it('a missing SELECT on a source table fails before any data moves, naming the table', async () => {
    await sql(src.url, `REVOKE SELECT ON orders FROM ${reader}`);
    try {
      const dst = await targetDb('minneg');
      const r = await migrate(as(reader, src), as(loader, dst), ['--mode', 'create']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/permission denied for table orders/);
      expect(r.stderr).not.toContain(password);
      // Nothing was loaded: the snapshot's LOCK … IN ACCESS SHARE MODE is the first statement that needs it.
      expect(await sql(dst.url, "SELECT to_regclass('public.people') IS NULL AS absent")).toEqual([
        { absent: true },
      ]);
    } finally {
      await sql(src.url, `GRANT SELECT ON orders TO ${reader}`);
    }
  });

  it('a missing INSERT on the target table fails, naming the table', async () => {
    const dst = await targetDb('minneg2');
    await sql(
      dst.url,
      `CREATE TABLE people (id bigint PRIMARY KEY, email text, full_name text);
       GRANT SELECT, DELETE ON people TO ${loader}`,
    );
    const r = await migrate(as(reader, src), as(loader, dst), ['--mode', 'append', '--tables', 'people']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/permission denied for table people/);
    expect(await sql(dst.url, 'SELECT count(*)::int AS n FROM people')).toEqual([{ n: 0 }]);
  });
});
