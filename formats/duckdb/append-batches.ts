import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
} from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { FerryError, isFerryError } from '../../core/index.js';
import { type ColumnReader, batchReaders } from '../index.js';
import { wrapDuckDBError } from './errors.js';
import { type ToDuckDB, writerFor } from './to-duckdb.js';

/** Rows per DuckDB data chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/** Where the appender writes, for error messages. */
export interface AppendContext {
  /** Table name as shown to people. */
  table: string;
  /** Key column names, to name the row's key in a value error (positions looked up in the batch). */
  keyColumns?: string[];
}

/**
 * Appends Arrow batches (ferry's JsValue domain) to a DuckDB table through DuckDB's appender, exactly:
 * each batch is cut into 2048-row data chunks whose vectors are typed like the table's columns; every value is
 * converted by the writer of the table column's type (decimals parsed from text into scaled integers, never via a
 * JS number; timestamps as microseconds). A value the column cannot hold is a DATA error naming table, column,
 * key and value. Appends join the connection's open transaction, so a ROLLBACK removes them.
 *
 *   batch ─► ColumnReader per column ─► writer (JsValue → DuckDB value) ─► DataChunk ─► appender
 */
export class ArrowAppender {
  private readonly writers: ToDuckDB[];
  private readonly types: DuckDBType[];
  private closed = false;

  private constructor(
    private readonly appender: DuckDBAppender,
    private readonly columnNames: string[],
    private readonly context: AppendContext,
  ) {
    this.types = columnNames.map((_, i) => appender.columnType(i));
    this.writers = this.types.map((t) => writerFor(t));
  }

  /**
   * An appender on `table` (unquoted name, optional schema). `columnNames` are the table's columns in order;
   * batches must carry the same columns in the same order.
   */
  static async open(
    conn: DuckDBConnection,
    table: { schema?: string; name: string },
    columnNames: string[],
    context: AppendContext,
  ): Promise<ArrowAppender> {
    const appender = await conn.createAppender(table.name, table.schema ?? null).catch((e: unknown) => {
      throw wrapDuckDBError(e, { table: context.table });
    });
    if (appender.columnCount !== columnNames.length) {
      appender.closeSync();
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `table ${context.table} has ${appender.columnCount} columns, the load has ${columnNames.length}`,
        { table: context.table },
      );
    }
    return new ArrowAppender(appender, columnNames, context);
  }

  /** Appends every row of the batch (columns by position). */
  append(batch: RecordBatch): void {
    if (batch.numCols !== this.writers.length) {
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `a batch for ${this.context.table} has ${batch.numCols} columns, the table has ${this.writers.length}`,
        { table: this.context.table },
      );
    }
    const readers = batchReaders(batch);
    for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, batch.numRows - start);
      const chunk = DuckDBDataChunk.create(this.types, rows);
      for (let c = 0; c < readers.length; c++) this.fill(chunk, c, readers, start, rows);
      try {
        this.appender.appendDataChunk(chunk);
      } catch (e) {
        throw wrapDuckDBError(e, { table: this.context.table }, 'DATA');
      }
    }
  }

  private fill(
    chunk: DuckDBDataChunk,
    c: number,
    readers: ColumnReader[],
    start: number,
    rows: number,
  ): void {
    const vector = chunk.getColumnVector(c);
    const reader = readers[c]!;
    const write = this.writers[c]!;
    let r = start;
    try {
      for (let i = 0; i < rows; i++, r++) {
        const v = reader.get(r);
        vector.setItem(i, v === null ? null : (write(v) as never));
      }
    } catch (e) {
      throw this.refused(e, c, readers, r);
    }
    vector.flush();
  }

  private refused(e: unknown, c: number, readers: ColumnReader[], row: number): FerryError {
    const column = this.columnNames[c]!;
    const value = readers[c]!.get(row);
    const key = (this.context.keyColumns ?? [])
      .map((k) => this.columnNames.indexOf(k))
      .filter((i) => i >= 0)
      .map((i) => String(readers[i]!.get(row)))
      .join(', ');
    const why = e instanceof Error ? e.message : String(e);
    const shown = value instanceof Uint8Array ? `${value.length} bytes` : String(value).slice(0, 200);
    const err = new FerryError(
      'DATA',
      `${this.context.table}.${column} (${this.types[c]!.toString()}) cannot hold the value ${shown}: ${why}`,
      {
        table: this.context.table,
        column,
        value: shown,
        cause: e,
        hint: 'fix the value at the source or map the column to a wider type',
      },
    );
    if (key) err.context.key = key;
    if (isFerryError(e) && (e as FerryError).code !== 'DATA')
      return (e as FerryError).withContext(err.context);
    return err;
  }

  /** Flushes appended rows into the connection's transaction (errors such as constraint violations surface here). */
  flush(): void {
    try {
      this.appender.flushSync();
    } catch (e) {
      throw wrapDuckDBError(e, { table: this.context.table }, 'DATA');
    }
  }

  /** Drops rows not yet flushed and releases the appender, ignoring errors (the transaction is being rolled back). */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.appender.clear();
      this.appender.closeSync();
    } catch {
      // The rollback that follows removes whatever was flushed; nothing else to release.
    }
  }

  /** Flushes and releases the appender. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.appender.closeSync();
    } catch (e) {
      throw wrapDuckDBError(e, { table: this.context.table }, 'DATA');
    }
  }
}
