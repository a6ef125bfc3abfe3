import type { DuckDBConnection } from '@duckdb/node-api';
import type { KeyStats, TableSpec } from '../../core/index.js';
import { relationFrom, sampleRelationKeys } from '../../formats/duckdb/index.js';
import { type ParquetTable, parquetRelation } from './introspect.js';

/**
 * Key statistics of a Parquet table for partitioning: exact row and NULL-key counts and a seeded reservoir
 * sample of the key, ordered as DuckDB orders it (see formats/duckdb `sampleRelationKeys`).
 */
export function sampleParquetKeys(
  conn: DuckDBConnection,
  files: ParquetTable,
  table: TableSpec,
  keyColumns: string[],
  maxSamples: number,
  signal?: AbortSignal,
): Promise<KeyStats> {
  return sampleRelationKeys(
    conn,
    relationFrom(parquetRelation(files), table),
    table,
    keyColumns,
    maxSamples,
    signal,
  );
}
