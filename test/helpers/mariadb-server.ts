import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from './services.js';

/**
 * A throw-away MariaDB server of one test's own, for faults that would disturb the shared one (killing it:
 * RELIABILITY F12). mariadb-install-db in a temp dir, a free port on 127.0.0.1, the same settings as
 * scripts/services.sh (which installed the package), a `ferry` user with a password. `crash()` kills the
 * server with SIGKILL by its pid (InnoDB recovers when it starts again); `stop()` ends it by its pid.
 */
export interface MariadbServer {
  /** URL of the `ferry` user, without a database. */
  url: string;
  /** Kills the server (SIGKILL), keeps it down for `downMs`, starts it again (crash recovery). */
  crash(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const PATH = `${process.env.PATH}:/usr/sbin`;

export async function startMariadbServer(name: string): Promise<MariadbServer> {
  const dir = mkdtempSync(join(tmpdir(), `ferry-mariadb-${name}-`));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const user = userInfo().username;
  await run(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--user=${user}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ],
    { env: { ...process.env, PATH } },
  );
  const port = await freePort();
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--user=${user}`,
        '--bind-address=127.0.0.1',
        `--port=${port}`,
        `--socket=${socket}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--log-error=${join(dir, 'server.log')}`,
        '--skip-name-resolve',
        '--local-infile=1',
        '--innodb-flush-log-at-trx-commit=2',
        '--innodb-buffer-pool-size=64M',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_bin',
      ],
      { stdio: 'ignore', env: { ...process.env, PATH } },
    );
    for (let i = 0; ; i++) {
      try {
        const c = await mysql.createConnection({ socketPath: socket, user: 'root' });
        await c.end();
        return;
      } catch (e) {
        if (i > 600 || server.exitCode !== null)
          throw new Error(`MariaDB did not start (see ${dir}/server.log): ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const kill = async (signal: NodeJS.Signals) => {
    const s = server;
    if (!s || s.exitCode !== null || s.signalCode !== null) return;
    const gone = new Promise((r) => s.once('exit', r));
    s.kill(signal);
    await gone;
  };
  await start();
  const root = await mysql.createConnection({ socketPath: socket, user: 'root', multipleStatements: true });
  await root.query(`CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY 'ferry';
    GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'127.0.0.1' WITH GRANT OPTION;`);
  await root.end();
  return {
    url: `mysql://ferry:ferry@127.0.0.1:${port}`,
    async crash(downMs) {
      await kill('SIGKILL');
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
