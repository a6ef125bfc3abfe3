import type * as A from 'apache-arrow';
import type { LogicalType } from '../core/index.js';

/**
 * The validated, JSON-serialisable form of one table's mapping, as stored in the plan. Literals are the
 * canonical text of a value of the type where they apply (see `valueText`), so the plan holds no bigint and
 * no float surprises; workers in other processes rebuild exact values from it.
 */
export interface TableTransform {
  version: 1;
  /** Target columns in target order. */
  columns: TargetColumnRule[];
  /** Business rules, evaluated in this order; a row reports the first rule it fails. */
  rules: BusinessRule[];
  dedupe?: DedupeRule;
}

/** A literal in a plan: the canonical text of a value of the type where it applies, or NULL. */
export type Literal = string | null;

/** What to do with a one-word name in `split`. */
export type OneWordPolicy = 'first_name_only' | 'last_name_only' | 'reject';
/** What to do with a name of three or more words in `split`. */
export type ExtraWordsPolicy = 'to_last' | 'to_first' | 'reject';
/** How `concat` treats NULL parts. */
export type ConcatNulls = 'skip' | 'null' | 'empty';
/** How a local time that a DST change skips (gap) or repeats (overlap) is resolved. */
export type DstPolicy = 'reject' | 'earliest' | 'latest';

/** Where a target column's value comes from, before the cleansing steps. */
export type ValueSource =
  | { kind: 'from'; column: string }
  | { kind: 'value'; value: Literal; type: LogicalType }
  | {
      kind: 'split';
      column: string;
      part: 'first' | 'last';
      on: string;
      oneWord: OneWordPolicy;
      extraWords: ExtraWordsPolicy;
    }
  | { kind: 'concat'; columns: string[]; separator: string; nulls: ConcatNulls }
  /** RFC 4122 v5 UUID of `namespace` and the canonical text of the key columns (a JSON array when several). */
  | { kind: 'uuid_v5'; namespace: string; columns: string[] };

/** The value map: keys are canonical texts of the input value; values are literals of `type`. */
export interface ValueMap {
  entries: [string, Literal][];
  /** The type of the mapped values. */
  type: LogicalType;
  /** For an input with no entry: reject the row, keep the input (same type only), or a literal. */
  else: { kind: 'reject' } | { kind: 'keep' } | { kind: 'value'; value: Literal };
}

export type MaskRule =
  /** HMAC-SHA256 of the value's canonical text with the secret salt, 64 lower-case hex digits. */
  | { kind: 'hash' }
  /** The fixed text instead of the value. */
  | { kind: 'redact'; text: string }
  /** Every character but the last `n` replaced by `char`; a value of `n` characters or fewer is fully masked. */
  | { kind: 'keep_last'; n: number; char: string };

export interface RegexReplace {
  pattern: string;
  flags: string;
  replacement: string;
}

export interface TimezoneRule {
  /** IANA zone of the input wall time, or `UTC` when the input is an instant. */
  from: string;
  /** IANA zone of the output wall time, or `UTC` for an instant (timestamptz). */
  to: string;
  gap: DstPolicy;
  overlap: DstPolicy;
}

/**
 * One target column: a value source, then the cleansing steps in this fixed order:
 * trim → normalize → case → regex_replace → map → cast → timezone → default → mask.
 */
export interface TargetColumnRule {
  name: string;
  source: ValueSource;
  trim?: 'both' | 'left' | 'right';
  normalize?: 'NFC' | 'NFD' | 'NFKC' | 'NFKD';
  case?: 'upper' | 'lower';
  regexReplace?: RegexReplace[];
  map?: ValueMap;
  cast?: LogicalType;
  timezone?: TimezoneRule;
  /** Replaces NULL; canonical text of the column's type at that step. */
  default?: Literal;
  mask?: MaskRule;
}

/** A column a rule checks: a target column (after mapping, before masking) or a source column as read. */
export interface ColumnRef {
  side: 'target' | 'source';
  name: string;
}

/** A business rule. `name` labels rejects and per-rule counts; NULL passes every rule but `not_null`. */
export type BusinessRule =
  | { kind: 'not_null'; name: string; columns: ColumnRef[] }
  /** Rows whose values occur more than once in the partition are all rejected (see docs/transform.md). */
  | { kind: 'unique'; name: string; columns: ColumnRef[] }
  /** Inclusive bounds, canonical text of the column's type, compared exactly. */
  | { kind: 'range'; name: string; column: ColumnRef; min?: string; max?: string }
  | { kind: 'regex'; name: string; column: ColumnRef; pattern: string; flags: string }
  /** Canonical texts of the allowed values. */
  | { kind: 'allowed'; name: string; column: ColumnRef; values: string[] }
  /** The value must be among the parent keys loaded under `parentKeyId(table, key)`. */
  | { kind: 'references'; name: string; column: ColumnRef; table: string; key: string };

/** Keeps one row per key: the first or last by `by` (ties broken by the row's values, see docs). */
export interface DedupeRule {
  name: string;
  key: ColumnRef[];
  keep: 'first' | 'last';
  by?: ColumnRef;
}

/**
 * A row that did not load, with why. `row` is the full source row, JSON-safe: 64-bit integers and
 * decimals as exact text, dates/times/timestamps as `YYYY-MM-DD HH:MM:SS.ffffff` text, bytes as `\x…` hex.
 */
export interface RejectedRow {
  /** The row's key, e.g. `user_id=17` (key columns of the partition), or `row N` without a key. */
  key: string;
  /** The rule's name (`not_null(country)`, `cast`, `timezone`, …). */
  rule: string;
  /** The target column concerned, when one is. */
  column?: string;
  /** A sentence a person reads: table, column, key, value and what is wrong. */
  reason: string;
  row: Record<string, unknown>;
}

/** What a partition's batches carry through the transform. */
export interface TransformContext {
  /** Qualified source table name, for reasons. */
  table: string;
  partition: string;
  /** Source key columns naming a row in rejects; empty for tables without a key. */
  keyColumns: string[];
  /** Ordinal of the batch's first row in the partition, naming rows of tables without a key. Default 0. */
  rowOffset?: number;
}

/** What `apply` returns: the rows that passed, the rows that did not, and where each output row came from. */
export interface TransformResult {
  batch: A.RecordBatch;
  rejects: RejectedRow[];
  /** For each output row, its row index in the source batch (for the partition stage). */
  sourceRows: Int32Array;
}
