import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/services.js';
import { FAST_NATS_TIMERS, NatsServer } from '../nats/nats-server.js';
import { type Exit, FerryProcess, tail, waitUntil } from './processes.js';

/**
 * One chaos scenario's world: a private nats-server (random port, temp store), a source and a target
 * PostgreSQL database, `ferry worker` processes and a `ferry run --nats` coordinator, all children of the test
 * and stopped by pid in `close()`; and the oracle every scenario ends with.
 *
 *   source db ──► coordinator (plan, dispatch, reconcile) ──► nats-server ──► workers ──► target db
 *                                                                                    ledger + _ferry_attempts
 *
 * Timers are short so faults resolve in seconds: AckWait 3 s, lease TTL 3 s, reconcile every second.
 */

/** The source table: `rows` rows, key `id`, every value derived from the key. */
export const TABLE = 'items';

export interface ClusterOptions {
  /** Name of the scenario (database and process-file prefixes). */
  name: string;
  /** Source rows (default 3000). */
  rows?: number;
  /** Rows per partition (default 50: 60 partitions of 3000 rows). */
  partitionRows?: number;
  /** Rows per batch (default 10: 5 batches, so 5 `mid_copy` failpoint hits per partition). */
  batchRows?: number;
}

export interface CommandResult extends Exit {
  stdout: string;
  stderr: string;
}

/** Environment shared by every process of a scenario (no failpoint: those go to one process each). */
function baseEnv(password: string): Record<string, string> {
  return {
    FERRY_SOURCE_PASSWORD: password,
    FERRY_TARGET_PASSWORD: password,
    FERRY_TEST_MODE: '1',
    FERRY_FAILPOINT: '',
    ...FAST_NATS_TIMERS,
    FERRY_RECONCILE_INTERVAL_MS: '1000',
    FERRY_LOG_LEVEL: 'info',
  };
}

export class ChaosCluster {
  readonly procs: FerryProcess[] = [];
  readonly #workers: FerryProcess[] = [];
  readonly rows: number;
  readonly partitionRows: number;
  readonly batchRows: number;
  #names = new Map<string, number>();

  private constructor(
    readonly name: string,
    readonly nats: NatsServer,
    readonly src: TestDatabase,
    readonly dst: TestDatabase,
    readonly dir: string,
    private readonly password: string,
    options: ClusterOptions,
  ) {
    this.rows = options.rows ?? 3000;
    this.partitionRows = options.partitionRows ?? 50;
    this.batchRows = options.batchRows ?? 10;
  }

  /** Starts nats-server and creates the source (filled) and target databases on the PostgreSQL at `adminUrl`. */
  static async start(adminUrl: string, options: ClusterOptions): Promise<ChaosCluster> {
    const dir = mkdtempSync(join(tmpdir(), `ferry-chaos-${options.name}-`));
    const nats = await NatsServer.start();
    let src: TestDatabase | undefined;
    let dst: TestDatabase | undefined;
    try {
      src = await createTestDatabase('pg', adminUrl, `chaos_${options.name}_src`);
      dst = await createTestDatabase('pg', adminUrl, `chaos_${options.name}_dst`);
    } catch (e) {
      // Nothing half-started outlives a failed setup.
      await src?.drop().catch(() => {});
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const password = decodeURIComponent(new URL(adminUrl).password);
    const c = new ChaosCluster(options.name, nats, src, dst, dir, password, options);
    await sql(
      src.url,
      `CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, grp integer NOT NULL, name text, amount numeric(12,2),
         created timestamptz);
       INSERT INTO ${TABLE} SELECT i, i % 17, 'item ' || i, (i * 7919 % 100000) / 100.0,
         timestamptz '2024-01-01 00:00:00.123456+00' + i * interval '1 minute'
         FROM generate_series(1, ${c.rows}) i;
       ANALYZE ${TABLE};`,
    ).catch(async (e) => {
      await c.close();
      throw e;
    });
    return c;
  }

  /** A URL without the password (processes get it from FERRY_SOURCE/TARGET_PASSWORD, never from argv). */
  static bare(url: string): string {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  }

  get srcUrl(): string {
    return ChaosCluster.bare(this.src.url);
  }

  get dstUrl(): string {
    return ChaosCluster.bare(this.dst.url);
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { ...baseEnv(this.password), ...extra };
  }

  #unique(name: string): string {
    const n = (this.#names.get(name) ?? 0) + 1;
    this.#names.set(name, n);
    return n === 1 ? name : `${name}-${n}`;
  }

  /** Starts `ferry worker` (concurrency 2 unless told); `failpoint` is set for this worker only. */
  worker(
    name: string,
    options: { concurrency?: number; failpoint?: string; env?: Record<string, string> } = {},
  ) {
    const p = FerryProcess.start(
      this.#unique(name),
      [
        'worker',
        '--nats',
        this.nats.url,
        '--concurrency',
        String(options.concurrency ?? 2),
        '--grace-period',
        '2',
      ],
      {
        cwd: this.dir,
        env: this.env({
          ...(options.failpoint ? { FERRY_FAILPOINT: options.failpoint } : {}),
          ...options.env,
        }),
      },
    );
    this.procs.push(p);
    this.#workers.push(p);
    return p;
  }

  /**
   * Waits until every worker started so far is connected and taking tasks, so each one takes part from the
   * first dispatch (a loaded machine can take seconds to start a process).
   */
  async ready(timeoutMs = 60_000): Promise<void> {
    for (const w of this.#workers)
      await waitUntil(
        `${w.name} to start`,
        () => {
          if (!w.running) throw new Error(`${w.name} exited while starting:\n${tail(w.stderr())}`);
          return w.stderr().includes('worker started');
        },
        timeoutMs,
        () => `${w.name} (pid ${w.pid}, state ${w.state()}):\n${w.stderr()}`,
      );
  }

  /** Starts `n` plain workers named `worker-1` … */
  workers(n: number, options: { concurrency?: number } = {}): FerryProcess[] {
    return Array.from({ length: n }, (_, i) => this.worker(`worker-${i + 1}`, options));
  }

  #state(): string[] {
    return ['--state-dir', join(this.dir, 'state'), '--reports-dir', join(this.dir, 'reports')];
  }

  /** Starts the coordinator: `ferry run --nats … --run-id RUN --json` over the scenario's table. */
  coordinator(
    runId: string,
    options: { args?: string[]; env?: Record<string, string>; name?: string } = {},
  ): FerryProcess {
    const args = [
      'run',
      '--from',
      this.srcUrl,
      '--to',
      this.dstUrl,
      '--tables',
      TABLE,
      '--partition-rows',
      String(this.partitionRows),
      '--batch-rows',
      String(this.batchRows),
      '--workers',
      '1',
      '--nats',
      this.nats.url,
      '--run-id',
      runId,
      '--json',
      ...this.#state(),
      ...(options.args ?? []),
    ];
    const p = FerryProcess.start(this.#unique(options.name ?? 'coordinator'), args, {
      cwd: this.dir,
      env: this.env(options.env),
    });
    this.procs.push(p);
    return p;
  }

  /** Runs a short ferry command to its end (`resume`, `retry`, `status`, `verify`). */
  async cli(
    name: string,
    args: string[],
    options: { timeoutMs?: number; state?: 'all' | 'dir' | 'none' } = {},
  ): Promise<CommandResult> {
    const state = options.state ?? 'all';
    const full = [
      ...args,
      ...(state === 'all' ? this.#state() : state === 'dir' ? this.#state().slice(0, 2) : []),
    ];
    const p = FerryProcess.start(this.#unique(name), full, { cwd: this.dir, env: this.env() });
    this.procs.push(p);
    const exit = await p.wait(options.timeoutMs ?? 90_000);
    return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
  }

  /** `ferry status RUN --nats --json`. */
  async status(runId: string): Promise<StatusJson> {
    const r = await this.cli('status', ['status', runId, '--nats', this.nats.url, '--json'], {
      state: 'dir',
    });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as StatusJson;
  }

  /** Waits for a coordinator to finish; expects exit 0 and a succeeded, verified report. */
  async expectSucceeded(coordinator: FerryProcess, timeoutMs = 90_000): Promise<Report> {
    const exit = await coordinator.wait(timeoutMs);
    expect(
      exit.code,
      `${coordinator.name} failed:\n${tail(coordinator.stderr())}\n${tail(coordinator.stdout(), 3)}`,
    ).toBe(0);
    const out = coordinator.json<{ ok: boolean; report: Report }>();
    expect(out.report.status).toBe('succeeded');
    expect(out.report.verified).toBe(true);
    return out.report;
  }

  /** The partition results the coordinator recorded (its run directory's event log), in order. */
  results(runId: string): PartitionResultEvent[] {
    const file = join(this.dir, 'state', runId, 'events.ndjson');
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"partition_result"'))
      .map((l) => (JSON.parse(l) as { result: PartitionResultEvent }).result);
  }

  /** Ledger rows of the run that committed. */
  ledger(runId: string): Promise<{ partition_id: string; attempt: number; rows: string }[]> {
    return sql(
      this.dst.url,
      'SELECT partition_id, attempt, rows FROM ferry._ferry_ledger WHERE run_id = $1 ORDER BY partition_id',
      [runId],
    );
  }

  /** Started fences of the run, with the process (`host:pid`) that started each. */
  attempts(runId: string): Promise<{ partition_id: string; started_fence: number; started_by: string }[]> {
    return sql(
      this.dst.url,
      'SELECT partition_id, started_fence, started_by FROM ferry._ferry_attempts WHERE run_id = $1 ORDER BY partition_id',
      [runId],
    );
  }

  /** Waits until at least `n` partitions of the run are committed. */
  async waitCommitted(runId: string, n: number, timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      `${n} committed partitions of ${runId}`,
      async () => (await this.ledger(runId).catch(() => [])).length >= n,
      timeoutMs,
    );
  }

  /**
   * The oracle every scenario ends with: target rows = source rows; no duplicate key; `ferry verify` equal
   * (every partition's checksum); one ledger row per planned partition, committed by a fence no older than the
   * newest started (fences are monotonic); the task queue drained; no transaction left open on the target.
   */
  async oracle(runId: string): Promise<Oracle> {
    const count = async (url: string) =>
      Number((await sql<{ n: string }>(url, `SELECT count(*) AS n FROM ${TABLE}`))[0]!.n);
    const sourceRows = await count(this.src.url);
    expect(await count(this.dst.url)).toBe(sourceRows);
    const dups = await sql(this.dst.url, `SELECT id FROM ${TABLE} GROUP BY id HAVING count(*) > 1`);
    expect(dups).toEqual([]);
    const verify = await this.cli(
      'verify',
      [
        'verify',
        '--from',
        this.srcUrl,
        '--to',
        this.dstUrl,
        '--tables',
        TABLE,
        '--partition-rows',
        String(this.partitionRows),
      ],
      { state: 'none' },
    );
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('verified: source and target are equal');
    const status = await this.status(runId);
    const planned = status.tables.reduce((n, t) => n + t.partitions, 0);
    expect(planned).toBeGreaterThanOrEqual(50);
    const ledger = await this.ledger(runId);
    expect(ledger).toHaveLength(planned);
    expect(ledger.reduce((n, l) => n + Number(l.rows), 0)).toBe(sourceRows);
    const attempts = new Map((await this.attempts(runId)).map((a) => [a.partition_id, a]));
    for (const l of ledger) {
      expect(l.attempt).toBeGreaterThan(1000);
      expect(attempts.get(l.partition_id)!.started_fence).toBeGreaterThanOrEqual(l.attempt);
    }
    expect(status.queue).toMatchObject({ pending: 0, inFlight: 0 });
    const open = await sql(
      this.dst.url,
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    );
    expect(open).toEqual([]);
    return { sourceRows, planned, ledger, attempts, status };
  }

  /** Stops every process this scenario started (by pid), nats-server, and removes the databases and files. */
  async close(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop().catch(() => {})));
    await this.nats.stop().catch(() => {});
    await this.src.drop().catch(() => {});
    await this.dst.drop().catch(() => {});
    // FERRY_CHAOS_KEEP=1 keeps the processes' logs for a post-mortem.
    if (!process.env.FERRY_CHAOS_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface PartitionResultEvent {
  partitionId: string;
  attempt: number;
  status: 'done' | 'skipped' | 'failed';
  verified?: boolean;
  durationMs: number;
  error?: { code: string; message: string; context?: Record<string, string> };
}

export interface Report {
  status: string;
  seconds: number;
  verified: boolean;
  rows: string;
  tables: { partitions: number; done: number; failed: number }[];
  failures: unknown[];
}

export interface StatusJson {
  status: string;
  tables: { table: string; partitions: number; done: number; failed: number; pending: number }[];
  failures: { partition: string; attempt: number; error: string }[];
  queue?: { pending: number; inFlight: number; redelivered: number; waiting: number; results: number };
}

export interface Oracle {
  sourceRows: number;
  planned: number;
  ledger: { partition_id: string; attempt: number; rows: string }[];
  attempts: Map<string, { partition_id: string; started_fence: number; started_by: string }>;
  status: StatusJson;
}
