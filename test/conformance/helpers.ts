import type { RecordBatch } from 'apache-arrow';
import { expect } from 'vitest';
import {
  type KeyRange,
  type KeyStats,
  type KeyTuple,
  type Partition,
  type Source,
  type TableRef,
  type TableSpec,
  type Target,
  isFerryError,
} from '../../core/index.js';
import { type JsValue, batchRows } from '../../formats/index.js';

/** A row as `batchRows` gives it. */
export type Row = (JsValue | null)[];

/** Splits a table into covering, disjoint ranges at every `every`-th sample, plus the NULL-key range. */
export function partitionsFrom(
  table: string,
  columns: string[],
  stats: KeyStats,
  every: number,
): Partition[] {
  const bounds: KeyTuple[] = [];
  for (let i = every; i < stats.samples.length; i += every) {
    const b = stats.samples[i]!;
    const last = bounds[bounds.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(b)) bounds.push(b);
  }
  const ranges: KeyRange[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    const range: KeyRange = { columns };
    if (i > 0) range.lo = bounds[i - 1]!;
    if (i < bounds.length) range.hi = bounds[i]!;
    ranges.push(range);
  }
  ranges.push({ columns, nullKey: true });
  return ranges.map((range, index) => ({ id: `${table}#${index}`, table, index, range, estimatedRows: 0 }));
}

/** Every row a source yields for a range, with the batches' sizes. */
export async function readRange(
  source: Source,
  spec: TableSpec,
  range: KeyRange,
  batchRows_ = 5,
): Promise<{ rows: Row[]; batches: RecordBatch[] }> {
  const rows: Row[] = [];
  const batches: RecordBatch[] = [];
  for await (const batch of source.read(spec, range, { batchRows: batchRows_ })) {
    expect(batch.numRows).toBeLessThanOrEqual(batchRows_);
    batches.push(batch);
    rows.push(...batchRows(batch));
  }
  return { rows, batches };
}

function compareValues(a: JsValue | null, b: JsValue | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows sorted by the given column positions. */
export function sortRows(rows: Row[], by: number[] = [0]): Row[] {
  return [...rows].sort((x, y) => {
    for (const i of by) {
      const c = compareValues(x[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** All rows a target holds for a table (read through its independent reader), sorted; [] when it holds none. */
export async function readBack(target: Target, ref: TableRef, by: number[] = [0]): Promise<Row[]> {
  const reader = await target.reader();
  try {
    let spec: TableSpec;
    try {
      spec = await reader.describe(ref);
    } catch (e) {
      if (isFerryError(e) && e.code === 'NOT_FOUND') return [];
      throw e;
    }
    const { rows } = await readRange(reader, spec, { columns: [], whole: true }, 1000);
    return sortRows(rows, by);
  } finally {
    await reader.close();
  }
}

/** Loads one partition from a source into a target in one attempt; returns the rows written. */
export async function loadPartition(
  source: Source,
  sourceSpec: TableSpec,
  target: Target,
  targetSpec: TableSpec,
  partition: Partition,
  options: { runId: string; attempt?: number; clearRange?: boolean; readRange?: KeyRange },
): Promise<number> {
  const attempt = options.attempt ?? 1;
  const writer = await target.openPartition({
    runId: options.runId,
    planHash: 'plan-hash',
    table: targetSpec,
    partition,
    attempt,
    clearRange: options.clearRange ?? false,
  });
  let rows = 0;
  try {
    for await (const batch of source.read(sourceSpec, options.readRange ?? partition.range, {
      batchRows: 3,
    })) {
      rows += batch.numRows;
      await writer.write(batch);
    }
    await writer.commit({
      runId: options.runId,
      partitionId: partition.id,
      table: targetSpec.name,
      planHash: 'plan-hash',
      attempt,
      rows: String(rows),
      checksum: `sum-${partition.id}-${attempt}`,
    });
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return rows;
}

/** Compares key tuples as the fixture's key columns order (integers numerically, text by code point). */
export function compareKey(a: (JsValue | null)[], b: KeyTuple): number {
  for (let i = 0; i < b.length; i++) {
    const v = a[i];
    const w = b[i]!;
    const c =
      typeof v === 'number' || typeof v === 'bigint'
        ? Number(v) - Number(w)
        : String(v) < w
          ? -1
          : String(v) > w
            ? 1
            : 0;
    if (c !== 0) return c;
  }
  return 0;
}
