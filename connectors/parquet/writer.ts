import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import {
  FerryError,
  type LedgerEntry,
  type LoadRequest,
  type PartitionWriter,
  quoteDouble,
  tableName,
} from '../../core/index.js';
import { ArrowAppender, connectDuckDB, sqlString, wrapDuckDBError } from '../../formats/duckdb/index.js';
import { publishFile, tempNameFor } from './files.js';
import { ledgerFile, readLedgerFile, writeLedgerFile } from './ledger.js';
import { PARQUET_METADATA, type ParquetTableMetadata } from './types.js';

/** `part-00017-<run>.parquet`: the partition index orders the files; the run keeps append runs apart. */
export function partFileName(index: number, runId: string): string {
  return `part-${String(index).padStart(5, '0')}-${encodeURIComponent(runId)}.parquet`;
}

/**
 * One partition of a Parquet target. Rows are staged in a table of the target's in-memory DuckDB; commit
 * writes them as one Parquet file:
 *
 *   write* ─► appender ─► staging table
 *   commit: fence check ─► COPY TO .part….tmp ─► fence check ─► [delete this index's files of other runs]
 *           ─► fsync + rename to part-<index>-<run>.parquet ─► ledger JSON (temp, fsync, rename)
 *
 * A crash before the rename leaves only a hidden temp file; between the data file and the ledger entry, a data
 * file that the re-run overwrites (same name). Fencing compares with the ledger file's attempt just before
 * each step (files offer no compare-and-set, so two live writers of one partition are kept apart by the
 * transport's redelivery, and a zombie is refused once the newer attempt has recorded its entry).
 */
export class ParquetPartitionWriter implements PartitionWriter {
  onDone: () => void = () => {};
  private done = false;
  private temp: string | undefined;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly staging: string,
    private readonly appender: ArrowAppender,
    private readonly root: string,
    private readonly dir: string,
    private readonly request: LoadRequest,
    private readonly signal: AbortSignal | undefined,
  ) {}

  static async open(
    instance: DuckDBInstance,
    root: string,
    dir: string,
    request: LoadRequest,
    signal?: AbortSignal,
  ): Promise<ParquetPartitionWriter> {
    signal?.throwIfAborted();
    const table = tableName(request.table);
    const conn = await connectDuckDB(instance);
    const staging = `stage_${randomBytes(8).toString('hex')}`;
    try {
      const cols = request.table.columns.map((c) => `${quoteDouble(c.name)} ${c.nativeType}`);
      await conn.run(`CREATE TABLE ${quoteDouble(staging)} (${cols.join(', ')})`);
      const appender = await ArrowAppender.open(
        conn,
        { name: staging },
        request.table.columns.map((c) => c.name),
        {
          table,
          // Name the row by its partitioning key, or by the primary key for a table loaded whole.
          keyColumns: request.partition.range.columns.length
            ? request.partition.range.columns
            : request.table.primaryKey,
        },
      );
      return new ParquetPartitionWriter(conn, staging, appender, root, dir, request, signal);
    } catch (e) {
      await conn.run(`DROP TABLE IF EXISTS ${quoteDouble(staging)}`).catch(() => {});
      conn.closeSync();
      throw wrapDuckDBError(e, { table, partition: request.partition.id, run: request.runId });
    }
  }

  private context() {
    return {
      table: tableName(this.request.table),
      partition: this.request.partition.id,
      run: this.request.runId,
    };
  }

  async write(batch: RecordBatch): Promise<void> {
    if (this.done)
      throw new FerryError('INTERNAL', `write after commit/abort of ${this.request.partition.id}`);
    if (this.signal?.aborted) {
      await this.abort();
      throw new FerryError(
        'ABORTED',
        `loading partition ${this.request.partition.id} was cancelled`,
        this.context(),
      );
    }
    this.appender.append(batch);
  }

  private async checkFence(entry: Omit<LedgerEntry, 'committedAt'>): Promise<void> {
    const recorded = await readLedgerFile(ledgerFile(this.root, entry.runId, entry.partitionId));
    if (recorded && recorded.attempt > entry.attempt) {
      throw new FerryError(
        'DATA',
        `partition ${entry.partitionId} attempt ${entry.attempt} is fenced: attempt ${recorded.attempt} already committed it`,
        {
          ...this.context(),
          retryable: false,
          hint: 'a newer attempt owns this partition; this attempt wrote nothing',
        },
      );
    }
  }

  private metadata(): string {
    const meta: ParquetTableMetadata = {
      columns: this.request.table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
      primaryKey: this.request.table.primaryKey,
    };
    return `{${sqlString(PARQUET_METADATA.columns)}: ${sqlString(JSON.stringify(meta.columns))}, ${sqlString(
      PARQUET_METADATA.primaryKey,
    )}: ${sqlString(JSON.stringify(meta.primaryKey))}}`;
  }

  async commit(entry: Omit<LedgerEntry, 'committedAt'>): Promise<void> {
    if (this.done)
      throw new FerryError('INTERNAL', `commit after commit/abort of ${this.request.partition.id}`);
    const name = partFileName(this.request.partition.index, this.request.runId);
    const path = join(this.dir, name);
    try {
      this.signal?.throwIfAborted();
      this.appender.close();
      await this.checkFence(entry);
      this.temp = tempNameFor(path);
      await this.conn.run(
        `COPY ${quoteDouble(this.staging)} TO ${sqlString(this.temp)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${this.metadata()})`,
      );
      await this.checkFence(entry);
      if (this.request.clearRange) {
        // The range's earlier rows are exactly the files of this partition index from other runs.
        const prefix = `part-${String(this.request.partition.index).padStart(5, '0')}-`;
        const stale = (await readdir(this.dir)).filter(
          (f) => f.startsWith(prefix) && f.endsWith('.parquet') && f !== name,
        );
        await Promise.all(stale.map((f) => rm(join(this.dir, f), { force: true })));
      }
      await publishFile(this.temp, path);
      this.temp = undefined;
      await writeLedgerFile(this.root, { ...entry, committedAt: new Date().toISOString() });
    } catch (e) {
      await this.abort();
      throw wrapDuckDBError(e, this.context(), 'DATA');
    }
    await this.finish();
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.appender.discard();
    if (this.temp) await rm(this.temp, { force: true });
    await this.finish();
  }

  private async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.conn.run(`DROP TABLE IF EXISTS ${quoteDouble(this.staging)}`).catch(() => {});
    this.conn.closeSync();
    this.onDone();
  }
}
