import type { DuckDBConnection } from '@duckdb/node-api';
import { FerryError, type LedgerEntry, quoteDouble } from '../../core/index.js';
import { wrapDuckDBError } from '../../formats/duckdb/index.js';
import { LEDGER_DDL, LEDGER_TABLE } from './ddl.js';

const LEDGER = quoteDouble(LEDGER_TABLE);

/** Creates the ledger table if it is missing. */
export async function ensureLedger(conn: DuckDBConnection): Promise<void> {
  try {
    await conn.run(LEDGER_DDL);
  } catch (e) {
    throw wrapDuckDBError(e, { table: LEDGER_TABLE });
  }
}

/** The attempt recorded for a run's partition, or undefined. */
export async function recordedAttempt(
  conn: DuckDBConnection,
  runId: string,
  partitionId: string,
): Promise<number | undefined> {
  const found = await conn.runAndReadAll(
    `SELECT attempt FROM ${LEDGER} WHERE run_id = $1 AND partition_id = $2`,
    [runId, partitionId],
  );
  return found.getRows()[0]?.[0] as number | undefined;
}

/** The DATA error refusing a stale attempt ("fenced"). */
export function fencedError(
  entry: Omit<LedgerEntry, 'committedAt'>,
  recorded: number,
  cause?: unknown,
): FerryError {
  return new FerryError(
    'DATA',
    `partition ${entry.partitionId} attempt ${entry.attempt} is fenced: attempt ${recorded} already committed it`,
    {
      run: entry.runId,
      partition: entry.partitionId,
      table: entry.table,
      retryable: false,
      cause,
      hint: 'a newer attempt owns this partition; this attempt was rolled back and can be dropped',
    },
  );
}

/**
 * Records a partition's commit inside the caller's open transaction: refuses (DATA, "fenced") when the ledger
 * already holds a higher attempt for this run and partition, otherwise inserts or replaces the row. Two
 * concurrent commits of one partition cannot both succeed: the second to commit conflicts on the ledger row
 * (the writer then re-reads the ledger to report a fenced attempt as such).
 */
export async function recordLedgerEntry(
  conn: DuckDBConnection,
  entry: Omit<LedgerEntry, 'committedAt'>,
): Promise<void> {
  const recorded = await recordedAttempt(conn, entry.runId, entry.partitionId);
  if (recorded !== undefined && recorded > entry.attempt) throw fencedError(entry, recorded);
  await conn.run(
    `INSERT INTO ${LEDGER} VALUES ($1, $2, $3, $4, $5, CAST($6 AS BIGINT), $7, current_timestamp)
     ON CONFLICT (run_id, partition_id) DO UPDATE SET table_name = excluded.table_name,
       plan_hash = excluded.plan_hash, attempt = excluded.attempt, "rows" = excluded."rows",
       checksum = excluded.checksum, committed_at = excluded.committed_at`,
    [entry.runId, entry.partitionId, entry.table, entry.planHash, entry.attempt, entry.rows, entry.checksum],
  );
}

/** Committed ledger entries, of one run or all, in run and partition order. */
export async function readLedgerEntries(conn: DuckDBConnection, runId?: string): Promise<LedgerEntry[]> {
  try {
    const exists = await conn.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
         AND schema_name = 'main' AND table_name = $1`,
      [LEDGER_TABLE],
    );
    if (Number(exists.getRows()[0]?.[0] ?? 0) === 0) return [];
    const where = runId === undefined ? '' : 'WHERE run_id = $1';
    const reader = await conn.runAndReadAll(
      `SELECT run_id, partition_id, table_name, plan_hash, attempt, CAST("rows" AS VARCHAR), checksum,
              strftime(committed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')
         FROM ${LEDGER} ${where} ORDER BY run_id, partition_id`,
      runId === undefined ? [] : [runId],
    );
    return (reader.getRows() as [string, string, string, string, number, string, string, string][]).map(
      ([runId, partitionId, table, planHash, attempt, rows, checksum, committedAt]) => ({
        runId,
        partitionId,
        table,
        planHash,
        attempt,
        rows,
        checksum,
        committedAt,
      }),
    );
  } catch (e) {
    throw wrapDuckDBError(e, { table: LEDGER_TABLE });
  }
}
