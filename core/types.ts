/**
 * The shared vocabulary of ferry: logical types, columns, tables, key ranges, partitions, plans and results.
 * Everything here is plain JSON-serialisable data (no bigint, no classes) so it can cross threads, NATS and
 * the plan file unchanged.
 */

/**
 * An engine-independent column type. Every connector maps its native types to and from these.
 * Each kind has exactly one in-memory representation (see formats/ `JsValue`) and one Arrow representation.
 */
export type LogicalType =
  | { kind: 'bool' }
  /** Signed integers of 8/16/32/64 bits; `unsigned` widens the value range (uint64 up to 2^64-1). */
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; unsigned?: boolean }
  | { kind: 'float'; bits: 32 | 64 }
  /** Exact decimal. `precision` undefined means unbounded (PostgreSQL `numeric`). Carried as text, never a JS number. */
  | { kind: 'decimal'; precision?: number; scale?: number }
  /** Character data, UTF-8. `fixed` marks CHAR(n) semantics (padding); `maxLength` in characters. */
  | { kind: 'text'; maxLength?: number; fixed?: boolean }
  | { kind: 'bytes'; maxLength?: number }
  /** Calendar date, days since 1970-01-01. */
  | { kind: 'date' }
  /** Time of day in microseconds since midnight. */
  | { kind: 'time' }
  /** Microseconds since 1970-01-01 00:00:00; `tz` true means an instant in UTC (timestamptz). */
  | { kind: 'timestamp'; tz: boolean }
  /** Months, days and microseconds, kept apart as PostgreSQL does. */
  | { kind: 'interval' }
  | { kind: 'uuid' }
  /** JSON document as text; `binary` marks jsonb-like normalising storage on the source. */
  | { kind: 'json'; binary?: boolean }
  | { kind: 'list'; element: LogicalType };

/** The kind tag of a {@link LogicalType}. */
export type LogicalKind = LogicalType['kind'];

/** A column of a table as seen by one engine. */
export interface Column {
  name: string;
  type: LogicalType;
  nullable: boolean;
  /** The engine's own spelling of the type, for reports and DDL round-trips (e.g. `DECIMAL(12,2)`). */
  nativeType: string;
  /** Identity or serial column: a target sets its sequence past the loaded maximum. */
  identity?: boolean;
  /** The engine's expression of a stored generated column (the values are copied as data). */
  generated?: string;
}

/** Fully qualified table identity. `schema` is the engine's namespace (PostgreSQL schema, MySQL database). */
export interface TableRef {
  schema?: string;
  name: string;
}

/** A table's shape and size as introspected from an engine. */
export interface TableSpec extends TableRef {
  columns: Column[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** Unique keys other than the primary key, each in key order. */
  uniqueKeys?: string[][];
  foreignKeys?: ForeignKey[];
  /** Secondary indexes (not those backing the primary key or unique keys). */
  indexes?: IndexSpec[];
  /** Check constraints in the engine's own expression syntax. */
  checks?: CheckSpec[];
  /** Row estimate from the engine's statistics or an exact count; 0 when unknown. */
  estimatedRows: number;
  /** Byte estimate; 0 when unknown. */
  estimatedBytes: number;
}

/** A secondary index. `definition` is the engine's own DDL, usable by a target of the same engine. */
export interface IndexSpec {
  name: string;
  /** Indexed columns in order; empty when the index is on expressions. */
  columns: string[];
  unique: boolean;
  definition?: string;
}

/** A check constraint: `expression` is the engine's own text, e.g. PostgreSQL's `CHECK ((qty > 0))`. */
export interface CheckSpec {
  name: string;
  expression: string;
}

export interface ForeignKey {
  name?: string;
  columns: string[];
  references: TableRef;
  referencedColumns: string[];
}

/**
 * A key value inside a plan: the canonical text of the value for its logical type
 * (integers and decimals as plain digits, dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS.ffffff`,
 * uuids lower case, text as is, booleans `true`/`false`). Connectors bind it as a parameter with a cast.
 */
export type KeyValue = string;

/** One key value per key column, in key order. */
export type KeyTuple = KeyValue[];

/**
 * A half-open range over a table's key: `lo ≤ key < hi` compared as tuples in the source's key order.
 * A missing `lo` or `hi` is open-ended. `nullKey` selects exactly the rows where any key column is NULL
 * (and then `lo`/`hi` are absent). `whole` selects every row (tables without a usable key).
 */
export interface KeyRange {
  columns: string[];
  lo?: KeyTuple;
  hi?: KeyTuple;
  nullKey?: boolean;
  whole?: boolean;
}

/** A unit of work: one key range of one table. */
export interface Partition {
  /** Stable id, `<table>#<index>`; unique within a plan. */
  id: string;
  /** Qualified source table name (see `tableName`). */
  table: string;
  /** 0-based position within its table. */
  index: number;
  range: KeyRange;
  /** Estimated rows, for progress and reports. */
  estimatedRows: number;
}

/** How a table was split, and why, for the plan and the report. */
export interface PartitioningInfo {
  strategy: 'range' | 'single' | 'ctid';
  /** Why this strategy, e.g. "no primary key: one partition". */
  reason: string;
}

/** Where a target column comes from. Identity mapping when no transform is configured. */
export interface ColumnMapping {
  source: string;
  target: string;
}

/**
 * A table's mapping as planned by transform/ (its `TableTransform`, plain JSON). Core knows only its version;
 * transform/ `compileTransform` reads the rest.
 */
export interface PlannedTransform {
  version: number;
}

/** The plan for one table. */
export interface TablePlan {
  source: TableSpec;
  target: TableSpec;
  /**
   * Where target columns come from. Without a transform: every column, in order. With one: only the target
   * columns copied unchanged from a source column (so key ranges can be renamed); the transform says the rest.
   */
  columns: ColumnMapping[];
  /** Source key columns used for ranges (empty for single/ctid partitioning). */
  keyColumns: string[];
  /** What the run does to this table's target if it exists (per table; the plan's mode by default). */
  mode: WriteMode;
  partitioning: PartitioningInfo;
  partitions: Partition[];
  /** What the plan could not carry over, for the report (e.g. a foreign key to a table not migrated). */
  warnings?: string[];
  /** The configured mapping, cleansing and business rules (absent: columns copied as they are). */
  transform?: PlannedTransform;
  /**
   * How loaded rows are verified: `range` (default) reads each partition's key range back from the target;
   * `table` compares the whole target table with the sum of the partitions' checksums, for tables whose
   * partitioning key does not reach the target unchanged (see `verifiedAsWholeTable`).
   */
  verifyBy?: 'range' | 'table';
  /**
   * `table`: the run reads the loaded table back in one scan once its last partition is loaded, instead of each
   * partition's range (set for targets that build indexes only after the load, where a range read-back scans the
   * whole table). `ferry verify` still compares by range when `verifyBy` allows it.
   */
  readBack?: 'table';
  /**
   * Set when the table's rows are copied in this raw format of source and target (e.g. `pg-binary`) without
   * being decoded: no transform, and every column has the same native type on both sides. Its checksums are
   * then of the raw rows (checksums/ `PgBinaryRowChecksum`), for the load and for every read-back alike.
   */
  rawCopy?: string;
  /**
   * Set when the source writes the table's rows straight in this raw format of the target (e.g. `pg-binary`
   * from MySQL's text protocol, `Source.transcode`) instead of through Arrow batches: no transform, every column
   * of a type the source can carry into its target type. Checksums stay canonical (the same as the Arrow path's).
   */
  transcode?: string;
}

/**
 * True when a table's partitions cannot be read back by key range from the target — split by a source-only
 * row id (ctid), or a transform that does not copy the key unchanged — so the table is verified as a whole.
 */
export function verifiedAsWholeTable(t: Pick<TablePlan, 'verifyBy' | 'partitioning'>): boolean {
  return t.verifyBy === 'table' || t.partitioning.strategy === 'ctid';
}

/** True when a run verifies the table's loaded rows as a whole (see `verifiedAsWholeTable`, `TablePlan.readBack`). */
export function readBackAsWholeTable(t: Pick<TablePlan, 'verifyBy' | 'partitioning' | 'readBack'>): boolean {
  return t.readBack === 'table' || verifiedAsWholeTable(t);
}

/** What a run does to a target table that already exists. */
export type WriteMode = 'create' | 'truncate' | 'append' | 'replace';

/** An endpoint as recorded in a plan: never carries credentials. */
export interface EndpointInfo {
  /** Connector name, e.g. `duckdb`, `parquet`, `postgres`. */
  connector: string;
  /** The URL with credentials removed. */
  display: string;
}

/** A deterministic migration plan. `hash` is the SHA-256 of the canonical JSON of everything else. */
export interface Plan {
  version: 1;
  hash: string;
  source: EndpointInfo;
  target: EndpointInfo;
  mode: WriteMode;
  options: PlanOptions;
  tables: TablePlan[];
}

export interface PlanOptions {
  /** Target rows per partition. */
  partitionRows: number;
  /** Target bytes per partition instead of rows (see partitioning/ `rowsPerPartition`); absent: rows. */
  partitionBytes?: number;
  /** Rows per Arrow batch. */
  batchRows: number;
}

/** An order-independent multiset checksum: row count and the sum of 128-bit row hashes mod 2^128. */
export interface Checksum {
  /** Row count as decimal text (may exceed 2^53 for a table). */
  rows: string;
  /** Sum of row hashes mod 2^128, 32 lower-case hex digits. */
  sum: string;
}

/** A record of one committed partition load, kept in the target in the same transaction as the data. */
export interface LedgerEntry {
  runId: string;
  partitionId: string;
  table: string;
  planHash: string;
  /** Fencing number: a commit with a lower attempt than the recorded one is refused. */
  attempt: number;
  rows: string;
  checksum: string;
  committedAt: string;
}

/** The outcome of one partition attempt as reported by a worker. */
export interface PartitionResult {
  partitionId: string;
  table: string;
  attempt: number;
  status: 'done' | 'failed' | 'skipped';
  /** Checksum of the values written (after transforms). */
  written?: Checksum;
  /** Checksum read back from the target. */
  readBack?: Checksum;
  verified?: boolean;
  /** Rows the table's transform rejected (in the reject store), by rule; absent without a transform. */
  rejected?: RejectCounts;
  bytes: number;
  durationMs: number;
  error?: SerializedError;
}

/** Rejected rows of a partition (or table): the total and the count per rule name. */
export interface RejectCounts {
  rows: number;
  byRule: Record<string, number>;
}

/** A FerryError as plain data, to cross threads and processes. */
export interface SerializedError {
  code: string;
  message: string;
  retryable: boolean;
  context: ErrorContext;
  cause?: string;
  stack?: string;
}

/** What an error concerns, when known. */
export interface ErrorContext {
  run?: string;
  table?: string;
  partition?: string;
  column?: string;
  key?: string;
  value?: string;
  /** Path inside a YAML config file, e.g. `tables[2].mode`. */
  configPath?: string;
  /** The server's own code (SQLSTATE, MySQL errno). */
  serverCode?: string;
  hint?: string;
}

/** `schema.name` or `name`, the form used in plans, partition ids, logs and reports. */
export function tableName(ref: TableRef): string {
  return ref.schema ? `${ref.schema}.${ref.name}` : ref.name;
}

/** Formats a logical type for people: `decimal(12,2)`, `int64`, `timestamptz`, `list<text>`. */
export function formatLogicalType(t: LogicalType): string {
  switch (t.kind) {
    case 'int':
      return `${t.unsigned ? 'uint' : 'int'}${t.bits}`;
    case 'float':
      return `float${t.bits}`;
    case 'decimal':
      return t.precision === undefined ? 'decimal' : `decimal(${t.precision},${t.scale ?? 0})`;
    case 'text':
      return t.maxLength === undefined ? 'text' : `${t.fixed ? 'char' : 'varchar'}(${t.maxLength})`;
    case 'timestamp':
      return t.tz ? 'timestamptz' : 'timestamp';
    case 'list':
      return `list<${formatLogicalType(t.element)}>`;
    case 'json':
      return t.binary ? 'jsonb' : 'json';
    default:
      return t.kind;
  }
}
