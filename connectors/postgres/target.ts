import type pg from 'pg';
import {
  type AttemptStart,
  type Endpoint,
  FerryError,
  type LedgerEntry,
  type LoadRequest,
  type LogicalType,
  type PartitionWriter,
  type Source,
  type TableRef,
  type TableSpec,
  type TargetRollback,
  tableName,
  type WriteMode,
} from '../../core/index.js';
import { incompatibility, type PgCodec } from '../../formats/index.js';
import { closeClient, connect, isLost, query, takeIdle } from './connection.js';
import { checkShape, createTableSql, finishTable, indexMemoryOf } from './ddl.js';
import { describeTable, type PgTable } from './introspect.js';
import { beginAttempt, ensureLedger, readLedger } from './ledger.js';
import { PostgresRollback } from './rollback.js';
import { PostgresSource } from './source.js';
import { ident, qualified } from './sql-text.js';
import { mapColumn, pgNativeType } from './types.js';
import { PostgresPartitionWriter } from './writer.js';

/** A PostgreSQL target: DDL per mode, one transaction per partition with its ledger row, constraints last. */
export class PostgresTarget {
  private readonly idle: pg.Client[] = [];
  private readonly tables = new Map<string, Promise<{ table: PgTable; codecs: PgCodec[] }>>();
  private serverVersion: number | undefined;
  private closed = false;

  constructor(
    private readonly endpoint: Endpoint,
    readonly defaultSchema: string,
    readonly ledgerSchema: string,
  ) {}

  private async acquire(): Promise<pg.Client> {
    if (this.closed) throw new FerryError('INTERNAL', 'postgres target used after close');
    const c = takeIdle(this.idle) ?? (await connect(this.endpoint, 'ferry target'));
    if (this.serverVersion === undefined) {
      const r = await query<{ v: number }>(c, "SELECT current_setting('server_version_num')::int AS v");
      this.serverVersion = r[0]!.v;
    }
    return c;
  }

  private readonly releaseClient = (c: pg.Client): void => {
    if (this.closed || isLost(c) || this.idle.length >= 8) void closeClient(c);
    else this.idle.push(c);
  };

  private async withClient<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = await this.acquire();
    try {
      const out = await f(c);
      this.releaseClient(c);
      return out;
    } catch (e) {
      void closeClient(c, true);
      throw e;
    }
  }

  async describe(ref: TableRef): Promise<TableSpec | undefined> {
    return this.withClient(async (c) => {
      try {
        return (await describeTable(c, ref, this.defaultSchema)).spec;
      } catch (e) {
        if ((e as FerryError).code === 'NOT_FOUND') return undefined;
        throw e;
      }
    });
  }

  mapTable(source: TableSpec, name: TableRef): TableSpec {
    qualified(name, this.defaultSchema);
    const columns = source.columns.map((c) => {
      ident(c.name);
      const { generated: _g, ...rest } = mapColumn(c);
      return c.identity ? { ...rest, identity: true } : rest;
    });
    const out: TableSpec = {
      ...(name.schema ? { schema: name.schema } : {}),
      name: name.name,
      columns,
      primaryKey: [...source.primaryKey],
      estimatedRows: source.estimatedRows,
      estimatedBytes: source.estimatedBytes,
    };
    if (source.uniqueKeys) out.uniqueKeys = source.uniqueKeys.map((u) => [...u]);
    if (source.foreignKeys) out.foreignKeys = structuredClone(source.foreignKeys);
    if (source.indexes) out.indexes = structuredClone(source.indexes);
    if (source.checks) out.checks = structuredClone(source.checks);
    return out;
  }

  nativeType(type: LogicalType): string {
    return pgNativeType(type);
  }

  async prepareTable(
    table: TableSpec,
    mode: WriteMode,
    options: { runId: string; resuming: boolean },
  ): Promise<void> {
    const name = tableName(table);
    this.tables.delete(this.key(table));
    await this.withClient(async (c) => {
      await ensureLedger(c, this.ledgerSchema);
      await query(
        c,
        `CREATE SCHEMA IF NOT EXISTS ${ident(table.schema ?? this.defaultSchema)}`,
        [],
        `cannot create schema for ${name}`,
      );
      let existing: TableSpec | undefined;
      try {
        existing = (await describeTable(c, table, this.defaultSchema)).spec;
      } catch (e) {
        if ((e as FerryError).code !== 'NOT_FOUND') throw e;
      }
      const create = async () => {
        for (const stmt of createTableSql(table, this.defaultSchema))
          await query(c, stmt, [], `cannot create ${name}`, { table: name });
      };
      if (!existing) return void (await create());
      if (options.resuming || mode === 'append') return checkShape(table, existing);
      if (mode === 'create')
        throw new FerryError('SCHEMA_MISMATCH', `target table ${name} already exists`, {
          table: name,
          hint: 'use mode truncate, append or replace, or drop the table',
        });
      if (mode === 'truncate') {
        checkShape(table, existing);
        await query(c, `TRUNCATE ${qualified(table, this.defaultSchema)}`, [], `cannot truncate ${name}`, {
          table: name,
        });
        return;
      }
      await query(c, 'BEGIN');
      await query(c, `DROP TABLE ${qualified(table, this.defaultSchema)}`, [], `cannot drop ${name}`, {
        table: name,
      });
      await create();
      await query(c, 'COMMIT');
    });
  }

  readLedger(runId?: string): Promise<LedgerEntry[]> {
    return this.withClient((c) => readLedger(c, this.ledgerSchema, runId));
  }

  private key(table: TableRef): string {
    return tableName({ schema: table.schema ?? this.defaultSchema, name: table.name });
  }

  /** The target table's codecs from its catalog, checked against the planned column types. */
  private codecsFor(table: TableSpec): Promise<{ table: PgTable; codecs: PgCodec[] }> {
    const name = tableName(table);
    const key = this.key(table);
    let entry = this.tables.get(key);
    if (!entry) {
      entry = this.withClient(async (c) => {
        const t = await describeTable(c, table, this.defaultSchema);
        checkShape(table, t.spec);
        const codecs = t.codecs.map((codec, i) => {
          const planned = table.columns[i]!;
          const why = incompatibility(planned.type, codec);
          if (why)
            throw new FerryError('SCHEMA_MISMATCH', `column ${planned.name} of ${name}: ${why}`, {
              table: name,
              column: planned.name,
            });
          return { ...codec, numericInfinity: (this.serverVersion ?? 0) >= 140000 };
        });
        return { table: t, codecs };
      });
      this.tables.set(key, entry);
      entry.catch(() => this.tables.delete(key));
    }
    return entry;
  }

  /** Loads binary COPY rows passed through from a PostgreSQL source (see `Source.rawFormat`). */
  readonly rawFormat = 'pg-binary';
  /** Keys and indexes are built after the data (ddl.ts `finishTable`). */
  readonly indexesAfterLoad = true;

  async openPartition(request: LoadRequest, signal?: AbortSignal): Promise<PartitionWriter> {
    const { table, codecs } = await this.codecsFor(request.table);
    if (request.rawFormat) checkRawColumns(request.table, table.spec);
    const client = await this.acquire();
    return PostgresPartitionWriter.open(client, request, codecs, {
      ledgerSchema: this.ledgerSchema,
      defaultSchema: this.defaultSchema,
      release: this.releaseClient,
      signal,
    });
  }

  /** Records the fence started on a partition (see ledger.ts); refuses a stale one with DATA "fenced". */
  beginAttempt(request: AttemptStart): Promise<void> {
    const record = (c: pg.Client) =>
      beginAttempt(c, this.ledgerSchema, request.runId, request.partition.id, request.attempt);
    return this.withClient(async (c) => {
      try {
        await record(c);
      } catch (e) {
        // A ledger schema created before the attempts table existed: add it, once.
        if ((e as FerryError).context?.serverCode !== '42P01') throw e;
        await ensureLedger(c, this.ledgerSchema);
        await record(c);
      }
    });
  }

  finishTable(table: TableSpec): Promise<void> {
    return finishTable(
      () => this.acquire(),
      this.releaseClient,
      table,
      this.defaultSchema,
      indexMemoryOf(this.endpoint.params),
    );
  }

  /** Undo support for `ferry rollback` (see rollback.ts). */
  rollbackSupport(): TargetRollback {
    return new PostgresRollback((f) => this.withClient(f), this.defaultSchema, this.ledgerSchema);
  }

  async reader(): Promise<Source> {
    return new PostgresSource(this.endpoint, this.defaultSchema);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((c) => closeClient(c)));
  }
}

/**
 * A raw load sends the source's send-format bytes, which the target decodes with its own column types: they
 * must be exactly the planned ones (e.g. an existing numeric(10,1) would round a numeric(12,2) value).
 */
function checkRawColumns(planned: TableSpec, actual: TableSpec): void {
  const name = tableName(planned);
  for (const c of planned.columns) {
    const native = actual.columns.find((a) => a.name === c.name)?.nativeType;
    if (native !== c.nativeType)
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `column ${c.name} of ${name} is ${native ?? 'missing'}, the plan copies ${c.nativeType} values into it unchanged`,
        { table: name, column: c.name, hint: 'plan again (`ferry plan`), or set FERRY_RAW_COPY=off' },
      );
  }
}
