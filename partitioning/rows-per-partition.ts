import { formatBytes, type TableSpec } from '../core/index.js';

/** A table's wanted rows per partition, and how a byte target came to it (for the plan's reason). */
export interface PartitionSize {
  rows: number;
  /** Set when `partitionBytes` was asked for, e.g. `64.0 MiB at ~120 bytes per row`. */
  note?: string;
}

/**
 * Rows per partition: `partitionRows`, or with a byte target as many of the table's average rows (the
 * source's size estimate over its row estimate) as fill `partitionBytes`, at least one. The estimate is the
 * source's stored size (PostgreSQL's table with TOAST, MySQL's data length, a Parquet file compressed), not
 * the bytes on the wire; a table without one keeps `partitionRows`, and the note says so.
 */
export function rowsPerPartition(
  spec: Pick<TableSpec, 'estimatedRows' | 'estimatedBytes'>,
  partitionRows: number,
  partitionBytes?: number,
): PartitionSize {
  if (partitionBytes === undefined) return { rows: partitionRows };
  const target = `partition_bytes ${formatBytes(partitionBytes)}`;
  if (!(spec.estimatedRows > 0 && spec.estimatedBytes > 0))
    return { rows: partitionRows, note: `${target}: no size estimate, so ${partitionRows} rows each` };
  const rowBytes = spec.estimatedBytes / spec.estimatedRows;
  const rows = Math.max(1, Math.floor(partitionBytes / rowBytes));
  return { rows, note: `${target} at ~${Math.round(rowBytes)} bytes per row` };
}
