import { type Column, type LogicalType, type TableRef, type TableSpec, tableName } from '../../core/index.js';
import { arrowTypeFor } from '../../formats/index.js';
import { duckdbTypeSql } from '../../formats/duckdb/index.js';

/**
 * The DuckDB type a logical type is written to Parquet as, chosen so that every value survives exactly:
 * DuckDB's Parquet writer stores INTERVAL with millisecond precision and has no BIGNUM or decimal wider than
 * 38 digits, so intervals and such decimals are stored as their exact canonical text (VARCHAR) and the file's
 * `ferry.columns` metadata records the logical type, which the Parquet source restores. Everything else maps as
 * in a DuckDB database (uint64 → UBIGINT, timestamptz → TIMESTAMPTZ adjusted to UTC, uuid → UUID, json → JSON,
 * list → LIST).
 */
export function parquetNativeType(type: LogicalType, table = '?', column = '?'): string {
  if (type.kind === 'interval') return 'VARCHAR';
  if (type.kind === 'list') return `${parquetNativeType(type.element, table, column)}[]`;
  return duckdbTypeSql(type, { table, column }, { inexact: 'text', bignum: false });
}

/** The Parquet table for a source table: same columns, nullability and key, types as {@link parquetNativeType}. */
export function mapParquetTable(source: TableSpec, name: TableRef): TableSpec {
  const table = tableName(name);
  const columns: Column[] = source.columns.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    nativeType: parquetNativeType(c.type, table, c.name),
  }));
  const spec: TableSpec = {
    name: name.name,
    columns,
    primaryKey: [...source.primaryKey],
    estimatedRows: source.estimatedRows,
    estimatedBytes: source.estimatedBytes,
  };
  if (name.schema) spec.schema = name.schema;
  return spec;
}

/**
 * The logical type of a column read from a ferry-written file: the recorded type when it travels in the same
 * Arrow representation as the type read from the file (an interval or wide decimal stored as text, a uint16
 * stored as INTEGER…), otherwise the type read. So ferry's own files round-trip their logical types, and a
 * file edited by another tool is still read as what it holds.
 */
export function restoreLogicalType(read: LogicalType, recorded: LogicalType | undefined): LogicalType {
  if (!recorded) return read;
  return String(arrowTypeFor(read)) === String(arrowTypeFor(recorded)) ? recorded : read;
}

/** The metadata keys ferry writes into every Parquet file it produces. */
export const PARQUET_METADATA = {
  columns: 'ferry.columns',
  primaryKey: 'ferry.primary_key',
} as const;

/** What ferry records about a table in each Parquet file: columns with logical types, and the primary key. */
export interface ParquetTableMetadata {
  columns: { name: string; type: LogicalType; nullable: boolean }[];
  primaryKey: string[];
}

/** Parses recorded metadata; undefined when absent or not ferry's (never an error: the file still reads). */
export function parseTableMetadata(columns?: string, primaryKey?: string): ParquetTableMetadata | undefined {
  if (!columns) return undefined;
  try {
    const parsed = JSON.parse(columns) as ParquetTableMetadata['columns'];
    const key = primaryKey ? (JSON.parse(primaryKey) as string[]) : [];
    if (!Array.isArray(parsed) || !Array.isArray(key)) return undefined;
    return { columns: parsed, primaryKey: key };
  } catch {
    return undefined;
  }
}
