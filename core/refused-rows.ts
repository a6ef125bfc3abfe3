import type { RefusedRow } from './connector.js';

/** What a target gives `loadIsolatingRefused`: how to load a row range, its savepoints, and what a refusal is. */
export interface IsolatingLoad {
  /** Loads rows `[from, to)` of the batch in the open transaction; throws when the target refuses any. */
  load(from: number, to: number): Promise<void>;
  /** Runs `SAVEPOINT`, `ROLLBACK TO SAVEPOINT` or `RELEASE SAVEPOINT` of one fixed savepoint name. */
  savepoint(step: 'begin' | 'rollback' | 'release'): Promise<void>;
  /** The refusal an error is (a value or constraint the target refused), or undefined to fail the load. */
  refusal(e: unknown): Omit<RefusedRow, 'row'> | undefined;
}

/** The savepoint statements of each `IsolatingLoad` step: standard SQL, the same on PostgreSQL and MySQL. */
export const SAVEPOINT_SQL = {
  begin: 'SAVEPOINT ferry_rows',
  rollback: 'ROLLBACK TO SAVEPOINT ferry_rows',
  release: 'RELEASE SAVEPOINT ferry_rows',
} as const;

/**
 * `PartitionWriter.writeIsolating` for targets with savepoints: loads rows `[0, rows)` under a savepoint; when the
 * target refuses the range, rolls back to the savepoint and loads each half again, down to the single refused
 * rows, which it returns (every other row is loaded). A few refused rows cost about 2·log2(rows) extra loads each.
 */
export async function loadIsolatingRefused(rows: number, target: IsolatingLoad): Promise<RefusedRow[]> {
  const refused: RefusedRow[] = [];
  const loadOrSplit = async (from: number, to: number): Promise<void> => {
    await target.savepoint('begin');
    try {
      await target.load(from, to);
      await target.savepoint('release');
      return;
    } catch (e) {
      const why = target.refusal(e);
      if (!why) throw e;
      await target.savepoint('rollback');
      await target.savepoint('release');
      if (to - from === 1) {
        refused.push({ row: from, ...why });
        return;
      }
    }
    const half = from + Math.ceil((to - from) / 2);
    await loadOrSplit(from, half);
    await loadOrSplit(half, to);
  };
  if (rows > 0) await loadOrSplit(0, rows);
  return refused;
}
