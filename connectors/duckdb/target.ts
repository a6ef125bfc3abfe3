import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import {
  type ConnectOptions,
  FerryError,
  type LedgerEntry,
  type LoadRequest,
  type LogicalType,
  type PartitionWriter,
  type Source,
  type TableRef,
  type TableSpec,
  type Target,
  type TargetRollback,
  type WriteMode,
  formatRange,
  tableName,
} from '../../core/index.js';
import {
  ArrowAppender,
  connectDuckDB,
  duckdbRangePredicate,
  qualifiedName,
  wrapDuckDBError,
} from '../../formats/duckdb/index.js';
import { addPrimaryKeySql, createSchemaSql, createTableSql } from './ddl.js';
import { describeDuckDBTable } from './introspect.js';
import {
  ensureLedger,
  fencedError,
  readLedgerEntries,
  recordLedgerEntry,
  recordedAttempt,
} from './ledger.js';
import { DuckDBRollback } from './rollback.js';
import { DuckDBSource } from './source.js';
import { checkShape, duckdbNativeType, mapDuckDBTable } from './types.js';

/**
 * A DuckDB database as a target. One instance per file (DuckDB allows one writing process); DDL and the ledger
 * use one connection, and each partition writer gets its own connection and transaction, so partitions load
 * concurrently into the same table:
 *
 *   openPartition: BEGIN ─► [DELETE range] ─► appender ◄─ write(batch)*
 *   commit:        flush ─► fence check + ledger upsert ─► COMMIT      abort: ROLLBACK
 */
export class DuckDBTarget implements Target {
  private readonly owned = new Set<string>();
  private readonly writers = new Set<DuckDBPartitionWriter>();
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly main: DuckDBConnection,
    private readonly release: () => void,
    private readonly options: ConnectOptions,
  ) {}

  /** With `options.readOnly` (plan, verify) nothing is created: loading methods throw. */
  static async open(
    instance: DuckDBInstance,
    release: () => void,
    options: ConnectOptions,
  ): Promise<DuckDBTarget> {
    try {
      const main = await connectDuckDB(instance);
      if (!options.readOnly) await ensureLedger(main);
      return new DuckDBTarget(instance, main, release, options);
    } catch (e) {
      release();
      throw e;
    }
  }

  describe(table: TableRef): Promise<TableSpec | undefined> {
    return describeDuckDBTable(this.main, table);
  }

  mapTable(source: TableSpec, name: TableRef): TableSpec {
    return mapDuckDBTable(source, name);
  }

  nativeType(type: LogicalType): string {
    return duckdbNativeType(type);
  }

  private writable(what: string): void {
    if (this.options.readOnly)
      throw new FerryError('INTERNAL', `${what} on a DuckDB target opened read-only`);
    if (this.closed) throw new FerryError('INTERNAL', `${what} on a closed DuckDB target`);
  }

  async prepareTable(
    table: TableSpec,
    mode: WriteMode,
    options: { runId: string; resuming: boolean },
  ): Promise<void> {
    this.writable('prepareTable');
    const name = tableName(table);
    const existing = await this.describe(table);
    if (mode !== 'append') this.owned.add(name);
    if (existing && (options.resuming || mode === 'append' || mode === 'truncate'))
      checkShape(existing, table);
    if (existing && mode === 'create' && !options.resuming) {
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `table ${name} already exists in the DuckDB target and mode is create`,
        {
          table: name,
          hint: 'use mode replace (drop and recreate), truncate or append, or drop the table',
        },
      );
    }
    if (existing && options.resuming) return;
    try {
      if (existing && mode === 'truncate') {
        await this.main.run(`DELETE FROM ${qualifiedName(table)}`);
        return;
      }
      if (existing && mode === 'append') return;
      const schema = createSchemaSql(table);
      if (schema) await this.main.run(schema);
      if (existing && mode === 'replace') await this.main.run(`DROP TABLE ${qualifiedName(table)}`);
      await this.main.run(createTableSql(table));
      this.owned.add(name);
      this.options.logger.info({ table: name, mode }, 'created target table');
    } catch (e) {
      throw wrapDuckDBError(e, { table: name, run: options.runId });
    }
  }

  readLedger(runId?: string): Promise<LedgerEntry[]> {
    return readLedgerEntries(this.main, runId);
  }

  async openPartition(request: LoadRequest, signal?: AbortSignal): Promise<PartitionWriter> {
    this.writable('openPartition');
    const writer = await DuckDBPartitionWriter.open(this.instance, request, signal);
    this.writers.add(writer);
    writer.onDone = () => this.writers.delete(writer);
    return writer;
  }

  async finishTable(table: TableSpec): Promise<void> {
    this.writable('finishTable');
    const name = tableName(table);
    if (!this.owned.has(name) || table.primaryKey.length === 0) return;
    const existing = await this.describe(table);
    if (!existing || existing.primaryKey.length > 0) return;
    try {
      await this.main.run(addPrimaryKeySql(table));
    } catch (e) {
      throw wrapDuckDBError(
        e,
        { table: name, hint: 'the loaded rows have duplicate or NULL primary keys' },
        'DATA',
      );
    }
  }

  /** Undo support for `ferry rollback` (see rollback.ts); each operation uses its own connection. */
  rollbackSupport(): TargetRollback {
    this.writable('rollbackSupport');
    return new DuckDBRollback(this.instance);
  }

  /** A source over the same database on its own connections: reads what is committed. */
  async reader(): Promise<Source> {
    return DuckDBSource.open(this.instance, () => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.writers]) await w.abort();
    this.main.closeSync();
    this.release();
  }
}

/** One partition load: one connection, one transaction. */
class DuckDBPartitionWriter implements PartitionWriter {
  onDone: () => void = () => {};
  private done = false;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly appender: ArrowAppender,
    private readonly request: LoadRequest,
    private readonly signal: AbortSignal | undefined,
  ) {}

  static async open(
    instance: DuckDBInstance,
    request: LoadRequest,
    signal: AbortSignal | undefined,
  ): Promise<DuckDBPartitionWriter> {
    const table = tableName(request.table);
    const context = { table, partition: request.partition.id, run: request.runId };
    signal?.throwIfAborted();
    const conn = await connectDuckDB(instance);
    try {
      await conn.run('BEGIN TRANSACTION');
      if (request.clearRange) {
        const p = duckdbRangePredicate(request.partition.range, request.table.columns);
        await conn.run(`DELETE FROM ${qualifiedName(request.table)} WHERE ${p.sql}`, p.params);
      }
      const appender = await ArrowAppender.open(
        conn,
        request.table,
        request.table.columns.map((c) => c.name),
        {
          table,
          // Name the row by its partitioning key, or by the primary key for a table loaded whole.
          keyColumns: request.partition.range.columns.length
            ? request.partition.range.columns
            : request.table.primaryKey,
        },
      );
      return new DuckDBPartitionWriter(conn, appender, request, signal);
    } catch (e) {
      await rollback(conn);
      conn.closeSync();
      throw wrapDuckDBError(e, context);
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
    try {
      this.appender.append(batch);
    } catch (e) {
      throw wrapDuckDBError(e, this.context(), 'DATA');
    }
  }

  async commit(entry: Omit<LedgerEntry, 'committedAt'>): Promise<void> {
    if (this.done)
      throw new FerryError('INTERNAL', `commit after commit/abort of ${this.request.partition.id}`);
    try {
      this.signal?.throwIfAborted();
      this.appender.close();
      await recordLedgerEntry(this.conn, entry);
      await this.conn.run('COMMIT');
    } catch (e) {
      this.appender.discard();
      await rollback(this.conn);
      let err = wrapDuckDBError(e, this.context(), 'DATA');
      if (!/fenced/.test(err.message)) {
        // A concurrent newer attempt committed after this transaction began: its ledger row made ours conflict.
        const recorded = await recordedAttempt(this.conn, entry.runId, entry.partitionId).catch(
          () => undefined,
        );
        if (recorded !== undefined && recorded > entry.attempt) err = fencedError(entry, recorded, e);
        else if (err.retryable) {
          err.message = `partition ${this.request.partition.id} (${formatRange(this.request.partition.range)}) conflicted with a concurrent commit: ${err.message}`;
        }
      }
      this.finish();
      throw err;
    }
    this.finish();
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.appender.discard();
    await rollback(this.conn);
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.conn.closeSync();
    this.onDone();
  }
}

async function rollback(conn: DuckDBConnection): Promise<void> {
  try {
    await conn.run('ROLLBACK');
  } catch {
    // No open transaction (a failed COMMIT already ended it): nothing to undo.
  }
}
