import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `ferry` child processes owned by a chaos test: each with its own pid, stdout and stderr in files of the
 * test's temp dir, killed, frozen and thawed by pid only (never by name).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The compiled CLI (`npm run build` first); FERRY_TEST_CLI points elsewhere (a private build). */
const CLI = process.env.FERRY_TEST_CLI ?? join(ROOT, 'bin', 'ferry.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class FerryProcess {
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly outFile: string,
    readonly errFile: string,
  ) {
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolveExit(this.#exit);
      });
    });
  }

  /** Starts `node bin/ferry.js …args` with `env` added to this process's environment. */
  static start(
    name: string,
    args: string[],
    options: { env: Record<string, string>; cwd: string },
  ): FerryProcess {
    const outFile = join(options.cwd, `${name}.out`);
    const errFile = join(options.cwd, `${name}.err`);
    const out = openSync(outFile, 'a');
    const err = openSync(errFile, 'a');
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', out, err],
    });
    closeSync(out);
    closeSync(err);
    return new FerryProcess(name, child, outFile, errFile);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  stdout(): string {
    return existsSync(this.outFile) ? readFileSync(this.outFile, 'utf8') : '';
  }

  stderr(): string {
    return existsSync(this.errFile) ? readFileSync(this.errFile, 'utf8') : '';
  }

  /** The JSON object the process printed last on stdout (`--json`). */
  json<T = Record<string, unknown>>(): T {
    const lines = this.stdout().trim().split('\n');
    return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) process.kill(this.pid, signal);
  }

  /** kill -9 and wait for the exit. */
  async kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** kill -STOP: frozen, its sockets and transactions held open. */
  freeze(): void {
    this.signal('SIGSTOP');
  }

  /** kill -CONT. */
  thaw(): void {
    this.signal('SIGCONT');
  }

  /** The process's scheduler state from /proc (`T` = stopped), or undefined once it exited. */
  state(): string | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
      return undefined;
    }
  }

  /** Resolves when the process stopped itself (failpoint action `stop`) or was stopped. */
  async waitFrozen(timeoutMs: number): Promise<void> {
    await waitUntil(
      `${this.name} to be stopped`,
      () => this.state() === 'T',
      timeoutMs,
      () => this.stderr(),
    );
  }

  /** Waits for the exit at most `timeoutMs`; throws with the process's stderr when it is still running. */
  async wait(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} still running after ${timeoutMs} ms:\n${tail(this.stderr())}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM (after SIGCONT, in case it is frozen), then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The last lines of a log, for failure messages. */
export function tail(text: string, lines = 40): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until true; throws naming `what` (and `detail()`, e.g. a log) after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  detail?: () => string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${tail(detail())}` : ''}`,
      );
    await sleep(50);
  }
}
