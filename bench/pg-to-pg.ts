/**
 * PostgreSQL → PostgreSQL: ferry (checksums and read-back verification on) against the raw binary COPY pipe
 *   psql -c "COPY t TO STDOUT (FORMAT binary)" | psql -c "COPY t FROM STDIN (FORMAT binary)"
 * as one pipe and as two pipes on halves of the key range, in the same invocation, alternating ferry and the
 * pipes in rounds because this machine's speed drifts over minutes. A third baseline, "same work", is the one
 * pipe plus what the pipe leaves undone and ferry's run does: the primary keys, and the target read back and
 * hashed; it shows what ferry's own overhead is beside that work. Reports median seconds, rows/s, MB/s,
 * ferry's peak RSS and CPU time per row, the ratio ferry / best pipe, and the CPU each run used in ferry (or
 * psql) and in PostgreSQL (bench/server-cpu.ts) with the wall time that implies on this machine's cores.
 *
 * Data: `pgbench -i -s SCALE` (pgbench_accounts: SCALE × 100,000 rows) and a mixed-type table of MIXED rows.
 *
 *   npm run build && node dist/bench/pg-to-pg.js [--scale 50] [--mixed 2000000] [--rounds 3] [--raw-copy off]
 *
 * Uses the PostgreSQL started by scripts/services.sh (started here when its env file is missing).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cpuLine, medianParts, serverCpu, serverCpuSince } from './server-cpu.js';

const root = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '50' },
    mixed: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '3' },
    // `off`: measure the converting path (Arrow) instead of the raw binary COPY pass-through.
    'raw-copy': { type: 'string', default: 'on' },
  },
});
const scale = Number(args.scale);
const mixedRows = Number(args.mixed);
const rounds = Number(args.rounds);
const rawCopy = args['raw-copy'];

const servicesDir = process.env.FERRY_SERVICES_DIR ?? '/tmp/ferry-services';

function services(): Record<string, string> {
  const dir = servicesDir;
  if (!existsSync(join(dir, 'env'))) execFileSync('bash', [join(root, 'scripts/services.sh'), 'start', 'pg'], { stdio: 'inherit' });
  // /usr/bin/time measures the pipes' CPU.
  execFileSync('bash', [join(root, 'scripts/services.sh'), 'tools'], { stdio: 'inherit' });
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(dir, 'env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

const env = services();
const admin = env.FERRY_TEST_PG_URL!;
const bin = env.FERRY_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const dbUrl = (db: string) => {
  const u = new URL(admin);
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

const MIXED_SQL = `
CREATE TABLE mixed (
  id bigint PRIMARY KEY, customer bigint NOT NULL, amount numeric(12,2) NOT NULL, ratio double precision,
  label text, created timestamptz NOT NULL, day date, active boolean, ref uuid, payload jsonb);
INSERT INTO mixed SELECT i, i % 100000, (i % 1000000) / 100.0, i / 7.0, 'label ' || (i % 977),
  '2024-01-01'::timestamptz + i * interval '1 second', '2024-01-01'::date + (i % 3000),
  i % 3 = 0, md5(i::text)::uuid, CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object('k', i % 100, 't', 'x') END
FROM generate_series(1, ${mixedRows}) i;
ANALYZE mixed;`;

async function prepareSource(): Promise<string> {
  const db = `bench_src_s${scale}_m${mixedRows}`;
  const exists = await q(admin, `SELECT 1 FROM pg_database WHERE datname = '${db}'`);
  if (exists.length === 0) {
    process.stderr.write(`creating ${db}: pgbench -i -s ${scale} and ${mixedRows} mixed rows\n`);
    await q(admin, `CREATE DATABASE ${db}`);
    execFileSync(join(bin, 'pgbench'), ['-i', '-q', '-s', String(scale), '--foreign-keys', dbUrl(db)], { stdio: 'inherit' });
    await q(dbUrl(db), MIXED_SQL);
  }
  return db;
}

let sourceDb = '';
const TABLES = ['pgbench_accounts', 'mixed'];
const KEYS: Record<string, string> = { pgbench_accounts: 'aid', mixed: 'id' };

async function freshTarget(name: string, withSchema: boolean): Promise<string> {
  await q(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await q(admin, `CREATE DATABASE ${name}`);
  if (withSchema) {
    // The pipe needs the tables to exist; created like ferry creates them (no indexes until after the load).
    for (const t of TABLES) {
      const ddl = await q(dbUrl(sourceDb), `SELECT 'CREATE TABLE ${t} (' || string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) || ')' AS ddl FROM pg_attribute WHERE attrelid = '${t}'::regclass AND attnum > 0 AND NOT attisdropped`);
      await q(dbUrl(name), String(ddl[0]!.ddl));
    }
  }
  return dbUrl(name);
}


/** Runs a shell pipeline; returns the CPU seconds its processes used (psql on both ends). */
function sh(command: string, dir: string, id: number): Promise<number> {
  const usage = join(dir, `pipe-cpu-${id}`);
  return new Promise((res, rej) => {
    const child = spawn('/usr/bin/time', ['-o', usage, '-f', '%U %S', 'bash', '-o', 'pipefail', '-c', command], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('close', (code) => {
      if (code !== 0) return rej(new Error(`${command} exited ${code}`));
      const [user = 0, sys = 0] = readFileSync(usage, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
      res(user + sys);
    });
  });
}

interface PipeSample {
  seconds: number;
  /** CPU seconds of the psql processes and of PostgreSQL during the run. */
  cpu: Record<string, number>;
}

/**
 * `halves`: two pipes per table on halves of the keys. `sameWork`: one pipe per table, then what ferry's run
 * also does once a table is loaded: its primary key built and the table read back and hashed (`md5sum`), side
 * by side — the least the pipe would need to end where ferry ends (keys in place, the target read back).
 */
async function pipe(halves: boolean, dir: string, sameWork = false): Promise<PipeSample> {
  const target = await freshTarget('bench_pipe', true);
  const psql = join(bin, 'psql');
  const src = dbUrl(sourceDb);
  const cpuBefore = serverCpu(servicesDir);
  const started = performance.now();
  let id = 0;
  const run = (command: string) => sh(command, dir, id++);
  const table = async (t: string) => {
    const ranges = halves ? [`${KEYS[t]} % 2 = 0`, `${KEYS[t]} % 2 = 1`] : ['true'];
    const loads = ranges.map((where) =>
      run(`${psql} -X -q "${src}" -c "COPY (SELECT * FROM ${t} WHERE ${where}) TO STDOUT (FORMAT binary)" | ${psql} -X -q "${target}" -c "COPY ${t} FROM STDIN (FORMAT binary)"`),
    );
    let cpu = (await Promise.all(loads)).reduce((a, b) => a + b, 0);
    if (sameWork) {
      const tail = await Promise.all([
        run(`${psql} -X -q "${target}" -c "SET maintenance_work_mem = '512MB'" -c "ALTER TABLE ${t} ADD PRIMARY KEY (${KEYS[t]})"`),
        run(`${psql} -X -q "${target}" -c "COPY ${t} TO STDOUT (FORMAT binary)" | md5sum > /dev/null`),
      ]);
      cpu += tail[0]! + tail[1]!;
    }
    return cpu;
  };
  const psqlCpu = (await Promise.all(TABLES.map(table))).reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - started) / 1000;
  const pgCpu = (await serverCpuSince(cpuBefore, servicesDir)).pg ?? Number.NaN;
  return { seconds, cpu: { [sameWork ? 'psql/md5sum' : 'psql']: psqlCpu, PostgreSQL: pgCpu } };
}

interface FerrySample {
  seconds: number;
  rssMb: number;
  cpuSeconds: number;
  verified: boolean;
  /** CPU seconds of PostgreSQL during the run. */
  serverCpuSeconds: number;
}

async function ferry(dir: string): Promise<FerrySample> {
  const target = await freshTarget('bench_ferry', false);
  const hook = join(dir, 'usage-hook.mjs');
  const usage = join(dir, 'usage.json');
  writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeFileSync(${JSON.stringify(usage)}, JSON.stringify({ rss: u.maxRSS, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 })); });\n`);
  rmSync(join(dir, 'runs'), { recursive: true, force: true });
  const cpuBefore = serverCpu(servicesDir);
  const started = performance.now();
  const out = await new Promise<string>((res, rej) => {
    const child = spawn(
      process.execPath,
      ['--import', hook, join(root, 'bin/ferry.js'), 'run', '--from', dbUrl(sourceDb), '--to', target, '--tables', TABLES.join(','),
        '--partition-rows', '250000', '--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports'), '--json'],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FERRY_RAW_COPY: rawCopy, FERRY_QUALITY_CHECKS: 'off', FERRY_SOURCE_PASSWORD: new URL(admin).password, FERRY_TARGET_PASSWORD: new URL(admin).password } },
    );
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.on('close', (code) => (code === 0 ? res(stdout) : rej(new Error(`ferry exited ${code}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  const serverCpuSeconds = (await serverCpuSince(cpuBefore, servicesDir)).pg ?? Number.NaN;
  const report = JSON.parse(out).report;
  const u = JSON.parse(readFileSync(usage, 'utf8'));
  return { seconds, rssMb: Math.round(u.rss / 1024), cpuSeconds: u.cpu, verified: report.verified, serverCpuSeconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

sourceDb = await prepareSource();
const rows = (await q(dbUrl(sourceDb), `SELECT (SELECT count(*) FROM pgbench_accounts) + (SELECT count(*) FROM mixed) AS n`))[0]!.n;
const totalRows = Number(rows);
/** Bytes of the tables' binary COPY streams, what every line moves: measured once, outside the timed runs. */
const copyBytes = TABLES.map((t) =>
  Number(execFileSync('bash', ['-o', 'pipefail', '-c', `${join(bin, 'psql')} -X -q "${dbUrl(sourceDb)}" -c "COPY ${t} TO STDOUT (FORMAT binary)" | wc -c`], { encoding: 'utf8' }).trim()),
).reduce((a, b) => a + b, 0);
const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-pg-'));
const times = { ferry: [] as number[], pipe1: [] as number[], pipe2: [] as number[], same: [] as number[] };
const samples: FerrySample[] = [];
const pipeSamples = { pipe1: [] as PipeSample[], pipe2: [] as PipeSample[], same: [] as PipeSample[] };
try {
  for (let r = 0; r < rounds; r++) {
    const s = await ferry(dir);
    samples.push(s);
    times.ferry.push(s.seconds);
    for (const [name, halves, sameWork] of [['pipe1', false, false], ['pipe2', true, false], ['same', false, true]] as const) {
      const p = await pipe(halves, dir, sameWork);
      pipeSamples[name].push(p);
      times[name].push(p.seconds);
    }
    process.stderr.write(`round ${r + 1}: ferry ${s.seconds.toFixed(2)} s (verified=${s.verified}), pipe ${times.pipe1.at(-1)!.toFixed(2)} s, 2 pipes ${times.pipe2.at(-1)!.toFixed(2)} s, pipe + keys + read-back ${times.same.at(-1)!.toFixed(2)} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const f = median(times.ferry);
const best = Math.min(median(times.pipe1), median(times.pipe2));
const line = (name: string, secs: number) =>
  `${name.padEnd(10)} ${secs.toFixed(2).padStart(7)} s  ${Math.round(totalRows / secs).toLocaleString('en-US').padStart(11)} rows/s  ${(copyBytes / 1e6 / secs).toFixed(1).padStart(6)} MB/s`;
process.stdout.write(
  [
    `PostgreSQL → PostgreSQL, ${totalRows.toLocaleString('en-US')} rows (pgbench -s ${scale} + ${mixedRows.toLocaleString('en-US')} mixed), median of ${rounds}`,
    `MB/s: the tables' binary COPY streams (${(copyBytes / 1e6).toFixed(0)} MB) over each line's seconds; ferry ${rawCopy === 'off' ? 'through Arrow batches' : 'passing COPY rows through'}`,
    `${line('ferry', f)}  peak RSS ${median(samples.map((s) => s.rssMb))} MB  CPU ${((median(samples.map((s) => s.cpuSeconds)) / totalRows) * 1e6).toFixed(2)} µs/row  verified=${samples.every((s) => s.verified)}`,
    line('1 pipe', median(times.pipe1)),
    line('2 pipes', median(times.pipe2)),
    line('same work', median(times.same)),
    `ratio (best pipe time / ferry time): ${(best / f).toFixed(2)} — throughput of ferry relative to the best raw pipe`,
    `ratio (same work time / ferry time): ${(median(times.same) / f).toFixed(2)} — 1 pipe, then primary keys built and the target read back and hashed (md5sum), as ferry's run does`,
    cpuLine('ferry', medianParts(samples.map((s) => ({ ferry: s.cpuSeconds, PostgreSQL: s.serverCpuSeconds })))),
    cpuLine('1 pipe', medianParts(pipeSamples.pipe1.map((p) => p.cpu))),
    cpuLine('2 pipes', medianParts(pipeSamples.pipe2.map((p) => p.cpu))),
    cpuLine('same work', medianParts(pipeSamples.same.map((p) => p.cpu))),
  ].join('\n') + '\n',
);
await q(admin, 'DROP DATABASE IF EXISTS bench_pipe WITH (FORCE)');
await q(admin, 'DROP DATABASE IF EXISTS bench_ferry WITH (FORCE)');
