import type * as A from 'apache-arrow';
import type { CompiledTransform } from './compile.js';
import type { ColumnRef, RejectedRow, TableTransform, TransformContext } from './transform-types.js';

/**
 * The whole transform of one partition on the current thread: `apply` on each batch, then (when the table
 * has unique or dedupe rules) the partition stage, whose rows come out at the end. `onRejects` receives every
 * rejected row, in order, before the batch it was removed from is yielded.
 */
export async function* transformBatches(
  compiled: CompiledTransform,
  batches: AsyncIterable<A.RecordBatch>,
  context: TransformContext,
  onRejects: (rows: RejectedRow[]) => void | Promise<void>,
): AsyncGenerator<A.RecordBatch> {
  const stage = compiled.hasPartitionRules ? compiled.openPartition(context) : undefined;
  let offset = context.rowOffset ?? 0;
  for await (const batch of batches) {
    const result = compiled.apply(batch, { ...context, rowOffset: offset });
    offset += batch.numRows;
    if (result.rejects.length) await onRejects(result.rejects);
    if (stage) stage.add(batch, result);
    else if (result.batch.numRows > 0) yield result.batch;
  }
  if (stage) {
    const end = stage.finish();
    if (end.rejects.length) await onRejects(end.rejects);
    yield* end.batches;
  }
}

/**
 * Whether each unique/dedupe rule is exact over the whole table or only within each partition: it is
 * table-wide when the table is one partition, or when every partitioning key column is among the rule's
 * columns unchanged (then equal values always fall in the same partition).
 */
export function partitionRuleScope(
  t: TableTransform,
  keyColumns: string[],
  partitions: number,
): { rule: string; scope: 'table' | 'partition' }[] {
  const identity = new Map<string, string>();
  for (const c of t.columns) {
    const plain =
      c.source.kind === 'from' &&
      !c.trim &&
      !c.normalize &&
      !c.case &&
      !c.regexReplace &&
      !c.map &&
      !c.cast &&
      !c.timezone &&
      c.default === undefined &&
      (!c.mask || c.mask.kind === 'hash');
    if (plain && c.source.kind === 'from') identity.set(c.name, c.source.column);
  }
  const covers = (refs: ColumnRef[]) => {
    const sources = new Set(
      refs.map((r) => (r.side === 'source' ? r.name : identity.get(r.name))).filter(Boolean),
    );
    return keyColumns.length > 0 && keyColumns.every((k) => sources.has(k));
  };
  const out: { rule: string; scope: 'table' | 'partition' }[] = [];
  for (const r of t.rules)
    if (r.kind === 'unique')
      out.push({ rule: r.name, scope: partitions <= 1 || covers(r.columns) ? 'table' : 'partition' });
  if (t.dedupe)
    out.push({ rule: t.dedupe.name, scope: partitions <= 1 || covers(t.dedupe.key) ? 'table' : 'partition' });
  return out;
}
