import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RecordBatch } from 'apache-arrow';
import {
  FerryError,
  type LedgerEntry,
  type LoadRequest,
  loadIsolatingRefused,
  SAVEPOINT_SQL,
  type PartitionWriter,
  type RefusedRow,
  formatRange,
  tableName,
} from '../../core/index.js';
import { batchReaders } from '../../formats/index.js';
import { type Conn, destroy, rows, run } from './connection.js';
import { redactMysqlMessage, wrapMysqlError } from './errors.js';
import { encodeBatch, loadDataSql, rowKey } from './infile.js';
import { fenceReason, fencedError, recordLedgerEntry } from './ledger.js';
import { mysqlRangePredicate, qualifiedName } from './sql.js';

interface LoadResult {
  affectedRows: number;
  warningStatus: number;
}

interface Warning {
  Level: string;
  Code: number;
  Message: string;
}

/**
 * One partition load: one connection, one transaction.
 *
 *   open:   START TRANSACTION ─► [DELETE range]
 *   write:  encode batch ─► LOAD DATA LOCAL INFILE (ferry's stream) ─► warnings = 0 and rows = sent, else fail
 *   commit: fence check + ledger row ─► COMMIT            abort: ROLLBACK
 *
 * LOAD DATA LOCAL treats bad values like IGNORE (clamps, truncates, skips duplicates, with warnings only) even
 * in strict mode, so every statement's warning count and affected rows are checked: a load with a warning
 * fails, naming the first warning and the key of its row. A batch that fails because a newer attempt already
 * committed the partition (its rows are now duplicates) is not an error of this batch: the writer is fenced,
 * stops loading, and `commit` refuses with the fencing error.
 */
export class MysqlPartitionWriter implements PartitionWriter {
  private done = false;
  /** Why a newer delivery owns the partition, once a failed batch showed it. */
  private fenced: FerryError | undefined;
  private readonly table: string;
  private readonly keyColumns: string[];

  constructor(
    private readonly conn: Conn,
    private readonly request: LoadRequest,
    private readonly signal: AbortSignal | undefined,
    private readonly onDone: (conn: Conn, reusable: boolean) => void,
  ) {
    this.table = tableName(request.table);
    this.keyColumns = request.partition.range.columns.length
      ? request.partition.range.columns
      : request.table.primaryKey;
  }

  /** Begins the transaction and clears the range when asked. */
  static async open(
    conn: Conn,
    request: LoadRequest,
    signal: AbortSignal | undefined,
    onDone: (conn: Conn, reusable: boolean) => void,
  ): Promise<MysqlPartitionWriter> {
    const writer = new MysqlPartitionWriter(conn, request, signal, onDone);
    try {
      signal?.throwIfAborted();
      await run(conn, 'START TRANSACTION', [], writer.context());
      if (request.clearRange) {
        const p = mysqlRangePredicate(request.partition.range, request.table);
        await run(
          conn,
          `DELETE FROM ${qualifiedName(request.table)} WHERE ${p.sql}`,
          p.params,
          writer.context(),
        );
      }
      return writer;
    } catch (e) {
      await writer.abort();
      throw wrapMysqlError(e, writer.context());
    }
  }

  private fenceRequest() {
    return {
      runId: this.request.runId,
      partitionId: this.request.partition.id,
      table: this.table,
      attempt: this.request.attempt,
      clearRange: this.request.clearRange,
    };
  }

  private context() {
    return { table: this.table, partition: this.request.partition.id, run: this.request.runId };
  }

  private aborted(): FerryError {
    return new FerryError(
      'ABORTED',
      `loading partition ${this.request.partition.id} was cancelled`,
      this.context(),
    );
  }

  async write(batch: RecordBatch): Promise<void> {
    await this.loadRange(batch, 0, batch.numRows);
  }

  async writeIsolating(batch: RecordBatch): Promise<RefusedRow[]> {
    if (!this.request.isolateRefused)
      throw new FerryError('INTERNAL', 'writeIsolating on a writer not opened with isolateRefused');
    return loadIsolatingRefused(batch.numRows, {
      load: (from, to) => this.loadRange(batch, from, to),
      savepoint: async (step) => void (await run(this.conn, SAVEPOINT_SQL[step], [], this.context())),
      // A refused value, not a lost connection or a finished writer (a fenced load is not a refusal either).
      refusal: (e) =>
        e instanceof FerryError && e.code === 'DATA' && !this.done
          ? { message: e.message, ...(e.context.column ? { column: e.context.column } : {}) }
          : undefined,
    });
  }

  /** LOAD DATA of rows `[from, to)` of a batch; throws DATA (naming the row) on a warning or a missing row. */
  private async loadRange(batch: RecordBatch, from: number, to: number): Promise<void> {
    if (this.done)
      throw new FerryError('INTERNAL', `write after commit/abort of ${this.request.partition.id}`);
    if (this.signal?.aborted) {
      await this.abort();
      throw this.aborted();
    }
    if (this.fenced !== undefined || to === from) return;
    const chunks = encodeBatch(batch, this.request.table, this.table, this.keyColumns, from, to);
    const name = `ferry-${randomUUID()}.tsv`;
    const onAbort = () => destroy(this.conn);
    this.signal?.addEventListener('abort', onAbort, { once: true });
    let result: LoadResult;
    try {
      result = await run<LoadResult>(
        this.conn,
        {
          sql: loadDataSql(this.request.table, name),
          // Only this statement may send local data, and only this stream: a server asking for any other file
          // (a hostile server can ask for one in reply to any statement) gets an error, never a file.
          infileStreamFactory: (path: string) =>
            path === name
              ? Readable.from(
                  chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)),
                  { objectMode: false },
                )
              : new Readable({
                  read() {
                    this.destroy(
                      new Error(`the server asked for local file ${path}, which ferry does not send`),
                    );
                  },
                }),
        },
        [],
        this.context(),
      );
    } catch (e) {
      if (this.signal?.aborted) {
        await this.abort();
        throw this.aborted();
      }
      throw wrapMysqlError(e, this.context(), 'DATA');
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
    }
    if (result.warningStatus === 0 && result.affectedRows === to - from) return;
    // SHOW WARNINGS first: any other statement would clear them.
    let warnings: Warning[] = [];
    try {
      warnings = await rows<Warning>(this.conn, 'SHOW WARNINGS LIMIT 5');
    } catch {
      // The counts alone still fail the load.
    }
    const why = await fenceReason(this.conn, this.fenceRequest());
    if (why) {
      // The batch failed because another delivery loaded (or owns) the partition: not this batch's fault.
      this.fenced = fencedError(this.fenceRequest(), why);
      return;
    }
    throw this.loadError(batch, result, warnings, from, to);
  }

  /** DATA error for a load with warnings or missing rows: the first warning and the key of its row. */
  private loadError(batch: RecordBatch, result: LoadResult, warnings: Warning[], from: number, to: number): FerryError {
    const first = warnings[0];
    const readers = batchReaders(batch);
    const names = batch.schema.fields.map((f) => f.name);
    // "at row N" counts the rows of this LOAD DATA; a single row is that row whatever the warning says.
    const row = first ? /at row (\d+)/.exec(first.Message) : null;
    const at = to - from === 1 ? from : row ? from + Number(row[1]) - 1 : undefined;
    const key = at === undefined ? undefined : rowKey(readers, names, this.keyColumns, at);
    const sent = to - from;
    const what = first
      ? `${first.Level} ${first.Code}: ${redactMysqlMessage(first.Message)}`
      : `${result.affectedRows} of ${sent} rows loaded`;
    const more =
      warnings.length > 1
        ? ` (and ${result.warningStatus - 1} more warnings: ${warnings
            .slice(1)
            .map((w) => redactMysqlMessage(w.Message))
            .join('; ')})`
        : '';
    return new FerryError(
      'DATA',
      `loading partition ${this.request.partition.id} of ${this.table} (${formatRange(this.request.partition.range)}) was refused: ${what}${more}; ${result.affectedRows} of ${sent} rows of the batch loaded`,
      {
        ...this.context(),
        ...(key ? { key } : {}),
        ...(first ? { serverCode: String(first.Code) } : {}),
        hint: 'the partition was rolled back; fix the value (or map the column to a type that holds it), then retry the partition',
      },
    );
  }

  async commit(entry: Omit<LedgerEntry, 'committedAt'>): Promise<void> {
    if (this.done)
      throw new FerryError('INTERNAL', `commit after commit/abort of ${this.request.partition.id}`);
    try {
      this.signal?.throwIfAborted();
      if (this.fenced) throw this.fenced;
      await recordLedgerEntry(this.conn, entry, this.request.clearRange);
      await run(this.conn, 'COMMIT', [], this.context());
    } catch (e) {
      await this.abort();
      throw wrapMysqlError(e, this.context(), 'DATA');
    }
    this.finish(true);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    let reusable = true;
    try {
      await run(this.conn, 'ROLLBACK');
    } catch {
      // A connection that is gone has rolled back on the server.
      reusable = false;
    }
    this.finish(reusable);
  }

  private finish(reusable: boolean): void {
    if (this.done) return;
    this.done = true;
    this.onDone(this.conn, reusable);
  }
}
