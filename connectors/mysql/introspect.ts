import {
  type Column,
  type ForeignKey,
  type IndexSpec,
  type TableRef,
  type TableSpec,
  quoteBacktick,
  tableName,
} from '../../core/index.js';
import { type Conn, rows } from './connection.js';
import { decoderFor } from './decode.js';
import { wrapMysqlError } from './errors.js';
import { parseNativeType } from './native-type.js';
import { ATTEMPTS_TABLE, LEDGER_TABLE } from './ddl.js';
import { type ReadTypeOptions, logicalFromComment, logicalFromNative, widthOf } from './types.js';

/**
 * Introspection from information_schema: tables and views, columns (type, charset and collation, unsigned,
 * zerofill, generated, auto_increment, ferry comments), primary, unique and foreign keys, indexes, and the
 * server's row and byte estimates.
 */

/** An index of a table other than the primary key (which is `TableSpec.primaryKey`). */
export interface MysqlIndex {
  name: string;
  columns: string[];
  unique: boolean;
  /** Each part as DDL (`\`c\`(10)` for a prefix), undefined for a functional part. */
  parts: (string | undefined)[];
}

/** What MySQL knows about a table beyond TableSpec. */
export interface MysqlTableDetails {
  spec: TableSpec;
  indexes: MysqlIndex[];
  /** The table's next AUTO_INCREMENT value, when it has such a column. */
  autoIncrement?: string;
  view: boolean;
  engine?: string;
}

/** Base tables and views of `database`, by name, without ferry's ledger. */
export async function listMysqlTables(conn: Conn, database: string): Promise<TableRef[]> {
  const found = await rows<{ name: string }>(
    conn,
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
      ORDER BY TABLE_NAME`,
    [database],
  );
  return found
    .filter((r) => r.name !== LEDGER_TABLE && r.name !== ATTEMPTS_TABLE)
    .map((r) => ({ schema: database, name: r.name }));
}

interface ColumnRow {
  name: string;
  nullable: string;
  column_type: string;
  charset: string | null;
  collation: string | null;
  extra: string;
  generation: string | null;
  comment: string;
}

interface CheckRow {
  name: string;
  clause: string;
}

/**
 * The native type string ferry keeps for a column (see native-type.ts): COLUMN_TYPE, the charset and collation
 * of character columns, and `json` for MariaDB's JSON (a LONGTEXT with a json_valid CHECK of the same name).
 */
function nativeOf(c: ColumnRow, jsonColumns: Set<string>): string {
  if (jsonColumns.has(c.name) && /^longtext$/i.test(c.column_type)) return 'json';
  if (!c.charset) return c.column_type;
  return `${c.column_type} CHARACTER SET ${c.charset}${c.collation ? ` COLLATE ${c.collation}` : ''}`;
}

/**
 * The spec and details of a table or view, or undefined when there is none. Columns get exact logical types
 * (TYPE error naming table and column for one ferry cannot read exactly); a ferry comment restores the logical
 * type a ferry target stored. With `zero_dates=null`, date and time columns are nullable. With `qualify`, the
 * spec names its database even when `ref` does not (sources: plans and target schemas use it).
 */
export async function describeMysqlTable(
  conn: Conn,
  ref: TableRef,
  database: string,
  options: ReadTypeOptions,
  qualify: boolean,
): Promise<MysqlTableDetails | undefined> {
  const schema = ref.schema ?? database;
  const table = tableName({ schema, name: ref.name });
  try {
    const [info] = await rows<{
      type: string;
      engine: string | null;
      table_rows: string | null;
      bytes: string | null;
      ai: string | null;
    }>(
      conn,
      `SELECT TABLE_TYPE AS type, ENGINE AS engine, TABLE_ROWS AS table_rows, DATA_LENGTH AS bytes,
              AUTO_INCREMENT AS ai
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
      [schema, ref.name],
    );
    if (!info) return undefined;
    const columnRows = await rows<ColumnRow>(
      conn,
      `SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable, COLUMN_TYPE AS column_type,
              CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, EXTRA AS extra,
              GENERATION_EXPRESSION AS generation, COLUMN_COMMENT AS comment
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
         ORDER BY ORDINAL_POSITION`,
      [schema, ref.name],
    );
    const jsonColumns = new Set<string>();
    try {
      // MariaDB: JSON is LONGTEXT with a CHECK (json_valid(`col`)). MySQL 8 has a real JSON type (and no
      // TABLE_NAME in CHECK_CONSTRAINTS, hence the fallback).
      const checks = await rows<CheckRow>(
        conn,
        `SELECT CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`,
        [schema, ref.name],
      );
      for (const c of checks) {
        const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(c.clause.trim());
        if (m) jsonColumns.add(m[1]!.replaceAll('``', '`'));
      }
    } catch {
      // Not MariaDB: JSON columns say so themselves.
    }
    const columns: Column[] = columnRows.map((c) => columnOf(c, jsonColumns, table, options));
    const keys = await rows<{
      name: string;
      non_unique: string | number;
      column: string | null;
      sub: string | null;
    }>(
      conn,
      `SELECT INDEX_NAME AS name, NON_UNIQUE AS non_unique, COLUMN_NAME AS \`column\`, SUB_PART AS sub
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
         ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
      [schema, ref.name],
    );
    const byIndex = new Map<string, MysqlIndex>();
    for (const k of keys) {
      let index = byIndex.get(k.name);
      if (!index) {
        index = { name: k.name, columns: [], unique: Number(k.non_unique) === 0, parts: [] };
        byIndex.set(k.name, index);
      }
      // A functional index part (MySQL 8) has no column: the index is then not copied.
      index.parts.push(
        k.column === null ? undefined : `${quoteBacktick(k.column)}${k.sub ? `(${Number(k.sub)})` : ''}`,
      );
      if (k.column) index.columns.push(k.column);
    }
    const primaryKey = byIndex.get('PRIMARY')?.columns ?? [];
    byIndex.delete('PRIMARY');
    const indexes = [...byIndex.values()];
    const foreignKeys = await foreignKeysOf(conn, schema, ref.name);
    const estimatedRows = Number(info.table_rows ?? 0);
    const dataBytes = Number(info.bytes ?? 0);
    const spec: TableSpec = {
      ...(ref.schema || qualify ? { schema } : {}),
      name: ref.name,
      columns,
      primaryKey,
      estimatedRows,
      estimatedBytes: dataBytes || estimatedRows * columns.reduce((s, c) => s + widthOf(c.type), 0),
    };
    const unique = indexes.filter((i) => i.unique).map((i) => i.columns);
    if (unique.length) spec.uniqueKeys = unique;
    const secondary: IndexSpec[] = indexes
      .filter((i) => !i.unique)
      .map((i) => {
        const index: IndexSpec = {
          name: i.name,
          columns: i.parts.every(Boolean) ? i.columns : [],
          unique: false,
        };
        if (i.parts.every(Boolean)) index.definition = `KEY ${quoteBacktick(i.name)} (${i.parts.join(', ')})`;
        return index;
      });
    if (secondary.length) spec.indexes = secondary;
    if (foreignKeys.length) spec.foreignKeys = foreignKeys;
    const details: MysqlTableDetails = { spec, indexes, view: info.type === 'VIEW' };
    if (info.engine) details.engine = info.engine;
    if (info.ai !== null && info.ai !== undefined) details.autoIncrement = String(info.ai);
    return details;
  } catch (e) {
    throw wrapMysqlError(e, { table });
  }
}

function columnOf(c: ColumnRow, jsonColumns: Set<string>, table: string, options: ReadTypeOptions): Column {
  const nativeType = nativeOf(c, jsonColumns);
  const where = { table, column: c.name };
  let type = logicalFromNative(nativeType, options, where);
  const recorded = logicalFromComment(c.comment);
  if (recorded && decoderFor(recorded, parseNativeType(nativeType), options)) type = recorded;
  const temporal = type.kind === 'date' || type.kind === 'timestamp';
  const column: Column = {
    name: c.name,
    type,
    nullable: c.nullable === 'YES' || (temporal && options.zeroDates === 'null'),
    nativeType,
  };
  if (/auto_increment/i.test(c.extra)) column.identity = true;
  if (/GENERATED/i.test(c.extra) && c.generation) column.generated = c.generation;
  return column;
}

async function foreignKeysOf(conn: Conn, schema: string, name: string): Promise<ForeignKey[]> {
  const found = await rows<{
    name: string;
    column: string;
    ref_schema: string;
    ref_table: string;
    ref_column: string;
  }>(
    conn,
    `SELECT CONSTRAINT_NAME AS name, COLUMN_NAME AS \`column\`, REFERENCED_TABLE_SCHEMA AS ref_schema,
            REFERENCED_TABLE_NAME AS ref_table, REFERENCED_COLUMN_NAME AS ref_column
       FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION`,
    [schema, name],
  );
  const byName = new Map<string, ForeignKey>();
  for (const r of found) {
    let fk = byName.get(r.name);
    if (!fk) {
      const references: TableRef = { schema: r.ref_schema, name: r.ref_table };
      fk = { name: r.name, columns: [], references, referencedColumns: [] };
      byName.set(r.name, fk);
    }
    fk.columns.push(r.column);
    fk.referencedColumns.push(r.ref_column);
  }
  return [...byName.values()];
}
