import { FerryError, type LedgerEntry, quoteBacktick } from '../../core/index.js';
import { type Conn, rows, run } from './connection.js';
import { ATTEMPTS_DDL, ATTEMPTS_TABLE, LEDGER_DDL, LEDGER_TABLE } from './ddl.js';

/**
 * The ledger `_ferry_ledger` (one row per committed partition load, written in the load's transaction; its
 * `attempt` is the fence of the delivery that committed) and, beside it, `_ferry_attempts`: the newest fence
 * STARTED per partition, written by `beginAttempt` in a statement of its own before a worker loads. The commit
 * locks both rows and refuses a stale delivery, whatever order paused workers wake up in:
 *
 *   stale A (fence 1001) ─ begin ─ LOAD … ─ SIGSTOP ···························· SIGCONT ─ commit: fenced
 *   B (fence 1002, redelivered) ─ begin (started = 1002) ─ ledger: not done ─ LOAD ─ commit ✓
 */
const LEDGER = quoteBacktick(LEDGER_TABLE);
const ATTEMPTS = quoteBacktick(ATTEMPTS_TABLE);

/** Creates the ledger and attempts tables if they are missing. */
export async function ensureLedger(conn: Conn): Promise<void> {
  await run(conn, LEDGER_DDL, [], { table: LEDGER_TABLE });
  await run(conn, ATTEMPTS_DDL, [], { table: ATTEMPTS_TABLE });
}

/** The error of a load refused because another delivery owns the partition. */
export function fencedError(
  entry: { runId: string; partitionId: string; table?: string; attempt: number },
  why: string,
): FerryError {
  return new FerryError('DATA', `partition ${entry.partitionId} attempt ${entry.attempt} is fenced: ${why}`, {
    run: entry.runId,
    partition: entry.partitionId,
    ...(entry.table ? { table: entry.table } : {}),
    retryable: false,
    hint: 'a newer attempt owns this partition; this attempt was rolled back and can be dropped',
  });
}

/**
 * Records that `fence` started on a partition (autocommit, outside any load): the started fence only grows.
 * Throws DATA "fenced" when a newer fence had already started (this delivery is stale).
 */
export async function beginAttempt(
  conn: Conn,
  runId: string,
  partitionId: string,
  fence: number,
): Promise<void> {
  const context = { table: ATTEMPTS_TABLE, run: runId, partition: partitionId };
  await run(
    conn,
    `INSERT INTO ${ATTEMPTS} (run_id, partition_id, started_fence, started_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))
     ON DUPLICATE KEY UPDATE started_at = IF(started_fence < VALUES(started_fence), VALUES(started_at), started_at),
       started_fence = GREATEST(started_fence, VALUES(started_fence))`,
    [runId, partitionId, fence],
    context,
  );
  const [row] = await rows<{ f: number }>(
    conn,
    `SELECT started_fence AS f FROM ${ATTEMPTS} WHERE run_id = ? AND partition_id = ?`,
    [runId, partitionId],
    context,
  );
  if (row && row.f > fence)
    throw fencedError({ runId, partitionId, attempt: fence }, `attempt ${row.f} has started since`);
}

/** What a fence check knows about the load. */
export interface FenceRequest {
  runId: string;
  partitionId: string;
  table?: string;
  /** This delivery's fence (LoadRequest.attempt). */
  attempt: number;
  /** The load clears its range first: a committed range may be replaced by a newer fence. */
  clearRange: boolean;
}

/**
 * The reason a load must not commit, or undefined: a newer fence has started, a fence not older has committed,
 * or an older one committed and this load would add the rows a second time (no range clearing). A ledger row
 * with the PLACEHOLDER attempt is a commit's own lock placeholder in its open transaction, not a commit.
 */
async function fenceProblem(conn: Conn, r: FenceRequest, lock: boolean): Promise<string | undefined> {
  const forUpdate = lock ? ' FOR UPDATE' : '';
  const context = { table: LEDGER_TABLE, run: r.runId, partition: r.partitionId };
  const [started] = await rows<{ f: number }>(
    conn,
    `SELECT started_fence AS f FROM ${ATTEMPTS} WHERE run_id = ? AND partition_id = ?${forUpdate}`,
    [r.runId, r.partitionId],
    context,
  );
  const [committed] = await rows<{ a: number }>(
    conn,
    `SELECT attempt AS a FROM ${LEDGER} WHERE run_id = ? AND partition_id = ?${forUpdate}`,
    [r.runId, r.partitionId],
    context,
  );
  if (started && started.f > r.attempt) return `attempt ${started.f} has started since`;
  const done = committed && committed.a !== PLACEHOLDER ? committed.a : undefined;
  if (done === undefined) return undefined;
  if (done >= r.attempt) return `attempt ${done} already committed it`;
  if (!r.clearRange)
    return `attempt ${done} already committed it, and loading again without clearing the range would duplicate its rows`;
  return undefined;
}

/** Why the load must not commit (see fenceProblem), or undefined; reads without locking. */
export function fenceReason(conn: Conn, r: FenceRequest): Promise<string | undefined> {
  return fenceProblem(conn, r, false);
}

/** The attempt of the lock placeholder a commit inserts before it reads the ledger (never a real fence). */
const PLACEHOLDER = 0;

/**
 * Records a partition's commit inside the caller's open transaction, fenced:
 *
 *   INSERT placeholder … ON DUPLICATE KEY (no-op) ─► ledger row locked ─► fence check (locking reads)
 *     ─► refuse, or UPDATE the row to this attempt
 *
 * The first statement takes the ledger row's lock (waiting for a concurrent commit of the same partition to
 * end), so the check that follows sees the latest committed attempt; the placeholder never commits on its own.
 */
export async function recordLedgerEntry(
  conn: Conn,
  entry: Omit<LedgerEntry, 'committedAt'>,
  clearRange: boolean,
): Promise<void> {
  const context = { table: LEDGER_TABLE, run: entry.runId, partition: entry.partitionId };
  await run(
    conn,
    `INSERT INTO ${LEDGER} (run_id, partition_id, table_name, plan_hash, attempt, \`rows\`, checksum, committed_at)
     VALUES (?, ?, ?, ?, ${PLACEHOLDER}, 0, '', UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE run_id = run_id`,
    [entry.runId, entry.partitionId, entry.table, entry.planHash],
    context,
  );
  const why = await fenceProblem(conn, { ...entry, clearRange }, true);
  if (why) throw fencedError(entry, why);
  await run(
    conn,
    `UPDATE ${LEDGER} SET table_name = ?, plan_hash = ?, attempt = ?, \`rows\` = ?, checksum = ?,
       committed_at = UTC_TIMESTAMP(6) WHERE run_id = ? AND partition_id = ?`,
    [entry.table, entry.planHash, entry.attempt, entry.rows, entry.checksum, entry.runId, entry.partitionId],
    context,
  );
}

/** Committed ledger entries, of one run or all, in run and partition order; [] when there is no ledger. */
export async function readLedgerEntries(conn: Conn, runId?: string): Promise<LedgerEntry[]> {
  const [exists] = await rows<{ n: number | string }>(
    conn,
    'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [LEDGER_TABLE],
    { table: LEDGER_TABLE },
  );
  if (Number(exists?.n ?? 0) === 0) return [];
  const found = await rows<{
    run_id: string;
    partition_id: string;
    table_name: string;
    plan_hash: string;
    attempt: number;
    rows: string;
    checksum: string;
    committed_at: string;
  }>(
    conn,
    `SELECT run_id, partition_id, table_name, plan_hash, attempt, \`rows\`, checksum,
            DATE_FORMAT(committed_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS committed_at
       FROM ${LEDGER} ${runId === undefined ? '' : 'WHERE run_id = ?'} ORDER BY run_id, partition_id`,
    runId === undefined ? [] : [runId],
    { table: LEDGER_TABLE },
  );
  return found.map((r) => ({
    runId: r.run_id,
    partitionId: r.partition_id,
    table: r.table_name,
    planHash: r.plan_hash,
    attempt: Number(r.attempt),
    rows: String(r.rows),
    checksum: r.checksum,
    committedAt: r.committed_at,
  }));
}
