import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * Integration-test harness: real servers started by scripts/services.sh (or given by FERRY_TEST_<ENGINE>_URL),
 * a fresh database per test file, SQL helpers, and the CLI as a subprocess.
 *
 *   const svc = await requireServices(['pg']);          // top-level await in the test file
 *   describe('…', () => { … });  // a server that cannot be started fails the test file
 */

export type ServiceName = 'pg' | 'mysql' | 'nats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENV_KEYS: Record<ServiceName, string> = {
  pg: 'FERRY_TEST_PG_URL',
  mysql: 'FERRY_TEST_MYSQL_URL',
  nats: 'FERRY_TEST_NATS_URL',
};
const SCRIPT_NAMES: Record<ServiceName, string> = { pg: 'pg', mysql: 'mariadb', nats: 'nats' };

export interface Services {
  /** True when every requested service is reachable. */
  available: boolean;
  /** Why not, when not. */
  reason?: string;
  /** Superuser URLs (for setup) by service. */
  urls: Partial<Record<ServiceName, string>>;
  /** Every variable of the services' env file (e.g. FERRY_TEST_PG_TLS_DIR). */
  env: Record<string, string>;
}

function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const started = new Map<string, Promise<void>>();

/**
 * Makes the services reachable: URLs from the environment when set, else `scripts/services.sh start <name>`
 * and its env file. A service that cannot be started throws: integration tests
 * fail, never skip, when their servers are missing.
 */
export async function requireServices(names: ServiceName[]): Promise<Services> {
  const env: Record<string, string> = {};
  const missing = names.filter((n) => !process.env[ENV_KEYS[n]]);
  const dir = process.env.FERRY_SERVICES_DIR ?? '/tmp/ferry-services';
  try {
    for (const n of missing) {
      let p = started.get(n);
      if (!p) {
        p = promisify(execFile)('bash', [join(ROOT, 'scripts', 'services.sh'), 'start', SCRIPT_NAMES[n]], {
          timeout: 600_000,
        }).then(() => undefined);
        started.set(n, p);
      }
      await p;
    }
    if (missing.length) Object.assign(env, readEnvFile(join(dir, 'env')));
  } catch (e) {
    const reason = `cannot start ${missing.join(', ')}: ${(e as Error).message}`;
    throw new Error(reason);
  }
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('FERRY_TEST_') && v) env[k] = v;
  const urls: Services['urls'] = {};
  for (const n of names) {
    const url = env[ENV_KEYS[n]];
    if (!url) {
      const reason = `${ENV_KEYS[n]} is not set after starting the services`;
      throw new Error(reason);
    }
    urls[n] = url;
  }
  return { available: true, urls, env };
}

/** A database created for one test file. */
export interface TestDatabase {
  name: string;
  /** URL of the new database with the superuser's credentials. */
  url: string;
  drop(): Promise<void>;
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Creates a fresh database `ferry_<prefix>_<random>` on the service; `drop()` removes it. */
export async function createTestDatabase(
  service: 'pg' | 'mysql',
  adminUrl: string,
  prefix: string,
): Promise<TestDatabase> {
  const name = `ferry_${prefix.replace(/\W/g, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  if (service === 'pg') {
    await sql(adminUrl, `CREATE DATABASE "${name}"`);
    return {
      name,
      url: withDatabase(adminUrl, name),
      drop: () => sql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
    };
  }
  await mysqlSql(adminUrl, `CREATE DATABASE \`${name}\``);
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => mysqlSql(adminUrl, `DROP DATABASE IF EXISTS \`${name}\``).then(() => undefined),
  };
}

/** Runs SQL (one or more statements without parameters, or one with `$n` parameters) on PostgreSQL; returns the last result's rows. */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  params?: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<R>(text, params);
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    return (last?.rows ?? []) as R[];
  } finally {
    await client.end();
  }
}

/** Runs SQL on MySQL/MariaDB; returns the rows of the last statement. */
export async function mysqlSql(url: string, text: string, params?: unknown[]): Promise<unknown[]> {
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    const [rows] = await conn.query(text, params);
    return Array.isArray(rows) ? rows : [];
  } finally {
    await conn.end();
  }
}

export interface CliResult {
  code: number | null;
  /** The signal that ended the process (code is then null): set when something killed ferry. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A ferry process ended by a signal prints nothing about it: says so in its stderr (returned) and on the test's
 * own stderr (shown with a failure even when the test asserts only on the exit code), with the end of what it
 * printed.
 */
export function reportSignal(
  tag: string,
  args: string[],
  pid: number | undefined,
  signal: NodeJS.Signals,
  stderr: string,
): string {
  const out = `${stderr}\n[${tag}] ferry (pid ${pid}) ended by ${signal}\n`;
  process.stderr.write(`[${tag}] ferry ${args.join(' ')} (pid ${pid}) ended by ${signal}\n${out.slice(-4000)}\n`);
  return out;
}

/**
 * Runs `node bin/ferry.js …args` (the compiled CLI: `npm run build` first) and collects its output.
 * `env` is added to the environment; the process is killed after `timeoutMs` (default 5 minutes).
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'ferry.js'), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) stderr = reportSignal('runCli', args, child.pid, signal, stderr);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A free TCP port on 127.0.0.1 (for a server a test starts itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
