import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FerryError, type TableRef, type TableSpec, tableName } from '../../core/index.js';
import {
  columnsOfRelation,
  relationColumns,
  sqlString,
  wrapDuckDBError,
} from '../../formats/duckdb/index.js';
import { PARQUET_METADATA, parseTableMetadata, restoreLogicalType } from './types.js';

/** Directory holding ferry's ledger inside a Parquet target; never a table. */
export const LEDGER_DIR = '_ferry_ledger';

/** One table of a Parquet source: its files (or a glob) and the relation that reads them. */
export interface ParquetTable {
  name: string;
  /** Absolute file paths in name order, or one glob pattern that DuckDB expands. */
  files: string[];
  glob?: string;
}

const GLOB = /[*?[{]/;
const hidden = (name: string) => name.startsWith('.') || name.startsWith('_');
const isParquet = (name: string) => name.endsWith('.parquet') && !hidden(name);

/** The FROM expression reading a table's files. */
export function parquetRelation(table: ParquetTable): string {
  if (table.glob) return `read_parquet(${sqlString(table.glob)})`;
  return `read_parquet([${table.files.map(sqlString).join(', ')}])`;
}

async function parquetFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries: Dirent[] = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.isDirectory() && !hidden(e.name)) await walk(join(d, e.name));
      else if (e.isFile() && isParquet(e.name)) out.push(join(d, e.name));
    }
  };
  await walk(dir);
  return out;
}

/**
 * The tables a Parquet path holds:
 * a `.parquet` file is one table named after its stem; a directory holds one table per `.parquet` file in it
 * (named after the stem) and one per subdirectory containing `.parquet` files at any depth (named after the
 * subdirectory; Hive-style `key=value` directories become columns); a glob is one table named after the
 * directory before its first wildcard (`data/orders/*.parquet` → `orders`). Names starting with `.` or `_`
 * (temporary files, ferry's `_ferry_ledger`) are skipped.
 */
export async function discoverParquetTables(path: string): Promise<Map<string, ParquetTable>> {
  const tables = new Map<string, ParquetTable>();
  if (GLOB.test(path)) {
    const fixed = path.slice(0, path.search(GLOB));
    const dir = fixed.endsWith('/') ? fixed.slice(0, -1) : dirname(fixed);
    const name = basename(resolve(dir));
    tables.set(name, { name, files: [], glob: resolve(path) });
    return tables;
  }
  const abs = resolve(path);
  const info = await stat(abs).catch(() => undefined);
  if (!info)
    throw new FerryError('NOT_FOUND', `Parquet path ${path} does not exist`, {
      hint: 'check the parquet: path',
    });
  if (info.isFile()) {
    const name = basename(abs).replace(/\.parquet$/, '');
    tables.set(name, { name, files: [abs] });
    return tables;
  }
  const entries = await readdir(abs, { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (hidden(e.name)) continue;
    let table: ParquetTable | undefined;
    if (e.isFile() && isParquet(e.name))
      table = { name: e.name.replace(/\.parquet$/, ''), files: [join(abs, e.name)] };
    else if (e.isDirectory()) {
      const files = await parquetFilesUnder(join(abs, e.name));
      if (files.length) table = { name: e.name, files };
    }
    if (!table) continue;
    if (tables.has(table.name)) {
      throw new FerryError('CONFIG', `${path} holds both a file and a directory for table ${table.name}`, {
        table: table.name,
        hint: 'move one of them away',
      });
    }
    tables.set(table.name, table);
  }
  return tables;
}

/** The table named by `ref` (its `schema.name` form: directories are named that way) or NOT_FOUND naming it. */
export function findParquetTable(
  tables: Map<string, ParquetTable>,
  ref: TableRef,
  path: string,
): ParquetTable {
  const name = tableName(ref);
  const found = tables.get(name);
  if (!found) {
    throw new FerryError('NOT_FOUND', `table ${name} is not in ${path}`, {
      table: name,
      hint: `tables there: ${[...tables.keys()].join(', ') || 'none'}`,
    });
  }
  return found;
}

async function firstFile(conn: DuckDBConnection, table: ParquetTable): Promise<string | undefined> {
  if (table.files[0]) return table.files[0];
  const r = await conn.runAndReadAll(
    `SELECT file FROM glob(${sqlString(table.glob ?? '')}) ORDER BY file LIMIT 1`,
  );
  return r.getRows()[0]?.[0] as string | undefined;
}

/**
 * The spec of a Parquet table: columns as DuckDB reads them, with the logical types, nullability and primary
 * key restored from ferry's own metadata when the files carry it (see `restoreLogicalType`); the row count from
 * the files' footers and their byte size.
 */
export async function describeParquetTable(conn: DuckDBConnection, table: ParquetTable): Promise<TableSpec> {
  const from = parquetRelation(table);
  try {
    const read = columnsOfRelation(await relationColumns(conn, from, table.name), table.name);
    const sample = await firstFile(conn, table);
    let metadata: ReturnType<typeof parseTableMetadata>;
    if (sample) {
      const kv = await conn.runAndReadAll(
        `SELECT decode(key), decode(value) FROM parquet_kv_metadata(${sqlString(sample)})`,
      );
      const map = new Map(kv.getRows() as [string, string][]);
      metadata = parseTableMetadata(map.get(PARQUET_METADATA.columns), map.get(PARQUET_METADATA.primaryKey));
    }
    const recorded = new Map(metadata?.columns.map((c) => [c.name, c]) ?? []);
    const columns = read.map((c) => {
      const r = recorded.get(c.name);
      return r ? { ...c, type: restoreLogicalType(c.type, r.type), nullable: r.nullable } : c;
    });
    const names = new Set(columns.map((c) => c.name));
    const primaryKey = metadata?.primaryKey.every((k) => names.has(k)) ? metadata.primaryKey : [];
    const sizes = await conn.runAndReadAll(
      `SELECT coalesce(sum(num_rows), 0)::BIGINT, coalesce(sum(file_size_bytes), 0)::BIGINT
         FROM parquet_file_metadata(${table.glob ? sqlString(table.glob) : `[${table.files.map(sqlString).join(', ')}]`})`,
    );
    const [rows, bytes] = sizes.getRows()[0] as [bigint, bigint];
    return {
      name: table.name,
      columns,
      primaryKey,
      estimatedRows: Number(rows),
      estimatedBytes: Number(bytes),
    };
  } catch (e) {
    throw wrapDuckDBError(e, { table: table.name });
  }
}
