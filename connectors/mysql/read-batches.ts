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
function keyOf(row: (Buffer | null)[], spec: StreamSpec): string {
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

export async function* streamBatches(
  conn: Conn,
  spec: StreamSpec,
  state: StreamState = { finished: false },
): AsyncGenerator<RecordBatch> {
  const table = tableName(spec.table);
  if (isBroken(conn))
    throw new FerryError('CONNECTION', `the connection reading ${table} was closed`, {
      table,
      retryable: true,
    });
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
  const ready: RecordBatch[] = [];
  let failure: FerryError | undefined;
  /** Records the failure of decoding column `c` of a row (its values as Buffers, to name its key). */
  const fail = (e: unknown, c: number, values: (Buffer | null)[]) => {
    const column = spec.names[c]!;
    const key = keyOf(values, spec);
    if (e instanceof DecodeProblem) {
      failure = new FerryError('DATA', `${table}: column ${column}, row ${key}: ${e.message}`, {
        table,
        column,
        key,
        value: e.value,
        ...(e.hint ? { hint: e.hint } : {}),
      });
    } else failure = wrapMysqlError(e, { table, column, key }, 'DATA');
  };
  /** The rows appended so far as a batch, once its deferred UTF-8 checks pass (else undefined, `failure` set). */
  const finishBatch = (): RecordBatch | undefined => {
    const batch = builder.finish();
    for (const c of deferredUtf8) {
      const data = batch.data.children[c]!;
      const r = invalidUtf8At(data.values as Uint8Array, data.valueOffsets as Int32Array, data.length);
      if (r < 0) continue;
      const values = splitRow(rowBufs[r]!, rowStarts[r]!, rowEnds[r]!);
      try {
        decoders[c]!(values[c]!);
        fail(new FerryError('INTERNAL', 'the batch UTF-8 check and the value check disagree'), c, values);
      } catch (e) {
        fail(e, c, values);
      }
      return undefined;
    }
    rowBufs.length = rowStarts.length = rowEnds.length = 0;
    return batch;
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
        let values: (Buffer | null)[] = [];
        try {
          values = splitRow(buf, start, end);
        } catch {
          // A malformed packet: the error names no key.
        }
        fail(e, c, values);
        notify();
        return;
      }
      if (deferredUtf8.length > 0) {
        rowBufs.push(buf);
        rowStarts.push(start);
        rowEnds.push(end);
      }
      if (builder.length >= spec.batchRows || bytes >= batchBytes) {
        bytes = 0;
        const batch = finishBatch();
        if (batch) ready.push(batch);
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
        if (builder.length === 0) return;
        const batch = finishBatch();
        if (batch) yield batch;
        else throw failure;
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
