import type { RecordBatch } from 'apache-arrow';
import type { Endpoint } from './endpoint.js';
import type { Logger } from './logger.js';
import type {
  Checksum,
  KeyRange,
  KeyTuple,
  LedgerEntry,
  LogicalType,
  Partition,
  TableRef,
  TableSpec,
  WriteMode,
} from './types.js';

/**
 * The contract every system implements (one folder per system under connectors/).
 *
 *   Source: introspect → sampleKeys → read(range) ⇒ AsyncIterable<RecordBatch>
 *   Target: mapTable → prepareTable → openPartition → write* → commit (data + ledger row, one transaction)
 *
 * Code outside a connector asks `capabilities`; it never branches on the connector's name.
 */
export interface Connector {
  readonly name: string;
  readonly capabilities: ConnectorCapabilities;
  openSource(endpoint: Endpoint, options: ConnectOptions): Promise<Source>;
  openTarget(endpoint: Endpoint, options: ConnectOptions): Promise<Target>;
}

export interface ConnectorCapabilities {
  source: boolean;
  target: boolean;
  /** A partition load is one atomic transaction (or atomic rename) together with its ledger entry. */
  atomicLoad: boolean;
  /** Parallel readers can share one consistent snapshot. */
  snapshot: boolean;
  /** Only one process may write the target (DuckDB files): all loads go through one writer process. */
  singleWriter: boolean;
}

export interface ConnectOptions {
  logger: Logger;
  signal?: AbortSignal;
  /** Open read-only (sources, verification). */
  readOnly?: boolean;
}

/**
 * Default of `ReadOptions.batchBytes`. A row count alone does not bound memory (10,000 rows of 1 MB documents
 * are 10 GB); with this bound a batch of wide rows ends early. On bench/mysql-to-pg.ts (≈ 190-byte rows, so
 * 10,000-row batches of 1.9 MB before) 1 MiB lowered ferry's peak RSS from 303–310 to 283–297 MB at the same
 * speed; 512 KiB lowered it to ~250 MB but cost ~15 % more CPU (per-batch work: pool messages, Arrow batches).
 */
export const DEFAULT_BATCH_BYTES = 1 << 20;

export interface ReadOptions {
  /** Maximum rows per batch. */
  batchRows: number;
  /**
   * Maximum bytes of values per batch (their size on the wire or in Arrow buffers; default
   * `DEFAULT_BATCH_BYTES`): a batch ends at `batchRows` rows or at this size, whichever comes first. A single
   * row larger than this is a batch of its own.
   */
  batchBytes?: number;
  /** Columns to read, in this order; default all columns of the spec. */
  columns?: string[];
  signal?: AbortSignal;
  /**
   * Read inside this exported snapshot (from `Source.beginSnapshot`), so parallel readers see one point in
   * time. The read fails (CONNECTION, not retryable) when the snapshot no longer exists.
   */
  snapshotId?: string;
}

/** A consistent read point held open by a source until `release` (see `Source.beginSnapshot`). */
export interface SourceSnapshot {
  /** Opaque id that readers pass as `ReadOptions.snapshotId`. */
  readonly id: string;
  /**
   * False when the source was configured for per-partition snapshots (e.g. MySQL `snapshot=per-partition`):
   * each partition is consistent in itself but the run is not one point in time, and the report must say so.
   * Default (absent): true.
   */
  readonly consistent?: boolean;
  /** Where the read point stands in the source's history (binlog position, GTID set, LSN), for the report. */
  readonly position?: string;
  /** Ends the snapshot transaction and its locks. Idempotent. */
  release(): Promise<void>;
}

/** What a source knows about a key's distribution, for partitioning. */
export interface KeyStats {
  /** Rows in the table (exact or estimated; see `exact`). */
  rows: number;
  exact: boolean;
  /** Rows where any key column is NULL. */
  nullKeyRows: number;
  /**
   * Sampled key tuples in ascending key order as the source orders them (its collation), duplicates kept,
   * NULL keys excluded. Spread uniformly over the rows, so sample i/n approximates quantile i/n.
   */
  samples: KeyTuple[];
  /** What the samples are when not rows sampled from the table (e.g. `histogram bounds of pg_stats`), for the plan. */
  samplesFrom?: string;
}

export interface Source {
  listTables(): Promise<TableRef[]>;
  /** Throws NOT_FOUND naming the table when it does not exist. */
  describe(table: TableRef): Promise<TableSpec>;
  sampleKeys(
    table: TableSpec,
    keyColumns: string[],
    maxSamples: number,
    signal?: AbortSignal,
  ): Promise<KeyStats>;
  /**
   * Streams the rows of one key range as Arrow batches of at most `batchRows` rows, with one field per
   * column whose metadata carries the logical type (formats/ `schemaFor`). Releases cursors in `finally`.
   */
  read(table: TableSpec, range: KeyRange, options: ReadOptions): AsyncIterable<RecordBatch>;
  /**
   * Optional (capability `snapshot`): opens a consistent read point over `tables` and keeps it (and locks that
   * stop a concurrent TRUNCATE or table rewrite) until released.
   */
  beginSnapshot?(tables: TableRef[], signal?: AbortSignal): Promise<SourceSnapshot>;
  /**
   * A pseudo key this source can split a keyless table by (PostgreSQL `ctid`), accepted by `sampleKeys` and
   * `read` like a key column. It exists only on the source, so such tables are verified as a whole table.
   */
  readonly rowIdKey?: string;
  /**
   * Optional: the raw row format (e.g. `pg-binary`, PostgreSQL's binary COPY) this source can stream the table's
   * rows in without decoding them. A plan uses it for a table without a transform when the target accepts the
   * same format and every column has the same native type on both sides (`TablePlan.rawCopy`).
   */
  readonly rawFormat?: string;
  /**
   * Optional (with `rawFormat`): the rows of a range, with `options.columns` in that order, as raw chunks of the
   * format: the whole stream, header and trailer included, split anywhere.
   */
  readRaw?(table: TableSpec, range: KeyRange, options: ReadOptions): AsyncIterable<Uint8Array>;
  /**
   * Optional: the canonical checksum (checksums/ `CHECKSUM_ALGORITHM`, exact comparison) of a range's rows,
   * hashed from the source's own wire format without building Arrow batches: the same value as hashing `read`'s
   * batches, for less work. Undefined when a column's type must be decoded first (the caller then hashes
   * `read`'s batches). `onProgress` runs as data arrives (e.g. a task heartbeat).
   */
  checksum?(
    table: TableSpec,
    range: KeyRange,
    options: ReadOptions & { onProgress?: () => Promise<void> | void },
  ): Promise<Checksum | undefined>;
  /**
   * Optional: whether `transcode` can write this table's rows (every column, in order) in a target's raw row
   * `format` (e.g. `pg-binary`) for the target columns' native types (`target.columns[i].nativeType`).
   */
  canTranscode?(table: TableSpec, target: TableSpec, format: string): boolean;
  /**
   * Optional (with `canTranscode`): the rows of a range encoded straight into the target's raw `format` — the
   * whole stream, header and trailer included — without Arrow batches, with their canonical checksum
   * (`TablePlan.transcode`).
   */
  transcode?(
    table: TableSpec,
    range: KeyRange,
    options: ReadOptions,
    target: TableSpec,
    format: string,
  ): TranscodedRows;
  close(): Promise<void>;
}

/** A range's rows in a target's raw format (`Source.transcode`). */
export interface TranscodedRows {
  /** The stream: header, rows and trailer, in chunks. */
  chunks: AsyncIterable<Uint8Array>;
  /** Rows encoded so far. */
  readonly rows: number;
  /** The canonical checksum of the rows as read (checksums/ CHECKSUM_ALGORITHM); complete once `chunks` ends. */
  checksum(): Checksum;
}

/**
 * The canonical checksum of what `reader` holds in a range: hashed from its wire format where it can
 * (`Source.checksum`, no Arrow batches built), else its batches through `checksumOf` (e.g. on a thread pool).
 * Both give the same value for an exact comparison (compare rules apply to batches: read those to use rules);
 * the first costs about a third of the CPU (bench/mysql-to-pg.ts).
 */
export async function rangeChecksum(
  reader: Source,
  table: TableSpec,
  range: KeyRange,
  options: ReadOptions & { onProgress?: () => Promise<void> | void },
  checksumOf: (batches: AsyncIterable<RecordBatch>) => Promise<Checksum>,
): Promise<Checksum> {
  const direct = await reader.checksum?.(table, range, options);
  if (direct) return direct;
  const { onProgress: _, ...read } = options;
  return checksumOf(reader.read(table, range, read));
}

/** Everything a target needs to load one partition exactly once. */
export interface LoadRequest {
  runId: string;
  planHash: string;
  /** The target table (after mapping). */
  table: TableSpec;
  /** The partition, with its range expressed in target column names. */
  partition: Partition;
  /**
   * Fencing number of this delivery (`fenceOf`: attempt × 1000 + deliveries). The commit is refused when a
   * newer fence has started for the partition (`Target.beginAttempt`) or one not older has committed.
   */
  attempt: number;
  /**
   * Remove the partition's key range (or the whole table for a `whole` range) in the same transaction
   * before loading: set when ferry owns the table (create/truncate/replace) and an earlier run may have
   * committed this range. Never set in append mode.
   */
  clearRange: boolean;
  /**
   * Load the rows in this raw format (`TablePlan.rawCopy`) through `PartitionWriter.writeRaw` instead of Arrow
   * batches. The target refuses (SCHEMA_MISMATCH) when its table's column types are not the planned ones.
   */
  rawFormat?: string;
  /**
   * Isolate rows the target refuses (`PartitionWriter.writeIsolating`) instead of failing the partition: set for
   * tables whose rejects go to the reject store.
   */
  isolateRefused?: boolean;
}

/** A row of a batch the target refused, and why (the database's error, without the row's values). */
export interface RefusedRow {
  row: number;
  column?: string;
  message: string;
}

/** What `Target.beginAttempt` needs: the partition and the fence of this delivery. */
export type AttemptStart = Pick<LoadRequest, 'runId' | 'planHash' | 'partition' | 'attempt'>;

/** Deliveries of one attempt that fences can tell apart (JetStream's MaxDeliver is far below). */
export const FENCE_DELIVERIES = 1000;

/**
 * The fencing number of one delivery of a task: attempt × 1000 + delivery count. It grows with every
 * re-publish (a higher attempt) and every redelivery of the same message, so the newest delivery always
 * holds the highest fence.
 */
export function fenceOf(attempt: number, deliveries: number): number {
  return attempt * FENCE_DELIVERIES + Math.min(Math.max(1, deliveries), FENCE_DELIVERIES - 1);
}

/**
 * True for the error of a load its fence refused (DATA, "… is fenced: …"): a newer delivery of the task owns
 * the partition and reports it, so this delivery's outcome is not the partition's.
 */
export function isFencedError(e: { code?: string; message?: string } | undefined): boolean {
  return e?.code === 'DATA' && / is fenced: /.test(e.message ?? '');
}

export interface PartitionWriter {
  /** Appends a batch whose columns are the target table's, in order. Awaits the target's capacity. */
  write(batch: RecordBatch): Promise<void>;
  /**
   * Optional (with `LoadRequest.isolateRefused`): appends a batch and returns the rows the target refused instead
   * of failing — the batch loads under a savepoint and, when refused, is split in halves down to single rows;
   * every other row is loaded.
   */
  writeIsolating?(batch: RecordBatch): Promise<RefusedRow[]>;
  /** Appends raw bytes of `LoadRequest.rawFormat` (the source's whole stream, in any split). */
  writeRaw?(chunk: Uint8Array): Promise<void>;
  /** Records the ledger entry and commits data and entry atomically. Throws CONFLICT-like DATA if fenced out. */
  commit(entry: Omit<LedgerEntry, 'committedAt'>): Promise<void>;
  /** Rolls back everything written by this writer. Safe to call after a failed commit. */
  abort(): Promise<void>;
  /**
   * Optional: ends the data written so far so the target checks it (an error names the row as `commit`'s
   * would), then rolls back. Never commits. Used to name the row a raw load was refused for.
   */
  checkAndAbort?(): Promise<void>;
}

export interface Target {
  /** The table as it exists in the target, or undefined. */
  describe(table: TableRef): Promise<TableSpec | undefined>;
  /** The target's table for a source table: each logical type mapped to one this target holds exactly. Throws TYPE. */
  mapTable(source: TableSpec, name: TableRef): TableSpec;
  /** The native type this target uses for a logical type (for DDL and the data-mapping document). */
  nativeType(type: LogicalType): string;
  /** Optional: the raw row format (see `Source.rawFormat`) this target loads and reads back unchanged. */
  readonly rawFormat?: string;
  /**
   * Optional: true when the target builds a table's indexes only after its last partition is loaded
   * (PostgreSQL), so reading one partition's key range back would scan the whole table — quadratic over the
   * partitions. Tables it creates or empties are then verified as a whole, in one scan, once loaded.
   */
  readonly indexesAfterLoad?: boolean;
  /**
   * Makes the table ready for loading under `mode`: create (must not exist), truncate, replace (drop and
   * create) or append (create if missing). With `resuming` it only checks the table has the expected shape:
   * a resumed run never truncates a table that holds finished partitions. Throws SCHEMA_MISMATCH.
   */
  prepareTable(
    table: TableSpec,
    mode: WriteMode,
    options: { runId: string; resuming: boolean },
  ): Promise<void>;
  /** Committed ledger entries, of one run or all. */
  readLedger(runId?: string): Promise<LedgerEntry[]>;
  openPartition(request: LoadRequest, signal?: AbortSignal): Promise<PartitionWriter>;
  /**
   * Optional: records, in a short transaction of its own, that fence `request.attempt` has started on the
   * partition, before the worker reads the ledger and loads. From then on a commit by an older fence (a worker
   * paused past its ack deadline, whose task was delivered again) is refused. Throws DATA "fenced" when a
   * newer fence has already started. Targets without it (single-process ones) fence by the ledger alone.
   */
  beginAttempt?(request: AttemptStart): Promise<void>;
  /** Called once after a table's last partition is loaded: indexes and constraints. */
  finishTable(table: TableSpec): Promise<void>;
  /** An independent reader of what this target holds, for verification. */
  reader(): Promise<Source>;
  /**
   * Optional: what `ferry rollback` needs to undo a run in this target (side tables, undo in one transaction).
   * Without it, runs into this target cannot be rolled back.
   */
  rollbackSupport?(): TargetRollback;
  close(): Promise<void>;
}

/**
 * How a target undoes one table of a run (coordinator/rollback). Side tables (backups, pre-run key snapshots)
 * live beside the table: same schema, names chosen by the coordinator.
 */
export interface TargetRollback {
  /**
   * How an append into an existing table is undone: `key-snapshot` (rows in the run's ranges whose key was not
   * there before, from a side table of pre-run keys) or `run-files` (each partition is its own file, named by run).
   */
  readonly appendUndo: 'key-snapshot' | 'run-files';
  /**
   * Copies `SELECT columns FROM table [WHERE range]` into side table `name` (all columns by default). For a full
   * copy, also returns the statements that recreate the table exactly (its DDL and indexes) when the engine can
   * give them; a restore then uses them.
   */
  saveRows(
    table: TableSpec,
    name: string,
    options?: { columns?: string[]; range?: KeyRange },
  ): Promise<{ definition?: string[] }>;
  /** Undoes one table and removes the run's ledger entries of it, in one target transaction. */
  undoTable(request: UndoRequest): Promise<{ deletedRows: string }>;
  /** Drops side table `name` beside `table` when it exists. */
  dropSideTable(table: TableRef, name: string): Promise<void>;
}

/** What `TargetRollback.undoTable` does to one table. */
export type UndoStep =
  /** The table did not exist before the run: drop it. */
  | { kind: 'drop' }
  /** Put back the pre-run copy in side table `from` (recreating the table from `definition` when given). */
  | { kind: 'restore'; from: string; definition?: string[] }
  /**
   * Delete the rows in `ranges` whose key (the ranges' columns) is not in side table `keys`; when `nullRows` is
   * given, replace the rows with a NULL key by that side table's rows.
   */
  | { kind: 'delete-loaded'; ranges: KeyRange[]; keys: string; nullRows?: string; nullRange?: KeyRange }
  /** Delete the files the run wrote for the table (targets with `appendUndo: 'run-files'`). */
  | { kind: 'delete-run-files' }
  /** Leave the table; only remove the run's ledger entries. */
  | { kind: 'ledger-only' };

export interface UndoRequest {
  runId: string;
  /** The table as it exists now (for `drop`, `restore` and `delete-run-files` only its name is used). */
  table: TableSpec;
  /** The ledger's name for the table (the source table, `LedgerEntry.table`): its entries of the run are removed. */
  ledgerTable: string;
  step: UndoStep;
  /**
   * The row count the table must hold afterwards: a transactional target refuses otherwise (VERIFY, nothing
   * changed); a file target leaves the check to the checksum verification that follows.
   */
  expectRows?: string;
}
