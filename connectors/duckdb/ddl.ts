import { type TableSpec, quoteDouble } from '../../core/index.js';
import { qualifiedName } from '../../formats/duckdb/index.js';

/** The ledger table ferry keeps in every DuckDB target: one row per run and partition. */
export const LEDGER_TABLE = '_ferry_ledger';

/** The ledger's DDL (idempotent). `attempt` is the fence: a commit with a lower attempt is refused. */
export const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS ${quoteDouble(LEDGER_TABLE)} (
  run_id VARCHAR NOT NULL,
  partition_id VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  plan_hash VARCHAR NOT NULL,
  attempt INTEGER NOT NULL,
  "rows" BIGINT NOT NULL,
  checksum VARCHAR NOT NULL,
  committed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (run_id, partition_id)
)`;

/**
 * `CREATE TABLE` for a target table: columns with their native types (from `mapTable`) and NOT NULL where the
 * spec says so. The primary key is added by `finishTable`, after loading: appending into a table without an
 * index is faster, and a duplicate key then fails the table once, naming the constraint.
 */
export function createTableSql(table: TableSpec): string {
  const cols = table.columns.map(
    (c) => `  ${quoteDouble(c.name)} ${c.nativeType}${c.nullable ? '' : ' NOT NULL'}`,
  );
  return `CREATE TABLE ${qualifiedName(table)} (\n${cols.join(',\n')}\n)`;
}

/** `CREATE SCHEMA IF NOT EXISTS` for a table outside DuckDB's default schema, or undefined. */
export function createSchemaSql(table: TableSpec): string | undefined {
  return table.schema && table.schema !== 'main'
    ? `CREATE SCHEMA IF NOT EXISTS ${quoteDouble(table.schema)}`
    : undefined;
}

/** `ALTER TABLE … ADD PRIMARY KEY (…)` for a table whose spec has a primary key. */
export function addPrimaryKeySql(table: TableSpec): string {
  return `ALTER TABLE ${qualifiedName(table)} ADD PRIMARY KEY (${table.primaryKey.map(quoteDouble).join(', ')})`;
}
