import type { DuckDBConnection } from '@duckdb/node-api';
import { type ForeignKey, type TableRef, type TableSpec, tableName } from '../../core/index.js';
import {
  columnsOfRelation,
  qualifiedName,
  relationColumns,
  wrapDuckDBError,
} from '../../formats/duckdb/index.js';
import { LEDGER_TABLE } from './ddl.js';

/** DuckDB's default schema: tables in it are named without a schema (`orders`, not `main.orders`). */
export const DEFAULT_SCHEMA = 'main';

const schemaOf = (ref: TableRef) => ref.schema ?? DEFAULT_SCHEMA;

function refOf(schema: string, name: string): TableRef {
  return schema === DEFAULT_SCHEMA ? { name } : { schema, name };
}

/** User tables and views of the database, in schema and name order, without ferry's ledger. */
export async function listDuckDBTables(conn: DuckDBConnection): Promise<TableRef[]> {
  try {
    const reader = await conn.runAndReadAll(
      `SELECT schema_name, table_name FROM duckdb_tables()
         WHERE database_name = current_database() AND NOT internal AND NOT temporary
       UNION ALL
       SELECT schema_name, view_name FROM duckdb_views()
         WHERE database_name = current_database() AND NOT internal AND NOT temporary
       ORDER BY 1, 2`,
    );
    return (reader.getRows() as [string, string][])
      .filter(([schema, name]) => !(schema === DEFAULT_SCHEMA && name === LEDGER_TABLE))
      .map(([schema, name]) => refOf(schema, name));
  } catch (e) {
    throw wrapDuckDBError(e, {});
  }
}

interface Catalogued {
  view: boolean;
  estimatedRows: number;
}

async function catalogue(conn: DuckDBConnection, ref: TableRef): Promise<Catalogued | undefined> {
  const reader = await conn.runAndReadAll(
    `SELECT false, estimated_size FROM duckdb_tables()
       WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2
     UNION ALL
     SELECT true, 0 FROM duckdb_views()
       WHERE database_name = current_database() AND schema_name = $1 AND view_name = $2`,
    [schemaOf(ref), ref.name],
  );
  const row = reader.getRows()[0] as [boolean, bigint | number] | undefined;
  return row ? { view: row[0], estimatedRows: Number(row[1]) } : undefined;
}

/** A rough byte size per value of a DuckDB type, for the byte estimate that sizes partitions. */
function widthOf(nativeType: string): number {
  if (/^(VARCHAR|JSON|BLOB|BIGNUM)|\[\]$/.test(nativeType)) return 32;
  if (/^(HUGEINT|UHUGEINT|UUID|INTERVAL|DECIMAL\((19|[2-3]\d))/.test(nativeType)) return 16;
  if (/^(BOOLEAN|TINYINT|UTINYINT)/.test(nativeType)) return 1;
  if (/^(SMALLINT|USMALLINT)/.test(nativeType)) return 2;
  if (/^(INTEGER|UINTEGER|FLOAT|DATE)/.test(nativeType)) return 4;
  return 8;
}

/**
 * The spec of a table or view, or undefined when there is none: columns with exact logical types (TYPE error
 * for a column ferry cannot read exactly), nullability, primary, unique and foreign keys, and DuckDB's row
 * estimate (views: 0, unknown).
 */
export async function describeDuckDBTable(
  conn: DuckDBConnection,
  ref: TableRef,
): Promise<TableSpec | undefined> {
  const table = tableName(ref);
  try {
    const found = await catalogue(conn, ref);
    if (!found) return undefined;
    const schema = schemaOf(ref);
    const nullability = await conn.runAndReadAll(
      `SELECT column_name, is_nullable FROM duckdb_columns()
         WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2`,
      [schema, ref.name],
    );
    const notNull = new Set(
      (nullability.getRows() as [string, boolean][]).filter(([, nullable]) => !nullable).map(([n]) => n),
    );
    const columns = columnsOfRelation(
      await relationColumns(conn, qualifiedName({ schema, name: ref.name }), table),
      table,
      (name) => !notNull.has(name),
    );
    const constraints = await conn.runAndReadAll(
      `SELECT constraint_type, constraint_column_names, referenced_table, referenced_column_names
         FROM duckdb_constraints()
         WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2
         ORDER BY constraint_index`,
      [schema, ref.name],
    );
    const primaryKey: string[] = [];
    const uniqueKeys: string[][] = [];
    const foreignKeys: ForeignKey[] = [];
    for (const row of constraints.getRowsJS() as [string, string[], string | null, string[] | null][]) {
      const [type, cols, refTable, refCols] = row;
      if (type === 'PRIMARY KEY') primaryKey.push(...cols);
      else if (type === 'UNIQUE') uniqueKeys.push(cols);
      else if (type === 'FOREIGN KEY' && refTable) {
        foreignKeys.push({
          columns: cols,
          references: refOf(schema, refTable),
          referencedColumns: refCols ?? [],
        });
      }
    }
    const rowBytes = columns.reduce((sum, c) => sum + widthOf(c.nativeType), 0);
    const spec: TableSpec = {
      ...ref,
      columns,
      primaryKey,
      estimatedRows: found.estimatedRows,
      estimatedBytes: found.estimatedRows * rowBytes,
    };
    if (uniqueKeys.length) spec.uniqueKeys = uniqueKeys;
    if (foreignKeys.length) spec.foreignKeys = foreignKeys;
    return spec;
  } catch (e) {
    throw wrapDuckDBError(e, { table });
  }
}
