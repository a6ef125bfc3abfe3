import type { RecordBatch } from 'apache-arrow';
import type pg from 'pg';
import { PgCanonicalRowChecksum, pgCanonicalColumns } from '../../checksums/index.js';
import {
  type Checksum,
  type Endpoint,
  FerryError,
  type KeyRange,
  type KeyStats,
  type LogicalType,
  type ReadOptions,
  type Source,
  type SourceSnapshot,
  type TableRef,
  type TableSpec,
  tableName,
  toFerryError,
} from '../../core/index.js';
import { closeClient, connect, isLost, takeIdle } from './connection.js';
import { describeTable, listTables, type PgTable } from './introspect.js';
import { sampleKeys } from './partition.js';
import { copyOut, copyOutChunks } from './read-copy.js';
import { beginSnapshot, joinSnapshot } from './snapshot.js';
import { ident, qualified, rangeSql } from './sql-text.js';

/**
 * A PostgreSQL source. Each `read` takes a connection from a small idle pool, joins the run's snapshot when
 * given one, and streams `COPY (SELECT cols FROM t WHERE <range>) TO STDOUT (FORMAT binary)` through the
 * binary COPY decoder. Column codecs come from the catalogs (cached per table), not from the plan.
 */
export class PostgresSource implements Source {
  /** Keyless tables are split by TID ranges (PostgreSQL ≥ 14). */
  readonly rowIdKey = 'ctid';
  private readonly idle: pg.Client[] = [];
  private readonly tables = new Map<string, Promise<PgTable>>();
  private closed = false;

  constructor(
    private readonly endpoint: Endpoint,
    readonly defaultSchema: string,
  ) {}

  private async acquire(): Promise<pg.Client> {
    if (this.closed) throw new FerryError('INTERNAL', 'postgres source used after close');
    return takeIdle(this.idle) ?? connect(this.endpoint, 'ferry source');
  }

  private release(client: pg.Client): void {
    if (this.closed || isLost(client) || this.idle.length >= 8) void closeClient(client);
    else this.idle.push(client);
  }

  private async withClient<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    let ok = false;
    try {
      const out = await f(client);
      ok = true;
      return out;
    } finally {
      if (ok) this.release(client);
      else void closeClient(client, true);
    }
  }

  async listTables(): Promise<TableRef[]> {
    return this.withClient(listTables);
  }

  /** The table with its codecs, described once per source. */
  table(ref: TableRef): Promise<PgTable> {
    const key = tableName({ schema: ref.schema ?? this.defaultSchema, name: ref.name });
    let t = this.tables.get(key);
    if (!t) {
      t = this.withClient((c) => describeTable(c, ref, this.defaultSchema));
      this.tables.set(key, t);
      t.catch(() => this.tables.delete(key));
    }
    return t;
  }

  async describe(ref: TableRef): Promise<TableSpec> {
    return structuredClone((await this.table(ref)).spec);
  }

  async sampleKeys(table: TableSpec, keyColumns: string[], maxSamples: number): Promise<KeyStats> {
    const t = await this.table(table);
    return this.withClient((c) => sampleKeys(c, t, keyColumns, maxSamples));
  }

  beginSnapshot(tables: TableRef[], signal?: AbortSignal): Promise<SourceSnapshot> {
    return beginSnapshot(this.endpoint, tables, this.defaultSchema, signal);
  }

  async *read(spec: TableSpec, range: KeyRange, options: ReadOptions): AsyncGenerator<RecordBatch> {
    const { select, sub } = await this.rangeQuery(spec, range, options);
    yield* this.streaming(options, (client, state) =>
      copyOut(client, select, sub, {
        batchRows: options.batchRows,
        batchBytes: options.batchBytes,
        signal: options.signal,
        state,
      }),
    );
  }

  /** Binary COPY rows passed through undecoded (see `Source.rawFormat`). */
  readonly rawFormat = 'pg-binary';

  async *readRaw(spec: TableSpec, range: KeyRange, options: ReadOptions): AsyncGenerator<Uint8Array> {
    const { select, sub } = await this.rangeQuery(spec, range, options);
    yield* this.streaming(options, (client, state) =>
      copyOutChunks(client, select, tableName(sub.spec), { signal: options.signal, state }),
    );
  }

  /**
   * The canonical checksum of a range hashed from the binary COPY rows (checksums/ `PgCanonicalRowChecksum`), or
   * undefined when a column needs decoding. The verification read-back of loads from other engines: hashing the
   * wire directly costs ~0.3 µs per row on this thread against ~1 µs to decode, post and hash on the pool
   * (bench/mysql-to-pg.ts).
   */
  async checksum(
    spec: TableSpec,
    range: KeyRange,
    options: ReadOptions & { onProgress?: () => Promise<void> | void },
  ): Promise<Checksum | undefined> {
    const { select, sub } = await this.rangeQuery(spec, range, options);
    const columns = sub.spec.columns.map((c, i) => ({ name: c.name, type: c.type, codec: sub.codecs[i]! }));
    if (!pgCanonicalColumns(columns)) return undefined;
    const name = tableName(sub.spec);
    const hasher = new PgCanonicalRowChecksum(columns);
    try {
      const chunks = this.streaming(options, (client, state) =>
        copyOutChunks(client, select, name, { signal: options.signal, state }),
      );
      for await (const chunk of chunks) {
        hasher.push(chunk);
        await options.onProgress?.();
      }
      return hasher.end();
    } catch (e) {
      throw toFerryError(e, 'INTERNAL', { table: name });
    }
  }

  /** The SELECT of a range over the wanted columns, and the table narrowed to them (their codecs). */
  private async rangeQuery(
    spec: TableSpec,
    range: KeyRange,
    options: ReadOptions,
  ): Promise<{ select: string; sub: PgTable }> {
    const t = await this.table(spec);
    const name = tableName(t.spec);
    const wanted = options.columns ?? spec.columns.map((c) => c.name);
    const idx = wanted.map((n) => {
      const i = t.spec.columns.findIndex((c) => c.name === n);
      if (i < 0)
        throw new FerryError('SCHEMA_MISMATCH', `column ${n} no longer exists in ${name}`, {
          table: name,
          column: n,
        });
      return i;
    });
    const sub: PgTable = {
      ...t,
      spec: { ...t.spec, columns: idx.map((i) => t.spec.columns[i]!) },
      codecs: idx.map((i) => t.codecs[i]!),
    };
    const types = new Map<string, LogicalType>(t.spec.columns.map((c) => [c.name, c.type]));
    const where = rangeSql(range, types);
    const select = `SELECT ${sub.spec.columns.map((c) => ident(c.name)).join(', ')} FROM ${qualified(t.spec)} WHERE ${where}`;
    return { select, sub };
  }

  /** Runs one COPY stream on a pooled client inside the run's snapshot; a client left mid-COPY is discarded. */
  private async *streaming<T>(
    options: ReadOptions,
    stream: (client: pg.Client, state: { completed: boolean }) => AsyncGenerator<T>,
  ): AsyncGenerator<T> {
    const client = await this.acquire();
    const state = { completed: false };
    let clean = false;
    try {
      if (options.snapshotId) await joinSnapshot(client, options.snapshotId);
      yield* stream(client, state);
      if (options.snapshotId) await client.query('COMMIT');
      clean = state.completed;
    } finally {
      if (clean) this.release(client);
      else void closeClient(client, true);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((c) => closeClient(c)));
  }
}
