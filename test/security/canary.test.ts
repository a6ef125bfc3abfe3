import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, duckdbQuery, ferry, tempDir } from '../cli/cli-harness.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';
import { exec, freshDatabase } from '../mysql/mariadb.js';
import { otlpReceiver, scanForCanaries } from './scan.js';

/**
 * The canary test (issue 7, RELIABILITY S05), on DuckDB, PostgreSQL and MariaDB: a migration with a unique
 * password and unique marker values in PII-flagged columns (`email`, `full_name`), at debug level, with
 * partitions the target rejects (a CHECK violation and a duplicate in a UNIQUE column, both on rows holding
 * markers). Then every file the run left
 * (run state, reports, plan, data-mapping doc, audit log), the OTLP export and stdout/stderr are searched: the
 * password must be nowhere, the markers nowhere but in the source and target data.
 *
 *   source (markers) ─ ferry plan/run --log-level debug ─► target (CHECK + UNIQUE reject 2 partitions)
 *        └─ scan: work dir (state, reports, plan, audit), OTLP bodies, stdout, stderr ─► no canary
 */

const svc = await requireServices(['pg', 'mysql']);

const ROWS = 40;
/** Partition 2 (ids 11–20) holds a row the CHECK refuses; partition 3 (ids 21–30) a duplicate e-mail. */
const REJECTED_ID = 15;
const DUPLICATE_IDS = [25, 26];

function canaries() {
  const tag = randomBytes(6).toString('hex');
  return { password: `pw${randomBytes(9).toString('hex')}`, marker: `pii${tag}` };
}

/** The rows of `people`: e-mails and names carry the marker; one e-mail the target's CHECK refuses; one duplicate. */
function peopleRows(marker: string): { id: number; email: string; name: string }[] {
  const rows = [];
  for (let id = 1; id <= ROWS; id++) {
    let email = `user${id}.${marker}@example.com`;
    if (id === REJECTED_ID) email = `reject.${marker}@example.com`;
    if (id === DUPLICATE_IDS[1]) email = `user${DUPLICATE_IDS[0]}.${marker}@example.com`;
    rows.push({ id, email, name: `Ana ${marker} ${id}` });
  }
  return rows;
}

const TARGET_DDL =
  "CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR UNIQUE CHECK (email NOT LIKE 'reject.%'), full_name VARCHAR)";

/** The layout of one scenario's temp dir: `data/` (source/target files, allowed to hold markers) and the rest. */
function layout(root: string) {
  const dirs = {
    data: join(root, 'data'),
    secrets: join(root, 'secrets'),
    work: join(root, 'work'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  return dirs;
}

/** `ferry plan` then `ferry run` with state, reports and audit under `work`, telemetry to the receiver. */
async function planAndRun(
  work: string,
  from: string,
  to: string,
  env: Record<string, string>,
): Promise<CliResult[]> {
  const common = [
    '--from',
    from,
    '--to',
    to,
    '--tables',
    'people',
    '--mode',
    'append',
    '--partition-rows',
    '10',
    '--log-level',
    'debug',
  ];
  const dirs = ['--state-dir', join(work, 'runs'), '--reports-dir', join(work, 'reports')];
  const fullEnv = { FERRY_AUDIT_LOG: join(work, 'audit', 'audit.log'), ...env };
  const plan = await ferry(
    ['plan', ...common, '--out', join(work, 'plan.json'), '--mapping-doc', join(work, 'mapping.md')],
    {
      cwd: work,
      env: fullEnv,
    },
  );
  const run = await ferry(['run', ...common, ...dirs, '--workers', '2', '--json'], {
    cwd: work,
    env: fullEnv,
  });
  return [plan, run];
}

function outputs(results: CliResult[]): Record<string, string> {
  const texts: Record<string, string> = {};
  results.forEach((r, i) => {
    texts[`command ${i} stdout`] = r.stdout;
    texts[`command ${i} stderr`] = r.stderr;
  });
  return texts;
}

describe('canary: no password and no PII value outside the data', () => {
  const tmp = tempDir('canary');
  let otlp: Awaited<ReturnType<typeof otlpReceiver>>;
  beforeAll(async () => {
    otlp = await otlpReceiver();
  });
  const dbs: TestDatabase[] = [];
  const role = `ferry_canary_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    otlp.server.close();
    tmp.cleanup();
    for (const d of dbs) await d.drop();
    if (svc.available) await sql(svc.urls.pg!, `DROP ROLE IF EXISTS ${role}`);
    if (svc.available) await exec(svc.urls.mysql!, `DROP USER IF EXISTS '${role}'@'%'`);
  });

  /** `planAndRun` with the password only in a 0600 file named by *_FILE variables (never on the command line). */
  async function runWithPasswordFile(
    dirs: ReturnType<typeof layout>,
    password: string,
    from: string,
    to: string,
  ): Promise<CliResult[]> {
    const pwFile = join(dirs.secrets, 'pw');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    chmodSync(pwFile, 0o600);
    return planAndRun(dirs.work, from, to, {
      FERRY_SOURCE_PASSWORD_FILE: pwFile,
      FERRY_TARGET_PASSWORD_FILE: pwFile,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
  }

  /** No canary in the work dir (audit log included), the commands' output or the OTLP export since `before`. */
  function expectNoCanary(canaryValues: string[], work: string, results: CliResult[], before: number): void {
    const { hits, files } = scanForCanaries(canaryValues, [work], {
      ...outputs(results),
      'OTLP export': otlp.bodies.slice(before).join('\n'),
    });
    expect(files.some((f) => f.endsWith('audit.log'))).toBe(true);
    expect(otlp.bodies.length).toBeGreaterThan(before);
    expect(hits).toEqual([]);
  }

  it('DuckDB → DuckDB with rejected partitions at debug level', async () => {
    const { marker } = canaries();
    const dirs = layout(join(tmp.path, 'duckdb'));
    const src = join(dirs.data, 'src.duckdb');
    const dst = join(dirs.data, 'dst.duckdb');
    for (const [path, ddl] of [
      [src, 'CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR, full_name VARCHAR)'],
      [dst, TARGET_DDL],
    ] as const) {
      const db = await DuckDBInstance.create(path);
      const c = await db.connect();
      await c.run(ddl);
      if (path === src)
        for (const r of peopleRows(marker))
          await c.run('INSERT INTO people VALUES ($1, $2, $3)', [r.id, r.email, r.name]);
      c.closeSync();
      db.closeSync();
    }
    const before = otlp.bodies.length;
    const results = await planAndRun(dirs.work, `duckdb://${src}`, `duckdb://${dst}`, {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(results[0]!.code).toBe(0);
    // ferry plan warns that the PII-named columns go to the target unmasked (they are not acknowledged).
    expect(results[0]!.stdout).toMatch(/warning: \S*people\.email looks like personal data \(email/);
    expect(results[0]!.stdout).toMatch(/warning: \S*people\.full_name looks like personal data/);
    const run = results[1]!;
    expect(run.code).not.toBe(0);
    // The two refused partitions are reported as data errors; the other partitions loaded, markers included.
    const report = JSON.parse(run.stdout).report;
    expect(report.failures.map((f: { error: { code: string } }) => f.error.code)).toEqual(['DATA', 'DATA']);
    expect(await duckdbQuery(dst, `SELECT count(*) FROM people WHERE email LIKE '%${marker}%'`)).toEqual([
      [20n],
    ]);
    const { hits, files } = scanForCanaries([marker], [dirs.work], {
      ...outputs(results),
      'OTLP export': otlp.bodies.slice(before).join('\n'),
    });
    expect(files.some((f) => f.endsWith('audit.log'))).toBe(true);
    expect(files.some((f) => f.endsWith('plan.json'))).toBe(true);
    expect(otlp.bodies.length).toBeGreaterThan(before);
    expect(hits).toEqual([]);
  });

  it('MariaDB → MariaDB: a user with a canary password, markers in PII columns, rejected partitions, debug level', async () => {
    const { password, marker } = canaries();
    const dirs = layout(join(tmp.path, 'mariadb'));
    const src = await freshDatabase('canarysrc');
    dbs.push(src);
    const dst = await freshDatabase('canarydst');
    dbs.push(dst);
    await exec(svc.urls.mysql!, [
      `CREATE USER '${role}'@'%' IDENTIFIED BY '${password}'`,
      `GRANT SELECT ON \`${src.name}\`.* TO '${role}'@'%'`,
      `GRANT ALL ON \`${dst.name}\`.* TO '${role}'@'%'`,
    ]);
    await exec(src.url, [
      'CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(200), full_name VARCHAR(200))',
      `INSERT INTO people VALUES ${peopleRows(marker)
        .map((r) => `(${r.id}, '${r.email}', '${r.name}')`)
        .join(', ')}`,
    ]);
    await exec(
      dst.url,
      "CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(200) UNIQUE, full_name VARCHAR(200), CONSTRAINT email_check CHECK (email NOT LIKE 'reject.%'))",
    );
    const url = (db: TestDatabase, params = '') => {
      const u = new URL(db.url);
      return `mysql://${role}@${u.host}${u.pathname}${params}`;
    };
    const before = otlp.bodies.length;
    // Per-partition snapshots: the user has SELECT only (a consistent snapshot needs RELOAD).
    const results = await runWithPasswordFile(dirs, password, url(src, '?snapshot=per-partition'), url(dst));
    expect(results[0]!.code, results[0]!.stderr).toBe(0);
    const run = results[1]!;
    expect(run.code).not.toBe(0);
    // The CHECK and the duplicate e-mail refuse two partitions; MariaDB quotes the duplicate value in its
    // warning, which ferry drops before the message goes anywhere.
    const report = JSON.parse(run.stdout).report;
    expect(report.failures.map((f: { error: { code: string } }) => f.error.code)).toEqual(['DATA', 'DATA']);
    expect(run.stderr).toMatch(/email_check/);
    expect(run.stderr).toMatch(/Duplicate entry/);
    const [loaded] = await exec(dst.url, `SELECT COUNT(*) AS n FROM people WHERE email LIKE '%${marker}%'`);
    expect(Number(loaded!.n)).toBe(ROWS - 20);
    expectNoCanary([password, marker], dirs.work, results, before);
  });

  describe('PostgreSQL → PostgreSQL', () => {
    it('a role with a canary password, markers in PII columns, rejected partitions, debug level', async () => {
      const { password, marker } = canaries();
      const dirs = layout(join(tmp.path, 'pg'));
      const src = await createTestDatabase('pg', svc.urls.pg!, 'canarysrc');
      dbs.push(src);
      const dst = await createTestDatabase('pg', svc.urls.pg!, 'canarydst');
      dbs.push(dst);
      await sql(svc.urls.pg!, `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await sql(src.url, 'CREATE TABLE people (id bigint PRIMARY KEY, email text, full_name text)');
      for (const r of peopleRows(marker))
        await sql(src.url, 'INSERT INTO people VALUES ($1, $2, $3)', [r.id, r.email, r.name]);
      await sql(
        src.url,
        `GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON people TO ${role}; ANALYZE people`,
      );
      await sql(dst.url, TARGET_DDL.replace(/VARCHAR/g, 'text').replace('BIGINT', 'bigint'));
      await sql(
        svc.urls.pg!,
        `GRANT CONNECT ON DATABASE "${src.name}" TO ${role}; ALTER DATABASE "${dst.name}" OWNER TO ${role}`,
      );
      await sql(dst.url, `ALTER TABLE people OWNER TO ${role}`);
      const url = (db: TestDatabase) => {
        const u = new URL(db.url);
        return `postgres://${role}@${u.host}${u.pathname}`;
      };
      const before = otlp.bodies.length;
      const results = await runWithPasswordFile(dirs, password, url(src), url(dst));
      expect(results[0]!.code, results[0]!.stderr).toBe(0);
      const run = results[1]!;
      expect(run.code).not.toBe(0);
      // Two partitions were refused (CHECK, UNIQUE) and reported as data errors naming the constraint; the
      // others arrived, markers included: the target data is the one place they belong.
      const report = JSON.parse(run.stdout).report;
      expect(report.failures.map((f: { error: { code: string } }) => f.error.code)).toEqual(['DATA', 'DATA']);
      expect(run.stderr).toMatch(
        /people_email_check[\s\S]*Failing row contains \(…\)|Failing row contains \(…\)[\s\S]*people_email_check/,
      );
      const loaded = await sql<{ n: string }>(
        dst.url,
        `SELECT count(*) AS n FROM people WHERE email LIKE '%${marker}%'`,
      );
      expect(Number(loaded[0]!.n)).toBe(ROWS - 20);
      expectNoCanary([password, marker], dirs.work, results, before);
    });
  });
});
