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
import { connectDuckDB, openDuckDB, readRelation, relationFrom } from '../../formats/duckdb/index.js';
import {
  type ParquetTable,
  describeParquetTable,
  discoverParquetTables,
  findParquetTable,
  parquetRelation,
} from './introspect.js';
import { sampleParquetKeys } from './partition.js';

/**
 * Parquet files as a source, read through an in-memory DuckDB (`read_parquet` with the key range as a WHERE
 * clause, which DuckDB prunes by row-group statistics). The path is listed again on every call, so a reader of
 * a Parquet target sees part files committed since it opened. Files have no snapshot: they must not change
 * during a run.
 */
export class ParquetSource implements Source {
  private readonly reads = new Set<DuckDBConnection>();
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly meta: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<ParquetSource> {
    const instance = await openDuckDB(':memory:');
    try {
      return new ParquetSource(path, instance, await connectDuckDB(instance));
    } catch (e) {
      instance.closeSync();
      throw e;
    }
  }

  private async table(ref: TableRef): Promise<ParquetTable> {
    return findParquetTable(await discoverParquetTables(this.path), ref, this.path);
  }

  async listTables(): Promise<TableRef[]> {
    return [...(await discoverParquetTables(this.path)).keys()].map((name) => ({ name }));
  }

  async describe(ref: TableRef): Promise<TableSpec> {
    const spec = await describeParquetTable(this.meta, await this.table(ref));
    if (ref.schema) spec.schema = ref.schema;
    if (ref.schema) spec.name = ref.name;
    return spec;
  }

  async sampleKeys(
    table: TableSpec,
    keyColumns: string[],
    maxSamples: number,
    signal?: AbortSignal,
  ): Promise<KeyStats> {
    return sampleParquetKeys(this.meta, await this.table(table), table, keyColumns, maxSamples, signal);
  }

  async *read(table: TableSpec, range: KeyRange, options: ReadOptions): AsyncIterable<RecordBatch> {
    if (this.closed) throw new FerryError('INTERNAL', `reading ${tableName(table)} from a closed source`);
    const from = relationFrom(parquetRelation(await this.table(table)), table);
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
