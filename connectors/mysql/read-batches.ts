import type { RecordBatch } from 'apache-arrow';
import { type Column, FerryError, tableName, type TableSpec } from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { type Conn, destroy, isBroken } from './connection.js';
import { type Decoder, DecodeProblem, invalidUtf8At, sliceDecoder } from './decode.js';
import { wrapMysqlError } from './errors.js';
import { fieldLength, headerBytes, malformedRow, splitRow, takeRowPackets } from './row-packets.js';

/**
 * Streams a query's rows into Arrow batches with bounded memory:
 *
 *   server ──row packets──► decode in place ──► BatchBuilder ──► ready batches (≤ 2) ──► consumer
 *                         ▲                                                      │
 *                         └──────── connection paused while 2 batches wait ◄─────┘
 *
 * Each row packet (row-packets.ts) is read where it lies: each value's bytes go through its column's decoder
 * (decode.ts `sliceDecoder`: integers, DECIMAL, bytes and UTF-8 text without a Buffer per value) straight into
 * the builder. When the consumer stops early, fails, or the signal aborts, the
 * query is cancelled: with `kill` (a connection that must survive, holding a snapshot) by `KILL QUERY` and
 * draining, otherwise by destroying the connection.
 */
export interface StreamSpec {
  table: TableSpec;
  sql: string;
  params: unknown[];
  /** The output columns, in order; the query returns them first. */
  columns: Column[];
  /** One decoder per query column (output columns, then extra key columns). */
  decoders: Decoder[];
  /** Names of the query's columns (output and extra key columns), for error messages. */
  names: string[];
  /** Positions (in the query's columns) of the key columns, to name a failing row. */
  keyPositions: number[];
  batchRows: number;
  /** A batch also ends once its values' bytes (as received) reach this; default: no byte bound. */
  batchBytes?: number;
  signal?: AbortSignal;
  /** Cancels the running query on `conn` without closing it; absent: the connection is destroyed instead. */
  kill?: (threadId: number) => Promise<void>;
}

/** The key of a row for an error message: `id=5` or `a=1, b=x`. */
function keyOf(
  row: (Buffer | null)[],
  spec: Pick<StreamSpec, 'keyPositions' | 'names' | 'decoders'>,
): string {
  return spec.keyPositions
    .map((p) => {
      const raw = row[p];
      if (raw === undefined) return `${spec.names[p]}=?`;
      if (raw === null) return `${spec.names[p]}=NULL`;
      let v: unknown;
      try {
        v = spec.decoders[p]!(raw);
      } catch {
        v = raw.toString('latin1');
      }
      const shown = v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
      return `${spec.names[p]}=${shown}`;
    })
    .join(', ');
}

/** Outcome of a stream: whether the server finished the query, so the connection is idle again. */
export interface StreamState {
  finished: boolean;
}

/** A failure decoding column `column` of a row, whose values (as Buffers) name its key. */
export class RowFailure {
  constructor(
    readonly column: number,
    readonly cause: unknown,
    readonly row: (Buffer | null)[],
  ) {}
}

/**
 * What a stream makes of its row packets: Arrow batches (`batchConsumer`), or another engine's COPY rows
 * (transcode-pg.ts). Units (batches, chunks) are handed out as they fill, at most two waiting.
 */
export interface RowConsumer<T> {
  /** Takes one row packet's payload `buf[start, end)`; throws `RowFailure` for a value it cannot take. */
  row(buf: Buffer, start: number, end: number): void;
  /** True once the current unit is full. */
  full(): boolean;
  /** The current unit, finished (undefined when empty); throws `RowFailure` for a check it made per unit. */
  finish(): T | undefined;
}

/** The row's values as Buffers for an error message, or none when the packet itself is malformed. */
export function rowValues(buf: Buffer, start: number, end: number): (Buffer | null)[] {
  try {
    return splitRow(buf, start, end);
  } catch {
    return [];
  }
}

/** Arrow batches of `spec.batchRows` rows or `spec.batchBytes` bytes, values decoded where they lie. */
function batchConsumer(spec: StreamSpec): RowConsumer<RecordBatch> {
  const width = spec.columns.length;
  const builder = new BatchBuilder(spec.columns, Math.min(spec.batchRows, 65536));
  const cols = builder.columns;
  const decoders = spec.decoders;
  const slices = cols.map((col, c) => sliceDecoder(decoders[c]!, col));
  const appends = slices.map((d) => d.append);
  const deferredUtf8 = slices.flatMap((d, c) => (d.deferredUtf8 ? [c] : []));
  // Where a column's UTF-8 check waits for the batch, the batch's row packets are kept to name a bad value.
  const rowBufs: Buffer[] = [];
  const rowStarts: number[] = [];
  const rowEnds: number[] = [];
  const batchBytes = spec.batchBytes ?? Number.POSITIVE_INFINITY;
  let bytes = 0;
  return {
    row(buf, start, end) {
      let c = 0;
      let pos = start;
      try {
        for (; c < width; c++) {
          if (pos >= end) throw malformedRow();
          const len = fieldLength(buf, pos);
          pos += headerBytes(buf[pos]!);
          if (len < 0) cols[c]!.append(null);
          else {
            if (pos + len > end) throw malformedRow();
            bytes += len;
            appends[c]!(buf, pos, pos + len);
            pos += len;
          }
        }
      } catch (e) {
        throw new RowFailure(c, e, rowValues(buf, start, end));
      }
      if (deferredUtf8.length > 0) {
        rowBufs.push(buf);
        rowStarts.push(start);
        rowEnds.push(end);
      }
    },
    full: () => builder.length >= spec.batchRows || bytes >= batchBytes,
    finish() {
      if (builder.length === 0) return undefined;
      bytes = 0;
      const batch = builder.finish();
      for (const c of deferredUtf8) {
        const data = batch.data.children[c]!;
        const r = invalidUtf8At(data.values as Uint8Array, data.valueOffsets as Int32Array, data.length);
        if (r < 0) continue;
        const values = splitRow(rowBufs[r]!, rowStarts[r]!, rowEnds[r]!);
        try {
          decoders[c]!(values[c]!);
        } catch (e) {
          throw new RowFailure(c, e, values);
        }
        throw new RowFailure(
          c,
          new FerryError('INTERNAL', 'the batch UTF-8 check and the value check disagree'),
          values,
        );
      }
      rowBufs.length = rowStarts.length = rowEnds.length = 0;
      return batch;
    },
  };
}

export function streamBatches(
  conn: Conn,
  spec: StreamSpec,
  state: StreamState = { finished: false },
): AsyncGenerator<RecordBatch> {
  return streamRows(conn, spec, batchConsumer(spec), state);
}

/**
 * Runs `spec.sql` on `conn` and streams what `consumer` makes of its rows, the connection paused while two units
 * wait. See `streamBatches`.
 */
export async function* streamRows<T>(
  conn: Conn,
  spec: Omit<StreamSpec, 'columns' | 'batchRows' | 'batchBytes'>,
  consumer: RowConsumer<T>,
  state: StreamState = { finished: false },
): AsyncGenerator<T> {
  const table = tableName(spec.table);
  if (isBroken(conn))
    throw new FerryError('CONNECTION', `the connection reading ${table} was closed`, {
      table,
      retryable: true,
    });
  const ready: T[] = [];
  let failure: FerryError | undefined;
  /** Records a failure of the consumer: a value (named by its column and the row's key), or anything else. */
  const fail = (e: unknown) => {
    if (!(e instanceof RowFailure)) {
      failure = wrapMysqlError(e, { table }, 'DATA');
      return;
    }
    const column = spec.names[e.column]!;
    const key = keyOf(e.row, spec);
    const cause = e.cause;
    if (cause instanceof DecodeProblem) {
      failure = new FerryError('DATA', `${table}: column ${column}, row ${key}: ${cause.message}`, {
        table,
        column,
        key,
        value: cause.value,
        ...(cause.hint ? { hint: cause.hint } : {}),
      });
    } else failure = wrapMysqlError(cause, { table, column, key }, 'DATA');
  };
  /** The consumer's current unit, or undefined with `failure` set when its per-unit check failed. */
  const finishUnit = (): T | undefined => {
    try {
      return consumer.finish();
    } catch (e) {
      fail(e);
      return undefined;
    }
  };
  let paused = false;
  let cancelled = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let onLost: (e?: Error) => void = () => {};
  const finished = new Promise<void>((resolve) => {
    // mysql2 reports a connection lost under a query without a callback on the connection, not the query.
    onLost = (e?: Error) => {
      if (state.finished) return;
      if (!failure && !cancelled) {
        failure = new FerryError(
          'CONNECTION',
          `the connection reading ${table} was lost: ${e?.message ?? 'closed by the server'}`,
          {
            table,
            retryable: true,
            ...(e ? { cause: e } : {}),
          },
        );
      }
      state.finished = true;
      resolve();
      notify();
    };
    conn.on('error', onLost);
    conn.on('end', onLost);
    const query = conn.query({ sql: spec.sql, values: spec.params, rowsAsArray: true, typeCast: false });
    takeRowPackets(query, (buf, start, end) => {
      if (failure || cancelled) return;
      try {
        consumer.row(buf, start, end);
      } catch (e) {
        fail(e);
        notify();
        return;
      }
      if (consumer.full()) {
        const unit = finishUnit();
        if (unit !== undefined) ready.push(unit);
        if (ready.length >= 2 && !paused) {
          paused = true;
          conn.pause();
        }
        notify();
      }
    });
    query.on('error', (e: Error & { errno?: number }) => {
      if (!(cancelled && e.errno === 1317) && !failure) failure = wrapMysqlError(e, { table }, 'DATA');
      state.finished = true;
      resolve();
      notify();
    });
    query.on('end', () => {
      state.finished = true;
      resolve();
      notify();
    });
  });
  const onAbort = () => notify();
  spec.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (ready.length > 0) {
        const batch = ready.shift()!;
        if (paused && ready.length < 2) {
          paused = false;
          conn.resume();
        }
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (spec.signal?.aborted) {
        throw new FerryError('ABORTED', `reading ${table} was cancelled`, {
          table,
          cause: spec.signal.reason,
        });
      }
      if (state.finished) {
        const unit = finishUnit();
        if (failure) throw failure;
        if (unit !== undefined) yield unit;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    spec.signal?.removeEventListener('abort', onAbort);
    conn.off('error', onLost);
    conn.off('end', onLost);
    if (!state.finished) {
      cancelled = true;
      if (spec.kill) {
        try {
          await spec.kill(conn.threadId);
          if (paused) conn.resume();
          // The server stops at its next row; one that does not answer loses the connection instead.
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<void>((_, reject) => {
            timer = setTimeout(() => reject(new Error('KILL QUERY was not answered')), 30_000);
          });
          try {
            await Promise.race([finished, late]);
          } finally {
            clearTimeout(timer);
          }
        } catch {
          destroy(conn);
        }
      } else destroy(conn);
    }
  }
}
