import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import {
  FerryError,
  type KeyRange,
  type KeyStats,
  type ReadOptions,
  type Source,
  type TableRef,
  type TableSpec,
  tableName,
} from '../../core/index.js';
import { connectDuckDB, openDuckDB, readRelation } from '../../formats/duckdb/index.js';
import {
  type CsvDialect,
  csvRelation,
  describeCsv,
  discoverCsvFiles,
  findCsvFile,
  sniffCsv,
} from './introspect.js';
import { sampleCsvKeys } from './partition.js';

/**
 * CSV files as a source, read through an in-memory DuckDB's `read_csv` with the dialect sniffed once per file
 * and the column types proven lossless by `describe` (stated explicitly on every read, so all readers agree).
 */
export class CsvSource implements Source {
  private readonly dialects = new Map<string, Promise<CsvDialect>>();
  private readonly reads = new Set<DuckDBConnection>();
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly meta: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<CsvSource> {
    const instance = await openDuckDB(':memory:');
    try {
      return new CsvSource(path, instance, await connectDuckDB(instance));
    } catch (e) {
      instance.closeSync();
      throw e;
    }
  }

  private async file(ref: TableRef): Promise<string> {
    return findCsvFile(await discoverCsvFiles(this.path), ref, this.path);
  }

  private dialect(file: string): Promise<CsvDialect> {
    let d = this.dialects.get(file);
    if (!d) {
      d = sniffCsv(this.meta, file);
      this.dialects.set(file, d);
      d.catch(() => this.dialects.delete(file));
    }
    return d;
  }

  /** The relation reading a table as its spec types it. */
  private async relation(table: TableSpec): Promise<string> {
    const file = await this.file(table);
    const columns = table.columns.map((c) => ({ name: c.name, type: c.nativeType }));
    return csvRelation(file, await this.dialect(file), columns);
  }

  async listTables(): Promise<TableRef[]> {
    return [...(await discoverCsvFiles(this.path)).keys()].map((name) => ({ name }));
  }

  async describe(ref: TableRef): Promise<TableSpec> {
    const file = await this.file(ref);
    return (await describeCsv(this.meta, file, await this.dialect(file))).spec;
  }

  async sampleKeys(
    table: TableSpec,
    keyColumns: string[],
    maxSamples: number,
    signal?: AbortSignal,
  ): Promise<KeyStats> {
    return sampleCsvKeys(this.meta, await this.relation(table), table, keyColumns, maxSamples, signal);
  }

  async *read(table: TableSpec, range: KeyRange, options: ReadOptions): AsyncIterable<RecordBatch> {
    if (this.closed) throw new FerryError('INTERNAL', `reading ${tableName(table)} from a closed source`);
    const from = await this.relation(table);
    const conn = await connectDuckDB(this.instance);
    this.reads.add(conn);
    try {
      yield* readRelation(conn, from, table, range, options);
    } finally {
      this.reads.delete(conn);
      conn.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of this.reads) {
      conn.interrupt();
      conn.closeSync();
    }
    this.meta.closeSync();
    this.instance.closeSync();
  }
}
