/**
 * A run, from the coordinator's side:
 *
 *   plan + preflight (caller) ─► prepare tables ─► ledger: what is done already
 *     ─► dispatch the rest (events fsynced first) ─► collect results ─► retry retryable failures
 *     ─► finish tables (indexes, constraints) ─► run_finished
 *
 * The target's ledger, not the event log, is the record of what is loaded: resume compares the plan with
 * the ledger and dispatches only what is missing, with a higher attempt (fencing) number.
 */
import {
  type Checksum,
  FerryError,
  type Logger,
  type PartitionResult,
  type Plan,
  type TablePlan,
  type Target,
  tableName,
  toFerryError,
  readBackAsWholeTable,
  ATTR,
  SPANS,
  spanHeaders,
  startSpan,
} from '../core/index.js';
import type { Span } from '@opentelemetry/api';
import { checksumsEqual, combineChecksums, subtractChecksums, ZERO_CHECKSUM } from '../checksums/index.js';
import type { PartitionTask, Transport } from '../transport/index.js';
import { TASK_SCHEMA } from '../transport/index.js';
import { rejectLimitError, tableRejects } from './report.js';
import type { RunDirectory, RunInfo } from './run-state.js';

export interface RunProgress {
  /** Called for every partition result, and once per finished table. */
  onResult?(result: PartitionResult, table: TablePlan): void;
  onTableFinished?(table: TablePlan): void;
}

/**
 * Attempts for a partition whose target or source connection was lost: with the backoff below (0.5, 1, 2, 4,
 * 8 s) a database restart, crash recovery or failover of up to ~15 s is ridden out; a longer outage fails the
 * partition and `ferry resume` continues.
 */
const CONNECTION_ATTEMPTS = 6;

export interface RunRequest {
  plan: Plan;
  info: RunInfo;
  dir: RunDirectory;
  target: Target;
  transport: Transport;
  logger: Logger;
  /** True when continuing a recorded run: tables are only checked, never truncated or replaced. */
  resuming: boolean;
  /** `fail`: stop at the first failed partition (the rest stay pending for resume); `continue` (default): go on. */
  onError?: 'fail' | 'continue';
  /**
   * Attempts per partition for retryable failures (default 3). A lost connection gets at least
   * CONNECTION_ATTEMPTS: a database restart or failover outlasts three quick tries.
   */
  maxAttempts?: number;
  /**
   * Attempt numbers of this invocation start above this floor. A distributed coordinator passes
   * (lease epoch − 1) × 100, so a restarted coordinator without the old run log still fences out every task
   * an earlier coordinator published (and JetStream does not drop its re-publishes as duplicates).
   */
  attemptFloor?: number;
  /** How often to ask the transport for lost tasks while waiting for results (default 30 s). */
  reconcileIntervalMs?: number;
  /** Only these partitions (retry of failed ones); default: every partition not done. */
  onlyPartitions?: Set<string>;
  progress?: RunProgress;
  /**
   * The target table's whole-table checksum, read independently (verifier + thread pool). Needed to verify
   * tables split by a source-only row id (ctid); without it such tables are reported unverified.
   */
  tableChecksum?: (table: TablePlan) => Promise<Checksum>;
  /**
   * A table whose transform rejected more than this percentage of its source rows fails the run when its last
   * partition is in (before its indexes and constraints are built). Default: no limit.
   */
  maxRejectPercent?: number;
  signal?: AbortSignal;
}

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  results: Map<string, PartitionResult>;
  /** Partitions already committed before this invocation (from the ledger). */
  alreadyDone: Set<string>;
  durationMs: number;
}

/** Executes (or resumes) a planned run. Local workers must already be consuming from `transport`. */
export async function executeRun(req: RunRequest): Promise<RunOutcome> {
  const started = performance.now();
  const { plan, dir, target, logger } = req;
  const runId = req.info.runId;
  const log = logger.child({ run: runId });

  for (const t of plan.tables) {
    await target.prepareTable(t.target, t.mode, { runId, resuming: req.resuming });
    if (!req.resuming && readBackAsWholeTable(t) && t.mode === 'append' && req.tableChecksum) {
      dir.append({
        type: 'table_baseline',
        table: tableName(t.source),
        checksum: await req.tableChecksum(t),
      });
    }
  }

  const snapshot = dir.snapshot();
  const ledger = new Map(
    (await target.readLedger(runId)).filter((e) => e.planHash === plan.hash).map((e) => [e.partitionId, e]),
  );
  const partitionTable = new Map<string, TablePlan>();
  for (const t of plan.tables) for (const p of t.partitions) partitionTable.set(p.id, t);
  const tableSpans = new Map<string, Span>();
  const spanOf = (t: TablePlan) => {
    const name = tableName(t.source);
    let span = tableSpans.get(name);
    if (!span) {
      span = startSpan(SPANS.table, {
        [ATTR.run]: runId,
        [ATTR.table]: name,
        'ferry.partitions': t.partitions.length,
      });
      tableSpans.set(name, span);
    }
    return span;
  };
  const endTableSpan = (t: TablePlan, ok: boolean) => {
    const span = tableSpans.get(tableName(t.source));
    if (!span) return;
    if (!ok) span.setStatus({ code: 2, message: 'a partition failed' });
    span.end();
    tableSpans.delete(tableName(t.source));
  };
  const remaining = new Map<string, number>(plan.tables.map((t) => [tableName(t.source), 0]));
  const queued: PartitionTask[] = [];
  for (const t of plan.tables) {
    for (const p of t.partitions) {
      // Done = committed in the ledger AND verified in an earlier invocation. A committed partition
      // without a recorded verification is dispatched again: the worker sees the ledger entry and only verifies.
      if (ledger.has(p.id) && snapshot.partitions.get(p.id)?.status === 'done') continue;
      if (req.onlyPartitions && !req.onlyPartitions.has(p.id)) continue;
      const attempt = Math.max(snapshot.partitions.get(p.id)?.attempts ?? 0, req.attemptFloor ?? 0) + 1;
      queued.push({ schema: TASK_SCHEMA, runId, partitionId: p.id, attempt, trace: spanHeaders(spanOf(t)) });
      remaining.set(p.table, (remaining.get(p.table) ?? 0) + 1);
    }
  }
  log.info({ partitions: queued.length, committedBefore: ledger.size }, 'dispatching partitions');

  const results = new Map<string, PartitionResult>();
  const finishTable = async (t: TablePlan) => {
    if (req.maxRejectPercent !== undefined && t.transform) {
      const counts = tableRejects(t, dir.snapshot());
      const err = rejectLimitError(t, counts, req.maxRejectPercent, runId);
      if (err) throw err;
    }
    // The whole-table read-back and the index builds both only read the loaded table: they run side by side
    // (the read-back is mostly ferry's work, the indexes the target's). A verification failure wins.
    // Foreign keys wait until every table is loaded and keyed (parents may finish after children).
    const [verified, finished] = await Promise.allSettled([
      readBackAsWholeTable(t) && req.tableChecksum
        ? verifyWholeTable(req, t, snapshot.baselines.get(tableName(t.source)))
        : undefined,
      target.finishTable({ ...t.target, foreignKeys: [] }),
    ]);
    if (verified.status === 'rejected') throw verified.reason;
    if (finished.status === 'rejected') throw finished.reason;
    dir.append({ type: 'table_finished', table: tableName(t.source) });
    req.progress?.onTableFinished?.(t);
  };
  // Tables with nothing left to load still need their indexes and constraints (a resumed run).
  for (const t of plan.tables) {
    if (
      remaining.get(tableName(t.source)) === 0 &&
      !snapshot.tablesFinished.has(tableName(t.source)) &&
      !req.onlyPartitions
    ) {
      await finishTable(t);
    }
  }

  const dispatch = async (tasks: PartitionTask[]) => {
    dir.append(
      ...tasks.map((t) => ({
        type: 'partition_dispatched' as const,
        partitionId: t.partitionId,
        attempt: t.attempt,
      })),
    );
    await req.transport.publish(tasks);
  };
  // The attempt each partition waits for: results of older attempts (redelivered, or reported twice after a
  // coordinator restart) are ignored, so nothing is counted twice.
  const expected = new Map(queued.map((t) => [t.partitionId, t.attempt]));
  const firstAttempt = new Map(expected);
  let outstanding = queued.length;
  if (outstanding > 0) await dispatch(queued);
  const reconciler = startReconciler(req, expected, async (partitionId) => {
    const table = partitionTable.get(partitionId)!;
    const attempt = (expected.get(partitionId) ?? 0) + 1;
    expected.set(partitionId, attempt);
    log.warn({ partition: partitionId, attempt }, 'task lost by the transport: publishing it again');
    await dispatch([{ schema: TASK_SCHEMA, runId, partitionId, attempt, trace: spanHeaders(spanOf(table)) }]);
  });
  const maxAttempts = req.maxAttempts ?? 3;
  const retries = new Set<ReturnType<typeof setTimeout>>();
  let failed = false;

  if (outstanding > 0) {
    try {
      for await (const result of req.transport.results(runId, req.signal)) {
        const table = partitionTable.get(result.partitionId);
        if (!table || expected.get(result.partitionId) !== result.attempt) continue;
        dir.append({ type: 'partition_result', result });
        const ok = result.status !== 'failed' && result.verified !== false;
        // Attempts of this invocation so far: numbers start above earlier invocations' (resume, lease floor).
        const tries = result.attempt - (firstAttempt.get(result.partitionId) ?? result.attempt) + 1;
        const budget =
          result.error?.code === 'CONNECTION' ? Math.max(maxAttempts, CONNECTION_ATTEMPTS) : maxAttempts;
        if (!ok && result.error?.retryable && tries < budget) {
          const delay = Math.min(30_000, 500 * 2 ** (tries - 1));
          log.warn(
            {
              partition: result.partitionId,
              attempt: result.attempt,
              reason: result.error.message,
              delayMs: delay,
            },
            'retrying partition',
          );
          // The backoff runs on a timer, not in this loop: the results of other partitions (and their retries)
          // go on being handled meanwhile — a target restart fails many partitions at once.
          const task: PartitionTask = {
            schema: TASK_SCHEMA,
            runId,
            partitionId: result.partitionId,
            attempt: result.attempt + 1,
            trace: spanHeaders(spanOf(table)),
          };
          expected.set(task.partitionId, task.attempt);
          const timer = setTimeout(() => {
            retries.delete(timer);
            // A publish that fails leaves the task to the reconciler, which re-publishes what the stream lacks.
            dispatch([task]).catch((e) =>
              log.error({ partition: task.partitionId, err: String(e) }, 'publishing the retry failed'),
            );
          }, delay);
          retries.add(timer);
          continue;
        }
        expected.delete(result.partitionId);
        results.set(result.partitionId, result);
        req.progress?.onResult?.(result, table);
        if (!ok) failed = true;
        const name = tableName(table.source);
        const left = (remaining.get(name) ?? 1) - 1;
        remaining.set(name, left);
        if (
          left === 0 &&
          ![...results.values()].some(
            (r) =>
              partitionTable.get(r.partitionId) === table && (r.status === 'failed' || r.verified === false),
          )
        ) {
          try {
            await finishTable(table);
            endTableSpan(table, true);
          } catch (e) {
            endTableSpan(table, false);
            failed = true;
            const err = toFerryError(e, 'INTERNAL', { run: runId, table: name });
            log.error({ err: err.describe() }, 'finishing table failed');
            results.set(`${name}#finish`, {
              partitionId: `${name}#finish`,
              table: name,
              attempt: 1,
              status: 'failed',
              bytes: 0,
              durationMs: 0,
              error: err.toJSON(),
            });
          }
        }
        if (--outstanding === 0) break;
        if (!ok && req.onError === 'fail') {
          log.error(
            { partition: result.partitionId },
            'stopping the run at the first failure (on_error: fail)',
          );
          break;
        }
      }
    } finally {
      // Retries still waiting out their backoff are not published once the run has stopped.
      for (const timer of retries) clearTimeout(timer);
    }
    // Stopped from outside with a reason (e.g. the coordinator lease was taken over): that is the error.
    if (outstanding > 0 && req.signal?.aborted && req.signal.reason instanceof FerryError) {
      reconciler.stop();
      throw req.signal.reason;
    }
    if (outstanding > 0 && !failed) {
      throw new FerryError('ABORTED', `run ${runId} stopped with ${outstanding} partitions outstanding`, {
        run: runId,
        hint: `continue it with \`ferry resume ${runId}\``,
      });
    }
  }
  reconciler.stop();
  if (!failed && !req.onlyPartitions) {
    for (const t of plan.tables) {
      if (!t.target.foreignKeys?.length) continue;
      try {
        await target.finishTable(t.target);
      } catch (e) {
        failed = true;
        const err = toFerryError(e, 'INTERNAL', { run: runId, table: tableName(t.source) });
        log.error({ err: err.describe() }, 'adding foreign keys failed');
        const partitionId = `${tableName(t.source)}#foreign-keys`;
        dir.append({
          type: 'partition_result',
          result: {
            partitionId,
            table: tableName(t.source),
            attempt: 1,
            status: 'failed',
            bytes: 0,
            durationMs: 0,
            error: err.toJSON(),
          },
        });
      }
    }
  }
  for (const t of plan.tables) endTableSpan(t, false);
  const status = failed ? 'failed' : 'succeeded';
  dir.append({ type: 'run_finished', status });
  return { status, results, alreadyDone: new Set(ledger.keys()), durationMs: performance.now() - started };
}

/**
 * Verifies a whole target table: its checksum (minus what it held before an append run) must equal the sum of
 * the ledger's checksums of every partition of this run. Throws VERIFY on a difference.
 */
async function verifyWholeTable(
  req: RunRequest,
  t: TablePlan,
  baseline: Checksum | undefined,
): Promise<void> {
  const name = tableName(t.source);
  const ledger = (await req.target.readLedger(req.info.runId)).filter(
    (e) => e.table === name && e.planHash === req.plan.hash,
  );
  const expected = ledger.reduce(
    (sum, e) => combineChecksums(sum, { rows: e.rows, sum: e.checksum }),
    ZERO_CHECKSUM,
  );
  const held = await req.tableChecksum!(t);
  const actual = baseline ? subtractChecksums(held, baseline) : held;
  const ok = ledger.length === t.partitions.length && checksumsEqual(expected, actual);
  req.dir.append({ type: 'table_verified', table: name, ok, expected, actual });
  if (!ok) {
    throw new FerryError(
      'VERIFY',
      `target table ${tableName(t.target)} holds ${actual.rows} loaded rows (${actual.sum}), the ledger says ${expected.rows} (${expected.sum})`,
      {
        table: name,
        hint: 'run `ferry verify` to compare source and target',
      },
    );
  }
}

/**
 * While results are awaited, periodically asks the transport (when it can tell, as JetStream can) which
 * outstanding partitions have no task stored anywhere — lost to a deleted stream or a crashed server — and
 * re-publishes those missing in two passes in a row. NATS is the dispatcher, not the record: the plan and the
 * ledger say what must exist.
 */
function startReconciler(
  req: RunRequest,
  expected: Map<string, number>,
  republish: (partitionId: string) => Promise<void>,
): { stop(): void } {
  const transport = req.transport as Transport & {
    reconcile?(runId: string, ids: string[]): Promise<string[]>;
  };
  if (!transport.reconcile) return { stop() {} };
  let busy = false;
  // Missing in the previous pass, with the attempt then awaited. A task is also absent from the stream while
  // its result waits to be read here, or while a retry waits out its backoff: only a partition missing in two
  // passes in a row, awaiting the same attempt throughout, is lost.
  let suspects = new Map<string, number>();
  const timer = setInterval(async () => {
    if (busy || expected.size === 0) return;
    busy = true;
    try {
      const awaited = new Map(expected);
      const missing = await transport.reconcile!(req.info.runId, [...awaited.keys()]);
      const next = new Map<string, number>();
      for (const id of missing) {
        const attempt = awaited.get(id);
        if (attempt === undefined || expected.get(id) !== attempt) continue;
        if (suspects.get(id) === attempt) await republish(id);
        else next.set(id, attempt);
      }
      suspects = next;
    } catch (e) {
      req.logger.warn({ err: String(e) }, 'reconcile failed; will try again');
    } finally {
      busy = false;
    }
  }, req.reconcileIntervalMs ?? 30_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
