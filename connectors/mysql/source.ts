import type { RecordBatch } from 'apache-arrow';
import {
  type ConnectOptions,
  DEFAULT_BATCH_BYTES,
  type Endpoint,
  FerryError,
  type KeyRange,
  type KeyStats,
  type ReadOptions,
  type Source,
  type SourceSnapshot,
  type TableRef,
  type TableSpec,
  type TranscodedRows,
  quoteBacktick,
  tableName,
} from '../../core/index.js';
import { binaryCopyHeader, binaryCopyTrailer } from '../../formats/index.js';
import { type Conn, end, MetaConnection, openConnection } from './connection.js';
import { type Decoder, decoderFor, selectExpression } from './decode.js';
import { type MysqlTableDetails, describeMysqlTable, listMysqlTables } from './introspect.js';
import { parseNativeType } from './native-type.js';
import { type MysqlParams, parseMysqlParams } from './options.js';
import { sampleMysqlKeys } from './partition.js';
import { type StreamState, streamBatches, streamRows } from './read-batches.js';
import { PgTranscoder, pgFields } from './transcode-pg.js';
import { ReadConnections, type Lease, SnapshotPool } from './snapshot.js';
import { columnsNamed, mysqlRangePredicate, qualifiedName } from './sql.js';
import type { ReadTypeOptions } from './types.js';

/** How a source opens: from its endpoint, or as a target's independent reader. */
export interface MysqlSourceOptions {
  /** Keep table refs as given (a target's reader) instead of naming the database in every spec. */
  unqualified?: boolean;
}

/**
 * A MySQL/MariaDB database as a source. Introspection runs on one meta connection. Reads run on reader
 * connections that receive raw values (see read-batches.ts):
 *
 *   read(range, { snapshotId })  ─► a connection of that consistent snapshot (beginSnapshot), kept open
 *   read(range)                  ─► its own connection and snapshot transaction (one partition, one point)
 *
 * MySQL snapshots live in the connections of this process: a snapshot id from another process is unknown here
 * and the read fails (not retryable) rather than reading another point in time.
 */
export class MySQLSource implements Source {
  private readonly snapshots = new Map<string, SnapshotPool>();
  private readonly reads: ReadConnections;
  private readonly typeOptions: ReadTypeOptions;
  private closed = false;

  private constructor(
    private readonly endpoint: Endpoint,
    private readonly params: MysqlParams,
    private readonly metaConn: MetaConnection,
    private readonly options: ConnectOptions,
    private readonly sourceOptions: MysqlSourceOptions,
  ) {
    this.typeOptions = { tinyint1: params.tinyint1, zeroDates: params.zero_dates };
    this.reads = new ReadConnections(() => this.openReader(), params.readers);
  }

  static async open(
    endpoint: Endpoint,
    options: ConnectOptions,
    sourceOptions: MysqlSourceOptions = {},
  ): Promise<MySQLSource> {
    const params = parseMysqlParams(endpoint);
    const open = () => openConnection(endpoint, params, 'meta', options.logger);
    const meta = new MetaConnection(await open(), open, options.logger);
    return new MySQLSource(endpoint, params, meta, options, sourceOptions);
  }

  private get database(): string {
    return this.endpoint.database!;
  }

  private openReader(): Promise<Conn> {
    return openConnection(this.endpoint, this.params, 'reader', this.options.logger);
  }

  async listTables(): Promise<TableRef[]> {
    return listMysqlTables(await this.metaConn.get(), this.database);
  }

  /** The table's spec with what TableSpec has no room for: secondary indexes, AUTO_INCREMENT, engine. */
  async details(table: TableRef): Promise<MysqlTableDetails> {
    const found = await describeMysqlTable(
      await this.metaConn.get(),
      table,
      this.database,
      this.typeOptions,
      !this.sourceOptions.unqualified,
    );
    if (!found) {
      const name = tableName({ schema: table.schema ?? this.database, name: table.name });
      throw new FerryError(
        'NOT_FOUND',
        `table ${name} does not exist in the MySQL source ${this.endpoint.display}`,
        {
          table: name,
          hint: 'check the table name (`t` or `database.t`); `ferry profile` lists the tables',
        },
      );
    }
    return found;
  }

  async describe(table: TableRef): Promise<TableSpec> {
    return (await this.details(table)).spec;
  }

  async sampleKeys(
    table: TableSpec,
    keyColumns: string[],
    maxSamples: number,
    signal?: AbortSignal,
  ): Promise<KeyStats> {
    const conn = await this.openReader();
    try {
      return await sampleMysqlKeys(conn, table, keyColumns, maxSamples, this.typeOptions, signal);
    } finally {
      await end(conn);
    }
  }

  /**
   * Opens the run's read point. `snapshot=consistent` (default): one snapshot shared by `readers` connections
   * under a brief global read lock (see SnapshotPool). `snapshot=per-partition`: nothing is locked; the returned
   * snapshot says `consistent: false` and reads with its id each use their own snapshot.
   */
  async beginSnapshot(_tables: TableRef[], signal?: AbortSignal): Promise<SourceSnapshot> {
    signal?.throwIfAborted();
    if (this.params.snapshot === 'per-partition') {
      return { id: PER_PARTITION, consistent: false, release: async () => {} };
    }
    const pool = await SnapshotPool.open(
      () => this.openReader(),
      await this.metaConn.get(),
      this.params.readers,
      this.options.logger,
    );
    this.snapshots.set(pool.id, pool);
    const out: SourceSnapshot = {
      id: pool.id,
      consistent: true,
      release: async () => {
        this.snapshots.delete(pool.id);
        await pool.release();
      },
    };
    return pool.position ? { ...out, position: pool.position } : out;
  }

  private lease(snapshotId: string | undefined, signal?: AbortSignal): Promise<Lease> {
    if (snapshotId === undefined || snapshotId === PER_PARTITION) return this.reads.acquire(signal);
    const pool = this.snapshots.get(snapshotId);
    if (!pool) {
      return Promise.reject(
        new FerryError('CONNECTION', `the MySQL snapshot ${snapshotId} is not open in this process`, {
          retryable: false,
          hint: 'MySQL snapshots cannot be shared between processes: run the workers in the process that opened it, or use snapshot=per-partition',
        }),
      );
    }
    return pool.acquire(signal);
  }

  async *read(table: TableSpec, range: KeyRange, options: ReadOptions): AsyncIterable<RecordBatch> {
    const query = this.rangeQuery(table, range, options.columns);
    yield* this.streaming(options, (conn, kill, state) =>
      streamBatches(
        conn,
        {
          ...query,
          batchRows: options.batchRows,
          batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(kill ? { kill } : {}),
        },
        state,
      ),
    );
  }

  /** Every column of a type the transcoder carries into the planned PostgreSQL type (transcode-pg.ts). */
  canTranscode(table: TableSpec, target: TableSpec, format: string): boolean {
    if (format !== 'pg-binary') return false;
    const decoders = table.columns.map((c) =>
      decoderFor(c.type, parseNativeType(c.nativeType), this.typeOptions),
    );
    if (!decoders.every((d) => d !== undefined)) return false;
    return (
      pgFields(
        table.columns,
        decoders,
        target.columns.map((c) => c.nativeType),
      ) !== undefined
    );
  }

  transcode(
    table: TableSpec,
    range: KeyRange,
    options: ReadOptions,
    target: TableSpec,
    format: string,
  ): TranscodedRows {
    const query = this.rangeQuery(table, range, undefined);
    const width = table.columns.length;
    const fields =
      format === 'pg-binary' &&
      pgFields(
        table.columns,
        query.decoders,
        target.columns.map((c) => c.nativeType),
      );
    if (!fields)
      throw new FerryError(
        'INTERNAL',
        `${query.name} cannot be transcoded into ${format} for ${tableName(target)}`,
        {
          table: query.name,
        },
      );
    const transcoder = new PgTranscoder(fields, query.decoders.slice(0, width));
    const streaming = this.streaming(options, (conn, kill, state) =>
      streamRows(
        conn,
        { ...query, ...(options.signal ? { signal: options.signal } : {}), ...(kill ? { kill } : {}) },
        transcoder,
        state,
      ),
    );
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield binaryCopyHeader();
      yield* streaming;
      yield binaryCopyTrailer();
    }
    return {
      chunks: chunks(),
      get rows() {
        return transcoder.rows;
      },
      checksum: () => transcoder.sum.result(),
    };
  }

  /** The SELECT of a range over `columns` (default all), plus key columns it lacks to name a failing row. */
  private rangeQuery(table: TableSpec, range: KeyRange, wanted: string[] | undefined) {
    const name = tableName(table);
    if (this.closed)
      throw new FerryError('INTERNAL', `reading ${name} from a closed MySQL source`, { table: name });
    const columns = columnsNamed(table, wanted ?? table.columns.map((c) => c.name));
    const keyColumns = columnsNamed(
      table,
      range.columns.filter((k) => !columns.some((c) => c.name === k)),
    );
    const queried = [...columns, ...keyColumns];
    const decoders: Decoder[] = queried.map((c) => {
      const d = decoderFor(c.type, parseNativeType(c.nativeType), this.typeOptions);
      if (!d) {
        throw new FerryError(
          'TYPE',
          `column ${c.name} of ${name} (${c.nativeType}) cannot be read as ${c.type.kind}`,
          {
            table: name,
            column: c.name,
          },
        );
      }
      return d;
    });
    const select = queried.map((c) => selectExpression(quoteBacktick(c.name), parseNativeType(c.nativeType)));
    const where = mysqlRangePredicate(range, table);
    return {
      name,
      table,
      columns,
      decoders,
      sql: `SELECT ${select.join(', ')} FROM ${qualifiedName(table)} WHERE ${where.sql}`,
      params: where.params,
      names: queried.map((c) => c.name),
      keyPositions: range.columns.map((k) => queried.findIndex((c) => c.name === k)),
    };
  }

  /** Runs one stream on a leased connection (the run's snapshot, or its own), released when the stream ends. */
  private async *streaming<T>(
    options: ReadOptions,
    stream: (conn: Conn, kill: Lease['kill'], state: StreamState) => AsyncGenerator<T>,
  ): AsyncGenerator<T> {
    const lease = await this.lease(options.snapshotId, options.signal);
    const state = { finished: false };
    try {
      yield* stream(lease.conn, lease.kill, state);
    } finally {
      await lease.release(state.finished);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pool of this.snapshots.values()) await pool.release();
    this.snapshots.clear();
    await this.reads.close();
    await this.metaConn.end();
  }
}

/** The snapshot id of `snapshot=per-partition`: reads with it each open their own snapshot. */
const PER_PARTITION = 'mysql-per-partition';
