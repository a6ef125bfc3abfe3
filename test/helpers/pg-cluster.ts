import { execFile, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './services.js';

/**
 * A throw-away PostgreSQL cluster of one test's own, for faults that would disturb the shared server the other
 * test files use (restarting it: RELIABILITY F12). initdb in a temp dir, a free port on 127.0.0.1, trust
 * authentication on loopback, no fsync. Run as the `postgres` OS user when the tests run as root (initdb
 * refuses root), like scripts/services.sh, which has already created that user and installed the binaries
 * (`bin`: FERRY_TEST_PG_BIN of its env file). `stop()` ends the postmaster by the pid in postmaster.pid.
 */
export interface PgCluster {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /**
   * Stops the server (`pg_ctl stop -m <mode>`: every session ends; `immediate` makes it recover from a crash
   * when it starts), keeps it down for `downMs`, and starts it again.
   */
  restart(mode: 'fast' | 'immediate', downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const OS_USER = 'postgres';

export async function startPgCluster(bin: string, name: string): Promise<PgCluster> {
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), `ferry-pgcluster-${name}-`));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (root) {
    const uid = Number((await run('id', ['-u', OS_USER])).stdout.trim());
    const gid = Number((await run('id', ['-g', OS_USER])).stdout.trim());
    chownSync(dir, uid, gid);
    chownSync(data, uid, gid);
  }
  const asPg = (cmd: string, args: string[]) =>
    root ? run('runuser', ['-u', OS_USER, '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  // pg_ctl's postmaster inherits the pipes execFile would read to their end: run it with no output attached.
  const pgCtl = (...args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const argv = [join(bin, 'pg_ctl'), '-D', data, '-w', '-t', '60', ...args];
      const child = root
        ? spawn('runuser', ['-u', OS_USER, '--', ...argv], { stdio: 'ignore' })
        : spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`pg_ctl ${args.at(-1)} exited ${code}; see ${dir}/server.log`)),
      );
    });
  await asPg('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ');
  const start = () => pgCtl('-l', join(dir, 'server.log'), '-o', options, 'start');
  await start();
  const postmasterPid = () => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return 0;
    }
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(mode, downMs = 0) {
      await pgCtl('-m', mode, 'stop');
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      const pid = postmasterPid();
      await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
