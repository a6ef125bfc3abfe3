import {
  FerryError,
  type KeyRange,
  type LedgerEntry,
  type Partition,
  type TablePlan,
  tableName,
  targetRange,
} from '../../core/index.js';

/** The key columns of a table's partitions, in target column names (empty without a key). */
export function targetKeyColumns(table: TablePlan): string[] {
  return targetRange(table, { columns: table.keyColumns }).columns;
}

/** What one table's ledger entries of a run loaded, as target key ranges. */
export interface LoadedRanges {
  /** Non-NULL key ranges, adjacent partitions merged into one range. */
  ranges: KeyRange[];
  /** The range of rows with a NULL key, when the run loaded that partition. */
  nullRange?: KeyRange;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The target key ranges the run's ledger entries of `table` cover. Partitions follow each other (`hi` of one is
 * `lo` of the next), so consecutive loaded partitions become one range: one DELETE instead of one per partition.
 * Throws DATA when an entry names a partition the plan does not have.
 */
export function loadedRanges(table: TablePlan, entries: LedgerEntry[]): LoadedRanges {
  const byId = new Map(table.partitions.map((p) => [p.id, p]));
  const loaded: Partition[] = [];
  for (const e of entries) {
    const p = byId.get(e.partitionId);
    if (!p) {
      throw new FerryError(
        'DATA',
        `the ledger names partition ${e.partitionId}, which the run's plan does not have`,
        {
          table: tableName(table.source),
          partition: e.partitionId,
          hint: 'the ledger or the run directory belongs to another run; check the run id',
        },
      );
    }
    loaded.push(p);
  }
  loaded.sort((a, b) => a.index - b.index);
  const out: LoadedRanges = { ranges: [] };
  let open: KeyRange | undefined;
  for (const p of loaded) {
    if (p.range.nullKey) {
      out.nullRange = targetRange(table, p.range);
      continue;
    }
    if (open && !open.whole && !p.range.whole && open.hi && p.range.lo && same(open.hi, p.range.lo)) {
      open = { ...open, ...(p.range.hi ? { hi: p.range.hi } : {}) };
      if (!p.range.hi) delete open.hi;
      out.ranges[out.ranges.length - 1] = open;
      continue;
    }
    open = { ...p.range };
    out.ranges.push(open);
  }
  out.ranges = out.ranges.map((r) => targetRange(table, r));
  return out;
}
