import type pg from 'pg';
import { FerryError, type LedgerEntry } from '../../core/index.js';
import { query } from './connection.js';
import { ident, LEDGER_NAME } from './sql-text.js';

/**
 * The ledger table `<schema>._ferry_ledger` (schema `ferry` unless the endpoint's `ledger_schema` says
 * otherwise): one row per committed partition load, written in the same transaction as the rows.
 * The attempt is a fencing number: a commit whose attempt is not higher than the recorded one is refused.
 */
export function ledgerTable(schema: string): string {
  return `${ident(schema)}.${ident(LEDGER_NAME)}`;
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

/** The attempt recorded for a partition, or undefined. */
export async function recordedAttempt(
  client: pg.Client,
  schema: string,
  runId: string,
  partitionId: string,
): Promise<number | undefined> {
  const rows = await query<{ attempt: number }>(
    client,
    `SELECT attempt FROM ${ledgerTable(schema)} WHERE run_id = $1 AND partition_id = $2`,
    [runId, partitionId],
    'cannot read the ledger',
  );
  return rows[0]?.attempt;
}

export function fencedError(partitionId: string, attempt: number, recorded: number): FerryError {
  return new FerryError(
    'DATA',
    `partition ${partitionId} attempt ${attempt} is fenced: attempt ${recorded} already committed`,
    { partition: partitionId, hint: 'a newer attempt owns this partition; this one was rolled back' },
  );
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
  if (rows.length === 0) {
    const recorded = await recordedAttempt(client, schema, entry.runId, entry.partitionId);
    throw fencedError(entry.partitionId, entry.attempt, recorded ?? entry.attempt);
  }
}
