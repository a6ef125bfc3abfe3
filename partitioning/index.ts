/**
 * partitioning/: splits a table into partitions, disjoint key ranges that together hold every row once.
 *
 *   KeyStats (sorted samples) ──► quantile boundaries ──► [lo, hi) ranges + nullKey ──► Partition[]
 *
 * Ranges mean exactly what core `rangePredicate` renders; `keyInRange` is the same test in memory.
 */
export {
  compareBinaryText,
  compareIntegerText,
  compareKeyTuples,
  type KeyCompare,
  type KeyOrder,
  keyComparator,
  keyInRange,
} from './key-order.js';
export {
  DEFAULT_MAX_PARTITIONS,
  type PartitionPlan,
  type PartitionSpread,
  type PlanPartitionsInput,
  planPartitions,
} from './plan-partitions.js';
export { type PartitionSize, rowsPerPartition } from './rows-per-partition.js';
