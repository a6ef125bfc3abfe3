import {
  FerryError,
  type KeyRange,
  type KeyStats,
  type KeyTuple,
  type Partition,
  type PartitioningInfo,
} from '../core/index.js';
import { distinctCount, quantileStarts } from './quantile-boundaries.js';

/** The default cap on range partitions per table. */
export const DEFAULT_MAX_PARTITIONS = 10_000;

/** What {@link planPartitions} splits. */
export interface PlanPartitionsInput {
  /** Qualified table name (core `tableName`), used in partition ids `<table>#<index>`. */
  table: string;
  /** Key columns in key order; empty when the table has no usable key (one `whole` partition). */
  keyColumns: string[];
  /**
   * Whether any key column may hold NULL: then a `nullKey` partition is always added (also when
   * `stats.nullKeyRows` > 0, whatever this says).
   */
  keyNullable: boolean;
  /** The source's row counts and sorted key samples (Source.sampleKeys). */
  stats: KeyStats;
  /** Wanted rows per partition (> 0). */
  partitionRows: number;
  /** Cap on range partitions, default {@link DEFAULT_MAX_PARTITIONS}. */
  maxPartitions?: number;
}

/** Estimated rows per key-range partition (the `nullKey` partition excluded): how uneven the split is. */
export interface PartitionSpread {
  min: number;
  max: number;
  median: number;
}

/** A table's partitions, how they were chosen, and their size spread. */
export interface PartitionPlan {
  /** Ordered by index; key ranges ascending, then the `nullKey` partition last when the key is nullable. */
  partitions: Partition[];
  info: PartitioningInfo;
  spread: PartitionSpread;
}

/**
 * Splits one table into partitions that together hold every row exactly once.
 *
 * With a key: ≈ ceil(non-NULL rows / partitionRows) half-open ranges (at least one; at most
 * `maxPartitions` and the number of distinct samples) whose boundaries are samples at evenly spaced
 * ranks. The first range has no `lo`, the last no `hi`, so keys outside the sample are covered too. Ties
 * and skew (one value holding most rows) give fewer, unequal ranges; a boundary is never repeated.
 * Estimates follow the samples between boundaries, so skew shows in them and in `spread`.
 * A nullable key adds a `nullKey` partition last, even when `nullKeyRows` is 0.
 * Without a key: one `whole` partition (strategy `single`).
 *
 * Samples are used in the order given (the source's collation); keys are only compared for equality of
 * their canonical text. Throws CONFIG for a bad `partitionRows`/`maxPartitions`, INTERNAL for malformed
 * samples.
 */
export function planPartitions(input: PlanPartitionsInput): PartitionPlan {
  const { table, keyColumns, keyNullable, stats } = input;
  checkCount(table, 'partitionRows', input.partitionRows);
  const maxPartitions = input.maxPartitions ?? DEFAULT_MAX_PARTITIONS;
  checkCount(table, 'maxPartitions', maxPartitions);
  const rows = count(stats.rows);
  if (keyColumns.length === 0) {
    const partition = makePartition(table, 0, { columns: [], whole: true }, rows);
    return {
      partitions: [partition],
      info: { strategy: 'single', reason: 'no primary key: one partition' },
      spread: spreadOf([rows]),
    };
  }

  const samples = stats.samples;
  const texts = samples.map((s, i) => sampleText(table, keyColumns, s, i));
  const nullRows = count(stats.nullKeyRows);
  // The source saw NULL keys although the key is declared NOT NULL: covering beats the declaration.
  const withNullKey = keyNullable || nullRows > 0;
  // A stale estimate can undercount, but never below what was actually sampled.
  const keyRows = Math.max(rows - nullRows, samples.length);
  const wanted = Math.max(1, Math.ceil(keyRows / input.partitionRows));
  const distinct = distinctCount(texts);
  const target = Math.max(1, Math.min(wanted, maxPartitions, distinct));
  const starts = quantileStarts(texts, target);

  // Range j spans samples [bounds[j], bounds[j+1]); rounding the cumulative share keeps the sum exact.
  const bounds = [0, ...starts, samples.length];
  const share = (pos: number) => (samples.length === 0 ? 0 : Math.round((pos / samples.length) * keyRows));
  const partitions: Partition[] = [];
  for (let j = 0; j + 1 < bounds.length; j++) {
    const range: KeyRange = { columns: [...keyColumns] };
    if (j > 0) range.lo = [...samples[bounds[j]!]!];
    if (j + 2 < bounds.length) range.hi = [...samples[bounds[j + 1]!]!];
    const estimate = samples.length === 0 ? keyRows : share(bounds[j + 1]!) - share(bounds[j]!);
    partitions.push(makePartition(table, j, range, estimate));
  }
  const spread = spreadOf(partitions.map((p) => p.estimatedRows));
  const facts = {
    sampleCount: samples.length,
    distinct,
    wanted,
    target,
    ranges: partitions.length,
    withNullKey,
  };
  if (withNullKey) {
    partitions.push(
      makePartition(table, partitions.length, { columns: [...keyColumns], nullKey: true }, nullRows),
    );
  }
  return {
    partitions,
    info: { strategy: 'range', reason: rangeReason(input, facts) },
    spread,
  };
}

/** A row count from statistics: a missing or nonsensical estimate counts as 0 (the samples still count). */
function count(v: number): number {
  return Number.isFinite(v) ? Math.max(0, Math.round(v)) : 0;
}

function makePartition(table: string, index: number, range: KeyRange, estimatedRows: number): Partition {
  return { id: `${table}#${index}`, table, index, range, estimatedRows };
}

function checkCount(table: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new FerryError('CONFIG', `${name} must be a positive integer, got ${value} for ${table}`, {
      table,
      value: String(value),
      hint: `set ${name} to a whole number of at least 1`,
    });
  }
}

/** The canonical text of a sample, checked to be a tuple of strings with one value per key column. */
function sampleText(table: string, keyColumns: string[], sample: KeyTuple, index: number): string {
  if (
    !Array.isArray(sample) ||
    sample.length !== keyColumns.length ||
    !sample.every((v) => typeof v === 'string')
  ) {
    throw new FerryError(
      'INTERNAL',
      `key sample ${index} of ${table} is not ${keyColumns.length} non-NULL values for (${keyColumns.join(', ')})`,
      { table, key: keyColumns.join(','), value: JSON.stringify(sample) ?? String(sample) },
    );
  }
  // JSON keeps tuples unambiguous: ["a,b"] and ["a","b"] differ.
  return JSON.stringify(sample);
}

function spreadOf(estimates: number[]): PartitionSpread {
  const sorted = [...estimates].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { min: 0, max: 0, median: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
  return { min: sorted[0]!, max: sorted[n - 1]!, median };
}

interface ReasonFacts {
  sampleCount: number;
  distinct: number;
  wanted: number;
  target: number;
  ranges: number;
  withNullKey: boolean;
}

/** One line for the plan and the report: how many ranges, and why fewer than wanted when so. */
function rangeReason(input: PlanPartitionsInput, facts: ReasonFacts): string {
  const { sampleCount, distinct, wanted, target, ranges } = facts;
  const cols = `(${input.keyColumns.join(', ')})`;
  const parts =
    sampleCount === 0
      ? [`no key sampled: one open key range on ${cols}`]
      : [
          `${ranges} key range${ranges === 1 ? '' : 's'} on ${cols} from ${sampleCount} ${input.stats.samplesFrom ?? 'sampled keys'}, ~${input.partitionRows} rows each`,
        ];
  if (sampleCount > 0 && ranges < wanted) {
    const cap = input.maxPartitions ?? DEFAULT_MAX_PARTITIONS;
    const why: string[] = [];
    if (cap < wanted) why.push(`capped at ${cap}`);
    if (distinct < Math.min(wanted, cap)) why.push(`only ${distinct} distinct sampled keys`);
    if (ranges < target) why.push('skewed key: repeated values merge ranges');
    parts.push(`${wanted} wanted, ${why.join(', ')}`);
  }
  if (facts.withNullKey) parts.push('NULL keys in their own partition');
  return parts.join('; ');
}
