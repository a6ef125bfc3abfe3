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
import { connectDuckDB, qualifiedName, readRelation, relationFrom } from '../../formats/duckdb/index.js';
import { describeDuckDBTable, listDuckDBTables } from './introspect.js';
import { sampleDuckDBKeys } from './partition.js';

/**
 * A DuckDB database as a source. Introspection and sampling share one connection; every `read` opens its own
 * connection, so parallel reads of one database run in parallel inside DuckDB, and closes it when the stream
 * ends or is abandoned. A source opened read-only sees one unchanging database (no process can write a file
 * that is open read-only), so parallel readers read one consistent state.
 */
export class DuckDBSource implements Source {
  private readonly reads = new Set<DuckDBConnection>();
  private closed = false;

  /** `release` is called once by `close` (returns the shared instance). */
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly meta: DuckDBConnection,
    private readonly release: () => void,
  ) {}

  static async open(instance: DuckDBInstance, release: () => void): Promise<DuckDBSource> {
    try {
      return new DuckDBSource(instance, await connectDuckDB(instance), release);
    } catch (e) {
      release();
      throw e;
    }
  }

  listTables(): Promise<TableRef[]> {
    return listDuckDBTables(this.meta);
  }

  async describe(table: TableRef): Promise<TableSpec> {
    const spec = await describeDuckDBTable(this.meta, table);
    if (!spec) {
      throw new FerryError('NOT_FOUND', `table ${tableName(table)} does not exist in the DuckDB source`, {
        table: tableName(table),
        hint: 'check the table name; `ferry profile` lists the tables',
      });
    }
    return spec;
  }

  sampleKeys(
    table: TableSpec,
    keyColumns: string[],
    maxSamples: number,
    signal?: AbortSignal,
  ): Promise<KeyStats> {
    return sampleDuckDBKeys(this.meta, table, keyColumns, maxSamples, signal);
  }

  async *read(table: TableSpec, range: KeyRange, options: ReadOptions): AsyncIterable<RecordBatch> {
    if (this.closed) throw new FerryError('INTERNAL', `reading ${tableName(table)} from a closed source`);
    const conn = await connectDuckDB(this.instance);
    this.reads.add(conn);
    try {
      yield* readRelation(conn, relationFrom(qualifiedName(table), table), table, range, options);
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
    this.reads.clear();
    this.meta.closeSync();
    this.release();
  }
}
