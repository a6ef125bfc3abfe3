import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, tempDir } from '../cli/cli-harness.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';
import { exec } from '../mysql/mariadb.js';

/**
 * Least privilege on MySQL/MariaDB (issue 7, RELIABILITY S09/S10): migrations through the `ferry` CLI as users
 * holding exactly the grants docs/security.md lists ("MySQL / MariaDB source", "MySQL / MariaDB target"), and
 * the negative cases: the consistent snapshot without RELOAD fails before any data moves, naming RELOAD; a
 * target user without UPDATE (ledger) or DELETE (a retried partition clears its key range) fails naming it.
 *
 * The grants here are the ones in docs/security.md; keep both in step. The shared MariaDB has no TLS, so the
 * users lack the documented `REQUIRE SSL` (test/security/mariadb-tls.test.ts covers TLS). Passwords reach
 * ferry through FERRY_SOURCE_PASSWORD / FERRY_TARGET_PASSWORD, never the command line. PostgreSQL targets
 * use the admin URL: test/security/minimal-role.test.ts covers PostgreSQL's grants.
 */
const svc = await requireServices(['pg', 'mysql']);

const ROWS = 2500;
/** `people` (primary key, unique key) and `orders` (secondary index, foreign key to people). */
const SOURCE_SQL = [
  'CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL, score DECIMAL(10,2), born DATE)',
  `INSERT INTO people SELECT seq, CONCAT('user', seq, '@example.com'), seq * 1.25,
     DATE_ADD('1970-01-01', INTERVAL seq DAY) FROM seq_1_to_${ROWS}`,
  'CREATE UNIQUE INDEX people_email ON people (email)',
  `CREATE TABLE orders (id BIGINT PRIMARY KEY, person_id BIGINT NOT NULL, amount DECIMAL(12,2) NOT NULL,
     INDEX orders_amount (amount), CONSTRAINT orders_person FOREIGN KEY (person_id) REFERENCES people (id))`,
  `INSERT INTO orders SELECT seq, 1 + seq % ${ROWS}, seq * 0.5 FROM seq_1_to_1200`,
  'ANALYZE TABLE people, orders',
];

/** What every successful run must have loaded into `people`. */
const EXPECTED = {
  n: ROWS,
  ids: String((ROWS * (ROWS + 1)) / 2),
  scores: (((ROWS * (ROWS + 1)) / 2) * 1.25).toFixed(2),
  row: 'user1234@example.com|1973-05-19',
};

/** docs/security.md's MySQL/MariaDB target grants for create mode, on the target database. */
const TARGET_GRANTS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER'];

describe('MariaDB as minimal users', () => {
  const tmp = tempDir('myminrole');
  const suffix = randomBytes(4).toString('hex');
  const reader = `ferry_rd_${suffix}`; // SELECT, RELOAD, BINLOG MONITOR: the documented consistent mode
  const reloadOnly = `ferry_rr_${suffix}`; // SELECT, RELOAD: BINLOG MONITOR only records a binlog position
  const noReload = `ferry_rn_${suffix}`; // the documented reader without RELOAD
  const selectOnly = `ferry_rs_${suffix}`; // SELECT: snapshot=per-partition
  const loader = `ferry_ld_${suffix}`; // the target user
  const users = [reader, reloadOnly, noReload, selectOnly, loader];
  const password = `pw${randomBytes(12).toString('hex')}`;
  const dbs: TestDatabase[] = [];
  let src: TestDatabase;
  const myAdmin = () => svc.urls.mysql!;
  const pgAdmin = () => svc.urls.pg!;
  /** The URL of `db` as `user`, without a password (it comes from the environment). */
  const as = (user: string, db: TestDatabase, query = '') => {
    const u = new URL(db.url);
    return `mysql://${user}@${u.host}${u.pathname}${query}`;
  };

  /**
   * `ferry run --mode create`; the password is given (by the environment) to the side(s) that are minimal
   * users — FERRY_TARGET_PASSWORD would replace the password in the PostgreSQL admin URL.
   */
  function migrate(
    from: string,
    to: string,
    options: { targetUser?: boolean; env?: Record<string, string> } = {},
  ) {
    return ferry(
      [
        'run',
        '--from',
        from,
        '--to',
        to,
        '--mode',
        'create',
        '--partition-rows',
        '500',
        '--workers',
        '2',
        '--json',
        '--state-dir',
        join(tmp.path, 'runs'),
        '--reports-dir',
        join(tmp.path, 'reports'),
      ],
      {
        cwd: tmp.path,
        env: {
          FERRY_SOURCE_PASSWORD: password,
          ...(options.targetUser ? { FERRY_TARGET_PASSWORD: password } : {}),
          FERRY_AUDIT_LOG: join(tmp.path, 'audit.log'),
          ...options.env,
        },
      },
    );
  }

  async function pgTarget(prefix: string): Promise<TestDatabase> {
    const db = await createTestDatabase('pg', pgAdmin(), prefix);
    dbs.push(db);
    return db;
  }

  /** A MariaDB target database on which `loader` holds `privileges` (and nothing else). */
  async function mariadbTarget(prefix: string, privileges: string[]): Promise<TestDatabase> {
    const db = await createTestDatabase('mysql', myAdmin(), prefix);
    dbs.push(db);
    await exec(myAdmin(), `GRANT ${privileges.join(', ')} ON \`${db.name}\`.* TO '${loader}'@'%'`);
    return db;
  }

  /** Rows of `people` in the PostgreSQL target (schema = the source database's name), or 'absent'. */
  async function pgRows(db: TestDatabase): Promise<number | 'absent'> {
    const [found] = await sql<{ t: string | null }>(db.url, 'SELECT to_regclass($1)::text AS t', [
      `"${src.name}".people`,
    ]);
    if (!found?.t) return 'absent';
    const [n] = await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM "${src.name}".people`);
    return n!.n;
  }

  /** Row count, sums and one row of `people` in a PostgreSQL target, comparable with EXPECTED. */
  async function pgSummary(db: TestDatabase) {
    const [r] = await sql(
      db.url,
      `SELECT count(*)::int AS n, sum(id)::text AS ids, sum(score)::text AS scores,
              (SELECT email || '|' || born::text FROM "${src.name}".people WHERE id = 1234) AS row
         FROM "${src.name}".people`,
    );
    return r;
  }

  /** The same of a MariaDB target. */
  async function mariadbSummary(db: TestDatabase) {
    const [r] = await exec(
      db.url,
      `SELECT COUNT(*) AS n, CAST(SUM(id) AS CHAR) AS ids, CAST(SUM(score) AS CHAR) AS scores,
              (SELECT CONCAT(email, '|', born) FROM people WHERE id = 1234) AS \`row\` FROM people`,
    );
    return { ...r, n: Number(r!.n) };
  }

  beforeAll(async () => {
    src = await createTestDatabase('mysql', myAdmin(), 'myminsrc');
    dbs.push(src);
    await exec(src.url, SOURCE_SQL);
    for (const user of users) await exec(myAdmin(), `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    const select = (user: string) => `GRANT SELECT ON \`${src.name}\`.* TO '${user}'@'%'`;
    await exec(myAdmin(), [
      select(reader),
      `GRANT RELOAD, BINLOG MONITOR ON *.* TO '${reader}'@'%'`,
      select(reloadOnly),
      `GRANT RELOAD ON *.* TO '${reloadOnly}'@'%'`,
      select(noReload),
      `GRANT BINLOG MONITOR ON *.* TO '${noReload}'@'%'`,
      select(selectOnly),
    ]);
  });

  afterAll(async () => {
    for (const user of users) await exec(myAdmin(), `DROP USER IF EXISTS '${user}'@'%'`);
    for (const d of dbs) await d.drop();
    tmp.cleanup();
  });

  it('the source users hold exactly the documented grants, nothing global beyond them', async () => {
    const grants = async (user: string) =>
      (await exec(myAdmin(), `SHOW GRANTS FOR '${user}'@'%'`))
        .map((r) => String(Object.values(r)[0]).replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''))
        .sort();
    expect(await grants(reader)).toEqual([
      `GRANT RELOAD, BINLOG MONITOR ON *.* TO \`${reader}\`@\`%\``,
      `GRANT SELECT ON \`${src.name}\`.* TO \`${reader}\`@\`%\``,
    ]);
    expect(await grants(selectOnly)).toEqual([
      `GRANT SELECT ON \`${src.name}\`.* TO \`${selectOnly}\`@\`%\``,
      `GRANT USAGE ON *.* TO \`${selectOnly}\`@\`%\``,
    ]);
  });

  it('consistent snapshot (default) as SELECT + RELOAD + BINLOG MONITOR: MariaDB → PostgreSQL, verified', async () => {
    const dst = await pgTarget('myminpg');
    const r = await migrate(as(reader, src), dst.url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(true);
    expect(report.consistency.reason).toMatch(/^one snapshot \(mysql-snapshot-/);
    expect(await pgSummary(dst)).toEqual(EXPECTED);
  });

  it('BINLOG MONITOR is not needed for the snapshot: SELECT + RELOAD is consistent and verified', async () => {
    const dst = await pgTarget('myminrr');
    const r = await migrate(as(reloadOnly, src), dst.url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(true);
    expect(await pgSummary(dst)).toEqual(EXPECTED);
  });

  it('consistent snapshot without RELOAD fails before any data moves, naming RELOAD', async () => {
    const dst = await pgTarget('myminneg');
    const r = await migrate(as(noReload, src), dst.url);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the RELOAD privilege/);
    expect(r.stderr).toMatch(/consistent snapshot needs the RELOAD privilege.*snapshot=per-partition/);
    expect(r.stderr).not.toContain(password);
    expect(JSON.parse(r.stdout).error.code).toBe('CONFIG');
    const n = await pgRows(dst);
    expect(n === 'absent' || n === 0).toBe(true);
  });

  it('SELECT alone in the default consistent mode fails the same way', async () => {
    const dst = await pgTarget('myminneg2');
    const r = await migrate(as(selectOnly, src), dst.url);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the RELOAD privilege/);
    const n = await pgRows(dst);
    expect(n === 'absent' || n === 0).toBe(true);
  });

  it('snapshot=per-partition needs only SELECT; the report says the run is not one point in time', async () => {
    const dst = await pgTarget('myminpp');
    const r = await migrate(as(selectOnly, src, '?snapshot=per-partition'), dst.url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(false);
    expect(report.consistency.reason).toMatch(/the run is not one point in time/);
    expect(await pgSummary(dst)).toEqual(EXPECTED);
  });

  it('a MariaDB target user with the documented create-mode grants: MariaDB → MariaDB, keys built, verified', async () => {
    const dst = await mariadbTarget('myminmy', TARGET_GRANTS);
    const r = await migrate(as(reader, src), as(loader, dst), { targetUser: true });
    // The only line on stderr: a MySQL target has no `ferry rollback`.
    expect(r.stderr.trim()).toMatch(/^\S+ WARN {2}the mysql target does not support rollback[^\n]*$/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout).report;
    expect(report.verified).toBe(true);
    expect(report.consistency.consistent).toBe(true);
    expect(await mariadbSummary(dst)).toEqual(EXPECTED);
    // The unique key, the secondary index and the foreign key were built by the loader (ALTER TABLE).
    const indexes = await exec(
      myAdmin(),
      `SELECT TABLE_NAME AS t, NON_UNIQUE AS nu, GROUP_CONCAT(COLUMN_NAME) AS c FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = '${dst.name}' AND INDEX_NAME <> 'PRIMARY'
        GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE ORDER BY 1, 3`,
    );
    expect(indexes.map((i) => [i.t, Number(i.nu), i.c])).toEqual([
      ['orders', 1, 'amount'],
      ['orders', 1, 'person_id'],
      ['people', 0, 'email'],
    ]);
    const fks = await exec(
      myAdmin(),
      `SELECT TABLE_NAME AS t, REFERENCED_TABLE_NAME AS r FROM information_schema.REFERENTIAL_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = '${dst.name}'`,
    );
    expect(fks).toEqual([{ t: 'orders', r: 'people' }]);
  });

  it('without UPDATE the target fails at the ledger, naming UPDATE and the table; nothing committed', async () => {
    const dst = await mariadbTarget(
      'myminnu',
      TARGET_GRANTS.filter((g) => g !== 'UPDATE'),
    );
    const r = await migrate(as(reader, src), as(loader, dst), { targetUser: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /UPDATE command denied to user '[^']+'@'[^']+' for table `[^`]+`\.`_ferry_attempts`/,
    );
    expect(r.stderr).not.toContain(password);
    expect((await mariadbSummary(dst)).n).toBe(0);
  });

  it('a retried partition clears its key range first: with DELETE it completes, without DELETE it fails naming DELETE', async () => {
    // The second commit of each worker fails once (a retryable error), so that partition runs again as attempt 2.
    const env = { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'before_commit:2:throw' };
    const ok = await mariadbTarget('myminrt', TARGET_GRANTS);
    const r = await migrate(as(reader, src), as(loader, ok), { targetUser: true, env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    expect(await mariadbSummary(ok)).toEqual(EXPECTED);
    const [retried] = await exec(ok.url, 'SELECT MAX(attempt) AS a FROM _ferry_ledger');
    expect(Number(retried!.a)).toBeGreaterThan(1);

    const denied = await mariadbTarget(
      'myminnd',
      TARGET_GRANTS.filter((g) => g !== 'DELETE'),
    );
    const d = await migrate(as(reader, src), as(loader, denied), { targetUser: true, env });
    expect(d.code).not.toBe(0);
    expect(d.stderr).toMatch(
      /DELETE command denied to user '[^']+'@'[^']+' for table `[^`]+`\.`(people|orders)`/,
    );
  });
});
