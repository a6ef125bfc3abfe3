import type { RecordBatch } from 'apache-arrow';
import type pg from 'pg';
import { DEFAULT_BATCH_BYTES, FerryError, tableName } from '../../core/index.js';
import { PgCopyDecoder } from '../../formats/index.js';
import { wrapPgError } from './connection.js';
import { copyOut as copyOutQuery } from './copy-out-stream.js';
import type { PgTable } from './introspect.js';

export interface CopyOutOptions {
  signal?: AbortSignal;
  /** Set to completed once the whole stream was read. */
  state?: { completed: boolean };
}

/**
 * Runs `COPY (query) TO STDOUT (FORMAT binary)` on a client and yields the stream's chunks as they arrive
 * (the raw pass-through). The for-await over the COPY stream is the back-pressure: while a chunk is being
 * consumed no more data is read from the socket.
 *
 * Stopping early (a consumer `break`, an abort, an error) leaves the connection mid-COPY: the caller must
 * then discard the client (see `closeClient(…, true)`); `completed` tells it which case it is in.
 */
export async function* copyOutChunks(
  client: pg.Client,
  selectSql: string,
  name: string,
  options: CopyOutOptions,
): AsyncGenerator<Buffer> {
  const stream = client.query(copyOutQuery(`COPY (${selectSql}) TO STDOUT (FORMAT binary)`));
  const onAbort = () =>
    stream.destroy(new FerryError('ABORTED', `reading ${name} was cancelled`, { table: name }));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let completed = false;
  try {
    for await (const chunk of stream) {
      if (options.signal?.aborted)
        throw new FerryError('ABORTED', `reading ${name} was cancelled`, { table: name });
      yield chunk as Buffer;
    }
    completed = true;
  } catch (e) {
    throw wrapPgError(e, `reading ${name} failed`, { table: name }, 'CONNECTION');
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!completed) stream.destroy();
    else if (options.state) options.state.completed = true;
  }
}

/** The same COPY decoded into Arrow batches of the table's columns (`table.spec.columns`, in query order). */
export async function* copyOut(
  client: pg.Client,
  selectSql: string,
  table: PgTable,
  options: CopyOutOptions & { batchRows: number; batchBytes?: number },
): AsyncGenerator<RecordBatch> {
  const name = tableName(table.spec);
  const keyColumns = table.spec.primaryKey
    .map((k) => table.spec.columns.findIndex((c) => c.name === k))
    .filter((i) => i >= 0);
  const decoder = new PgCopyDecoder(table.spec.columns, table.codecs, {
    batchRows: options.batchRows,
    batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
    keyColumns: keyColumns.length === table.spec.primaryKey.length ? keyColumns : undefined,
  });
  const inner = { completed: false };
  const chunks = copyOutChunks(client, selectSql, name, { ...options, state: inner });
  try {
    for await (const chunk of chunks) {
      decoder.push(chunk);
      for (const batch of decoder.take()) {
        // One chunk can hold several batches: an abort stops between them, not at the next chunk.
        if (options.signal?.aborted)
          throw new FerryError('ABORTED', `reading ${name} was cancelled`, { table: name });
        yield batch;
      }
    }
    yield* decoder.end();
  } catch (e) {
    throw wrapPgError(e, `reading ${name} failed`, { table: name }, 'CONNECTION');
  }
  if (options.state) options.state.completed = inner.completed;
}
