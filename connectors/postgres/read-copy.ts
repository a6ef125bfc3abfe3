import type { RecordBatch } from 'apache-arrow';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { FerryError, tableName } from '../../core/index.js';
import { PgCopyDecoder } from '../../formats/index.js';
import { wrapPgError } from './connection.js';
import type { PgTable } from './introspect.js';

/**
 * Runs `COPY (query) TO STDOUT (FORMAT binary)` on a client and yields Arrow batches of the table's columns
 * (`table.spec.columns`, in the query's column order). The for-await over the COPY stream is the
 * back-pressure: while a batch is being consumed no more data is read from the socket.
 *
 * Stopping early (a consumer `break`, an abort, an error) leaves the connection mid-COPY: the caller must
 * then discard the client (see `closeClient(…, true)`); `completed` tells it which case it is in.
 */
export async function* copyOut(
  client: pg.Client,
  selectSql: string,
  table: PgTable,
  options: { batchRows: number; signal?: AbortSignal; state?: { completed: boolean } },
): AsyncGenerator<RecordBatch> {
  const name = tableName(table.spec);
  const keyColumns = table.spec.primaryKey
    .map((k) => table.spec.columns.findIndex((c) => c.name === k))
    .filter((i) => i >= 0);
  const decoder = new PgCopyDecoder(table.spec.columns, table.codecs, {
    batchRows: options.batchRows,
    keyColumns: keyColumns.length === table.spec.primaryKey.length ? keyColumns : undefined,
  });
  const stream = client.query(copyTo(`COPY (${selectSql}) TO STDOUT (FORMAT binary)`));
  const onAbort = () =>
    stream.destroy(new FerryError('ABORTED', `reading ${name} was cancelled`, { table: name }));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      decoder.push(chunk as Buffer);
      for (const batch of decoder.take()) {
        if (options.signal?.aborted)
          throw new FerryError('ABORTED', `reading ${name} was cancelled`, { table: name });
        yield batch;
      }
    }
    for (const batch of decoder.end()) yield batch;
    if (options.state) options.state.completed = true;
  } catch (e) {
    throw wrapPgError(e, `reading ${name} failed`, { table: name }, 'CONNECTION');
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!options.state?.completed) stream.destroy();
  }
}
