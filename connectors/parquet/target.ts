import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
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
  formatLogicalType,
  tableName,
} from '../../core/index.js';
import { connectDuckDB, openDuckDB } from '../../formats/duckdb/index.js';
import { describeParquetTable, discoverParquetTables } from './introspect.js';
import { readParquetLedger } from './ledger.js';
import { ParquetRollback } from './rollback.js';
import { ParquetSource } from './source.js';
import { mapParquetTable, parquetNativeType } from './types.js';
import { ParquetPartitionWriter } from './writer.js';

/**
 * A directory of Parquet files as a target: `DIR/<table>/part-<index>-<run>.parquet`, one file per partition,
 * every file of a table with the same schema. Files have no transactions, so a partition's load is made atomic
 * by writing a temporary file and renaming it (see `ParquetPartitionWriter`), and the ledger is one JSON file
 * per partition under `DIR/_ferry_ledger/`. Files are independent, so any number of processes may write one
 * directory.
 */
export class ParquetTarget implements Target {
  private readonly writers = new Set<ParquetPartitionWriter>();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly instance: DuckDBInstance,
    private readonly scratch: string,
    private readonly options: ConnectOptions,
  ) {}

  /** With `options.readOnly` (plan, verify) nothing is created and loading methods throw. */
  static async open(path: string, options: ConnectOptions): Promise<ParquetTarget> {
    const dir = resolve(path);
    if (!options.readOnly) await mkdir(dir, { recursive: true });
    // Partitions are staged in an in-memory DuckDB that may spill to this directory, not to the working directory.
    const scratch = mkdtempSync(join(tmpdir(), 'ferry-parquet-'));
    const instance = await openDuckDB(':memory:', { config: { temp_directory: scratch } });
    return new ParquetTarget(dir, instance, scratch, options);
  }

  private writable(what: string): void {
    if (this.options.readOnly)
      throw new FerryError('INTERNAL', `${what} on a Parquet target opened read-only`);
    if (this.closed) throw new FerryError('INTERNAL', `${what} on a closed Parquet target`);
  }

  /** The directory of a table's part files; CONFIG for a name that is not a plain directory name. */
  tableDir(ref: TableRef): string {
    const name = tableName(ref);
    if (!name || /[/\\\0]/.test(name) || name.startsWith('.') || name.startsWith('_')) {
      throw new FerryError('CONFIG', `table name "${name}" cannot name a directory of Parquet files`, {
        table: name,
        hint: 'map the table to a name without slashes that does not start with "." or "_"',
      });
    }
    return join(this.dir, name);
  }

  async describe(table: TableRef): Promise<TableSpec | undefined> {
    const name = tableName(table);
    const tables = await discoverParquetTables(this.dir).catch((e: unknown) => {
      if (e instanceof FerryError && e.code === 'NOT_FOUND') return new Map();
      throw e;
    });
    const found = tables.get(name);
    if (!found || found.files.length === 0) return undefined;
    const conn = await connectDuckDB(this.instance);
    try {
      const spec = await describeParquetTable(conn, found);
      spec.name = table.name;
      if (table.schema) spec.schema = table.schema;
      return spec;
    } finally {
      conn.closeSync();
    }
  }

  mapTable(source: TableSpec, name: TableRef): TableSpec {
    this.tableDir(name);
    return mapParquetTable(source, name);
  }

  nativeType(type: LogicalType): string {
    return parquetNativeType(type);
  }

  async prepareTable(
    table: TableSpec,
    mode: WriteMode,
    options: { runId: string; resuming: boolean },
  ): Promise<void> {
    this.writable('prepareTable');
    const name = tableName(table);
    const dir = this.tableDir(table);
    const existing = await this.describe(table);
    if (existing && (options.resuming || mode === 'append')) checkParquetShape(existing, table);
    if (existing && mode === 'create' && !options.resuming) {
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `table ${name} already has Parquet files in ${dir} and mode is create`,
        {
          table: name,
          hint: 'use mode replace or truncate (deletes its part files) or append, or remove the directory',
        },
      );
    }
    if ((mode === 'replace' || mode === 'truncate') && !options.resuming) {
      // Only part files: other files a person put there are not ferry's to delete.
      const parts = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(parts.filter(isPartFile).map((f) => rm(join(dir, f), { force: true })));
    }
    await mkdir(dir, { recursive: true });
    this.options.logger.info({ table: name, mode, dir }, 'prepared Parquet table directory');
  }

  readLedger(runId?: string): Promise<LedgerEntry[]> {
    return readParquetLedger(this.dir, runId);
  }

  async openPartition(request: LoadRequest, signal?: AbortSignal): Promise<PartitionWriter> {
    this.writable('openPartition');
    const writer = await ParquetPartitionWriter.open(
      this.instance,
      this.dir,
      this.tableDir(request.table),
      request,
      signal,
    );
    this.writers.add(writer);
    writer.onDone = () => this.writers.delete(writer);
    return writer;
  }

  async finishTable(): Promise<void> {}

  /** Undo support for `ferry rollback` (see rollback.ts): run files and hard-linked backups. */
  rollbackSupport(): TargetRollback {
    this.writable('rollbackSupport');
    return new ParquetRollback(this.dir, (ref) => this.tableDir(ref));
  }

  async reader(): Promise<Source> {
    return ParquetSource.open(this.dir);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.writers]) await w.abort();
    this.instance.closeSync();
    await rm(this.scratch, { recursive: true, force: true });
  }
}

/** A part file ferry wrote (`part-…parquet`). */
export function isPartFile(name: string): boolean {
  return name.startsWith('part-') && name.endsWith('.parquet');
}

/**
 * Every part file of a table must have the same schema (readers scan them as one table): an existing table's
 * columns must have the same names, order and logical types. Throws SCHEMA_MISMATCH naming the first difference.
 */
function checkParquetShape(existing: TableSpec, expected: TableSpec): void {
  const table = tableName(expected);
  const n = Math.max(existing.columns.length, expected.columns.length);
  for (let i = 0; i < n; i++) {
    const have = existing.columns[i];
    const want = expected.columns[i];
    const same =
      have &&
      want &&
      have.name === want.name &&
      formatLogicalType(have.type) === formatLogicalType(want.type);
    if (!same) {
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `the Parquet files of ${table} have column ${i + 1} ${have ? `${have.name} ${formatLogicalType(have.type)}` : 'missing'}, the load has ${want ? `${want.name} ${formatLogicalType(want.type)}` : 'none'}`,
        {
          table,
          column: want?.name ?? have?.name ?? '?',
          hint: 'use mode replace to rewrite the table, or write to another directory',
        },
      );
    }
  }
}
