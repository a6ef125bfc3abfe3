import type pg from 'pg';
import {
  type Endpoint,
  FerryError,
  type SourceSnapshot,
  type TableRef,
  tableName,
} from '../../core/index.js';
import { closeClient, connect, query, wrapPgError } from './connection.js';
import { qualified } from './sql-text.js';

/**
 * The snapshot holder: one session that keeps a REPEATABLE READ transaction open for the whole run.
 *
 *   holder: BEGIN REPEATABLE READ READ ONLY → LOCK t1, t2 IN ACCESS SHARE MODE → pg_export_snapshot() … ROLLBACK
 *   reader: BEGIN REPEATABLE READ READ ONLY → SET TRANSACTION SNAPSHOT 'id' → COPY … → COMMIT
 *
 * The locks come first (LOCK takes no snapshot), so no TRUNCATE or table rewrite can commit between the
 * snapshot and the locks, and none can run while the run reads (they would make a table look empty to an
 * MVCC snapshot). The id is usable only while the holder lives: a reader then fails with "source snapshot
 * lost" instead of silently reading another point in time.
 */
export async function beginSnapshot(
  endpoint: Endpoint,
  tables: TableRef[],
  defaultSchema: string,
  signal?: AbortSignal,
): Promise<SourceSnapshot> {
  const client = await connect(endpoint, 'ferry snapshot holder');
  const onAbort = () => void closeClient(client, true);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await query(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', [], 'cannot open the snapshot');
    if (tables.length) {
      const list = tables.map((t) => qualified(t, defaultSchema)).join(', ');
      await query(client, `LOCK TABLE ${list} IN ACCESS SHARE MODE`, [], 'cannot lock the source tables', {
        table: tables.map((t) => tableName(t)).join(', '),
      });
    }
    const rows = await query<{ id: string }>(
      client,
      'SELECT pg_export_snapshot() AS id',
      [],
      'cannot export a snapshot',
    );
    const id = rows[0]!.id;
    let released = false;
    return {
      id,
      async release() {
        if (released) return;
        released = true;
        await client.query('ROLLBACK').catch(() => undefined);
        await closeClient(client);
      },
    };
  } catch (e) {
    await closeClient(client, true);
    if (signal?.aborted) throw new FerryError('ABORTED', 'opening the source snapshot was cancelled');
    throw wrapPgError(e, 'cannot open a consistent source snapshot');
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+-[0-9]+$/i;

/** Starts a reader transaction inside an exported snapshot; throws CONNECTION "source snapshot lost" if it is gone. */
export async function joinSnapshot(client: pg.Client, id: string): Promise<void> {
  if (!SNAPSHOT_ID.test(id)) throw new FerryError('CONFIG', `"${id}" is not a PostgreSQL snapshot id`);
  await query(
    client,
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    [],
    'cannot start a reader transaction',
  );
  try {
    await client.query(`SET TRANSACTION SNAPSHOT '${id}'`);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    const err = wrapPgError(e, `source snapshot lost (${id})`);
    throw new FerryError('CONNECTION', `source snapshot ${id} is no longer available: its holder ended`, {
      serverCode: err.context.serverCode,
      retryable: false,
      cause: e,
      hint: 'a consistent read cannot resume on another snapshot: re-run the affected tables',
    });
  }
}
