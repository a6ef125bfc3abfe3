import { hostname } from 'node:os';
import type pg from 'pg';
import { FerryError, type LedgerEntry } from '../../core/index.js';
import { query } from './connection.js';
import { ATTEMPTS_NAME, ident, LEDGER_NAME } from './sql-text.js';

/**
 * The ledger table `<schema>._ferry_ledger` (schema `ferry` unless the endpoint's `ledger_schema` says
 * otherwise): one row per committed partition load, written in the same transaction as the rows. Its
 * `attempt` is the fence of the delivery that committed (LoadRequest.attempt).
 *
 * Beside it, `<schema>._ferry_attempts` holds the newest fence STARTED per partition, written by
 * `beginAttempt` in a short transaction of its own before a worker loads. The commit locks that row
 * (SELECT … FOR UPDATE) and refuses, so a worker paused past its ack deadline cannot commit whatever order
 * it wakes up in:
 *
 *   stale A (fence 1001) ─ begin ─ COPY … ─ SIGSTOP ·························· SIGCONT ─ commit: fenced
 *   B (fence 1002, redelivered) ─ begin (started = 1002) ─ ledger: not done ─ COPY ─ commit ✓
 */
export function ledgerTable(schema: string): string {
  return `${ident(schema)}.${ident(LEDGER_NAME)}`;
}

/** The table of started fences, beside the ledger. */
export function attemptsTable(schema: string): string {
  return `${ident(schema)}.${ident(ATTEMPTS_NAME)}`;
}

export async function ensureLedger(client: pg.Client, schema: string): Promise<void> {
  await query(client, `CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`, [], 'cannot create the ledger schema');
  await query(
    client,
    `CREATE TABLE IF NOT EXISTS ${ledgerTable(schema)} (
       run_id text NOT NULL,
       partition_id text NOT NULL,
       table_name text NOT NULL,
       plan_hash text NOT NULL,
       attempt integer NOT NULL,
       rows text NOT NULL,
       checksum text NOT NULL,
       committed_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (run_id, partition_id))`,
    [],
    'cannot create the ledger table',
  );
  await query(
    client,
    `CREATE TABLE IF NOT EXISTS ${attemptsTable(schema)} (
       run_id text NOT NULL,
       partition_id text NOT NULL,
       started_fence integer NOT NULL,
       started_by text NOT NULL,
       started_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (run_id, partition_id))`,
    [],
    'cannot create the attempts table',
  );
}

interface LedgerRow {
  run_id: string;
  partition_id: string;
  table_name: string;
  plan_hash: string;
  attempt: number;
  rows: string;
  checksum: string;
  committed_at: string;
}

export async function readLedger(client: pg.Client, schema: string, runId?: string): Promise<LedgerEntry[]> {
  const exists = await query<{ ok: boolean }>(
    client,
    'SELECT to_regclass($1) IS NOT NULL AS ok',
    [ledgerTable(schema)],
    'cannot read the ledger',
  );
  if (!exists[0]?.ok) return [];
  const rows = await query<LedgerRow>(
    client,
    `SELECT run_id, partition_id, table_name, plan_hash, attempt, rows, checksum,
            to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS committed_at
       FROM ${ledgerTable(schema)} WHERE $1::text IS NULL OR run_id = $1 ORDER BY run_id, partition_id`,
    [runId ?? null],
    'cannot read the ledger',
  );
  return rows.map((r) => ({
    runId: r.run_id,
    partitionId: r.partition_id,
    table: r.table_name,
    planHash: r.plan_hash,
    attempt: r.attempt,
    rows: r.rows,
    checksum: r.checksum,
    committedAt: r.committed_at,
  }));
}

/**
 * Records that `fence` started on a partition, and which process started it (`host:pid`, for people finding
 * a zombie worker): the started fence only grows. Throws DATA "fenced" when a
 * newer fence had already started (this delivery is stale). Runs outside any load transaction (autocommit).
 */
export async function beginAttempt(
  client: pg.Client,
  schema: string,
  runId: string,
  partitionId: string,
  fence: number,
): Promise<void> {
  const rows = await query<{ started_fence: number }>(
    client,
    `INSERT INTO ${attemptsTable(schema)} AS a (run_id, partition_id, started_fence, started_by)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id, partition_id) DO UPDATE
        SET started_fence = EXCLUDED.started_fence, started_by = EXCLUDED.started_by, started_at = now()
      WHERE a.started_fence <= EXCLUDED.started_fence
     RETURNING started_fence`,
    [runId, partitionId, fence, `${hostname()}:${process.pid}`],
    `cannot record the start of partition ${partitionId}`,
    { partition: partitionId },
  );
  if (rows.length === 0) {
    // The WHERE refused the update: a newer fence holds the row (read it only to say which).
    const newer = await query<{ started_fence: number }>(
      client,
      `SELECT started_fence FROM ${attemptsTable(schema)} WHERE run_id = $1 AND partition_id = $2`,
      [runId, partitionId],
      `cannot record the start of partition ${partitionId}`,
      { partition: partitionId },
    );
    throw fencedError(partitionId, fence, `attempt ${newer[0]?.started_fence ?? 'newer'} has started since`);
  }
}

/** What a fence check needs to know about the load. */
export interface FenceRequest {
  runId: string;
  partitionId: string;
  /** This delivery's fence (LoadRequest.attempt). */
  fence: number;
  /** The load clears the partition's range first (LoadRequest.clearRange): a committed range may be replaced. */
  clearRange: boolean;
}

/**
 * Refuses (DATA "fenced") a load that must not commit: a newer fence has started, a fence not older has
 * committed, or the partition is committed and this load would add its rows a second time. With `lock`
 * (inside the load transaction, right before the ledger row is written) the partition's rows in both tables
 * are locked until COMMIT/ROLLBACK, so of two racing commits the second sees the first.
 */
export async function checkFence(
  client: pg.Client,
  schema: string,
  r: FenceRequest,
  options: { lock: boolean },
): Promise<void> {
  const forUpdate = options.lock ? ' FOR UPDATE' : '';
  const what = 'cannot check the fence of the partition';
  const ctx = { partition: r.partitionId };
  const started = await query<{ started_fence: number }>(
    client,
    `SELECT started_fence FROM ${attemptsTable(schema)} WHERE run_id = $1 AND partition_id = $2${forUpdate}`,
    [r.runId, r.partitionId],
    what,
    ctx,
  );
  const committed = await query<{ attempt: number }>(
    client,
    `SELECT attempt FROM ${ledgerTable(schema)} WHERE run_id = $1 AND partition_id = $2${forUpdate}`,
    [r.runId, r.partitionId],
    what,
    ctx,
  );
  const newest = started[0]?.started_fence;
  if (newest !== undefined && newest > r.fence)
    throw fencedError(r.partitionId, r.fence, `attempt ${newest} has started since`);
  const done = committed[0]?.attempt;
  if (done === undefined) return;
  if (done >= r.fence) throw fencedError(r.partitionId, r.fence, `attempt ${done} already committed`);
  if (!r.clearRange)
    throw fencedError(
      r.partitionId,
      r.fence,
      `attempt ${done} already committed it, and loading again without clearing the range would duplicate its rows`,
    );
}

export function fencedError(partitionId: string, fence: number, why: string): FerryError {
  return new FerryError('DATA', `partition ${partitionId} attempt ${fence} is fenced: ${why}`, {
    partition: partitionId,
    retryable: false,
    hint: 'a newer attempt owns this partition; this one was rolled back',
  });
}

/** Inserts or advances the ledger row inside the load transaction; throws DATA "fenced" for a stale attempt. */
export async function recordLoad(
  client: pg.Client,
  schema: string,
  entry: Omit<LedgerEntry, 'committedAt'>,
): Promise<void> {
  const rows = await query<{ attempt: number }>(
    client,
    `INSERT INTO ${ledgerTable(schema)} AS l (run_id, partition_id, table_name, plan_hash, attempt, rows, checksum)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (run_id, partition_id) DO UPDATE
        SET table_name = EXCLUDED.table_name, plan_hash = EXCLUDED.plan_hash, attempt = EXCLUDED.attempt,
            rows = EXCLUDED.rows, checksum = EXCLUDED.checksum, committed_at = now()
      WHERE l.attempt < EXCLUDED.attempt
     RETURNING attempt`,
    [entry.runId, entry.partitionId, entry.table, entry.planHash, entry.attempt, entry.rows, entry.checksum],
    'cannot record the partition in the ledger',
    { partition: entry.partitionId },
  );
  if (rows.length === 0) throw fencedError(entry.partitionId, entry.attempt, 'a newer attempt committed');
}
