import {
  type AttemptStart,
  type ConnectOptions,
  type Column,
  type Endpoint,
  FerryError,
  type ForeignKey,
  type LedgerEntry,
  type LoadRequest,
  type LogicalType,
  type PartitionWriter,
  type Source,
  type TableRef,
  type TableSpec,
  type Target,
  type WriteMode,
  formatLogicalType,
  tableName,
} from '../../core/index.js';
import {
  type Conn,
  type ServerInfo,
  end,
  MetaConnection,
  isBroken,
  openConnection,
  rows,
  run,
  serverInfo,
} from './connection.js';
import { addForeignKeySql, addIndexSql, addUniqueKeySql, createDatabaseSql, createTableSql } from './ddl.js';
import { describeMysqlTable } from './introspect.js';
import { beginAttempt, ensureLedger, readLedgerEntries } from './ledger.js';
import { type MysqlParams, parseMysqlParams } from './options.js';
import { MysqlPartitionWriter } from './partition-writer.js';
import { MySQLSource } from './source.js';
import { qualifiedName } from './sql.js';
import { holds, mysqlNativeType } from './types.js';

/**
 * The target table for a source table: same columns, nullability and keys, each logical type mapped to the
 * MySQL type that holds it exactly (see types.ts `mysqlNativeType`); key columns get indexable types. Foreign
 * keys point at the referenced table's name in the target's database.
 */
export function mapMysqlTable(source: TableSpec, name: TableRef): TableSpec {
  const table = tableName(name);
  const keyed = new Set([...source.primaryKey, ...(source.uniqueKeys ?? []).flat()]);
  // MySQL allows one AUTO_INCREMENT column, and it must lead an index: an integer identity leading the key.
  const autoIncrement = source.columns.find(
    (c) => c.identity && c.type.kind === 'int' && source.primaryKey[0] === c.name,
  )?.name;
  const columns: Column[] = source.columns.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    nativeType: mysqlNativeType(c.type, {
      table,
      column: c.name,
      key: keyed.has(c.name),
      sourceNative: c.nativeType,
    }),
    ...(c.name === autoIncrement ? { identity: true } : {}),
  }));
  const spec: TableSpec = {
    name: name.name,
    columns,
    primaryKey: [...source.primaryKey],
    estimatedRows: source.estimatedRows,
    estimatedBytes: source.estimatedBytes,
  };
  if (name.schema) spec.schema = name.schema;
  if (source.uniqueKeys?.length) spec.uniqueKeys = source.uniqueKeys.map((k) => [...k]);
  if (source.indexes?.length) spec.indexes = source.indexes.map((i) => ({ ...i, columns: [...i.columns] }));
  if (source.foreignKeys?.length) {
    spec.foreignKeys = source.foreignKeys.map((fk) => ({
      columns: [...fk.columns],
      references: name.schema
        ? { schema: name.schema, name: fk.references.name }
        : { name: fk.references.name },
      referencedColumns: [...fk.referencedColumns],
    }));
  }
  return spec;
}

/**
 * Checks that an existing target table can take the load's columns: the same names in the same order, each
 * existing type holding the expected one. Throws SCHEMA_MISMATCH naming the table and the first differing column.
 */
export function checkShape(existing: TableSpec, expected: TableSpec): void {
  const table = tableName(expected);
  const hint = 'drop or rename the table, use mode replace, or map the columns to match';
  const n = Math.max(existing.columns.length, expected.columns.length);
  for (let i = 0; i < n; i++) {
    const have = existing.columns[i];
    const want = expected.columns[i];
    if (!have || !want || have.name !== want.name) {
      const column = want?.name ?? have?.name ?? '?';
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `table ${table} exists with different columns: column ${i + 1} is ${have ? `"${have.name}"` : 'missing'}, expected ${want ? `"${want.name}"` : 'none'}`,
        { table, column, hint },
      );
    }
    if (!holds(have.type, want.type)) {
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `column ${want.name} of table ${table} is ${have.nativeType} (${formatLogicalType(have.type)}), which cannot hold ${formatLogicalType(want.type)}`,
        { table, column: want.name, hint },
      );
    }
  }
}

const MAX_IDLE_LOADERS = 16;

/**
 * A MySQL/MariaDB database as a target. DDL, ledger reads and constraint building use one meta connection;
 * each partition writer gets a loader connection (the only connections allowed to send local data) with its
 * own transaction, so partitions of one table load in parallel. The ledger `_ferry_ledger` lives in the
 * endpoint's database.
 */
export class MySQLTarget implements Target {
  private readonly owned = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly pendingForeignKeys: { table: TableSpec; fk: ForeignKey; index: number }[] = [];
  private readonly idle: Conn[] = [];
  private readonly writers = new Set<MysqlPartitionWriter>();
  private closed = false;

  private constructor(
    private readonly endpoint: Endpoint,
    private readonly params: MysqlParams,
    private readonly metaConn: MetaConnection,
    private readonly server: ServerInfo,
    private readonly options: ConnectOptions,
  ) {}

  /** With `options.readOnly` (plan, verify) nothing is created and loading methods throw. */
  static async open(endpoint: Endpoint, options: ConnectOptions): Promise<MySQLTarget> {
    const params = parseMysqlParams(endpoint);
    const meta = await openConnection(endpoint, params, 'meta', options.logger);
    try {
      const server = await serverInfo(meta);
      if (!options.readOnly) {
        const [flag] = await rows<{ on: number | string }>(meta, 'SELECT @@GLOBAL.local_infile AS `on`');
        if (Number(flag?.on ?? 0) !== 1) {
          throw new FerryError(
            'CONFIG',
            `the MySQL target ${endpoint.display} does not accept LOAD DATA LOCAL`,
            {
              hint: 'enable it on the server: SET GLOBAL local_infile = 1 (ferry sends only its own data stream)',
            },
          );
        }
        await ensureLedger(meta);
      }
      const reopen = () => openConnection(endpoint, params, 'meta', options.logger);
      return new MySQLTarget(
        endpoint,
        params,
        new MetaConnection(meta, reopen, options.logger),
        server,
        options,
      );
    } catch (e) {
      await end(meta);
      throw e;
    }
  }

  private get database(): string {
    return this.endpoint.database!;
  }

  async describe(table: TableRef): Promise<TableSpec | undefined> {
    const found = await describeMysqlTable(
      await this.metaConn.get(),
      table,
      this.database,
      { tinyint1: this.params.tinyint1, zeroDates: this.params.zero_dates },
      false,
    );
    return found?.spec;
  }

  mapTable(source: TableSpec, name: TableRef): TableSpec {
    return mapMysqlTable(source, name);
  }

  nativeType(type: LogicalType): string {
    return mysqlNativeType(type, { table: '?', column: '?', key: false });
  }

  private writable(what: string): void {
    if (this.options.readOnly) throw new FerryError('INTERNAL', `${what} on a MySQL target opened read-only`);
    if (this.closed) throw new FerryError('INTERNAL', `${what} on a closed MySQL target`);
  }

  async prepareTable(
    table: TableSpec,
    mode: WriteMode,
    options: { runId: string; resuming: boolean },
  ): Promise<void> {
    this.writable('prepareTable');
    const name = tableName(table);
    const context = { table: name, run: options.runId };
    const existing = await this.describe(table);
    if (mode !== 'append') this.owned.add(name);
    if (existing && (options.resuming || mode === 'append' || mode === 'truncate'))
      checkShape(existing, table);
    if (existing && mode === 'create' && !options.resuming) {
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `table ${name} already exists in the MySQL target and mode is create`,
        {
          table: name,
          hint: 'use mode replace (drop and recreate), truncate or append, or drop the table',
        },
      );
    }
    if (existing && options.resuming) return;
    if (existing && mode === 'truncate') {
      await run(await this.metaConn.get(), `TRUNCATE TABLE ${qualifiedName(table)}`, [], context);
      return;
    }
    if (existing && mode === 'append') return;
    const database = createDatabaseSql(table, this.database);
    if (database) await run(await this.metaConn.get(), database, [], context);
    if (existing && mode === 'replace')
      await run(await this.metaConn.get(), `DROP TABLE ${qualifiedName(table)}`, [], context);
    await run(await this.metaConn.get(), createTableSql(table, this.server.flavor), [], context);
    this.owned.add(name);
    this.options.logger.info({ table: name, mode }, 'created target table');
  }

  async readLedger(runId?: string): Promise<LedgerEntry[]> {
    return readLedgerEntries(await this.metaConn.get(), runId);
  }

  /** Records that this delivery's fence started (see ledger.ts); a stale delivery is refused here already. */
  async beginAttempt(request: AttemptStart): Promise<void> {
    this.writable('beginAttempt');
    await beginAttempt(await this.metaConn.get(), request.runId, request.partition.id, request.attempt);
  }

  private async loader(): Promise<Conn> {
    let conn = this.idle.pop();
    while (conn && isBroken(conn)) conn = this.idle.pop();
    return conn ?? openConnection(this.endpoint, this.params, 'loader', this.options.logger);
  }

  async openPartition(request: LoadRequest, signal?: AbortSignal): Promise<PartitionWriter> {
    this.writable('openPartition');
    const conn = await this.loader();
    const holder: { writer?: MysqlPartitionWriter } = {};
    const writer = await MysqlPartitionWriter.open(conn, request, signal, (c, reusable) => {
      if (holder.writer) this.writers.delete(holder.writer);
      if (reusable && !this.closed && !isBroken(c) && this.idle.length < MAX_IDLE_LOADERS) this.idle.push(c);
      else void end(c);
    });
    holder.writer = writer;
    this.writers.add(writer);
    return writer;
  }

  /**
   * After a table's last partition: its unique keys, then foreign keys whose referenced table is ready (loaded
   * in this run or already there); foreign keys of tables that were waiting for this one follow. Each is checked
   * against the loaded rows by the server.
   */
  async finishTable(table: TableSpec): Promise<void> {
    this.writable('finishTable');
    const name = tableName(table);
    this.finished.add(name);
    if (!this.owned.has(name)) return;
    const existing = await this.existingIndexes(table);
    const have = new Set(existing.unique.map((cols) => cols.join('\u0000')));
    for (const [i, cols] of (table.uniqueKeys ?? []).entries()) {
      if (have.has(cols.join('\u0000'))) continue;
      await run(await this.metaConn.get(), addUniqueKeySql(table, cols, i), [], {
        table: name,
        hint: 'the loaded rows have duplicate values in a unique key',
      });
    }
    for (const index of table.indexes ?? []) {
      const sql = addIndexSql(table, index);
      if (!sql || existing.names.has(index.name)) continue;
      await run(await this.metaConn.get(), sql, [], { table: name });
    }
    for (const [index, fk] of (table.foreignKeys ?? []).entries())
      this.pendingForeignKeys.push({ table, fk, index });
    for (const pending of [...this.pendingForeignKeys]) {
      const referenced = tableName(pending.fk.references);
      const ready =
        this.finished.has(referenced) ||
        (!this.owned.has(referenced) && (await this.describe(pending.fk.references)));
      if (!ready || !this.finished.has(tableName(pending.table))) continue;
      this.pendingForeignKeys.splice(this.pendingForeignKeys.indexOf(pending), 1);
      await run(await this.metaConn.get(), addForeignKeySql(pending.table, pending.fk, pending.index), [], {
        table: tableName(pending.table),
        hint: `rows of ${tableName(pending.table)} reference missing rows of ${referenced}`,
      });
    }
  }

  /** Column lists of the unique indexes a table already has, and the names of all its indexes. */
  private async existingIndexes(table: TableSpec): Promise<{ unique: string[][]; names: Set<string> }> {
    const found = await describeMysqlTable(
      await this.metaConn.get(),
      table,
      this.database,
      { tinyint1: 'bool', zeroDates: 'error' },
      false,
    );
    const indexes = found?.indexes ?? [];
    return {
      unique: indexes.filter((i) => i.unique).map((i) => i.columns),
      names: new Set(indexes.map((i) => i.name)),
    };
  }

  /** A source over the same database on its own connections; each read sees what is committed. */
  async reader(): Promise<Source> {
    return MySQLSource.open(this.endpoint, { ...this.options, readOnly: true }, { unqualified: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.writers]) await w.abort();
    await Promise.all(this.idle.splice(0).map((c) => end(c)));
    await this.metaConn.end();
  }
}
