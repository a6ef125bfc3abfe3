import { type DuckDBConnection, type DuckDBValue, VARCHAR } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { type Column, FerryError, isFerryError } from '../../core/index.js';
import { BatchBuilder, type JsValue } from '../index.js';
import { wrapDuckDBError } from './errors.js';
import { type FromDuckDB, converterFor } from './from-duckdb.js';

/**
 * Rows converted column by column before the batch's size is checked: a batch overshoots `batchBytes` by at
 * most this many rows.
 */
const SLICE_ROWS = 256;

/** Options for {@link queryBatches}. */
export interface QueryBatchesOptions {
  /** Maximum rows per batch. */
  batchRows: number;
  /** A batch also ends once its Arrow buffers reach this many bytes (checked every `SLICE_ROWS` rows). */
  batchBytes?: number;
  signal?: AbortSignal;
  /** Table name for error messages. */
  table: string;
  /** Result column indexes of the key, to name the row's key in a value error. */
  keyColumns?: number[];
}

/**
 * Runs a query and streams its result as Arrow batches of at most `batchRows` rows, in ferry's JsValue domain
 * (`columns` give the logical types, one per result column, in order). Memory stays bounded: DuckDB's
 * streaming result is pulled one vector-sized chunk (2048 rows) at a time, never materialised.
 *
 *   query ─► fetchChunk (≤ 2048 rows) ─► per column: vector.getItem → convert → ColumnBuilder ─► batch
 *
 * Key parameters are bound as VARCHAR: the SQL casts each one to its key column's type.
 * Aborting the signal interrupts the query and throws ABORTED.
 */
export async function* queryBatches(
  conn: DuckDBConnection,
  sql: string,
  params: string[],
  columns: Column[],
  options: QueryBatchesOptions,
): AsyncGenerator<RecordBatch> {
  const { signal, table } = options;
  const batchRows = Math.max(1, options.batchRows);
  const batchBytes = options.batchBytes ?? Number.POSITIVE_INFINITY;
  signal?.throwIfAborted();
  const onAbort = () => conn.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const values: DuckDBValue[] = params;
    const result = await conn
      .stream(
        sql,
        values,
        params.map(() => VARCHAR),
      )
      .catch((e: unknown) => {
        throw wrapDuckDBError(e, { table });
      });
    const types = result.columnTypes();
    if (types.length !== columns.length) {
      throw new FerryError(
        'INTERNAL',
        `query on ${table} returned ${types.length} columns, expected ${columns.length}`,
        {
          table,
        },
      );
    }
    const converters: (FromDuckDB | null)[] = types.map((t, i) =>
      converterFor(t, { table, column: columns[i]!.name }),
    );
    const builder = new BatchBuilder(columns, batchRows);
    const width = columns.length;
    for (;;) {
      if (signal?.aborted) throw abortError(table, signal);
      const chunk = await result.fetchChunk().catch((e: unknown) => {
        throw signal?.aborted ? abortError(table, signal) : wrapDuckDBError(e, { table });
      });
      const n = chunk?.rowCount ?? 0;
      if (!chunk || n === 0) break;
      let start = 0;
      while (start < n) {
        const end = start + Math.min(n - start, batchRows - builder.length, SLICE_ROWS);
        for (let c = 0; c < width; c++) {
          const vector = chunk.getColumnVector(c);
          const out = builder.columns[c]!;
          const convert = converters[c];
          let i = start;
          try {
            if (convert) {
              for (; i < end; i++) {
                const v = vector.getItem(i);
                out.append(v === null ? null : convert(v));
              }
            } else {
              for (; i < end; i++) out.append(vector.getItem(i) as JsValue | null);
            }
          } catch (e) {
            if (isFerryError(e) && options.keyColumns?.length) {
              const key = options.keyColumns
                .map((k) => String(chunk.getColumnVector(k).getItem(i)))
                .join(', ');
              (e as FerryError).withContext({ key });
            }
            throw e;
          }
        }
        start = end;
        if (builder.length >= batchRows || builder.bytes >= batchBytes) {
          yield builder.finish();
          if (signal?.aborted) throw abortError(table, signal);
        }
      }
    }
    if (builder.length > 0) yield builder.finish();
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function abortError(table: string, signal: AbortSignal): FerryError {
  return new FerryError('ABORTED', `reading ${table} was cancelled`, { table, cause: signal.reason });
}
