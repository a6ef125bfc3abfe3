import type * as A from 'apache-arrow';
import { FerryError } from '../core/index.js';
import { logicalTypeOf } from '../formats/index.js';
import { type CompareRules, resolveRule } from './compare-rules.js';
import { type KeyFormatter, keyFormatter } from './key-text.js';
import { RowHasher, wordsToHex } from './row-hasher.js';

/**
 * Bisecting a mismatch down to keys: when a partition's checksums differ, both sides of its key range are
 * read again and each row's hash is recorded under its key; keys whose rows differ are reported.
 */

/** One row's key and hash. */
export interface KeyedDigest {
  /** Canonical text of the key tuple: `42` for one column, `(a, 7)` for several (see `KeyFormatter`). */
  key: string;
  /** The row's 128-bit hash, 32 hex digits: the same hash the checksum sums. */
  hash: string;
}

/** Keys that differ between a source and a target range. */
export interface KeyedDiff {
  /** Keys with rows in the source that the target lacks (and no unmatched target row). */
  missing: string[];
  /** Keys with rows in the target that the source lacks (and no unmatched source row). */
  extra: string[];
  /** Keys with unmatched rows on both sides: the row's values changed. */
  changed: string[];
  /** True when some list was cut at `maxKeys`; `counts` has the full numbers. */
  truncated: boolean;
  counts: { missing: number; extra: number; changed: number };
}

/** Options of {@link diffKeyedDigests}. */
export interface DiffOptions {
  /** Compare rules, as for the checksum. Default: exact. */
  rules?: CompareRules;
  /** Most keys reported in each of missing/extra/changed. Default: 100. */
  maxKeys?: number;
}

/**
 * Keys and row hashes of one batch's rows, by row index: the hash covers the whole row (key columns included)
 * with the same canonical encoding and compare rules as `ChecksumAccumulator`. Each is computed only for the
 * rows asked for (the sampled field comparison needs the keys of every row but the hashes of a few).
 */
export class KeyedRows {
  /** Bound on the first `hash`: a caller that only needs keys compiles no row encoders. */
  private hasher: RowHasher | undefined;
  private readonly formatters: KeyFormatter[];

  constructor(
    private readonly batch: A.RecordBatch,
    keyColumns: readonly string[],
    private readonly rules?: CompareRules,
  ) {
    if (keyColumns.length === 0)
      throw new FerryError('INTERNAL', 'keyed digests need at least one key column');
    const fields = batch.schema.fields;
    this.formatters = keyColumns.map((name) => {
      const c = fields.findIndex((f) => f.name === name);
      if (c < 0)
        throw new FerryError('SCHEMA_MISMATCH', `key column ${name} is not among the batch's columns`, {
          column: name,
          hint: `columns are: ${fields.map((f) => f.name).join(', ')}`,
        });
      const type = logicalTypeOf(fields[c]!);
      const rule = rules && Object.hasOwn(rules, name) ? rules[name] : undefined;
      return keyFormatter(batch.data.children[c]!, type, resolveRule(name, type, rule), name);
    });
  }

  get numRows(): number {
    return this.batch.numRows;
  }

  /** Canonical text of row `r`'s key: `42` for one column, `(a, 7)` for several (see `KeyFormatter`). */
  key(r: number): string {
    const f = this.formatters;
    return f.length === 1 ? f[0]!(r) : `(${f.map((k) => k(r)).join(', ')})`;
  }

  /** Row `r`'s 128-bit hash, 32 hex digits: the same hash the checksum sums. */
  hash(r: number): string {
    if (!this.hasher) {
      this.hasher = new RowHasher(this.rules);
      this.hasher.bind(this.batch);
    }
    this.hasher.hashRow(r);
    return wordsToHex(this.hasher.hash);
  }
}

/** The key and row hash of every row of a batch, in row order (see {@link KeyedRows}). */
export function* keyedRowDigests(
  batch: A.RecordBatch,
  keyColumns: readonly string[],
  rules?: CompareRules,
): Generator<KeyedDigest> {
  const rows = new KeyedRows(batch, keyColumns, rules);
  for (let r = 0; r < rows.numRows; r++) yield { key: rows.key(r), hash: rows.hash(r) };
}

/**
 * Compares the rows of one key range on both sides by key. Multiset-correct: a key's rows match hash for
 * hash, so duplicated keys and duplicated rows are counted. Memory is proportional to the range's rows
 * (the source side is held as key → hashes while the target streams past).
 */
export async function diffKeyedDigests(
  source: AsyncIterable<A.RecordBatch>,
  target: AsyncIterable<A.RecordBatch>,
  keyColumns: readonly string[],
  options: DiffOptions = {},
): Promise<KeyedDiff> {
  const { rules, maxKeys = 100 } = options;
  // key → its unmatched source hashes (one string, or an array when a key has several rows).
  const pending = new Map<string, string | string[]>();
  for await (const batch of source) {
    for (const { key, hash } of keyedRowDigests(batch, keyColumns, rules)) {
      const seen = pending.get(key);
      if (seen === undefined) pending.set(key, hash);
      else if (typeof seen === 'string') pending.set(key, [seen, hash]);
      else seen.push(hash);
    }
  }
  const unmatchedTarget = new Set<string>();
  for await (const batch of target) {
    for (const { key, hash } of keyedRowDigests(batch, keyColumns, rules)) {
      const seen = pending.get(key);
      if (seen === hash) pending.delete(key);
      else if (Array.isArray(seen) && seen.includes(hash)) {
        const k = seen.indexOf(hash);
        seen[k] = seen[seen.length - 1]!;
        seen.pop();
        if (seen.length === 0) pending.delete(key);
      } else unmatchedTarget.add(key);
    }
  }
  const missing: string[] = [];
  const changed: string[] = [];
  const extra: string[] = [];
  const counts = { missing: 0, extra: 0, changed: 0 };
  const report = (list: string[], kind: keyof typeof counts, key: string) => {
    counts[kind]++;
    if (list.length < maxKeys) list.push(key);
  };
  for (const key of pending.keys()) {
    if (unmatchedTarget.has(key)) report(changed, 'changed', key);
    else report(missing, 'missing', key);
  }
  for (const key of unmatchedTarget) if (!pending.has(key)) report(extra, 'extra', key);
  const truncated =
    counts.missing > missing.length || counts.extra > extra.length || counts.changed > changed.length;
  return { missing, extra, changed, truncated, counts };
}
