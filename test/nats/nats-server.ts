import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/services.js';

/**
 * A nats-server process owned by one test file: JetStream with file storage in a temp dir, a random free
 * loopback port, killed by pid. `kill('SIGKILL')` + `start()` is a crash and restart on the same store.
 * Fails (never skips) when nats-server is not installed.
 */
export class NatsServer {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly config: string | undefined,
  ) {}

  /** Starts a server; `config` is extra nats-server configuration text (authorization blocks, TLS). */
  static async start(options: { config?: string } = {}): Promise<NatsServer> {
    binary();
    const dir = mkdtempSync(join(tmpdir(), 'ferry-nats-'));
    const server = new NatsServer(await freePort(), dir, options.config);
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get logFile(): string {
    return join(this.dir, 'server.log');
  }

  /** (Re)starts the process on the same port and store directory and waits until it is ready. */
  async start(): Promise<void> {
    const args = [
      '-a',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-js',
      '-sd',
      join(this.dir, 'store'),
      '-l',
      this.logFile,
    ];
    if (this.config) {
      const file = join(this.dir, 'server.conf');
      writeFileSync(file, this.config);
      args.push('-c', file);
    }
    const logStart = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').length : 0;
    const child = spawn(binary(), args, { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(
          `nats-server exited with ${child.exitCode}: ${readLog(this.logFile).slice(logStart)}`,
        );
      }
      if (readLog(this.logFile).slice(logStart).includes('Server is ready') && (await accepts(this.port)))
        return;
      if (Date.now() > deadline)
        throw new Error(`nats-server did not become ready: ${readLog(this.logFile).slice(logStart)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal` to the server process (by pid) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, signal);
    await this.#exited;
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

let found: string | undefined;
function binary(): string {
  if (found) return found;
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (existsSync(p)) {
      found = p;
      return p;
    }
  }
  try {
    found = execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH either
  }
  throw new Error(
    'nats-server is not installed: run `apt-get install -y nats-server` (or `bash scripts/services.sh start nats`)',
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    c.once('data', (d) => {
      c.destroy();
      resolve(d.toString().startsWith('INFO'));
    });
    c.once('error', () => resolve(false));
    c.setTimeout(1000, () => {
      c.destroy();
      resolve(false);
    });
  });
}

/** NATS timers of ferry processes in tests (cli/nats.ts `natsTuning`): seconds where production waits minutes. */
export const FAST_NATS_TIMERS = {
  FERRY_NATS_ACK_WAIT_MS: '3000',
  FERRY_NATS_NAK_DELAY_MS: '200',
  FERRY_NATS_PULL_EXPIRES_MS: '1000',
  FERRY_NATS_DISCOVERY_MS: '250',
  FERRY_NATS_LEASE_TTL_MS: '3000',
  FERRY_NATS_REQUEST_TIMEOUT_MS: '3000',
};
