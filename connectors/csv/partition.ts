import type { DuckDBConnection } from '@duckdb/node-api';
import type { KeyStats, TableSpec } from '../../core/index.js';
import { sampleRelationKeys } from '../../formats/duckdb/index.js';

/**
 * Key statistics of a CSV table for partitioning. CSV files have no key, so a plan normally loads each as one
 * partition; when a key is configured, this gives exact counts and a seeded reservoir sample like every
 * DuckDB-read source (see formats/duckdb `sampleRelationKeys`).
 */
export function sampleCsvKeys(
  conn: DuckDBConnection,
  relation: string,
  table: TableSpec,
  keyColumns: string[],
  maxSamples: number,
  signal?: AbortSignal,
): Promise<KeyStats> {
  return sampleRelationKeys(conn, relation, table, keyColumns, maxSamples, signal);
}
