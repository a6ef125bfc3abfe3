/**
 * Field-level comparison of a random sample of rows:
 *
 *   expected rows (source after the table's transform) ─► bottom-N by seeded key hash ─► per-column digests
 *   target rows ─► rows whose key was sampled ─► per-column digests ─► match per column, first differences
 *
 * The sample is the N keys with the smallest seeded hash (bottom-k sampling): it depends only on the seed and
 * the keys, not on partitioning, batch boundaries or read order, so the same seed gives the same sample.
 * Values are compared by their canonical encoding (checksums/ `keyedRowDigests` of the key columns plus the
 * one column), so a value matches exactly when the checksum would count it equal.
 */
import type { RecordBatch } from 'apache-arrow';
import { KeyedRows, murmur3x86_128 } from '../../checksums/index.js';
import { dataReader, logicalTypeOf } from '../../formats/index.js';
import { keyPartText, maskText } from '../../profiling/index.js';

/** Default rows sampled per table (`--sample-rows`). */
export const DEFAULT_SAMPLE_ROWS = 1000;
/** Default seed of the sample (`--sample-seed`). */
export const DEFAULT_SAMPLE_SEED = 1;
/** Differing values reported per table. */
export const SAMPLE_DIFF_EXAMPLES = 10;

/** How one column of the sampled rows compared. */
export interface ColumnMatch {
  column: string;
  /** Sampled rows (a row missing from the target counts as a mismatch of every column). */
  compared: number;
  matched: number;
  /** matched / compared in percent, two decimals; 100 when nothing was compared. */
  matchPercent: number;
  /** Values of this column are masked in the examples (PII). */
  masked?: boolean;
}

/** One differing value of a sampled row. */
export interface FieldDifference {
  key: string;
  column: string;
  /** The value the target should hold (canonical text; masked for PII columns), null for NULL. */
  expected: string | null;
  /** The value the target holds, null for NULL. */
  actual: string | null;
  masked?: boolean;
}

/** The field-level comparison of one table's sample. */
export interface SampleComparison {
  /** Target columns the rows were matched by. */
  keyColumns: string[];
  /** Rows asked for (`--sample-rows`) and rows sampled (fewer when the table is smaller). */
  requested: number;
  sampled: number;
  seed: number;
  /** Sampled keys the target does not hold, with the first few. */
  missingInTarget: number;
  missingExamples: string[];
  columns: ColumnMatch[];
  /** Matching values over all sampled values, in percent (two decimals). */
  matchPercent: number;
  /** The first differing values (by key, then column order), at most {@link SAMPLE_DIFF_EXAMPLES}. */
  differences: FieldDifference[];
}

/** Inputs of {@link compareSample}. */
export interface SampleRequest {
  /** Target column names the rows are matched by (the target's key). */
  keyColumns: string[];
  /** Target column names to compare, in order. */
  columns: string[];
  /** What the target should hold (every row of the table), in target column names. */
  expected: AsyncIterable<RecordBatch>;
  /** What the target holds (every row of the table). */
  actual: AsyncIterable<RecordBatch>;
  sampleRows: number;
  seed: number;
  /** Columns whose values are masked in the examples. */
  pii: ReadonlySet<string>;
}

interface Sampled {
  key: string;
  score: bigint;
  digests: string[];
  values: (string | null)[];
  actual?: { digests: string[]; values: (string | null)[] };
}

const utf8 = new TextEncoder();
let scoreBytes = new Uint8Array(256);
let scoreView = new DataView(scoreBytes.buffer);
const scoreWords = new Uint32Array(4);

/**
 * The seeded sampling score of a key: 64 bits of the MurmurHash3 x86_128 of the seed and the key. It orders
 * keys for sampling and identifies nothing, so the fast hash serves; it runs once per source row (SHA-1 here
 * cost ~1 s per million rows).
 */
function scoreOf(seed: number, key: string): bigint {
  const text = `${seed}\u0000${key}`;
  if (text.length * 3 > scoreBytes.length) {
    scoreBytes = new Uint8Array(text.length * 3);
    scoreView = new DataView(scoreBytes.buffer);
  }
  const { written } = utf8.encodeInto(text, scoreBytes);
  murmur3x86_128(scoreView, 0, written, scoreWords);
  return (BigInt(scoreWords[1]!) << 32n) | BigInt(scoreWords[0]!);
}

/** A max-heap on (score, key): the root is the sampled row the next smaller score evicts. */
class BottomK {
  readonly items: Sampled[] = [];
  constructor(readonly k: number) {}

  private above(a: Sampled, b: Sampled): boolean {
    return a.score > b.score || (a.score === b.score && a.key > b.key);
  }

  /** Whether a row with this score and key would be kept. */
  admits(score: bigint, key: string): boolean {
    if (this.items.length < this.k) return true;
    const top = this.items[0]!;
    return top.score > score || (top.score === score && top.key > key);
  }

  /** Adds an item; returns the one evicted, if any. */
  push(item: Sampled): Sampled | undefined {
    const h = this.items;
    if (h.length < this.k) {
      h.push(item);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.above(h[i]!, h[p]!)) break;
        [h[i], h[p]] = [h[p]!, h[i]!];
        i = p;
      }
      return undefined;
    }
    const out = h[0]!;
    h[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.above(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.above(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return out;
  }
}

/**
 * The named columns of a batch, in that order. (apache-arrow's `select` places children at their original
 * index, which misaligns them with the fields when a column is skipped; `selectAt` keeps them aligned.)
 */
function project(batch: RecordBatch, names: string[]): RecordBatch {
  return batch.selectAt(names.map((n) => batch.schema.fields.findIndex((f) => f.name === n)));
}

/** The key text of every row of a batch (the canonical key formatting of checksums/). */
function keysOf(batch: RecordBatch, keyColumns: string[]): string[] {
  const rows = new KeyedRows(project(batch, keyColumns), keyColumns);
  return Array.from({ length: rows.numRows }, (_, r) => rows.key(r));
}

/**
 * Per-column digests and display values of the given rows of a batch: each digest covers the key columns and
 * that column. Rows are hashed where they lie in the whole batch (not a one-row slice of it), so every encoder
 * reads the batch's buffers exactly as the checksum does; only the given rows are hashed.
 */
function rowFields(
  batch: RecordBatch,
  rows: ReadonlySet<number>,
  keyColumns: string[],
  columns: string[],
): Map<number, { digests: string[]; values: (string | null)[] }> {
  const out = new Map<number, { digests: string[]; values: (string | null)[] }>();
  for (const r of rows) out.set(r, { digests: [], values: [] });
  const fields = batch.schema.fields;
  for (const c of columns) {
    const keyed = new KeyedRows(
      project(batch, keyColumns.includes(c) ? keyColumns : [...keyColumns, c]),
      keyColumns,
    );
    const i = fields.findIndex((f) => f.name === c);
    const type = logicalTypeOf(fields[i]!);
    const reader = dataReader(batch.data.children[i]!, type);
    for (const [row, f] of out) {
      f.digests.push(keyed.hash(row));
      const v = reader.get(row);
      f.values.push(v === null ? null : keyPartText(type, v));
    }
  }
  return out;
}

function percent(matched: number, compared: number): number {
  return compared === 0 ? 100 : Math.floor((matched / compared) * 10000) / 100;
}

/**
 * Samples `sampleRows` rows of the expected rows by seeded key hash and compares them column by column with
 * the target's rows of the same keys. Memory: the sampled rows (N × columns digests and values), whatever the
 * table size; both sides are read once, as streams.
 */
export async function compareSample(req: SampleRequest): Promise<SampleComparison> {
  const { keyColumns, columns, seed } = req;
  const heap = new BottomK(Math.max(0, req.sampleRows));
  const byKey = new Map<string, Sampled>();
  for await (const batch of req.expected) {
    const keys = keysOf(batch, keyColumns);
    const admitted = new Map<number, Sampled>();
    for (let r = 0; r < keys.length; r++) {
      const key = keys[r]!;
      if (byKey.has(key) || heap.k === 0) continue;
      const score = scoreOf(seed, key);
      if (!heap.admits(score, key)) continue;
      const item: Sampled = { key, score, digests: [], values: [] };
      const evicted = heap.push(item);
      if (evicted) byKey.delete(evicted.key);
      byKey.set(key, item);
      admitted.set(r, item);
    }
    const kept = new Set([...admitted].filter(([, item]) => byKey.get(item.key) === item).map(([r]) => r));
    if (kept.size === 0) continue;
    for (const [r, f] of rowFields(batch, kept, keyColumns, columns)) Object.assign(admitted.get(r)!, f);
  }
  for await (const batch of req.actual) {
    if (byKey.size === 0) continue;
    const keys = keysOf(batch, keyColumns);
    const found = new Map<number, Sampled>();
    for (let r = 0; r < keys.length; r++) {
      const item = byKey.get(keys[r]!);
      // A key the target holds twice is compared once; the duplicate check reports it.
      if (item && !item.actual && ![...found.values()].includes(item)) found.set(r, item);
    }
    if (found.size === 0) continue;
    for (const [r, f] of rowFields(batch, new Set(found.keys()), keyColumns, columns))
      found.get(r)!.actual = f;
  }
  const sampled = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const matched = columns.map(() => 0);
  const differences: FieldDifference[] = [];
  const missingExamples: string[] = [];
  let missingInTarget = 0;
  const mask = (c: string, v: string | null) => (v !== null && req.pii.has(c) ? maskText(v) : v);
  // A key made of personal data (an e-mail as primary key) is shown masked like its values.
  const keyShown = keyColumns.some((k) => req.pii.has(k)) ? maskText : (k: string) => k;
  for (const s of sampled) {
    if (!s.actual) {
      missingInTarget++;
      if (missingExamples.length < SAMPLE_DIFF_EXAMPLES) missingExamples.push(keyShown(s.key));
      continue;
    }
    for (let c = 0; c < columns.length; c++) {
      if (s.digests[c] === s.actual.digests[c]) {
        matched[c]!++;
        continue;
      }
      if (differences.length >= SAMPLE_DIFF_EXAMPLES) continue;
      const column = columns[c]!;
      differences.push({
        key: keyShown(s.key),
        column,
        expected: mask(column, s.values[c] ?? null),
        actual: mask(column, s.actual.values[c] ?? null),
        ...(req.pii.has(column) ? { masked: true } : {}),
      });
    }
  }
  const n = sampled.length;
  return {
    keyColumns,
    requested: req.sampleRows,
    sampled: n,
    seed,
    missingInTarget,
    missingExamples,
    columns: columns.map((column, c) => ({
      column,
      compared: n,
      matched: matched[c]!,
      matchPercent: percent(matched[c]!, n),
      ...(req.pii.has(column) ? { masked: true } : {}),
    })),
    matchPercent: percent(
      matched.reduce((a, b) => a + b, 0),
      n * columns.length,
    ),
    differences,
  };
}
