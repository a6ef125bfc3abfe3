import type { DuckDBConnection } from '@duckdb/node-api';
import type { KeyStats, TableSpec } from '../../core/index.js';
import { qualifiedName, relationFrom, sampleRelationKeys } from '../../formats/duckdb/index.js';

/**
 * Key statistics of a DuckDB table for partitioning: exact row and NULL-key counts and a seeded reservoir
 * sample of the key, ordered as DuckDB orders it (see formats/duckdb `sampleRelationKeys`).
 */
export function sampleDuckDBKeys(
  conn: DuckDBConnection,
  table: TableSpec,
  keyColumns: string[],
  maxSamples: number,
  signal?: AbortSignal,
): Promise<KeyStats> {
  return sampleRelationKeys(
    conn,
    relationFrom(qualifiedName(table), table),
    table,
    keyColumns,
    maxSamples,
    signal,
  );
}
