import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  type Column,
  FerryError,
  type TableRef,
  type TableSpec,
  quoteDouble,
  tableName,
} from '../../core/index.js';
import {
  columnsOfRelation,
  relationColumns,
  sqlString,
  wrapDuckDBError,
} from '../../formats/duckdb/index.js';

const CSV_FILE = /\.(csv|tsv)(\.gz)?$/i;

/** The file stem that names a CSV table: `orders.csv.gz` → `orders`. */
export function csvTableName(file: string): string {
  return basename(file).replace(CSV_FILE, '');
}

/** The CSV files a path holds, by table name: the file itself, or every `.csv`/`.tsv` (optionally `.gz`) in a directory. */
export async function discoverCsvFiles(path: string): Promise<Map<string, string>> {
  const abs = resolve(path);
  const info = await stat(abs).catch(() => undefined);
  if (!info)
    throw new FerryError('NOT_FOUND', `CSV path ${path} does not exist`, { hint: 'check the csv: path' });
  const files = new Map<string, string>();
  if (info.isFile()) {
    files.set(csvTableName(abs), abs);
    return files;
  }
  for (const name of (await readdir(abs)).sort()) {
    if (!CSV_FILE.test(name) || name.startsWith('.')) continue;
    const table = csvTableName(name);
    if (files.has(table)) {
      throw new FerryError('CONFIG', `${path} holds two files for table ${table}`, {
        table,
        hint: 'keep one of them',
      });
    }
    files.set(table, join(abs, name));
  }
  return files;
}

/** The table named by `ref`, or NOT_FOUND naming it. */
export function findCsvFile(files: Map<string, string>, ref: TableRef, path: string): string {
  const file = files.get(tableName(ref));
  if (!file) {
    throw new FerryError('NOT_FOUND', `table ${tableName(ref)} is not in ${path}`, {
      table: tableName(ref),
      hint: `tables there: ${[...files.keys()].join(', ') || 'none'}`,
    });
  }
  return file;
}

/** The dialect DuckDB's sniffer found in a CSV file, and the types it guessed. */
export interface CsvDialect {
  delim: string;
  quote: string;
  escape: string;
  comment: string;
  skip: number;
  header: boolean;
  sniffed: { name: string; type: string }[];
}

const empty = (s: string) => (s === '(empty)' ? '' : s);

/** Sniffs a file's dialect (delimiter, quote, escape, header…) once; every later read states it explicitly. */
export async function sniffCsv(conn: DuckDBConnection, file: string): Promise<CsvDialect> {
  try {
    const r = await conn.runAndReadAll(
      `SELECT Delimiter, Quote, Escape, Comment, SkipRows, HasHeader, Columns FROM sniff_csv(${sqlString(file)})`,
    );
    const row = r.getRowsJS()[0] as [
      string,
      string,
      string,
      string,
      number,
      boolean,
      { name: string; type: string }[],
    ];
    return {
      delim: row[0],
      quote: empty(row[1]),
      escape: empty(row[2]),
      comment: empty(row[3]),
      skip: Number(row[4]),
      header: row[5],
      sniffed: row[6],
    };
  } catch (e) {
    throw wrapDuckDBError(e, { table: csvTableName(file) }, 'DATA');
  }
}

/**
 * The `read_csv(…)` relation for a file with an explicit dialect and column types. Quoted empty fields read
 * as empty strings and unquoted empty fields as NULL (`allow_quoted_nulls=false`), so both survive.
 */
export function csvRelation(
  file: string,
  dialect: CsvDialect,
  columns: { name: string; type: string }[],
): string {
  const cols = columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ');
  return (
    `read_csv(${sqlString(file)}, auto_detect=false, delim=${sqlString(dialect.delim)}, ` +
    `quote=${sqlString(dialect.quote)}, escape=${sqlString(dialect.escape)}, comment=${sqlString(dialect.comment)}, ` +
    `skip=${dialect.skip}, header=${dialect.header}, allow_quoted_nulls=false, columns={${cols}})`
  );
}

/** Sniffed types ferry keeps when every value's text is exactly the typed value's canonical text. */
const LOSSLESS = new Set(['BIGINT', 'BOOLEAN', 'DATE', 'TIMESTAMP']);

/**
 * Decides each column's type exactly, and counts the rows, in one scan: a column sniffed as BIGINT, BOOLEAN,
 * DATE or TIMESTAMP keeps that type only when, for every non-NULL value, casting the text and printing it back
 * gives the same text (so `007`, `+5`, `True`, `2020-1-5` or nanosecond timestamps keep the column as text);
 * everything else (DOUBLE too: `1.50` would become 1.5) is VARCHAR.
 */
export async function provenColumns(
  conn: DuckDBConnection,
  file: string,
  dialect: CsvDialect,
): Promise<{ types: { name: string; type: string }[]; rows: number }> {
  const candidates = dialect.sniffed.filter((c) => LOSSLESS.has(c.type));
  const asText = dialect.sniffed.map((c) => ({ name: c.name, type: 'VARCHAR' }));
  const checks = candidates.map((c) => {
    const q = quoteDouble(c.name);
    return `, count(*) FILTER (WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS ${c.type})::VARCHAR IS DISTINCT FROM ${q})`;
  });
  try {
    const r = await conn.runAndReadAll(
      `SELECT count(*)${checks.join('')} FROM ${csvRelation(file, dialect, asText)}`,
    );
    const [rows, ...failures] = (r.getRows()[0] ?? []) as bigint[];
    const proven = new Map(candidates.map((c, i) => [c.name, failures[i] === 0n ? c.type : 'VARCHAR']));
    const types = dialect.sniffed.map((c) => ({ name: c.name, type: proven.get(c.name) ?? 'VARCHAR' }));
    return { types, rows: Number(rows ?? 0n) };
  } catch (e) {
    throw wrapDuckDBError(e, { table: csvTableName(file) }, 'DATA');
  }
}

/** The spec of a CSV table: proven column types (see {@link provenColumns}), no key, an exact row count. */
export async function describeCsv(
  conn: DuckDBConnection,
  file: string,
  dialect: CsvDialect,
): Promise<{ spec: TableSpec; relation: string }> {
  const table = csvTableName(file);
  const { types, rows } = await provenColumns(conn, file, dialect);
  const relation = csvRelation(file, dialect, types);
  try {
    const columns: Column[] = columnsOfRelation(await relationColumns(conn, relation, table), table);
    const bytes = (await stat(file)).size;
    return {
      spec: { name: table, columns, primaryKey: [], estimatedRows: rows, estimatedBytes: bytes },
      relation,
    };
  } catch (e) {
    throw wrapDuckDBError(e, { table }, 'DATA');
  }
}
