import { FerryError } from './errors.js';
import type { KeyRange, Partition, Plan, TablePlan } from './types.js';

/** Finds a partition of a plan by id, with its table plan. Throws NOT_FOUND. */
export function findPartition(plan: Plan, partitionId: string): { table: TablePlan; partition: Partition } {
  for (const table of plan.tables) {
    const partition = table.partitions.find((p) => p.id === partitionId);
    if (partition) return { table, partition };
  }
  throw new FerryError('NOT_FOUND', `partition ${partitionId} is not in plan ${plan.hash.slice(0, 12)}`, {
    partition: partitionId,
  });
}

/** A source key range expressed in the target's column names (the mapping may rename key columns). */
export function targetRange(table: TablePlan, range: KeyRange): KeyRange {
  const rename = new Map(table.columns.map((c) => [c.source, c.target]));
  return { ...range, columns: range.columns.map((c) => rename.get(c) ?? c) };
}
