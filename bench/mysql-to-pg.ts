/**
 * MariaDB → PostgreSQL on sysbench tables: ferry (checksums and read-back verification on) against pgloader
 * (Debian's package) doing the same migration, in the same invocation, alternating the two in rounds because
 * this machine's speed drifts over minutes. Reports median seconds, rows/s and peak RSS of each, the ratio, and
 * the CPU each run used in the tool and in each server (bench/server-cpu.ts) with the wall time that implies.
 *
 * Data: `sysbench oltp_read_only --tables=TABLES --table-size=SIZE prepare` in a MariaDB database kept between
 * invocations (bench_sbtest_<TABLES>x<SIZE>). Both tools create the tables in the schema of that name.
 *
 *   npm run build && node dist/bench/mysql-to-pg.js [--table-size 1000000] [--tables 4] [--rounds 3] [--raw-copy off]
 *
 * ferry runs with FERRY_QUALITY_CHECKS=off (as bench/pg-to-pg.ts): the per-partition checksums and read-back
 * verification stay on; the reconciliation reports that re-read both sides are left to `ferry report`.
 *
 * Needs `sysbench`, `pgloader` and /usr/bin/time for pgloader's peak RSS (`scripts/services.sh tools` installs
 * them, run here); uses the MariaDB and PostgreSQL started by scripts/services.sh (started here when missing).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { cpuLine, medianParts, serverCpu, serverCpuSince } from './server-cpu.js';

const root = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    'table-size': { type: 'string', default: '1000000' },
    tables: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    // `off`: ferry converts through Arrow batches instead of transcoding the rows (FERRY_RAW_COPY=off).
    'raw-copy': { type: 'string', default: 'on' },
  },
});
const tableSize = Number(args['table-size']);
const tableCount = Number(args.tables);
const rounds = Number(args.rounds);

const servicesDir = process.env.FERRY_SERVICES_DIR ?? '/tmp/ferry-services';

function services(): Record<string, string> {
  const dir = servicesDir;
  for (const s of ['mariadb', 'pg'])
    execFileSync('bash', [join(root, 'scripts/services.sh'), 'start', s], { stdio: 'inherit' });
  execFileSync('bash', [join(root, 'scripts/services.sh'), 'tools'], { stdio: 'inherit' });
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(dir, 'env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

const env = services();
const pgAdmin = env.FERRY_TEST_PG_URL!;
const myAdmin = env.FERRY_TEST_MYSQL_URL!;
const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function q(url: string, text: string): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

async function my(url: string, text: string): Promise<Record<string, unknown>[]> {
  const c = await mysql.createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: true });
  try {
    const [rows] = await c.query(text);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await c.end();
  }
}

const sourceDb = `bench_sbtest_${tableCount}x${tableSize}`;
const tables = Array.from({ length: tableCount }, (_, i) => `sbtest${i + 1}`);

async function prepareSource(): Promise<void> {
  const have = await my(
    myAdmin,
    `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '${sourceDb}'`,
  );
  if (Number(have[0]!.n) === tableCount) return;
  process.stderr.write(
    `creating ${sourceDb}: sysbench oltp_read_only --tables=${tableCount} --table-size=${tableSize} prepare\n`,
  );
  await my(myAdmin, `DROP DATABASE IF EXISTS \`${sourceDb}\``);
  await my(myAdmin, `CREATE DATABASE \`${sourceDb}\``);
  const u = new URL(myAdmin);
  execFileSync(
    'sysbench',
    [
      'oltp_read_only',
      '--db-driver=mysql',
      `--mysql-host=${u.hostname}`,
      `--mysql-port=${u.port}`,
      `--mysql-user=${decodeURIComponent(u.username)}`,
      `--mysql-password=${decodeURIComponent(u.password)}`,
      `--mysql-db=${sourceDb}`,
      `--tables=${tableCount}`,
      `--table-size=${tableSize}`,
      'prepare',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await my(withDb(myAdmin, sourceDb), `ANALYZE TABLE ${tables.join(', ')}`);
}

async function freshTarget(name: string): Promise<string> {
  await q(pgAdmin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await q(pgAdmin, `CREATE DATABASE ${name}`);
  return withDb(pgAdmin, name);
}

/** Rows per table in the target's schema, to check each tool moved everything. */
async function targetRows(url: string): Promise<number> {
  let n = 0;
  for (const t of tables) n += Number((await q(url, `SELECT count(*) AS n FROM "${sourceDb}".${t}`))[0]!.n);
  return n;
}

interface Sample {
  seconds: number;
  rssMb: number;
  rows: number;
  verified?: boolean;
  /** CPU seconds of the tool and of each server during the run. */
  cpu: Record<string, number>;
}

/** The servers' CPU during a run, under their names in the report. */
async function serversUsed(before: ReturnType<typeof serverCpu>): Promise<Record<string, number>> {
  const used = await serverCpuSince(before, servicesDir);
  return { MariaDB: used.mariadb ?? Number.NaN, PostgreSQL: used.pg ?? Number.NaN };
}

function run(command: string, argv: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(command, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) =>
      code === 0 ? res(stdout) : rej(new Error(`${command} exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

async function ferry(dir: string): Promise<Sample> {
  const target = await freshTarget('bench_my_ferry');
  const hook = join(dir, 'usage-hook.mjs');
  const usage = join(dir, 'usage.json');
  writeFileSync(
    hook,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeFileSync(${JSON.stringify(usage)}, JSON.stringify({ rss: u.maxRSS, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 })); });\n`,
  );
  rmSync(join(dir, 'runs'), { recursive: true, force: true });
  const cpuBefore = serverCpu(servicesDir);
  const started = performance.now();
  const out = await run(
    process.execPath,
    [
      '--import',
      hook,
      join(root, 'bin/ferry.js'),
      'run',
      '--from',
      withDb(myAdmin, sourceDb),
      '--to',
      target,
      '--tables',
      tables.join(','),
      '--state-dir',
      join(dir, 'runs'),
      '--reports-dir',
      join(dir, 'reports'),
      '--json',
    ],
    { FERRY_QUALITY_CHECKS: 'off', FERRY_RAW_COPY: args['raw-copy'] },
  );
  const seconds = (performance.now() - started) / 1000;
  const servers = await serversUsed(cpuBefore);
  const report = JSON.parse(out).report;
  const u = JSON.parse(readFileSync(usage, 'utf8')) as { rss: number; cpu: number };
  return {
    seconds,
    rssMb: Math.round(u.rss / 1024),
    rows: await targetRows(target),
    verified: report.verified,
    cpu: { ferry: u.cpu, ...servers },
  };
}

async function pgloader(dir: string): Promise<Sample> {
  const target = await freshTarget('bench_my_pgloader');
  const load = join(dir, 'sbtest.load');
  // prefetch rows = 10000: pgloader 3.6 dies with "Heap exhausted" on these tables with its default.
  writeFileSync(
    load,
    `LOAD DATABASE\n  FROM ${withDb(myAdmin, sourceDb)}\n  INTO ${target}\n  WITH prefetch rows = 10000\n  INCLUDING ONLY TABLE NAMES MATCHING ${tables.map((t) => `'${t}'`).join(', ')};\n`,
  );
  const cpuBefore = serverCpu(servicesDir);
  const started = performance.now();
  const rssFile = join(dir, 'pgloader-rss');
  await run('/usr/bin/time', ['-o', rssFile, '-f', 'maxrss=%M cpu=%U+%S', 'pgloader', load]);
  const seconds = (performance.now() - started) / 1000;
  const servers = await serversUsed(cpuBefore);
  const usage = readFileSync(rssFile, 'utf8');
  const rss = Number(/maxrss=(\d+)/.exec(usage)?.[1] ?? 0);
  const [user = 0, sys = 0] = (/cpu=([\d.]+)\+([\d.]+)/.exec(usage) ?? []).slice(1).map(Number);
  return {
    seconds,
    rssMb: Math.round(rss / 1024),
    rows: await targetRows(target),
    cpu: { pgloader: user + sys, ...servers },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await prepareSource();
const totalRows = tables.length * tableSize;
const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-my-'));
const samples = { ferry: [] as Sample[], pgloader: [] as Sample[] };
try {
  for (let r = 0; r < rounds; r++) {
    const f = await ferry(dir);
    samples.ferry.push(f);
    const p = await pgloader(dir);
    samples.pgloader.push(p);
    process.stderr.write(
      `round ${r + 1}: ferry ${f.seconds.toFixed(2)} s (verified=${f.verified}, ${f.rows} rows), pgloader ${p.seconds.toFixed(2)} s (${p.rows} rows)\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const line = (name: string, s: Sample[]) => {
  const secs = median(s.map((x) => x.seconds));
  return `${name.padEnd(9)} ${secs.toFixed(2).padStart(7)} s  ${Math.round(totalRows / secs)
    .toLocaleString('en-US')
    .padStart(
      10,
    )} rows/s  peak RSS ${median(s.map((x) => x.rssMb))} MB  rows ok=${s.every((x) => x.rows === totalRows)}`;
};
const ratio = median(samples.pgloader.map((x) => x.seconds)) / median(samples.ferry.map((x) => x.seconds));
process.stdout.write(
  [
    `MariaDB → PostgreSQL, sysbench ${tableCount} tables × ${tableSize.toLocaleString('en-US')} rows (${totalRows.toLocaleString('en-US')} rows), median of ${rounds}`,
    `${line('ferry', samples.ferry)}  verified=${samples.ferry.every((s) => s.verified)}`,
    line('pgloader', samples.pgloader),
    `ratio (pgloader time / ferry time): ${ratio.toFixed(2)}×`,
    cpuLine('ferry', medianParts(samples.ferry.map((x) => x.cpu))),
    cpuLine('pgloader', medianParts(samples.pgloader.map((x) => x.cpu))),
  ].join('\n') + '\n',
);
await q(pgAdmin, 'DROP DATABASE IF EXISTS bench_my_ferry WITH (FORCE)');
await q(pgAdmin, 'DROP DATABASE IF EXISTS bench_my_pgloader WITH (FORCE)');
