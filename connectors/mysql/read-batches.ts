import type { RecordBatch } from 'apache-arrow';
import { type Column, FerryError, tableName, type TableSpec } from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { type Conn, destroy, isBroken } from './connection.js';
import { type Decoder, DecodeProblem } from './decode.js';
import { wrapMysqlError } from './errors.js';

/**
 * Streams a query's rows into Arrow batches with bounded memory:
 *
 *   server ──rows──► mysql2 'result' events ──decode──► BatchBuilder ──► ready batches (≤ 2) ──► consumer
 *                         ▲                                                      │
 *                         └──────── connection paused while 2 batches wait ◄─────┘
 *
 * Rows arrive as arrays of raw Buffers (`rowsAsArray`, `typeCast: false`); each value goes through its
 * column's decoder straight into the builder. When the consumer stops early, fails, or the signal aborts, the
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
      if (raw === null || raw === undefined) return `${spec.names[p]}=NULL`;
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
  const batchBytes = spec.batchBytes ?? Number.POSITIVE_INFINITY;
  let bytes = 0;
  const ready: RecordBatch[] = [];
  let failure: FerryError | undefined;
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
    query.on('result', (row: unknown) => {
      if (failure || cancelled) return;
      const values = row as (Buffer | null)[];
      let c = 0;
      try {
        for (; c < width; c++) {
          const raw = values[c]!;
          if (raw === null) cols[c]!.append(null);
          else {
            bytes += raw.length;
            cols[c]!.append(decoders[c]!(raw));
          }
        }
      } catch (e) {
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
        notify();
        return;
      }
      if (builder.length >= spec.batchRows || bytes >= batchBytes) {
        bytes = 0;
        ready.push(builder.finish());
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
        if (builder.length > 0) yield builder.finish();
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
