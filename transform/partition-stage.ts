/**
 * The rules that need a whole partition: dedupe (keep one row per key) and unique (reject every row whose
 * value occurs more than once). The stage keeps the partition's batches (source and transformed) until
 * `finish`, so memory grows with the partition (not the table); only tables with these rules use it.
 *
 *   apply(batch) ─► add(source, result) … add ─► finish: dedupe winners ─► unique counts ─► kept batches + rejects
 */
import type * as A from 'apache-arrow';
import type { Column, LogicalType } from '../core/index.js';
import type { JsValue } from '../formats/index.js';
import { readValues, type Values } from './batch-values.js';
import { type Failure, rowKey, showValue, toRejected } from './row-failures.js';
import { comparer } from './row-rules.js';
import { BatchSource } from './source-access.js';
import { makeBatch, takeData } from './take.js';
import type {
  ColumnRef,
  RejectedRow,
  TableTransform,
  TransformContext,
  TransformResult,
} from './transform-types.js';
import { canonicalKeyText } from './values/value-text.js';

export interface PartitionStage {
  /** Keeps one transformed batch (and its source batch) of the partition, in read order. */
  add(source: A.RecordBatch, applied: TransformResult): void;
  /** The partition's surviving rows as batches (one per added batch that kept rows) and the rows removed. */
  finish(): { batches: A.RecordBatch[]; rejects: RejectedRow[] };
}

interface Held {
  source: BatchSource;
  target: A.RecordBatch;
  sourceRows: Int32Array;
  targetValues: Map<string, Values>;
  rowOffset: number;
  removed: Uint8Array;
  failures: Failure[];
}

/** A row's position in the held batches. */
interface Pos {
  b: number;
  j: number;
}

/** Opens the partition stage of a compiled transform (see `CompiledTransform.openPartition`). */
export function openPartitionStage(
  t: TableTransform,
  sourceColumns: Column[],
  targetColumns: Column[],
  context: TransformContext,
): PartitionStage {
  const held: Held[] = [];
  let rows = context.rowOffset ?? 0;
  const targetIndex = new Map(targetColumns.map((c, i) => [c.name, i]));
  const sourceTypes = new Map(sourceColumns.map((c) => [c.name, c.type]));
  const typeOf = (ref: ColumnRef): LogicalType =>
    ref.side === 'target' ? targetColumns[targetIndex.get(ref.name)!]!.type : sourceTypes.get(ref.name)!;

  function value(h: Held, ref: ColumnRef, j: number): JsValue | null {
    if (ref.side === 'source') return h.source.get(ref.name)[h.sourceRows[j]!] ?? null;
    let v = h.targetValues.get(ref.name);
    if (!v) {
      const i = targetIndex.get(ref.name)!;
      v = readValues(h.target.data.children[i]!, targetColumns[i]!.type);
      h.targetValues.set(ref.name, v);
    }
    return v[j] ?? null;
  }

  /** The canonical key of a row, or undefined when a key column is NULL (NULLs are never duplicates). */
  function keyOf(h: Held, refs: ColumnRef[], j: number): string | undefined {
    let key = '';
    for (const ref of refs) {
      const v = value(h, ref, j);
      if (v === null) return undefined;
      key += `${canonicalKeyText(v, typeOf(ref))}\u0000`;
    }
    return key;
  }

  function shownKey(h: Held, refs: ColumnRef[], j: number): string {
    const parts = refs.map((ref) => showValue(value(h, ref, j), typeOf(ref)));
    return parts.length === 1 ? parts[0]! : `(${parts.join(', ')})`;
  }

  function rowText(h: Held, j: number): string {
    return targetColumns
      .map((c) => {
        const v = value(h, { side: 'target', name: c.name }, j);
        return v === null ? '\u0001' : canonicalKeyText(v, c.type);
      })
      .join('\u0000');
  }

  function remove(p: Pos, rule: string, column: string, shown: string, problem: string): void {
    const h = held[p.b]!;
    if (h.removed[p.j]) return;
    h.removed[p.j] = 1;
    h.failures.push({ row: h.sourceRows[p.j]!, rule, column, value: shown, problem });
  }

  function dedupe(): void {
    const d = t.dedupe;
    if (!d) return;
    const by = d.by;
    const cmp = by ? comparer(typeOf(by)) : undefined;
    const winners = new Map<string, Pos>();
    const losers: [Pos, Pos][] = [];
    // Is `a` a better keeper than `b`? Larger (last) or smaller (first) `by`; NULL loses; ties by row values.
    const better = (a: Pos, b: Pos): boolean => {
      const ha = held[a.b]!;
      const hb = held[b.b]!;
      if (by && cmp) {
        const va = value(ha, by, a.j);
        const vb = value(hb, by, b.j);
        if (va === null && vb !== null) return false;
        if (vb === null && va !== null) return true;
        if (va !== null && vb !== null) {
          const c = cmp(va, vb);
          if (c !== 0) return d.keep === 'last' ? c > 0 : c < 0;
        }
      }
      return rowText(ha, a.j) < rowText(hb, b.j);
    };
    held.forEach((h, b) => {
      for (let j = 0; j < h.target.numRows; j++) {
        const key = keyOf(h, d.key, j);
        if (key === undefined) continue;
        const pos = { b, j };
        const current = winners.get(key);
        if (!current) winners.set(key, pos);
        else if (better(pos, current)) {
          losers.push([current, pos]);
          winners.set(key, pos);
        } else losers.push([pos, current]);
      }
    });
    const how = `keep: ${d.keep}${by ? ` by ${by.name}` : ''}`;
    for (const [loser] of losers) {
      const hl = held[loser.b]!;
      const key = keyOf(hl, d.key, loser.j)!;
      const w = winners.get(key)!;
      const hw = held[w.b]!;
      const winnerKey = rowKey(hw.source, hw.sourceRows[w.j]!, { ...context, rowOffset: hw.rowOffset });
      const shown = shownKey(hl, d.key, loser.j);
      remove(
        loser,
        d.name,
        d.key.map((r) => r.name).join(', '),
        shown,
        `duplicates the row with key ${winnerKey}, which is kept (${how})`,
      );
    }
  }

  function unique(): void {
    for (const rule of t.rules) {
      if (rule.kind !== 'unique') continue;
      const counts = new Map<string, number>();
      held.forEach((h) => {
        for (let j = 0; j < h.target.numRows; j++) {
          if (h.removed[j]) continue;
          const key = keyOf(h, rule.columns, j);
          if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      });
      held.forEach((h, b) => {
        for (let j = 0; j < h.target.numRows; j++) {
          if (h.removed[j]) continue;
          const key = keyOf(h, rule.columns, j);
          const n = key === undefined ? 0 : (counts.get(key) ?? 0);
          if (n > 1)
            remove(
              { b, j },
              rule.name,
              rule.columns.map((r) => r.name).join(', '),
              shownKey(h, rule.columns, j),
              `occurs in ${n} rows of partition ${context.partition} (all of them are rejected)`,
            );
        }
      });
    }
  }

  return {
    add(source, applied) {
      held.push({
        source: new BatchSource(source, sourceColumns),
        target: applied.batch,
        sourceRows: applied.sourceRows,
        targetValues: new Map(),
        rowOffset: rows,
        removed: new Uint8Array(applied.batch.numRows),
        failures: [],
      });
      rows += source.numRows;
    },
    finish() {
      dedupe();
      unique();
      const batches: A.RecordBatch[] = [];
      const rejects: RejectedRow[] = [];
      for (const h of held) {
        const ctx = { ...context, rowOffset: h.rowOffset };
        for (const f of h.failures.sort((a, b) => a.row - b.row)) rejects.push(toRejected(f, h.source, ctx));
        const keep: number[] = [];
        for (let j = 0; j < h.target.numRows; j++) if (!h.removed[j]) keep.push(j);
        if (keep.length === 0) continue;
        if (keep.length === h.target.numRows) {
          batches.push(h.target);
          continue;
        }
        const idx = Int32Array.from(keep);
        const children = targetColumns.map((c, i) => takeData(h.target.data.children[i]!, c.type, idx));
        batches.push(makeBatch(targetColumns, children, idx.length, h.target.schema));
      }
      held.length = 0;
      return { batches, rejects };
    },
  };
}
