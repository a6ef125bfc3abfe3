import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import {
  type Column,
  DEFAULT_BATCH_BYTES,
  FerryError,
  type KeyRange,
  type KeyStats,
  type KeyTuple,
  type ReadOptions,
  type TableSpec,
  quoteDouble,
  tableName,
} from '../../core/index.js';
import { batchReaders, keyText } from '../index.js';
import { wrapDuckDBError } from './errors.js';
import { queryBatches } from './read-batches.js';
import { duckdbRangePredicate } from './sql.js';
import { duckdbTypeName, logicalTypeFromDuckDB } from './types.js';

/**
 * Source operations shared by every connector that reads through DuckDB (DuckDB tables, Parquet files, CSV
 * files): each one names a *relation*, a FROM-clause expression (`"main"."orders"`, `read_parquet([...])`),
 * and these functions describe it, sample its key and read key ranges of it.
 */

/** A column of a relation as DuckDB types it. */
export interface RelationColumn {
  name: string;
  type: DuckDBType;
}

/** The columns of a relation, as DuckDB types them (runs the relation with LIMIT 0). */
export async function relationColumns(
  conn: DuckDBConnection,
  from: string,
  table: string,
): Promise<RelationColumn[]> {
  try {
    const result = await conn.run(`SELECT * FROM ${from} LIMIT 0`);
    const names = result.columnNames();
    const types = result.columnTypes();
    return names.map((name, i) => ({ name, type: types[i]! }));
  } catch (e) {
    throw wrapDuckDBError(e, { table });
  }
}

/**
 * ferry's Columns for a relation's DuckDB columns. `nullable` says which columns may hold NULL (default all).
 * Throws TYPE naming table and column for a type ferry cannot read exactly.
 */
export function columnsOfRelation(
  columns: RelationColumn[],
  table: string,
  nullable: (name: string) => boolean = () => true,
): Column[] {
  return columns.map((c) => ({
    name: c.name,
    type: logicalTypeFromDuckDB(c.type, { table, column: c.name }),
    nullable: nullable(c.name),
    nativeType: duckdbTypeName(c.type),
  }));
}

/**
 * The relation to read a table through: `base` itself, or, when the spec has ENUM columns, a subquery that
 * presents them as VARCHAR.
 */
export function relationFrom(base: string, spec: TableSpec): string {
  if (!spec.columns.some((c) => c.nativeType.startsWith('ENUM('))) return base;
  const list = spec.columns
    .map((c) => {
      const q = quoteDouble(c.name);
      return c.nativeType.startsWith('ENUM(') ? `CAST(${q} AS VARCHAR) AS ${q}` : q;
    })
    .join(', ');
  return `(SELECT ${list} FROM ${base})`;
}

const TEXT_STORED = /^(VARCHAR|JSON|ENUM\()/;

/**
 * A column as the read query selects it. Text columns are selected as their UTF-8 bytes (`encode`, a BLOB):
 * the bytes go straight into the Arrow buffer, which reads text half again as fast as decoding every value to
 * a JS string and encoding it back.
 */
function selectExpression(c: Column): string {
  const q = quoteDouble(c.name);
  return TEXT_STORED.test(c.nativeType) && !c.nativeType.endsWith('[]') ? `encode(${q}) AS ${q}` : q;
}

function columnsNamed(spec: TableSpec, names: string[]): Column[] {
  return names.map((n) => {
    const c = spec.columns.find((x) => x.name === n);
    if (!c) {
      throw new FerryError('SCHEMA_MISMATCH', `column ${n} is not a column of ${tableName(spec)}`, {
        table: tableName(spec),
        column: n,
      });
    }
    return c;
  });
}

/**
 * Key statistics of a relation for partitioning: an exact row count and NULL-key count (one scan), and a
 * reservoir sample of at most `maxSamples` non-NULL key tuples (fixed seed, so the same data gives the same
 * plan), ordered by the key as DuckDB orders it, as canonical key text.
 * `from` must already present ENUM columns as VARCHAR (see {@link relationFrom}).
 */
export async function sampleRelationKeys(
  conn: DuckDBConnection,
  from: string,
  spec: TableSpec,
  keyColumns: string[],
  maxSamples: number,
  signal?: AbortSignal,
): Promise<KeyStats> {
  const table = tableName(spec);
  const keys = columnsNamed(spec, keyColumns);
  if (keys.length === 0)
    throw new FerryError('INTERNAL', `sampling ${table} needs at least one key column`, { table });
  const cols = keys.map((k) => quoteDouble(k.name));
  const anyNull = cols.map((c) => `${c} IS NULL`).join(' OR ');
  let rows = 0;
  let nullKeyRows = 0;
  try {
    const counts = await conn.runAndReadAll(
      `SELECT count(*)::BIGINT, (count(*) FILTER (WHERE ${anyNull}))::BIGINT FROM ${from}`,
    );
    const [total, nulls] = counts.getRows()[0] as [bigint, bigint];
    rows = Number(total);
    nullKeyRows = Number(nulls);
  } catch (e) {
    throw wrapDuckDBError(e, { table });
  }
  const samples: KeyTuple[] = [];
  const n = Math.max(0, Math.floor(maxSamples));
  if (n > 0 && rows > nullKeyRows) {
    const sql =
      `SELECT ${cols.join(', ')} FROM (SELECT ${cols.join(', ')} FROM ${from} WHERE NOT (${anyNull})) ` +
      `USING SAMPLE reservoir(${n} ROWS) REPEATABLE (20240607) ORDER BY ${cols.join(', ')}`;
    const options = { batchRows: n, table, ...(signal ? { signal } : {}) };
    for await (const batch of queryBatches(conn, sql, [], keys, options)) {
      const readers = batchReaders(batch);
      for (let r = 0; r < batch.numRows; r++) {
        samples.push(readers.map((reader, i) => keyText(reader.get(r)!, keys[i]!.type, keys[i]!.name)));
      }
    }
  }
  return { rows, exact: true, nullKeyRows, samples };
}

/**
 * Streams one key range of a relation as Arrow batches (see `queryBatches`). `options.columns` selects and
 * orders columns (default: all of the spec). `from` must present ENUM columns as VARCHAR (see {@link relationFrom}).
 */
export function readRelation(
  conn: DuckDBConnection,
  from: string,
  spec: TableSpec,
  range: KeyRange,
  options: ReadOptions,
): AsyncIterable<RecordBatch> {
  const table = tableName(spec);
  const columns = options.columns ? columnsNamed(spec, options.columns) : spec.columns;
  const predicate = duckdbRangePredicate(range, spec.columns);
  const sql = `SELECT ${columns.map(selectExpression).join(', ')} FROM ${from} WHERE ${predicate.sql}`;
  const keyColumns = range.columns.map((k) => columns.findIndex((c) => c.name === k)).filter((i) => i >= 0);
  return queryBatches(conn, sql, predicate.params, columns, {
    batchRows: options.batchRows,
    batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
    table,
    keyColumns,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
