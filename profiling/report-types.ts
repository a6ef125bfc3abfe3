import type { ForeignKey } from '../core/index.js';
import type { PatternName } from './patterns.js';
import type { PiiFlag } from './pii.js';

/**
 * The profile report: plain JSON (written as `results/profiles/<name>.json` and rendered to Markdown and
 * HTML). Values are display text; counts are numbers of rows.
 */

export type Severity = 'error' | 'warning' | 'info';

/** What kind of problem a finding reports; tests and automation decide by this, not by the message. */
export type FindingCode =
  | 'null_in_required'
  | 'all_null'
  | 'constant'
  | 'malformed_email'
  | 'malformed_phone'
  | 'inconsistent_format'
  | 'stored_as_text'
  | 'code_values'
  | 'enumeration'
  | 'outliers'
  | 'pii'
  | 'no_primary_key'
  | 'null_in_key'
  | 'duplicate_key'
  | 'duplicate_candidate_key'
  | 'orphans'
  | 'parent_missing'
  | 'fk_cycle'
  | 'self_reference';

export interface Finding {
  severity: Severity;
  code: FindingCode;
  table: string;
  /** The column, or the key's columns joined by `+`. */
  column?: string;
  message: string;
  /** Offending rows (or values), when countable. */
  count?: number;
  /** `count` as a percentage of the rows it was measured on. */
  percent?: number;
  examples?: string[];
}

export interface HistogramBin {
  /** Lower edge (inclusive), as the column prints it. */
  lo: string;
  /** Upper edge: inclusive for integer-like columns, exclusive for floats (the last bin includes the maximum). */
  hi: string;
  count: number;
}

export interface PatternResult {
  pattern: PatternName;
  label: string;
  matches: number;
  /** Of the non-NULL values. */
  percent: number;
  examples: string[];
  /** First values that do not match. */
  misses: string[];
}

export interface ColumnProfile {
  name: string;
  nativeType: string;
  /** The logical type (core `formatLogicalType`). */
  type: string;
  nullable: boolean;
  /** Declared NOT NULL or configured as required. */
  required: boolean;
  rows: number;
  nulls: number;
  nullPercent: number;
  nan?: number;
  distinct: { count: number; exact: boolean; relativeError?: number };
  min?: string;
  max?: string;
  /** Most frequent values; `error` > 0 where the count is a lower bound. */
  topValues: { value: string; count: number; error?: number }[];
  topValuesExact: boolean;
  lengths?: {
    unit: 'characters' | 'bytes';
    min: number;
    max: number;
    mean: number;
    histogram: HistogramBin[];
  };
  /** Patterns with at least one match, most matches first. */
  patterns?: PatternResult[];
  /** Nearest-rank quantiles (always values of the column). */
  quantiles?: { q1: string; median: string; q3: string; exact: boolean };
  /** Values outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR]. */
  outliers?: { low: string; high: string; below: number; above: number; exact: boolean; examples: string[] };
  histogram?: { bins: HistogramBin[]; exact: boolean };
  pii?: PiiFlag;
  /** Values of this column are masked in the report (PII). */
  masked?: boolean;
}

/** A duplicate check on one key. */
export interface KeyCheckResult {
  kind: 'primary' | 'unique' | 'candidate';
  columns: string[];
  rows: number;
  nullRows: number;
  distinct: number;
  duplicateRows: number;
  duplicateKeys: number;
  examples: string[];
}

/** An orphan check on one foreign key. */
export interface OrphanCheckResult {
  columns: string[];
  references: string;
  referencedColumns: string[];
  /** `configured`: given in the options rather than declared by the source. */
  origin: 'declared' | 'configured';
  /** How it was checked: against a parent read completely first, at the end (cycles), or not at all. */
  mode: 'immediate' | 'deferred' | 'unchecked';
  rows: number;
  nullRows: number;
  orphanRows: number;
  orphanKeys: number;
  examples: string[];
  reason?: string;
}

export interface TableProfile {
  name: string;
  rows: number;
  partitions: number;
  /** Bytes of Arrow data read. */
  bytesRead: number;
  columns: ColumnProfile[];
  keys: KeyCheckResult[];
  foreignKeys: OrphanCheckResult[];
}

export interface InventoryTable {
  name: string;
  rows: number;
  /** The source's own estimates (0 when unknown). */
  estimatedRows: number;
  estimatedBytes: number;
  bytesRead: number;
  columns: { name: string; nativeType: string; type: string; nullable: boolean }[];
  primaryKey: string[];
  uniqueKeys: string[][];
  foreignKeys: ForeignKey[];
  partitions: number;
  /** Read only for the keys its children reference (not selected for profiling). */
  keysOnly: boolean;
}

export interface ForeignKeyEdge {
  from: string;
  columns: string[];
  to: string;
  referencedColumns: string[];
  origin: 'declared' | 'configured';
}

export interface Inventory {
  tables: InventoryTable[];
  foreignKeys: ForeignKeyEdge[];
  /** Tables in an order that loads parents before children (a cycle's tables together, alphabetically). */
  loadOrder: string[];
  /** Groups of tables whose foreign keys form a cycle (each of 2+ tables). */
  cycles: string[][];
  /** Tables that reference themselves. */
  selfReferences: string[];
  withoutPrimaryKey: string[];
}

export interface PiiColumn extends PiiFlag {
  table: string;
  column: string;
}

export interface ProfileReport {
  version: 1;
  name: string;
  /** The source URL without credentials. */
  source: string;
  createdAt: string;
  durationSeconds: number;
  options: {
    partitionRows: number;
    /** Bytes per partition when asked for instead of rows. */
    partitionBytes?: number;
    batchRows: number;
    concurrency: number;
    candidateKeys: { table: string; columns: string[] }[];
    required: { table: string; column: string }[];
    showPii: boolean;
  };
  /** Whether every table was read at one point in time (one source snapshot), and why not. */
  consistency: { consistent: boolean; reason: string; position?: string };
  inventory: Inventory;
  tables: TableProfile[];
  /** Errors first, then warnings, then info; by table and column within each. */
  findings: Finding[];
  pii: PiiColumn[];
}
